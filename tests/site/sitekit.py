"""The built site's tests: where the site is, its pages and decks, a server, a browser.

(Named sitekit, not conftest, so that tests import it without colliding with the
unit tests' conftest.py; tests/site/conftest.py only re-exports the fixtures.)

These tests read what `make html` produced: `<build>/html`, where <build> is the
Makefile's BUILD (MLNOTES_BUILD, `_build` by default), or the folder named by
MLNOTES_SITE. `make test` builds first; run alone, they fail with that advice.

They read HTML with a parser (BeautifulSoup, :func:`html`), never with patterns.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup

ROOT = Path(__file__).resolve().parents[2]
_BUILD = Path(os.environ.get("MLNOTES_BUILD", ROOT / "_build"))
SITE = Path(os.environ.get("MLNOTES_SITE", _BUILD / "html")).resolve()
DECKS = SITE / "slides"
SCREENSHOTS = SITE.parent / "screenshots"  # beside the site, in its build folder
NOT_CONTENT = {"genindex.html", "search.html", "py-modindex.html"}


def html(path: Path) -> BeautifulSoup:
    """The page at ``path``, parsed."""
    return BeautifulSoup(Path(path).read_text(encoding="utf-8", errors="replace"),
                         "html.parser")


@functools.cache
def parsed(path: Path) -> BeautifulSoup:
    """The page at ``path``, parsed once per test process: to read from, never to change.

    The questions asked while tests are collected (which pages have live cells, which
    offer a notebook) read the same pages again and again; parsing is the slow part.
    """
    return html(path)


def link_target(page: Path, href: str) -> tuple[Path, str] | None:
    """The file (resolved) and anchor a link of ``page`` leads to; None if it leaves the site.

    A link to a folder leads to its index.html.
    """
    parts = urlsplit(href)
    if parts.scheme or parts.netloc:
        return None
    target = page if not parts.path else (page.parent / unquote(parts.path)).resolve()
    if target.is_dir():
        target = target / "index.html"
    return target, unquote(parts.fragment)

CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--no-first-run",
    "--no-default-browser-check",
]


def require_site() -> None:
    """Fail (never skip) with the advice when the site has not been built."""
    if not (SITE / "index.html").is_file() or not (DECKS / "index.html").is_file():
        pytest.fail(f"no built site at {SITE}: run `make html` first", pytrace=False)


def book_pages() -> list[str]:
    """Every page of the book, as paths relative to the site (API pages included).

    Without a built site this fails (at collection, with the advice): an empty list
    would let pytest skip every test it parametrizes, and a missing site pass unseen.
    """
    require_site()
    pages = [p for p in SITE.glob("*.html") if p.name not in NOT_CONTENT]
    pages += SITE.glob("api/*.html")
    return sorted(p.relative_to(SITE).as_posix() for p in pages)


def decks() -> list[str]:
    """Every deck, as paths relative to the site (fails without a built site)."""
    require_site()
    return sorted(
        p.relative_to(SITE).as_posix() for p in DECKS.glob("*.html") if p.name not in NOT_CONTENT
    )


def concept_decks() -> list[str]:
    """The lecture decks, without the list of decks."""
    return [d for d in decks() if not d.endswith("/index.html")]


@pytest.fixture(scope="session")
def site() -> Path:
    require_site()
    return SITE


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):  # keep the test output readable
        pass


@pytest.fixture(scope="session")
def server(site):
    """The built site over HTTP on a free loopback port; yields its base URL."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


def _chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    pytest.fail("Debian's chromium is not installed: run `make browser`", pytrace=False)


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=_chromium(), args=CHROMIUM_FLAGS)
        yield b
        b.close()


MATH_REPORT = """async () => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  const math = Array.from(document.querySelectorAll('.math'));
  return {
    formulas: math.length,
    raw: math.filter(e => !e.querySelector('mjx-container')).map(e => e.textContent.slice(0, 60)),
    errors: document.querySelectorAll('mjx-merror, [data-mjx-error]').length,
  };
}"""

BROKEN_IMAGES = """() => Array.from(document.images)
  .filter(i => !i.complete || i.naturalWidth === 0)
  .map(i => i.getAttribute('src'))"""


PHONE = {"viewport": {"width": 390, "height": 844}, "has_touch": True, "is_mobile": True,
         "device_scale_factor": 2}


class Visit:
    """One page load with outside requests blocked; what went wrong is recorded."""

    def __init__(self, browser, url: str, allowed: tuple[str, ...], init_script: str = "",
                 color_scheme: str = "light", phone: bool = False):
        # phone: a 390 px wide touch screen (a phone held upright), else a 1280x800 laptop
        screen = PHONE if phone else {"viewport": {"width": 1280, "height": 800}}
        self.context = browser.new_context(**screen, color_scheme=color_scheme)
        if init_script:  # runs in the page before any of its own scripts
            self.context.add_init_script(init_script)
        self.page = self.context.new_page()
        self.blocked: list[str] = []
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        allowed = (*allowed, "data:", "blob:", "about:")

        def route(r):
            if r.request.url.startswith(allowed):
                r.continue_()
            else:
                self.blocked.append(r.request.url)
                r.abort()

        self.context.route("**/*", route)
        self.page.on(
            "console", lambda m: m.type == "error" and self.console_errors.append(m.text)
        )
        self.page.on("pageerror", lambda e: self.page_errors.append(str(e)))
        self.page.goto(url, wait_until="load")
        self.math = self.page.evaluate(MATH_REPORT)
        self.broken_images = self.page.evaluate(BROKEN_IMAGES)

    def assert_clean(self) -> None:
        assert self.blocked == [], f"requests left the site: {self.blocked}"
        assert self.console_errors == [], f"console errors: {self.console_errors}"
        assert self.page_errors == [], f"page errors: {self.page_errors}"
        assert self.broken_images == [], f"broken images: {self.broken_images}"
        assert self.math["raw"] == [], f"formulas not rendered: {self.math['raw']}"
        assert self.math["errors"] == 0, "MathJax reported errors in formulas"

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(browser, server):
    """Open a page (``via="http"`` from the test server, or ``"file"``); closed after."""
    opened = []

    def _visit(path: str, via: str = "http", init_script: str = "",
               color_scheme: str = "light", phone: bool = False) -> Visit:
        if via == "http":
            v = Visit(browser, server + path, allowed=(server,), init_script=init_script,
                      color_scheme=color_scheme, phone=phone)
        else:
            v = Visit(browser, (SITE / path).as_uri(), allowed=("file://",),
                      init_script=init_script, color_scheme=color_scheme, phone=phone)
        opened.append(v)
        return v

    yield _visit
    for v in opened:
        v.close()
