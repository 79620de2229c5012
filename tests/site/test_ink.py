"""The lecture's ink (slides/_static/mlnotes-ink.js): undone and redone, saved to a file
and loaded back by slide id, printed on its slides, and never lost by accident.

Strokes are drawn with the mouse, as a lecturer would, with every outside request
blocked. A state of the ink is the canvas's measured pixels: how many are inked and a
digest of their alpha values, read from the canvas itself.
"""

from __future__ import annotations

import io
import json
import re
import sys
import zlib

import pytest
from sitekit import ROOT, SITE

sys.path.insert(0, str(ROOT / "tools"))
import handouts  # noqa: E402

DECK = "slides/softmax.html"

# inked pixels (alpha > 0) of a canvas, and an FNV-1a digest of every pixel's alpha
INK = """(id) => {
  const canvas = document.querySelector('#' + id + ' canvas');
  const {width, height} = canvas;
  const pixels = canvas.getContext('2d').getImageData(0, 0, width, height).data;
  let ink = 0, digest = 2166136261;
  for (let i = 3; i < pixels.length; i += 4) {
    if (pixels[i] > 0) ink++;
    digest = Math.imul(digest ^ pixels[i], 16777619) >>> 0;
  }
  return [ink, digest];
}"""

# the first slide after the title without fragments, and the first with fragments
SLIDES = """() => {
  const at = (s) => { const i = Reveal.getIndices(s); return [i.h, i.v || 0, s.id]; };
  const all = Reveal.getSlides();
  return [at(all.find((s, i) => i > 0 && !s.querySelector('.fragment'))),
          at(all.find((s, i) => i > 0 && s.querySelector('.fragment')))];
}"""


def _ready(page) -> None:
    page.wait_for_function("window.Reveal && Reveal.isReady() && window.mlnotesInk"
                           " && typeof mlnotesInk.undo === 'function'", timeout=15_000)


def _stroke(page, x0: int, y0: int, length: int = 300) -> None:
    page.mouse.move(x0, y0)
    page.mouse.down()
    for k in range(1, 21):
        page.mouse.move(x0 + length * k / 20, y0 + 40 * (k % 2))
    page.mouse.up()


def _settle(page, canvas: str, expected, tries: int = 40):
    """The canvas's ink once it equals ``expected`` (replays are asynchronous)."""
    state = None
    for _ in range(tries):
        state = page.evaluate(INK, canvas)
        if state == list(expected):
            break
        page.wait_for_timeout(100)
    return state


def _go(page, h: int, v: int, fragments: int = 0) -> None:
    page.evaluate(f"Reveal.slide({h}, {v}, {fragments - 1})")


def _draw_and_save(v, tmp_path, plain, built):
    """Ink on ``plain`` and on the first fragment step of ``built``; saved; its states."""
    page = v.page
    states = {}
    _go(page, plain[0], plain[1])
    page.wait_for_timeout(1000)  # the plugin replays a slide's ink after its transition
    page.keyboard.press("c")
    _stroke(page, 300, 300)
    states["plain"] = page.evaluate(INK, "notescanvas")
    page.keyboard.press("c")
    _go(page, built[0], built[1], fragments=1)
    page.wait_for_timeout(1000)
    page.keyboard.press("c")
    _stroke(page, 350, 500, length=250)
    states["built"] = page.evaluate(INK, "notescanvas")
    page.keyboard.press("c")
    assert states["plain"][0] > 500 and states["built"][0] > 500, states
    with page.expect_download() as download:
        page.keyboard.press("d")
    path = tmp_path / "softmax-ink.json"
    download.value.save_as(path)
    assert download.value.suggested_filename == "softmax-ink.json"
    return path, states


def _load(page, path) -> dict:
    page.set_input_files("#mlnotes-ink-file", str(path))
    page.wait_for_function("mlnotesInk.lastLoad !== null", timeout=10_000)
    return page.evaluate("mlnotesInk.lastLoad")


@pytest.fixture
def deck(visit):
    v = visit(DECK)
    _ready(v.page)
    return v


