"""The lecturer's chalkboard (reveal.js-plugins' chalkboard): ink on a slide and on the board.

Drawn with the mouse as a lecturer would, from the test server and from file://,
with every outside request blocked: the strokes must leave ink, stay with their
slide when the deck moves away and back, and the keys must be listed in the deck's
help.
"""

from __future__ import annotations

import pytest
from sitekit import SCREENSHOTS

INK = """(id) => {
  const canvas = document.querySelector('#' + id + ' canvas');
  const {width, height} = canvas;
  const pixels = canvas.getContext('2d').getImageData(0, 0, width, height).data;
  let ink = 0;
  for (let i = 3; i < pixels.length; i += 4) if (pixels[i] > 0) ink++;
  return ink;
}"""


def _stroke(page, x0: int, y0: int, length: int = 300) -> None:
    page.mouse.move(x0, y0)
    page.mouse.down()
    for k in range(1, 21):
        page.mouse.move(x0 + length * k / 20, y0 + 60 * (k % 2))
    page.mouse.up()


@pytest.mark.parametrize("via", ["http", "file"])
def test_lecturer_draws_on_a_slide_and_on_the_board(visit, via):
    v = visit("slides/softmax.html", via=via)
    page = v.page
    page.wait_for_function("window.Reveal && Reveal.isReady() && window.RevealChalkboard",
                           timeout=15_000)
    # drawings belong to a slide and its fragment step: use a slide without fragments
    h, v_ = page.evaluate("""() => {
        const s = Reveal.getSlides().find((s, i) => i > 0 && !s.querySelector('.fragment'));
        const i = Reveal.getIndices(s);
        return [i.h, i.v || 0];
    }""")
    page.evaluate(f"Reveal.slide({h}, {v_})")
    page.wait_for_timeout(300)
    assert page.evaluate(INK, "notescanvas") == 0

    page.keyboard.press("c")  # draw on the slide
    page.wait_for_timeout(300)
    _stroke(page, 400, 400)
    on_slide = page.evaluate(INK, "notescanvas")
    assert on_slide > 500, f"a stroke across the slide left {on_slide} inked pixels"
    if via == "http":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "deck-chalkboard.png"))
    page.keyboard.press("c")  # back to presenting

    # the ink stays with its slide: gone on the next slide, back on return
    page.evaluate("Reveal.slide(0, 0)")
    page.wait_for_timeout(1200)
    assert page.evaluate(INK, "notescanvas") == 0
    page.evaluate(f"Reveal.slide({h}, {v_})")
    page.wait_for_timeout(1200)
    assert page.evaluate(INK, "notescanvas") > 500

    page.keyboard.press("b")  # the blank board
    page.wait_for_timeout(300)
    assert page.evaluate("getComputedStyle(document.querySelector('#chalkboard')).visibility")\
        == "visible"
    _stroke(page, 300, 300)
    assert page.evaluate(INK, "chalkboard") > 500
    page.keyboard.press("b")

    data = page.evaluate("JSON.parse(RevealChalkboard.getData())")
    events = [sum(len(d["events"]) for d in board["data"]) for board in data]
    assert all(n > 0 for n in events), f"recorded strokes per mode: {events}"
    v.assert_clean()


def test_chalkboard_keys_are_in_the_deck_help(visit):
    v = visit("slides/softmax.html")
    v.page.wait_for_function("window.Reveal && Reveal.isReady()", timeout=15_000)
    v.page.evaluate("Reveal.toggleHelp(true)")
    text = v.page.inner_text(".r-overlay-help")
    for key in ("Toggle notes canvas", "Toggle chalkboard", "Clear drawings on slide",
                "Next color"):
        assert key in text, f"{key!r} missing from the deck's help"


def test_a_live_slides_controls_work_while_the_lecturer_draws(visit):
    """The pen's colours cover none of a live cell's controls, and Run pressed with the pen
    on runs the cell instead of drawing a dot (the plugin's canvas lies over the slide)."""
    v = visit("slides/softmax.html")
    page = v.page
    # (a predicate that evaluates to a function is called by Playwright: compare the type)
    page.wait_for_function("window.Reveal && Reveal.isReady() && window.RevealChalkboard && "
                           "typeof (window.mlnotesInk || {}).undo === 'function'",
                           timeout=15_000)
    h, v_ = page.evaluate("""() => {
        const s = Reveal.getSlides().find(s => s.querySelector('[data-live-cell]'));
        const i = Reveal.getIndices(s);
        return [i.h, i.v || 0];
    }""")
    page.evaluate(f"Reveal.slide({h}, {v_})")
    page.wait_for_timeout(300)
    page.keyboard.press("c")  # the pen
    page.wait_for_timeout(300)
    overlaps = page.evaluate("""() => {
        const p = document.querySelector('.palette[data-mode="0"]').getBoundingClientRect();
        const cell = '.reveal .present [data-live-cell] ';
        const controls = document.querySelectorAll(cell + 'button, ' + cell + '.cm-editor');
        return [...controls].filter(el => el.offsetParent !== null).map(el => {
            const r = el.getBoundingClientRect();
            const overlap = r.left < p.right && p.left < r.right
                && r.top < p.bottom && p.top < r.bottom;
            return overlap ? el.textContent.slice(0, 20) || el.className : null;
        }).filter(Boolean);
    }""")
    assert overlaps == [], f"the pen's colours cover {overlaps}"
    cell = page.locator(".reveal .present [data-live-cell]").first
    box = cell.get_by_role("button", name="Run", exact=True).bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.wait_for_function("document.querySelector('.reveal .present [data-live-cell]')"
                           ".getAttribute('data-live-state') === 'done'", timeout=180_000)
    assert page.evaluate(INK, "notescanvas") == 0, "the press on Run drew on the slide"
    v.assert_clean()
