r"""What every figure shares: the palette, the figure factory, the description, image tiles.

:func:`new_figure` makes a :class:`_NotebookFigure`, a matplotlib figure built
without pyplot (so no global state is touched) that shows itself in a notebook as
a PNG carrying its own description, ``fig.alt``, as the image's alternative text.
:data:`COLORS` gives each role one colour, the same on every page and deck.

The checks the figure helpers make at their door live here too:
:func:`_check_array` (an array of real numbers of a given number of dimensions,
returned as a float64 NumPy array), :func:`_check_arrays` (a dict of such arrays,
one curve or one set of points per entry) and :func:`_check_dict`; scalars go
through :mod:`mlnotes.backend`'s ``check_number`` and friends. Every message
names the argument: "``val`` must be a 1-D array (n_settings,), got shape (2, 2)".
"""

from __future__ import annotations

import io
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ..backend import is_tensor, is_torch, to_numpy

#: a colour for each role, used consistently across pages and decks. Chosen for
#: colour-blind readers: blue, vermillion and reddish purple from Okabe and Ito's
#: palette and Paul Tol's dark green, every pair far apart under simulated
#: deuteranopia and each at least 3:1 against the white background
#: (tests/test_plotting.py checks both)
COLORS = {"ours": "#0072B2", "other": "#D55E00", "third": "#117733", "fourth": "#CC79A7"}


class _NotebookFigure(Figure):
    r"""A :class:`~matplotlib.figure.Figure` that displays itself in a notebook.

    pyplot's inline backend registers the display of figures only once pyplot is
    imported; the helpers here never import it, so the figure says how to show
    itself: as a PNG, rendered at a resolution that stays sharp on a projector.

    ``alt`` is a short description of what the figure shows, written by the helper
    that draws it. It travels inside the PNG (its ``Description`` text chunk), where
    the site's Sphinx extension reads it as the image's alternative text.

    Example:
        >>> fig, ax = new_figure()
        >>> fig.alt = "an empty plot"
        >>> png = fig._repr_png_()
        >>> png[:4], b"an empty plot" in png
        (b'\x89PNG', True)
    """

    alt: str = ""

    def _repr_png_(self) -> bytes:
        buffer = io.BytesIO()
        metadata = {"Description": self.alt} if self.alt else None
        self.savefig(buffer, format="png", dpi=144, metadata=metadata)
        return buffer.getvalue()


def new_figure(nrows: int = 1, ncols: int = 1, width: float = 6.4, height: float = 3.6
               ) -> tuple[Figure, Any]:
    r"""A pyplot-free figure and its axes, sized for both a page and a slide.

    Every axes cycles through :data:`COLORS`, so a line drawn without a colour
    takes the palette's.

    Args:
        nrows, ncols: the grid of axes.
        width, height: the figure's size in inches (shown at 144 dots per inch).

    Returns:
        ``(fig, axes)``; ``axes`` is a single Axes when ``nrows == ncols == 1``,
        else a NumPy array of them.

    Example:
        >>> fig, ax = new_figure()
        >>> type(fig).__name__
        '_NotebookFigure'
    """
    fig = _NotebookFigure(figsize=(width, height), layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=True)
    for ax in np.atleast_1d(axes).flat:  # lines without a colour take the palette too
        ax.set_prop_cycle(color=list(COLORS.values()))
    return fig, axes


def _check_array(x: Any, name: str, ndim: int, what: str = "", *, finite: bool = True
                 ) -> np.ndarray:
    r"""``x`` as a float64 NumPy array of ``ndim`` dimensions, or an error naming ``name``.

    A figure draws data, so any array of real numbers will do: a NumPy array, a torch
    tensor (detached, moved to the CPU), an :class:`mlnotes.autograd.Tensor`, or a list
    or tuple of numbers; integer, boolean and float16 entries are drawn as float64.

    Raises:
        TypeError: ``x`` is not one of those (``None``, a string, a dict, a bare number)
            or does not hold real numbers (complex, strings, ragged lists).
        ValueError: ``x`` has another number of dimensions, no entries, or (when
            ``finite``) a NaN or an infinity.

    Example:
        >>> _check_array([1, 2], "x", 1)
        array([1., 2.])
        >>> _check_array(np.zeros((2, 2)), "val", 1, "(n_settings,)")
        Traceback (most recent call last):
        ...
        ValueError: val must be a 1-D array (n_settings,), got shape (2, 2)
    """
    if not (isinstance(x, (np.ndarray, list, tuple)) or is_torch(x) or is_tensor(x)):
        raise TypeError(f"{name} must be an array of real numbers, got {type(x).__name__}")
    try:
        array = to_numpy(x)
    except (TypeError, ValueError) as exc:  # a ragged list
        raise TypeError(f"{name} must be an array of real numbers: {exc}") from exc
    if array.dtype.kind not in "biuf":
        raise TypeError(f"{name} must hold real numbers, got dtype {array.dtype}")
    if array.ndim != ndim:
        raise ValueError(f"{name} must be a {ndim}-D array{' ' + what if what else ''}, "
                         f"got shape {array.shape}")
    if array.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {array.shape}")
    array = array.astype(np.float64)
    if finite and not np.isfinite(array).all():
        raise ValueError(f"{name} must be finite, got {int((~np.isfinite(array)).sum())} "
                         "NaN or infinite entries")
    return array


