// Runs the package's doctests inside Pyodide, in Node, from the built site's own
// runtime and wheels (what a reader's browser gets): tests/site/test_pyodide.py.
//   node tests/pyodide/run_doctests.mjs <site>/_static/pyodide
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const base = resolve(process.argv[2]) + "/";
const { loadPyodide } = createRequire(import.meta.url)(join(base, "pyodide.js"));
const py = await loadPyodide({ indexURL: base, stdout: (s) => console.log(s) });
await py.loadPackage(["numpy", "micropip", "matplotlib"], { messageCallback: () => {} });
const manifest = JSON.parse(readFileSync(join(base, "mlnotes-live.json"), "utf8"));
py.FS.mkdir("/site");
py.FS.mount(py.FS.filesystems.NODEFS, { root: base }, "/site");
py.globals.set("_wheels", py.toPy(manifest.wheels.map((w) => "emfs:/site/" + w)));
await py.runPythonAsync("import micropip\nawait micropip.install(_wheels, deps=False)");
py.runPython("import matplotlib\nmatplotlib.use('Agg')");
await py.runPythonAsync(readFileSync(join(here, "doctest_harness.py"), "utf8"));