def test_undo_and_redo_strokes_on_a_slide_and_on_the_board(deck):
    page = deck.page
    (h, v_, _), _built = page.evaluate(SLIDES)
    _go(page, h, v_)
    page.wait_for_timeout(1000)
    page.keyboard.press("c")
    states = [page.evaluate(INK, "notescanvas")]
    assert states[0][0] == 0
    for y in (200, 380, 560):
        _stroke(page, 300, y)
        states.append(page.evaluate(INK, "notescanvas"))
    assert states[1][0] < states[2][0] < states[3][0], states
    for key, expected in (("u", 2), ("u", 1), ("r", 2), ("Control+z", 1),
                          ("Control+Shift+z", 2), ("r", 3), ("r", 3)):  # nothing left
        page.keyboard.press(key)
        assert _settle(page, "notescanvas", states[expected]) == states[expected], key
    # a new stroke after an undo ends what can be redone
    page.keyboard.press("u")
    assert _settle(page, "notescanvas", states[2]) == states[2]
    _stroke(page, 300, 600)
    drawn = page.evaluate(INK, "notescanvas")
    page.keyboard.press("r")
    page.wait_for_timeout(300)
    assert page.evaluate(INK, "notescanvas") == drawn
    page.keyboard.press("c")

    page.keyboard.press("b")  # the blank board: its own strokes, its own undo
    page.wait_for_timeout(300)
    board = [page.evaluate(INK, "chalkboard")]
    for y in (250, 450):
        _stroke(page, 300, y)
        board.append(page.evaluate(INK, "chalkboard"))
    assert board[0][0] < board[1][0] < board[2][0], board
    page.keyboard.press("u")
    assert _settle(page, "chalkboard", board[1]) == board[1]
    assert page.evaluate("document.querySelector('#chalkboard').style.visibility") \
        == "visible"
    page.keyboard.press("r")
    assert _settle(page, "chalkboard", board[2]) == board[2]
    page.keyboard.press("b")
    # the slide's ink was not touched by the board's undo
    assert _settle(page, "notescanvas", drawn) == drawn
    deck.assert_clean()


def test_saved_ink_loads_in_a_fresh_profile_on_its_slides_and_fragments(deck, visit, tmp_path):
    page = deck.page
    plain, built = page.evaluate(SLIDES)
    path, states = _draw_and_save(deck, tmp_path, plain, built)
    saved = json.loads(path.read_text())
    assert saved["format"] == "mlnotes-ink" and saved["deck"] == "softmax"
    assert saved["build"] and saved["build"] == page.evaluate("Reveal.getConfig().mlnotesInk.build")
    assert sorted(saved["slides"]) == sorted([plain[2], built[2]])
    assert [e["f"] for e in saved["slides"][built[2]]["slide"]] == [0]
    assert [e["f"] for e in saved["slides"][plain[2]]["slide"]] == [None]

    fresh = visit(DECK)  # a new browser context: nothing in its storage
    _ready(fresh.page)
    loaded = _load(fresh.page, path)
    assert sorted(loaded["restored"]) == sorted([plain[2], built[2]])
    assert loaded["missing"] == []
    _go(fresh.page, plain[0], plain[1])
    assert _settle(fresh.page, "notescanvas", states["plain"]) == states["plain"]
    _go(fresh.page, built[0], built[1], fragments=1)
    assert _settle(fresh.page, "notescanvas", states["built"]) == states["built"]
    _go(fresh.page, built[0], built[1], fragments=0)  # before the fragment: not there
    page.wait_for_timeout(1000)
    assert fresh.page.evaluate(INK, "notescanvas")[0] == 0
    fresh.assert_clean()


def test_ink_from_a_changed_deck_restores_the_slides_that_remain(deck, visit, tmp_path):
    page = deck.page
    plain, built = page.evaluate(SLIDES)
    path, states = _draw_and_save(deck, tmp_path, plain, built)
    older = json.loads(path.read_text())
    # as if saved on an older build, where the built-up slide had another id
    older["build"] = "2020-01-01T00:00Z"
    older["slides"]["a-slide-since-removed"] = older["slides"].pop(built[2])
    path.write_text(json.dumps(older))

    fresh = visit(DECK)
    _ready(fresh.page)
    loaded = _load(fresh.page, path)
    assert loaded["restored"] == [plain[2]]
    assert loaded["missing"] == ["a-slide-since-removed"]
    status = fresh.page.inner_text("#mlnotes-ink-status")
    assert "a-slide-since-removed" in status and "2020-01-01T00:00Z" in status, status
    _go(fresh.page, plain[0], plain[1])
    assert _settle(fresh.page, "notescanvas", states["plain"]) == states["plain"]
    fresh.assert_clean()


def _page_shot(page, index: int):
    """The print view's page of the slide at ``index`` (one page per slide, in order)."""
    from PIL import Image

    page.evaluate("""(index) => {
        document.querySelectorAll('[data-ink-test]')
            .forEach(p => p.removeAttribute('data-ink-test'));
        const pages = Array.from(document.querySelectorAll('.reveal .slides .pdf-page'))
            .filter(p => p.querySelector('section'));
        pages[index].setAttribute('data-ink-test', '1');
    }""", index)
    # the switch floats over the pages on screen (it is not printed)
    png = page.locator("[data-ink-test]").screenshot(
        style="#mlnotes-ink-switch { visibility: hidden; }")
    return Image.open(io.BytesIO(png)).convert("RGB")


