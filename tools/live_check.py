"""Check a page's live cells and exercises as the browser will run them, in seconds.

    .venv/bin/python tools/live_check.py docs/softmax.md [slides/softmax.md ...]

For each page: runs its ``live-setup`` cells and then every ``live`` cell, in one
namespace, in a fresh interpreter where torch cannot be imported (the browser has
none), through the same runner the browser uses (``mlnotes_live.run_cell``). Each
live cell's text output is compared with the executed notebook of the last build
(``_build/jupyter_execute`` or a preview's), when there is one. Each checked
exercise's starter must fail its checks and its worked solution must pass them.
Exits non-zero on any problem. The browser suite (tests/site/test_live.py) is the
final word: it runs the same cells in Pyodide itself.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import importlib.abc, json, sys
class _NoTorch(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "torch" or name.startswith("torch."):
            raise ImportError(f"No module named {name!r}")
sys.meta_path.insert(0, _NoTorch())
sys.path.insert(0, sys.argv[1])
import matplotlib
matplotlib.use("Agg")
from mlnotes_live import run_cell, check_cell
job = json.load(sys.stdin)
ns, report = {}, []
for code in job["setup"]:
    r = run_cell(code, ns)
    report.append({"kind": "setup", "result": r})
for cell in job["cells"]:
    if cell["exercise"]:
        r = check_cell(cell["code"], dict(ns), cell["exercise"])
    else:
        r = run_cell(cell["code"], ns)
    for out in r["outputs"]:
        out.pop("png", None)
    report.append({"kind": cell["kind"], "index": cell["index"], "result": r})
print(json.dumps(report))
"""


def text_of(outputs: list[dict], types=("text", "value")) -> str:
    return "\n".join(o["text"].rstrip() for o in outputs if o["type"] in types).strip()


def built_outputs(page: Path) -> dict[int, str] | None:
    """Text outputs of the last build's executed notebook of ``page``, by cell index."""
    name = page.stem
    candidates = sorted((ROOT / "_build").glob(f"**/jupyter_execute*/{name}.ipynb"),
                        key=lambda p: p.stat().st_mtime, reverse=True)
    candidates = [c for c in candidates if (page.parent.name == "slides") ==
                  ("slides" in c.parent.name)]
    if not candidates:
        return None
    nb = json.loads(candidates[0].read_text())
    texts = {}
    for i, cell in enumerate(nb["cells"]):
        parts = []
        for out in cell.get("outputs", []):
            if out["output_type"] == "stream":
                parts.append("".join(out["text"]).rstrip())
            elif out["output_type"] == "execute_result" and "image/png" not in out["data"]:
                parts.append("".join(out["data"].get("text/plain", "")).rstrip())
        texts[i] = "\n".join(parts).strip()
    return texts


def check_page(page: Path) -> list[str]:
    from myst_nb.core.read import read_myst_markdown_notebook

    cells = read_myst_markdown_notebook(page.read_text(), path=str(page)).cells
    setup, job = [], []
    solutions = {}
    for i, c in enumerate(cells):
        if c.cell_type != "code":
            continue
        tags = c.get("metadata", {}).get("tags", [])
        ex = c.get("metadata", {}).get("exercise")
        if "live-setup" in tags:
            setup.append(c.source)
        if "exercise-solution" in tags:
            solutions[ex] = (i, c.source)
        if "live" in tags:
            job.append({"kind": "exercise-starter" if "exercise" in tags else "live",
                        "index": i, "code": c.source,
                        "exercise": ex if "exercise" in tags else None})
    for ex, (i, code) in solutions.items():
        job.append({"kind": "exercise-solution", "index": i, "code": code, "exercise": ex})
    result = subprocess.run(
        [sys.executable, "-c", CHILD, str(ROOT / "mlnotes_site" / "live" / "static")],
        input=json.dumps({"setup": setup, "cells": job}), capture_output=True, text=True,
        env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"},
    )
    if result.returncode:
        return [f"{page}: the runner failed:\n{result.stderr}"]
    report = json.loads(result.stdout)
    built = built_outputs(page)
    problems = []
    live = 0
    for item in report:
        r, kind = item["result"], item["kind"]
        where = f"{page}: {kind} cell {item.get('index', '')}"
        if not r["ok"]:
            problems.append(f"{where} raised:\n{text_of(r['outputs'], ('error',))}")
            continue
        if kind == "live":
            live += 1
            if built is not None and built.get(item["index"]) != text_of(r["outputs"]):
                problems.append(f"{where}: output differs from the build's\n--- build\n"
                                f"{built.get(item['index'])}\n--- live\n{text_of(r['outputs'])}")
        if kind == "exercise-starter" and r["grade"]["passed"]:
            problems.append(f"{where}: the starter passes its checks; it must fail")
        if kind == "exercise-solution" and not r["grade"]["passed"]:
            problems.append(f"{where}: the worked solution fails:\n{r['grade']['summary']}")
        if kind.startswith("exercise"):
            print(f"{where}: {r['grade']['summary'].splitlines()[0]}")
    starters = sum(1 for i in report if i["kind"] == "exercise-starter")
    print(f"{page}: {len(setup)} setup cells, {live} live cells, {starters} exercises"
          f"{'' if built is not None else ' (no build to compare with)'}")
    return problems


def main(argv: list[str]) -> int:
    problems = [p for page in argv for p in check_page(Path(page))]
    for p in problems:
        print(p, file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
