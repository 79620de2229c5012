"""Live cells and checked exercises in Chromium, served from the site, network cut off.

For every page and deck with live cells: each cell, run in the browser's Python
(Pyodide, from the site's own files), prints what the build printed; the cells
are run last first, so each runs with only the page's setup before it. Every
checked exercise: Check on the starter code fails with a message; the worked
solution, pasted into the editor, passes and marks the exercise solved, which
the book's front page then counts. An edited cell gives new output, an error
shows its traceback, Stop ends a runaway cell, a deck's editor keeps the keys
from the slides, and a page opened from a file keeps its static output and
says how to go live. A long cell streams its lines while it runs (on a page and
on a slide), Stop ends it part-way keeping them, a figure redrawn while training
replaces its frame; a Check that loops is stopped after 10 s and the next Check
works; an edit survives a reload, Reset forgets it, and progress exported from one
browser is imported into a fresh one. Throughout: no request leaves the site, no
console error.
"""

from __future__ import annotations

import re
import time

import pytest
from sitekit import DECKS, SCREENSHOTS, SITE, parsed, require_site

CELLS = "document.querySelectorAll('[data-live-cell]')"

CELL_STATE = f"""(i) => {{
  const cell = {CELLS}[i];
  const texts = (sel) => [...cell.querySelectorAll(sel)]
    .map((p) => p.textContent.replace(/\\s+$/, '')).join('\\n').trim();
  return {{
    state: cell.getAttribute('data-live-state'),
    status: cell.querySelector('.mlnotes-live-status').textContent,
    built: texts('.cell_output pre'),  // text outputs (book and decks mark them up apart)
    live: texts('.mlnotes-live-output pre.mlnotes-live-text, '
                + '.mlnotes-live-output pre.mlnotes-live-value'),
    error: texts('.mlnotes-live-output pre.mlnotes-live-error'),
    images: cell.querySelectorAll('.mlnotes-live-output img').length,
  }};
}}"""


def _pages_with_live_cells() -> list[str]:
    require_site()  # fails without a built site: an empty list would skip the tests
    pages = sorted([*SITE.glob("*.html"), *DECKS.glob("*.html")])
    return [p.relative_to(SITE).as_posix() for p in pages
            if parsed(p).select_one(".mlnotes-live-source")]


LIVE_PAGES = _pages_with_live_cells()


def press(page, index: int, button: str = "Run", timeout: float = 180_000) -> dict:
    """Press a live cell's Run (or Check) button and wait for the verdict."""
    page.evaluate(
        f"""([i, name]) => {{
          const cell = {CELLS}[i];
          cell.removeAttribute('data-live-state');
          [...cell.parentElement.querySelectorAll('button')]
            .find((b) => b.textContent === name && cell.contains(b)
                         || b.textContent === name && b.closest('[data-exercise]')
                            && b.closest('[data-exercise]').contains(cell)).click();
        }}""",
        [index, button],
    )
    page.wait_for_function(f"(i) => {CELLS}[i].hasAttribute('data-live-state')",
                           arg=index, timeout=timeout)
    return page.evaluate(CELL_STATE, index)


def set_code(page, index: int, code: str) -> None:
    """Replace a cell's code as a reader would: select all in the editor, type over it."""
    editor = page.locator("[data-live-cell]").nth(index).locator(".cm-content")
    editor.scroll_into_view_if_needed()
    editor.click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text(code)


def open_deck_slide(page, index: int) -> None:
    page.wait_for_function("window.Reveal && Reveal.isReady()", timeout=15_000)
    page.evaluate(f"""(i) => {{
      const section = {CELLS}[i].closest('section');
      const at = Reveal.getIndices(section);
      Reveal.slide(at.h, at.v || 0);
    }}""", index)
    page.wait_for_timeout(300)


CHAOTIC = (f"(i) => {{ const c = {CELLS}[i]; "
           "return (c.closest('.cell') || c).classList.contains('tag_live-chaotic'); }")


def _skeleton(text: str) -> str:
    """The printed text with every number replaced by #: its lines and words."""
    return re.sub(r"-?\d+(?:\.\d+)?(?:e[-+]?\d+)?", "#", text)


