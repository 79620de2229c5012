// The lecture's ink outlives the lecture: undo and redo of strokes, the ink saved to a
// file and loaded back (by slide id, so an older build's ink finds its slides), a warning
// before unsaved ink is left behind, and the ink printed on the slides in the print view.
//
// It wraps reveal.js-plugins' chalkboard without changing it. The plugin keeps every
// drawing in one array per mode (0: ink on the slide, 1: the blank board), each entry
// {slide: {h, v, f}, page, events, duration}; it replays an entry's events when its slide
// and fragment step are shown. Its own "init" message (the one it sends to other windows
// when it is reset) replaces that array, and a window resize replays the current slide:
// this script hands the plugin an array it keeps a reference to, edits it in place, and
// asks for the replay. Nothing here requests anything from a network.
(function () {
  "use strict";
  var PRINT = /print-pdf/i.test(location.search);
  var NAME = decodeURIComponent(location.pathname.split("/").pop() || "index.html")
    .replace(/\.html$/, "");
  var SESSION_KEY = "mlnotes-chalkboard:" + NAME;  // the plugin's (sphinxext/deck.py)
  var SAVED_KEY = "mlnotes-ink-saved:" + NAME;     // the ink as last saved or loaded
  var FORMAT = "mlnotes-ink";
  var INK_TYPES = { draw: true, erase: true, clear: true };
  // the plugin's default pens (reveal.js-plugins' chalkboard 4.6.0, "boardmarkers"):
  // the print view draws a slide's ink with the colour index each segment recorded
  var PENS = ["rgba(100,100,100,1)", "rgba(30,144,255,1)", "rgba(220,20,60,1)",
    "rgba(50,205,50,1)", "rgba(255,140,0,1)", "rgba(150,0,20150,1)", "rgba(255,220,0,1)"];

  var storage = null;   // the plugin's drawings, by reference once adopted
  var redo = {};        // per mode and slide step: the strokes undone, newest last
  var api = { lastLoad: null, printed: false };
  window.mlnotesInk = api;

  function chalkConfig() { return (Reveal.getConfig().chalkboard) || {}; }
  function deckInfo() {
    var info = Reveal.getConfig().mlnotesInk || {};
    return { deck: info.deck || NAME, build: info.build || "" };
  }
  function emptyStorage() {
    var c = Reveal.getConfig();
    return [{ width: c.width, height: c.height, data: [] },
            { width: c.width, height: c.height, data: [] }];
  }

  // ---------------------------------------------------------------- the plugin's array
  function install(next) {
    storage = next;
    var message = new CustomEvent("received");
    message.content = { sender: "chalkboard-plugin", type: "init", timestamp: 0,
                        storage: next, mode: 0, board: 0 };
    // the plugin logs every message it receives, all the drawings in it: not this one
    var log = console.log;
    console.log = function () {};
    try { document.dispatchEvent(message); } finally { console.log = log; }
    RevealChalkboard.updateStorage();
  }
  // the plugin replaces its array when the lecturer resets every drawing (Backspace)
  document.addEventListener("broadcast", function (message) {
    var c = message.content;
    if (c && c.sender === "chalkboard-plugin" && c.type === "init") storage = c.storage;
  });
  function replay() {
    window.dispatchEvent(new Event("resize"));  // the plugin redraws the current step
    RevealChalkboard.updateStorage();           // and the tab keeps it over a reload
  }
  function boardOpen() {
    var board = document.getElementById("chalkboard");
    return !!board && board.style.visibility === "visible";
  }
  function currentEntry(mode) {
    var at = Reveal.getIndices();
    var data = storage[mode].data;
    for (var i = 0; i < data.length; i++) {
      var s = data[i].slide;
      if (s.h === at.h && s.v === at.v && s.f === at.f) return data[i];
    }
    return null;
  }
  function stepKey(mode) {
    var at = Reveal.getIndices();
    return [mode, at.h, at.v, at.f].join("/");
  }

  // ---------------------------------------------------------------- undo and redo
  // A stroke is what one drag recorded: draw segments that join end to start in one
  // colour, or a run of erase points, or a clear. Opening and closing the board are
  // not strokes and stay.
  function lastStroke(events) {
    var end = events.length;
    while (end > 0 && !INK_TYPES[events[end - 1].type]) end--;
    if (end === 0) return null;
    var last = events[end - 1];
    var start = end - 1;
    if (last.type === "draw") {
      while (start > 0) {
        var before = events[start - 1], at = events[start];
        if (before.type !== "draw" || before.x2 !== at.x1 || before.y2 !== at.y1 ||
            before.color !== at.color) break;
        start--;
      }
    } else if (last.type === "erase") {
      while (start > 0 && events[start - 1].type === "erase") start--;
    }
    return { start: start, end: end };
  }
  function undo() {
    if (!storage) return false;
    var mode = boardOpen() ? 1 : 0;
    var entry = currentEntry(mode);
    var stroke = entry && lastStroke(entry.events);
    if (!stroke) return false;
    var removed = entry.events.splice(stroke.start, stroke.end - stroke.start);
    var key = stepKey(mode);
    (redo[key] = redo[key] || []).push({ at: stroke.start, events: removed,
                                         left: entry.events.length });
    replay();
    return true;
  }
  function redoStroke() {
    if (!storage) return false;
    var mode = boardOpen() ? 1 : 0;
    var key = stepKey(mode);
    var entry = currentEntry(mode);
    var stack = redo[key] || [];
    var top = stack[stack.length - 1];
    // a stroke drawn since the undo ends what can be redone
    if (!top || !entry || entry.events.length !== top.left) { delete redo[key]; return false; }
    stack.pop();
    Array.prototype.splice.apply(entry.events, [top.at, 0].concat(top.events));
    replay();
    return true;
  }

  // ---------------------------------------------------------------- save and load
  function slideId(h, v) {
    var slide = Reveal.getSlide(h, v);
    return slide && slide.id ? slide.id : "#" + h + "/" + v;
  }
  // The tab's ink as a file: the deck, its build, and each slide's drawings by its id.
  function exportInk(from) {
    var info = deckInfo();
    var file = { format: FORMAT, version: 1, deck: info.deck, build: info.build,
                 width: from[0].width, height: from[0].height, slides: {} };
    ["slide", "board"].forEach(function (part, mode) {
      from[mode].data.forEach(function (entry) {
        if (!entry.events.some(function (e) { return INK_TYPES[e.type]; })) return;
        var id = slideId(entry.slide.h, entry.slide.v);
        var slide = file.slides[id] = file.slides[id] || { slide: [], board: [] };
        slide[part].push({ f: entry.slide.f === undefined ? null : entry.slide.f,
                           duration: entry.duration, events: entry.events });
      });
    });
    return file;
  }
  function current() { return storage || JSON.parse(RevealChalkboard.getData()); }
  function inkText(from) { return JSON.stringify(exportInk(from).slides); }
  function remember(text) {
    try { sessionStorage.setItem(SAVED_KEY, text); } catch (e) { /* refused: asks again */ }
  }
  function unsaved() {
    if (!window.RevealChalkboard || PRINT) return false;
    var now = inkText(current());
    var saved = null;
    try { saved = sessionStorage.getItem(SAVED_KEY); } catch (e) { /* none */ }
    return now !== (saved === null ? inkText(emptyStorage()) : saved);
  }
  function save() {
    var file = exportInk(current());
    file.saved = new Date().toISOString();
    var a = document.createElement("a");
    a.download = file.deck + "-ink.json";
    a.href = URL.createObjectURL(new Blob([JSON.stringify(file)], { type: "application/json" }));
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(function () { URL.revokeObjectURL(a.href); }, 60000);
    remember(JSON.stringify(file.slides));
    say("Ink saved as " + a.download + ": " + Object.keys(file.slides).length +
        " slide(s). Press I in this deck to load it again.");
    return file;
  }
  // Back into the plugin's layout: each slide id found in this deck gets its drawings.
  function importInk(file) {
    if (!file || file.format !== FORMAT || typeof file.slides !== "object") {
      throw new Error("not an ink file of these decks (format " + FORMAT + ")");
    }
    var next = emptyStorage();
    if (file.width && file.height) {
      next[0].width = next[1].width = file.width;
      next[0].height = next[1].height = file.height;
    }
    var restored = [], missing = [];
    Object.keys(file.slides).forEach(function (id) {
      var el = id.charAt(0) === "#" ? null : document.getElementById(id);
      if (!el || !el.closest(".reveal .slides")) { missing.push(id); return; }
      var at = Reveal.getIndices(el);
      ["slide", "board"].forEach(function (part, mode) {
        (file.slides[id][part] || []).forEach(function (entry) {
          var slide = { h: at.h, v: at.v || 0 };
          if (entry.f !== null && entry.f !== undefined) slide.f = entry.f;
          next[mode].data.push({ slide: slide, duration: entry.duration || 0,
                                 page: Number(el.getAttribute("data-pdf-page-number")) || 0,
                                 events: entry.events });
        });
      });
      restored.push(id);
    });
    return { storage: next, restored: restored, missing: missing };
  }
  function load(text) {
    var file = typeof text === "string" ? JSON.parse(text) : text;
    var info = deckInfo();
    if (file && file.deck && file.deck !== info.deck) {
      say("This ink was drawn on the deck " + file.deck + ", not on " + info.deck +
          ": open that deck to load it.");
      return null;
    }
    var result = importInk(file);
    if (unsaved() && !window.confirm("Replace this deck's unsaved ink with the file's?")) {
      return null;
    }
    redo = {};
    install(result.storage);
    remember(inkText(result.storage));
    api.lastLoad = { deck: file.deck, build: file.build, restored: result.restored,
                     missing: result.missing };
    var words = "Ink loaded: " + result.restored.length + " slide(s)";
    if (file.build && file.build !== info.build) {
      words += ", drawn on build " + file.build + " (this is " + (info.build || "?") + ")";
    }
    if (result.missing.length) {
      words += ". No longer in this deck: " + result.missing.join(", ");
    }
    say(words + ".");
    return api.lastLoad;
  }
  var picker = null;
  function makePicker() {
    if (!picker) {
      picker = document.createElement("input");
      picker.type = "file";
      picker.accept = ".json,application/json";
      picker.id = "mlnotes-ink-file";
      picker.hidden = true;
      picker.setAttribute("aria-label", "Load ink from a file");
      picker.addEventListener("change", function () {
        var f = picker.files && picker.files[0];
        if (!f) return;
        // FileReader reads a chosen file from file:// as from a server
        var reader = new FileReader();
        reader.onload = function () {
          try { load(String(reader.result)); } catch (e) { say("Cannot load " + f.name + ": " + e.message); }
          picker.value = "";
        };
        reader.readAsText(f);
      });
      document.body.appendChild(picker);
    }
    return picker;
  }
  function choose() { makePicker().click(); }
  var sayTimer = null;
  function say(words) {
    var box = document.getElementById("mlnotes-ink-status");
    if (!box) {
      box = document.createElement("div");
      box.id = "mlnotes-ink-status";
      box.setAttribute("role", "status");
      document.body.appendChild(box);
    }
    box.textContent = words;
    box.hidden = false;
    clearTimeout(sayTimer);
    sayTimer = setTimeout(function () { box.hidden = true; }, 12000);
  }

  // ---------------------------------------------------------------- presenting
  // While the lecturer draws on a slide, the plugin's canvas lies over the whole slide and
  // takes every press. A press on a live cell's button (Run, Stop, Reset, Check) goes to
  // the button instead of starting a stroke, so the lecturer runs a cell without leaving
  // the pen: listened for before the plugin's own listeners (capture, on the window).
  function controlUnder(e) {
    var point = e.touches ? e.touches[0] : e;
    if (!point || !e.target || e.target.tagName !== "CANVAS") return null;
    var found = document.elementsFromPoint(point.clientX, point.clientY);
    for (var i = 0; i < found.length; i++) {
      var button = found[i].closest && found[i].closest("[data-live-cell] button");
      if (button && !button.disabled) return button;
    }
    return null;
  }
  function passControlsThrough() {
    var pressed = 0;  // when a press last clicked a button: its mouse/touch events follow
    ["pointerdown", "mousedown", "touchstart"].forEach(function (type) {
      window.addEventListener(type, function (e) {
        var button = controlUnder(e);
        if (!button) return;
        e.stopPropagation();
        e.preventDefault();
        if (type === "pointerdown" || Date.now() - pressed > 500) button.click();
        if (type === "pointerdown") pressed = Date.now();
      }, { capture: true, passive: false });
    });
  }

  function startPresenting() {
    // hand the plugin an array this script holds (what the tab kept, cleaned)
    install(JSON.parse(RevealChalkboard.getData()));
    makePicker();
    Reveal.addKeyBinding({ keyCode: 85, key: "U", description: "Undo the last stroke (Ctrl+Z)" },
                         undo);
    Reveal.addKeyBinding({ keyCode: 82, key: "R", description: "Redo a stroke (Ctrl+Shift+Z)" },
                         redoStroke);
    Reveal.addKeyBinding({ keyCode: 68, key: "D", description: "Save the ink to a file" }, save);
    Reveal.addKeyBinding({ keyCode: 73, key: "I", description: "Load ink from a file" }, choose);
    document.addEventListener("keydown", function (e) {
      if (!(e.ctrlKey || e.metaKey) || e.altKey) return;
      var k = e.key.toLowerCase();
      if (k === "z" && !e.shiftKey) undo();
      else if ((k === "z" && e.shiftKey) || k === "y") redoStroke();
      else return;
      e.preventDefault();
    }, true);
    window.addEventListener("beforeunload", function (e) {
      if (unsaved()) { e.preventDefault(); e.returnValue = ""; }
    });
    passControlsThrough();
    api.undo = undo;
    api.redo = redoStroke;
    api.save = save;
    api.load = load;
    api.unsaved = unsaved;
    api.storage = function () { return storage; };
  }

  // ---------------------------------------------------------------- the print view
  // Each slide's ink (mode 0, every fragment step in order) drawn on a canvas over its
  // page. The ink comes from a file given by tools/handouts.py (window.mlnotesInkFile)
  // or from this tab; the switch at the top of the page shows it, off by default.
  // The slides by their place, read before the print view moves every slide into a page
  // of its own (after which reveal.js's indices no longer find them).
  var sectionAt = {};
  function mapSections() {
    document.querySelectorAll(".reveal .slides > section").forEach(function (top, h) {
      var inner = top.querySelectorAll(":scope > section");
      if (!inner.length) sectionAt[h + "/0"] = top;
      inner.forEach(function (section, v) { sectionAt[h + "/" + v] = section; });
    });
  }
  // [{section, entry}] of the slides' ink (not the board's), and its drawing size
  function printInk() {
    var found = [], size = { width: Reveal.getConfig().width, height: Reveal.getConfig().height };
    var file = window.mlnotesInkFile;
    if (file) {
      if (file.width && file.height) size = { width: file.width, height: file.height };
      Object.keys(file.slides || {}).forEach(function (id) {
        var section = document.getElementById(id);
        if (!section) return;
        (file.slides[id].slide || []).forEach(function (entry) {
          found.push({ section: section, f: entry.f === null ? undefined : entry.f,
                       events: entry.events });
        });
      });
      return { found: found, size: size };
    }
    var kept = null;
    try { kept = JSON.parse(sessionStorage.getItem(SESSION_KEY)); } catch (e) { /* none */ }
    if (kept && kept[0] && kept[0].data) {
      size = { width: kept[0].width, height: kept[0].height };
      kept[0].data.forEach(function (entry) {
        var section = sectionAt[entry.slide.h + "/" + (entry.slide.v || 0)];
        if (section) found.push({ section: section, f: entry.slide.f, events: entry.events });
      });
    }
    return { found: found, size: size };
  }
  function drawPage(page, entries, from) {
    var canvas = document.createElement("canvas");
    canvas.className = "mlnotes-ink-print";
    canvas.width = page.clientWidth;
    canvas.height = page.clientHeight;
    var scale = Math.min(canvas.width / from.width, canvas.height / from.height);
    var dx = (canvas.width - from.width * scale) / 2;
    var dy = (canvas.height - from.height * scale) / 2;
    var ctx = canvas.getContext("2d");
    var config = chalkConfig();
    var width = config.boardmarkerWidth || config.penWidth || 3;
    var pens = (config.boardmarkers || []).map(function (p) { return p.color; });
    var radius = (config.eraser && config.eraser.radius) || 20;
    entries.sort(function (a, b) { return (a.f === undefined ? -1 : a.f) -
                                          (b.f === undefined ? -1 : b.f); });
    entries.forEach(function (entry) {
      entry.events.forEach(function (e) {
        if (e.type === "draw") {
          ctx.lineWidth = width;
          ctx.lineCap = "round";
          ctx.strokeStyle = (pens.length ? pens : PENS)[e.color || 0];
          ctx.beginPath();
          ctx.moveTo(dx + e.x1 * scale, dy + e.y1 * scale);
          ctx.lineTo(dx + e.x2 * scale, dy + e.y2 * scale);
          ctx.stroke();
        } else if (e.type === "erase") {  // the plugin's sponge: a disc right of and below
          ctx.save();
          ctx.beginPath();
          ctx.arc(dx + e.x * scale + radius, dy + e.y * scale + radius, radius, 0, 2 * Math.PI);
          ctx.clip();
          ctx.clearRect(0, 0, canvas.width, canvas.height);
          ctx.restore();
        } else if (e.type === "clear") {
          ctx.clearRect(0, 0, canvas.width, canvas.height);
        }
      });
    });
    page.appendChild(canvas);
  }
  function preparePrint() {
    var ink = printInk();
    var bySlide = new Map();
    ink.found.forEach(function (item) {
      if (!item.events.some(function (e) { return INK_TYPES[e.type]; })) return;
      var page = item.section.closest(".pdf-page");
      if (!page) return;
      if (!bySlide.has(page)) bySlide.set(page, []);
      bySlide.get(page).push(item);
    });
    bySlide.forEach(function (entries, page) { drawPage(page, entries, ink.size); });

    var on = !!window.mlnotesInkFile || /[?&]ink(=1|=on|&|$)/.test(location.search);
    var label = document.createElement("label");
    label.id = "mlnotes-ink-switch";
    var box = document.createElement("input");
    box.type = "checkbox";
    box.checked = on;
    label.appendChild(box);
    label.appendChild(document.createTextNode(" Print the lecture's ink (" + bySlide.size +
      " slide" + (bySlide.size === 1 ? "" : "s") + ")"));
    function show() { document.documentElement.classList.toggle("mlnotes-ink-on", box.checked); }
    box.addEventListener("change", show);
    show();
    document.body.appendChild(label);
    api.printed = true;
    api.printedSlides = bySlide.size;
    api.setPrintInk = function (value) { box.checked = !!value; show(); };
  }

  document.addEventListener("DOMContentLoaded", function () {
    if (!window.Reveal || !window.RevealChalkboard) return;
    if (PRINT) mapSections();
    function start() {
      if (PRINT) {
        if (document.querySelector(".reveal .slides .pdf-page")) preparePrint();
        else Reveal.on("pdf-ready", preparePrint);
      } else {
        setTimeout(startPresenting, 0);  // after the plugin's own "ready"
      }
    }
    if (Reveal.isReady()) start();
    else Reveal.on("ready", start);
  });
})();
