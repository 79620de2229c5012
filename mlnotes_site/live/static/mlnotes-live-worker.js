// The live cells' Python: Pyodide in a Web Worker, so the page stays responsive
// and a cell that runs too long can be stopped by ending this worker.
//
// Messages in:  {type: "start", pyodide: URL of the runtime folder, manifest,
//                setup: [code, ...] the page's setup, run before the first cell,
//                codes: [code, ...] the page's live cells, as the build gave them}
//               {type: "run", id, code, exercise?: id to grade}
// Messages out: {type: "progress", text}   while the runtime loads
//               {type: "ready", seconds, phases}  where the start's time went
//               {type: "started", id}       the cell's own code begins (setup done)
//               {type: "stream", id, text}  lines the cell printed, as it prints them
//               {type: "frame", id, key, png, alt}  a figure redrawn (mlnotes.plotting.redraw)
//               {type: "result", id, ok, outputs, grade?, seconds, setup_s}
//               {type: "failed", text}      the runtime could not start
"use strict";

let py = null;        // the Pyodide instance
let runner = null;    // mlnotes_live.run_cell
let checker = null;   // mlnotes_live.check_cell
let namespace = null; // the page's one Python namespace
let setup = [];       // the page's setup code, run once before the first cell
let setupDone = false;
let plottingLoaded = false;
// Where a start's time goes, in seconds from the start message (the benchmark reads them):
// download (the last byte of what the start needs), runtime (loadPyodide returned: booted,
// packages installed), imports (numpy, matplotlib), then setup_s (the page's setup code,
// run with the first cell).
const phases = {};
let t0 = 0;

// Does this code draw? The one place that decides: at start for the whole page (so
// matplotlib loads with numpy), and before a run for code the reader changed.
function draws(code) { return /matplotlib|plotting/.test(code); }

function say(text) { postMessage({ type: "progress", text }); }

// Progress the reader can read: every response the runtime fetches is counted as its
// bytes arrive, against what this page's start needs (the build lists the sizes).
function countBytes(what, needed) {
  let loaded = 0;
  let said = 0;
  const mb = (n) => (n / 1e6).toFixed(1);
  const fetchAll = self.fetch.bind(self);
  self.fetch = async (input, init) => {
    const response = await fetchAll(input, init);
    if (!response.body || !needed) return response;
    const reader = response.body.getReader();
    const counted = new ReadableStream({
      async pull(controller) {
        const { done, value } = await reader.read();
        if (done) {
          // the start's last byte: when the last response read before the imports ended
          if (phases.imports === undefined) phases.download = (performance.now() - t0) / 1000;
          controller.close();
          return;
        }
        loaded += value.byteLength;
        if (performance.now() - said > 100 || loaded >= needed) {
          said = performance.now();
          say(`loading ${what}: ${mb(Math.min(loaded, needed))} of ${mb(needed)} MB`);
        }
        controller.enqueue(value);
      },
      cancel(reason) { return reader.cancel(reason); },
    });
    // the same response, its body counted (headers kept: the wasm is compiled as it streams)
    return new Response(counted, { status: response.status, statusText: response.statusText,
                                   headers: response.headers });
  };
}

async function start({ pyodide: base, manifest, setup: pageSetup, codes }) {
  t0 = performance.now();
  setup = pageSetup;
  const plotting = draws([...setup, ...codes].join("\n"));
  const what = plotting ? "Python, numpy and matplotlib" : "Python and numpy";
  say("loading " + what);
  countBytes(what, (manifest.sizes || {})[plotting ? "plotting" : "plain"] || 0);
  importScripts(base + "pyodide.js");
  // One call: the runtime boots while the packages download. They come by name from
  // the site's own lock (every file checked against its SHA-256), precompiled to
  // bytecode at build time; mlnotes brings numpy and array-api-compat. Figures are
  // drawn by Agg (the cells show them as PNGs), which imports far faster than the
  // browser backend.
  py = await loadPyodide({
    indexURL: base,
    lockFileURL: base + manifest.lock,
    fullStdLib: false,
    packages: plotting ? manifest.load_plotting : manifest.load,
    env: { HOME: "/home/pyodide", MPLBACKEND: "Agg" },
  });
  plottingLoaded = plotting;
  phases.runtime = (performance.now() - t0) / 1000;
  say(plotting ? "importing numpy and matplotlib" : "importing numpy");
  const source = await fetch(manifest.runner).then((r) => r.text());
  // import now what every page's setup imports anyway
  py.runPython(plotting ? "import numpy, matplotlib.figure" : "import numpy");
  py.FS.writeFile("/home/pyodide/mlnotes_live.py", source);
  const live = py.pyimport("mlnotes_live");
  runner = live.run_cell;
  checker = live.check_cell;
  namespace = py.globals.get("dict")();
  phases.imports = (performance.now() - t0) / 1000;
  postMessage({ type: "ready", seconds: phases.imports, phases });
}

// matplotlib is large: load it only when a cell (or the setup) draws.
async function needPlotting(code) {
  if (plottingLoaded || !draws(code)) return;
  say("loading matplotlib");
  await py.loadPackage(["matplotlib"], { messageCallback: () => {} });
  plottingLoaded = true;
}

// Runs code; with `id`, what it prints and redraws goes to the page as it comes
// (mlnotes_live batches the lines: one message per tenth of a second at most).
function run(code, exercise, id) {
  const emit = id === undefined ? null
    : (json) => postMessage(Object.assign(JSON.parse(json), { id }));
  const result = exercise ? checker.callKwargs(code, namespace, exercise, { emit })
    : runner.callKwargs(code, namespace, { emit });
  const js = result.toJs({ dict_converter: Object.fromEntries });
  result.destroy();
  return js;
}

async function runCell({ id, code, exercise }) {
  const started = performance.now();
  let setupSeconds = null;
  if (!setupDone) {
    for (const part of setup) {
      await needPlotting(part);
      const r = run(part);
      if (!r.ok) {
        r.outputs.unshift({ type: "text", text: "The page's setup code failed:\n" });
        postMessage({ type: "result", id, ok: false, outputs: r.outputs, seconds: 0 });
        return;
      }
    }
    setupDone = true;
    setupSeconds = (performance.now() - started) / 1000;
  }
  await needPlotting(code);
  postMessage({ type: "started", id });
  const r = run(code, exercise, id);
  postMessage({ type: "result", id, ok: r.ok, outputs: r.outputs, grade: r.grade,
                seconds: (performance.now() - started) / 1000, setup_s: setupSeconds });
}

onmessage = async (event) => {
  const msg = event.data;
  try {
    if (msg.type === "start") await start(msg);
    else if (msg.type === "run") await runCell(msg);
  } catch (err) {
    postMessage({ type: "failed", id: msg.id, text: String(err && err.message || err) });
  }
};
