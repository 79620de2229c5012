"""The claims ledger: every registered claim is stated, shown and proved, and the proofs assert.

`docs/claims.yml` registers the claims; pages state them with {claim}, decks show them
with the same role, and a code cell proves each (`:claim:` in its options). The build
already fails when one of the three is missing (sphinxext/claims.py); these tests read
what it produced and the sources it read.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import yaml
from sitekit import ROOT

ASSERTION = re.compile(r"\bassert\b|assert_allclose|assert_array_equal|assert_close|assert_equal")


def _proving_cells() -> list[tuple[str, str, str]]:
    from myst_nb.core.read import read_myst_markdown_notebook

    found = []
    for path in sorted([*ROOT.glob("docs/*.md"), *ROOT.glob("slides/*.md")]):
        text = path.read_text(encoding="utf-8")
        if "file_format: mystnb" not in text:
            continue
        for cell in read_myst_markdown_notebook(text, path=str(path)).cells:
            claims = cell.get("metadata", {}).get("claim")
            for claim in [claims] if isinstance(claims, str) else claims or []:
                found.append((f"{path.parent.name}/{path.name}", claim, cell.source))
    return found


def test_every_proving_cell_asserts_its_claim():
    cells = _proving_cells()
    assert len(cells) >= 41
    silent = [(where, claim) for where, claim, source in cells if not ASSERTION.search(source)]
    assert silent == [], f"proving cells without an assertion: {silent}"


class _Ledger(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.rows: dict[str, list[str]] = {}
        self._row = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "tr" and (a.get("id") or "").startswith("claim-"):
            self._row = a["id"].removeprefix("claim-")
            self.rows[self._row] = []
        elif tag == "a" and self._row is not None:
            self.rows[self._row].append(a.get("href", ""))

    def handle_endtag(self, tag):
        if tag == "tr":
            self._row = None


def test_the_ledger_links_every_claim_to_its_page_slide_and_proof(site):
    registry = yaml.safe_load((ROOT / "docs" / "claims.yml").read_text())
    ledger = _Ledger()
    ledger.feed((site / "claims.html").read_text())
    assert list(ledger.rows) == [entry["id"] for entry in registry]
    assert {e.get("seed") for e in registry} >= set(range(1, 42))  # the 41 source claims
    for claim, links in ledger.rows.items():
        slides = [h for h in links if h.startswith("slides/")]
        proofs = [h for h in links if "#proof-" in h]
        pages = [h for h in links if h not in slides and h not in proofs]
        assert pages and slides and proofs, f"{claim}: page {pages}, slide {slides}, proof {proofs}"
        for href in slides:  # reveal.js's #/<slide id>: the slide must exist in the deck
            deck, slide = href.split("#/")
            assert f'id="{slide}"' in (site / deck).read_text(), f"{claim}: no slide {href}"
    summary = re.search(r"(\d+) claims; (\d+) with a page", (site / "claims.html").read_text())
    assert summary and summary.group(1) == summary.group(2) == str(len(registry))


def test_pages_and_slides_link_back_to_the_ledger(site):
    page = (site / "softmax.html").read_text()
    deck = (site / "slides" / "sequences.html").read_text()
    assert 'class="mlnotes-claim" href="claims.html#claim-softmax.simplex"' in page
    assert re.search(r'class="mlnotes-claim" href="\.\./claims\.html#claim-sequences\.', deck)


def test_the_checker_needs_an_assertion():
    assert ASSERTION.search("np.testing.assert_allclose(a, b)")
    assert not ASSERTION.search("print(a == b)  # looks equal")
