// mlnotes book: small accessibility repairs to what the theme and MathJax render.
// Each is checked by axe-core over every page (tests/site/test_a11y.py).
(function () {
  "use strict";

  // The sidebar's expand/collapse toggles are <summary> elements holding only an
  // icon: give each a name that says which section it opens (WCAG 4.1.2).
  function nameToggles() {
    document.querySelectorAll("summary").forEach(function (summary) {
      if (summary.textContent.trim() || summary.hasAttribute("aria-label")) return;
      var link = summary.parentElement && summary.parentElement.parentElement
        ? summary.parentElement.parentElement.querySelector(":scope > a") : null;
      var title = link ? link.textContent.trim() : "this section";
      summary.setAttribute("aria-label", "Pages under " + title);
    });
  }

  // Display formulas wider than the text column scroll sideways; a keyboard user
  // must be able to reach them to scroll (WCAG 2.1.1): those that overflow become
  // focusable, and are named as formulas.
  function focusWideMath() {
    document.querySelectorAll('mjx-container[display="true"]').forEach(function (m) {
      var wide = m.scrollWidth > m.clientWidth + 1;
      if (wide && !m.hasAttribute("tabindex")) {
        m.setAttribute("tabindex", "0");
        m.setAttribute("data-mlnotes-wide", "");
      } else if (!wide && m.hasAttribute("data-mlnotes-wide")) {
        m.removeAttribute("tabindex");
        m.removeAttribute("data-mlnotes-wide");
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    nameToggles();
  });
  // MathJax may load after this script: wait for the page, then for its typesetting.
  window.addEventListener("load", function () {
    if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
      MathJax.startup.promise.then(focusWideMath);
    }
    var timer = null;
    window.addEventListener("resize", function () {
      clearTimeout(timer);
      timer = setTimeout(focusWideMath, 200);
    });
  });
})();
