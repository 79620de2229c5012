"""The built site's tests: where the site is, its pages and decks, a server, a browser.

(Named sitekit, not conftest, so that tests import it without colliding with the
unit tests' conftest.py; tests/site/conftest.py only re-exports the fixtures.)

These tests read what `make html` produced (`_build/html`, or the folder named by
MLNOTES_SITE). `make test` builds first; run alone, they fail with that advice.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(os.environ.get("MLNOTES_SITE", ROOT / "_build" / "html")).resolve()
DECKS = SITE / "slides"
SCREENSHOTS = ROOT / "_build" / "screenshots"
NOT_CONTENT = {"genindex.html", "search.html", "py-modindex.html"}

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


def _require_site() -> None:
    if not (SITE / "index.html").is_file() or not (DECKS / "index.html").is_file():
        pytest.fail(f"no built site at {SITE}: run `make html` first", pytrace=False)


def book_pages() -> list[str]:
    """Every page of the book, as paths relative to the site (API pages included)."""
    if not SITE.is_dir():
        return []
    pages = [p for p in SITE.glob("*.html") if p.name not in NOT_CONTENT]
    pages += SITE.glob("api/*.html")
    return sorted(p.relative_to(SITE).as_posix() for p in pages)


def decks() -> list[str]:
    """Every deck, as paths relative to the site."""
    if not DECKS.is_dir():
        return []
    return sorted(
        p.relative_to(SITE).as_posix() for p in DECKS.glob("*.html") if p.name not in NOT_CONTENT
    )


def concept_decks() -> list[str]:
    """The lecture decks, without the list of decks."""
    return [d for d in decks() if not d.endswith("/index.html")]


@pytest.fixture(scope="session")
def site() -> Path:
    _require_site()
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
