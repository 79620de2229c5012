"""Every checked exercise can fail and can pass: its checks are shown to be real.

For each exercise on a page (a starter cell tagged ``exercise`` and a worked
solution tagged ``exercise-solution``): the starter must fail its checks with a
message, every planted wrong answer in :mod:`mlnotes.exercises` must fail with the
words it declares, and the worked solution must pass. The code comes from the
pages themselves, so what is tested is what a reader sees. The build also runs
each solution (it ends with ``check(...)``); here the failures are proven too.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from myst_nb.core.read import read_myst_markdown_notebook

from mlnotes import exercises

ROOT = Path(__file__).resolve().parents[1]
CONCEPT_PAGES = ["softmax", "losses", "gating", "architectures", "conv", "sequences", "init",
                 "normalization", "optimizers", "debugging", "vae"]


def _cells(path: Path) -> list:
    return read_myst_markdown_notebook(path.read_text(), path=str(path)).cells


def _collect() -> dict[str, dict]:
    """Exercise id -> its page, setup code, starter and solution, over book and decks."""
    found: dict[str, dict] = {}
    for path in sorted([*ROOT.glob("docs/*.md"), *ROOT.glob("slides/*.md")]):
        if "file_format: mystnb" not in path.read_text():
            continue
        cells = [c for c in _cells(path) if c.cell_type == "code"]
        setup = [c.source for c in cells if "live-setup" in c.metadata.get("tags", [])]
        for c in cells:
            tags, ex = c.metadata.get("tags", []), c.metadata.get("exercise")
            role = "starter" if "exercise" in tags else "solution" if (
                "exercise-solution" in tags) else None
            if role:
                entry = found.setdefault(f"{path.parent.name}/{path.stem}:{ex}", {
                    "id": ex, "page": path, "setup": setup})
                entry[role] = c.source
    return found


@pytest.fixture(autouse=True)
def _keep_numpy_print_options():
    """A page's setup may set NumPy's print options; later tests must not see them."""
    import numpy as np

    with np.printoptions(**np.get_printoptions()):
        yield


FOUND = _collect()
BOOK = {k: v for k, v in FOUND.items() if k.startswith("docs/")}


def _namespace(entry: dict) -> dict:
    ns: dict = {"__name__": "__main__"}
    for code in entry["setup"]:
        exec(compile(code, "<setup>", "exec"), ns)
    return ns


def _run(entry: dict, code: str) -> exercises.Result:
    ns = _namespace(entry)
    exec(compile(code, "<cell>", "exec"), ns)
    return exercises.grade(entry["id"], ns)


@pytest.mark.parametrize("key", sorted(FOUND))
def test_starter_fails_with_a_message(key):
    entry = FOUND[key]
    assert "starter" in entry and "solution" in entry, f"{key} lacks a starter or a solution"
    result = _run(entry, entry["starter"])
    assert not result.passed, f"the starter of {key} passes its own checks"
    assert result.failures and all(msg.strip() for _, msg in result.failures)


@pytest.mark.parametrize("key", sorted(FOUND))
def test_worked_solution_passes(key):
    entry = FOUND[key]
    solution = entry["solution"]
    assert f'check("{entry["id"]}", globals())' in solution
    result = _run(entry, solution)  # check() raises on failure
    assert result.passed, result.summary()


WRONG = [(ex.id, label) for ex in exercises.registry().values() for label in ex.wrong]


@pytest.mark.parametrize("ex_id, label", WRONG)
def test_planted_wrong_answer_fails_with_its_message(ex_id, label):
    ex = exercises.registry()[ex_id]
    code, says = ex.wrong[label]
    ns: dict = {}
    exec(compile(code, "<cell>", "exec"), ns)
    result = exercises.grade(ex_id, ns)
    assert not result.passed, f"{ex_id}: the wrong answer {label!r} passes"
    assert says in result.summary(), f"{ex_id}, {label!r}: {result.summary()}"


def _formula(text: str) -> str:
    """Code or prose math in one spelling: no spaces, no ``np.``/``*``, |x| for abs(x)."""
    text = "".join(text.split())
    for code, math in (("np.", ""), ("math.", ""), ("*", ""), ("maximum(", "max("),
                       ("log1p(", "log(1+")):
        text = text.replace(code, math)
    return re.sub(r"abs\(([^()]*)\)", r"|\1|", text)


def _answer_lines(solution: str) -> list[str]:
    """The formulas a worked solution computes (its assignments and returns), in one spelling."""
    lines = []
    for line in solution.splitlines():
        code = line.split("#", 1)[0].strip()
        if code.startswith(("return ", "return(")) or "=" in code.replace("==", ""):
            expr = _formula(code.removeprefix("return").split("=", 1)[-1])
            if len(expr) >= 10 and any(op in expr for op in "+-/@"):
                lines.append(expr)
    return lines


@pytest.mark.parametrize("key", sorted(FOUND))
def test_no_failure_message_spells_out_the_answer(key):
    """A hint points the way; it never hands over the worked solution's formula."""
    entry = FOUND[key]
    ex = exercises.registry()[entry["id"]]
    results = [_run(entry, entry["starter"])]
    for code, _ in ex.wrong.values():
        ns: dict = {}
        exec(compile(code, "<cell>", "exec"), ns)
        results.append(exercises.grade(entry["id"], ns))
    # the failure messages (the checks' names state what is checked, from the page)
    messages = [msg for r in results for _, msg in r.failures]
    said = _formula("".join(messages))
    answers = _answer_lines(entry["solution"])
    assert [a for a in answers if a in said] == [], f"{key}: a message gives the answer away"


def test_the_answer_detector_sees_a_formula():
    solution = ("def f(z, t):\n    # stable\n"
                "    return np.maximum(z, 0) - z * t + np.log1p(np.abs(z))\n")
    assert _answer_lines(solution) == ["max(z,0)-zt+log(1+|z|)"]
    assert _formula("rewrite it as max(z, 0) - z t + log(1 + |z|)").endswith(
        _answer_lines(solution)[0])


def test_every_exercise_has_planted_wrong_answers_and_a_page():
    on_pages = {e["id"] for e in FOUND.values()}
    for ex in exercises.registry().values():
        assert len(ex.wrong) >= 2, f"{ex.id} plants {len(ex.wrong)} wrong answers"
        assert ex.id in on_pages, f"{ex.id} has checks but no page uses it"


def test_missing_function_is_reported():
    result = exercises.grade("softmax.stable", {})
    assert not result.passed
    assert "define a function named stable_softmax" in result.summary()


def test_reader_code_that_raises_is_reported_not_crashed():
    ns: dict = {}
    exec("def stable_softmax(x):\n    return 1 / 0\n", ns)
    result = exercises.grade("softmax.stable", ns)
    assert "raised ZeroDivisionError" in result.summary()


def test_check_raises_when_the_answer_is_wrong(capsys):
    ns: dict = {}
    exec("def stable_softmax(x):\n    return x\n", ns)
    with pytest.raises(exercises.Fail):
        exercises.check("softmax.stable", ns)
    assert "checks passed" in capsys.readouterr().out


def test_enough_exercises_on_every_concept_page():
    per_page = {name: 0 for name in CONCEPT_PAGES}
    for entry in BOOK.values():
        if entry["page"].stem in per_page:
            per_page[entry["page"].stem] += 1
    print("checked exercises per page:", per_page)
    assert all(n >= 2 for n in per_page.values()), per_page
    assert sum(per_page.values()) >= 25, per_page
