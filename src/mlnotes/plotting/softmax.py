r"""Figures of the softmax page and its deck: temperature, saturation, Jacobians, activations.

Each draws what :mod:`mlnotes.activations` computes: softmax at several inverse
temperatures, softmax against plain normalisation, the saturating gradient of a
loss on probabilities (:func:`mlnotes.experiments.saturation_gradients`), the two
Jacobians, sigmoid and tanh with their slopes, the hard functions beside their soft
twins, and the graph of a sigmoid output with binary cross-entropy.

Explained in the book: :doc:`/softmax`; presented in the deck "Lecture: Softmax".
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

from ..activations import (
    hardmax,
    logsumexp,
    relu,
    sigmoid,
    sigmoid_backward,
    softmax,
    softmax_jacobian,
    tanh,
    tanh_backward,
)
from ..backend import check_number
from ..experiments.softmax import saturation_gradients
from ..losses import binary_cross_entropy_with_logits
from ._figure import COLORS, _check_array, _graph_figure, new_figure


def temperature_figure(x: Sequence[float],
                       betas: Sequence[float] = (0.5, 1.0, 2.0, 10.0)) -> Figure:
    r"""Bars of ``softmax(x, beta=b)`` for several inverse temperatures ``b``.

    Small :math:`\beta` flattens the distribution towards uniform; large
    :math:`\beta` sharpens it towards the one-hot :func:`~mlnotes.activations.hardmax`.

    Example:
        >>> fig = temperature_figure([1.0, 2.0, 3.0])
        >>> len(fig.axes)
        5
    """
    x = _check_array(x, "x", 1, "(K,)")
    betas = [check_number(b, f"betas[{i}]", 0.0, low_open=True) for i, b in enumerate(betas)]
    fig, axes = new_figure(1, len(betas) + 1, width=2.0 * (len(betas) + 1), height=2.6)
    k = np.arange(len(x))
    for ax, beta in zip(axes[:-1], betas, strict=True):
        ax.bar(k, softmax(x, beta=beta), color=COLORS["ours"])
        ax.set_title(rf"$\beta = {beta:g}$")
        ax.set_ylim(0, 1.05)
        ax.set_xticks(k)
    axes[-1].bar(k, hardmax(x), color=COLORS["other"])
    axes[-1].set_title("hardmax")
    axes[-1].set_ylim(0, 1.05)
    axes[-1].set_xticks(k)
    axes[0].set_ylabel("probability")
    fig.suptitle(f"softmax(beta * x) for x = {np.array2string(x, precision=2)}")
    fig.alt = (
        f"Bar charts of softmax(beta * x) for x = {np.array2string(x, precision=2)}, "
        f"one panel per beta ({', '.join(f'{b:g}' for b in betas)}) and a last panel for "
        "hardmax: as beta grows the bars move from nearly "
        "equal towards all the probability on the largest entry."
    )
    return fig


def normalisation_figure(x: Sequence[float] = (1.0, 3.0)) -> Figure:
    r"""Plain normalisation :math:`x / \sum x` next to softmax, for positive ``x``.

    Example:
        >>> len(normalisation_figure().axes)
        1
    """
    x = np.asarray(x, dtype=np.float64)
    fig, ax = new_figure(width=4.8, height=3.0)
    k = np.arange(len(x))
    plain, soft = x / x.sum(), softmax(x)
    ax.bar(k - 0.2, plain, width=0.4, label="x / sum(x)", color=COLORS["other"])
    ax.bar(k + 0.2, soft, width=0.4, label="softmax(x)", color=COLORS["ours"])
    for i in k:
        ax.text(i - 0.2, plain[i] + 0.02, f"{plain[i]:.2f}", ha="center")
        ax.text(i + 0.2, soft[i] + 0.02, f"{soft[i]:.2f}", ha="center")
    ax.set_xticks(k, [f"x = {v:g}" for v in x])
    ax.set_ylim(0, 1.1)
    ax.set_ylabel("share")
    ax.legend(loc="upper left")
    fig.alt = (
        "Paired bars for each entry of x: its share under x / sum(x) and under softmax(x). "
        "Softmax gives the larger entry a bigger share than plain division does."
    )
    return fig


def saturation_figure(gaps: Sequence[float] | None = None, k: int = 3) -> Figure:
    r"""Gradient size against the logit gap, for a loss on softmax and on log-softmax.

    The logits are :math:`(g, 0, \dots, 0)` and the target is a *wrong* class
    (class 1), so a good model should be pushed hard. The loss on the
    probability, :math:`-p_1`, sends back a gradient that shrinks like
    :math:`e^{-g}`; the loss on the log-probability, :math:`-\log p_1`, sends
    back one of size about 1 however large :math:`g` grows.

    Example:
        >>> len(saturation_figure().axes)
        1
    """
    gaps = np.linspace(0, 30, 61) if gaps is None else np.asarray(gaps, dtype=np.float64)
    soft, logsoft = saturation_gradients(gaps, k)
    fig, ax = new_figure(width=5.6, height=3.4)
    ax.semilogy(gaps, soft, label=r"loss $-p_1$ (softmax)", color=COLORS["other"])
    ax.semilogy(gaps, logsoft, label=r"loss $-\log p_1$ (log-softmax)", color=COLORS["ours"])
    ax.set_xlabel("logit gap g: the wrong class leads by g")
    ax.set_ylabel("norm of the gradient on the logits")
    ax.legend()
    fig.alt = (
        "Log-scale plot of the gradient norm on the logits against the logit gap by which a "
        "wrong class leads: for the loss -p (softmax) the gradient vanishes as the gap "
        "grows, for -log p (log-softmax) it stays near 1."
    )
    return fig


def jacobian_figure(x: Sequence[float]) -> Figure:
    r"""The Jacobians of softmax and of an element-wise sigmoid at ``x``, as heat maps.

    Softmax's is full (every output depends on every input); the sigmoid's is
    diagonal (each output depends on its own input only).

    Example:
        >>> len(jacobian_figure([1.0, 2.0, 0.5]).axes)
        4
    """
    x = _check_array(x, "x", 1, "(K,)")
    J_soft = softmax_jacobian(softmax(x))
    s = sigmoid(x)
    J_sig = np.diag(s * (1 - s))
    fig, axes = new_figure(1, 2, width=7.6, height=3.4)
    lim = max(np.abs(J_soft).max(), np.abs(J_sig).max())
    for ax, J, title in zip(
        axes, (J_soft, J_sig), ("softmax: every input", "sigmoid: its own input"), strict=True
    ):
        im = ax.imshow(J, cmap="RdBu_r", vmin=-lim, vmax=lim)
        ax.set_title(title)
        ax.set_xlabel("input j")
        ax.set_ylabel("output k")
        ticks = np.arange(len(x))
        ax.set_xticks(ticks)
        ax.set_yticks(ticks)
        fig.colorbar(im, ax=ax, shrink=0.8, label=r"$\partial y_k / \partial x_j$")
    fig.alt = (
        "Heat maps of the softmax Jacobian dy_k/dx_j: positive entries y_k(1 - y_k) on the "
        "diagonal, negative entries -y_k y_j off it."
    )
    return fig


def activation_curves_figure(lim: float = 5.0) -> Figure:
    r"""Sigmoid and tanh with their derivatives, and tanh against :math:`2\sigma(2x) - 1`.

    Example:
        >>> len(activation_curves_figure().axes)
        2
    """
    x = np.linspace(-lim, lim, 401)
    s, t = sigmoid(x), tanh(x)
    one = np.ones_like(x)
    fig, (ax0, ax1) = new_figure(1, 2, width=8.4, height=3.2)
    ax0.plot(x, s, label=r"$\sigma(x)$", color=COLORS["ours"])
    ax0.plot(x, sigmoid_backward(one, s), "--", label=r"$\sigma'(x)$", color=COLORS["ours"])
    ax0.plot(x, t, label=r"$\tanh(x)$", color=COLORS["other"])
    ax0.plot(x, tanh_backward(one, t), "--", label=r"$\tanh'(x)$", color=COLORS["other"])
    ax0.axhline(0, color="grey", lw=0.5)
    ax0.legend(fontsize=8)
    ax0.set_title("ranges and slopes")
    ax1.plot(x, t, lw=4, alpha=0.4, label=r"$\tanh(x)$", color=COLORS["other"])
    ax1.plot(x, 2 * sigmoid(2 * x) - 1, "k:", label=r"$2\sigma(2x) - 1$")
    ax1.legend(fontsize=8)
    ax1.set_title("tanh is a rescaled sigmoid")
    fig.alt = (
        "Left: sigmoid (range 0 to 1) and tanh (range -1 to 1) with their derivatives "
        "dashed; the sigmoid's slope peaks at 0.25 and tanh's at 1. Right: tanh and 2 "
        "sigmoid(2x) - 1 drawn on top of each other are the same curve."
    )
    return fig


def max_family_figure(lim: float = 4.0) -> Figure:
    r"""The hard functions and their soft twins: ReLU and step next to softplus and sigmoid.

    Left: :math:`\mathrm{ReLU}(a) = \max(a, 0)` with the smooth
    :math:`\log(1 + e^a) = \mathrm{logsumexp}([a, 0])`. Right: the step
    :math:`\mathrm{hardmax}([0, a])_1` with :math:`\sigma(a) = \mathrm{softmax}([0, a])_1`.

    Example:
        >>> len(max_family_figure().axes)
        2
    """
    a = np.linspace(-lim, lim, 401)
    pairs = np.stack([np.zeros_like(a), a], axis=1)  # rows [0, a]
    fig, (ax0, ax1) = new_figure(1, 2, width=8.4, height=3.0)
    ax0.plot(a, relu(a), lw=3, label="ReLU(a) = max(a, 0)", color=COLORS["other"])
    ax0.plot(a, logsumexp(pairs, axis=1), label="logsumexp([0, a])", color=COLORS["ours"])
    ax0.set_title("max and its soft version")
    ax0.legend(fontsize=8)
    ax1.plot(a, hardmax(pairs, axis=1)[:, 1], lw=3, label="hardmax([0, a])[1] = step",
             color=COLORS["other"])
    ax1.plot(a, softmax(pairs, axis=1)[:, 1], label="softmax([0, a])[1] = sigmoid",
             color=COLORS["ours"])
    ax1.set_title("argmax and its soft version")
    ax1.legend(fontsize=8)
    fig.alt = (
        "Left: ReLU(a) = max(a, 0) and its smooth version logsumexp([0, a]), which "
        "approaches it away from 0. Right: the step hardmax([0, a])[1] and its smooth "
        "version softmax([0, a])[1], which is the sigmoid of a."
    )
    return fig


def bce_graph_figure(z: float = 1.5, target: float = 0.0) -> Figure:
    r"""The computation graph of one sigmoid output with binary cross-entropy.

    :math:`h \to z = w^\top h + b \to a = \sigma(z) \to
    L = -[y \log a + (1 - y) \log(1 - a)]`, with one example's numbers and the
    gradient on the way back: :math:`\partial L/\partial a = (a - y) / (a(1 - a))`
    times :math:`\sigma'(z) = a(1 - a)` leaves :math:`a - y`, as for softmax and
    cross-entropy (:func:`~mlnotes.losses.binary_cross_entropy_with_logits`).

    Example:
        >>> len(bce_graph_figure().axes)
        1
    """

    a = float(sigmoid(np.array([z], dtype=np.float64))[0])
    loss = float(binary_cross_entropy_with_logits(np.array([z], dtype=np.float64),
                                                     np.array([target], dtype=np.float64)))
    nodes = [(0.7, "h", "features"), (3.2, "z", f"z = {z:.2f}"),
             (6.0, "a", f"a = {a:.3f}"), (8.9, "L", f"L = {loss:.3f}")]
    ops = [r"$w^\top h + b$", "sigmoid", f"BCE, y = {target:g}"]
    grads = [r"$\partial L/\partial w = (a - y)\,h$",
             f"$\\partial L/\\partial z = a - y$\n= {a - target:.3f}",
             f"$\\partial L/\\partial a = \\frac{{a - y}}{{a(1 - a)}}$\n= "
             f"{(a - target) / (a * (1 - a)):.3f}"]
    fig = _graph_figure(nodes, ops, grads, "forward: black; backward: red. sigma'(z) = "
                        "a(1 - a) cancels the denominator: again a - y.")
    fig.alt = (
        f"Computation graph of a sigmoid output with binary cross-entropy for z = {z:.2f} and "
        f"label {target:g}: a = {a:.3f}, L = {loss:.3f}; flowing back, dL/da = "
        f"{(a - target) / (a * (1 - a)):.3f}, and the sigmoid's slope a(1 - a) turns it into "
        f"dL/dz = a - y = {a - target:.3f}."
    )
    return fig

