"""Run one live cell the way the book's build ran it, and report what it showed.

The browser's worker (``mlnotes-live-worker.js``) imports this module inside
Pyodide; the test suite imports it in CPython. :func:`run_cell` executes the
code in the page's shared namespace and returns the cell's outputs in the order
Jupyter shows them: printed text (stdout and stderr merged, as the build merges
them), then the value of a final expression, as IPython would display it, then
any figure the cell produced, as a PNG.

While the cell runs, ``emit`` (given by the worker) receives what the page shows
at once, each as one JSON string: ``{"type": "stream", "text": ...}`` for printed
lines (whole lines, batched: at most one message every :data:`STREAM_EVERY`
seconds, so a loop printing thousands of lines does not flood the page) and
``{"type": "frame", "key": ..., "png": ..., "alt": ...}`` for each
:func:`mlnotes.plotting.redraw` of a figure. The returned outputs are still the
whole cell's, as the build shows them.
"""

from __future__ import annotations

import ast
import base64
import contextlib
import io
import json
import pprint
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any

CELL_FILE = "<cell>"
#: the longest a printed line waits before it is sent to the page, in seconds
STREAM_EVERY = 0.1


class _Stream(io.TextIOBase):
    """stdout and stderr of a cell: everything kept, whole lines also sent as they come.

    Lines are sent when a newline arrives and :data:`STREAM_EVERY` seconds have
    passed since the last message (the first line at once); what waits goes with
    the next line after that, or at :meth:`flush_all` (a redrawn figure, the
    cell's end).
    """

    def __init__(self, emit: Callable[[str], Any] | None):
        self.parts: list[str] = []
        self._emit = emit
        self._pending: list[str] = []
        self._last = float("-inf")  # the first line goes at once

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        if not isinstance(text, str):
            raise TypeError(f"write() argument must be str, not {type(text).__name__}")
        self.parts.append(text)
        if self._emit is not None and text:
            self._pending.append(text)
            if "\n" in text and time.monotonic() - self._last >= STREAM_EVERY:
                self._send(whole_lines=True)
        return len(text)

    def _send(self, whole_lines: bool) -> None:
        pending = "".join(self._pending)
        cut = pending.rfind("\n") + 1 if whole_lines else len(pending)
        if cut == 0:
            return
        self._pending = [pending[cut:]] if pending[cut:] else []
        self._last = time.monotonic()
        self._emit(json.dumps({"type": "stream", "text": pending[:cut]}))

    def flush_all(self) -> None:
        """Send whatever is pending, a last line without its newline included."""
        if self._emit is not None and self._pending:
            self._send(whole_lines=False)

    def getvalue(self) -> str:
        return "".join(self.parts)


#: While a cell runs with an ``emit``: what :func:`mlnotes.plotting.redraw` calls,
#: ``frame_sink(fig, key)`` (it finds this module in ``sys.modules``); else None.
frame_sink: Callable[[Any, str], None] | None = None


@contextlib.contextmanager
def _frames(emit: Callable[[str], Any] | None, stream: _Stream):
    """While a cell runs, send each :func:`mlnotes.plotting.redraw` of a figure to the page."""
    global frame_sink

    def sink(fig: Any, key: str) -> None:
        stream.flush_all()  # the lines printed before the frame come before it
        emit(json.dumps({"type": "frame", "key": key, "png": _png(fig),
                         "alt": getattr(fig, "alt", "")}))

    frame_sink = sink if emit is not None else None
    try:
        yield
    finally:
        frame_sink = None


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


def check_cell(code: str, namespace: dict, exercise: str,
               emit: Callable[[str], Any] | None = None) -> dict:
    """Run ``code`` like :func:`run_cell`, then grade exercise ``exercise`` on it.

    The verdict comes from :func:`mlnotes.exercises.grade`, the same checks the
    build and the test suite run. It is added as ``result["grade"]``: ``passed``,
    ``total``, ``failures`` and ``summary``, and ``prints``, the text the reader's
    functions printed while they were checked (the page shows it above the
    verdict); a cell that raised is not graded.
    """
    result = run_cell(code, namespace, emit=emit)
    if result["ok"]:
        from mlnotes.exercises import grade

        stream = _Stream(emit)
        with contextlib.redirect_stdout(stream), contextlib.redirect_stderr(stream):
            verdict = grade(exercise, namespace)
            # the grader collects what the reader's functions printed while checked (so
            # that its own messages stay apart): it is sent on, and shown, all the same
            extra = getattr(verdict, "prints", "") or ""
            print(extra if isinstance(extra, str) else "".join(extra), end="")
        stream.flush_all()
        result["grade"] = {"passed": verdict.passed, "total": verdict.total,
                           "failures": [list(f) for f in verdict.failures],
                           "summary": verdict.summary(), "prints": stream.getvalue()}
    else:
        result["grade"] = {"passed": False, "total": 0, "failures": [], "prints": "",
                           "summary": "Your code raised an error (below); fix it, then Check."}
    return result


def run_cell(code: str, namespace: dict,
             emit: Callable[[str], Any] | None = None) -> dict:
    """Execute ``code`` in ``namespace`` and return what the cell shows.

    ``emit``, when given, receives printed lines and redrawn figures while the
    cell runs (see the module's description); the result is the same with or
    without it.

    Returns:
        A dict with ``outputs``, a list of ``{"type": "text" | "value" |
        "image" | "error", "text" or "png": ...}`` in display order, and
        ``ok``, False when the cell raised (its traceback is the last output).

    Example:
        >>> out = run_cell("print(1 + 1)\\n2 * 3", {})
        >>> [(o["type"], o["text"]) for o in out["outputs"]]
        [('text', '2\\n'), ('value', '6')]
        >>> sent = []
        >>> out = run_cell("for i in range(3):\\n    print(i)", {}, emit=sent.append)
        >>> "".join(json.loads(m)["text"] for m in sent) == out["outputs"][0]["text"]
        True
    """
    stream = _Stream(emit)
    outputs: list[dict] = []
    ok = True
    value = None
    figures: list[Any] = []
    namespace.setdefault("__name__", "__main__")
    with contextlib.redirect_stdout(stream), contextlib.redirect_stderr(stream), \
            _frames(emit, stream):
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
    stream.flush_all()
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