def _differing(a, b) -> int:
    from PIL import ImageChops

    return sum(ImageChops.difference(a, b).convert("L").point(lambda p: p > 0 and 255)
               .histogram()[255:])


def _slide_index(page, h: int, v: int) -> int:
    return page.evaluate(f"Reveal.getSlides().indexOf(Reveal.getSlide({h}, {v}))")


def test_the_print_view_prints_the_ink_when_switched_on(deck, visit, server):
    page = deck.page
    (h, v_, _), (h2, v2, _) = page.evaluate(SLIDES)
    inked, other = _slide_index(page, h, v_), _slide_index(page, h2, v2)
    _go(page, h, v_)
    page.wait_for_timeout(1000)
    page.keyboard.press("c")
    _stroke(page, 300, 300)
    page.keyboard.press("c")
    page.wait_for_timeout(1300)  # the plugin keeps the tab's ink a second after a stroke
    page.on("dialog", lambda d: d.accept())  # unsaved ink: leave anyway
    page.goto(server + DECK + "?print-pdf", wait_until="load")  # the same tab
    page.wait_for_function("window.mlnotesInk && mlnotesInk.printed", timeout=30_000)
    assert page.evaluate("mlnotesInk.printedSlides") == 1
    assert page.is_checked("#mlnotes-ink-switch input") is False  # off by default
    off, other_off = _page_shot(page, inked), _page_shot(page, other)
    page.check("#mlnotes-ink-switch input")
    on, other_on = _page_shot(page, inked), _page_shot(page, other)
    assert _differing(on, off) > 500
    assert _differing(other_on, other_off) == 0

    clean = visit(DECK + "?print-pdf")  # a profile with no ink at all
    clean.page.wait_for_function("window.mlnotesInk && mlnotesInk.printed", timeout=30_000)
    assert _differing(_page_shot(clean.page, inked), off) == 0

    # printed: only the inked slide's page differs from the same print with ink off
    pdf_on = page.pdf(print_background=True, prefer_css_page_size=True)
    page.uncheck("#mlnotes-ink-switch input")
    pdf_off = page.pdf(print_background=True, prefer_css_page_size=True)
    assert _changed_pages(pdf_on, pdf_off) == [inked]


def _objects(pdf: bytes) -> dict[int, bytes]:
    """Each object's dictionary and, for a stream, its data (``/Length`` bytes)."""
    objects, at = {}, 0
    start = re.compile(rb"(\d+) 0 obj\s*")
    while (m := start.search(pdf, at)) is not None:
        body_at = m.end()
        head_end = pdf.find(b"endobj", body_at)
        stream_at = pdf.find(b"stream", body_at)
        if stream_at != -1 and stream_at < head_end:
            head = pdf[body_at:stream_at]
            length = re.search(rb"/Length\s+(\d+)(\s+0 R)?", head)
            size = int(length.group(1))
            if length.group(2):  # an indirect length: the object it names holds the number
                size = int(re.search(rb"%d 0 obj\s*(\d+)" % size, pdf).group(1))
            data_at = stream_at + len(b"stream")
            data_at += 2 if pdf[data_at:data_at + 2] == b"\r\n" else 1
            objects[int(m.group(1))] = head + b"stream" + pdf[data_at:data_at + size]
            at = pdf.find(b"endobj", data_at + size) + len(b"endobj")
        else:
            objects[int(m.group(1))] = pdf[body_at:head_end]
            at = head_end + len(b"endobj")
    return objects


def _stream(obj: bytes) -> bytes:
    head, data = obj.split(b"stream", 1)
    return zlib.decompress(data) if b"/FlateDecode" in head else data


def pdf_pages(pdf: bytes) -> list[bytes]:
    """What each page of a PDF written by Chromium draws, in page order: every object the
    page reaches (contents, resources, images, fonts), streams inflated, with object
    numbers left out (they differ between two PDFs of the same pages)."""
    objects = _objects(pdf)
    pages_node = re.compile(rb"/Type\s*/Pages\b")
    root = next(o for o in objects.values() if pages_node.search(o) and b"/Parent" not in o)

    def kids(node: bytes) -> list[int]:
        inside = re.search(rb"/Kids\s*\[(.*?)\]", node, re.S).group(1)
        out = []
        for r in (int(r) for r in re.findall(rb"(\d+) 0 R", inside)):
            out += kids(objects[r]) if pages_node.search(objects[r]) else [r]
        return out

    def reach(ref: int, seen: set[int]) -> list[bytes]:
        if ref in seen or ref not in objects:
            return []
        seen.add(ref)
        obj = objects[ref]
        head = obj.split(b"stream", 1)[0]
        head = re.sub(rb"/Parent\s+\d+ 0 R|/Length\s+\d+", b"", head)  # derived
        parts = [re.sub(rb"\d+ 0 R", b"R", head)]
        if b"stream" in obj:
            parts.append(_stream(obj))
        for r in re.findall(rb"(\d+) 0 R", head):
            parts += reach(int(r), seen)
        return parts

    def canonical(page: bytes) -> bytes:
        # resource names (/X53, /F4, /G13) are numbered across the document: renamed in
        # the order the page first uses them
        names: dict[bytes, bytes] = {}
        return re.sub(rb"/([A-Z][A-Za-z]?)(\d+)\b", lambda m: names.setdefault(
            m.group(0), b"/%s%d" % (m.group(1), len(names))), page)

    return [canonical(b"\n".join(reach(ref, set()))) for ref in kids(root)]


