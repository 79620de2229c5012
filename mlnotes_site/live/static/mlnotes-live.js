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

    phases: null,    // where the current worker's start went, in seconds (the benchmark reads it)
    starts: 0,       // workers started on this page (a test reads it)
    startedBy: "",   // what started the current one: "intent" or "run"

    start(why) {
      if (this.ready) return this.ready;
      this.starts += 1;
      this.startedBy = why || "run";
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
            else if (msg.type === "ready") { this.phases = msg.phases; resolve(); }
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
      if (msg.type === "started" || msg.type === "stream" || msg.type === "frame") {
        const waiting = this.pending.get(msg.id);
        if (waiting && waiting.onMessage) waiting.onMessage(msg);
      } else if (msg.type === "result" || msg.type === "failed") {
        if (msg.setup_s != null && this.phases) this.phases.setup_s = msg.setup_s;
        const waiting = this.pending.get(msg.id) || this.pending.values().next().value;
        if (!waiting) return;
        this.pending.delete(waiting.id);
        if (msg.type === "failed") waiting.reject(new Error(msg.text));
        else waiting.resolve(msg);
      }
    },

    // Runs are queued: one cell at a time, in the order the reader pressed Run.
    // onMessage gets the run's "started", "stream" and "frame" messages as they come.
    run(code, onStart, exercise, onMessage) {
      const job = this.queue.then(async () => {
        await this.start();
        onStart();
        const id = this.nextId++;
        return new Promise((resolve, reject) => {
          this.pending.set(id, { id, resolve, reject, onMessage });
          this.worker.postMessage({ type: "run", id, code, exercise });
        });
      });
      this.queue = job.catch(() => {});
      return job;
    },

    // Ends the worker (and with it any running cell); with `restart`, a fresh one
    // starts at once (its namespace is rebuilt by the page's setup on the next Run).
    // `reason` travels with the error the stopped run gets ("stop", "timeout").
    stop(reason, restart) {
      if (this.worker) this.worker.terminate();
      this.worker = null;
      this.ready = null;
      const stopped = new Error("stopped");
      stopped.stopped = true;
      stopped.reason = reason || "stop";
      this.pending.forEach((p) => p.reject(stopped));
      this.pending.clear();
      this.queue = Promise.resolve();
      if (restart) this.start().catch(() => {});
    },
  };

  // ------------------------------------------------------- the reader's work kept

  // Everything is kept in this browser's local storage, under keys named from the
  // one the build gives (STORE): the solved exercises, the code that solved each,
  // and the reader's edits of live cells, {page: {cell key: code}}. Nothing is sent
  // anywhere; Export and Import move it by a file the reader handles.
  const CODE_STORE = STORE + ":code";
  const EDIT_STORE = STORE + ":edits";
  const FORMAT = "mlnotes-progress";

  function load(key, fallback) {
    try {
      const value = JSON.parse(localStorage.getItem(key) || "null");
      return value === null ? fallback : value;
    } catch (e) { return fallback; }
  }
  function save(key, value) {
    try { localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* private mode */ }
  }
  function solvedSet() { return new Set(load(STORE, [])); }
  function solvedCode() { return load(CODE_STORE, {}); }
  function remember(id, code) {
    const solved = solvedSet();
    solved.add(id);
    const codes = solvedCode();
    codes[id] = code;
    save(STORE, [...solved]);
    save(CODE_STORE, codes);
  }

  // A page's name in the store: its path from the site's root, the same on any
  // server or machine (the runtime's folder, _static/pyodide/, is two below the root).
  const ROOT = new URL("../../", PYODIDE);
  function pageName() {
    const here = decodeURIComponent(location.pathname);
    const root = decodeURIComponent(ROOT.pathname);
    return here.startsWith(root) ? here.slice(root.length) : here;
  }
  const PAGE = pageName();

  // A cell's name: a hash of the page's code for it (FNV-1a), and its rank among
  // the page's cells with that same code; an edit of code the page has since
  // changed is not put back into the new code.
  function hash(text) {
    let h = 0x811c9dc5;
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    return (h >>> 0).toString(16).padStart(8, "0");
  }
  const seen = new Map();
  function cellKey(original) {
    const h = hash(original);
    const n = seen.get(h) || 0;
    seen.set(h, n + 1);
    return n ? h + "-" + n : h;
  }
  function savedEdit(key) {
    const page = load(EDIT_STORE, {})[PAGE];
    return page && typeof page[key] === "string" ? page[key] : null;
  }
  function saveEdit(key, code) {  // null forgets the edit
    const edits = load(EDIT_STORE, {});
    const page = edits[PAGE] || {};
    if (code === null) delete page[key]; else page[key] = code;
    if (Object.keys(page).length) edits[PAGE] = page; else delete edits[PAGE];
    save(EDIT_STORE, edits);
  }

  const cells = [];  // {key, apply()}: put back what the store holds for each cell

  // --------------------------------------------------------------------- a cell

  function element(tag, props, children) {
    const el = document.createElement(tag);
    Object.assign(el, props || {});
    (children || []).forEach((c) => el.append(c));
    return el;
  }

  function image(out) {
    return element("img", {
      className: "mlnotes-live-image",
      src: "data:image/png;base64," + out.png,
      // the description mlnotes.plotting's helpers give their figures
      alt: out.alt || "figure drawn by the cell",
    });
  }

  function renderOutputs(box, outputs) {
    box.replaceChildren();
    for (const out of outputs) {
      if (out.type === "image") box.append(image(out));
      else box.append(element("pre", { className: "mlnotes-live-" + out.type,
                                       textContent: out.text }));
    }
  }

  // What a running cell shows as it comes: printed text appended to the last text
  // block, a redrawn figure in place of its previous frame (by key), after the text
  // printed before it. The cell's final outputs replace all of it when it ends.
  function streamer(box) {
    let text = null;
    const frames = new Map();
    return (msg) => {
      if (msg.type === "stream") {
        if (!text) {
          text = element("pre", { className: "mlnotes-live-text" });
          box.append(text);
        }
        text.textContent += msg.text;
      } else if (msg.type === "frame") {
        const img = image(msg);
        img.setAttribute("data-frame", msg.key);
        const old = frames.get(msg.key);
        if (old) old.replaceWith(img); else box.append(img);
        frames.set(msg.key, img);
        text = null;  // lines printed after this frame go below it
      }
    };
  }

  const STOPPED = "Stopped; Python restarted: run the cells above again if this one " +
    "needs them.";
  const CHECK_LIMIT_S = 10;
  const TIMED_OUT = "Your function ran for more than " + CHECK_LIMIT_S + " seconds: an " +
    "endless loop? It was stopped and Python restarted; the next Check starts afresh.";

  function makeLive(cell, index) {
    const source = cell.querySelector("script.mlnotes-live-source");
    const original = JSON.parse(source.textContent).code;
    runtime.codes.push(original);
    const key = cellKey(original);
    const input = cell.querySelector(".cell_input");
    const staticOutput = cell.querySelector(".cell_output");
    cell.setAttribute("data-live-cell", "");
    cell.setAttribute("data-live-key", key);

    const editorBox = element("div", { className: "mlnotes-live-editor" });
    // Run, and Stop while the cell runs: one button, so Esc (which leaves the
    // editor for it) then Enter stops a run from the keyboard
    const run = element("button", { type: "button", className: "mlnotes-live-run",
                                    textContent: "Run", title: FIRST_RUN });
    const reset = element("button", { type: "button", className: "mlnotes-live-reset",
                                      textContent: "Reset" });
    const status = element("span", { className: "mlnotes-live-status" });
    status.setAttribute("role", "status");
    status.setAttribute("aria-live", "polite");
    const note = element("span", { className: "mlnotes-live-saved", hidden: true,
                                   textContent: "your edit, saved in this browser" });
    const toolbar = element("div", { className: "mlnotes-live-toolbar" },
                            [run, reset, note, status]);
    const liveOutput = element("div", { className: "mlnotes-live-output", hidden: true });
    liveOutput.setAttribute("aria-live", "polite");
    input.after(editorBox, toolbar);
    (staticOutput || toolbar).after(liveOutput);
    input.hidden = true;
    // A "predict, then run" cell (tagged predict) hides the build's output until Run.
    const predict = cell.classList.contains("tag_predict");
    function showStatic() { if (staticOutput) staticOutput.hidden = predict; }
    showStatic();

    // every change of the code is kept (the page's own code is not: nothing to keep)
    let restoring = false;
    function changed() {
      if (restoring) return;
      const code = editor.getCode();
      saveEdit(key, code === original ? null : code);
      note.hidden = code === original;
    }
    const label = "Python code of live cell " + (index + 1) +
      ": Shift+Enter runs, Esc leaves (to Run, or Stop while it runs)";
    const editor = window.MlnotesEditor
      ? window.MlnotesEditor.create(editorBox, original, {
        onRun: () => { if (!running) run.click(); }, onEscape: () => run.focus(), label,
        onChange: changed })
      : textareaEditor(editorBox, original, () => { if (!running) run.click(); },
                       () => run.focus(), label, changed);

    // In a deck, keys typed into the editor are the editor's, not the slides'.
    editorBox.addEventListener("keydown", (e) => e.stopPropagation());
    editorBox.addEventListener("keyup", (e) => e.stopPropagation());
    editorBox.addEventListener("keypress", (e) => e.stopPropagation());

    // puts back what this browser keeps for the cell: the reader's edit, else (an
    // exercise solved here) the code that solved it
    function apply() {
      const box = cell.closest("[data-exercise]");
      const exercise = box && cell.classList.contains("tag_exercise")
        ? box.getAttribute("data-exercise") : null;
      const edit = savedEdit(key);
      const solvedWith = exercise && solvedSet().has(exercise) ? solvedCode()[exercise] : null;
      const code = edit !== null ? edit : typeof solvedWith === "string" ? solvedWith : null;
      if (code !== null && code !== editor.getCode()) {
        restoring = true;
        try { editor.setCode(code); } finally { restoring = false; }
      }
      note.hidden = edit === null || edit === original;
      if (exercise && solvedSet().has(exercise)) box.setAttribute("data-solved", "true");
    }
    cells.push({ key, apply });

    let running = false;
    let timer = null;
    function busy(on) {
      running = on;
      run.textContent = on ? "Stop" : "Run";
      run.classList.toggle("mlnotes-live-stop", on);
      cell.querySelectorAll(".mlnotes-live-check").forEach((b) => { b.disabled = on; });
      cell.toggleAttribute("data-running", on);
      if (!on && timer) { clearInterval(timer); timer = null; }
    }

    // Runs the editor's code; with `exercise`, grades it too. Returns the result.
    // `prints`, for a Check, is where the lines printed while checked are shown.
    async function execute(exercise, prints) {
      if (!canRun()) {
        status.textContent = whyNot();
        cell.setAttribute("data-live-state", "unavailable");
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
      let limit = null;
      let streamed = false;
      let show = null;
      const onMessage = (msg) => {
        if (msg.type === "started") {
          // the time limit of a Check counts the reader's code, not Python's start
          if (exercise) limit = setTimeout(() => runtime.stop("timeout", true), CHECK_LIMIT_S * 1000);
          liveOutput.replaceChildren();
          show = streamer(liveOutput);
          if (prints) { prints.replaceChildren(); prints.hidden = true; }
          return;
        }
        if (!show) return;
        if (!streamed) {
          streamed = true;
          liveOutput.hidden = false;
          if (staticOutput) staticOutput.hidden = true;
        }
        show(msg);
      };
      const code = editor.getCode();
      try {
        const result = await runtime.run(code, () => {
          runtime.listeners.delete(onProgress);
          const t0 = performance.now();
          status.textContent = "Running…";
          timer = setInterval(() => {
            status.textContent = "Running… " + Math.round((performance.now() - t0) / 1000) + " s";
          }, 1000);
        }, exercise, onMessage);
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
        return Object.assign(result, { code });
      } catch (err) {
        if (err.stopped) {
          if (streamed) {
            // what it printed before it was stopped stays, marked as cut short
            liveOutput.append(element("p", { className: "mlnotes-live-stopped",
              textContent: "Stopped here: the cell did not finish." }));
          } else {
            // nothing of an earlier run stays on screen (its traceback would read as this one's)
            liveOutput.replaceChildren();
            liveOutput.hidden = true;
            showStatic();
          }
          status.textContent = err.reason === "timeout" ? TIMED_OUT : STOPPED;
          cell.setAttribute("data-live-state", err.reason === "timeout" ? "timeout" : "stopped");
          return { stopped: err.reason };
        }
        status.textContent = "Python could not run: " + err.message;
        cell.setAttribute("data-live-state", "failed");
        return null;
      } finally {
        if (limit) clearTimeout(limit);
        runtime.listeners.delete(onProgress);
        busy(false);
      }
    }

    run.addEventListener("click", () => {
      if (running) runtime.stop("stop", true);
      else execute(null);
    });
    reset.addEventListener("click", () => {
      editor.setCode(original);
      saveEdit(key, null);
      note.hidden = true;
      liveOutput.hidden = true;
      showStatic();
      status.textContent = "Code restored (your saved edit is cleared)";
      cell.removeAttribute("data-live-state");
    });

    const box = cell.closest("[data-exercise]");
    if (box && cell.classList.contains("tag_exercise")) {
      makeExercise(box, toolbar, execute);
      reset.addEventListener("click", () => {  // the solving code is not put back either
        const codes = solvedCode();
        delete codes[box.getAttribute("data-exercise")];
        save(CODE_STORE, codes);
      });
    }
    apply();
  }

  // ---------------------------------------------------------- checked exercises

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

  function makeExercise(box, toolbar, execute) {
    const id = box.getAttribute("data-exercise");
    const checkButton = element("button", { type: "button", className: "mlnotes-live-check",
                                            textContent: "Check" });
    // what the reader's functions printed while they were checked, above the verdict
    const prints = element("pre", { className: "mlnotes-exercise-prints", hidden: true });
    prints.setAttribute("aria-label", "printed while checking");
    const verdict = element("div", { className: "mlnotes-exercise-result" });
    verdict.setAttribute("role", "status");
    verdict.setAttribute("aria-live", "polite");
    toolbar.querySelector(".mlnotes-live-reset").before(checkButton);
    toolbar.after(prints, verdict);
    checkButton.addEventListener("click", async () => {
      const result = await execute(id, prints);
      if (!result) {
        if (!canRun()) verdict.textContent = whyNot();
        return;
      }
      if (result.stopped) {
        verdict.textContent = result.stopped === "timeout" ? TIMED_OUT
          : "Check stopped; Python restarted.";
        verdict.className = "mlnotes-exercise-result failed";
        if (box.getAttribute("data-solved") !== "true") box.setAttribute("data-solved", "false");
        showProgress();
        return;
      }
      const grade = result.grade;
      const printed = grade.prints || "";
      prints.textContent = printed;
      prints.hidden = !printed;
      verdict.textContent = grade.summary;
      verdict.className = "mlnotes-exercise-result " + (grade.passed ? "passed" : "failed");
      if (grade.passed) {
        box.setAttribute("data-solved", "true");
        remember(id, result.code);
      } else {
        box.setAttribute("data-solved", "false");
      }
      showProgress();
    });
  }

  // ------------------------------------------------------------ export, import

  function isCodeMap(value) {
    return value && typeof value === "object" && !Array.isArray(value) &&
      Object.values(value).every((v) => typeof v === "string");
  }

  // The reader's progress on every page, as a file's content.
  function exportProgress() {
    return {
      format: FORMAT, version: 1, exported: new Date().toISOString(),
      solved: [...solvedSet()], solvedCode: solvedCode(), edits: load(EDIT_STORE, {}),
    };
  }

  // Checks a file's content; returns why it is refused, or null.
  function invalid(data) {
    if (!data || typeof data !== "object" || Array.isArray(data)) return "it holds no object";
    if (data.format !== FORMAT) return "it is not an mlnotes progress file";
    if (data.version !== 1) return "its version (" + data.version + ") is not 1";
    if (!Array.isArray(data.solved) || !data.solved.every((s) => typeof s === "string")) {
      return "its list of solved exercises is not a list of names";
    }
    if (!isCodeMap(data.solvedCode)) return "its solving code is not text";
    if (!data.edits || typeof data.edits !== "object" || Array.isArray(data.edits) ||
        !Object.values(data.edits).every(isCodeMap)) {
      return "its edited cells are not text by page";
    }
    return null;
  }

  function importProgress(data) {
    const solved = solvedSet();
    data.solved.forEach((s) => solved.add(s));
    save(STORE, [...solved]);
    save(CODE_STORE, Object.assign(solvedCode(), data.solvedCode));
    const edits = load(EDIT_STORE, {});
    for (const [page, codes] of Object.entries(data.edits)) {
      edits[page] = Object.assign(edits[page] || {}, codes);
    }
    save(EDIT_STORE, edits);
    cells.forEach((c) => c.apply());
    showProgress();
    const count = Object.values(data.edits).reduce((n, p) => n + Object.keys(p).length, 0);
    return "Imported: " + data.solved.length + " solved exercise" +
      (data.solved.length === 1 ? "" : "s") + " and " + count + " edited cell" +
      (count === 1 ? "" : "s") + ", on all pages.";
  }

  // Export and Import, once per page, before its first live cell (book pages; a
  // deck keeps its slides clear: its edits are exported from any page of the book).
  function progressTools(first) {
    const exportButton = element("button", { type: "button", className: "mlnotes-progress-export",
                                             textContent: "Export my progress" });
    exportButton.title = "Download your solved exercises and edited cells (all pages) " +
      "as a JSON file";
    const importButton = element("button", { type: "button", className: "mlnotes-progress-import",
                                             textContent: "Import progress…" });
    importButton.title = "Restore solved exercises and edits from an exported file";
    const file = element("input", { type: "file", accept: ".json,application/json",
                                    hidden: true });
    file.setAttribute("aria-label", "Progress file to import");
    const message = element("span", { className: "mlnotes-progress-message" });
    message.setAttribute("role", "status");
    message.setAttribute("aria-live", "polite");
    const tools = element("div", { className: "mlnotes-progress-tools" },
      [element("span", { textContent: "Your work on live cells is kept in this browser:" }),
       exportButton, importButton, file, message]);
    tools.setAttribute("role", "group");
    tools.setAttribute("aria-label", "Your progress");
    first.before(tools);

    exportButton.addEventListener("click", () => {
      const blob = new Blob([JSON.stringify(exportProgress(), null, 1)],
                            { type: "application/json" });
      const link = element("a", { href: URL.createObjectURL(blob),
                                  download: "mlnotes-progress.json" });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
      message.textContent = "Exported to mlnotes-progress.json (nothing was sent anywhere).";
    });
    importButton.addEventListener("click", () => file.click());
    file.addEventListener("change", async () => {
      const chosen = file.files && file.files[0];
      file.value = "";
      if (!chosen) return;
      let data;
      try { data = JSON.parse(await chosen.text()); } catch (e) { data = undefined; }
      const why = data === undefined ? "it is not JSON" : invalid(data);
      message.className = "mlnotes-progress-message" + (why ? " failed" : "");
      message.textContent = why ? "Not imported: " + chosen.name + " is not a progress file " +
        "exported from these notes (" + why + "). Nothing was changed."
        : importProgress(data);
    });
  }

  // Without the editor bundle, a plain textarea does the same job.
  function textareaEditor(parent, code, onRun, onEscape, label, onChange) {
    const area = element("textarea", { className: "mlnotes-live-textarea", value: code,
                                       spellcheck: false, rows: code.split("\n").length });
    area.setAttribute("aria-label", label);
    area.addEventListener("keydown", (e) => {
      if (e.key === "Enter" && (e.shiftKey || e.ctrlKey)) { e.preventDefault(); onRun(); }
      if (e.key === "Escape") { e.preventDefault(); onEscape(); }
    });
    area.addEventListener("input", () => onChange());
    parent.append(area);
    return { getCode: () => area.value,
             setCode: (t) => { area.value = t; onChange(); },
             focus: () => area.focus() };
  }

  // ------------------------------------------------------------ starting early

  // Python starts when the reader shows they are about to run something, so that Run
  // finds it ready: the focus enters a live cell (its editor, Run or Check), the pointer
  // rests on Run or Check, or a deck shows a slide with a live cell. Not on page load:
  // most readers of a page run nothing. Never when the browser asks to save data.
  function saveData() {
    return Boolean(navigator.connection && navigator.connection.saveData);
  }
  function warm() {
    if (!canRun() || saveData() || runtime.ready) return;
    runtime.start("intent").catch(() => {});
  }
  function startOnIntent() {
    document.addEventListener("focusin", (e) => {
      if (e.target.closest && e.target.closest("[data-live-cell]")) warm();
    });
    document.addEventListener("pointerover", (e) => {
      if (e.target.closest && e.target.closest(".mlnotes-live-run, .mlnotes-live-check")) warm();
    });
    const reveal = window.Reveal;
    if (reveal && reveal.on) {
      const shown = (event) => {
        const slide = event.currentSlide || (reveal.getCurrentSlide && reveal.getCurrentSlide());
        if (slide && slide.querySelector("[data-live-cell]")) warm();
      };
      reveal.on("slidechanged", shown);
      reveal.on("ready", shown);
    }
  }

  // The service worker (the site's root, mlnotes-sw.js) keeps the runtime in this
  // browser's cache for the next visit. Registering it downloads only that small
  // script; it caches what the live cells' worker fetches, when it fetches it.
  function keepRuntime() {
    const url = script.dataset.sw;
    if (!url || !("serviceWorker" in navigator) || !/^https?:$/.test(location.protocol)) return;
    navigator.serviceWorker.register(new URL(url, HERE).href).catch(() => {});
  }

  function init() {
    const setup = document.getElementById("mlnotes-live-setup");
    runtime.setup = setup ? JSON.parse(setup.textContent) : [];
    const live = document.querySelectorAll(".cell.tag_live");
    live.forEach(makeLive);
    if (live.length && canRun()) {
      startOnIntent();
      keepRuntime();
    }
    showProgress();
    if (live.length && !document.querySelector(".reveal")) {
      const first = document.querySelector(".mlnotes-exercise-progress, [data-live-cell]");
      progressTools(first);
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
  window.mlnotesLive = { runtime, canRun, exportProgress };
})();
