"""``make bench``: the build and kernel benchmarks, their tables, and the results file.

    python -m benchmarks.run [--runs R] [--repeats R] [--skip-build] [--skip-kernels]
                             [--skip-live]

Writes ``benchmarks/results.json`` (committed: docs/performance.md shows it) and a
copy in ``<build folder>/bench/results.json``, then prints the tables. A run that
skips a part keeps that part of the previous results file, with its own date.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from benchmarks import build, live, report

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "docs" / "performance.md"


def _now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")


def kernels(repeats: int, threads: int | None) -> dict:
    """The kernel benchmark, in a fresh interpreter so its thread settings take effect."""
    env = dict(os.environ)
    if threads:
        env["MLNOTES_BENCH_THREADS"] = str(threads)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "kernels.json"
        cmd = [sys.executable, "-m", "benchmarks.kernels", "--repeats", str(repeats),
               "--json", str(out)]
        subprocess.run(cmd, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
        return json.loads(out.read_text())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="build runs (median)")
    parser.add_argument("--repeats", type=int, default=7, help="timed runs per kernel (median)")
    parser.add_argument("--threads", type=int, help="threads for torch and NumPy (default: all)")
    parser.add_argument("--page", default="softmax", help="the page the one-page rebuild edits")
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("--skip-kernels", action="store_true")
    parser.add_argument("--skip-live", action="store_true")
    parser.add_argument("--live-runs", type=int, default=5,
                        help="fresh-browser runs of the live-cell measures (median)")
    parser.add_argument("--no-test", action="store_true", help="do not time `make test`")
    parser.add_argument("--build-folder", type=Path,
                        default=Path(os.environ.get("MLNOTES_BUILD", ROOT / "_build")),
                        help="the Makefile's BUILD folder (a copy of the results goes there)")
    args = parser.parse_args(argv)
    say = lambda s: print(s, file=sys.stderr, flush=True)  # noqa: E731

    results = report.load() or {}
    results["created"] = _now()
    results["command"] = "python -m benchmarks.run " + shlex.join(argv or sys.argv[1:])
    say(f"nproc: {len(os.sched_getaffinity(0))}")
    if not args.skip_kernels:
        say("kernels (ours vs torch, same process) ...")
        results["kernels"] = kernels(args.repeats, args.threads) | {"measured": _now()}
    if not args.skip_build:
        say("build (make html / make test into a folder of their own) ...")
        folder = args.build_folder.resolve() / "bench" / "site"
        results["build"] = build.run(args.runs, folder, args.page, not args.no_test,
                                     progress=say) | {"measured": _now()}

    if not args.skip_live:
        say("live cells (Chromium, cold and warm Run on the built site) ...")
        site = args.build_folder.resolve() / "html"
        if not (site / "_static" / "pyodide").is_dir():
            site = args.build_folder.resolve() / "bench" / "site" / "html"
        previous = results.get("live") or {}
        if previous and "goals" not in previous:  # the measure before the fast start
            results["live_before"] = previous
        results["live"] = live.measure(site, "softmax.html", args.live_runs) | {"measured": _now()}
        say("live training cells (Chromium, each Run 3 times in a started Python) ...")
        results["live_training"] = live.measure_training(site) | {"measured": _now()}

    target = ROOT / "benchmarks" / "results.json"
    target.write_text(json.dumps(results, indent=1) + "\n")
    copy = args.build_folder.resolve() / "bench" / "results.json"
    copy.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(target, copy)
    # Sphinx re-reads a page only when its file changed: mark the page that shows
    # the results as changed, so the next `make html` shows the new ones.
    if PAGE.is_file():
        os.utime(PAGE)
    print(report.markdown(results))
    print(f"\nwritten: {target.relative_to(ROOT)} and {copy}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
