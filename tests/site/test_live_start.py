"""Live cells start fast: Python starts on the reader's intent, and the next visit needs no network.

- Focus a live cell's editor, then Run: the Run is served by the worker the focus started
  (asserted by the page's own count of workers, not by a time).
- The service worker keeps the runtime: after one visit, a new tab's live cell runs with no
  request for a runtime file, a wheel or the worker reaching the server; a new build (a new
  version of the service worker) replaces the cache.
- A deck starts Python when a slide with a live cell is shown.
- The status line counts the bytes it loads.
- A page weighs at most 3 MB before Python (the softmax page, the one `make bench` times):
  every byte its loading moves, counted in the browser, the fonts its formulas use included.

The server here logs every path it serves, so "reached the server" is what it saw.
"""

from __future__ import annotations

import functools
import http.server
import threading

import pytest
from sitekit import SITE

RUNTIME = ("/_static/pyodide/", "/_static/mlnotes-live-worker.js", "/_static/mlnotes_live.py")


class _LoggingHandler(http.server.SimpleHTTPRequestHandler):
    """Serves the site; records each path; can serve the service worker as a newer build's."""

    log: list[str] = []
    version_suffix = ""

    def log_message(self, *args):
        pass

    def do_GET(self):  # noqa: N802 - http.server's name
        type(self).log.append(self.path.split("?")[0])
        if self.path.split("?")[0] == "/mlnotes-sw.js" and type(self).version_suffix:
            body = (SITE / "mlnotes-sw.js").read_text().replace(
                'const VERSION = "', 'const VERSION = "' + type(self).version_suffix)
            data = body.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/javascript")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        super().do_GET()


@pytest.fixture
def logged_server(site):
    handler = type("Handler", (_LoggingHandler,), {"log": [], "version_suffix": ""})
    httpd = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(site)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/", handler
    httpd.shutdown()
    httpd.server_close()


DONE = ("document.querySelector('[data-live-cell]')"
        ".getAttribute('data-live-state') === 'done'")


def _run_first_cell(page):
    cell = page.locator("[data-live-cell]").first
    cell.get_by_role("button", name="Run", exact=True).click()
    page.wait_for_function(DONE, timeout=180_000)


def test_focus_starts_python_and_run_finds_it_started(browser, logged_server):
    base, handler = logged_server
    context = browser.new_context()
    page = context.new_page()
    page.goto(base + "softmax.html", wait_until="load")
    page.wait_for_timeout(500)
    assert page.evaluate("window.mlnotesLive.runtime.starts") == 0, "Python started on load"
    assert not any(p.startswith(RUNTIME[0]) for p in handler.log), "runtime fetched on load"
    page.locator("[data-live-cell] .cm-content").first.focus()
    statuses = []
    page.expose_function("noteStatus", lambda text: statuses.append(text))
    page.evaluate("""() => window.mlnotesLive.runtime.listeners.add(t => window.noteStatus(t))""")
    assert page.evaluate("async () => { await window.mlnotesLive.runtime.ready; "
                         "return window.mlnotesLive.runtime.startedBy; }") == "intent"
    _run_first_cell(page)
    assert page.evaluate("window.mlnotesLive.runtime.starts") == 1
    # the status line said what it loaded and how far: "12.3 of 34.6 MB"
    assert any(" of " in s and s.rstrip("…").endswith("MB") for s in statuses), statuses
    context.close()


def test_saving_data_starts_nothing_early(browser, logged_server):
    base, _ = logged_server
    context = browser.new_context()
    context.add_init_script("Object.defineProperty(navigator, 'connection', "
                            "{value: {saveData: true}})")
    page = context.new_page()
    page.goto(base + "softmax.html", wait_until="load")
    page.locator("[data-live-cell] .cm-content").first.focus()
    page.wait_for_timeout(1000)
    assert page.evaluate("window.mlnotesLive.runtime.starts") == 0
    context.close()


