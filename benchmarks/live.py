"""Live cells in a browser: the first Run (cold) and a re-run (warm), and what they load.

    python -m benchmarks.live [--site _build/html] [--page softmax.html] [--runs 3]

Serves the built site on a loopback port and opens the page in Debian's Chromium
(headless, every request outside the site refused), in a fresh browser context per
run, so each cold start downloads and starts Python as a first-time reader's
browser does. Measures, from the click to the output shown: the first Run of the
page's first live cell (cold: worker, Pyodide, numpy, mlnotes, the page's setup,
matplotlib when it draws), then five re-runs (warm). Counts the bytes the page
loads before the first Run and what the first Run adds; and the size of the runtime
folder the site publishes. Goals: cold <= 6 s, warm <= 0.5 s.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
COLD_GOAL, WARM_GOAL = 6.0, 0.5
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


def _run_once(browser, url: str, base: str) -> dict:
    context = browser.new_context()
    sizes: list[tuple[float, int]] = []  # (time, bytes) of every response from the site

    def on_response(response):
        try:
            sizes.append((time.perf_counter(), len(response.body())))
        except Exception:  # noqa: BLE001 - a redirect or an aborted request has no body
            pass

    context.on("response", on_response)
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(
        (base, "data:", "blob:")) else r.abort())
    page = context.new_page()
    page.goto(url, wait_until="networkidle")
    before = sum(n for _, n in sizes)
    cell = page.locator("[data-live-cell]").first
    run = cell.get_by_role("button", name="Run", exact=True)

    def timed() -> float:
        page.evaluate("document.querySelector('[data-live-cell]')"
                      ".removeAttribute('data-live-state')")
        t0 = time.perf_counter()
        run.click()
        page.wait_for_function("document.querySelector('[data-live-cell]')"
                               ".getAttribute('data-live-state') === 'done'", timeout=120_000,
                               polling=10)
        return time.perf_counter() - t0

    cold = timed()
    page.wait_for_load_state("networkidle")
    after = sum(n for _, n in sizes)
    warm = [timed() for _ in range(5)]
    context.close()
    return {"cold_s": cold, "warm_s": statistics.median(warm), "page_bytes": before,
            "first_run_bytes": after - before}


def measure(site: Path, page: str, runs: int) -> dict:
    from playwright.sync_api import sync_playwright

    httpd, base = _serve(site)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=FLAGS)
            results = [_run_once(browser, base + page, base) for _ in range(runs)]
            browser.close()
    finally:
        httpd.shutdown()
    runtime = site / "_static" / "pyodide"
    manifest = json.loads((runtime / "mlnotes-live.json").read_text())
    cold = statistics.median(r["cold_s"] for r in results)
    warm = statistics.median(r["warm_s"] for r in results)
    return {
        "page": page,
        "runs": results,
        "cold_s": cold,
        "warm_s": warm,
        "cold_goal_s": COLD_GOAL,
        "warm_goal_s": WARM_GOAL,
        "cold_met": cold <= COLD_GOAL,
        "warm_met": warm <= WARM_GOAL,
        "page_bytes": statistics.median(r["page_bytes"] for r in results),
        "first_run_bytes": statistics.median(r["first_run_bytes"] for r in results),
        "runtime_bytes": sum(f.stat().st_size for f in runtime.rglob("*") if f.is_file()),
        "pyodide": manifest["pyodide"],
        "editor_bytes": (site / "_static" / "mlnotes-editor.js").stat().st_size,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, default=ROOT / "_build" / "html")
    parser.add_argument("--page", default="softmax.html")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    result = measure(args.site.resolve(), args.page, args.runs)
    from benchmarks import report

    print(report.live_table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
