"""What `make html` wrote: executed pages and decks, linked to each other, self-contained."""

from __future__ import annotations

import pkgutil
import re
import sys

import pytest
from sitekit import DECKS, ROOT, SITE, book_pages, concept_decks, html, link_target

# pages that are not about one concept, and so have no deck of their own
NO_DECK = {"index.html", "api.html", "performance.html"}
# elements that load what their src/href names (a plain <a> only links)
LOADING = ("script", "link", "img", "iframe", "source")
# an outside address in CSS (a stylesheet, a style attribute or element, or any text)
OUTSIDE_CSS = re.compile(
    r"""(?:url\(\s*["']?(?:https?:)?//)|(?:@import\s+(?:url\()?\s*["']?(?:https?:)?//)""",
    re.IGNORECASE,
)
OUTSIDE_URL = re.compile(r"^\s*(?:https?:)?//", re.IGNORECASE)


def concept_pages() -> list[str]:
    return [p for p in book_pages() if "/" not in p and p not in NO_DECK]


def _classes(tag) -> list[str]:
    return tag.get("class") or []


def test_the_softmax_page_and_deck_were_executed(site):
    page = html(site / "softmax.html")
    deck = html(DECKS / "softmax.html")
    for soup in (page, deck):
        # results of executed cells
        outputs = soup.find_all(lambda t: any(c.startswith("cell_output") for c in _classes(t)))
        assert len(outputs) >= 5
        assert any(re.search(r"_images/.+\.png$", img.get("src", ""))  # figures
                   for img in soup.find_all("img"))
    assert "1000.6931471805599" in page.get_text()  # the log-sum-exp trick, computed at build time
    assert "naive: inf [nan nan]" in deck.get_text()
    assert deck.find(class_="notes")
    assert deck.find(lambda t: any(c.startswith("fragment") for c in _classes(t)))


def test_figures_are_real_images(site):
    images = list((site / "_images").glob("*.png")) + list((DECKS / "_images").glob("*.png"))
    assert len(images) >= 12
    for image in images:
        assert image.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and image.stat().st_size > 2000


def outside_references(path, text: str) -> list[str]:
    """What a page or stylesheet would load from outside the site."""
    found = [m.group(0) for m in OUTSIDE_CSS.finditer(text)]
    if path.suffix == ".html":
        for tag in html(path).find_all(LOADING):
            found += [f"<{tag.name} {key}={tag[key]}>" for key in ("src", "href")
                      if tag.get(key) and OUTSIDE_URL.match(tag[key])]
    return found


def test_nothing_is_loaded_from_outside_the_site(site):
    offenders = []
    for path in list(site.rglob("*.html")) + list(site.rglob("*.css")):
        if "_sources" in path.parts:
            continue
        for found in outside_references(path, path.read_text(errors="replace")):
            offenders.append(f"{path.relative_to(site)}: {found[:80]}")
    assert offenders == []


def test_the_outside_check_sees_outside_addresses(tmp_path):
    page = tmp_path / "a.html"
    page.write_text('<img alt="x" src="https://cdn.example/x.png"><a href="https://a.b">a</a>'
                    '<link href="//fonts.example/f.css" rel="stylesheet">'
                    '<p style="background: url(\'https://x.example/b.png\')">p</p>')
    assert len(outside_references(page, page.read_text())) == 3


def test_math_is_served_locally(site):
    # the book: the CommonHTML bundle; the decks: the all-in-one SVG bundle (the Makefile)
    for page, static, bundle in ((site / "softmax.html", site, "tex-chtml.js"),
                                 (DECKS / "softmax.html", DECKS, "tex-svg-full.js")):
        scripts = [s["src"] for s in html(page).find_all("script", src=True)
                   if "mathjax/" in s["src"]]
        assert len(scripts) == 1 and scripts[0].startswith(f"_static/mathjax/{bundle}"), \
            f"{page.name} does not load the local MathJax: {scripts}"
        mathjax = static / "_static" / "mathjax"
        assert (mathjax / bundle).is_file()
        assert not (static / "_static" / "tex-svg-full.js").exists()
    # each build ships its own bundle and nothing of the other's
    book, deck = site / "_static" / "mathjax", DECKS / "_static" / "mathjax"
    assert (book / "input" / "tex" / "extensions" / "boldsymbol.js").is_file()
    assert (book / "output" / "chtml" / "fonts" / "woff-v2" / "MathJax_Main-Regular.woff").is_file()
    assert not (book / "tex-svg-full.js").exists()
    assert sorted(p.name for p in deck.iterdir()) == ["LICENSE", "tex-svg-full.js"]


