r"""The figure helpers that the book's pages and the lecture decks share.

A page and its deck draw the same picture by calling the same function here, so
a figure is never copied. Each helper computes what it draws with mlnotes itself
(the figure is evidence, not an illustration) and returns a
:class:`matplotlib.figure.Figure` built without pyplot, so no global state is
touched; a notebook cell that ends with the figure displays it.

Explained in the book: every page that draws a figure says which helper drew it.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from matplotlib.figure import Figure

from . import activations as A
from .backend import as_generator, needs_torch
from .conv import LENET

if TYPE_CHECKING:
    import torch

__all__ = [
    "new_figure",
    "temperature_figure",
    "normalisation_figure",
    "saturation_figure",
    "jacobian_figure",
    "activation_curves_figure",
    "max_family_figure",
    "conv_net_figure",
    "sobel_figure",
    "pooling_figure",
    "neighbour_figure",
    "regression_losses_figure",
    "nll_curve_figure",
    "sigmoid_pitfall_figure",
    "multilabel_figure",
    "ce_graph_figure",
    "bce_graph_figure",
    "margin_ranking_figure",
    "gradient_estimators_figure",
    "vae_reconstructions_figure",
    "vae_samples_figure",
    "latent_space_figure",
    "init_variance_figure",
    "normalisation_axes_figure",
    "norm_training_figure",
    "optimizer_paths_figure",
    "loss_curves_figure",
    "selection_figure",
    # gating / architectures
    "soft_gate_figure",
    "gated_network_figure",
    "soft_switch_figure",
    "attention_figure",
    "moe_regions_figure",
    "motif_figure",
    "weight_matrices_figure",
    # sequences
    "gradient_distance_figure",
    "recall_training_figure",
    "lstm_cell_figure",
    "lstm_gates_figure",
]

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


def new_figure(nrows: int = 1, ncols: int = 1, width: float = 6.4, height: float = 3.6):
    r"""A pyplot-free figure and its axes, sized for both a page and a slide.

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
    fig.alt = (
        f"Bar charts of softmax(beta * x) for x = {np.array2string(x, precision=2)}, "
        f"one panel per beta ({', '.join(f'{b:g}' for b in betas)}) and a last panel for "
        "hardmax: as beta grows the bars move from nearly "
        "equal towards all the probability on the largest entry."
    )
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
    fig.alt = (
        "Paired bars for each entry of x: its share under x / sum(x) and under softmax(x). "
        "Softmax gives the larger entry a bigger share than plain division does."
    )
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
    soft, logsoft = A.saturation_gradients(gaps, k)
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
    fig.alt = (
        "Heat maps of the softmax Jacobian dy_k/dx_j: positive entries y_k(1 - y_k) on the "
        "diagonal, negative entries -y_k y_j off it."
    )
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
    fig.alt = (
        "Left: sigmoid (range 0 to 1) and tanh (range -1 to 1) with their derivatives "
        "dashed; the sigmoid's slope peaks at 0.25 and tanh's at 1. Right: tanh and 2 "
        "sigmoid(2x) - 1 drawn on top of each other are the same curve."
    )
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
    fig.alt = (
        "Left: ReLU(a) = max(a, 0) and its smooth version logsumexp([0, a]), which "
        "approaches it away from 0. Right: the step hardmax([0, a])[1] and its smooth "
        "version softmax([0, a])[1], which is the sigmoid of a."
    )
    return fig


# =========================================================== figures of other pages
# (each page family adds its helpers below, in a section of its own)


# ===== conv

def conv_net_figure(layers=LENET, input_shape: tuple[int, ...] = (1, 28, 28)):
    r"""A conv net drawn from the shapes that :func:`conv_net_shapes` measures.

    Feature maps are squares sized by their height, stacked to suggest channels;
    vectors are bars sized by their length.

    Example:
        >>> len(conv_net_figure().axes)
        1
    """
    from matplotlib.patches import Rectangle

    from . import conv as C

    shapes = C.conv_net_shapes(layers, input_shape)
    fig, ax = new_figure(width=10.0, height=2.8)
    h0 = max(s[1] for _, s in shapes if len(s) == 3)
    n0 = max(s[0] for _, s in shapes if len(s) == 1)
    gap, right = 2.0, None  # distance between layers; right edge of the previous drawing
    for k, (label, shape) in enumerate(shapes):
        x0 = gap * k
        if len(shape) == 3:
            c, h, w = shape
            side, depth = 0.3 + 0.9 * h / h0, min(c, 4)
            for d in range(depth - 1, -1, -1):
                ax.add_patch(Rectangle((x0 + 0.08 * d - side / 2, 0.08 * d - side / 2), side,
                                       side, fc=COLORS["ours"], ec="white", alpha=0.85))
            left, new_right = x0 - side / 2, x0 + side / 2 + 0.08 * (depth - 1)
            text = f"{c}@{h}x{w}"
        else:
            side = 0.2 + 1.0 * np.sqrt(shape[0] / n0)
            ax.add_patch(Rectangle((x0 - 0.07, -side / 2), 0.14, side, fc=COLORS["third"]))
            left, new_right = x0 - 0.07, x0 + 0.07
            text = f"{shape[0]}"
        ax.text(x0, -0.8, text, ha="center", va="top", fontsize=9)
        if k:
            ax.annotate("", (left - 0.08, 0), (right + 0.08, 0),
                        arrowprops=dict(arrowstyle="->", color="grey"))
            ax.text((left + right) / 2, 0.75, label.replace(" + ", "\n+ "), ha="center",
                    va="bottom", fontsize=8)
        right = new_right
    ax.set_xlim(-0.8, gap * (len(shapes) - 1) + 0.5)
    ax.set_ylim(-1.1, 1.3)
    ax.set_aspect("equal")
    ax.axis("off")
    fig.alt = (
        "Diagram of a convolutional network from left to right: " + ", then ".join(
        f"{label} giving {'x'.join(str(s) for s in shape)}" for label, shape in shapes) + "."
    )
    return fig


