r"""Redraw a figure while a cell trains: frames in the reader's browser, nothing elsewhere.

A training cell of the book draws its loss curve once, at its end, like any cell.
In the browser (a live cell, run by the site's Pyodide) the reader can also watch
it grow: the cell calls :func:`redraw` every few steps, and each call sends the
figure's current picture to the page, which replaces the previous frame of the
same figure in the cell's output. In a Jupyter kernel (the build), in a script or
in the tests, :func:`redraw` does nothing: the figure is shown once, at the cell's
end, so the page's static output stays what it was.

Who listens: the browser's runner, the module ``mlnotes_live``
(``mlnotes_site/live/static/mlnotes_live.py``), sets its ``frame_sink`` to a
function while it runs a cell, and back to None after; :func:`redraw` looks for
that module in ``sys.modules`` and imports nothing, so it costs nothing where
nobody listens.
"""

from __future__ import annotations

import sys
from typing import Any


def redraw(fig: Any, key: str | None = None) -> bool:
    r"""Show ``fig``'s current state now, in place of its previous frame, where a page listens.

    Call it from a training loop every few steps, after updating the figure's
    artists (``line.set_data(...)``, ``ax.relim(); ax.autoscale_view()``); end the
    cell with the figure as usual, so the build shows it once. Only a live cell run
    in the reader's browser shows the intermediate frames; everywhere else this is
    a no-op that returns False. Each frame is a PNG rendered in the browser (a
    tenth of a second or more): every few steps, not every step.

    Args:
        fig: a matplotlib figure (from :func:`mlnotes.plotting.new_figure`, or
            pyplot's).
        key: names the figure's frame in the cell's output, so two figures redrawn
            by one cell keep a frame each; by default the figure's identity.

    Returns:
        True when a frame was sent to the page, False when nothing listens.

    Raises:
        TypeError: ``fig`` is not a figure (it has no ``savefig``), or ``key`` is
            not a string.

    Example:
        >>> from mlnotes.plotting import new_figure, redraw
        >>> fig, ax = new_figure()
        >>> line, = ax.plot([0], [1.0])
        >>> for step in range(1, 4):
        ...     line.set_data(range(step + 1), [1.0 / (s + 1) for s in range(step + 1)])
        ...     redraw(fig)  # in a notebook or a script: nothing is shown, nothing sent
        False
        False
        False
        >>> redraw("not a figure")
        Traceback (most recent call last):
        ...
        TypeError: redraw: fig must be a matplotlib figure (with savefig), not str
    """
    if not callable(getattr(fig, "savefig", None)):
        raise TypeError("redraw: fig must be a matplotlib figure (with savefig), "
                        f"not {type(fig).__name__}")
    if key is not None and not isinstance(key, str):
        raise TypeError(f"redraw: key must be a str or None, not {type(key).__name__}")
    sink = getattr(sys.modules.get("mlnotes_live"), "frame_sink", None)
    if sink is None:
        return False
    sink(fig, key if key is not None else f"figure-{id(fig)}")
    return True
