"""The benchmark tables as Markdown: printed by ``make bench``, shown by docs/performance.md.

One formatter for both, so the terminal and the book always show the same table.
"""

from __future__ import annotations

import json
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results.json"

BUILD_STEPS = [  # key, label, target (seconds for the keys in ABSOLUTE, else of cold)
    ("cold", "cold build (empty folder, every cell executed)", 180.0),
    ("noop", "no-op rebuild", 0.05),
    ("edit", "rebuild after editing one page (a code cell added: its cells run again)", 0.15),
    # results written before the edit step: the page only touched, its content unchanged
    ("touch", "rebuild after touching one page (content unchanged: no cell runs)", 0.15),
    ("check", "`make check` (lint, unit tests, doctests)", 60.0),
    ("test", "`make test` (after a build)", 360.0),
]
ABSOLUTE = {"cold", "check", "test"}  # goals in seconds on 2 cores (issue 28: 1 and 6 min)


def load(path: Path | str = RESULTS) -> dict | None:
    """The results written by ``make bench``, or ``None`` if there are none."""
    path = Path(path)
    if not path.is_file():
        return None
    return json.loads(path.read_text())


def _ratio(r: float) -> str:
    return f"{r:.2f}x"


def _met(met: bool | None) -> str:
    return "" if met is None else ("yes" if met else "**no**")


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def kernel_rows(rows: list[dict]) -> str:
    """One kernel table (one device)."""
    body = [[r["kernel"], r["input"], r["shape"], f"{r['ours_ms']:.3g}", f"{r['torch_ms']:.3g}",
             _ratio(r["ratio"]), "" if r["target"] is None else f"<= {r['target']:g}x",
             _met(r["met"]), f"{r['ours_faults']:.0f} / {r['torch_faults']:.0f}"]
            for r in rows]
    return _table(["kernel", "input", "shape", "ours (ms)", "torch (ms)", "ours / torch",
                   "target", "met", "page faults per call, ours / torch"], body)


def machine_lines(results: dict) -> str:
    """Where and how the kernels were measured."""
    m, t = results["machine"], results["threads"]
    load = results["load_average"]
    gpu = m["gpu"] or "none"
    return "\n".join([
        f"- CPU: {m['cpu']}, {m['usable_cpus']} usable of {m['cores']} cores; GPU: {gpu}",
        f"- {m['os']}; Python {m['python']}, NumPy {m['numpy']}, torch {m['torch']}",
        f"- threads: torch {t['torch']}, NumPy (BLAS/OpenMP pools) {t['numpy']}; "
        f"median of {results['repeats']} interleaved runs of at least "
        f"{results['min_run_s'] * 1e3:.0f} ms each, after a warm-up",
        f"- load average (1, 5, 15 min) before: "
        f"{', '.join(f'{v:.2f}' for v in load['before'])}; after: "
        f"{', '.join(f'{v:.2f}' for v in load['after'])}",
    ])


def kernel_tables(results: dict) -> str:
    """The machine, the CPU table and the CUDA table (or why not)."""
    parts = [machine_lines(results), "", "**CPU, float32**", "", kernel_rows(results["cpu"]), ""]
    if results["cuda"]:
        parts += [f"**{results['cuda_note']}, float32**", "", kernel_rows(results["cuda"]), ""]
    else:
        parts += [f"*{results['cuda_note']}.*", ""]
    return "\n".join(parts)


def build_table(build: dict) -> str:
    """The build timings: medians, their share of the cold build, the targets."""
    med = build["medians"]
    cold = med.get("cold")
    rows = []
    for key, label, target in BUILD_STEPS:
        if key not in med:
            continue
        share, goal, met = "", "", None
        if key in ABSOLUTE:
            goal = f"<= {target:.0f} s on 2 cores"
            met = med[key] <= target if build["nproc"] <= 2 else None
        elif cold and target is not None:
            share = f"{med[key] / cold:.1%}"
            goal = f"<= {target:.0%} of cold"
            met = med[key] / cold <= target
        runs = ", ".join(f"{t:.1f}" for t in build["times"][key])
        rows.append([label, f"{med[key]:.1f}", runs, share, goal, _met(met)])
    scope = f"pages: {build['only']}" if build.get("only") else "the whole site"
    page = (f"edited page: `{build['edited']}`" if "edited" in build
            else f"touched page: `{build['touched']}`")
    cpu = f"{build['cpu']}, " if build.get("cpu") else ""
    head = (f"- {cpu}{build['nproc']} cores (nproc), {scope}; {page}; "
            f"`make html BUILD=<folder>` into a folder of its own")
    return head + "\n\n" + _table(
        ["step", "median (s)", "runs (s)", "of cold", "target", "met"], rows)


LIVE_ROWS = [
    ("numpy_s", "page open -> a NumPy cell's output (Run at once)", "s"),
    ("figure_s", "page open -> a figure cell's output (Run at once)", "s"),
    ("intent_s", "Run pressed 3 s after focusing the editor", "s"),
    ("repeat_s", "a repeat visit in a new tab (service worker warm)", "s"),
    ("warm_s", "a warm re-run (median of 5 per run)", "s"),
]


