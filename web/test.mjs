// `npm test`: bundles test/*.test.ts with esbuild and runs them with node's test runner.
import { build } from "esbuild";
import { spawnSync } from "node:child_process";
import { mkdtemp, readdir, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const tests = (await readdir(join(here, "test"))).filter((f) => f.endsWith(".test.ts"));
const outdir = await mkdtemp(join(tmpdir(), "ik-web-test-"));
try {
  await build({
    entryPoints: tests.map((f) => join(here, "test", f)),
    bundle: true,
    platform: "node",
    format: "esm",
    outdir,
    outExtension: { ".js": ".mjs" },
    logLevel: "warning",
  });
  const files = (await readdir(outdir)).map((f) => join(outdir, f));
  const run = spawnSync(process.execPath, ["--test", ...files], { stdio: "inherit" });
  process.exitCode = run.status ?? 1;
} finally {
  await rm(outdir, { recursive: true, force: true });
}
