"""Every internal link of the book and the decks leads to a file and anchor that exist."""

from __future__ import annotations

import functools
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.links: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for key in ("id", "name"):
            if a.get(key):
                self.ids.add(a[key])
        if tag == "a" and a.get("href") is not None:
            self.links.append(a["href"])


@functools.cache
def _parse(path: Path) -> _Collector:
    c = _Collector()
    c.feed(path.read_text(errors="replace"))
    return c


def _html_files(site: Path) -> list[Path]:
    skip = {"_sources", "_static", "_images"}
    return sorted(p for p in site.rglob("*.html") if not skip & set(p.relative_to(site).parts))


def broken_links(site: Path) -> list[str]:
    broken = []
    for page in _html_files(site):
        for href in _parse(page).links:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or href.startswith("javascript:"):
                continue  # outside the site (a link, never loaded by itself)
            target = page if not parts.path else (page.parent / unquote(parts.path)).resolve()
            if target.is_dir():
                target = target / "index.html"
            where = f"{page.relative_to(site)} -> {href}"
            if not target.is_file():
                broken.append(f"{where} (no such file)")
                continue
            fragment = unquote(parts.fragment)
            if fragment and not fragment.startswith("/") and target.suffix == ".html":
                if fragment not in _parse(target).ids:
                    broken.append(f"{where} (no anchor #{fragment})")
    return broken


def test_no_internal_link_is_broken(site):
    assert len(_html_files(site)) >= 5
    assert broken_links(site) == []


def test_the_checker_sees_a_broken_link(tmp_path):
    (tmp_path / "a.html").write_text('<a href="b.html#there">b</a><a href="#here">x</a>')
    (tmp_path / "b.html").write_text('<p id="elsewhere">b</p>')
    assert broken_links(tmp_path) == ["a.html -> b.html#there (no anchor #there)",
                                      "a.html -> #here (no anchor #here)"]
