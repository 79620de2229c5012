// Live cells: the reader edits a cell of the book or of a deck and runs it in the
// browser, with Python (Pyodide) served by the site itself. See README, "Live cells".
//
// The build marks each live cell (a code cell tagged `live`) and embeds its source;
// this script turns it into an editor with Run and Reset. Python starts in a Web
// Worker on the first Run only, runs the page's setup code, then the cell; the
// cells of a page share one namespace. Opened from a file, where browsers refuse
// to start the worker, a cell keeps its static output and says how to go live.
(function () {
  "use strict";

  const script = document.currentScript;
  const HERE = new URL(".", script.src);
  const PYODIDE = new URL(script.dataset.pyodide || "pyodide/", HERE).href;
  const WORKER = new URL("mlnotes-live-worker.js", HERE).href;
  // the key of the solved exercises in local storage, named by the build (live/__init__.py)
  const STORE = script.dataset.store;
  // Opened from a file, the reader may have only the built site: any static server
  // started in its folder will do.
  const HOW_TO = "Live cells need the site served over HTTP (browsers do not start " +
    "Python from a file): in the site's folder run `python3 -m http.server` (or any " +
    "static web server) and open http://localhost:8000.";
  // What the first Run downloads (the build writes the runtime's size on this script).
  const BYTES = Number(script.dataset.bytes || 0);
  const DOWNLOAD = BYTES ? "about " + Math.max(1, Math.round(BYTES / 1e6)) + " MB" : "";
  const FIRST_RUN = "The first Run loads Python into this page" +
    (DOWNLOAD ? " (" + DOWNLOAD + ", once; then from the browser's cache)" : "") + ".";

  const NO_WASM = "This browser cannot run Python here (it lacks WebAssembly or Web " +
    "Workers): the output shown is the one the book's build computed.";

  function canRun() {
    return location.protocol !== "file:" && typeof WebAssembly === "object" &&
      typeof Worker === "function";
  }
  function whyNot() { return location.protocol === "file:" ? HOW_TO : NO_WASM; }

  // ------------------------------------------------------------------ the runtime

  // One worker per page: started on the first Run, restarted after a Stop.
  const runtime = {
    worker: null,
    ready: null,     // promise of a started worker
    pending: new Map(),
    queue: Promise.resolve(),
    nextId: 1,
    listeners: new Set(),
    setup: [],       // the page's setup code, given to each worker once, when it starts
    codes: [],       // every live cell's code: the worker judges whether the page draws

    progress(text) { this.listeners.forEach((f) => f(text)); },

    start() {
      if (this.ready) return this.ready;
      this.ready = (async () => {
        const response = await fetch(PYODIDE + "mlnotes-live.json", { cache: "no-cache" });
        if (!response.ok) throw new Error("the site has no Python runtime (" +
          response.status + "); rebuild it with `make html`");
        const manifest = await response.json();
        manifest.runner = new URL(manifest.runner, PYODIDE).href;
        const worker = new Worker(WORKER);
        this.worker = worker;
        await new Promise((resolve, reject) => {
          worker.onmessage = (event) => {
            const msg = event.data;
            if (msg.type === "progress") this.progress("Starting Python: " + msg.text + "…");
            else if (msg.type === "ready") resolve();
            else if (msg.type === "failed") reject(new Error(msg.text));
          };
          worker.onerror = (event) => { event.preventDefault(); reject(new Error(event.message)); };
          worker.postMessage({ type: "start", pyodide: PYODIDE, manifest, setup: this.setup,
                               codes: this.codes });
        });
        worker.onmessage = (event) => this.receive(event.data);
        worker.onerror = (event) => {
          event.preventDefault();
          this.receive({ type: "failed", text: event.message });
        };
      })();
      this.ready.catch(() => this.stop());
      return this.ready;
    },

    receive(msg) {
      if (msg.type === "result" || msg.type === "failed") {
        const waiting = this.pending.get(msg.id) || this.pending.values().next().value;
        if (!waiting) return;
        this.pending.delete(waiting.id);
        if (msg.type === "failed") waiting.reject(new Error(msg.text));
        else waiting.resolve(msg);
      }
    },

    // Runs are queued: one cell at a time, in the order the reader pressed Run.
    run(code, onStart, exercise) {
      const job = this.queue.then(async () => {
        await this.start();
        onStart();
        const id = this.nextId++;
        return new Promise((resolve, reject) => {
          this.pending.set(id, { id, resolve, reject });
          this.worker.postMessage({ type: "run", id, code, exercise });
        });
      });
      this.queue = job.catch(() => {});
      return job;
    },

    // Ends the worker (and with it any running cell); the next Run starts afresh.
    stop() {
      if (this.worker) this.worker.terminate();
      this.worker = null;
      this.ready = null;
      const stopped = new Error("stopped");
      stopped.stopped = true;
      this.pending.forEach((p) => p.reject(stopped));
      this.pending.clear();
      this.queue = Promise.resolve();
    },
  };

  // --------------------------------------------------------------------- a cell

  function element(tag, props, children) {
    const el = document.createElement(tag);
    Object.assign(el, props || {});
    (children || []).forEach((c) => el.append(c));
    return el;
  }

  function renderOutputs(box, outputs) {
    box.replaceChildren();
    for (const out of outputs) {
      if (out.type === "image") {
        box.append(element("img", {
          className: "mlnotes-live-image",
          src: "data:image/png;base64," + out.png,
          // the description mlnotes.plotting's helpers give their figures
          alt: out.alt || "figure drawn by the cell",
        }));
      } else {
        box.append(element("pre", { className: "mlnotes-live-" + out.type,
                                    textContent: out.text }));
      }
    }
  }

  function makeLive(cell, index) {
    const source = cell.querySelector("script.mlnotes-live-source");
    const original = JSON.parse(source.textContent).code;
    runtime.codes.push(original);
    const input = cell.querySelector(".cell_input");
    const staticOutput = cell.querySelector(".cell_output");
    cell.setAttribute("data-live-cell", "");

    const editorBox = element("div", { className: "mlnotes-live-editor" });
    const run = element("button", { type: "button", className: "mlnotes-live-run",
                                    textContent: "Run", title: FIRST_RUN });
    const reset = element("button", { type: "button", className: "mlnotes-live-reset",
                                      textContent: "Reset" });
    const stop = element("button", { type: "button", className: "mlnotes-live-stop",
                                     textContent: "Stop", hidden: true });
    const status = element("span", { className: "mlnotes-live-status" });
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    const toolbar = element("div", { className: "mlnotes-live-toolbar" },
                            [run, reset, stop, status]);
    const liveOutput = element("div", { className: "mlnotes-live-output", hidden: true });
    liveOutput.setAttribute("aria-live", "polite");
    input.after(editorBox, toolbar);
    (staticOutput || toolbar).after(liveOutput);
    input.hidden = true;
    // A "predict, then run" cell (tagged predict) hides the build's output until Run.
    const predict = cell.classList.contains("tag_predict");
    function showStatic() { if (staticOutput) staticOutput.hidden = predict; }
    showStatic();

    const label = "Python code of live cell " + (index + 1) + ": Shift+Enter runs, Esc leaves";
    const editor = window.MlnotesEditor
      ? window.MlnotesEditor.create(editorBox, original, {
        onRun: () => run.click(), onEscape: () => run.focus(), label })
      : textareaEditor(editorBox, original, () => run.click(), () => run.focus(), label);

    // In a deck, keys typed into the editor are the editor's, not the slides'.
    editorBox.addEventListener("keydown", (e) => e.stopPropagation());
    editorBox.addEventListener("keyup", (e) => e.stopPropagation());
    editorBox.addEventListener("keypress", (e) => e.stopPropagation());

    let timer = null;
    function busy(on) {
      run.disabled = on;
      stop.hidden = !on;
      cell.toggleAttribute("data-running", on);
      if (!on && timer) { clearInterval(timer); timer = null; }
    }

    // Runs the editor's code; with `exercise`, grades it too. Returns the result.
    async function execute(exercise) {
      if (!canRun()) {
        status.textContent = whyNot();
        cell.setAttribute("data-live-unavailable", "");
        // without Python the build's output is the answer a predict cell can show
        if (staticOutput) staticOutput.hidden = false;
        return null;
      }
      busy(true);
      status.textContent = runtime.worker ? "Waiting…"
        : "Starting Python" + (DOWNLOAD ? " (loading " + DOWNLOAD + ", once)" : "") + "…";
      const onProgress = (text) => { if (!timer) status.textContent = text; };
      runtime.listeners.add(onProgress);
      try {
        const result = await runtime.run(editor.getCode(), () => {
          runtime.listeners.delete(onProgress);
          const t0 = performance.now();
          status.textContent = "Running…";
          timer = setInterval(() => {
            status.textContent = "Running… " + Math.round((performance.now() - t0) / 1000) + " s";
          }, 1000);
        }, exercise);
        renderOutputs(liveOutput, result.outputs);
        liveOutput.hidden = false;
        if (staticOutput) staticOutput.hidden = true;
        const took = " in " + result.seconds.toFixed(2) + " s";
        // a Check that fails says so, not "Done" beside "2 of 3 checks passed"
        if (exercise && result.grade) {
          status.textContent = result.grade.passed ? "All checks passed" + took
            : "Checked" + took + ": not solved yet (see below)";
        } else {
          status.textContent = (result.ok ? "Done" : "Error") + took;
        }
        document.querySelectorAll(".mlnotes-live-run").forEach((b) => { b.title = ""; });
        cell.setAttribute("data-live-state", result.ok ? "done" : "error");
        return result;
      } catch (err) {
        if (err.stopped) {
          // nothing of an earlier run stays on screen (its traceback would read as this one's)
          liveOutput.replaceChildren();
          liveOutput.hidden = true;
          showStatic();
          status.textContent = "Stopped. Python was restarted: the next Run starts afresh " +
            "(the page's setup runs again).";
          cell.setAttribute("data-live-state", "stopped");
        } else {
          status.textContent = "Python could not run: " + err.message;
          cell.setAttribute("data-live-state", "failed");
        }
        return null;
      } finally {
        runtime.listeners.delete(onProgress);
        busy(false);
      }
    }

    run.addEventListener("click", () => execute(null));
    reset.addEventListener("click", () => {
      editor.setCode(original);
      liveOutput.hidden = true;
      showStatic();
      status.textContent = "Code restored";
      cell.removeAttribute("data-live-state");
    });
    stop.addEventListener("click", () => runtime.stop());

    const box = cell.closest("[data-exercise]");
    if (box && cell.classList.contains("tag_exercise")) makeExercise(box, toolbar, execute, editor);
  }

  // ---------------------------------------------------------- checked exercises

  // Solved exercises are remembered in this browser only (nothing is sent anywhere).
  function solvedSet() {
    try { return new Set(JSON.parse(localStorage.getItem(STORE) || "[]")); }
    catch (e) { return new Set(); }
  }
  // ... and so is the code that solved each one: a solved exercise reloads solved.
  const CODE_STORE = STORE + ":code";  // beside the solved set, under the one name
  function solvedCode() {
    try { return JSON.parse(localStorage.getItem(CODE_STORE) || "{}") || {}; }
    catch (e) { return {}; }
  }
  function remember(id, code) {
    const solved = solvedSet();
    solved.add(id);
    const codes = solvedCode();
    codes[id] = code;
    try {
      localStorage.setItem(STORE, JSON.stringify([...solved]));
      localStorage.setItem(CODE_STORE, JSON.stringify(codes));
    } catch (e) { /* private mode */ }
  }

  function showProgress() {
    const boxes = [...document.querySelectorAll("[data-exercise]")];
    if (!boxes.length) return;
    let banner = document.querySelector(".mlnotes-exercise-progress");
    if (!banner) {
      banner = element("p", { className: "mlnotes-exercise-progress" });
      banner.setAttribute("role", "status");
      boxes[0].before(banner);
    }
    const solved = boxes.filter((b) => b.getAttribute("data-solved") === "true").length;
    banner.textContent = "Checked exercises solved on this page: " + solved + " of " +
      boxes.length + " (remembered in this browser only).";
  }

  function makeExercise(box, toolbar, execute, editor) {
    const id = box.getAttribute("data-exercise");
    const checkButton = element("button", { type: "button", className: "mlnotes-live-check",
                                            textContent: "Check" });
    const verdict = element("div", { className: "mlnotes-exercise-result" });
    verdict.setAttribute("role", "status");
    verdict.setAttribute("aria-live", "polite");
    toolbar.querySelector(".mlnotes-live-reset").before(checkButton);
    toolbar.after(verdict);
    if (solvedSet().has(id)) {
      box.setAttribute("data-solved", "true");
      const code = solvedCode()[id];
      if (typeof code === "string") editor.setCode(code);
    }
    checkButton.addEventListener("click", async () => {
      const result = await execute(id);
      if (!result) {
        if (!canRun()) verdict.textContent = whyNot();
        return;
      }
      const grade = result.grade;
      verdict.textContent = grade.summary;
      verdict.className = "mlnotes-exercise-result " + (grade.passed ? "passed" : "failed");
      if (grade.passed) {
        box.setAttribute("data-solved", "true");
        remember(id, editor.getCode());
      } else {
        box.setAttribute("data-solved", "false");
      }
      showProgress();
    });
  }

  // Without the editor bundle, a plain textarea does the same job.
  function textareaEditor(parent, code, onRun, onEscape, label) {
    const area = element("textarea", { className: "mlnotes-live-textarea", value: code,
                                       spellcheck: false, rows: code.split("\n").length });
    area.setAttribute("aria-label", label);
    area.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && (e.shiftKey || e.ctrlKey)) { e.preventDefault(); onRun(); }
      if (e.key === "Escape") { e.preventDefault(); onEscape(); }
    });
    parent.append(area);
    return { getCode: () => area.value, setCode: (t) => { area.value = t; },
             focus: () => area.focus() };
  }

  function init() {
    const setup = document.getElementById("mlnotes-live-setup");
    runtime.setup = setup ? JSON.parse(setup.textContent) : [];
    document.querySelectorAll(".cell.tag_live").forEach(makeLive);
    showProgress();
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
  window.mlnotesLive = { runtime, canRun };
})();
