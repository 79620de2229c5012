r"""Figures of the losses page and its deck: what each loss rewards, and what it does to training.

Regression losses and their best constant (:func:`mlnotes.experiments.constant_fit_losses`),
the coin's likelihood (:func:`mlnotes.experiments.coin_nll`), the outputs of models
trained with a right and a wrong loss, the multi-label predictions, the graph of
softmax with cross-entropy, and the margin ranking loss.

Explained in the book: :doc:`/losses`; presented in the deck "Lecture: Losses".
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

from ..activations import softmax
from ..experiments.losses import coin_nll, constant_fit_losses
from ..losses import (
    cross_entropy,
    cross_entropy_backward,
    l1_loss,
    l1_loss_backward,
    margin_ranking_loss,
    mse_loss,
    mse_loss_backward,
)
from ._figure import COLORS, _check_array, _check_arrays, _graph_figure, new_figure


def regression_losses_figure(data: Sequence[float], lim: float = 3.0) -> Figure:
    r"""MSE against L1: per-residual loss and gradient, and the best constant for ``data``.

    Left: :math:`r^2` and :math:`|r|` with their slopes :math:`2r` and
    :math:`\operatorname{sign}(r)` (from the explicit backwards). Right: the
    loss of predicting one constant for ``data``, minimised by the mean (MSE)
    and by the median (L1), with the data as ticks on the axis.

    Example:
        >>> len(regression_losses_figure([0.0, 1.0, 9.0]).axes)
        2
    """
    d = _check_array(data, "data", 1, "(N,)")

    r = np.linspace(-lim, lim, 301)
    zero = np.zeros_like(r)
    fig, (ax0, ax1) = new_figure(1, 2, width=8.4, height=3.2)
    ax0.plot(r, mse_loss(r, zero, reduction="none"), color=COLORS["ours"], label="$r^2$")
    ax0.plot(r, mse_loss_backward(1.0, r, zero, reduction="sum"), "--", color=COLORS["ours"],
             label="slope $2r$")
    ax0.plot(r, l1_loss(r, zero, reduction="none"), color=COLORS["other"], label="$|r|$")
    ax0.plot(r, l1_loss_backward(1.0, r, zero, reduction="sum"), "--", color=COLORS["other"],
             label=r"slope $\mathrm{sign}(r)$")
    ax0.axhline(0, color="grey", lw=0.5)
    ax0.set_xlabel("residual r = prediction - target")
    ax0.set_title("loss of one residual")
    ax0.legend(fontsize=8)
    c = np.linspace(d.min() - 1, d.max() + 1, 801)
    mse, l1 = constant_fit_losses(d, c)
    ax1.plot(c, mse / mse.max(), color=COLORS["ours"], label="MSE (scaled)")
    ax1.plot(c, l1 / l1.max(), color=COLORS["other"], label="L1 (scaled)")
    ax1.axvline(d.mean(), color=COLORS["ours"], ls=":", label=f"mean = {d.mean():.2f}")
    ax1.axvline(np.median(d), color=COLORS["other"], ls=":",
                label=f"median = {np.median(d):.2f}")
    ax1.plot(d, np.zeros_like(d), "k|", ms=14, label="data")
    ax1.set_xlabel("constant prediction c")
    ax1.set_title("best constant for the data")
    ax1.legend(fontsize=8)
    fig.alt = (
        "Left: the squared loss r^2 and absolute loss |r| of one residual with their slopes "
        "2r and sign(r). Right: the total MSE and L1 of a constant prediction over the data; "
        "MSE is lowest at the mean, L1 at the median, and an outlier pulls the mean away."
    )
    return fig


def nll_curve_figure(flips: Sequence[int], thetas: Sequence[float] | None = None) -> Figure:
    r"""The NLL of coin flips against :math:`\theta`, with its minimum and :math:`k/n` marked.

    Example:
        >>> len(nll_curve_figure([1, 0, 1]).axes)
        2
    """

    y = np.asarray(flips)
    thetas = np.linspace(0.01, 0.99, 197) if thetas is None else np.asarray(thetas)
    nll = coin_nll(y, thetas)
    fig, ax = new_figure(width=5.6, height=3.2)
    ax.plot(thetas, nll, color=COLORS["ours"], label="NLL($\\theta$) = -log likelihood")
    best = thetas[np.argmin(nll)]
    ax.axvline(y.mean(), color=COLORS["other"], ls="--", label=f"k/n = {y.mean():.2f}")
    ax.plot([best], [nll.min()], "o", color=COLORS["ours"], label=f"argmin = {best:.2f}")
    ax.set_xlabel(r"$\theta$ = P(heads)")
    ax.set_ylabel("summed NLL")
    twin = ax.twinx()
    twin.plot(thetas, np.exp(-nll), color=COLORS["third"], alpha=0.6, label="likelihood")
    twin.set_ylabel("likelihood", color=COLORS["third"])
    ax.legend(fontsize=8, loc="upper center")
    fig.alt = (
        "The summed negative log-likelihood of coin flips against theta = P(heads), with the "
        "likelihood on a second axis: the NLL is lowest, and the likelihood highest, at the "
        "fraction of heads k/n."
    )
    return fig


def sigmoid_pitfall_figure(y: Sequence[float],
                           outputs: dict[str, Sequence[float]]) -> Figure:
    r"""Histograms of one sigmoid output :math:`a`, split by label, for each trained model.

    ``outputs`` maps a title (the loss used) to the outputs :math:`a` on the
    data whose labels are ``y``.

    Example:
        >>> len(sigmoid_pitfall_figure([0, 1], {"a": [0.1, 0.9], "b": [0.9, 0.9]}).axes)
        2
    """
    y, outputs = _check_array(y, "y", 1, "(N,)"), _check_arrays(outputs, "outputs", 1, "(N,)")
    if any(a.shape != y.shape for a in outputs.values()):
        raise ValueError(f"outputs must hold one output per label of y ({len(y)}), got "
                         f"{ {k: len(a) for k, a in outputs.items()} }")
    fig, axes = new_figure(1, len(outputs), width=4.2 * len(outputs), height=3.0)
    axes = np.atleast_1d(axes)
    bins = np.linspace(0, 1, 21)
    for ax, (title, a) in zip(axes, outputs.items(), strict=True):
        ax.hist(a[y == 0], bins=bins, color=COLORS["other"], alpha=0.7, label="label y = 0")
        ax.hist(a[y == 1], bins=bins, color=COLORS["ours"], alpha=0.7, label="label y = 1")
        ax.set_title(title)
        ax.set_xlabel("output a = sigmoid(z)")
        ax.legend(fontsize=8, loc="upper center")
    axes[0].set_ylabel("count")
    fig.alt = (
        "Histograms of the sigmoid outputs for examples with label 0 and with label 1, one "
        "panel per way of training ("
        + ", ".join(outputs) + ")."
    )
    return fig


def multilabel_figure(X: np.ndarray, Y: np.ndarray, predictions: dict[str, np.ndarray]
                      ) -> Figure:
    r"""The multi-label points, each marked by whether a model got its whole label set.

    Args:
        X: the points ``(N, 2)``.
        Y: their true 0/1 labels ``(N, K)``.
        predictions: ``{title: (N, K) predicted 0/1 labels}``, one panel each.

    Example:
        >>> X = np.array([[1.0, 1.0], [-1.0, 1.0]]); Y = (X > 0) * 1.0
        >>> len(multilabel_figure(X, Y, {"all right": Y}).axes)
        1
    """
    X, Y = _check_array(X, "X", 2, "(N, 2)"), _check_array(Y, "Y", 2, "(N, K)")
    predictions = _check_arrays(predictions, "predictions", 2, "(N, K)")
    if X.shape[1] != 2 or len(Y) != len(X) or any(P.shape != Y.shape
                                                  for P in predictions.values()):
        raise ValueError(f"X must be (N, 2), Y and predictions (N, K) for the same N, got X "
                         f"{X.shape}, Y {Y.shape}, predictions "
                         f"{ {k: P.shape for k, P in predictions.items()} }")
    fig, axes = new_figure(1, len(predictions), width=3.6 * len(predictions), height=3.4)
    axes = np.atleast_1d(axes)
    for ax, (title, P) in zip(axes, predictions.items(), strict=True):
        right = np.all(P == Y, axis=1)
        ax.scatter(*X[right].T, s=14, color=COLORS["third"], label="label set right")
        ax.scatter(*X[~right].T, s=22, marker="x", color=COLORS["other"],
                   label="label set wrong")
        ax.axhline(0, color="grey", lw=0.5)
        ax.axvline(0, color="grey", lw=0.5)
        ax.set_title(f"{title}: {right.mean():.0%} right", fontsize=10)
        ax.set_aspect("equal")
        for (px, py), text in (((0.55, 0.55), "both"), ((-0.55, -0.55), "none"),
                               ((0.55, -0.55), "x>0"), ((-0.55, 0.55), "y>0")):
            ax.text(px, py, text, ha="center", va="center", fontsize=9,
                    bbox={"fc": "white", "ec": "none", "alpha": 0.7})
    axes[0].legend(fontsize=8, loc="lower left", bbox_to_anchor=(0, 1.1))
    fig.alt = (
        "Scatter plots of the data set, one panel per model: points whose whole label set is "
        "predicted right in one colour and wrong in another, with the fraction right in each "
        "title."
    )
    return fig


def ce_graph_figure(z: Sequence[float] = (2.0, 1.0, -1.0), target: int = 1) -> Figure:
    r"""The computation graph of the last layers, forward above and backward below.

    :math:`h \to z = Wh + b \to a = \mathrm{softmax}(z) \to L = -\log a_y`,
    with the numbers of one example: the logits ``z``, the probabilities
    :math:`a`, and the gradient :math:`a - y` from
    :func:`~mlnotes.losses.cross_entropy_backward`.

    Example:
        >>> len(ce_graph_figure().axes)
        1
    """

    z = np.asarray(z, dtype=np.float64)[None, :]
    t = np.array([target])
    a = softmax(z)[0]
    loss = float(cross_entropy(z, t))
    dz = cross_entropy_backward(1.0, z, t)[0]
    fmt = lambda v: "[" + ", ".join(f"{x:.2f}" for x in v) + "]"  # noqa: E731
    nodes = [(0.7, "h", "features"), (3.2, "z", f"z = {fmt(z[0])}"),
             (6.0, "a", f"a = {fmt(a)}"), (8.9, "L", f"L = {loss:.3f}")]
    ops = ["$Wh + b$", "softmax", f"$-\\log a_y$, y = {target}"]
    grads = [r"$\partial L/\partial W = (a - y)\,h^\top$",
             f"$\\partial L/\\partial z = a - y$\n= {fmt(dz)}",
             f"$\\partial L/\\partial a_y = -1/a_y$\n= {-1 / a[target]:.2f}"]
    fig = _graph_figure(nodes, ops, grads, "forward: black, left to right; backward: red, "
                        "right to left. softmax's Jacobian times -1/a_y collapses to a - y.")
    fig.alt = (
        f"Computation graph of softmax followed by cross-entropy for logits z = {fmt(z[0])} "
        f"and target class {target}, each node's value above it and the gradient flowing "
        f"back below: dL/dz = softmax(z) - onehot(target) = {fmt(dz)}."
    )
    return fig


def margin_ranking_figure(margin: float = 1.0, lim: float = 3.0) -> Figure:
    r"""The margin ranking loss over the two scores (for ``y = 1``) and over their difference.

    Left: a heat map of :math:`\max(0, -(x_1 - x_2) + \text{margin})` over the
    plane; its level lines are the diagonals :math:`x_1 - x_2 = \text{const}`,
    so shifting both scores moves along a level line. Right: the loss as a
    function of :math:`x_1 - x_2` for ``y = 1`` and ``y = -1``.

    Example:
        >>> len(margin_ranking_figure().axes)
        3
    """

    s = np.linspace(-lim, lim, 121)
    x1, x2 = np.meshgrid(s, s, indexing="xy")
    ones = np.ones_like(x1)
    loss = margin_ranking_loss(x1, x2, ones, margin=margin, reduction="none")
    fig, (ax0, ax1) = new_figure(1, 2, width=8.6, height=3.4)
    im = ax0.imshow(loss, origin="lower", extent=(-lim, lim, -lim, lim), cmap="viridis")
    ax0.contour(x1, x2, loss, levels=[0.5, 1.5, 2.5, 3.5], colors="white", linewidths=0.6)
    ax0.plot(s, s - margin, "w--", lw=1.2)
    ax0.set_ylim(-lim, lim)
    ax0.text(lim * 0.1, -lim * 0.75, "loss = 0:\n$x_1 \\geq x_2$ + margin",
             color="white", fontsize=8)
    ax0.set_xlabel("$x_1$ (should lead)")
    ax0.set_ylabel("$x_2$")
    ax0.set_title(f"y = 1, margin = {margin:g}")
    fig.colorbar(im, ax=ax0, shrink=0.85, label="loss")
    d = np.linspace(-lim, lim, 301)
    zero = np.zeros_like(d)
    for y, color in ((1.0, COLORS["ours"]), (-1.0, COLORS["other"])):
        ax1.plot(d, margin_ranking_loss(d, zero, np.full_like(d, y), margin=margin,
                                           reduction="none"), color=color, label=f"y = {y:+g}")
    ax1.axvline(margin, color=COLORS["ours"], ls=":")
    ax1.axvline(-margin, color=COLORS["other"], ls=":")
    ax1.set_xlabel("$x_1 - x_2$")
    ax1.set_title("only the difference matters")
    ax1.legend(fontsize=8)
    fig.alt = (
        "Left: a heat map of the margin ranking loss over (x1, x2) for y = 1, zero wherever "
        "x1 leads x2 by the margin. Right: the loss against x1 - x2 for y = +1 and y = -1: "
        "only the difference matters."
    )
    return fig