def _check_dict(d: Any, name: str, what: str) -> dict:
    r"""``d`` if it is a non-empty dict, or an error naming ``name`` and saying ``what`` it maps.

    Example:
        >>> _check_dict([1.0], "histories", "{label: losses}")
        Traceback (most recent call last):
        ...
        TypeError: histories must be a dict {label: losses}, got list
    """
    if not isinstance(d, dict):
        raise TypeError(f"{name} must be a dict {what}, got {type(d).__name__}")
    if not d:
        raise ValueError(f"{name} must have at least one entry {what}, got an empty dict")
    return d


def _check_arrays(d: Any, name: str, ndim: int, what: str = "", *, finite: bool = True
                  ) -> dict[Any, np.ndarray]:
    r"""A non-empty dict of arrays (one curve, or one set of points, per entry), each checked
    by :func:`_check_array` under the name ``name[key]``.

    Example:
        >>> _check_arrays({"run": [1.0, 0.5]}, "histories", 1)
        {'run': array([1. , 0.5])}
        >>> _check_arrays({"run": "x"}, "histories", 1)
        Traceback (most recent call last):
        ...
        TypeError: histories['run'] must be an array of real numbers, got str
    """
    _check_dict(d, name, f"{{label: {ndim}-D array{' ' + what if what else ''}}}")
    return {key: _check_array(value, f"{name}[{key!r}]", ndim, what, finite=finite)
            for key, value in d.items()}


def _tile(images: np.ndarray, ncols: int, pad: int = 1) -> np.ndarray:
    """``(n, h, w)`` images as one ``(rows * (h + pad), ncols * (w + pad))`` mosaic."""
    n, h, w = images.shape
    nrows = -(-n // ncols)
    out = np.full((nrows * (h + pad) - pad, ncols * (w + pad) - pad), np.nan)
    for k in range(n):
        r, c = divmod(k, ncols)
        out[r * (h + pad):r * (h + pad) + h, c * (w + pad):c * (w + pad) + w] = images[k]
    return out


def _show_images(ax: Axes, images: np.ndarray, ncols: int, title: str) -> None:
    """Show ``(n, h, w)`` images in [0, 1] as one grey mosaic of ``ncols`` columns."""
    from matplotlib import colormaps

    cmap = colormaps["gray_r"].with_extremes(bad="white")
    ax.imshow(_tile(images, ncols), cmap=cmap, vmin=0, vmax=1, interpolation="nearest")
    ax.set_title(title, fontsize=10)
    ax.set_axis_off()


def _graph_figure(nodes: list[tuple[float, str, str]], ops: list[str], grads: list[str],
                  caption: str) -> Figure:
    """Draw a chain of nodes: values above, the forward in black, the backward in red."""
    fig, ax = new_figure(width=8.8, height=2.8)
    ax.set_xlim(0, 10)
    ax.set_ylim(0.65, 3.5)
    ax.axis("off")
    for x, name, value in nodes:
        ax.text(x, 2.7, f"${name}$", ha="center", va="center", fontsize=16,
                bbox={"boxstyle": "circle", "fc": "white", "ec": COLORS["ours"]})
        ax.text(x, 3.25, value, ha="center", fontsize=8.5)
    for (x0, *_), (x1, *_), op, g in zip(nodes[:-1], nodes[1:], ops, grads, strict=True):
        ax.annotate("", xy=(x1 - 0.45, 2.7), xytext=(x0 + 0.45, 2.7),
                    arrowprops={"arrowstyle": "->", "color": "black"})
        ax.text((x0 + x1) / 2, 2.85, op, ha="center", fontsize=9)
        ax.annotate("", xy=(x0 + 0.3, 2.25), xytext=(x1 - 0.3, 2.25),
                    arrowprops={"arrowstyle": "->", "color": COLORS["other"],
                                "connectionstyle": "arc3,rad=-0.4"})
        ax.text((x0 + x1) / 2, 1.55, g, ha="center", va="top", fontsize=9,
                color=COLORS["other"])
    ax.text(5, 0.75, caption, ha="center", fontsize=8.5)
    return fig

