// Compile the browser's Python to bytecode inside Pyodide (see pyodide_compile.py).
//   node tools/pyodide_compile.mjs FOLDER JOBS_JSON
// FOLDER holds Pyodide's runtime, its official lock and wheels (tools/pyodide_assets.py
// assembled it); JOBS_JSON is a list of [kind, source, target], paths relative to FOLDER.
// Prints one JSON line: the number of modules compiled per written archive.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const base = resolve(process.argv[2]) + "/";
const jobs = JSON.parse(process.argv[3]);
const { loadPyodide } = createRequire(import.meta.url)(join(base, "pyodide.js"));
const py = await loadPyodide({ indexURL: base, stdout: () => {}, stderr: () => {} });
if (jobs.some(([, source]) => source.includes("matplotlib-"))) {
  // the official wheels, verified against the official lock, so that importing
  // matplotlib's font manager writes the font list this matplotlib expects
  await py.loadPackage(["matplotlib"], { messageCallback: () => {}, errorCallback: () => {} });
}
py.FS.mkdir("/site");
py.FS.mount(py.FS.filesystems.NODEFS, { root: base }, "/site");
py.globals.set("jobs", py.toPy(jobs.map(([kind, s, t]) => [kind, "/site/" + s, "/site/" + t])));
py.runPython(readFileSync(join(here, "pyodide_compile.py"), "utf8"));
const result = py.globals.get("result").toJs({ dict_converter: Object.fromEntries });
console.log(JSON.stringify(result));
