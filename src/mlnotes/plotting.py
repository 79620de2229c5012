r"""The figure helpers that the book's pages and the lecture decks share.

A page and its deck draw the same picture by calling the same function here, so
a figure is never copied. Each helper computes what it draws with mlnotes itself
(the figure is evidence, not an illustration) and returns a
:class:`matplotlib.figure.Figure` built without pyplot, so no global state is
touched; a notebook cell that ends with the figure displays it.

Explained in the book: every page that draws a figure says which helper drew it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

from . import activations as A

__all__ = [
    "new_figure",
    "temperature_figure",
    "normalisation_figure",
    "saturation_figure",
    "saturation_gradients",
    "jacobian_figure",
    "activation_curves_figure",
    "max_family_figure",
]

#: a colour for each role, used consistently across pages and decks
COLORS = {"ours": "#1f77b4", "other": "#d62728", "third": "#2ca02c", "fourth": "#9467bd"}


def new_figure(nrows: int = 1, ncols: int = 1, width: float = 6.4, height: float = 3.6):
    r"""A pyplot-free figure and its axes, sized for both a page and a slide.

    Returns:
        ``(fig, axes)``; ``axes`` is a single Axes when ``nrows == ncols == 1``,
        else a NumPy array of them.

    Example:
        >>> fig, ax = new_figure()
        >>> type(fig).__name__
        'Figure'
    """
    fig = Figure(figsize=(width, height), layout="constrained", dpi=110)
    axes = fig.subplots(nrows, ncols, squeeze=True)
    return fig, axes


# =========================================================================== softmax


def temperature_figure(x: Sequence[float], betas: Sequence[float] = (0.5, 1.0, 2.0, 10.0)):
    r"""Bars of ``softmax(x, beta=b)`` for several inverse temperatures ``b``.

    Small :math:`\beta` flattens the distribution towards uniform; large
    :math:`\beta` sharpens it towards the one-hot :func:`~mlnotes.activations.hardmax`.

    Example:
        >>> fig = temperature_figure([1.0, 2.0, 3.0])
        >>> len(fig.axes)
        5
    """
    x = np.asarray(x, dtype=np.float64)
    fig, axes = new_figure(1, len(betas) + 1, width=2.0 * (len(betas) + 1), height=2.6)
    k = np.arange(len(x))
    for ax, beta in zip(axes[:-1], betas, strict=True):
        ax.bar(k, A.softmax(x, beta=beta), color=COLORS["ours"])
        ax.set_title(rf"$\beta = {beta:g}$")
        ax.set_ylim(0, 1.05)
        ax.set_xticks(k)
    axes[-1].bar(k, A.hardmax(x), color=COLORS["other"])
    axes[-1].set_title("hardmax")
    axes[-1].set_ylim(0, 1.05)
    axes[-1].set_xticks(k)
    axes[0].set_ylabel("probability")
    fig.suptitle(f"softmax(beta * x) for x = {np.array2string(x, precision=2)}")
    return fig


def normalisation_figure(x: Sequence[float] = (1.0, 3.0)):
    r"""Plain normalisation :math:`x / \sum x` next to softmax, for positive ``x``.

    Example:
        >>> len(normalisation_figure().axes)
        1
    """
    x = np.asarray(x, dtype=np.float64)
    fig, ax = new_figure(width=4.8, height=3.0)
    k = np.arange(len(x))
    plain, soft = x / x.sum(), A.softmax(x)
    ax.bar(k - 0.2, plain, width=0.4, label="x / sum(x)", color=COLORS["other"])
    ax.bar(k + 0.2, soft, width=0.4, label="softmax(x)", color=COLORS["ours"])
    for i in k:
        ax.text(i - 0.2, plain[i] + 0.02, f"{plain[i]:.2f}", ha="center")
        ax.text(i + 0.2, soft[i] + 0.02, f"{soft[i]:.2f}", ha="center")
    ax.set_xticks(k, [f"x = {v:g}" for v in x])
    ax.set_ylim(0, 1.1)
    ax.set_ylabel("share")
    ax.legend(loc="upper left")
    return fig


def saturation_figure(gaps: Sequence[float] | None = None, k: int = 3):
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
    return fig


def saturation_gradients(gaps: np.ndarray, k: int = 3) -> tuple[np.ndarray, np.ndarray]:
    r"""The two gradient norms drawn by :func:`saturation_figure`.

    Uses the explicit backwards :func:`~mlnotes.activations.softmax_backward`
    and :func:`~mlnotes.activations.log_softmax_backward`.

    Example:
        >>> soft, logsoft = saturation_gradients(np.array([0.0, 20.0]))
        >>> bool(soft[1] < 1e-8 < 0.5 < logsoft[1])
        True
    """
    x = np.zeros((len(gaps), k))
    x[:, 0] = gaps
    g = np.zeros_like(x)
    g[:, 1] = -1.0  # d(loss)/d(output) for loss = -output[1]
    soft = A.softmax_backward(g, A.softmax(x))
    logsoft = A.log_softmax_backward(g, A.log_softmax(x))
    return np.linalg.norm(soft, axis=1), np.linalg.norm(logsoft, axis=1)


def jacobian_figure(x: Sequence[float]):
    r"""The Jacobians of softmax and of an element-wise sigmoid at ``x``, as heat maps.

    Softmax's is full (every output depends on every input); the sigmoid's is
    diagonal (each output depends on its own input only).

    Example:
        >>> len(jacobian_figure([1.0, 2.0, 0.5]).axes)
        4
    """
    x = np.asarray(x, dtype=np.float64)
    J_soft = A.softmax_jacobian(A.softmax(x))
    s = A.sigmoid(x)
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
    return fig


def activation_curves_figure(lim: float = 5.0):
    r"""Sigmoid and tanh with their derivatives, and tanh against :math:`2\sigma(2x) - 1`.

    Example:
        >>> len(activation_curves_figure().axes)
        2
    """
    x = np.linspace(-lim, lim, 401)
    s, t = A.sigmoid(x), A.tanh(x)
    one = np.ones_like(x)
    fig, (ax0, ax1) = new_figure(1, 2, width=8.4, height=3.2)
    ax0.plot(x, s, label=r"$\sigma(x)$", color=COLORS["ours"])
    ax0.plot(x, A.sigmoid_backward(one, s), "--", label=r"$\sigma'(x)$", color=COLORS["ours"])
    ax0.plot(x, t, label=r"$\tanh(x)$", color=COLORS["other"])
    ax0.plot(x, A.tanh_backward(one, t), "--", label=r"$\tanh'(x)$", color=COLORS["other"])
    ax0.axhline(0, color="grey", lw=0.5)
    ax0.legend(fontsize=8)
    ax0.set_title("ranges and slopes")
    ax1.plot(x, t, lw=4, alpha=0.4, label=r"$\tanh(x)$", color=COLORS["other"])
    ax1.plot(x, 2 * A.sigmoid(2 * x) - 1, "k:", label=r"$2\sigma(2x) - 1$")
    ax1.legend(fontsize=8)
    ax1.set_title("tanh is a rescaled sigmoid")
    return fig


def max_family_figure(lim: float = 4.0):
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
    ax0.plot(a, A.relu(a), lw=3, label="ReLU(a) = max(a, 0)", color=COLORS["other"])
    ax0.plot(a, A.logsumexp(pairs, axis=1), label="logsumexp([0, a])", color=COLORS["ours"])
    ax0.set_title("max and its soft version")
    ax0.legend(fontsize=8)
    ax1.plot(a, A.hardmax(pairs, axis=1)[:, 1], lw=3, label="hardmax([0, a])[1] = step",
             color=COLORS["other"])
    ax1.plot(a, A.softmax(pairs, axis=1)[:, 1], label="softmax([0, a])[1] = sigmoid",
             color=COLORS["ours"])
    ax1.set_title("argmax and its soft version")
    ax1.legend(fontsize=8)
    return fig


# =========================================================== figures of other pages
# (each page family adds its helpers below, in a section of its own)
