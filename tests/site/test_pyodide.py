"""The package in the browser's Python: every module's doctests inside Pyodide.

Runs tests/pyodide/run_doctests.mjs in Node on the runtime and wheels the built
site publishes (``_static/pyodide``), so what is tested is what a reader's browser
loads. Docstrings whose examples need torch are skipped there (no torch in the
browser) and reported by name.
"""

from __future__ import annotations

import json
import shutil
import subprocess

from sitekit import ROOT, SITE


def test_doctests_pass_inside_pyodide(site):
    node = shutil.which("node")
    assert node, "Node.js is needed to run Pyodide outside a browser"
    result = subprocess.run(
        [node, str(ROOT / "tests" / "pyodide" / "run_doctests.mjs"),
         str(SITE / "_static" / "pyodide")],
        capture_output=True, text=True, timeout=600,
    )
    lines = result.stdout.strip().splitlines()
    assert result.returncode == 0 and lines, result.stderr[-3000:]
    summary = json.loads(lines[-1])
    print(f"Pyodide doctests: {summary['attempted']} examples in "
          f"{summary['docstrings_run']} docstrings passed; "
          f"{summary['docstrings_skipped']} docstrings need torch: {summary['skipped']}")
    assert summary["failed"] == 0, "\n".join(lines[:-1])[-6000:]
    assert summary["docstrings_run"] >= 100 and summary["attempted"] >= 250
    # a cold start (a fresh Pyodide) imports matplotlib with the font list the build wrote:
    # the official wheel's list is stamped for another version and was rebuilt every time
    assert "building the font cache" not in result.stderr, result.stderr[-2000:]
