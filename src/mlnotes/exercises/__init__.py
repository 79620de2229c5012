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

The reader's function never sees the checks' own data: :func:`grade` hands each
check a guarded copy of it, which gives the function copies of its arguments,
reports ``None`` returned for a value ("did it forget `return`?"), tells the
reader's own exceptions (``SystemExit`` and ``KeyboardInterrupt`` included) from
a check that could not use the returned value, and records an argument changed in
place, which one last check on every exercise reports. Prints made during grading
are captured in :attr:`Result.prints`. Each check runs several cases, one of them
drawn from :func:`_fresh` at every Check, so an answer fitted to one case fails.

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

import contextlib
import copy
import importlib
import inspect
import io
import pkgutil
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Fail", "Exercise", "Result", "fail", "exercise", "grade", "check", "registry"]


class Fail(AssertionError):
    """A check's verdict: the answer is wrong, for the reason in the message."""


class _Raised(Fail):
    """The reader's own code raised (the message says what, and on which line)."""


class _TimedOut(BaseException):
    """Grading ran past its time limit (a BaseException: ``except Exception`` keeps out)."""


def fail(message: str) -> None:
    """Raise :class:`Fail` with ``message`` (what is wrong, in a student's words)."""
    raise Fail(message)


def _fresh():
    r"""A generator seeded afresh at every call: the case no answer can be fitted to.

    Example:
        >>> _fresh().normal(size=2).shape
        (2,)
    """
    import numpy as np

    return np.random.default_rng()


def _answer(out, tol: float) -> tuple[Any, float]:
    r"""The reader's returned value as a float64 array, and the tolerance that fits it.

    A page that does not ask for float64 accepts an answer computed in float32: its
    tolerance is widened to float32's resolution (64 units in the last place, about
    8e-6), never below ``tol``; a float64 answer keeps ``tol``.

    Example:
        >>> import numpy as np
        >>> _answer(np.float32([0.5]), 1e-9)[1] > 1e-6, _answer([0.5], 1e-9)[1]
        (True, 1e-09)
    """
    import numpy as np

    raw = np.asarray(out)
    if raw.dtype.kind == "f" and raw.dtype.itemsize < 8:
        tol = max(tol, 64 * float(np.finfo(raw.dtype).eps))
    return raw.astype(float), tol


def _text(x, digits: int) -> str:
    import numpy as np

    if isinstance(x, (float, np.floating)):
        return np.format_float_positional(float(x), precision=digits, unique=False, trim="-") \
            if abs(float(x)) < 1e6 else f"{float(x):.{digits}g}"
    a = np.asarray(x)
    if a.dtype.kind in "fc":
        with np.printoptions(precision=digits, floatmode="maxprec", suppress=True,
                             threshold=60, linewidth=1000):
            return np.array2string(a, separator=", ")
    return repr(x.tolist() if isinstance(x, np.ndarray) else x)


def _shown(yours, expected) -> tuple[str, str]:
    r"""``yours`` and ``expected`` as text, with just enough digits to tell them apart.

    Example:
        >>> _shown(1.0000001, 1.0)
        ('1.0000001', '1')
        >>> _shown([0.5, 0.25], [0.5, 0.25])
        ('[0.5 , 0.25]', '[0.5 , 0.25]')
    """
    for digits in (4, 6, 9, 12, 17):
        a, b = _text(yours, digits), _text(expected, digits)
        if a != b:
            return a, b
    return a, b


def _describe(value) -> str:
    r"""What a returned value is, for a reader: its type, shape and dtype, and the value.

    Example:
        >>> _describe([1, 2])
        'a list of length 2: [1, 2]'
        >>> _describe(None)
        'None'
    """
    import numpy as np

    if value is None:
        return "None"
    text = repr(value)
    text = text if len(text) <= 120 else text[:117] + "..."
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}: {text}"
    if isinstance(value, (list, tuple)):
        return f"a {type(value).__name__} of length {len(value)}: {text}"
    return f"a {type(value).__name__}: {text}"


