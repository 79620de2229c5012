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