@pytest.mark.parametrize("path", LIVE_PAGES)
def test_live_cells_print_what_the_build_printed(visit, path):
    v = visit(path)
    count = v.page.locator("[data-live-cell]").count()
    assert count >= 1
    timings = []
    for i in reversed(range(count)):  # last first: each needs only the page's setup
        t0 = time.perf_counter()
        out = press(v.page, i)
        timings.append(time.perf_counter() - t0)
        assert out["state"] == "done", f"cell {i}: {out['status']}\n{out['error']}"
        if v.page.evaluate(CHAOTIC, i):
            # a chaotic training run (tagged live-chaotic on its page): the browser's libm
            # rounds exp and tanh in other last bits, and the run amplifies them; the same
            # lines must come out, numbers aside
            assert _skeleton(out["live"]) == _skeleton(out["built"]), (
                f"cell {i} printed in the browser:\n{out['live']}\nbut at build time:\n"
                f"{out['built']}")
            continue
        assert out["live"] == out["built"], (
            f"cell {i} printed in the browser:\n{out['live']}\nbut at build time:\n"
            f"{out['built']}")
    print(f"{path}: {count} live cells; first Run (cold) {timings[0]:.1f} s, "
          f"later runs {min(timings[1:], default=0):.2f}-{max(timings[1:], default=0):.2f} s")
    v.assert_clean()


def test_edited_cell_gives_new_output_error_shows_traceback_reset_restores(visit):
    v = visit("softmax.html")
    original = press(v.page, 0)
    assert original["state"] == "done"
    set_code(v.page, 0, "print(A.softmax(np.array([0.0, 3.0])))")
    edited = press(v.page, 0)
    assert edited["state"] == "done"
    assert edited["live"] == "[0.0474 0.9526]" != original["live"]
    set_code(v.page, 0, "x = 1\nx / 0")
    failed = press(v.page, 0)
    assert failed["state"] == "error"
    assert "Traceback" in failed["error"] and "ZeroDivisionError" in failed["error"]
    assert 'File "<cell>", line 2' in failed["error"]
    cell = v.page.locator("[data-live-cell]").nth(0)
    cell.get_by_role("button", name="Reset").click()
    assert cell.locator(".cm-content").inner_text().startswith("gaps = [0.0, 1.0")
    assert cell.locator(".cell_output").is_visible()
    v.assert_clean()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    set_code(v.page, 0, "print(A.softmax(np.array([0.0, 3.0]), beta=0.5))")
    press(v.page, 0)
    cell.scroll_into_view_if_needed()
    v.page.screenshot(path=str(SCREENSHOTS / "live-cell-edited.png"))


def test_stop_ends_a_runaway_cell_and_python_restarts(visit):
    v = visit("softmax.html")
    assert press(v.page, 0)["state"] == "done"
    set_code(v.page, 0, "1 / 0")
    assert "ZeroDivisionError" in press(v.page, 0)["error"]  # an earlier run's traceback
    set_code(v.page, 0, "while True:\n    pass")
    cell = v.page.locator("[data-live-cell]").nth(0)
    cell.get_by_role("button", name="Run").click()
    stop = cell.get_by_role("button", name="Stop")  # the Run button, while it runs
    stop.wait_for(state="visible")
    assert cell.get_by_role("button", name="Run").count() == 0
    v.page.wait_for_timeout(1500)
    stop.click()
    v.page.wait_for_function(f"{CELLS}[0].getAttribute('data-live-state') === 'stopped'")
    assert cell.locator(".mlnotes-live-status").inner_text() == (
        "Stopped; Python restarted: run the cells above again if this one needs them.")
    # nothing of the earlier run stays on screen: its traceback would read as this one's
    assert v.page.evaluate(CELL_STATE, 0)["error"] == ""
    assert not cell.locator(".mlnotes-live-output").is_visible()
    cell.get_by_role("button", name="Reset").click()
    again = press(v.page, 0)  # a fresh Python, the setup rerun
    assert again["state"] == "done" and again["live"] == again["built"]
    v.assert_clean()


# a loop that prints a line every `pause` seconds (busy-waits: no sleep in the browser)
SLOW_LOOP = """import time
for i in range({n}):
    print('line', i)
    t = time.time()
    while time.time() - t < {pause}:
        pass
print('finished')"""


def _live_text(page, index: int) -> str:
    return page.evaluate(f"(i) => [...{CELLS}[i].querySelectorAll("
                         "'.mlnotes-live-output pre.mlnotes-live-text')]"
                         ".map((p) => p.textContent).join('')", index)


