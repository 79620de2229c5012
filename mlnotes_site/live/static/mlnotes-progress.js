// The book's front page: beside each page in the contents, how many of its checked
// exercises this browser has solved (mlnotes-live.js records them; nothing leaves
// the browser).
(function () {
  "use strict";
  // the key of the solved exercises in local storage, named by the build (live/__init__.py)
  const STORE = document.currentScript.dataset.store;
  function init() {
    const data = document.getElementById("mlnotes-exercise-pages");
    if (!data) return;
    const pages = JSON.parse(data.textContent);
    let solved;
    try { solved = new Set(JSON.parse(localStorage.getItem(STORE) || "[]")); }
    catch (e) { solved = new Set(); }
    for (const [page, ids] of Object.entries(pages)) {
      const done = ids.filter((id) => solved.has(id)).length;
      const links = document.querySelectorAll(
        `.bd-article a[href="${page}.html"], .bd-article a[href^="${page}.html#"]`);
      const link = [...links].find((a) => !a.closest(".mlnotes-exercise-count"));
      if (!link) continue;
      const badge = document.createElement("span");
      badge.className = "mlnotes-exercise-count" + (done === ids.length ? " all" : "");
      badge.textContent = ` ${done}/${ids.length} exercises solved`;
      link.after(badge);
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
