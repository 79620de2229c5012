"""Live cells in a browser: how soon a reader sees a cell's output, and what it loads.

    python -m benchmarks.live [--site _build/html] [--page softmax.html] [--runs 5]

Serves the built site on a loopback port and opens the page in Debian's Chromium
(headless), in a fresh browser context (empty cache, no service worker) for each
measure of each run, as a first-time reader's browser. Medians over the runs of:

- page open -> the output of the page's first NumPy cell, Run pressed as soon as the
  page has loaded (cold: worker, Pyodide, the page's setup, the cell);
- the same for the page's first cell that draws a figure;
- Run pressed 3 s after the reader focused the cell's editor (Python started on that
  intent), from the click to the output;
- a repeat visit in a new tab, once the first visit's service worker keeps the runtime;
- a warm re-run (median of 5 per run);
- the bytes the page loads before Python starts, and the bytes a cold Run moves.

And, with ``--training``, each live cell that trains (calls ``fit``, a trainer named
``train...``/``fit...`` or ``norm_training_losses``) on every page and deck: its default
run, Run to output, in a Python already started with the page's setup (the median of 3
runs, one browser context per page; issue 24's goal is 10 s).
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import re
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
#: issue 26's goals, in seconds
GOALS = {"numpy_s": 3.0, "figure_s": 3.5, "intent_s": 1.0, "repeat_s": 2.0, "warm_s": 0.1}
PAGE_BYTES_GOAL = 3e6
#: issue 24's goal for a live training experiment's default run, in seconds
TRAINING_GOAL_S = 10.0
#: a cell that trains: it calls fit, a trainer, or the normalisation page's training runs
TRAINS = re.compile(r"\b(fit\w*|train\w*|\w+_training\w*)\(")
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run"]


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _serve(site: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(_Quiet, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}/"


#: the index of the page's first live cell that draws (true) or does not (false)
FIRST = """(draws) => [...document.querySelectorAll('[data-live-cell]')].findIndex(c =>
  /matplotlib|plotting/.test(c.querySelector('.cm-content, textarea').textContent) === draws)"""


#: on a deck, go to the slide of live cell ``i`` (a hidden slide's buttons cannot be pressed)
SHOW = """(i) => { if (!window.Reveal) return;
  const at = Reveal.getIndices(document.querySelectorAll('[data-live-cell]')[i].closest('section'));
  Reveal.slide(at.h, at.v || 0); }"""


def _run_cell(page, index: int) -> float:
    """Press Run on live cell ``index``; the seconds until its output is shown."""
    page.evaluate("(i) => document.querySelectorAll('[data-live-cell]')[i]"
                  ".removeAttribute('data-live-state')", index)
    page.evaluate(SHOW, index)  # a deck's cell: go to its slide, where its Run can be pressed
    t0 = time.perf_counter()
    page.locator("[data-live-cell]").nth(index).get_by_role("button", name="Run",
                                                          exact=True).click()
    page.wait_for_function("(i) => document.querySelectorAll('[data-live-cell]')[i]"
                           ".getAttribute('data-live-state') === 'done'", arg=index,
                           timeout=180_000, polling=10)
    return time.perf_counter() - t0


def _open(context, url: str):
    t0 = time.perf_counter()
    page = context.new_page()
    page.goto(url, wait_until="load")
    return page, t0


def _run_once(browser, url: str) -> dict:
    result = {}
    # 1. open the page, Run its first NumPy cell at once; then warm re-runs; then a new tab
    context = browser.new_context()
    sizes: list[int] = []
    # a response the service worker answered is counted where the service worker fetched
    # it (its own request reaches the network once): not twice
    context.on("response", lambda r: sizes.append(0 if r.from_service_worker
                                                  else _body_size(r)))
    page, t0 = _open(context, url)
    page.evaluate("async () => { if (navigator.serviceWorker) "
                  "await navigator.serviceWorker.ready; }")
    before = sum(sizes)
    numpy_cell = page.evaluate(FIRST, False)
    _run_cell(page, numpy_cell)
    result["numpy_s"] = time.perf_counter() - t0
    # where it went, from the worker's own clock (seconds since it was asked to start)
    result["phases"] = page.evaluate("window.mlnotesLive.runtime.phases")
    page.wait_for_load_state("networkidle")
    result["page_bytes"], result["first_run_bytes"] = before, sum(sizes) - before
    result["warm_s"] = statistics.median(_run_cell(page, numpy_cell) for _ in range(5))
    tab, t0 = _open(context, url)  # the service worker now keeps the runtime
    _run_cell(tab, numpy_cell)
    result["repeat_s"] = time.perf_counter() - t0
    context.close()
    # 2. open the page, Run its first figure cell at once
    context = browser.new_context()
    page, t0 = _open(context, url)
    figure_cell = page.evaluate(FIRST, True)
    if figure_cell >= 0:
        _run_cell(page, figure_cell)
        result["figure_s"] = time.perf_counter() - t0
    context.close()
    # 3. focus the editor, read for 3 s, then Run
    context = browser.new_context()
    page, _ = _open(context, url)
    page.locator("[data-live-cell] .cm-content").nth(numpy_cell).focus()
    page.wait_for_timeout(3000)
    result["intent_s"] = _run_cell(page, numpy_cell)
    context.close()
    return result


def _body_size(response) -> int:
    try:
        return len(response.body())
    except Exception:  # noqa: BLE001 - a redirect or an aborted request has no body
        return 0


def measure(site: Path, page: str, runs: int) -> dict:
    from playwright.sync_api import sync_playwright

    httpd, base = _serve(site)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
            results = [_run_once(browser, base + page) for _ in range(runs)]
            browser.close()
    finally:
        httpd.shutdown()
    runtime = site / "_static" / "pyodide"
    manifest = json.loads((runtime / "mlnotes-live.json").read_text())
    out = {"page": page, "runs": results, "goals": GOALS, "pyodide": manifest["pyodide"],
           "runtime_bytes": sum(f.stat().st_size for f in runtime.rglob("*") if f.is_file()),
           "editor_bytes": (site / "_static" / "mlnotes-editor.js").stat().st_size,
           "page_bytes_goal": PAGE_BYTES_GOAL}
    for key in (*GOALS, "page_bytes", "first_run_bytes"):
        values = [r[key] for r in results if key in r]
        if values:
            out[key] = statistics.median(values)
    phases = [r["phases"] for r in results if r.get("phases")]
    if phases:
        out["phases"] = {k: statistics.median(p[k] for p in phases if p.get(k) is not None)
                         for k in ("download", "runtime", "imports", "setup_s")
                         if any(p.get(k) is not None for p in phases)}
    out["met"] = {key: out[key] <= goal for key, goal in GOALS.items() if key in out}
    out["met"]["page_bytes"] = out["page_bytes"] <= PAGE_BYTES_GOAL
    return out


#: each live cell's code, from the JSON its page carries, in the order of the cells
#: (an exercise's cell, which has Check and no Run, as '')
CODES = """() => [...document.querySelectorAll('[data-live-cell]')].map(c => {
  const s = c.querySelector('script.mlnotes-live-source');
  return s && !c.closest('[data-exercise]') ? JSON.parse(s.textContent).code : ''; })"""


def _training_cells(codes: list[str]) -> list[int]:
    return [k for k, code in enumerate(codes) if TRAINS.search(code)]


def _first_line(code: str) -> str:
    lines = [line for line in code.splitlines() if line.strip() and not line.startswith("#")]
    return lines[0][:60] if lines else ""


def measure_training(site: Path, runs: int = 3, pages: list[str] | None = None) -> dict:
    """Each live training cell of the site's pages and decks: Run to output, ``runs`` times
    in a Python started (with the page's setup) before the first; medians in seconds."""
    from playwright.sync_api import sync_playwright

    if pages is None:
        found = sorted([*site.glob("*.html"), *(site / "slides").glob("*.html")])
        pages = [p.relative_to(site).as_posix() for p in found
                 if TRAINS.search(p.read_text(errors="replace"))
                 and "mlnotes-live-source" in p.read_text(errors="replace")]
    httpd, base = _serve(site)
    cells = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
            for name in pages:
                context = browser.new_context(viewport={"width": 1280, "height": 800})
                page = context.new_page()
                page.goto(base + name, wait_until="load")
                page.wait_for_function("!window.Reveal || Reveal.isReady()", timeout=15_000)
                codes = page.evaluate(CODES)
                chosen = _training_cells(codes)
                if chosen:
                    # start Python and run the page's setup: what a reader's first Run pays once
                    page.evaluate("async () => { const r = window.mlnotesLive.runtime; "
                                  "await r.run('pass', () => {}, null, null); }")
                for k in chosen:
                    times = [_run_cell(page, k) for _ in range(runs)]
                    cells.append({"page": name, "cell": k, "code": _first_line(codes[k]),
                                  "runs": times, "median_s": statistics.median(times)})
                context.close()
            browser.close()
    finally:
        httpd.shutdown()
    return {"cells": cells, "goal_s": TRAINING_GOAL_S,
            "met": all(c["median_s"] <= TRAINING_GOAL_S for c in cells)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=ROOT / "_build" / "html")
    parser.add_argument("--page", default="softmax.html")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--training", action="store_true",
                        help="time every live training cell instead (median of 3)")
    args = parser.parse_args(argv)
    from benchmarks import report

    if args.training:
        print(report.training_table(measure_training(args.site.resolve())))
        return 0
    result = measure(args.site.resolve(), args.page, args.runs)
    print(report.live_table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