def test_printed_lines_stream_while_the_cell_runs_and_stop_keeps_them(visit):
    v = visit("softmax.html")
    page = v.page
    cell = page.locator("[data-live-cell]").nth(0)
    # the whole output, streamed and then final, is what the cell printed, in order
    set_code(page, 0, SLOW_LOOP.format(n=4, pause=0.4))
    page.keyboard.press("Shift+Enter")
    page.wait_for_function(f"{CELLS}[0].textContent.includes('line 1')", timeout=180_000)
    # seen while it runs: the lines so far, not yet the last one, and Stop offered
    running = page.evaluate(CELL_STATE, 0)
    assert running["state"] is None and cell.get_attribute("data-running") is not None
    assert "finished" not in _live_text(page, 0) and "line 0\nline 1\n" in _live_text(page, 0)
    page.wait_for_function(f"{CELLS}[0].getAttribute('data-live-state') === 'done'")
    assert _live_text(page, 0) == "".join(f"line {i}\n" for i in range(4)) + "finished\n"

    # Stop from the keyboard: Esc leaves the editor for the Run button, now Stop
    set_code(page, 0, SLOW_LOOP.format(n=1000, pause=0.2))
    page.keyboard.press("Shift+Enter")
    # the previous run's output (which also holds 'line 3') stays until this run starts:
    # wait for this run's own lines, the old 'finished' gone, before pressing Stop
    page.wait_for_function(
        f"(() => {{ const t = [...{CELLS}[0].querySelectorAll("
        "'.mlnotes-live-output pre.mlnotes-live-text')].map((p) => p.textContent).join('');"
        " return t.includes('line 3') && !t.includes('finished'); })()", timeout=60_000)
    page.keyboard.press("Escape")
    assert page.evaluate("document.activeElement.textContent") == "Stop"
    page.keyboard.press("Enter")
    page.wait_for_function(f"{CELLS}[0].getAttribute('data-live-state') === 'stopped'")
    status = cell.locator(".mlnotes-live-status").inner_text()
    assert status.startswith("Stopped; Python restarted: run the cells above again"), status
    # what it printed stays, marked as stopped, and nothing runs any more
    printed = _live_text(page, 0)
    assert printed.startswith("line 0\nline 1\nline 2\nline 3\n") and "finished" not in printed
    assert cell.locator(".mlnotes-live-stopped").is_visible()
    page.wait_for_timeout(1000)
    assert _live_text(page, 0) == printed
    assert cell.get_by_role("button", name="Run").is_enabled()
    # Run again works, in the fresh Python (the page's setup rerun), as the build did
    cell.get_by_role("button", name="Reset").click()
    again = press(page, 0)
    assert again["state"] == "done" and again["live"] == again["built"]
    v.assert_clean()


def test_a_loop_of_ten_thousand_prints_arrives_whole(visit):
    v = visit("softmax.html")
    set_code(v.page, 0, "for i in range(10_000):\n    print(i)")
    out = press(v.page, 0)
    assert out["state"] == "done"
    assert _live_text(v.page, 0) == "".join(f"{i}\n" for i in range(10_000))
    v.assert_clean()


REDRAWN = """from mlnotes.plotting import new_figure, redraw
import time
fig, ax = new_figure(width=3, height=2)
fig.alt = "a line growing"
line, = ax.plot([], [])
ax.set_xlim(0, 12); ax.set_ylim(0, 12)
for k in range(12):
    line.set_data(range(k + 1), range(k + 1))
    redraw(fig, key="curve")
    t = time.time()
    while time.time() - t < 0.3:
        pass
print('trained')
fig"""


def test_a_figure_redrawn_while_training_replaces_its_frame(visit):
    v = visit("softmax.html")
    page = v.page
    set_code(page, 0, REDRAWN)
    page.keyboard.press("Shift+Enter")
    frame = f"{CELLS}[0].querySelectorAll('.mlnotes-live-output img[data-frame=\"curve\"]')"
    page.wait_for_function(f"{frame}.length === 1", timeout=180_000)
    seen = set()
    while page.evaluate(f"{CELLS}[0].hasAttribute('data-running')"):
        frames = page.evaluate(f"[...{frame}].map((i) => [i.src, i.alt])")
        assert len(frames) <= 1, "a new frame was added beside the old one"
        if frames:
            assert frames[0][1] == "a line growing"
            seen.add(frames[0][0])
        page.wait_for_timeout(150)
    assert len(seen) >= 3, f"only {len(seen)} frames were seen while the cell ran"
    out = page.evaluate(CELL_STATE, 0)
    assert out["state"] == "done" and out["live"] == "trained" and out["images"] == 1
    v.assert_clean()


