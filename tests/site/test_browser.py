"""The built site as its users meet it, in Debian's Chromium, with the network cut off.

Every request that leaves the site is blocked and counted. Each page and each deck must
load with zero such requests, zero console or page errors, zero broken images and every
formula rendered by the local MathJax. Each deck must start, be walkable slide by slide
with the arrow keys, carry speaker notes, open the speaker view, and work from file://.
"""

from __future__ import annotations

import pytest
from sitekit import SCREENSHOTS, book_pages, concept_decks, decks

# ------------------------------------------------------------------------- the book


@pytest.mark.parametrize("path", book_pages())
def test_book_page_is_clean_offline(visit, path):
    v = visit(path)
    v.assert_clean()


def test_softmax_page_shows_math_figures_and_results(visit):
    v = visit("softmax.html")
    v.assert_clean()
    assert v.math["formulas"] >= 20
    figures = v.page.locator("div.cell_output img")
    assert figures.count() >= 6
    assert v.page.locator("div.cell_output pre").count() >= 10
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    v.page.screenshot(path=str(SCREENSHOTS / "page-softmax.png"))


def test_search_finds_the_softmax_page(visit):
    v = visit("search.html?q=softmax")
    v.page.wait_for_selector("#search-results li a", timeout=15_000)
    hrefs = v.page.eval_on_selector_all("#search-results li a", "as => as.map(a => a.href)")
    assert any(h.split("?")[0].endswith("/softmax.html") for h in hrefs), hrefs
    v.assert_clean()


# -------------------------------------------------------------------------- the decks


def _walk(page) -> set[tuple[int, int]]:
    """Press the arrow keys through the deck; return every (h, v) slide seen."""
    seen = set()
    total = page.evaluate("Reveal.getTotalSlides()")
    for _ in range(20 * total + 50):
        i = page.evaluate("Reveal.getIndices()")
        seen.add((i["h"], i["v"] or 0))
        fragments = page.evaluate("Reveal.availableFragments()")
        routes = page.evaluate("Reveal.availableRoutes()")
        if fragments["next"] or routes["right"] or routes["down"]:
            key = "ArrowDown" if (routes["down"] and not fragments["next"]) else "ArrowRight"
            page.keyboard.press(key)
        else:
            break
    return seen


@pytest.mark.parametrize("path", decks())
@pytest.mark.parametrize("via", ["http", "file"])
def test_deck_starts_and_is_clean_offline(visit, path, via):
    v = visit(path, via=via)
    v.page.wait_for_function("window.Reveal && Reveal.isReady()", timeout=15_000)
    v.assert_clean()
    assert v.page.evaluate("Reveal.getTotalSlides()") >= 2


@pytest.mark.parametrize("path", decks())
def test_every_slide_is_reachable_with_the_arrow_keys(visit, path):
    v = visit(path)
    v.page.wait_for_function("window.Reveal && Reveal.isReady()", timeout=15_000)
    total = v.page.evaluate("Reveal.getTotalSlides()")
    assert len(_walk(v.page)) == total
    assert v.page.evaluate("Reveal.isLastSlide()")
    assert v.page_errors == [] and v.console_errors == []


@pytest.mark.parametrize("path", decks())
def test_content_slides_have_speaker_notes(visit, path):
    v = visit(path)
    v.page.wait_for_function("window.Reveal && Reveal.isReady()", timeout=15_000)
    missing = v.page.evaluate(
        """() => Reveal.getSlides()
             .filter(s => !(s.querySelector(':scope > aside.notes')?.textContent.trim()))
             .map(s => s.querySelector('h1, h2, h3')?.textContent || '(untitled)')"""
    )
    assert missing == [], f"slides without speaker notes: {missing}"


@pytest.mark.parametrize("path", concept_decks())
def test_speaker_view_opens(visit, path):
    v = visit(path)
    v.page.wait_for_function("window.Reveal && Reveal.isReady()", timeout=15_000)
    v.page.evaluate("Reveal.slide(1)")
    with v.page.expect_popup() as popup_info:
        v.page.keyboard.press("s")
    popup = popup_info.value
    popup.wait_for_selector(".speaker-controls-notes", timeout=15_000)
    popup.wait_for_function(
        "document.querySelector('.speaker-controls-notes .value')?.textContent.trim().length > 0",
        timeout=15_000,
    )
    popup.close()


def test_deck_screenshot(visit):
    v = visit("slides/softmax.html")
    v.page.wait_for_function("window.Reveal && Reveal.isReady()", timeout=15_000)
    v.page.evaluate("Reveal.slide(9, 0, 99)")  # saturation: a figure and a built argument
    v.page.wait_for_timeout(500)
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    v.page.screenshot(path=str(SCREENSHOTS / "deck-softmax.png"))
