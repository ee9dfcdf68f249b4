// Bundles the room with esbuild into src/interviewkit/web/static/dist/: content-hashed
// file names (served with a one-year immutable cache) and manifest.json, which the
// server's templates read to find them.
import { build } from "esbuild";
import { mkdir, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { constants, gzipSync } from "node:zlib";
import { basename, dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const outdir = join(here, "..", "src", "interviewkit", "web", "static", "dist");
const entries = {
  room: join(here, "src", "main.ts"),
  // the interviewer's side: the shell every staff page loads, then one entry per
  // interactive page (each stays small; CodeMirror is shared through split chunks)
  staff: join(here, "src", "staff", "shell.ts"),
  live: join(here, "src", "staff", "live.ts"),
  replay: join(here, "src", "staff", "replay.ts"),
  report: join(here, "src", "staff", "report.ts"),
  // video interviews: the candidate's recording page, the staff list/detail, the report
  video: join(here, "src", "video", "record.ts"),
  "video-staff": join(here, "src", "video", "staff.ts"),
  "video-report": join(here, "src", "video", "report.ts"),
};

await rm(outdir, { recursive: true, force: true });
await mkdir(outdir, { recursive: true });

// the microphone's AudioWorklet: a module of its own with nothing left to import (a
// worklet cannot load the page's shared chunks), built first so that the room's bundle
// knows its content-hashed name (MIC_WORKLET_FILE, resolved next to the room's script)
const worklet = await build({
  entryPoints: { "mic-worklet": join(here, "src", "voice", "mic-worklet.ts") },
  bundle: true,
  minify: true,
  sourcemap: true,
  format: "esm",
  target: ["chrome100", "firefox100", "safari15"],
  outdir,
  entryNames: "[name]-[hash]",
  metafile: true,
  logLevel: "info",
});
const workletFile = basename(Object.keys(worklet.metafile.outputs).find((file) => file.endsWith(".js")));

const result = await build({
  entryPoints: entries,
  bundle: true,
  minify: true,
  sourcemap: true,
  format: "esm",
  target: ["chrome100", "firefox100", "safari15"],
  outdir,
  entryNames: "[name]-[hash]",
  chunkNames: "chunk-[hash]",
  splitting: true,
  metafile: true,
  legalComments: "linked",
  logLevel: "info",
  define: { MIC_WORKLET_FILE: JSON.stringify(`./${workletFile}`) },
});

const manifest = { "mic-worklet.js": workletFile };
for (const [file, meta] of Object.entries(result.metafile.outputs)) {
  if (!meta.entryPoint || file.endsWith(".map")) continue;
  const name = Object.keys(entries).find((key) => join(here, meta.entryPoint) === entries[key] || meta.entryPoint.endsWith(relative(here, entries[key])));
  if (!name) continue;
  manifest[`${name}.js`] = basename(file);
  // chunks the entry imports statically: the page preloads them instead of waiting for
  // the entry to be parsed (the language modes stay lazy)
  manifest[`${name}.preload`] = meta.imports.filter((i) => i.kind === "import-statement").map((i) => basename(i.path));
  if (meta.cssBundle) manifest[`${name}.css`] = basename(meta.cssBundle);
}
await writeFile(join(outdir, "manifest.json"), JSON.stringify(manifest, null, 2) + "\n");

// gzipped siblings, compressed once here at the highest level: the server sends them to
// browsers that accept gzip instead of compressing on every request
for (const file of await readdir(outdir)) {
  if (!/\.(js|css)$/.test(file)) continue;
  const raw = await readFile(join(outdir, file));
  await writeFile(join(outdir, `${file}.gz`), gzipSync(raw, { level: constants.Z_BEST_COMPRESSION }));
}
console.log("manifest:", manifest, "files:", (await readdir(outdir)).length);

// the sandbox's JavaScript environment (LeetCode's globals: priority queues, Queue, Deque,
// lodash, ListNode/TreeNode; source in src/interviewkit/languages/prelude/javascript.cjs),
// one CommonJS file that node --require's before the candidate's
// code; it ships in the Python package next to the language it belongs to (built, not
// committed, like dist/ above)
const preludeFile = join(here, "..", "src", "interviewkit", "languages", "prelude", "dist", "javascript.js");
await mkdir(dirname(preludeFile), { recursive: true });
const prelude = await build({
  entryPoints: [join(dirname(preludeFile), "..", "javascript.cjs")],
  nodePaths: [join(here, "node_modules")], // the entry lives in the package, not under web/
  bundle: true,
  minify: true,
  platform: "node",
  format: "cjs",
  target: ["node18"],
  outfile: preludeFile,
  keepNames: true, // console.log(queue) names its class, as unbundled code would
  legalComments: "eof",
  metafile: true,
  logLevel: "info",
});
console.log("sandbox prelude:", relative(join(here, ".."), preludeFile), prelude.metafile.outputs[relative(process.cwd(), preludeFile)]?.bytes ?? "", "bytes");
