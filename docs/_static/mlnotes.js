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
  // So do inline formulas wider than the whole line (mlnotes.css lets them scroll in
  // their box where the theme cut them off).
  function focusWideMath() {
    var formulas = 'mjx-container[display="true"], .bd-article span.math';
    document.querySelectorAll(formulas).forEach(function (m) {
      // the formula's own box against the room it has, not the scrolled width: the
      // ink of an accent or an italic letter may stand a pixel past the box
      var math = m.querySelector("mjx-math");
      var width = math ? math.getBoundingClientRect().width : m.scrollWidth;
      var wide = width > m.clientWidth + 1;
      // a display formula's box shows a cue that it scrolls (mlnotes.css): a shadow at
      // the hidden edge and a line under it
      if (m.parentElement && m.tagName === "MJX-CONTAINER") {
        m.parentElement.toggleAttribute("data-mlnotes-wide", wide);
      }
      if (wide && !m.hasAttribute("tabindex")) {
        m.setAttribute("tabindex", "0");
        m.setAttribute("data-mlnotes-wide", "");
      } else if (!wide && m.hasAttribute("data-mlnotes-wide")) {
        m.removeAttribute("tabindex");
        m.removeAttribute("data-mlnotes-wide");
      }
    });
  }

  // ------------------------------------------------------------- the sidebars
  // Upstream bug worked around here: pydata-sphinx-theme (its sidebar dialogs) and
  // sphinx-book-theme (its desktop collapse, and the blur that dismisses a tooltip)
  // bind their click listeners to document.querySelector(".primary-toggle") and
  // ".secondary-toggle": the *first* such button, which is the theme's own navbar
  // button, hidden on every screen of this site. The visible ☰ and "On this page"
  // buttons of the article header therefore did nothing, on a phone or a desktop
  // (pydata-sphinx-theme #2451, sphinx-book-theme #988). Checked with
  // pydata-sphinx-theme 0.20.0 and sphinx-book-theme 1.4.0.
  //
  // One listener, on the window in the capture phase, so it runs before either
  // theme's: a click on any visible toggle opens its sidebar as a dialog (narrow
  // screens) or collapses and expands the primary sidebar (wide screens), and no
  // theme handler runs after it, so a fixed upstream cannot act twice.
  // tests/site/test_screens.py taps and clicks them; an upgrade that breaks this fails it.
  var WIDE = "(min-width: 992px)";

  // The dialogs show the sidebar's own nodes, moved in while open and back after.
  function moveChildren(from, to) {
    Array.from(from.childNodes).forEach(function (node) { to.appendChild(node); });
    Array.from(from.classList).forEach(function (cls) {
      from.classList.remove(cls);
      to.classList.add(cls);
    });
  }

  function openSidebarDialog(sidebar, dialog, toggle) {
    if (dialog.open) return;
    moveChildren(sidebar, dialog);
    dialog.addEventListener("close", function () {
      // (the theme moves them back too when it has bound the dialog: whichever runs
      // first does it, the other finds the dialog empty)
      if (dialog.childNodes.length) moveChildren(dialog, sidebar);
      toggle.focus({ preventScroll: true });
      toggle.blur();
    }, { once: true });
    if (!dialog.dataset.mlnotesBound) {
      dialog.dataset.mlnotesBound = "1";
      // a tap on the backdrop (outside the dialog's box) closes it
      dialog.addEventListener("click", function (event) {
        if (event.target !== dialog) return;
        var r = dialog.getBoundingClientRect();
        var inside = event.clientX >= r.left && event.clientX <= r.right &&
          event.clientY >= r.top && event.clientY <= r.bottom;
        if (!inside) dialog.close();
      });
    }
    dialog.showModal();
  }

  function onToggle(event) {
    var toggle = event.target.closest && event.target.closest(".primary-toggle, .secondary-toggle");
    if (!toggle) return;
    var primary = toggle.classList.contains("primary-toggle");
    var sidebar = document.getElementById(primary ? "pst-primary-sidebar" : "pst-secondary-sidebar");
    var dialog = document.getElementById(
      primary ? "pst-primary-sidebar-modal" : "pst-secondary-sidebar-modal");
    if (!sidebar || !dialog) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    toggle.blur();  // no tooltip stays behind on the button
    hideTooltips();
    if (primary && window.matchMedia(WIDE).matches) {
      sidebar.classList.toggle("pst-sidebar-hidden");
      toggle.setAttribute("aria-expanded",
        String(!sidebar.classList.contains("pst-sidebar-hidden")));
    } else {
      openSidebarDialog(sidebar, dialog, toggle);
    }
  }
  window.addEventListener("click", onToggle, true);

  // Bootstrap's tooltips on the header's icons (download, theme, search, the
  // toggles) appear on focus and hover; on a touch screen a tapped button keeps its
  // focus, so the tooltip stayed and covered (and swallowed taps on) its neighbours.
  // The stylesheet lets taps pass through every tooltip and hides them on touch
  // screens; a tap anywhere also dismisses any that is showing.
  function hideTooltips() {
    document.querySelectorAll(".tooltip").forEach(function (tip) { tip.remove(); });
  }
  window.addEventListener("pointerdown", function (event) {
    if (event.pointerType !== "mouse") hideTooltips();
  }, true);

  // The phone's header shows no logo or title (the sidebar with them is off-screen):
  // a link home, by the ☰, names the site and leads to its first page.
  function homeLink() {
    var toggle = Array.from(document.querySelectorAll(".bd-header-article .primary-toggle"))[0];
    var brand = document.querySelector(".navbar-brand");
    if (!toggle || !brand || document.querySelector(".mlnotes-home")) return;
    var home = document.createElement("a");
    home.className = "mlnotes-home";
    home.href = brand.getAttribute("href");
    home.textContent = brand.textContent.trim() || document.title;
    toggle.after(home);
  }

  // ----------------------------------------------------------------- search
  // Sphinx's search (searchtools.js, loaded after this script on the search page)
  // takes its scoring from a global Scorer when one exists. Its defaults rank the
  // API's objects named "softmax" above the page about softmax, whose title is too
  // long to count as a title match; a reader searching a concept wants its page
  // first. So the defaults are kept and a page whose title holds every word of the
  // query is lifted above the rest, most of all one whose title begins with it (the
  // softmax page before "Gates, softmax gating and attention"; checked in
  // tests/site/test_screens.py).
  var QUERY = (new URLSearchParams(location.search).get("q") || "").toLowerCase();
  window.Scorer = {
    objNameMatch: 11, objPartialMatch: 6,
    objPrio: { 0: 15, 1: 5, 2: -5 }, objPrioDefault: 0,
    title: 15, partialTitle: 7, term: 5, partialTerm: 2,
    score: function (result) {
      var title = String(result[1] || "").split(" > ")[0].toLowerCase();
      var words = QUERY.split(/\s+/).filter(Boolean);
      var page = result[6] === "title" || result[6] === "text";
      var named = words.length && words.every(function (w) { return title.indexOf(w) >= 0; });
      if (!page || !named || result[2]) return result[4];
      return result[4] + 60 + (title.indexOf(QUERY.trim()) === 0 ? 40 : 0);
    },
  };

  // The snippets under each result are cut from the page's main region, which with
  // this theme also holds its header buttons ("System Settings Light Dark") and the
  // formulas' TeX source: those are taken out before the text is cut.
  function cleanSearchText() {
    if (typeof Search === "undefined" || !Search.htmlToText) return;
    var toText = Search.htmlToText;
    Search.htmlToText = function (htmlString, anchor) {
      var doc = new DOMParser().parseFromString(htmlString, "text/html");
      doc.querySelectorAll(".bd-header-article, .d-print-none, .prev-next-area, " +
        ".mlnotes-live-source, .bd-sidebar-secondary").forEach(function (el) { el.remove(); });
      doc.querySelectorAll(".math").forEach(function (m) { m.replaceWith("(formula)"); });
      return toText(doc.documentElement.outerHTML, anchor);
    };
  }

  document.addEventListener("DOMContentLoaded", function () {
    nameToggles();
    homeLink();
    cleanSearchText();
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
