"""The claims ledger: every registered claim is stated, shown and proved, and the proofs assert.

`docs/claims.yml` registers the claims; pages state them with {claim}, decks show them
with the same role, and a code cell proves each (`:claim:` in its options). The build
already fails when one of the three is missing (mlnotes_site/claims.py); these tests read
what it produced and the sources it read.
"""

from __future__ import annotations

import re

import yaml
from sitekit import ROOT, html

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


def _ledger_rows(page) -> dict[str, list[str]]:
    """The ledger's rows: each claim's id and the links in its row."""
    return {row["id"].removeprefix("claim-"): [a.get("href", "") for a in row.find_all("a")]
            for row in html(page).find_all("tr", id=re.compile(r"^claim-"))}


def test_the_ledger_links_every_claim_to_its_page_slide_and_proof(site):
    registry = yaml.safe_load((ROOT / "docs" / "claims.yml").read_text())
    rows = _ledger_rows(site / "claims.html")
    assert list(rows) == [entry["id"] for entry in registry]
    assert {e.get("seed") for e in registry} >= set(range(1, 42))  # the 41 source claims
    for claim, links in rows.items():
        slides = [h for h in links if h.startswith("slides/")]
        proofs = [h for h in links if "#proof-" in h]
        pages = [h for h in links if h not in slides and h not in proofs]
        assert pages and slides and proofs, f"{claim}: page {pages}, slide {slides}, proof {proofs}"
        for href in slides:  # reveal.js's #/<slide id>: the slide must exist in the deck
            deck, slide = href.split("#/")
            assert html(site / deck).find(id=slide), f"{claim}: no slide {href}"
    summary = html(site / "claims.html").find(class_="mlnotes-claims-summary")
    counts = re.match(r"(\d+) claims; (\d+) with a page", summary.get_text() if summary else "")
    assert counts and counts.group(1) == counts.group(2) == str(len(registry))


def test_pages_and_slides_link_back_to_the_ledger(site):
    page = [a["href"] for a in html(site / "softmax.html").select("a.mlnotes-claim[href]")]
    deck = [a["href"] for a in html(site / "slides" / "sequences.html")
            .select("a.mlnotes-claim[href]")]
    assert "claims.html#claim-softmax.simplex" in page
    assert any(h.startswith("../claims.html#claim-sequences.") for h in deck)


def test_the_checker_needs_an_assertion():
    assert ASSERTION.search("np.testing.assert_allclose(a, b)")
    assert not ASSERTION.search("print(a == b)  # looks equal")