def test_the_next_visit_takes_python_from_the_service_workers_cache(browser, logged_server):
    base, handler = logged_server
    context = browser.new_context()
    page = context.new_page()
    page.goto(base + "softmax.html", wait_until="load")
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")
    _run_first_cell(page)
    kept = page.evaluate("""async () => {
        const names = await caches.keys();
        const mine = names.filter(n => n.startsWith('mlnotes-live-'));
        const cache = await caches.open(mine[0]);
        return [mine, (await cache.keys()).length];
    }""")
    assert len(kept[0]) == 1 and kept[1] >= 10, kept

    handler.log.clear()
    tab = context.new_page()  # a new tab, as a reader comes back
    tab.goto(base + "softmax.html", wait_until="load")
    _run_first_cell(tab)
    reached = [p for p in handler.log if p.startswith(RUNTIME)]
    assert reached == [], f"runtime files reached the server on the second visit: {reached}"

    # a new build publishes a new service worker: it replaces the old build's cache
    handler.version_suffix = "next-"
    names = tab.evaluate("""async () => {
        const registration = await navigator.serviceWorker.getRegistration();
        await registration.update();
        const worker = registration.installing || registration.waiting || registration.active;
        if (worker.state !== 'activated') {
            await new Promise(done => worker.addEventListener('statechange',
                () => worker.state === 'activated' && done()));
        }
        return (await caches.keys()).filter(n => n.startsWith('mlnotes-live-'));
    }""")
    assert kept[0][0] not in names, f"the old build's cache is still there: {names}"
    assert all(n.startswith("mlnotes-live-next-") for n in names), names
    context.close()


def test_a_deck_starts_python_when_a_live_slide_is_shown(browser, logged_server):
    base, _ = logged_server
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(base + "slides/softmax.html", wait_until="load")
    page.wait_for_function("window.Reveal && Reveal.isReady()")
    assert page.evaluate("window.mlnotesLive.runtime.starts") == 0
    page.evaluate("""() => {
        const s = Reveal.getSlides().find(s => s.querySelector('[data-live-cell]'));
        const i = Reveal.getIndices(s);
        Reveal.slide(i.h, i.v || 0);
    }""")
    assert page.evaluate("async () => { await window.mlnotesLive.runtime.ready; "
                         "return window.mlnotesLive.runtime.startedBy; }") == "intent"
    context.close()


#: what a reader's page load moves (a byte count: load cannot change it), issue 26's goal
PAGE_BYTES_GOAL = 3_000_000


def test_a_page_weighs_at_most_3_mb_before_python(browser, logged_server):
    base, handler = logged_server
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    sizes: dict[str, int] = {}

    def count(response):
        try:
            sizes[response.url] = len(response.body())
        except Exception:  # noqa: BLE001 - a redirect has no body
            pass

    context.on("response", count)
    page = context.new_page()
    page.goto(base + "softmax.html", wait_until="load")
    # every formula typeset (its fonts are requested as it draws), every image shown
    page.evaluate("async () => { await MathJax.startup.promise; await document.fonts.ready; }")
    page.wait_for_load_state("networkidle")
    assert page.evaluate("window.mlnotesLive.runtime.starts") == 0
    assert not any(p.startswith(RUNTIME[0]) for p in handler.log)
    total = sum(sizes.values())
    largest = sorted(sizes.items(), key=lambda kv: -kv[1])[:5]
    assert total <= PAGE_BYTES_GOAL, f"{total / 1e6:.2f} MB; the largest: {largest}"
    # formulas drawn by the CommonHTML bundle, from its own fonts; no search index
    assert any("/_static/mathjax/tex-chtml.js" in url for url in sizes)
    assert any("/_static/mathjax/output/chtml/fonts/" in url for url in sizes)
    assert not any(url.split("?")[0].endswith("/searchindex.js") for url in sizes)
    context.close()