def test_a_deck_slide_streams_and_stops_too(visit):
    v = visit("slides/softmax.html")
    open_deck_slide(v.page, 0)
    page = v.page
    cell = page.locator("[data-live-cell]").nth(0)
    where = page.evaluate("Reveal.getIndices()")
    set_code(page, 0, SLOW_LOOP.format(n=1000, pause=0.2))
    page.keyboard.press("Shift+Enter")
    page.wait_for_function(f"{CELLS}[0].textContent.includes('line 2')", timeout=180_000)
    cell.get_by_role("button", name="Stop").click()
    page.wait_for_function(f"{CELLS}[0].getAttribute('data-live-state') === 'stopped'")
    assert _live_text(page, 0).startswith("line 0\nline 1\nline 2\n")
    assert page.evaluate("Reveal.getIndices()") == where
    cell.get_by_role("button", name="Reset").click()
    assert press(page, 0)["state"] == "done"
    v.assert_clean()


def test_a_page_opened_from_a_file_keeps_its_output_and_says_how_to_go_live(visit):
    v = visit("softmax.html", via="file")
    cell = v.page.locator("[data-live-cell]").nth(0)
    cell.get_by_role("button", name="Run").click()
    status = cell.locator(".mlnotes-live-status").inner_text()
    # a reader given only the built folder can serve it: no `make serve` (no Makefile there)
    assert "python3 -m http.server" in status and "make serve" not in status, status
    assert cell.locator(".cell_output").is_visible()
    assert cell.locator(".cm-content").is_visible()  # still editable, to read and copy
    v.assert_clean()


def test_a_deck_opened_from_a_file_starts_and_keeps_its_live_slide_static(visit):
    v = visit("slides/softmax.html", via="file")
    open_deck_slide(v.page, 0)
    cell = v.page.locator("[data-live-cell]").nth(0)
    cell.get_by_role("button", name="Run").click()
    assert "python3 -m http.server" in cell.locator(".mlnotes-live-status").inner_text()
    v.assert_clean()


def test_deck_editor_keeps_the_keys_and_runs_while_presenting(visit):
    v = visit("slides/softmax.html")
    open_deck_slide(v.page, 0)
    page = v.page
    where = page.evaluate("Reveal.getIndices()")
    cell = page.locator("[data-live-cell]").nth(0)
    cell.locator(".cm-content").click()
    for key in ("ArrowRight", "ArrowLeft", "ArrowDown", "Space", "n", "f", "s"):
        page.keyboard.press(key)
    assert page.evaluate("Reveal.getIndices()") == where, "typing in the editor moved the deck"
    assert not page.evaluate("document.fullscreenElement")
    page.keyboard.press("Escape")
    assert page.evaluate("!document.activeElement.closest('.cm-editor')")
    assert not page.evaluate("Reveal.isOverview()")
    cell.locator(".cm-content").click()
    page.keyboard.press("Control+A")
    page.keyboard.insert_text("print('live on a slide')")
    page.keyboard.press("Shift+Enter")
    page.wait_for_function(f"{CELLS}[0].getAttribute('data-live-state') === 'done'",
                           timeout=180_000)
    assert page.evaluate(CELL_STATE, 0)["live"] == "live on a slide"
    page.keyboard.press("Escape")
    page.keyboard.press("ArrowRight")
    page.wait_for_timeout(200)
    assert page.evaluate("Reveal.getIndices()") != where, "the deck lost the keyboard"
    page.keyboard.press("ArrowLeft")
    page.wait_for_timeout(300)
    cell.get_by_role("button", name="Reset").click()
    assert press(page, 0)["state"] == "done"  # the slide's own code, run while presenting
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "deck-live-slide.png"))
    v.assert_clean()


# --------------------------------------------------------------- checked exercises

EXERCISE_PAGES = [p for p in LIVE_PAGES if parsed(SITE / p).select_one("[data-exercise]")]