def live_table(live: dict, before: dict | None = None) -> str:
    """Live cells in Chromium: how soon a cell's output shows, against the goals, beside
    the measure before the fast start (``before``: the old results, where there are some)."""
    mb = lambda n: f"{n / 1e6:.1f} MB"  # noqa: E731
    if "goals" not in live:  # a results file written before these measures: as it was
        live, before = {"goals": {}, "met": {}, "runs": live["runs"], "page": live["page"],
                        "pyodide": live["pyodide"], "page_bytes": live["page_bytes"],
                        "first_run_bytes": live["first_run_bytes"],
                        "runtime_bytes": live["runtime_bytes"],
                        "editor_bytes": live["editor_bytes"],
                        "page_bytes_goal": 3e6}, live
        live["met"]["page_bytes"] = live["page_bytes"] <= 3e6
    before = before or {}
    old = {"numpy_s": before.get("cold_s"), "warm_s": before.get("warm_s")}
    rows = []
    for key, step, _ in LIVE_ROWS:
        if key not in live:
            continue
        runs = ", ".join(f"{r[key]:.2f}" for r in live["runs"] if key in r)
        was = f"{old[key]:.2f} s" if old.get(key) is not None else "-"
        rows.append([step, f"{live[key]:.2f} s", runs, was, f"<= {live['goals'][key]:g} s",
                     _met(live["met"][key])])
    rows.append(["page weight before Python loads", mb(live["page_bytes"]), "",
                 mb(before["page_bytes"]) if "page_bytes" in before else "-",
                 f"<= {mb(live['page_bytes_goal'])}", _met(live["met"]["page_bytes"])])
    head = (f"- page `{live['page']}` served from 127.0.0.1, Chromium headless, a fresh "
            f"browser context (empty cache) per measure and run, {len(live['runs'])} runs; "
            f"Pyodide {live['pyodide']}\n"
            f"- a cold Run moves {mb(live['first_run_bytes'])}"
            + (f" (before: {mb(before['first_run_bytes'])})" if "first_run_bytes" in before
               else "")
            + f"; the runtime folder the site publishes is {mb(live['runtime_bytes'])} "
            f"(loaded only as far as a page needs); the editor bundle is "
            f"{live['editor_bytes'] / 1e3:.0f} kB\n"
            + (f"- before: measured {before['measured']}, Python started on the first Run, "
               f"sources compiled in the browser, no service worker\n" if before else ""))
    ph = {k: live.get("phases", {}).get(k, float("nan"))
          for k in ("download", "runtime", "imports", "setup_s")}
    if live.get("phases"):
        head += ("- where the cold NumPy run's time went (medians, seconds from the worker's "
                 f"start): the last byte of the runtime and wheels in at {ph['download']:.2f}, "
                 f"Python booted with its packages installed at {ph['runtime']:.2f}, numpy "
                 f"(and matplotlib) imported at {ph['imports']:.2f}; then the page's setup "
                 f"code {ph['setup_s']:.2f} s; the rest of {live['numpy_s']:.2f} s is the "
                 "page's own load, the worker's creation and the cell\n")
    return head + "\n" + _table(["measure", "median", "runs", "before", "goal", "met"], rows)


def training_table(training: dict) -> str:
    """Each live training cell's default run in Chromium, against issue 24's goal."""
    rows = [[f"`{c['page']}` cell {c['cell']}", f"`{c['code']}`", f"{c['median_s']:.2f} s",
             ", ".join(f"{t:.2f}" for t in c["runs"]), _met(c["median_s"] <= training["goal_s"])]
            for c in training["cells"]]
    head = (f"- {len(rows)} live cells that train, each Run {len(training['cells'][0]['runs'])}"
            f" times in a Python already started with its page's setup (Chromium headless, "
            f"served from 127.0.0.1); goal: a default run within {training['goal_s']:g} s\n"
            if rows else "")
    return head + "\n" + _table(["cell", "first line", "median", "runs", "met"], rows)


def markdown(results: dict) -> str:
    """Everything ``make bench`` measured, as Markdown."""
    parts = [f"Written {results['created']} by `{results['command']}`.", ""]
    if results.get("build"):
        parts += ["### Build", "", f"Measured {results['build']['measured']}.", "",
                  build_table(results["build"]), ""]
    else:
        parts += ["### Build", "", "*Not measured yet.*", ""]
    if results.get("live"):
        parts += ["### Live cells", "", f"Measured {results['live']['measured']}.", "",
                  live_table(results["live"], results.get("live_before")), ""]
    if results.get("live_training"):
        parts += ["### Live training", "", f"Measured {results['live_training']['measured']}.",
                  "", training_table(results["live_training"]), ""]
    if results.get("kernels"):
        parts += ["### Kernels", "", f"Measured {results['kernels']['measured']}.", "",
                  kernel_tables(results["kernels"])]
    else:
        parts += ["### Kernels", "", "*Not measured yet.*", ""]
    return "\n".join(parts)


HOW_TO = "run `make bench` (or `make bench RUNS=1` for one build run) in the repository"


def section(results: dict | None, part: str) -> str:
    """The Markdown for one part of the page: ``"machine"``, ``"build"``, ``"live"``,
    ``"kernels"``."""
    if results is None:
        return f"*No results file (`benchmarks/results.json`) yet: {HOW_TO}.*"
    if part == "machine":
        if not results.get("kernels"):
            return f"*Written {results['created']} by `{results['command']}`.*"
        return (f"Written {results['created']} by `{results['command']}`.\n\n"
                + machine_lines(results["kernels"]))
    if not results.get(part):
        return f"*The {part} part has not been measured yet: {HOW_TO}.*"
    if part == "live":
        text = live_table(results["live"], results.get("live_before"))
    elif part == "live_training":
        text = training_table(results["live_training"])
    else:
        text = {"build": build_table}.get(part, kernel_tables)(results[part])
    if part == "kernels":  # the machine is described in its own section
        text = text.split("\n\n", 1)[1]
    return f"Measured {results[part]['measured']}.\n\n{text}"
