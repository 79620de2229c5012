"""How long the book takes to build, rebuild and test, measured with the Makefile's own targets.

    python -m benchmarks.build [--runs R] [--folder DIR] [--page NAME] [--no-test]

Each run, in a build folder of its own (``make html BUILD=<folder>``, so the
shared ``_build/html`` and its caches are left alone):

1. **cold**: the folder emptied, then ``make html``: every cell of every page and
   deck executed;
2. **no-op**: ``make html`` again, nothing changed;
3. **touch**: one page's modification time set to now (its text unchanged), then
   ``make html``: Sphinx re-reads and re-writes that page; its cells come from the
   execution cache, as for an edit to its prose; the old time is then restored;
4. **test**: ``make test`` against that folder (lint, the no-op build, unit tests,
   doctests and the site tests).

``MLNOTES_ONLY=a,b`` in the environment restricts the build to those pages
(see conf.py), for a quick check of this script.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Variables a parent `make bench` leaves in the environment: they would pass its
# command line (BUILD=..., RUNS=...) on to the `make` calls below.
_MAKE_VARS = ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES", "MLNOTES_BUILD")


def _env(folder: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _MAKE_VARS}
    env["MLNOTES_SITE"] = str(folder / "html")  # where the site tests look
    return env


def timed_make(target: str, folder: Path, log: Path) -> float:
    """Seconds that ``make <target> BUILD=<folder>`` took; its output goes to ``log``."""
    cmd = ["make", target, f"BUILD={folder}"]
    start = time.perf_counter()
    with open(log, "a") as out:
        out.write(f"\n$ {' '.join(cmd)}\n")
        out.flush()
        done = subprocess.run(cmd, cwd=ROOT, env=_env(folder), stdout=out,
                              stderr=subprocess.STDOUT)
    elapsed = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"`{' '.join(cmd)}` failed (exit {done.returncode}); see {log}")
    return elapsed


@contextmanager
def touched(page: Path) -> Iterator[None]:
    """``page``'s modification time set to now, and the old one restored afterwards."""
    before = page.stat()
    os.utime(page)
    try:
        yield
    finally:
        os.utime(page, ns=(before.st_atime_ns, before.st_mtime_ns))


def run(runs: int = 3, folder: Path | None = None, page: str = "softmax",
        test: bool = True, progress=print) -> dict:
    """Time the build steps ``runs`` times; medians and every run's time, in seconds."""
    folder = Path(folder or ROOT / "_build" / "bench" / "site").resolve()
    log = folder.parent / f"{folder.name}.log"  # beside the folder, which each run empties
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text("")
    source = ROOT / "docs" / f"{page}.md"
    if not source.is_file():
        raise FileNotFoundError(f"--page {page}: no {source.relative_to(ROOT)}")
    times: dict[str, list[float]] = {"cold": [], "noop": [], "touch": []}
    if test:
        times["test"] = []
    for r in range(1, runs + 1):
        shutil.rmtree(folder, ignore_errors=True)
        progress(f"  run {r}/{runs}: cold build ...")
        times["cold"].append(timed_make("html", folder, log))
        progress(f"  run {r}/{runs}: no-op rebuild ...")
        times["noop"].append(timed_make("html", folder, log))
        progress(f"  run {r}/{runs}: rebuild after touching docs/{page}.md ...")
        with touched(source):
            times["touch"].append(timed_make("html", folder, log))
        if test:
            progress(f"  run {r}/{runs}: make test ...")
            times["test"].append(timed_make("test", folder, log))
    return {
        "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
        "runs": runs,
        "only": os.environ.get("MLNOTES_ONLY") or None,
        "touched": f"docs/{page}.md",
        "folder": str(folder),
        "log": str(log),
        "times": times,
        "medians": {k: statistics.median(v) for k, v in times.items()},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--folder", type=Path, help="build folder (default _build/bench/site)")
    parser.add_argument("--page", default="softmax", help="the page to touch (docs/<page>.md)")
    parser.add_argument("--no-test", action="store_true", help="skip `make test`")
    args = parser.parse_args(argv)
    from benchmarks import report

    build = run(args.runs, args.folder, args.page, not args.no_test,
                progress=lambda s: print(s, file=sys.stderr, flush=True))
    print(report.build_table(build))
    return 0


if __name__ == "__main__":
    sys.exit(main())
