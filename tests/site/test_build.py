"""What `make html` wrote: executed pages and decks, linked to each other, self-contained."""

from __future__ import annotations

import re

import pytest
from sitekit import DECKS, ROOT, SITE, book_pages, concept_decks

# pages that are not about one concept, and so have no deck of their own
NO_DECK = {"index.html", "api.html", "performance.html"}
OUTSIDE = re.compile(
    r"""(?:<(?:script|link|img|iframe|source)\b[^>]*\b(?:src|href)\s*=\s*["']?(?:https?:)?//)"""
    r"""|(?:url\(\s*["']?(?:https?:)?//)|(?:@import\s+(?:url\()?\s*["']?(?:https?:)?//)""",
    re.IGNORECASE,
)


def concept_pages() -> list[str]:
    return [p for p in book_pages() if "/" not in p and p not in NO_DECK]


def test_the_softmax_page_and_deck_were_executed(site):
    page = (site / "softmax.html").read_text()
    deck = (DECKS / "softmax.html").read_text()
    for html in (page, deck):
        assert html.count('class="cell_output') >= 5  # results of executed cells
        assert re.search(r'<img [^>]*src="[^"]*_images/[^"]+\.png"', html)  # figures
    assert "1000.6931471805599" in page  # the log-sum-exp trick, computed at build time
    assert "naive: inf [nan nan]" in deck
    assert 'class="notes"' in deck and 'class="fragment' in deck


def test_figures_are_real_images(site):
    images = list((site / "_images").glob("*.png")) + list((DECKS / "_images").glob("*.png"))
    assert len(images) >= 12
    for image in images:
        assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and image.stat().st_size > 2000


def test_nothing_is_loaded_from_outside_the_site(site):
    offenders = []
    for path in list(site.rglob("*.html")) + list(site.rglob("*.css")):
        if "_sources" in path.parts:
            continue
        for match in OUTSIDE.finditer(path.read_text(errors="replace")):
            offenders.append(f"{path.relative_to(site)}: {match.group(0)[:80]}")
    assert offenders == []


def test_math_is_served_locally(site):
    for html_path, static in ((site / "softmax.html", site), (DECKS / "softmax.html", DECKS)):
        html = html_path.read_text()
        src = re.search(r'<script[^>]*src="([^"]*tex-svg-full\.js)[^"]*"', html)
        assert src, f"{html_path.name} does not load the local MathJax"
        assert (static / "_static" / "tex-svg-full.js").is_file()


@pytest.mark.parametrize("page", concept_pages())
def test_every_concept_page_links_to_a_deck(site, page):
    html = (site / page).read_text()
    links = re.findall(r'<a [^>]*class="[^"]*mlnotes-deck[^"]*"[^>]*href="([^"]+)"', html)
    links += re.findall(r'<a [^>]*href="([^"]+)"[^>]*class="[^"]*mlnotes-deck', html)
    assert links, f"{page} has no link to its deck"
    for link in links:
        assert (site / link.split("#")[0]).is_file(), link


@pytest.mark.parametrize("deck", concept_decks())
def test_every_deck_links_back_to_its_page(site, deck):
    html = (site / deck).read_text()
    links = re.findall(r'<a [^>]*href="([^"]+)"[^>]*class="[^"]*mlnotes-page', html)
    links += re.findall(r'<a [^>]*class="[^"]*mlnotes-page[^"]*"[^>]*href="([^"]+)"', html)
    assert links, f"{deck} has no link back to its page"
    for link in links:
        assert (site / "slides" / link.split("#")[0]).resolve().is_file(), link


def test_site_has_pages_and_decks(site):
    assert "softmax.html" in book_pages()
    assert "slides/softmax.html" in concept_decks()
    assert SITE == site


def test_the_published_python_runtime_is_verified_and_current(site):
    """Every wasm wheel the site serves matches Pyodide's lock; mlnotes' wheel is this src."""
    import hashlib
    import json
    import zipfile

    folder = site / "_static" / "pyodide"
    lock = json.loads((folder / "pyodide-lock.json").read_text())
    manifest = json.loads((folder / "mlnotes-live.json").read_text())
    assert manifest["pyodide"] == lock["info"]["version"]
    assert {"numpy", "matplotlib", "micropip"} <= set(manifest["packages"])
    for name, file_name in manifest["packages"].items():
        digest = hashlib.sha256((folder / file_name).read_bytes()).hexdigest()
        assert digest == lock["packages"][name]["sha256"], file_name
    wheel = next(w for w in manifest["wheels"] if "/mlnotes-" in w)
    src = ROOT / "src" / "mlnotes"
    with zipfile.ZipFile(folder / wheel) as z:
        shipped = {n: z.read(n) for n in z.namelist() if n.endswith(".py")}
    here = {p.relative_to(src.parent).as_posix(): p.read_bytes() for p in src.rglob("*.py")}
    assert shipped == here, "the site's mlnotes wheel is not this checkout's package"