@dataclass
class Exercise:
    """One checked exercise: the function a reader writes and the checks it must pass.

    Attributes:
        id: ``"<page>.<name>"``, as the page's cells name it.
        function: the name of the function the reader defines.
        checks: ``(title, check)`` pairs; ``check(f)`` raises :class:`Fail`.
        wrong: planted wrong answers, ``label -> (code, words the failure must say)``,
            which the test suite runs to show every check can fail.
        mutable: the positions of the arguments the function may change in place
            (an optimizer's state), passed as they are; every other argument is
            passed as a copy, and a change to it is reported by the last check,
            "leaves its inputs unchanged".
    """

    id: str
    function: str
    checks: list[tuple[str, Callable[[Callable], None]]] = field(default_factory=list)
    wrong: dict[str, tuple[str, str]] = field(default_factory=dict)
    mutable: tuple[int, ...] = ()

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


def exercise(id: str, function: str, mutable: tuple[int, ...] = ()) -> Exercise:
    """Create and register the exercise ``id`` whose answer is the function ``function``."""
    for name, value in (("id", id), ("function", function)):
        if not isinstance(value, str):
            raise TypeError(f"{name} must be a string, got {type(value).__name__}")
    if "." not in id:
        raise ValueError(f"id must be '<page>.<name>', got {id!r}")
    if id in _REGISTRY:
        raise ValueError(f"exercise {id!r} is defined twice")
    _REGISTRY[id] = ex = Exercise(id, function, mutable=tuple(mutable))
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
    """What the checks said: ``passed`` only if every check passed.

    ``prints`` holds what the reader's code printed while it was graded; ``notes``
    what the reader should know although no check failed (a function that changed
    its input in place: the values may be right, the caller's array is gone).
    """

    id: str
    total: int
    failures: list[tuple[str, str]]
    prints: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures

    def summary(self) -> str:
        if self.passed:
            lines = [f"All {self.total} checks passed."]
        else:
            lines = [f"{self.total - len(self.failures)} of {self.total} checks passed."]
            lines += [f"✗ {title}: {message}" for title, message in self.failures]
        lines += [f"Note: {note}" for note in self.notes]
        return "\n".join(lines)


def _raised(exc: BaseException, name: str) -> str:
    where = traceback.extract_tb(exc.__traceback__)
    line = next((f" (line {f.lineno})" for f in reversed(where) if f.filename == "<cell>"), "")
    if isinstance(exc, SystemExit):
        return (f"your {name} called exit() (SystemExit{line}); a function returns its "
                "answer instead of stopping the program")
    return f"your {name} raised {type(exc).__name__}: {exc}{line}"


def _copy(value):
    import numpy as np

    if isinstance(value, np.random.Generator) or callable(value):
        return value  # a generator or a function is passed as it is (its use is checked)
    if type(value).__name__ == "Tensor" and hasattr(value, "_parents"):
        return value  # an engine Tensor: a copy would cut it from the graph being checked
    try:
        return copy.deepcopy(value)
    except Exception:  # noqa: BLE001 - an object that cannot be copied is passed as is
        return value