def _changed_pages(a: bytes, b: bytes) -> list[int]:
    pa, pb = pdf_pages(a), pdf_pages(b)
    assert len(pa) == len(pb)
    return [i for i, (x, y) in enumerate(zip(pa, pb, strict=True)) if x != y]


def test_make_handouts_with_ink_changes_only_the_inked_slide(deck, browser, tmp_path):
    page = deck.page
    plain, built = page.evaluate(SLIDES)
    path, _ = _draw_and_save(deck, tmp_path, plain, built)
    ink = handouts.read_ink(path)
    target = SITE / DECK
    clean = handouts.render([target], tmp_path / "clean", browser)
    inked = handouts.render([target], tmp_path / "inked", browser, ink)
    assert clean == inked  # the same pages: one per slide
    pdf_clean = (tmp_path / "clean" / "softmax.pdf").read_bytes()
    pdf_inked = (tmp_path / "inked" / "softmax-ink.pdf").read_bytes()
    order = sorted([_slide_index(page, *plain[:2]), _slide_index(page, *built[:2])])
    assert _changed_pages(pdf_inked, pdf_clean) == order
    with pytest.raises(ValueError, match="path must be an ink file"):
        bad = tmp_path / "bad.json"
        bad.write_text("{}")
        handouts.read_ink(bad)


def test_from_file_draw_save_reload_load(visit, tmp_path):
    v = visit(DECK, via="file")
    _ready(v.page)
    plain, built = v.page.evaluate(SLIDES)
    path, states = _draw_and_save(v, tmp_path, plain, built)
    dialogs = []
    v.page.on("dialog", lambda d: (dialogs.append(d.type), d.accept()))
    v.page.reload(wait_until="load")  # saved: leaving asks nothing
    _ready(v.page)
    assert dialogs == []
    _go(v.page, plain[0], plain[1])  # the tab kept its ink
    assert _settle(v.page, "notescanvas", states["plain"]) == states["plain"]

    fresh = visit(DECK, via="file")
    _ready(fresh.page)
    loaded = _load(fresh.page, path)
    assert sorted(loaded["restored"]) == sorted([plain[2], built[2]])
    _go(fresh.page, built[0], built[1], fragments=1)
    assert _settle(fresh.page, "notescanvas", states["built"]) == states["built"]
    v.assert_clean()
    fresh.assert_clean()


def test_leaving_with_unsaved_ink_asks_first(deck):
    page = deck.page
    (h, v_, _), _ = page.evaluate(SLIDES)
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.type), d.accept()))
    page.reload(wait_until="load")  # nothing drawn: nothing asked
    _ready(page)
    assert dialogs == []
    _go(page, h, v_)
    page.wait_for_timeout(1000)
    page.keyboard.press("c")
    _stroke(page, 300, 300)
    drawn = page.evaluate(INK, "notescanvas")
    page.keyboard.press("c")
    page.wait_for_timeout(1300)
    page.reload(wait_until="load")
    assert dialogs == ["beforeunload"]
    _ready(page)
    _go(page, h, v_)  # the ink survived the reload in this tab
    assert _settle(page, "notescanvas", drawn) == drawn


def test_the_keys_are_in_the_help_and_on_the_presenting_slide(deck, visit):
    deck.page.evaluate("Reveal.toggleHelp(true)")
    text = deck.page.inner_text(".r-overlay-help")
    for words in ("Undo the last stroke", "Redo a stroke", "Save the ink to a file",
                  "Load ink from a file"):
        assert words in text, f"{words!r} missing from the deck's help"
    index = visit("slides/index.html")
    index.page.wait_for_function("window.Reveal && Reveal.isReady()", timeout=15_000)
    presenting = index.page.evaluate("""() => Reveal.getSlides()
        .find(s => s.querySelector('h2')?.textContent.trim().startsWith('Presenting'))
        .textContent""")
    for words in ("undo and redo", "saves the ink", "loads it back", "prints the ink"):
        assert words in presenting, f"{words!r} missing from the Presenting slide"
