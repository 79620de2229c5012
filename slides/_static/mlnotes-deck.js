// Notebook cells tagged "fragment" appear one step at a time, like any other
// reveal.js fragment: a lecturer can show the code first, then run it.
document.addEventListener("DOMContentLoaded", function () {
  document.querySelectorAll(".cell.tag_fragment").forEach(function (cell) {
    cell.classList.add("fragment");
  });
  if (window.Reveal && Reveal.isReady && Reveal.isReady()) {
    Reveal.sync();
  }
});

// Accessibility (checked by axe-core in tests/site/test_a11y.py).
(function () {
  "use strict";
  // reveal.js's page template forbids pinch zoom (maximum-scale=1, user-scalable=no);
  // readers with low vision must be able to zoom to 200% (WCAG 1.4.4).
  // (This script runs in the head, before the template's meta tag is parsed.)
  document.addEventListener("DOMContentLoaded", function () {
    // (Sphinx's basic layout writes one viewport tag and reveal.js's template another.)
    document.querySelectorAll('meta[name="viewport"]').forEach(function (viewport) {
      viewport.setAttribute("content", "width=device-width, initial-scale=1.0");
    });
  });

  // Readers who ask their system for less motion get no slide or fragment animation
  // (the stylesheet removes the fragments' fades).
  var still = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)");
  function calm() {
    if (still && still.matches && window.Reveal && Reveal.configure) {
      Reveal.configure({ transition: "none", backgroundTransition: "none" });
    }
  }
  if (window.Reveal && Reveal.on) Reveal.on("ready", calm);
  else document.addEventListener("DOMContentLoaded", function () {
    if (window.Reveal && Reveal.on) Reveal.on("ready", calm);
  });
})();

// The chalkboard reads its drawings from session storage when the deck loads, and
// before anything was drawn in this tab it parses nothing and logs "Cannot initialise
// storage!" on every load. An empty board for each of its two modes (ink on the slide,
// the whiteboard) is put there first, under the key sphinxext/deck.py gives this deck
// ("mlnotes-chalkboard:" and the deck's name). This script runs before the plugin.
(function () {
  "use strict";
  var name = decodeURIComponent(location.pathname.split("/").pop() || "index.html")
    .replace(/\.html$/, "");
  var key = "mlnotes-chalkboard:" + name;
  try {
    if (window.sessionStorage && sessionStorage.getItem(key) === null) {
      var empty = { width: 1280, height: 800, data: [] };  // conf.py's slide size
      sessionStorage.setItem(key, JSON.stringify([empty, empty]));
    }
  } catch (e) { /* storage refused (file:// in some browsers): the plugin copes */ }
})();