@pytest.mark.parametrize("path", EXERCISE_PAGES)
def test_exercises_fail_on_the_starter_and_pass_with_the_worked_solution(visit, path):
    v = visit(path)
    page = v.page
    boxes = page.locator("[data-exercise]")
    n = boxes.count()
    assert n >= 1
    for k in range(n):
        box = boxes.nth(k)
        index = page.evaluate(
            f"(k) => [...{CELLS}].indexOf(document.querySelectorAll('[data-exercise]')[k]"
            ".querySelector('[data-live-cell]'))", k)
        if path.startswith("slides/"):
            open_deck_slide(page, index)
        out = press(page, index, "Check")
        verdict = box.locator(".mlnotes-exercise-result").inner_text()
        assert out["state"] == "done", out
        assert box.get_attribute("data-solved") == "false", verdict
        assert "checks passed" in verdict and "✗" in verdict, verdict
        solution = box.locator("details.mlnotes-solution pre").first.text_content()
        set_code(page, index, solution)
        out = press(page, index, "Check")
        verdict = box.locator(".mlnotes-exercise-result").inner_text()
        assert box.get_attribute("data-solved") == "true", verdict
        assert verdict.startswith("All ") and "checks passed" in verdict
        assert box.locator("details.mlnotes-solution").get_attribute("open") is None
    if not path.startswith("slides/"):
        banner = page.locator(".mlnotes-exercise-progress").inner_text()
        assert f"{n} of {n}" in banner, banner
        page.goto(v.page.url.rsplit("/", 1)[0] + "/index.html")
        name = path.removesuffix(".html")
        badge = page.locator(f".bd-article a[href='{name}.html'] + .mlnotes-exercise-count")
        assert badge.first.inner_text().strip() == f"{n}/{n} exercises solved"
    v.assert_clean()


def test_exercise_failed_then_solved_screenshot(visit):
    v = visit("softmax.html")
    page = v.page
    box = page.locator("[data-exercise]").first
    index = page.evaluate(f"[...{CELLS}].indexOf(document.querySelector("
                          "'[data-exercise] [data-live-cell]'))")
    failed = press(page, index, "Check")
    # a failed Check says so: not "Done" beside "2 of 3 checks passed"
    assert "Done" not in failed["status"] and "not solved" in failed["status"], failed["status"]
    box.scroll_into_view_if_needed()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    box.screenshot(path=str(SCREENSHOTS / "exercise-failed.png"))
    solution = box.locator("details.mlnotes-solution pre").first.text_content()
    set_code(page, index, solution)
    solved = press(page, index, "Check")
    assert solved["status"].startswith("All checks passed"), solved["status"]
    box.screenshot(path=str(SCREENSHOTS / "exercise-solved.png"))
    # a solved exercise reloads solved, with the reader's code, not the failing starter
    page.reload()
    page.wait_for_selector("[data-exercise] [data-live-cell] .cm-content")
    box = page.locator("[data-exercise]").first
    assert box.get_attribute("data-solved") == "true"
    shown = box.locator(".cm-content").inner_text()
    assert shown.split() == solution.split(), shown
    v.assert_clean()


def _exercise_index(page) -> int:
    return page.evaluate(f"[...{CELLS}].indexOf(document.querySelector("
                         "'[data-exercise] [data-live-cell]'))")


def test_a_check_that_runs_too_long_is_stopped_and_the_next_check_works(visit):
    v = visit("softmax.html")
    page = v.page
    box = page.locator("[data-exercise]").first
    index = _exercise_index(page)
    set_code(page, index, "def stable_softmax(x):\n    while True:\n        pass")
    t0 = time.perf_counter()
    out = press(page, index, "Check")
    took = time.perf_counter() - t0
    verdict = box.locator(".mlnotes-exercise-result").inner_text()
    assert out["state"] == "timeout", out
    assert "your function ran for more than 10 seconds: an endless loop?" in verdict.lower()
    assert took >= 10, took
    assert box.get_attribute("data-solved") == "false"
    # the next Check runs in a fresh Python; what the function prints is shown above
    # the verdict
    solution = box.locator("details.mlnotes-solution pre").first.text_content()
    set_code(page, index, solution + "\n_solved = stable_softmax\n"
             "def stable_softmax(x):\n    print('checked on', x.shape)\n"
             "    return _solved(x)\n")
    press(page, index, "Check")
    verdict = box.locator(".mlnotes-exercise-result").inner_text()
    assert verdict.startswith("All ") and box.get_attribute("data-solved") == "true", verdict
    prints = box.locator("pre.mlnotes-exercise-prints")
    assert prints.is_visible() and prints.inner_text().startswith("checked on (")
    above = page.evaluate("""() => {
      const box = document.querySelector('[data-exercise]');
      const p = box.querySelector('pre.mlnotes-exercise-prints');
      const r = box.querySelector('.mlnotes-exercise-result');
      return !!(p.compareDocumentPosition(r) & Node.DOCUMENT_POSITION_FOLLOWING);
    }""")
    assert above, "the prints are not above the verdict"
    v.assert_clean()


