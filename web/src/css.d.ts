// esbuild bundles the stylesheet imported by main.ts into room-<hash>.css
declare module "*.css";
