"""`make handouts`: every deck prints to a PDF with one page per slide."""

from __future__ import annotations

import sys

from sitekit import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import handouts  # noqa: E402


def test_every_deck_prints_one_page_per_slide(site, browser, tmp_path):
    decks = handouts.deck_paths(site)
    assert len(decks) >= 2  # the list of decks and at least one lecture
    counts = handouts.render(decks, tmp_path, browser)
    for deck in decks:
        slides, pages = counts[deck.stem]
        assert slides >= 2 and pages == slides, (deck.name, slides, pages)
        pdf = (tmp_path / f"{deck.stem}.pdf").read_bytes()
        assert pdf.startswith(b"%PDF")
        assert len(pdf) > 2_000 * slides, f"{deck.name}: {len(pdf)} bytes for {slides} slides"
