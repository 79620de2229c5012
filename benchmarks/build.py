"""How long the book takes to build, rebuild and test, measured with the Makefile's own targets.

    python -m benchmarks.build [--runs R] [--folder DIR] [--page NAME] [--no-test]

Each run, in a build folder of its own (``make html BUILD=<folder>``, so the
shared ``_build/html`` and its caches are left alone):

1. **cold**: the folder emptied, then ``make html``: every cell of every page and
   deck executed;
2. **no-op**: ``make html`` again, nothing changed;
3. **edit**: one page's content changed (a short section with a code cell appended,
   numbered by the run), then ``make html``: Sphinx re-reads and re-writes that page
   and, since its code changed, the page's cells all run again (the execution cache
   is keyed by the code). The page is restored in a ``finally``, byte for byte and
   with its old modification time; while it is edited, the original waits in a copy
   in the benchmark's own folder (``<folder>.edit/``), from which the next run puts
   it back should a run ever be killed before its ``finally``;
4. **check**: ``make check`` (lint, unit tests and doctests: no build, no browser);
5. **test**: ``make test`` against that folder (lint, the no-op build, unit tests,
   doctests and the site tests).

``python -m benchmarks.build --dry-run-edit`` shows the edit on a copy of the page
(in a temporary folder, docs/ untouched) and checks that it is undone exactly.

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


EDIT_MARK = "<!-- benchmarks/build.py: edit for the one-page rebuild; removed after it -->"


def edit_text(original: str, run: int) -> str:
    """``original`` with a short section appended: prose and a code cell, numbered by ``run``.

    A new code cell changes the page's notebook, so the build executes the page's
    cells again, as after a real edit to its code.
    """
    return (original.rstrip("\n") + f"\n\n{EDIT_MARK}\n\n## Benchmark edit {run}\n\n"
            f"This section is added by the build benchmark for one rebuild, then removed.\n\n"
            f"```{{code-cell}} ipython3\nprint(\"benchmark edit, run {run}\")\n```\n")


def _restore_stale(page: Path, backup: Path, progress=print) -> None:
    """Put back a page that a killed run left edited (its original is in ``backup``)."""
    original = backup / page.name
    if not original.is_file():
        return
    if page.is_file() and EDIT_MARK in page.read_text():
        shutil.copy2(original, page)
        progress(f"  restored {page.name} from {original}, left edited by an earlier run")
    original.unlink()


@contextmanager
def edited(page: Path, backup: Path, run: int = 1, progress=print) -> Iterator[str]:
    """``page`` with :func:`edit_text`'s section appended; restored afterwards, whatever happens.

    The original is first copied (bytes and times) to ``backup/<name>``, the
    benchmark's own folder. On the way out the page gets its original bytes and
    modification time back, unless someone changed it meanwhile (it no longer holds
    exactly the edited text): then it is left as they made it, with a warning, and
    the original stays in ``backup``.
    """
    backup.mkdir(parents=True, exist_ok=True)
    _restore_stale(page, backup, progress)
    original = backup / page.name
    shutil.copy2(page, original)
    text = edit_text(page.read_text(), run)
    try:
        page.write_text(text)
        yield text
    finally:
        if page.is_file() and page.read_text() == text:
            shutil.copy2(original, page)  # content and modification time
            original.unlink()
        else:
            progress(f"  warning: {page} changed during the benchmark; left as it is, "
                     f"the original is in {original}")


def dry_run_edit(page: Path, progress=print) -> str:
    """The edit of the one-page rebuild, made and undone on a copy of ``page``; returns the
    added text. Raises ``AssertionError`` if the copy is not restored exactly."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp) / "docs" / page.name
        copy.parent.mkdir()
        shutil.copy2(page, copy)
        before, stat = copy.read_bytes(), copy.stat()
        with edited(copy, Path(tmp) / "site.edit", run=1, progress=progress) as text:
            added = copy.read_text()[len(before.decode().rstrip("\n")):]
            assert copy.read_text() == text and EDIT_MARK in text and "code-cell" in added
        assert copy.read_bytes() == before, "the page was not restored byte for byte"
        assert copy.stat().st_mtime_ns == stat.st_mtime_ns, "its modification time changed"
        assert not any((Path(tmp) / "site.edit").iterdir()), "the backup was left behind"
    progress(f"dry run on a copy of {page.relative_to(ROOT) if page.is_relative_to(ROOT) else page}"
             f": {len(added)} characters added, then restored exactly")
    return added


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
    backup = folder.parent / f"{folder.name}.edit"  # the edited page's original, meanwhile
    _restore_stale(source, backup, progress)
    times: dict[str, list[float]] = {"cold": [], "noop": [], "edit": [], "check": []}
    if test:
        times["test"] = []
    for r in range(1, runs + 1):
        shutil.rmtree(folder, ignore_errors=True)
        progress(f"  run {r}/{runs}: cold build ...")
        times["cold"].append(timed_make("html", folder, log))
        progress(f"  run {r}/{runs}: no-op rebuild ...")
        times["noop"].append(timed_make("html", folder, log))
        progress(f"  run {r}/{runs}: rebuild after editing docs/{page}.md (a code cell added) ...")
        with edited(source, backup, r, progress):
            times["edit"].append(timed_make("html", folder, log))
        progress(f"  run {r}/{runs}: make check ...")
        times["check"].append(timed_make("check", folder, log))
        if test:
            progress(f"  run {r}/{runs}: make test ...")
            times["test"].append(timed_make("test", folder, log))
    from benchmarks.kernels import cpu_name

    return {
        "cpu": cpu_name(),  # builds are compared on one machine: say which
        "nproc": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
        "runs": runs,
        "only": os.environ.get("MLNOTES_ONLY") or None,
        "edited": f"docs/{page}.md",
        "folder": str(folder),
        "log": str(log),
        "times": times,
        "medians": {k: statistics.median(v) for k, v in times.items()},
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--folder", type=Path, help="build folder (default _build/bench/site)")
    parser.add_argument("--page", default="softmax", help="the page to edit (docs/<page>.md)")
    parser.add_argument("--no-test", action="store_true", help="skip `make test`")
    parser.add_argument("--dry-run-edit", action="store_true",
                        help="only show the page edit, made and undone on a copy; no build")
    args = parser.parse_args(argv)
    from benchmarks import report

    if args.dry_run_edit:
        print(dry_run_edit(ROOT / "docs" / f"{args.page}.md"))
        return 0

    build = run(args.runs, args.folder, args.page, not args.no_test,
                progress=lambda s: print(s, file=sys.stderr, flush=True))
    print(report.build_table(build))
    return 0


if __name__ == "__main__":
    sys.exit(main())
