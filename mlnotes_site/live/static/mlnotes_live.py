"""Run one live cell the way the book's build ran it, and report what it showed.

The browser's worker (``mlnotes-live-worker.js``) imports this module inside
Pyodide; the test suite imports it in CPython. :func:`run_cell` executes the
code in the page's shared namespace and returns the cell's outputs in the order
Jupyter shows them: printed text (stdout and stderr merged, as the build merges
them), then the value of a final expression, as IPython would display it, then
any figure the cell produced, as a PNG.
"""

from __future__ import annotations

import ast
import base64
import contextlib
import io
import pprint
import sys
import traceback
from typing import Any

CELL_FILE = "<cell>"


def _display_text(value: Any) -> str:
    """The text IPython shows for a final expression (repr, pretty-printed)."""
    return pprint.pformat(value, width=79, sort_dicts=False)


def _is_figure(value: Any) -> bool:
    return hasattr(value, "_repr_png_") or (
        type(value).__name__ == "Figure" and hasattr(value, "savefig")
    )


def _png(fig: Any) -> str:
    if hasattr(fig, "_repr_png_"):  # mlnotes.plotting's figures say how they show
        data = fig._repr_png_()
    else:  # a pyplot figure, as the inline backend saves it
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png", bbox_inches="tight")
        data = buffer.getvalue()
    return base64.b64encode(data).decode("ascii")


def _pyplot_figures() -> list[Any]:
    """Figures open in pyplot (shown by Jupyter at the end of a cell), then closed."""
    plt = sys.modules.get("matplotlib.pyplot")
    if plt is None:
        return []
    figures = [plt.figure(n) for n in plt.get_fignums()]
    plt.close("all")
    return figures


def _user_traceback(exc: BaseException) -> str:
    """The traceback from the cell's own frames on, as Python prints it."""
    tb = exc.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != CELL_FILE:
        tb = tb.tb_next
    lines = traceback.format_exception(type(exc), exc, tb)
    return "".join(lines)


def check_cell(code: str, namespace: dict, exercise: str) -> dict:
    """Run ``code`` like :func:`run_cell`, then grade exercise ``exercise`` on it.

    The verdict comes from :func:`mlnotes.exercises.grade`, the same checks the
    build and the test suite run. It is added as ``result["grade"]``: ``passed``,
    ``total``, ``failures`` and ``summary``; a cell that raised is not graded.
    """
    result = run_cell(code, namespace)
    if result["ok"]:
        from mlnotes.exercises import grade

        verdict = grade(exercise, namespace)
        result["grade"] = {"passed": verdict.passed, "total": verdict.total,
                           "failures": [list(f) for f in verdict.failures],
                           "summary": verdict.summary()}
    else:
        result["grade"] = {"passed": False, "total": 0, "failures": [],
                           "summary": "Your code raised an error (below); fix it, then Check."}
    return result


def run_cell(code: str, namespace: dict) -> dict:
    """Execute ``code`` in ``namespace`` and return what the cell shows.

    Returns:
        A dict with ``outputs``, a list of ``{"type": "text" | "value" |
        "image" | "error", "text" or "png": ...}`` in display order, and
        ``ok``, False when the cell raised (its traceback is the last output).

    Example:
        >>> out = run_cell("print(1 + 1)\\n2 * 3", {})
        >>> [(o["type"], o["text"]) for o in out["outputs"]]
        [('text', '2\\n'), ('value', '6')]
    """
    stream = io.StringIO()
    outputs: list[dict] = []
    ok = True
    value = None
    figures: list[Any] = []
    namespace.setdefault("__name__", "__main__")
    with contextlib.redirect_stdout(stream), contextlib.redirect_stderr(stream):
        try:
            tree = ast.parse(code, filename=CELL_FILE, mode="exec")
            last = None
            if tree.body and isinstance(tree.body[-1], ast.Expr):
                last = ast.Expression(tree.body.pop().value)
            exec(compile(tree, CELL_FILE, "exec"), namespace)
            if last is not None:
                value = eval(compile(last, CELL_FILE, "eval"), namespace)
        except BaseException as exc:  # noqa: BLE001 - the reader sees every error
            ok = False
            error = _user_traceback(exc)
        figures = _pyplot_figures()
    if stream.getvalue():
        outputs.append({"type": "text", "text": stream.getvalue()})
    if ok and value is not None:
        if _is_figure(value):
            if all(value is not f for f in figures):
                figures.insert(0, value)
        else:
            outputs.append({"type": "value", "text": _display_text(value)})
    outputs.extend({"type": "image", "png": _png(f), "alt": getattr(f, "alt", "")}
                   for f in figures)
    if not ok:
        outputs.append({"type": "error", "text": error})
    return {"ok": ok, "outputs": outputs}
