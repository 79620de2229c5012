"""Every internal link of the book and the decks leads to a file and anchor that exist.

Links are the anchors a reader follows and the ``<link>`` elements a browser loads by
itself (stylesheets, preloads, the site's icon).
"""

from __future__ import annotations

import functools
from pathlib import Path

from bs4 import BeautifulSoup, SoupStrainer
from sitekit import html, link_target


@functools.cache
def _ids(page: Path) -> set[str]:
    """The anchors of a page: its elements' ids and names."""
    soup = html(page)
    return {tag[key] for key in ("id", "name") for tag in soup.find_all(attrs={key: True})}


def _html_files(site: Path) -> list[Path]:
    skip = {"_sources", "_static", "_images"}
    return sorted(p for p in site.rglob("*.html") if not skip & set(p.relative_to(site).parts))


def broken_links(site: Path) -> list[str]:
    broken = []
    for page in _html_files(site):
        for a in html(page).find_all(["a", "link"], href=True):
            href = a["href"]
            found = link_target(page, href)
            if found is None:
                continue  # outside the site (a link, never loaded by itself)
            target, fragment = found
            where = f"{page.relative_to(site)} -> {href}"
            if not target.is_file():
                broken.append(f"{where} (no such file)")
                continue
            if fragment and not fragment.startswith("/") and target.suffix == ".html":
                if fragment not in _ids(target):
                    broken.append(f"{where} (no anchor #{fragment})")
    return broken


def test_no_internal_link_is_broken(site):
    assert len(_html_files(site)) >= 5
    assert broken_links(site) == []


def test_every_page_and_deck_names_the_sites_icon(site):
    """Without an icon a browser asks for /favicon.ico, which the site has not: a 404."""
    pages = _html_files(site)
    assert any(p.parent.name == "slides" for p in pages)
    only_links = SoupStrainer("link")  # the icon is all this asks: parse nothing else
    without = [str(p.relative_to(site)) for p in pages
               if BeautifulSoup(p.read_text(encoding="utf-8"), "html.parser", parse_only=only_links)
               .find("link", rel="icon", href=True) is None]
    assert without == []


def test_the_checker_sees_a_broken_link(tmp_path):
    (tmp_path / "a.html").write_text('<link rel="icon" href="_static/icon.svg">'
                                     '<a href="b.html#there">b</a><a href="#here">x</a>')
    (tmp_path / "b.html").write_text('<p id="elsewhere">b</p>')
    assert broken_links(tmp_path) == ["a.html -> _static/icon.svg (no such file)",
                                      "a.html -> b.html#there (no anchor #there)",
                                      "a.html -> #here (no anchor #here)"]
