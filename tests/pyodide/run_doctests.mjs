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
const manifest = JSON.parse(readFileSync(join(base, "mlnotes-live.json"), "utf8"));
// as the reader's browser loads them: by name, from the site's own lock (compiled wheels)
const py = await loadPyodide({ indexURL: base, lockFileURL: join(base, manifest.lock),
                               stdout: (s) => console.log(s), stderr: (s) => console.error(s) });
await py.loadPackage(manifest.load_plotting, { messageCallback: () => {} });
py.runPython("import matplotlib\nmatplotlib.use('Agg')");
await py.runPythonAsync(readFileSync(join(here, "doctest_harness.py"), "utf8"));
