r"""Block diagrams of the architectures page and its deck (:doc:`/architectures`).

One small drawing kit, :class:`_Diagram` (named boxes, named ⊗/Σ nodes and named
arrows between them), and one function per architecture: the multiplicative
module, the mixture of experts, the parameter transform, weight sharing and the
motif detector. Every box, node and arrow carries its name as its matplotlib
``gid`` (an arrow ``"a->b"``), so a test can read the diagram's structure back
from the drawing, and the figure's ``fig.alt`` says the same in words. The labels
use the page's symbols.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure

from ..backend import check_count
from ..sharing import conv_index, share
from ._figure import COLORS, new_figure

# fill and edge of each kind of block: inputs and outputs, layers, pointwise nodes
_STYLE = {
    "io": ("white", "#555555"),
    "layer": ("#fbe7a1", "#8a6d00"),
    "op": ("#f6c6d0", "#aa4466"),
}


class _Diagram:
    """A figure with an equal-aspect canvas of ``width`` x ``height`` data units
    (one unit = 0.8 inch) and named blocks joined by named arrows."""

    def __init__(self, width: float, height: float):
        self.fig, self.ax = new_figure(width=0.8 * width, height=0.8 * height)
        self.ax.set_xlim(0, width)
        self.ax.set_ylim(0, height)
        self.ax.set_aspect("equal")
        self.ax.axis("off")
        self.shapes: dict[str, tuple[str, float, float, float, float]] = {}

    def box(self, name: str, x: float, y: float, label: str, *, w: float = 0.9,
            h: float = 0.6, kind: str = "layer", fontsize: float = 12) -> None:
        """A rounded box centred at ``(x, y)``, ``w`` wide and ``h`` high."""
        from matplotlib.patches import FancyBboxPatch

        fc, ec = _STYLE[kind]
        self.ax.add_patch(FancyBboxPatch((x - w / 2, y - h / 2), w, h, gid=name, zorder=2,
                                         boxstyle="round,pad=0,rounding_size=0.08",
                                         fc=fc, ec=ec, lw=1.3))
        self.ax.text(x, y, label, ha="center", va="center", fontsize=fontsize, zorder=3,
                     gid=name)
        self.shapes[name] = ("box", x, y, w / 2, h / 2)

    def node(self, name: str, x: float, y: float, symbol: str, *, r: float = 0.27,
             fontsize: float = 14) -> None:
        """A round pointwise node (a product ⊗, a sum Σ, a max) centred at ``(x, y)``."""
        from matplotlib.patches import Circle

        fc, ec = _STYLE["op"]
        self.ax.add_patch(Circle((x, y), r, gid=name, zorder=2, fc=fc, ec=ec, lw=1.3))
        self.ax.text(x, y, symbol, ha="center", va="center", fontsize=fontsize, zorder=3,
                     gid=name)
        self.shapes[name] = ("node", x, y, r, r)

    def _edge(self, name: str, towards: tuple[float, float]) -> tuple[float, float]:
        """Where the line from the centre of ``name`` towards a point leaves its outline."""
        kind, x, y, hw, hh = self.shapes[name]
        dx, dy = towards[0] - x, towards[1] - y
        if kind == "node":
            t = hw / np.hypot(dx, dy)
        else:
            t = min(hw / abs(dx) if dx else np.inf, hh / abs(dy) if dy else np.inf)
        return x + t * dx, y + t * dy

    def arrow(self, src: str, dst: str, label: str = "", *, color: str = "#333333",
              dashed: bool = False, rad: float = 0.0, label_at: float = 0.5,
              offset: tuple[float, float] = (0.0, 0.18), fontsize: float = 11,
              via: tuple[float, float] | None = None) -> None:
        """An arrow from block ``src`` to block ``dst``, named ``"src->dst"``.

        It leaves ``src`` and enters ``dst`` on the line between their centres, or,
        given ``via``, on the line from each centre towards that point (an arc that
        must not start where another arrow ends)."""
        from matplotlib.patches import FancyArrowPatch

        (_, xa, ya, *_), (_, xb, yb, *_) = self.shapes[src], self.shapes[dst]
        start = self._edge(src, via if via is not None else (xb, yb))
        end = self._edge(dst, via if via is not None else (xa, ya))
        self.ax.add_patch(FancyArrowPatch(
            start, end, arrowstyle="-|>", mutation_scale=12, lw=1.3, color=color,
            linestyle="--" if dashed else "-", shrinkA=1, shrinkB=1, zorder=1,
            connectionstyle=f"arc3,rad={rad}", gid=f"{src}->{dst}"))
        if label:
            lx = start[0] + label_at * (end[0] - start[0]) + offset[0]
            ly = start[1] + label_at * (end[1] - start[1]) + offset[1]
            self.ax.text(lx, ly, label, ha="center", va="center", fontsize=fontsize,
                         color=color, zorder=3, gid=f"{src}->{dst}")

    def caption(self, x: float, y: float, text: str, fontsize: float = 11,
                color: str = "black", ha: str = "center") -> None:
        self.ax.text(x, y, text, ha=ha, va="center", fontsize=fontsize, color=color)


def multiplicative_module_figure() -> Figure:
    r"""Block diagram of a multiplicative (bilinear) module: one input writes the weights.

    The second input :math:`z` goes through the fixed tensor :math:`W`, which
    writes the weights :math:`w_{ij} = \sum_k W_{ijk} z_k`; the first input
    :math:`x` meets them in a product node, :math:`y_i = \sum_j w_{ij} x_j`
    (:func:`mlnotes.gating.bilinear`).

    Example:
        >>> fig = multiplicative_module_figure()
        >>> sorted(p.get_gid() for p in fig.axes[0].patches if "->" in str(p.get_gid()))
        ['W->product', 'product->y', 'x->product', 'z->W']
    """
    d = _Diagram(9.0, 3.4)
    d.box("x", 0.8, 2.5, "$x$", w=0.7, kind="io")
    d.box("z", 0.8, 0.9, "$z$", w=0.7, kind="io")
    d.box("W", 4.4, 0.9, r"$w_{ij} = \sum_k W_{ijk}\, z_k$", w=3.0, h=0.7)
    d.node("product", 6.3, 2.5, r"$\otimes$")
    d.box("y", 8.3, 2.5, "$y$", w=0.7, kind="io")
    d.arrow("x", "product", "first input")
    d.arrow("z", "W", "second input")
    d.arrow("W", "product", "weights $w$", offset=(0.75, 0.0))
    d.arrow("product", "y")
    d.caption(4.5, 3.15, r"$y_i = \sum_j w_{ij}\, x_j = \sum_{j,k} W_{ijk}\, x_j\, z_k$")
    d.fig.alt = (
        "Block diagram of a multiplicative module. The second input z enters a box with the "
        "fixed tensor W, which writes the weights w_ij = sum over k of W_ijk z_k. The first "
        "input x meets those weights in a product node, whose output is y_i = sum over j of "
        "w_ij x_j, that is sum over j, k of W_ijk x_j z_k."
    )
    return d.fig


def mixture_of_experts_figure(num_experts: int = 2) -> Figure:
    r"""Block diagram of a mixture of experts: experts :math:`f_e`, a gater :math:`g`, a sum.

    The input :math:`x` goes to every expert :math:`f_e` and to the gater
    :math:`g`; a softmax turns the gater's scores into :math:`p`, each expert's
    output is weighted by :math:`p_e` in a product node and a sum node adds them:
    :math:`y = \sum_e p_e f_e(x)` (:class:`mlnotes.moe.MixtureOfExperts`).

    Args:
        num_experts: :math:`E`, the experts drawn (1 to 4).

    Example:
        >>> fig = mixture_of_experts_figure(3)
        >>> "f_2" in fig.alt and "softmax" in fig.alt
        True
    """
    E = check_count(num_experts, "num_experts")
    if E > 4:
        raise ValueError(f"num_experts must be at most 4 to be drawn, got {E}")
    top = 1.9 + 0.85 * E
    d = _Diagram(10.0, top + 0.45)
    rows = [top - 0.85 * e for e in range(E)]
    mid = (rows[0] + 1.0) / 2
    d.box("x", 0.6, mid, "$x$", w=0.6, kind="io")
    for e, ye in enumerate(rows):
        d.box(f"f_{e}", 3.0, ye, f"expert $f_{e}$", w=1.5, h=0.55, fontsize=11)
        d.node(f"product_{e}", 7.0, ye, r"$\otimes$", r=0.24)
    d.box("g", 3.0, 1.0, "gater $g$", w=1.5, h=0.55, fontsize=11)
    d.box("softmax", 5.0, 1.0, "softmax", w=1.3, h=0.55, fontsize=11)
    d.node("sum", 8.4, mid, r"$\Sigma$")
    d.box("y", 9.5, mid, "$y$", w=0.6, kind="io")
    for e in range(E):
        d.arrow("x", f"f_{e}")
        d.arrow(f"f_{e}", f"product_{e}", f"$f_{e}(x)$", label_at=0.55)
        d.arrow("softmax", f"product_{e}", color=COLORS["ours"])
        d.arrow(f"product_{e}", "sum")
    d.arrow("x", "g")
    d.arrow("g", "softmax")
    d.arrow("sum", "y")
    d.caption(5.75, 1.05, ", ".join(f"$p_{e}$" for e in range(E)), color=COLORS["ours"],
              ha="left")
    d.caption(5.0, 0.3, r"$p = \mathrm{softmax}(g(x)),\quad y = \sum_e p_e\, f_e(x)$")
    names = ", ".join(f"f_{e}" for e in range(E))
    d.fig.alt = (
        f"Block diagram of a mixture of {E} experts. The input x goes to each expert "
        f"({names}) and to the gater g; a softmax turns the gater's output into the "
        "probabilities p. Each expert's output f_e(x) is multiplied by its p_e in a product "
        "node, and a sum node adds the products into the output y = sum over e of "
        "p_e f_e(x)."
    )
    return d.fig


def parameter_transform_figure() -> Figure:
    r"""Block diagram of a parameter transform: :math:`H` writes the weights of :math:`G`.

    Forward (black): :math:`u \to H \to w = H(u)`, and :math:`w` with the input
    :math:`x` into :math:`G(x; w)`, then the loss :math:`L`. Backward (dashed):
    :math:`\partial L/\partial u = (\partial H/\partial u)^\top \partial L/\partial w`
    (:func:`mlnotes.sharing.transform_backward`).

    Example:
        >>> fig = parameter_transform_figure()
        >>> "H(u)" in fig.alt
        True
    """
    d = _Diagram(9.4, 4.1)
    d.box("u", 0.7, 2.7, "$u$", w=0.6, kind="io")
    d.box("H", 2.6, 2.7, "$H$", w=0.9)
    d.box("w", 4.9, 2.7, "$w = H(u)$", w=1.5, kind="io", fontsize=11)
    d.box("x", 0.7, 1.0, "$x$", w=0.6, kind="io")
    d.box("G", 4.9, 1.0, "$G(x;\\, w)$", w=1.5, h=0.65)
    d.box("L", 8.4, 1.0, "loss $L$", w=1.3, kind="io", fontsize=11)
    d.arrow("u", "H")
    d.arrow("H", "w")
    d.arrow("w", "G")
    d.arrow("x", "G")
    d.arrow("G", "L")
    grad = COLORS["other"]
    d.arrow("L", "w", r"$\partial L/\partial w$", color=grad, dashed=True, rad=0.25,
            offset=(0.55, 0.35))
    d.arrow("w", "u", r"$\partial L/\partial u$", color=grad, dashed=True, rad=0.3,
            via=(2.6, 3.9), offset=(0.0, 0.82))
    d.caption(4.9, 0.25, r"backward: $\partial L/\partial u = (\partial H/\partial u)^{\top}\,"
              r"\partial L/\partial w$", color=grad)
    d.fig.alt = (
        "Block diagram of a parameter transform. The parameters u go through the function "
        "H, which writes the weights w = H(u); the input x and the weights w enter the "
        "network G(x; w), whose output gives the loss L. Dashed arrows carry the gradient "
        "back: dL/dw from the loss to the weights, then dL/du = (dH/du) transposed times "
        "dL/dw from the weights to u."
    )
    return d.fig


def weight_sharing_figure(index: Sequence[int] = (0, 1, 2, 2, 1, 0),
                          num_params: int | None = None) -> Figure:
    r"""Block diagram of weight sharing: each parameter :math:`u_m` copied into several :math:`w_i`.

    An arrow joins :math:`u_m` to every :math:`w_i` with
    :math:`\mathrm{index}_i = m` (found by :func:`mlnotes.sharing.share`), in one
    colour per parameter; a weight with index ``-1`` is the constant 0. The
    gradient of :math:`u_m` is the sum of its copies' gradients
    (:func:`mlnotes.sharing.share_backward`).

    Args:
        index: for each weight :math:`w_i`, the parameter it copies (or ``-1``),
            at most 12 weights.
        num_params: the number of parameters :math:`M` (default ``max(index) + 1``).

    Example:
        >>> fig = weight_sharing_figure([0, 1, 0])
        >>> sorted(p.get_gid() for p in fig.axes[0].patches if "->" in str(p.get_gid()))
        ['u_0->w_0', 'u_0->w_2', 'u_1->w_1']
    """
    idx = np.asarray(index)
    if idx.ndim != 1 or not 1 <= len(idx) <= 12:
        raise ValueError(f"index must be a 1-D sequence of 1 to 12 entries, got shape "
                         f"{idx.shape}")
    M = int(idx.max()) + 1 if num_params is None else check_count(num_params, "num_params")
    if M < 1 or M > 12:
        raise ValueError(f"num_params must be from 1 to 12 to be drawn, got {M}")
    # which parameter each weight copies: share() itself, applied to the labels 0 .. M-1
    copies = share(np.arange(M, dtype=np.float64), idx).astype(int)
    copied = idx >= 0
    n = len(idx)
    width = max(n, M) * 0.95 + 1.4
    d = _Diagram(width, 3.7)
    ux = width / 2 + 0.95 * (np.arange(M) - (M - 1) / 2)
    wx = width / 2 + 0.95 * (np.arange(n) - (n - 1) / 2)
    colours = list(COLORS.values())
    for m in range(M):
        d.box(f"u_{m}", ux[m], 2.7, f"$u_{{{m}}}$", w=0.7, h=0.55, fontsize=12)
        d.ax.patches[-1].set_edgecolor(colours[m % 4])
    for i in range(n):
        d.box(f"w_{i}", wx[i], 1.1, f"$w_{{{i}}}$" if copied[i] else "0", w=0.7, h=0.55,
              kind="io", fontsize=12)
        if copied[i]:
            d.arrow(f"u_{copies[i]}", f"w_{i}", color=colours[copies[i] % 4])
    d.caption(width / 2, 3.35, "parameters $u$ (trained)", fontsize=11)
    d.caption(width / 2, 0.35, r"weights $w_i = u_{\mathrm{index}_i}$;  "
              r"$\partial L/\partial u_m = \sum_{i:\,\mathrm{index}_i = m}"
              r"\partial L/\partial w_i$", fontsize=11)
    pairs = "; ".join(
        f"u_{m} to " + (", ".join(f"w_{i}" for i in np.flatnonzero(copied & (idx == m)))
                        or "no weight")
        for m in range(M))
    d.fig.alt = (
        f"Block diagram of weight sharing: {M} parameters u copied into {n} weights w, an "
        f"arrow from each parameter to each of its copies: {pairs}"
        + ("; the weights with index -1 are the constant 0" if not copied.all() else "")
        + ". The gradient of a parameter is the sum of its copies' gradients."
    )
    return d.fig


def motif_detector_figure(length: int = 8, kernel_size: int = 3) -> Figure:
    r"""Block diagram of a motif detector: one shared network at every window, then a max.

    The score :math:`s_t` reads the window :math:`x_t, \dots, x_{t+K-1}` with the
    same weights :math:`w_0, \dots, w_{K-1}` at every position (an arrow's colour is
    the weight it carries, from :func:`mlnotes.sharing.conv_index`); a max node keeps
    the best score, :math:`d = \max_t s_t` (:func:`mlnotes.sharing.motif_detector`).

    Args:
        length: :math:`L`, the sequence's length (at most 10).
        kernel_size: :math:`K`, the motif's length (1 to 4, less than ``length``).

    Example:
        >>> fig = motif_detector_figure(5, 3)
        >>> sorted(p.get_gid() for p in fig.axes[0].patches if str(p.get_gid()).endswith("->s_0"))
        ['x_0->s_0', 'x_1->s_0', 'x_2->s_0']
    """
    L, K = check_count(length, "length"), check_count(kernel_size, "kernel_size")
    if L > 10:
        raise ValueError(f"length must be at most 10 to be drawn, got {L}")
    if not K < L or K > 4:
        raise ValueError(f"kernel_size must be less than length and at most 4, got {K}")
    T = L - K + 1
    # the sharing pattern of the convolution: which weight joins x_j to s_t (-1: none)
    pattern = conv_index(L, K).reshape(T, L)
    width = 0.95 * L + 2.3
    d = _Diagram(width, 4.0)
    xs = 0.8 + 0.95 * np.arange(L)
    colours = list(COLORS.values())
    for j in range(L):
        d.box(f"x_{j}", xs[j], 0.6, f"$x_{{{j}}}$", w=0.62, h=0.5, kind="io", fontsize=11)
    for t in range(T):
        d.box(f"s_{t}", xs[t:t + K].mean(), 2.1, f"$s_{{{t}}}$", w=0.62, h=0.5, fontsize=11)
        for j in np.flatnonzero(pattern[t] >= 0):
            d.arrow(f"x_{j}", f"s_{t}", color=colours[pattern[t, j]])
    d.node("max", xs[:L].mean(), 3.35, "max", r=0.33, fontsize=10)
    d.box("d", xs[:L].mean() + 1.5, 3.35, "$d$", w=0.55, h=0.5, kind="io")
    for t in range(T):
        d.arrow(f"s_{t}", "max")
    d.arrow("max", "d")
    d.caption(xs[-1] + 0.45, 2.35, "the same\nweights at\nevery window:", fontsize=10,
              ha="left")
    for k in range(K):
        d.caption(xs[-1] + 0.6, 1.7 - 0.3 * k, f"$w_{{{k}}}$", color=colours[k], ha="left")
    weights = ", ".join(f"w_{k}" for k in range(K))
    d.fig.alt = (
        f"Block diagram of a motif detector on a sequence x_0 to x_{L - 1}: each of the {T} "
        f"scores s_t reads the window x_t to x_(t+{K - 1}) with the same {K} weights "
        f"({weights}, one colour each, the same colours under every score), and a max node "
        "keeps the largest score, the detector's output d = max over t of s_t."
    )
    return d.fig
