"""Render every lecture deck to a PDF handout, one slide per page.

    python tools/handouts.py [SITE] [OUT]                 (make handouts)
    python tools/handouts.py --ink INK.json [SITE] [OUT]  (make handouts INK=INK.json)

Each deck is opened from file:// in Debian's Chromium with reveal.js's print view
(``?print-pdf``), which lays every slide out on a page of its own with all
fragments shown, and Chromium prints it. Nothing is fetched from a network.

With ``--ink``, a file of ink saved in a deck (its D key) is printed on its slides:
only that deck, into ``OUT/<deck>-ink.pdf``, beside the clean handouts.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
NOT_DECKS = {"genindex.html", "search.html"}


def deck_paths(site: Path) -> list[Path]:
    """The decks of a built site, the list of decks included."""
    return sorted(p for p in (site / "slides").glob("*.html") if p.name not in NOT_DECKS)


def pdf_page_count(pdf: bytes) -> int:
    """Pages in a PDF written by Chromium (its page objects are not compressed)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", pdf))


def read_ink(path: Path) -> dict:
    r"""The ink file at ``path`` (saved by a deck's D key), checked to be one.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     saved = Path(folder) / "softmax-ink.json"
    ...     _ = saved.write_text('{"format": "mlnotes-ink", "deck": "softmax", "slides": {}}')
    ...     read_ink(saved)["deck"]
    'softmax'
    """
    ink = json.loads(Path(path).read_text(encoding="utf-8"))
    if not isinstance(ink, dict) or ink.get("format") != "mlnotes-ink" or "deck" not in ink:
        raise ValueError(f"path must be an ink file saved by a deck (its D key), got {path}")
    return ink


def render(decks: list[Path], out: Path, browser,
           ink: dict | None = None) -> dict[str, tuple[int, int]]:
    """Print each deck to ``out/<name>.pdf``; return {name: (slides, pages)}.

    With ``ink`` (see :func:`read_ink`), its drawings are printed on their slides and
    the PDF is ``out/<name>-ink.pdf``.
    """
    out.mkdir(parents=True, exist_ok=True)
    counts = {}
    for deck in decks:
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        if ink is not None:  # the deck's print view reads it (slides/_static/mlnotes-ink.js)
            page.add_init_script(f"window.mlnotesInkFile = {json.dumps(ink)};")
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(
            ("file:", "data:", "blob:", "about:")) else r.abort())
        page.goto(deck.as_uri() + "?print-pdf", wait_until="load")
        page.wait_for_function("window.Reveal && Reveal.isReady()", timeout=30_000)
        page.evaluate("""async () => {
            if (window.MathJax && MathJax.startup) await MathJax.startup.promise;
        }""")
        page.wait_for_timeout(300)  # let reveal lay out the print view
        if ink is not None:
            page.wait_for_function("window.mlnotesInk && mlnotesInk.printed", timeout=30_000)
        slides = page.evaluate("Reveal.getTotalSlides()")
        target = out / f"{deck.stem}{'-ink' if ink is not None else ''}.pdf"
        page.pdf(path=str(target), print_background=True, prefer_css_page_size=True)
        page.close()
        counts[deck.stem] = (slides, pdf_page_count(target.read_bytes()))
        print(f"handout {target.relative_to(out.parent)}: {slides} slides, "
              f"{counts[deck.stem][1]} pages", flush=True)
    return counts


def main(argv: list[str]) -> int:
    from playwright.sync_api import sync_playwright

    args = list(argv[1:])
    ink = None
    if args[:1] == ["--ink"]:
        if len(args) < 2:
            print("usage: handouts.py --ink INK.json [SITE] [OUT]", file=sys.stderr)
            return 1
        try:
            ink = read_ink(Path(args[1]))
        except (OSError, ValueError) as error:
            print(f"cannot read the ink: {error}", file=sys.stderr)
            return 1
        args = args[2:]
    site = (Path(args[0]) if args else ROOT / "_build" / "html").resolve()
    out = Path(args[1]) if len(args) > 1 else ROOT / "_build" / "handouts"
    decks = deck_paths(site)
    if not decks:
        print(f"no decks under {site}/slides: run `make html` first", file=sys.stderr)
        return 1
    if ink is not None:
        decks = [d for d in decks if d.stem == ink["deck"]]
        if not decks:
            print(f"the ink's deck {ink['deck']!r} is not under {site}/slides", file=sys.stderr)
            return 1
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("Debian's chromium is missing: run `make browser`", file=sys.stderr)
        return 1
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=FLAGS)
        counts = render(decks, out, browser, ink)
        browser.close()
    bad = {name: c for name, c in counts.items() if c[0] != c[1]}
    if bad:
        print(f"slide and page counts differ: {bad}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
