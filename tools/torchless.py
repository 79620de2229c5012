"""How many of the pages' and decks' code cells run in a Python that has no torch?

The reader's browser has no torch (Pyodide), so a cell runs live only if it needs
none. This census reads each page's MyST source (``docs/<page>.md``, and the deck
``slides/<page>.md``), runs its code cells in order in one namespace, in a fresh
interpreter whose import system refuses torch, and reports each cell that fails
(with the error's last line). A cell that fails only because an earlier cell
failed counts as failing: that is what the reader meets.

Usage::

    .venv/bin/python tools/torchless.py                  # every page and deck
    .venv/bin/python tools/torchless.py gating vae       # some
    .venv/bin/python tools/torchless.py --root ../wt --json census.json

Exit status 0; the numbers are printed (and written as JSON with ``--json``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
from pathlib import Path

CELL = re.compile(r"^```\{code-cell\}[^\n]*\n(.*?)^```[ \t]*$", re.S | re.M)

# Runs in the child: refuse torch, then run each cell and report one JSON line per cell.
CHILD = r"""
import importlib.abc, json, sys, traceback, io, contextlib
class _NoTorch(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "torch" or name.startswith("torch."):
            raise ImportError(f"No module named {name!r}")
sys.meta_path.insert(0, _NoTorch())
import matplotlib
matplotlib.use("Agg")
cells = json.load(sys.stdin)
namespace = {"__name__": "__main__"}
for k, code in enumerate(cells):
    sink = io.StringIO()
    try:
        with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
            exec(compile(code, f"<cell {k}>", "exec"), namespace)
        error = None
    except BaseException as exc:  # noqa: BLE001 - every failure is reported
        error = f"{type(exc).__name__}: {exc}".splitlines()[0][:200]
    try:
        import matplotlib.pyplot as plt
        plt.close("all")
    except Exception:
        pass
    print(json.dumps({"cell": k, "error": error}), flush=True)
"""


def code_cells(path: Path) -> list[str]:
    """The code of each ``{code-cell}`` of a MyST page, without its options."""
    cells = []
    for body in CELL.findall(path.read_text()):
        lines = body.splitlines()
        if lines and lines[0].strip() == "---":  # a YAML block of options
            end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
            lines = lines[end + 1:]
        while lines and re.match(r"^:[\w-]+:", lines[0]):  # :tags: [live], :claim: ...
            lines = lines[1:]
        code = "\n".join(line for line in lines if not line.lstrip().startswith(("%", "!")))
        cells.append(code)
    return cells


def census(root: Path, path: Path) -> dict:
    cells = code_cells(path)
    env = {**os.environ, "PYTHONPATH": str(root / "src"), "MPLBACKEND": "Agg",
           "OMP_NUM_THREADS": "1"}
    run = subprocess.run([sys.executable, "-c", CHILD], input=json.dumps(cells), text=True,
                         capture_output=True, env=env, cwd=path.parent, timeout=1800)
    results = [json.loads(line) for line in run.stdout.splitlines() if line.startswith("{")]
    failing = [dict(r, first_line=cells[r["cell"]].strip().splitlines()[0][:80]
                    if cells[r["cell"]].strip() else "")
               for r in results if r["error"]]
    if len(results) < len(cells):  # the child itself died: the rest count as failing
        failing += [{"cell": k, "error": "not reached: " + run.stderr.strip()[-200:],
                     "first_line": ""} for k in range(len(results), len(cells))]
    return {"page": str(path.relative_to(root)), "cells": len(cells), "failing": failing}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("pages", nargs="*", help="page names (default: every page and deck)")
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parents[1])
    parser.add_argument("--json", type=Path, help="write the census here")
    args = parser.parse_args()
    root = args.root.resolve()
    paths = sorted((root / "docs").glob("*.md")) + sorted((root / "slides").glob("*.md"))
    if args.pages:
        paths = [p for p in paths if p.stem in args.pages]
    reports = [census(root, p) for p in paths if CELL.search(p.read_text())]
    total = sum(r["cells"] for r in reports)
    bad = sum(len(r["failing"]) for r in reports)
    for r in reports:
        print(f"{r['page']}: {r['cells'] - len(r['failing'])}/{r['cells']} run without torch")
        for f in r["failing"]:
            print(f"    cell {f['cell']}: {f['first_line']!r}: {f['error']}")
    share = 100 * (total - bad) / total if total else 100.0
    print(f"total: {total - bad} of {total} code cells run without torch ({share:.1f} %)")
    if args.json:
        args.json.write_text(json.dumps({"total": total, "failing": bad, "pages": reports},
                                        indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