def sobel_figure(image: np.ndarray):
    r"""A grey image, its two Sobel responses and the edge magnitude, side by side.

    Computed with :func:`mlnotes.conv.sobel` and :func:`mlnotes.conv.edge_magnitude`.

    Example:
        >>> len(sobel_figure(np.eye(8)).axes)
        4
    """
    from . import conv as C

    x = np.asarray(image, dtype=np.float64)[None, None]
    g, mag = C.sobel(x)[0], C.edge_magnitude(x)[0, 0]
    lim = np.abs(g).max()
    fig, axes = new_figure(1, 4, width=10.0, height=3.4)
    panels = [(image, "image", "gray", 0, 1), (g[0], r"$G_x$: vertical edges", "RdBu_r", -lim, lim),
              (g[1], r"$G_y$: horizontal edges", "RdBu_r", -lim, lim),
              (mag, "edge magnitude", "magma", 0, mag.max())]
    for ax, (a, title, cmap, lo, hi) in zip(axes, panels, strict=True):
        ax.imshow(a, cmap=cmap, vmin=lo, vmax=hi)
        ax.set_title(title, fontsize=10)
        ax.axis("off")
    fig.alt = (
        "Four panels: a grey image; its Sobel response G_x, which marks vertical edges; G_y, "
        "which marks horizontal edges; and the edge magnitude, bright along every edge."
    )
    return fig


def pooling_figure(x: np.ndarray, shifted: np.ndarray, kernel_size: int = 2):
    r"""Two grey images and their max pooling: a shift inside a window leaves the pool unchanged.

    Example:
        >>> len(pooling_figure(np.eye(4), np.eye(4)).axes)
        4
    """
    from . import conv as C

    fig, axes = new_figure(2, 2, width=5.6, height=5.2)
    for col, (img, name) in enumerate(((x, "image"), (shifted, "shifted by one pixel"))):
        pooled = C.max_pool2d(np.asarray(img, dtype=np.float64)[None, None], kernel_size)[0, 0]
        for row, (a, title) in enumerate(((img, name), (pooled, f"max pool {kernel_size}x"
                                                                f"{kernel_size}"))):
            ax = axes[row, col]
            ax.imshow(a, cmap="gray_r", vmin=0, vmax=1)
            ax.set_title(title, fontsize=10)
            ax.set_xticks(np.arange(-0.5, a.shape[1], 1), minor=True)
            ax.set_yticks(np.arange(-0.5, a.shape[0], 1), minor=True)
            ax.grid(which="minor", color="lightgrey", lw=0.5)
            ax.tick_params(which="both", length=0, labelbottom=False, labelleft=False)
    fig.alt = (
        "Top: an image and the same image shifted by one pixel. Bottom: their "
        f"{kernel_size}x{kernel_size} max pooling; a shift that stays inside a pooling "
        "window leaves the pooled image unchanged."
    )
    return fig


def neighbour_figure(feature_map: np.ndarray, far: int = 8, max_points: int = 4000,
                     generator: int | np.random.Generator = 0):
    r"""A feature map's values against their right neighbour, and against the pixel ``far`` over.

    The first cloud hugs the diagonal (neighbours say nearly the same thing); the
    second does not. Titles give the correlation coefficients.

    Example:
        >>> len(neighbour_figure(np.random.default_rng(0).random((20, 20)), far=4).axes)
        2
    """
    f = np.asarray(feature_map, dtype=np.float64)
    rng = as_generator(generator)  # which points to draw, when there are too many
    fig, axes = new_figure(1, 2, width=7.2, height=3.4)
    for ax, d in zip(axes, (1, far), strict=True):
        a, b = f[:, :-d].ravel(), f[:, d:].ravel()
        r = np.corrcoef(a, b)[0, 1]
        pick = rng.choice(a.size, size=min(max_points, a.size), replace=False)
        ax.scatter(a[pick], b[pick], s=2, alpha=0.3, color=COLORS["ours"] if d == 1 else
                   COLORS["other"])
        ax.set_title(f"{d} pixel{'s' if d > 1 else ''} to the right: r = {r:.2f}", fontsize=10)
        ax.set_xlabel("output at (r, c)")
        ax.set_ylabel(f"output at (r, c + {d})")
    fig.alt = (
        "Scatter plots of a feature map's output at each pixel against the output d pixels "
        "to the right, for several distances up to "
        + str(far) +
        ": neighbours are strongly correlated and the correlation r falls with distance."
    )
    return fig


# ===== losses


def regression_losses_figure(data: Sequence[float], lim: float = 3.0):
    r"""MSE against L1: per-residual loss and gradient, and the best constant for ``data``.

    Left: :math:`r^2` and :math:`|r|` with their slopes :math:`2r` and
    :math:`\operatorname{sign}(r)` (from the explicit backwards). Right: the
    loss of predicting one constant for ``data``, minimised by the mean (MSE)
    and by the median (L1), with the data as ticks on the axis.

    Example:
        >>> len(regression_losses_figure([0.0, 1.0, 9.0]).axes)
        2
    """
    from . import losses as Lo

    r = np.linspace(-lim, lim, 301)
    zero = np.zeros_like(r)
    fig, (ax0, ax1) = new_figure(1, 2, width=8.4, height=3.2)
    ax0.plot(r, Lo.mse_loss(r, zero, reduction="none"), color=COLORS["ours"], label="$r^2$")
    ax0.plot(r, Lo.mse_loss_backward(1.0, r, zero, reduction="sum"), "--", color=COLORS["ours"],
             label="slope $2r$")
    ax0.plot(r, Lo.l1_loss(r, zero, reduction="none"), color=COLORS["other"], label="$|r|$")
    ax0.plot(r, Lo.l1_loss_backward(1.0, r, zero, reduction="sum"), "--", color=COLORS["other"],
             label=r"slope $\mathrm{sign}(r)$")
    ax0.axhline(0, color="grey", lw=0.5)
    ax0.set_xlabel("residual r = prediction - target")
    ax0.set_title("loss of one residual")
    ax0.legend(fontsize=8)
    d = np.asarray(data, dtype=np.float64)
    c = np.linspace(d.min() - 1, d.max() + 1, 801)
    mse, l1 = Lo.constant_fit_losses(d, c)
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


def nll_curve_figure(flips: Sequence[int], thetas: Sequence[float] | None = None):
    r"""The NLL of coin flips against :math:`\theta`, with its minimum and :math:`k/n` marked.

    Example:
        >>> len(nll_curve_figure([1, 0, 1]).axes)
        2
    """
    from . import losses as Lo

    y = np.asarray(flips)
    thetas = np.linspace(0.01, 0.99, 197) if thetas is None else np.asarray(thetas)
    nll = Lo.coin_nll(y, thetas)
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