def _same(a, b) -> bool:
    import numpy as np

    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        a, b = np.asarray(a), np.asarray(b)
        return a.shape == b.shape and a.dtype == b.dtype and bool(
            np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return type(a) is type(b) and len(a) == len(b) and all(
            _same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    try:
        return bool(a == b) or (a != a and b != b)
    except Exception:  # noqa: BLE001 - incomparable objects: treat as unchanged
        return True


class _Guarded:
    """The reader's function as the checks call it: on copies, its failures told apart."""

    def __init__(self, f: Callable, ex: Exercise):
        self.f, self.ex, self.last, self.changed = f, ex, None, None
        try:
            self.names = list(inspect.signature(f).parameters)
        except (TypeError, ValueError):
            self.names = []

    def _name(self, i: int) -> str:
        return f"`{self.names[i]}`" if i < len(self.names) else f"argument {i + 1}"

    def __getattr__(self, name: str) -> Any:
        # what a check reads of the function itself (a registration, a name) is the reader's
        if name == "f":
            raise AttributeError(name)
        return getattr(self.f, name)

    def __call__(self, *args, **kwargs):
        # what it may change (an optimizer's state) it gets itself, the rest as copies
        given = [a if i in self.ex.mutable else _copy(a) for i, a in enumerate(args)]
        pristine = [_copy(a) for a in given]
        kwgiven = {k: _copy(v) for k, v in kwargs.items()}
        kwpristine = {k: _copy(v) for k, v in kwgiven.items()}
        try:
            out = self.f(*given, **kwgiven)
        except (_TimedOut, _Raised):
            raise
        except BaseException as exc:  # noqa: BLE001 - exit() and Ctrl-C included
            raise _Raised(_raised(exc, self.ex.function)) from None
        if self.changed is None:
            for i, (a, b) in enumerate(zip(given, pristine, strict=True)):
                if i not in self.ex.mutable and not _same(a, b):
                    self.changed = self._name(i)
                    break
            for k in kwgiven:
                if self.changed is None and not _same(kwgiven[k], kwpristine[k]):
                    self.changed = f"`{k}`"
        if out is None:
            fail("your function returned None: did it forget `return`?")
        self.last = out
        return out


@contextlib.contextmanager
def _time_limit(seconds: float | None):
    """Raise :class:`_TimedOut` after ``seconds`` where the platform has a timer signal."""
    import signal
    import sys
    import threading

    usable = (seconds is not None and sys.platform != "emscripten"
              and hasattr(signal, "setitimer")
              and threading.current_thread() is threading.main_thread())
    if not usable:  # Pyodide: the browser ends the worker itself
        yield
        return

    def stop(signum, frame):
        raise _TimedOut()

    try:
        old = signal.signal(signal.SIGALRM, stop)
        signal.setitimer(signal.ITIMER_REAL, seconds)
    except (ValueError, OSError, AttributeError):  # no timer signal here after all
        yield
        return
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


def grade(id: str, namespace: dict[str, Any], timeout: float | None = 10) -> Result:
    r"""Run the checks of exercise ``id`` on the function the reader defined in ``namespace``.

    Args:
        id: the exercise, ``"<page>.<name>"``.
        namespace: the reader's names (a page's ``globals()``).
        timeout: seconds after which grading stops with a message, where the
            platform has a timer signal (CPython's main thread); ``None``: no limit.

    Example:
        >>> ns = {}
        >>> exec("def stable_softmax(x):\n    print('hi')", ns)
        >>> r = grade("softmax.stable", ns)
        >>> r.failures[0][1]
        'your function returned None: did it forget `return`?'
        >>> r.prints.count("hi") > 0
        True
    """
    import numpy as np

    if not isinstance(id, str):
        raise TypeError(f"id must be an exercise id such as 'softmax.stable', "
                        f"got {type(id).__name__}")
    if not isinstance(namespace, dict):
        raise TypeError(f"namespace must be a dict of names (globals()), "
                        f"got {type(namespace).__name__}")
    if timeout is not None and not (isinstance(timeout, (int, float)) and timeout > 0):
        raise ValueError(f"timeout must be a positive number of seconds or None, got {timeout!r}")
    ex = _find(id)
    total = len(ex.checks)
    f = namespace.get(ex.function)
    if not callable(f):
        return Result(id, total, [("definition",
                      f"define a function named {ex.function}; the checks call it")])
    guarded = _Guarded(f, ex)
    failures = []
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed), contextlib.redirect_stderr(printed):
        try:
            with _time_limit(timeout):
                for title, check_fn in ex.checks:
                    guarded.last = None
                    try:
                        with np.errstate(all="ignore"):  # checks look at NaN and inf
                            check_fn(guarded)
                    except Fail as verdict:
                        failures.append((title, str(verdict)))
                    except Exception:  # noqa: BLE001 - the check could not use the value
                        failures.append((title, "the check could not use what your "
                                         f"function returned, {_describe(guarded.last)}"))
        except _TimedOut:
            failures.append(("time limit", f"grading ran longer than {timeout:g} s and was "
                             "stopped: does your function loop forever?"))
    notes = []
    if guarded.changed is not None:  # the checks' data is safe (copies); the reader is told
        notes.append(f"your function changed its input {guarded.changed} in place; a caller "
                     "who still needs it loses it: compute on a copy or a new array "
                     "(y = x - m, not x -= m)")
    return Result(id, total, failures, printed.getvalue(), notes)


def check(id: str, namespace: dict[str, Any]) -> None:
    """Grade and print the verdict; raise :class:`Fail` unless every check passed.

    A worked solution ends with this call, so a wrong solution fails the build.
    (It returns nothing, so that a cell ending with it shows only the verdict.)
    """
    result = grade(id, namespace)
    if result.prints:
        print(result.prints, end="" if result.prints.endswith("\n") else "\n")
    print(f"{id}: {result.summary()}")
    if not result.passed:
        raise Fail(result.summary())