def test_a_build_without_its_mathjax_stops_with_the_remedy(tmp_path):
    """Each builder looks in its own static folders, and drops the copy an older build left."""
    from types import SimpleNamespace

    from sphinx.errors import ConfigError

    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from mlnotes_site.build import check_mathjax

    config = SimpleNamespace(mathjax_path="mathjax/tex-svg-full.js",
                             html_static_path=["book"], revealjs_static_path=["deck"])
    app = SimpleNamespace(builder=SimpleNamespace(name="revealjs", format="html"),
                          confdir=str(tmp_path), outdir=str(tmp_path / "out"), config=config)
    (tmp_path / "book" / "mathjax").mkdir(parents=True)
    (tmp_path / "book" / "mathjax" / "tex-svg-full.js").write_text("")
    with pytest.raises(ConfigError, match="run `make math-assets`"):
        check_mathjax(app)  # the bundle is in the book's folder only: the decks would lack it
    (tmp_path / "deck" / "mathjax").mkdir(parents=True)
    (tmp_path / "deck" / "mathjax" / "tex-svg-full.js").write_text("")
    stale = tmp_path / "out" / "_static" / "mathjax" / "tex-chtml.js"
    stale.parent.mkdir(parents=True)
    stale.write_text("")
    check_mathjax(app)
    assert not stale.parent.exists()


def _links(page) -> list[tuple[str, object]]:
    """Each link of a page as (href, the file it leads to), for links inside the site."""
    found = []
    for a in html(page).find_all("a", href=True):
        target = link_target(page, a["href"])
        if target is not None:
            found.append((a["href"], target[0]))
    return found


@pytest.mark.parametrize("page", concept_pages())
def test_every_concept_page_links_to_a_deck(site, page):
    decks = [(href, target) for href, target in _links(site / page)
             if target.parent == DECKS.resolve() and target.suffix == ".html"]
    assert decks, f"{page} has no link to its deck"
    for href, target in decks:
        assert target.is_file(), href


@pytest.mark.parametrize("deck", concept_decks())
def test_every_deck_links_back_to_its_page(site, deck):
    # a page of the book, not the ledger's row of a claim the slide shows
    pages = [(href, target) for href, target in _links(site / deck)
             if target.parent == site and target.suffix == ".html"
             and target.name != "claims.html"]
    assert pages, f"{deck} has no link back to its page"
    for href, target in pages:
        assert target.is_file(), href


def test_every_module_has_its_api_page(site):
    """docs/api.md's list is the one list of documented modules: a new module joins it."""
    package = ROOT / "src" / "mlnotes"
    modules = {m.name for m in pkgutil.iter_modules([str(package)]) if not m.name.startswith("_")}
    modules -= {"exercises"}  # the checks behind the pages' exercises, not an API
    missing = sorted(m for m in modules if not (site / "api" / f"{m}.html").is_file())
    assert missing == [], f"no API page for {missing}: add them to docs/api.md's list"


def test_site_has_pages_and_decks(site):
    assert "softmax.html" in book_pages()
    assert "slides/softmax.html" in concept_decks()
    assert SITE == site


def test_the_published_python_runtime_is_verified_and_current(site):
    """The published runtime matches our lock byte for byte, each input matched Pyodide's
    official lock, everything is bytecode, and mlnotes' wheel is this src."""
    import hashlib
    import json
    import zipfile

    folder = site / "_static" / "pyodide"
    official = json.loads((folder / "pyodide-lock.json").read_text())
    ours = json.loads((folder / "mlnotes-lock.json").read_text())
    manifest = json.loads((folder / "mlnotes-live.json").read_text())
    assert manifest["pyodide"] == official["info"]["version"] == ours["info"]["version"]
    assert manifest["lock"] == "mlnotes-lock.json"
    assert {"numpy", "matplotlib", "mlnotes", "array-api-compat"} <= set(ours["packages"])
    stdlib = ours["info"]["stdlib"]
    files = {entry["file_name"]: entry["sha256"] for entry in ours["packages"].values()}
    files[stdlib["file_name"]] = stdlib["sha256"]
    for file_name, digest in files.items():  # what the browser downloads is what we locked
        assert hashlib.sha256((folder / file_name).read_bytes()).hexdigest() == digest, file_name
    for name, file_name in manifest["packages"].items():  # each input was the official wheel
        assert ours["packages"][name]["file_name"] == file_name
        assert ours["packages"][name]["source_sha256"] == official["packages"][name]["sha256"]
    # bytecode for Pyodide's Python (3.12), compiled inside it: no module left to compile
    for file_name in files:
        with zipfile.ZipFile(folder / file_name) as z:
            names = z.namelist()
        modules = [n for n in names if n.endswith(".py")]
        compiled = {n for n in names if n.endswith(".pyc")}
        assert compiled, f"{file_name} holds no bytecode"
        for n in modules:  # a kept source (mlnotes) has its bytecode in __pycache__
            head, _, tail = n.rpartition("/")
            cached = (head + "/" if head else "") + f"__pycache__/{tail[:-3]}.cpython-312.pyc"
            assert cached in compiled, f"{n} in {file_name} has no bytecode"
    wheel = next(w for w in manifest["wheels"] if "/mlnotes-" in w)
    src = ROOT / "src" / "mlnotes"
    with zipfile.ZipFile(folder / wheel) as z:
        shipped = {n: z.read(n) for n in z.namelist() if n.endswith(".py")}
    here = {p.relative_to(src.parent).as_posix(): p.read_bytes() for p in src.rglob("*.py")}
    assert shipped == here, "the site's mlnotes wheel is not this checkout's package"