def sigmoid_pitfall_figure(y: Sequence[float], outputs: dict[str, Sequence[float]]):
    r"""Histograms of one sigmoid output :math:`a`, split by label, for each trained model.

    ``outputs`` maps a title (the loss used) to the outputs :math:`a` on the
    data whose labels are ``y``.

    Example:
        >>> len(sigmoid_pitfall_figure([0, 1], {"a": [0.1, 0.9], "b": [0.9, 0.9]}).axes)
        2
    """
    y = np.asarray(y)
    fig, axes = new_figure(1, len(outputs), width=4.2 * len(outputs), height=3.0)
    axes = np.atleast_1d(axes)
    bins = np.linspace(0, 1, 21)
    for ax, (title, a) in zip(axes, outputs.items(), strict=True):
        a = np.asarray(a)
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


def multilabel_figure(X, Y, predictions: dict[str, np.ndarray]):
    r"""The multi-label points, each marked by whether a model got its whole label set.

    ``predictions`` maps a title to the ``(N, 2)`` 0/1 predicted labels.

    Example:
        >>> X = np.array([[1.0, 1.0], [-1.0, 1.0]]); Y = (X > 0) * 1.0
        >>> len(multilabel_figure(X, Y, {"all right": Y}).axes)
        1
    """
    X, Y = np.asarray(X), np.asarray(Y)
    fig, axes = new_figure(1, len(predictions), width=3.6 * len(predictions), height=3.4)
    axes = np.atleast_1d(axes)
    for ax, (title, P) in zip(axes, predictions.items(), strict=True):
        right = np.all(np.asarray(P) == Y, axis=1)
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


def _graph_figure(nodes, ops, grads, caption: str):
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


def ce_graph_figure(z: Sequence[float] = (2.0, 1.0, -1.0), target: int = 1):
    r"""The computation graph of the last layers, forward above and backward below.

    :math:`h \to z = Wh + b \to a = \mathrm{softmax}(z) \to L = -\log a_y`,
    with the numbers of one example: the logits ``z``, the probabilities
    :math:`a`, and the gradient :math:`a - y` from
    :func:`~mlnotes.losses.cross_entropy_backward`.

    Example:
        >>> len(ce_graph_figure().axes)
        1
    """
    from . import losses as Lo

    z = np.asarray(z, dtype=np.float64)[None, :]
    t = np.array([target])
    a = A.softmax(z)[0]
    loss = float(Lo.cross_entropy(z, t))
    dz = Lo.cross_entropy_backward(1.0, z, t)[0]
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