SAVED = "your edit, saved in this browser"


def test_an_edit_is_kept_in_the_browser_and_reset_clears_it(visit):
    v = visit("softmax.html")
    page = v.page
    cell = page.locator("[data-live-cell]").nth(1)
    original = cell.locator(".cm-content").inner_text()
    note = cell.locator(".mlnotes-live-saved")
    assert not note.is_visible()
    set_code(page, 1, "print('my own edit')")
    assert note.inner_text() == SAVED and note.is_visible()
    page.reload()
    page.wait_for_selector("[data-live-cell] .cm-content")
    cell = page.locator("[data-live-cell]").nth(1)
    assert cell.locator(".cm-content").inner_text() == "print('my own edit')"
    assert cell.locator(".mlnotes-live-saved").is_visible()
    # the other cells are the page's own
    assert not page.locator("[data-live-cell]").nth(0).locator(".mlnotes-live-saved").is_visible()
    cell.get_by_role("button", name="Reset").click()
    assert cell.locator(".cm-content").inner_text() == original
    assert not cell.locator(".mlnotes-live-saved").is_visible()
    page.reload()
    page.wait_for_selector("[data-live-cell] .cm-content")
    cell = page.locator("[data-live-cell]").nth(1)
    assert cell.locator(".cm-content").inner_text() == original
    assert not cell.locator(".mlnotes-live-saved").is_visible()
    v.assert_clean()


def test_progress_exported_then_imported_in_a_fresh_browser(visit, tmp_path):
    v = visit("softmax.html")
    page = v.page
    box = page.locator("[data-exercise]").first
    index = _exercise_index(page)
    solution = box.locator("details.mlnotes-solution pre").first.text_content()
    set_code(page, index, solution)
    press(page, index, "Check")
    assert box.get_attribute("data-solved") == "true"
    set_code(page, 0, "print('edited before export')")
    export = page.get_by_role("button", name="Export my progress")
    export.focus()  # reachable from the keyboard, and labelled
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    saved = tmp_path / "progress.json"
    download.value.save_as(saved)
    data = __import__("json").loads(saved.read_text())
    assert data["format"] == "mlnotes-progress" and box.get_attribute("data-exercise") in \
        data["solved"]
    assert "print('edited before export')" in data["edits"]["softmax.html"].values()
    v.assert_clean()

    fresh = visit("softmax.html")  # a new browser context: nothing stored
    page = fresh.page
    box = page.locator("[data-exercise]").first
    assert box.get_attribute("data-solved") is None
    message = page.locator(".mlnotes-progress-message")
    bad = tmp_path / "notes.json"
    bad.write_text('{"format": "something else"}')
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Import progress…").click()
    chooser.value.set_files(str(bad))
    page.wait_for_function("document.querySelector('.mlnotes-progress-message').textContent")
    assert message.inner_text().startswith("Not imported: notes.json is not a progress file")
    assert box.get_attribute("data-solved") is None
    with page.expect_file_chooser() as chooser:
        page.get_by_role("button", name="Import progress…").click()
    chooser.value.set_files(str(saved))
    page.wait_for_function("document.querySelector('.mlnotes-progress-message')"
                           ".textContent.startsWith('Imported')")
    assert box.get_attribute("data-solved") == "true"
    assert page.locator("[data-live-cell]").nth(0).locator(".cm-content").inner_text() == \
        "print('edited before export')"
    assert page.locator("[data-live-cell]").nth(0).locator(".mlnotes-live-saved").is_visible()
    assert "1 of" in page.locator(".mlnotes-exercise-progress").inner_text()
    # kept in the fresh browser too: a reload shows them
    page.reload()
    page.wait_for_selector("[data-live-cell] .cm-content")
    assert page.locator("[data-exercise]").first.get_attribute("data-solved") == "true"
    assert page.locator("[data-live-cell]").nth(0).locator(".cm-content").inner_text() == \
        "print('edited before export')"
    fresh.assert_clean()


def test_without_webassembly_a_cell_keeps_its_output_and_says_why(visit):
    v = visit("softmax.html", init_script="delete window.WebAssembly")
    cell = v.page.locator("[data-live-cell]").nth(0)
    cell.get_by_role("button", name="Run").click()
    assert "cannot run Python" in cell.locator(".mlnotes-live-status").inner_text()
    assert cell.locator(".cell_output").is_visible()
    v.assert_clean()
