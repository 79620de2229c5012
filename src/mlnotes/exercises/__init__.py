r"""Checked exercises: the hidden checks that grade a reader's answer.

Each concept page ends with exercises where the reader completes a function. The
checks that grade it live here, one module per page, so that the same code grades
the answer in the reader's browser (Pyodide, the Check button of a live cell) and
in CPython (the build runs every worked solution through them; the tests run every
starter and every planted wrong answer through them and expect a failure).

An exercise names the function the reader writes and holds a list of checks.
A check calls the reader's function and raises :class:`Fail` with a sentence a
student understands when the answer is wrong ("row 2 of your softmax sums to
1.31; every row must sum to 1"). Checks test behaviour, never the text of the
code, so any correct answer passes.

On a page, the starter cell carries ``:tags: [live, exercise]`` and
``:exercise: <id>``; the worked solution, the next cell with ``:tags:
[exercise-solution]`` and the same ``:exercise:``, ends with
``check("<id>", globals())``, which fails the build if the solution is wrong.

Example:
    >>> ns = {}
    >>> exec("def stable_softmax(x):\n    return x", ns)
    >>> result = grade("softmax.stable", ns)
    >>> result.passed, result.failures[0][0]
    (False, 'outputs lie in (0, 1)')
"""

from __future__ import annotations

import importlib
import pkgutil
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Fail", "Exercise", "Result", "fail", "exercise", "grade", "check", "registry"]


class Fail(AssertionError):
    """A check's verdict: the answer is wrong, for the reason in the message."""


def fail(message: str) -> None:
    """Raise :class:`Fail` with ``message`` (what is wrong, in a student's words)."""
    raise Fail(message)


@dataclass
class Exercise:
    """One checked exercise: the function a reader writes and the checks it must pass.

    Attributes:
        id: ``"<page>.<name>"``, as the page's cells name it.
        function: the name of the function the reader defines.
        checks: ``(title, check)`` pairs; ``check(f)`` raises :class:`Fail`.
        wrong: planted wrong answers, ``label -> (code, words the failure must say)``,
            which the test suite runs to show every check can fail.
    """

    id: str
    function: str
    checks: list[tuple[str, Callable[[Callable], None]]] = field(default_factory=list)
    wrong: dict[str, tuple[str, str]] = field(default_factory=dict)

    def check(self, title: str) -> Callable[[Callable], Callable]:
        """Decorator: add a check, shown to the reader under ``title``."""

        def add(fn: Callable[[Callable], None]) -> Callable[[Callable], None]:
            self.checks.append((title, fn))
            return fn

        return add

    def plant(self, label: str, code: str, says: str) -> None:
        """Record a plausible wrong answer whose failure message must contain ``says``."""
        self.wrong[label] = (code, says)


_REGISTRY: dict[str, Exercise] = {}


def exercise(id: str, function: str) -> Exercise:
    """Create and register the exercise ``id`` whose answer is the function ``function``."""
    if id in _REGISTRY:
        raise ValueError(f"exercise {id!r} is defined twice")
    _REGISTRY[id] = ex = Exercise(id, function)
    return ex


def registry() -> dict[str, Exercise]:
    """Every exercise of the book, by id (importing every page's module)."""
    for info in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{info.name}")
    return dict(_REGISTRY)


def _find(id: str) -> Exercise:
    page = id.split(".", 1)[0]
    try:
        importlib.import_module(f"{__name__}.{page}")
    except ModuleNotFoundError:
        pass
    if id not in _REGISTRY:
        raise KeyError(f"no exercise {id!r}; known: {sorted(_REGISTRY)}")
    return _REGISTRY[id]


@dataclass
class Result:
    """What the checks said: ``passed`` only if every check passed."""

    id: str
    total: int
    failures: list[tuple[str, str]]

    @property
    def passed(self) -> bool:
        return not self.failures

    def summary(self) -> str:
        if self.passed:
            return f"All {self.total} checks passed."
        lines = [f"{self.total - len(self.failures)} of {self.total} checks passed."]
        lines += [f"✗ {title}: {message}" for title, message in self.failures]
        return "\n".join(lines)


def _raised(exc: BaseException, name: str) -> str:
    where = traceback.extract_tb(exc.__traceback__)
    line = next((f" (line {f.lineno})" for f in reversed(where) if f.filename == "<cell>"), "")
    return f"your {name} raised {type(exc).__name__}: {exc}{line}"


def grade(id: str, namespace: dict[str, Any]) -> Result:
    """Run the checks of exercise ``id`` on the function the reader defined in ``namespace``."""
    import numpy as np

    if not isinstance(id, str):
        raise TypeError(f"id must be an exercise id such as 'softmax.stable', "
                        f"got {type(id).__name__}")
    if not isinstance(namespace, dict):
        raise TypeError(f"namespace must be a dict of names (globals()), "
                        f"got {type(namespace).__name__}")
    ex = _find(id)
    f = namespace.get(ex.function)
    if not callable(f):
        return Result(id, len(ex.checks), [("definition",
                      f"define a function named {ex.function}; the checks call it")])
    failures = []
    for title, check_fn in ex.checks:
        try:
            with np.errstate(all="ignore"):  # checks look at NaN and inf themselves
                check_fn(f)
        except Fail as verdict:
            failures.append((title, str(verdict)))
        except Exception as exc:  # noqa: BLE001 - the reader's code may raise anything
            failures.append((title, _raised(exc, ex.function)))
    return Result(id, len(ex.checks), failures)


def check(id: str, namespace: dict[str, Any]) -> None:
    """Grade and print the verdict; raise :class:`Fail` unless every check passed.

    A worked solution ends with this call, so a wrong solution fails the build.
    (It returns nothing, so that a cell ending with it shows only the verdict.)
    """
    result = grade(id, namespace)
    print(f"{id}: {result.summary()}")
    if not result.passed:
        raise Fail(result.summary())