def bce_graph_figure(z: float = 1.5, target: float = 0.0):
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
    from . import losses as Lo

    a = float(A.sigmoid(np.array([z], dtype=np.float64))[0])
    loss = float(Lo.binary_cross_entropy_with_logits(np.array([z], dtype=np.float64),
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


def margin_ranking_figure(margin: float = 1.0, lim: float = 3.0):
    r"""The margin ranking loss over the two scores (for ``y = 1``) and over their difference.

    Left: a heat map of :math:`\max(0, -(x_1 - x_2) + \text{margin})` over the
    plane; its level lines are the diagonals :math:`x_1 - x_2 = \text{const}`,
    so shifting both scores moves along a level line. Right: the loss as a
    function of :math:`x_1 - x_2` for ``y = 1`` and ``y = -1``.

    Example:
        >>> len(margin_ranking_figure().axes)
        3
    """
    from . import losses as Lo

    s = np.linspace(-lim, lim, 121)
    x1, x2 = np.meshgrid(s, s, indexing="xy")
    ones = np.ones_like(x1)
    loss = Lo.margin_ranking_loss(x1, x2, ones, margin=margin, reduction="none")
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
        ax1.plot(d, Lo.margin_ranking_loss(d, zero, np.full_like(d, y), margin=margin,
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


# ============================================================================== vae


def _tile(images: np.ndarray, ncols: int, pad: int = 1) -> np.ndarray:
    """``(n, h, w)`` images as one ``(rows * (h + pad), ncols * (w + pad))`` mosaic."""
    n, h, w = images.shape
    nrows = -(-n // ncols)
    out = np.full((nrows * (h + pad) - pad, ncols * (w + pad) - pad), np.nan)
    for k in range(n):
        r, c = divmod(k, ncols)
        out[r * (h + pad):r * (h + pad) + h, c * (w + pad):c * (w + pad) + w] = images[k]
    return out


def _show_images(ax, images: np.ndarray, ncols: int, title: str) -> None:
    from matplotlib import colormaps

    cmap = colormaps["gray_r"].with_extremes(bad="white")
    ax.imshow(_tile(images, ncols), cmap=cmap, vmin=0, vmax=1, interpolation="nearest")
    ax.set_title(title, fontsize=10)
    ax.set_axis_off()


def gradient_estimators_figure(pathwise: np.ndarray, score: np.ndarray, true: float):
    r"""Histograms of per-sample gradient estimates: pathwise against score function.

    Both estimators average to the ``true`` gradient; the figure shows how far
    single samples stray from it. The score-function histogram is clipped to
    its 1st to 99th percentiles (its tails reach further still).

    Args:
        pathwise: per-sample pathwise estimates (:func:`mlnotes.vae.reparameterize_backward`).
        score: per-sample score-function estimates (:func:`mlnotes.vae.score_function_gradient`).
        true: the exact gradient.

    Example:
        >>> rng = np.random.default_rng(0)
        >>> len(gradient_estimators_figure(rng.normal(size=99), 9 * rng.normal(size=99), 0).axes)
        1
    """
    pathwise, score = np.asarray(pathwise, float), np.asarray(score, float)
    lo, hi = np.percentile(score, [1, 99])
    lo, hi = min(lo, pathwise.min()), max(hi, pathwise.max())
    bins = np.linspace(lo, hi, 81)
    fig, ax = new_figure(width=6.4, height=3.2)
    ax.hist(score, bins=bins, density=True, alpha=0.6, color=COLORS["other"],
            label=f"score function: variance {score.var():.3g}")
    ax.hist(pathwise, bins=bins, density=True, alpha=0.6, color=COLORS["ours"],
            label=f"pathwise: variance {pathwise.var():.3g}")
    ax.axvline(true, color="black", lw=1.5, ls="--", label=f"true gradient {true:.3g}")
    ax.set_xlabel("one sample's estimate of the gradient")
    ax.set_ylabel("density")
    ax.legend(fontsize=8)
    fig.alt = (
        "Histograms of single-sample gradient estimates: the pathwise (reparameterisation) "
        "estimates cluster tightly around the true gradient, the score-function estimates "
        "spread widely; the legend gives both variances."
    )
    return fig


@needs_torch
def vae_reconstructions_figure(model, images: np.ndarray, n: int = 10):
    r"""``n`` input images above the VAE's reconstructions of them (decoded at :math:`z = \mu`).

    Example:
        >>> from mlnotes.vae import VAE
        >>> len(vae_reconstructions_figure(VAE(16, generator=0), np.zeros((3, 4, 4)), n=3).axes)
        2
    """
    import torch

    images = np.asarray(images)[:n]
    side = images.shape[1:]
    x = torch.as_tensor(images.reshape(len(images), -1), dtype=model.dec.weight.dtype)
    recon = model.reconstruct(x).cpu().numpy().reshape(-1, *side)
    fig, (ax0, ax1) = new_figure(2, 1, width=0.65 * len(images) + 0.4, height=2.0)
    _show_images(ax0, images, len(images), "data")
    _show_images(ax1, recon, len(images), "reconstruction")
    fig.alt = (
        "Two rows of small images: test images on top and the VAE's reconstructions of them "
        "below."
    )
    return fig


@needs_torch
def vae_samples_figure(model, n: int = 32, generator: int | torch.Generator = 0, ncols: int = 16,
                       side: int | None = None):
    r"""``n`` new images from the VAE: :math:`z \sim \mathcal{N}(0, I)`, decoded.

    Example:
        >>> from mlnotes.vae import VAE
        >>> len(vae_samples_figure(VAE(16, generator=0), n=4, ncols=4).axes)
        1
    """
    side = side or int(round(np.sqrt(model.in_features)))
    x = model.sample(n, generator).cpu().numpy()
    fig, ax = new_figure(width=0.5 * ncols + 0.3, height=0.5 * -(-n // ncols) + 0.5)
    title = r"samples: $z \sim \mathcal{N}(0, I)$, decoded"
    _show_images(ax, x.reshape(n, side, side), ncols, title)
    fig.alt = "A grid of images decoded from random points of the VAE's latent space."
    return fig


@needs_torch
def latent_space_figure(model, images: np.ndarray, color: np.ndarray, label: str = "angle",
                        lim: float = 2.5, steps: int = 11):
    r"""The 2-D latent space: codes of the data (left), and images decoded from a grid (right).

    Left: :math:`\mu(x)` of each image, coloured by ``color`` (a true factor
    of the data, which the VAE was never told). Right: the decoder's image for
    each :math:`z` of a ``steps`` x ``steps`` grid over :math:`[-l, l]^2`.

    Example:
        >>> from mlnotes.vae import VAE
        >>> fig = latent_space_figure(VAE(16, generator=0), np.zeros((3, 4, 4)), np.arange(3.0),
        ...                           steps=3)
        >>> len(fig.axes)
        3
    """
    import torch

    dtype = model.dec.weight.dtype
    images = np.asarray(images)
    side = images.shape[1]
    with torch.no_grad():
        mu, _ = model.encode(torch.as_tensor(images.reshape(len(images), -1), dtype=dtype))
        grid = np.linspace(-lim, lim, steps)
        zz = np.array([[a, b] for b in grid[::-1] for a in grid])  # rows from top: z2 falls
        decoded = A.sigmoid(model.decode(torch.as_tensor(zz, dtype=dtype))).numpy()
    mu = mu.numpy()
    fig, (ax0, ax1) = new_figure(1, 2, width=8.8, height=4.0)
    points = ax0.scatter(mu[:, 0], mu[:, 1], c=color, cmap="twilight", s=5)
    fig.colorbar(points, ax=ax0, label=label, shrink=0.85)
    ax0.set_xlim(-lim - 0.5, lim + 0.5)
    ax0.set_ylim(-lim - 0.5, lim + 0.5)
    ax0.set_aspect("equal")
    ax0.set_xlabel(r"$\mu_1$")
    ax0.set_ylabel(r"$\mu_2$")
    ax0.set_title("codes of the data", fontsize=10)
    _show_images(ax1, decoded.reshape(-1, side, side), steps,
                 rf"decoded grid, $z \in [-{lim:g}, {lim:g}]^2$")
    fig.alt = (
"Left: the VAE's codes (mu_1, mu_2) of the data, coloured by " + label +
        ", a factor of the data the VAE was never told. Right: the images the decoder makes "
        "from a grid of latent points."
    )
    return fig


# ===== init


def init_variance_figure(variances: dict | None = None, **kwargs):
    r"""Activation variance against depth, log scale: a tanh network and a ReLU network.

    Args:
        variances: the output of :func:`init_variances` (computed with
            ``kwargs`` when ``None``).

    Example:
        >>> len(init_variance_figure(depth=3, width=8, batch=4).axes)
        2
    """
    from . import init as I

    variances = I.init_variances(**kwargs) if variances is None else variances
    colors = {"small": COLORS["fourth"], "large": COLORS["other"], "xavier": COLORS["third"],
              "xavier_tanh": COLORS["ours"], "he": COLORS["ours"]}
    fig, axes = new_figure(1, 2, width=9.0, height=3.6)
    for ax, (act, curves) in zip(axes, variances.items(), strict=True):
        for scheme, v in curves.items():
            layers = np.arange(1, len(v) + 1)
            ax.semilogy(layers, v, label=I.INIT_SCHEMES[scheme], color=colors[scheme], lw=2)
        ax.set_title(f"{act} network, width {kwargs.get('width', 512)}")
        ax.set_xlabel("layer")
        ax.set_ylim(1e-30, 1e30)
        ax.axhline(1.0, color="grey", lw=0.5)
        ax.legend(fontsize=8, loc="lower right")
    axes[0].set_ylabel("variance of the activations")
    fig.alt = (
        "Log-scale variance of the activations against layer, one panel per activation "
        "function and one line per initialisation scheme, showing which schemes keep the "
        "variance level through the layers and which let it shrink or grow."
    )
    return fig


# ===== normalization


def normalisation_axes_figure(generator: int | np.random.Generator = 0):
    r"""Which numbers share a mean: a batch as it is, after batch norm, after layer norm.

    A batch of 6 samples (rows) with 5 features (columns) of very different
    offsets and scales, then :func:`~mlnotes.norm.batch_norm` (each column
    standardised) and :func:`~mlnotes.norm.layer_norm` (each row standardised).

    Example:
        >>> len(normalisation_axes_figure().axes)
        6
    """
    from . import norm as N

    rng = as_generator(generator)
    x = rng.normal(size=(6, 5)) * np.array([0.5, 1.0, 2.0, 4.0, 8.0]) + np.arange(5) * 3.0
    panels = [("input x", x),
              ("batch norm: each column", N.batch_norm(x, None, None, training=True)),
              ("layer norm: each row", N.layer_norm(x, 5))]
    fig, axes = new_figure(1, 3, width=10.0, height=3.2)
    for ax, (title, v) in zip(axes, panels, strict=True):
        lim = np.abs(v).max()
        im = ax.imshow(v, cmap="RdBu_r", vmin=-lim, vmax=lim)
        for (i, j), val in np.ndenumerate(v):
            ax.text(j, i, f"{val:.1f}", ha="center", va="center", fontsize=7)
        ax.set_title(title)
        ax.set_xlabel("feature")
        ax.set_xticks(range(5))
        ax.set_yticks(range(6))
        fig.colorbar(im, ax=ax, shrink=0.8)
    axes[0].set_ylabel("sample")
    fig.alt = (
        "Three heat maps of a batch of 6 samples (rows) by 5 features (columns), values "
        "written in each cell: the input, whose columns have very different offsets and "
        "scales; after batch norm, each column standardised; after layer norm, each row "
        "standardised."
    )
    return fig


def norm_training_figure(losses: dict | None = None, **kwargs):
    r"""Training loss against step for the models of :func:`mlnotes.norm.norm_training_losses`.

    Example:
        >>> len(norm_training_figure({"none": np.ones(3)}).axes)
        1
    """
    from . import norm as N

    losses = N.norm_training_losses(**kwargs) if losses is None else losses
    names = {"none": "no normalisation", "batch": "batch norm", "layer": "layer norm"}
    colors = {"none": COLORS["other"], "batch": COLORS["ours"], "layer": COLORS["third"]}
    fig, ax = new_figure(width=6.0, height=3.4)
    for norm, curve in losses.items():
        ax.plot(np.arange(len(curve)), curve, label=names[norm], color=colors[norm], lw=2)
    ax.set_xlabel("gradient step")
    ax.set_ylabel("training loss (cross-entropy)")
    ax.set_ylim(0, None)
    ax.legend()
    fig.alt = (
        "Training loss (cross-entropy) against gradient step for the same deep network " + ", "
        .join(names[n] for n in losses) + "."
    )
    return fig


# ===== optimizers


def optimizer_paths_figure(H: np.ndarray, paths: dict, tol: float | None = None,
                           show_steps: int = 80):
    r"""Optimizer trajectories on the contours of :math:`f(x) = \frac12 x^\top H x`, and f per step.

    Left: the first ``show_steps`` points of each path over the level sets of
    ``f``. Right: :math:`f(x_t)` against the step :math:`t` (log scale), with
    the tolerance ``tol`` as a dashed line.

    Args:
        H: the 2 x 2 Hessian (see :func:`mlnotes.datasets.ravine_hessian`).
        paths: ``{label: points}``, each ``(T + 1, 2)`` from
            :func:`mlnotes.optim.trajectory`.
        tol: optional tolerance to draw on the right.
        show_steps: how many steps of each path to draw on the left.

    Example:
        >>> from mlnotes.optim import sgd_step, trajectory
        >>> H = np.diag([1.0, 10.0])
        >>> path = trajectory(sgd_step, lambda x: H @ x, [-3.0, 1.0], 20, lr=0.1)
        >>> len(optimizer_paths_figure(H, {"SGD": path}).axes)
        2
    """
    H = np.asarray(H, dtype=np.float64)
    fig, (ax0, ax1) = new_figure(1, 2, width=10.0, height=3.8)
    reach = max(np.abs(p).max() for p in paths.values()) * 1.1
    u = np.linspace(-reach, reach, 201)
    U, V = np.meshgrid(u, u / 2)
    F = 0.5 * (H[0, 0] * U**2 + (H[0, 1] + H[1, 0]) * U * V + H[1, 1] * V**2)
    ax0.contour(U, V, F, levels=np.geomspace(max(F.min(), 1e-3), F.max(), 14),
                colors="grey", linewidths=0.6)
    colors = list(COLORS.values())
    for (label, path), color in zip(paths.items(), colors * 2, strict=False):
        p = np.asarray(path)[: show_steps + 1]
        ax0.plot(p[:, 0], p[:, 1], ".-", ms=3, lw=1, label=label, color=color)
        values = 0.5 * np.einsum("ti,ij,tj->t", path, H, path)
        ax1.semilogy(values, label=label, color=color)
    ax0.plot(0, 0, "k*", ms=10)
    ax0.set_xlim(-reach, reach)
    ax0.set_ylim(-reach / 2, reach / 2)
    ax0.set_title(f"the first {show_steps} steps")
    ax0.legend(fontsize=8, loc="lower right")
    if tol is not None:
        ax1.axhline(tol, color="k", ls="--", lw=0.8, label="tolerance")
    ax1.set_xlabel("step t")
    ax1.set_ylabel(r"$f(x_t)$")
    ax1.set_title("loss per step")
    ax1.legend(fontsize=8)
    fig.alt = (
        "Left: the first steps of each optimizer on the contours of a quadratic. Right: the "
        "loss per step on a log scale, one line per optimizer."
    )
    return fig


# ===== debugging


def loss_curves_figure(histories: dict, logy: bool = True):
    r"""Training curves: the loss after each step for each run in ``histories``.

    Example:
        >>> len(loss_curves_figure({"run": [1.0, 0.5, 0.2]}).axes)
        1
    """
    fig, ax = new_figure(width=6.4, height=3.2)
    for (label, values), color in zip(histories.items(), list(COLORS.values()) * 2,
                                      strict=False):
        ax.plot(np.arange(1, len(values) + 1), values, label=label, color=color)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("training loss")
    ax.legend(fontsize=8)
    fig.alt = (
        "Training loss against step, one line per run: " + ", ".join(str(k) for k in histories)
        + "."
    )
    return fig


def selection_figure(val: np.ndarray, test: np.ndarray):
    r"""Validation against test accuracy of every setting; the validation winner marked.

    ``val`` is one validation draw (``(n_settings,)``), ``test`` the fresh test
    accuracies. Points above the diagonal look better on validation than
    they are.

    Example:
        >>> len(selection_figure(np.array([0.5, 0.7]), np.array([0.6, 0.6])).axes)
        1
    """
    fig, ax = new_figure(width=4.8, height=4.0)
    ax.scatter(test, val, s=12, color=COLORS["ours"], alpha=0.7, label="one setting")
    best = int(np.argmax(val))
    ax.scatter(test[best], val[best], s=120, marker="*", color=COLORS["other"],
               label=f"chosen: val {val[best]:.2f}, test {test[best]:.2f}", zorder=3)
    lo, hi = min(val.min(), test.min()) - 0.02, max(val.max(), test.max()) + 0.02
    ax.plot([lo, hi], [lo, hi], "k--", lw=0.8, label="val = test")
    ax.set_xlabel("test accuracy (fresh data)")
    ax.set_ylabel("validation accuracy")
    ax.legend(fontsize=8, loc="upper left")
    fig.alt = (
        f"Scatter of validation accuracy against test accuracy for {len(val)} settings, with "
        "the diagonal val = test; points above it look better on validation than they are. "
        "The setting chosen for its best validation score (star) has validation accuracy "
        f"{val[best]:.2f} and test accuracy {test[best]:.2f}."
    )
    return fig


# ===== gating


def soft_gate_figure(x: float = 1.0, y: float = -1.0, lim: float = 6.0):
    r"""The soft gate and its three partials as functions of the gate logit ``r``.

    Left: :math:`f = x\sigma(r) + y(1 - \sigma(r))` slides from ``y`` to ``x``.
    Right: :math:`\partial f/\partial x = \sigma(r)`,
    :math:`\partial f/\partial y = 1 - \sigma(r)` and
    :math:`\partial f/\partial r = (x - y)\sigma'(r)`, from
    :func:`~mlnotes.gating.soft_gate_backward`.

    Example:
        >>> len(soft_gate_figure().axes)
        2
    """
    from . import gating as G

    r = np.linspace(-lim, lim, 301)
    xs, ys = np.full_like(r, x), np.full_like(r, y)
    gx, gy, gr = G.soft_gate_backward(np.ones_like(r), xs, ys, r)
    fig, (ax0, ax1) = new_figure(1, 2, width=8.4, height=3.0)
    ax0.plot(r, G.soft_gate(xs, ys, r), color=COLORS["ours"], label="f(x, y, r)")
    ax0.axhline(x, ls=":", color=COLORS["third"], label=f"x = {x:g}")
    ax0.axhline(y, ls=":", color=COLORS["other"], label=f"y = {y:g}")
    ax0.set_xlabel("gate logit r")
    ax0.set_title("the gate slides between y and x")
    ax0.legend(fontsize=8)
    ax1.plot(r, gx, color=COLORS["third"], label=r"$\partial f/\partial x = \sigma(r)$")
    ax1.plot(r, gy, color=COLORS["other"], label=r"$\partial f/\partial y = 1 - \sigma(r)$")
    ax1.plot(r, gr, color=COLORS["fourth"], label=r"$\partial f/\partial r = (x-y)\sigma'(r)$")
    ax1.set_xlabel("gate logit r")
    ax1.set_title("the gate routes the gradient")
    ax1.legend(fontsize=8)
    fig.alt = (
        "Left: the soft gate f(x, y, r) slides from y to x as the gate logit r grows. Right: "
        "its partial derivatives: sigma(r) for x, 1 - sigma(r) for y, and (x - y) sigma'(r) "
        "for r, largest where the gate is undecided."
    )
    return fig


@needs_torch
def gated_network_figure(model, u, target):
    r"""A trained :class:`~mlnotes.gating.GatedNetwork` on a 1-D input: branches and gate.

    Left: the target, the two branches ``x_net(u)``, ``y_net(u)`` and the gated
    output. Right: the gate :math:`\sigma(r(u))`, the share of the x-branch.

    Example:
        >>> import torch
        >>> from mlnotes.gating import GatedNetwork
        >>> net = GatedNetwork(*(torch.nn.Linear(1, 1) for _ in range(3)))
        >>> u = torch.linspace(-1, 1, 5)[:, None]
        >>> len(gated_network_figure(net, u, u.abs()).axes)
        2
    """
    import torch

    with torch.no_grad():
        xs = [a.cpu().numpy()[:, 0] for a in (u, target, model.x_net(u), model.y_net(u),
                                              model(u), model.gate_value(u))]
    uu, t, bx, by, out, s = xs
    fig, (ax0, ax1) = new_figure(1, 2, width=8.4, height=3.0)
    ax0.plot(uu, t, "k.", ms=3, label="target")
    ax0.plot(uu, bx, "--", color=COLORS["third"], label="x-branch")
    ax0.plot(uu, by, "--", color=COLORS["other"], label="y-branch")
    ax0.plot(uu, out, color=COLORS["ours"], label="gated output")
    ax0.set_ylim(t.min() - 0.7, t.max() + 0.7)
    ax0.set_xlabel("input u")
    ax0.legend(fontsize=8)
    ax0.set_title("each branch fits one side")
    ax1.plot(uu, s, color=COLORS["third"], label=r"$\sigma(r)$: share of x")
    ax1.plot(uu, 1 - s, color=COLORS["other"], label=r"$1 - \sigma(r)$: share of y")
    ax1.set_ylim(-0.05, 1.05)
    ax1.set_xlabel("input u")
    ax1.legend(fontsize=8)
    ax1.set_title("the learned gate")
    fig.alt = (
        "Left: the target, the two branches and the gated output against the input u; each "
        "branch fits one side. Right: the learned gate's share of each branch against u."
    )
    return fig


def soft_switch_figure(x1: Sequence[float] = (1.0, 2.0), x2: Sequence[float] = (-1.0, 0.5),
                       lim: float = 8.0):
    r"""Softmax gating between two inputs driven by an external ``z``: soft, then hard.

    The weights are :math:`a = \mathrm{softmax}([z, -z])`; the output
    :math:`a_0 x_0 + a_1 x_1` (drawn per component) moves from :math:`x_1` (``x2``) to
    :math:`x_0` (``x1``) and is pinned to one of them once :math:`|z|` is large.

    Example:
        >>> len(soft_switch_figure().axes)
        2
    """
    from . import gating as G

    z = np.linspace(-lim, lim, 321)
    X = np.stack([np.asarray(x1, dtype=np.float64), np.asarray(x2, dtype=np.float64)])  # (2, D)
    R = np.stack([z, -z], axis=1)  # (n, 2)
    out = G.softmax_gate(X, R)  # (n, D)
    fig, (ax0, ax1) = new_figure(1, 2, width=8.4, height=3.0)
    ax0.plot(z, A.softmax(R)[:, 0], color=COLORS["third"], label=r"$a_0$ (weight of $x_0$)")
    ax0.plot(z, A.softmax(R)[:, 1], color=COLORS["other"], label=r"$a_1$ (weight of $x_1$)")
    ax0.set_xlabel("external control z")
    ax0.set_title(r"$a = \mathrm{softmax}([z, -z])$")
    ax0.legend(fontsize=8)
    for d in range(X.shape[1]):
        ax1.plot(z, out[:, d], color=list(COLORS.values())[d % 4], label=f"output[{d}]")
        ax1.axhline(X[0, d], ls=":", color="grey")
        ax1.axhline(X[1, d], ls=":", color="grey")
    ax1.set_xlabel("external control z")
    ax1.set_title(r"$a_0 x_0 + a_1 x_1$ (dotted: the inputs)")
    ax1.legend(fontsize=8)
    fig.alt = (
        "Left: the weights a = softmax([z, -z]) of two inputs against a control z. Right: "
        "the mixed output a_0 x_0 + a_1 x_1 moves from one input to the other as z changes."
    )
    return fig


def attention_figure(q, k, mask=None, title: str = "attention weights"):
    r"""The attention matrix of :func:`~mlnotes.gating.attention_weights` as a heat map.

    Example:
        >>> import numpy as np
        >>> len(attention_figure(np.eye(3), np.eye(3)).axes)
        2
    """
    from . import gating as G

    w = G.attention_weights(np.asarray(q, dtype=np.float64), np.asarray(k, dtype=np.float64),
                            mask=mask)
    fig, ax = new_figure(width=4.6, height=3.4)
    im = ax.imshow(w, cmap="Blues", vmin=0, vmax=1)
    for (i, j), value in np.ndenumerate(w):
        ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=8,
                color="white" if value > 0.6 else "black")
    ax.set_xlabel("key j")
    ax.set_ylabel("query i")
    ax.set_xticks(range(w.shape[1]))
    ax.set_yticks(range(w.shape[0]))
    ax.set_title(title)
    fig.colorbar(im, ax=ax, shrink=0.8)
    fig.alt = (
        f"Heat map of attention weights, queries down and keys across ({title}); each row "
        "sums to 1"
        + (", masked entries are zero" if mask is not None else "") + "."
    )
    return fig


# ===== architectures


@needs_torch
def moe_regions_figure(model, X, y, single=None, lim: float = 3.0):
    r"""What a trained :class:`~mlnotes.moe.MixtureOfExperts` does on 2-D data.

    The background shows which expert the gater gives the most weight (the
    region each expert claims), the thick grey line is the gater's dividing
    line, the dashed lines are each expert's own decision line, and the black
    line is the mixture's decision boundary. With ``single`` (a linear
    classifier, or a one-expert mixture) a second panel shows its boundary.

    Example:
        >>> import torch
        >>> from mlnotes.moe import MixtureOfExperts
        >>> X, y = np.zeros((4, 2)), np.array([0, 1, 0, 1])
        >>> moe = MixtureOfExperts(2, 2, dtype=torch.float64)
        >>> len(moe_regions_figure(moe, X, y, single=moe).axes)
        2
    """
    import torch

    g = np.linspace(-lim, lim, 161)
    G1, G2 = np.meshgrid(g, g)
    grid = np.stack([G1.ravel(), G2.ravel()], axis=1)
    dtype = next(model.parameters()).dtype
    t = torch.tensor(grid, dtype=dtype)
    with torch.no_grad():
        mix, p = model(t)
        experts = model.expert_outputs(t)  # (n, E, 2)
    claim = p.argmax(-1).numpy().reshape(G1.shape)
    panels = [("mixture of experts", model)] + ([("one linear model", single)] if single else [])
    fig, axes = new_figure(1, len(panels), width=4.4 * len(panels), height=4.0)
    axes = np.atleast_1d(axes)
    tints = ["#fff1c1", "#d9f0d3", "#e7e1ef", "#fde0c5"]  # expert regions
    lines = ["#b8860b", "#2e8b57", "#6a3d9a", "#d2691e"]  # expert boundaries
    from matplotlib.colors import ListedColormap

    for ax, (title, m) in zip(axes, panels, strict=True):
        with torch.no_grad():
            out = m(torch.tensor(np.asarray(X), dtype=dtype))
            logits = out[0] if isinstance(out, tuple) else out
            gl = m(t)
            gl = (gl[0] if isinstance(gl, tuple) else gl).numpy()
        acc = float((logits.argmax(-1).numpy() == np.asarray(y)).mean())
        if m is model:
            E = p.shape[1]
            ax.imshow(claim, origin="lower", extent=(-lim, lim, -lim, lim), alpha=0.9,
                      cmap=ListedColormap(tints[:E]), vmin=-0.5, vmax=E - 0.5, aspect="auto")
            ax.contour(G1, G2, claim, levels=np.arange(E - 1) + 0.5, colors="grey",
                       linewidths=4, alpha=0.6)
            for e in range(E):
                diff = (experts[:, e, 1] - experts[:, e, 0]).numpy().reshape(G1.shape)
                ax.contour(G1, G2, np.where(claim == e, diff, np.nan), levels=[0.0],
                           colors=[lines[e % 4]], linestyles="--", linewidths=2)
        diff = (gl[:, 1] - gl[:, 0]).reshape(G1.shape)
        ax.contour(G1, G2, diff, levels=[0.0], colors="black", linewidths=1.5)
        for c, marker in ((0, "o"), (1, "^")):
            pts = np.asarray(X)[np.asarray(y) == c]
            ax.scatter(pts[:, 0], pts[:, 1], s=9, marker=marker, label=f"class {c}",
                       color=COLORS["ours"] if c == 0 else COLORS["other"])
        ax.set_xlim(-lim, lim)
        ax.set_ylim(-lim, lim)
        ax.set_title(f"{title}: accuracy {acc:.0%}")
        ax.set_xlabel("$x_0$")
        ax.set_ylabel("$x_1$")
    axes[0].legend(fontsize=8, loc="lower left")
    fig.alt = (
        "Decision boundaries on a two-class data set, one panel per model with its accuracy "
        "in the title: for the mixture of experts, shaded regions show which expert the "
        "gater trusts most, dashed lines each expert's own boundary and a black line the "
        "mixture's boundary."
    )
    return fig


def motif_figure(x, motif, positions: Sequence[int]):
    r"""A motif placed at several positions of one background, and the detector's scores.

    Each row shows the sequence (grey) and the scores of
    :func:`~mlnotes.sharing.motif_scores` (blue); the star marks the maximum,
    the value :func:`~mlnotes.sharing.motif_detector` returns. It is the same in
    every row.

    Args:
        x: the background, a 1-D sequence.
        motif: the motif, a 1-D sequence shorter than ``x`` (also the detector's weights).
        positions: where to insert it.

    Example:
        >>> len(motif_figure(np.zeros(10), np.array([1.0, -1.0]), [0, 5]).axes)
        2
    """
    from . import sharing as S

    x, motif = np.asarray(x, dtype=np.float64), np.asarray(motif, dtype=np.float64)
    K = len(motif)
    fig, axes = new_figure(len(positions), 1, width=7.6, height=1.2 + 0.9 * len(positions))
    axes = np.atleast_1d(axes)
    for ax, pos in zip(axes, positions, strict=True):
        seq = x.copy()
        seq[pos:pos + K] = motif
        s = S.motif_scores(seq[None, None], motif[None, None])[0, 0]
        best = int(np.argmax(s))
        ax.plot(seq, color="grey", lw=1, label="sequence")
        ax.axvspan(pos - 0.5, pos + K - 0.5, color=COLORS["third"], alpha=0.15)
        ax.plot(np.arange(len(s)), s / np.abs(s).max() * np.abs(seq).max(),
                color=COLORS["ours"], label="score (rescaled)")
        ax.plot(best, s[best] / np.abs(s).max() * np.abs(seq).max(), "*", ms=12,
                color=COLORS["other"])
        ax.text(1.01, 0.5, f"max = {s[best]:.2f}\nat t = {best}", transform=ax.transAxes,
                va="center", fontsize=8)
        ax.set_yticks([])
    axes[0].legend(fontsize=7, loc="upper right", ncols=2)
    axes[-1].set_xlabel("position t")
    fig.alt = (
        "One row per position where a motif is placed in the same background sequence: the "
        "sequence, the detector's score along it and a star at the maximum score, which is "
        "the same in every row."
    )
    return fig


def weight_matrices_figure(matrices, titles: Sequence[str]):
    r"""Weight matrices side by side as heat maps (for tied and convolutional weights).

    Example:
        >>> len(weight_matrices_figure([np.eye(2)], ["identity"]).axes)
        2
    """
    mats = [np.asarray(m, dtype=np.float64) for m in matrices]
    lim = max(np.abs(m).max() for m in mats) or 1.0
    fig, axes = new_figure(1, len(mats), width=3.4 * len(mats) + 0.8, height=2.8)
    axes = np.atleast_1d(axes)
    for ax, m, title in zip(axes, mats, titles, strict=True):
        im = ax.imshow(m, cmap="RdBu_r", vmin=-lim, vmax=lim)
        ax.set_title(title, fontsize=10)
        ax.set_xticks(range(m.shape[1]))
        ax.set_yticks(range(m.shape[0]))
    fig.colorbar(im, ax=list(axes), shrink=0.8)
    fig.alt = (
"Heat maps of weight matrices side by side (" + ", ".join(titles) +
        "); entries with the same colour have the same value, so tied weights show as "
        "repeated patterns."
    )
    return fig


# ===== sequences


def gradient_distance_figure(
    radii: Sequence[float] = (0.5, 0.9, 1.5, 3.0), length: int = 60,
    generator: int | np.random.Generator = 0,
):
    r"""The norm of the gradient reaching step :math:`L - d`, against the distance :math:`d`.

    One line per spectral radius of :math:`W_{hh}` (see :func:`mlnotes.rnn.bptt_gradient_norms`),
    on a log scale: below 1 the gradient vanishes geometrically, well above 1 it
    explodes.

    Example:
        >>> len(gradient_distance_figure().axes)
        1
    """
    from . import rnn as R

    fig, ax = new_figure(width=6.4, height=3.4)
    colors = [COLORS["ours"], COLORS["third"], COLORS["fourth"], COLORS["other"]]
    for r, color in zip(radii, colors * 2, strict=False):
        ax.semilogy(R.bptt_gradient_norms(r, length=length, generator=generator), color=color,
                    label=f"spectral radius {r:g}")
    ax.set_xlabel("distance d from the loss (steps back in time)")
    ax.set_ylabel(r"$\|\partial \ell / \partial a_{L-d}\|$")
    ax.legend(fontsize=8)
    fig.alt = (
        "Log-scale plot of the gradient norm reaching the hidden state d steps before the "
        "loss, one line per spectral radius of the recurrent matrix."
    )
    return fig


def recall_training_figure(histories: dict, chance: float | None = None):
    r"""Loss and test accuracy during training, one line per model (left: loss, right: accuracy).

    ``histories`` maps a model's name to ``{"loss": [...], "accuracy": [...]}``;
    the accuracy may be measured less often than the loss (its points are spread
    over the same steps).

    Example:
        >>> h = {"RNN": {"loss": [1.4, 1.3], "accuracy": [0.2, 0.3]}}
        >>> len(recall_training_figure(h, chance=0.25).axes)
        2
    """
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


def lstm_cell_figure(values: dict | None = None):
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

    values = values or {}
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


def lstm_gates_figure(model, xs, sample: int = 0):
    r"""The gates and cell state of a one-layer :class:`mlnotes.rnn.LSTM` along one sequence.

    Runs :func:`mlnotes.rnn.lstm_gates` step by step on sequence ``sample`` of
    ``xs`` ``(L, N, D)`` and draws :math:`i, f, g, o` and :math:`c` as heat maps
    (units against time).

    Example:
        >>> import numpy as np, torch
        >>> from mlnotes.rnn import LSTM
        >>> len(lstm_gates_figure(LSTM(2, 3), np.zeros((4, 1, 2))).axes)  # 5 maps, 5 bars
        10
    """
    from . import rnn as R

    W = [None if p is None else p.detach().cpu().double().numpy()
         for p in model.layer_weights(0)]
    xs = np.asarray(xs, dtype=np.float64)[:, sample]
    h = c = np.zeros(model.hidden_size)
    trace = {name: [] for name in ("i", "f", "g", "o", "c")}
    for x in xs:
        i, f, g, o = R.lstm_gates(x, (h, c), *W)
        h, c = R.lstm_cell(x, (h, c), *W)
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
