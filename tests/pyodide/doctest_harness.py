"""Run every mlnotes module's doctests inside Pyodide (imported by run_doctests.mjs).

The same examples pytest runs in CPython (``--doctest-modules``), with the same
option flags. An example that uses torch cannot run in the browser, which has
no torch: a docstring is skipped when its examples mention torch or it belongs
to a torch-only object (a torch class, or a function marked with
``backend.needs_torch``). Skips are counted and named, never silent. Prints one
JSON line last: counts, failures, skipped names.
"""

from __future__ import annotations

import doctest
import importlib
import json
import math
import pkgutil
import re

import mlnotes
from mlnotes import backend

_NUMBER = re.compile(r"-?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")


class NumberChecker(doctest.OutputChecker):
    """doctest's checker plus the NUMBER flag that pytest gives the CPython run.

    A number in the expected output only has to match to the precision it is
    written with: expected ``0.33`` accepts ``0.3333333``.
    """

    def check_output(self, want: str, got: str, optionflags: int) -> bool:
        if super().check_output(want, got, optionflags):
            return True
        wants, gots = _NUMBER.findall(want), _NUMBER.findall(got)
        if not wants or len(wants) != len(gots):
            return False
        pieces = iter(wants)

        def replace(match: re.Match) -> str:
            w = next(pieces)
            g = match.group(0)
            if "." not in w:
                return w if float(w) == float(g) else g
            decimals = len(w.split(".")[1].split("e")[0].split("E")[0])
            exponent = int(re.split("[eE]", w)[1]) if re.search("[eE]", w) else 0
            tolerance = 0.5 * 10.0 ** (exponent - decimals) * 1.000001
            return w if math.isclose(float(w), float(g), abs_tol=tolerance) else g

        return super().check_output(want, _NUMBER.sub(replace, got), optionflags)


def _needs_torch(module, test: doctest.DocTest) -> bool:
    if any(re.search(r"\btorch\b", ex.source) for ex in test.examples):
        return True
    obj = module
    # <module>.<name>[.<method>], the module possibly inside a package (mlnotes.losses.classes)
    for part in test.name.removeprefix(module.__name__ + ".").split("."):
        if getattr(obj, "needs_torch", False) is True:
            return True
        if isinstance(obj, type) and issubclass(obj, backend._TorchOnly):
            return True
        obj = getattr(obj, part, None)
    return getattr(obj, "needs_torch", False) is True or (
        isinstance(obj, type) and issubclass(obj, backend._TorchOnly))


def main() -> None:
    flags = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(checker=NumberChecker(), optionflags=flags)
    skipped: list[str] = []
    ran: list[str] = []
    reports: list[str] = []
    # every module, those inside the families' packages (mlnotes.losses.classes) too
    for info in pkgutil.walk_packages(mlnotes.__path__, "mlnotes."):
        module = importlib.import_module(info.name)
        for test in finder.find(module):
            if not test.examples:
                continue
            if _needs_torch(module, test):
                skipped.append(test.name)
                continue
            runner.run(test, out=reports.append)  # doctest swaps sys.stdout meanwhile
            ran.append(test.name)
    print("".join(reports), end="")
    result = runner.summarize(verbose=False)
    print(json.dumps({
        "attempted": result.attempted,
        "failed": result.failed,
        "docstrings_run": len(ran),
        "docstrings_skipped": len(skipped),
        "skipped": skipped,
    }))


if __name__ == "__main__":  # run by run_doctests.mjs inside Pyodide, never on import
    main()
