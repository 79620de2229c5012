r"""Figures of the sequences page and its deck: gradients through time, training, the LSTM.

Explained in the book: :doc:`/sequences`; presented in the deck "Lecture: Sequences".
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.figure import Figure

from ..backend import check_model, check_number, to_numpy
from ..experiments.sequences import bptt_gradient_norms
from ..rnn import lstm_cell, lstm_gates
from ._figure import COLORS, _check_array, _check_dict, new_figure

if TYPE_CHECKING:
    from ..rnn import LSTM


def gradient_distance_figure(
    radii: Sequence[float] = (0.5, 0.9, 1.5, 3.0), length: int = 60,
    generator: int | np.random.Generator = 0,
) -> Figure:
    r"""The norm of the gradient reaching step :math:`L - d`, against the distance :math:`d`.

    One line per spectral radius of :math:`W_{hh}`, on a log scale: below 1 the
    gradient vanishes geometrically, well above 1 it explodes.

    Args:
        radii: the spectral radii, one line each.
        length: the sequence's length.
        generator: an int seed or a ``numpy.random.Generator``; every radius's run of
            :func:`mlnotes.experiments.bptt_gradient_norms` gets it.

    Example:
        >>> len(gradient_distance_figure().axes)
        1
    """

    fig, ax = new_figure(width=6.4, height=3.4)
    colors = [COLORS["ours"], COLORS["third"], COLORS["fourth"], COLORS["other"]]
    for r, color in zip(radii, colors * 2, strict=False):
        ax.semilogy(bptt_gradient_norms(r, length=length, generator=generator), color=color,
                    label=f"spectral radius {r:g}")
    ax.set_xlabel("distance d from the loss (steps back in time)")
    ax.set_ylabel(r"$\|\partial \ell / \partial a_{L-d}\|$")
    ax.legend(fontsize=8)
    fig.alt = (
        "Log-scale plot of the gradient norm reaching the hidden state d steps before the "
        "loss, one line per spectral radius of the recurrent matrix."
    )
    return fig


def recall_training_figure(histories: dict, chance: float | None = None) -> Figure:
    r"""Loss and test accuracy during training, one line per model (left: loss, right: accuracy).

    ``histories`` maps a model's name to ``{"loss": [...], "accuracy": [...]}``;
    the accuracy may be measured less often than the loss (its points are spread
    over the same steps).

    Example:
        >>> h = {"RNN": {"loss": [1.4, 1.3], "accuracy": [0.2, 0.3]}}
        >>> len(recall_training_figure(h, chance=0.25).axes)
        2
    """
    for name, h in _check_dict(histories, "histories", "{name: history}").items():
        if not isinstance(h, dict) or not {"loss", "accuracy"} <= set(h):
            raise TypeError(f"histories[{name!r}] must be a dict with the keys 'loss' and "
                            f"'accuracy', got {type(h).__name__}")
        for key in ("loss", "accuracy"):
            _check_array(h[key], f"histories[{name!r}][{key!r}]", 1, finite=False)
    if chance is not None:
        chance = check_number(chance, "chance", 0.0, 1.0, low_open=True)
    fig, (ax0, ax1) = new_figure(1, 2, width=8.4, height=3.2)
    colors = [COLORS["other"], COLORS["ours"], COLORS["third"], COLORS["fourth"]]
    for (name, h), color in zip(histories.items(), colors * 2, strict=False):
        steps = np.arange(1, len(h["loss"]) + 1)
        ax0.plot(steps, h["loss"], color=color, label=name, lw=1)
        acc = np.asarray(h["accuracy"])
        at = np.linspace(len(steps) / len(acc), len(steps), len(acc))
        ax1.plot(at, acc, "o-", color=color, label=name, ms=3)
    ax0.set_xlabel("training step")
    ax0.set_ylabel("cross-entropy")
    ax1.set_xlabel("training step")
    ax1.set_ylabel("test accuracy")
    ax1.set_ylim(0, 1.05)
    if chance is not None:
        ax0.axhline(-np.log(chance), color="grey", ls=":", lw=1, label="chance")
        ax1.axhline(chance, color="grey", ls=":", lw=1, label="chance")
    ax0.legend(fontsize=8)
    ax1.legend(fontsize=8)
    fig.alt = (
        "Left: training cross-entropy against step. Right: test accuracy against step. One "
        "line per model ("
        + ", ".join(str(k) for k in histories) + "); the dotted line is chance."
    )
    return fig


def lstm_cell_figure(values: dict | None = None) -> Figure:
    r"""The LSTM cell drawn as four layers and the pointwise operations between them.

    The cell state runs along the top, changed only by a product with the
    forget gate :math:`f` and a sum with :math:`i \odot g`; the hidden state is
    :math:`o \odot \tanh(c)`. With ``values`` (a dict with keys among ``"i"``,
    ``"f"``, ``"g"``, ``"o"``, ``"c"``, ``"c_prev"``, ``"h"``, e.g. one unit of
    :func:`mlnotes.rnn.lstm_gates`), each box is labelled with its number.

    Example:
        >>> len(lstm_cell_figure({"f": 0.9}).axes)
        1
    """
    from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

    values = {} if values is None else values
    if not isinstance(values, dict):
        raise TypeError(f"values must be a dict {{name: number}}, got {type(values).__name__}")
    for name, v in values.items():
        if name not in ("i", "f", "g", "o", "c", "c_prev", "h"):
            raise ValueError(f"values may hold i, f, g, o, c, c_prev and h, got {name!r}")
        check_number(v, f"values[{name!r}]")
    fig, ax = new_figure(width=7.6, height=4.0)
    ax.set_xlim(0, 11)
    ax.set_ylim(0, 6)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.add_patch(FancyBboxPatch((1.2, 0.6), 8.4, 4.9, boxstyle="round,pad=0.1",
                                fc="#eef3fa", ec="#9bb0c8"))
    top, low, layer_y = 4.8, 1.1, 2.4

    def arrow(p, q):
        ax.add_patch(FancyArrowPatch(p, q, arrowstyle="-|>", mutation_scale=10, lw=1.4,
                                     color="#333333", shrinkA=0, shrinkB=0))

    def op(x, y, text):
        ax.add_patch(Circle((x, y), 0.28, fc="#f6c6d0", ec="#aa4466", zorder=3))
        ax.text(x, y, text, ha="center", va="center", fontsize=10, zorder=4)

    def layer(x, text, name):
        ax.add_patch(FancyBboxPatch((x - 0.42, layer_y - 0.28), 0.84, 0.56,
                                    boxstyle="round,pad=0.03", fc="#fbe7a1", ec="#b08900",
                                    zorder=3))
        ax.text(x, layer_y, text, ha="center", va="center", fontsize=10, zorder=4)
        label = f"${name}$" + (f" = {values[name]:.2f}" if name in values else "")
        ax.text(x, layer_y - 0.45, label, ha="center", va="top", fontsize=9,
                color="#6b5200", zorder=5, bbox={"fc": "#eef3fa", "ec": "none", "pad": 1})

    xf, xi, xg, xo, xplus, xout = 2.6, 3.8, 5.0, 6.9, 5.0, 8.0
    # the cell state along the top: c_{t-1} -> (x f) -> (+ i g) -> c_t
    arrow((0.2, top), (xf - 0.28, top))
    arrow((xf + 0.28, top), (xplus - 0.28, top))
    arrow((xplus + 0.28, top), (10.8, top))
    ax.text(0.2, top + 0.25, "$c_{t-1}$" + (f" = {values['c_prev']:.2f}" if "c_prev" in values
                                            else ""), fontsize=10)
    ax.text(9.8, top + 0.25, "$c_t$" + (f" = {values['c']:.2f}" if "c" in values else ""),
            fontsize=10)
    op(xf, top, r"$\times$")
    op(xplus, top, "+")
    op(xg, 3.6, r"$\times$")
    # the hidden state and the input enter at the bottom and feed the four layers
    ax.plot([0.2, xo], [low, low], color="#333333", lw=1.4)
    ax.text(0.2, low - 0.45, "$h_{t-1}$", fontsize=10)
    arrow((1.7, 0.0), (1.7, low))
    ax.text(1.85, 0.05, "$x_t$", fontsize=10)
    for x, text, name in ((xf, r"$\sigma$", "f"), (xi, r"$\sigma$", "i"),
                          (xg, "tanh", "g"), (xo, r"$\sigma$", "o")):
        ax.plot([x, x], [low, layer_y - 0.28], color="#333333", lw=1.4)
        layer(x, text, name)
    arrow((xf, layer_y + 0.28), (xf, top - 0.28))  # f multiplies the old cell
    ax.plot([xi, xi], [layer_y + 0.28, 3.6], color="#333333", lw=1.4)
    arrow((xi, 3.6), (xg - 0.28, 3.6))  # i times g ...
    arrow((xg, layer_y + 0.28), (xg, 3.6 - 0.28))
    arrow((xg, 3.6 + 0.28), (xplus, top - 0.28))  # ... is added to the cell
    # the output: h_t = o * tanh(c_t)
    ax.plot([xout, xout], [top, 3.9], color="#333333", lw=1.4)
    ax.add_patch(FancyBboxPatch((xout - 0.4, 3.35), 0.8, 0.5, boxstyle="round,pad=0.03",
                                fc="#f6c6d0", ec="#aa4466", zorder=3))
    ax.text(xout, 3.6, "tanh", ha="center", va="center", fontsize=9, zorder=4)
    op(xout, layer_y, r"$\times$")
    arrow((xout, 3.35), (xout, layer_y + 0.28))
    arrow((xo + 0.42, layer_y), (xout - 0.28, layer_y))
    ax.plot([xout, xout], [layer_y - 0.28, low], color="#333333", lw=1.4)
    arrow((xout, low), (10.8, low))
    ax.text(9.8, low - 0.45, "$h_t$" + (f" = {values['h']:.2f}" if "h" in values else ""),
            fontsize=10)
    fig.alt = (
        "Diagram of an LSTM cell: the input and previous hidden state feed the forget, "
        "input, candidate and output gates; the cell state runs along the top, scaled by the "
        "forget gate and added to by the input gate times the candidate; the output gate "
        "times tanh of the cell state gives the new hidden state."
    )
    return fig


def lstm_gates_figure(model: LSTM, xs: np.ndarray, sample: int = 0) -> Figure:
    r"""The gates and cell state of a one-layer LSTM along one sequence.

    The model is a :class:`mlnotes.rnn.LSTM` or its twin :class:`mlnotes.rnn.NumpyLSTM`.

    Runs :func:`mlnotes.rnn.lstm_gates` step by step on sequence ``sample`` of
    ``xs`` ``(L, N, D)`` (``D`` the model's ``input_size``) and draws :math:`i, f, g, o`
    and :math:`c` as heat maps (units against time).

    Example:
        >>> import numpy as np, torch
        >>> from mlnotes.rnn import LSTM
        >>> len(lstm_gates_figure(LSTM(2, 3), np.zeros((4, 1, 2))).axes)  # 5 maps, 5 bars
        10
    """
    check_model(model)
    xs = _check_array(xs, "xs", 3, "(L, N, D)")
    if xs.shape[2] != model.input_size:
        raise ValueError(f"xs must have the model's input_size={model.input_size} features, "
                         f"got shape {xs.shape}")
    sample = check_number(sample, "sample", 0, xs.shape[1] - 1, integer=True)

    # the weights as float64 arrays, from a torch LSTM or its NumPy twin
    W = [None if p is None else to_numpy(p).astype(np.float64) for p in model.layer_weights(0)]
    xs = xs[:, sample]
    h = c = np.zeros(model.hidden_size)
    trace = {name: [] for name in ("i", "f", "g", "o", "c")}
    for x in xs:
        i, f, g, o = lstm_gates(x, (h, c), *W)
        h, c = lstm_cell(x, (h, c), *W)
        for name, v in zip("ifgoc", (i, f, g, o, c), strict=True):
            trace[name].append(v)
    fig, axes = new_figure(1, 5, width=9.6, height=3.0)
    titles = {"i": "input gate i", "f": "forget gate f", "g": "candidate g",
              "o": "output gate o", "c": "cell state c"}
    for ax, name in zip(axes, trace, strict=True):
        m = np.array(trace[name]).T
        lim = (0, 1) if name in "ifo" else (-np.abs(m).max(), np.abs(m).max())
        cmap = "viridis" if name in "ifo" else "RdBu_r"
        im = ax.imshow(m, aspect="auto", cmap=cmap, vmin=lim[0], vmax=lim[1],
                       interpolation="nearest")
        ax.set_title(titles[name], fontsize=9)
        ax.set_xlabel("step t", fontsize=8)
        ax.set_yticks([])
        cb = fig.colorbar(im, ax=ax, location="bottom", shrink=0.9, aspect=12)
        cb.ax.tick_params(labelsize=7)
    axes[0].set_ylabel("unit")
    fig.alt = (
        "Heat maps, units down and time steps across, of an LSTM along one sequence: the "
        "input, forget and output gates (between 0 and 1), the candidate g and the cell "
        "state c."
    )
    return fig

