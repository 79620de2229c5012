r"""Figures of the gating and architectures pages and their decks: gates, attention, experts.

The soft gate and its partials, a trained gated network, softmax gating as a
switch, attention weights (:doc:`/gating`, deck "Lecture: Gates and attention");
cross-attention's alignment and the positional encoding (:doc:`/transformer`);
a mixture of experts' regions, a motif detector, shared weight matrices
(:doc:`/architectures`, deck "Lecture: Architectures").
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.figure import Figure

from ..activations import softmax
from ..attention import attention_weights
from ..backend import check_model, check_number, is_torch, to_numpy
from ..gating import soft_gate, soft_gate_backward, softmax_gate
from ..sharing import motif_scores
from ._figure import COLORS, _check_array, new_figure

if TYPE_CHECKING:
    from ..gating import GatedNetwork, NumpyGatedNetwork
    from ..moe import MixtureOfExperts, NumpyMixtureOfExperts


def soft_gate_figure(x: float = 1.0, y: float = -1.0, lim: float = 6.0) -> Figure:
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

    r = np.linspace(-lim, lim, 301)
    xs, ys = np.full_like(r, x), np.full_like(r, y)
    gx, gy, gr = soft_gate_backward(np.ones_like(r), xs, ys, r)
    fig, (ax0, ax1) = new_figure(1, 2, width=8.4, height=3.0)
    ax0.plot(r, soft_gate(xs, ys, r), color=COLORS["ours"], label="f(x, y, r)")
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


def gated_network_figure(model: GatedNetwork | NumpyGatedNetwork, u: Any, target: Any
                         ) -> Figure:
    r"""A trained :class:`~mlnotes.gating.GatedNetwork` (or its twin) on a 1-D input.

    Left: the target, the two branches ``x_net(u)``, ``y_net(u)`` and the gated
    output. Right: the gate :math:`\sigma(r(u))`, the share of the x-branch.

    Args:
        model: the trained network, torch's or its NumPy twin.
        u: the inputs ``(N, 1)``, an array or a tensor (fed to ``model`` in its dtype).
        target: the targets ``(N, 1)``.

    Example:
        >>> import torch
        >>> from mlnotes.gating import GatedNetwork
        >>> net = GatedNetwork(*(torch.nn.Linear(1, 1) for _ in range(3)))
        >>> u = torch.linspace(-1, 1, 5)[:, None]
        >>> len(gated_network_figure(net, u, u.abs()).axes)
        2
    """
    check_model(model)
    u, target = _check_array(u, "u", 2, "(N, 1)"), _check_array(target, "target", 2, "(N, 1)")
    if u.shape[1] != 1 or target.shape != u.shape:
        raise ValueError(f"u and target must both have shape (N, 1), got {u.shape} and "
                         f"{target.shape}")
    x = _model_input(model, u)
    xs = [to_numpy(a)[:, 0] for a in (u, target, model.x_net(x), model.y_net(x),
                                      model(x), model.gate_value(x))]
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
                       lim: float = 8.0) -> Figure:
    r"""Softmax gating between two inputs driven by an external ``z``: soft, then hard.

    The weights are :math:`a = \mathrm{softmax}([z, -z])`; the output
    :math:`a_0 x_0 + a_1 x_1` (drawn per component) moves from :math:`x_1` (``x2``) to
    :math:`x_0` (``x1``) and is pinned to one of them once :math:`|z|` is large.

    Example:
        >>> len(soft_switch_figure().axes)
        2
    """

    z = np.linspace(-lim, lim, 321)
    X = np.stack([np.asarray(x1, dtype=np.float64), np.asarray(x2, dtype=np.float64)])  # (2, D)
    R = np.stack([z, -z], axis=1)  # (n, 2)
    out = softmax_gate(X, R)  # (n, D)
    fig, (ax0, ax1) = new_figure(1, 2, width=8.4, height=3.0)
    ax0.plot(z, softmax(R)[:, 0], color=COLORS["third"], label=r"$a_0$ (weight of $x_0$)")
    ax0.plot(z, softmax(R)[:, 1], color=COLORS["other"], label=r"$a_1$ (weight of $x_1$)")
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


def attention_figure(q: np.ndarray, k: np.ndarray, mask: np.ndarray | None = None,
                     title: str = "attention weights") -> Figure:
    r"""The attention matrix of :func:`~mlnotes.attention.attention_weights` as a heat map.

    Example:
        >>> import numpy as np
        >>> len(attention_figure(np.eye(3), np.eye(3)).axes)
        2
    """

    q, k = _check_array(q, "q", 2, "(L, D)"), _check_array(k, "k", 2, "(S, D)")
    w = attention_weights(q, k, mask=mask)
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


def _model_input(model: Any, x: np.ndarray) -> Any:
    """``x`` in ``model``'s kind and dtype: a torch tensor for a torch model, else an array."""
    param = next(iter(model.parameters()))
    if is_torch(param):
        import torch

        return torch.tensor(np.asarray(x), dtype=param.dtype, device=param.device)
    return np.asarray(x, dtype=param.dtype)


def _logits(model: Any, x: np.ndarray) -> np.ndarray:
    """A classifier's logits as an array (the first output of a mixture)."""
    out = model(_model_input(model, x))
    return to_numpy(out[0] if isinstance(out, tuple) else out)


def moe_regions_figure(model: MixtureOfExperts | NumpyMixtureOfExperts, X: np.ndarray,
                       y: np.ndarray, single: Any = None, lim: float = 3.0) -> Figure:
    r"""What a trained mixture of experts (torch's or its NumPy twin) does on 2-D data.

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

        The NumPy twin draws the same way:

        >>> from mlnotes.moe import NumpyMixtureOfExperts
        >>> len(moe_regions_figure(NumpyMixtureOfExperts(2, 2), X, y).axes)
        1
    """
    check_model(model)
    if single is not None:
        check_model(single, "single")
    X, y = _check_array(X, "X", 2, "(N, 2)"), _check_array(y, "y", 1, "(N,)")
    if X.shape[1] != 2 or len(y) != len(X):
        raise ValueError(f"X must be (N, 2) points and y their N labels, got shapes {X.shape} "
                         f"and {y.shape}")
    if not np.isin(y, (0, 1)).all():
        raise ValueError("y must hold the labels 0 and 1 only")
    lim = check_number(lim, "lim", 0.0, low_open=True)
    g = np.linspace(-lim, lim, 161)
    G1, G2 = np.meshgrid(g, g)
    grid = np.stack([G1.ravel(), G2.ravel()], axis=1)
    t = _model_input(model, grid)
    p = to_numpy(model(t)[1])  # the gate's probabilities; the mixed output is not drawn
    experts = to_numpy(model.expert_outputs(t))  # (n, E, 2)
    claim = p.argmax(-1).reshape(G1.shape)
    panels = [("mixture of experts", model)] + ([("one linear model", single)] if single else [])
    fig, axes = new_figure(1, len(panels), width=4.4 * len(panels), height=4.0)
    axes = np.atleast_1d(axes)
    tints = ["#fff1c1", "#d9f0d3", "#e7e1ef", "#fde0c5"]  # expert regions
    lines = ["#b8860b", "#2e8b57", "#6a3d9a", "#d2691e"]  # expert boundaries
    from matplotlib.colors import ListedColormap

    for ax, (title, m) in zip(axes, panels, strict=True):
        logits, gl = _logits(m, X), _logits(m, grid)
        acc = float((logits.argmax(-1) == np.asarray(y)).mean())
        if m is model:
            E = p.shape[1]
            ax.imshow(claim, origin="lower", extent=(-lim, lim, -lim, lim), alpha=0.9,
                      cmap=ListedColormap(tints[:E]), vmin=-0.5, vmax=E - 0.5, aspect="auto")
            ax.contour(G1, G2, claim, levels=np.arange(E - 1) + 0.5, colors="grey",
                       linewidths=4, alpha=0.6)
            for e in range(E):
                diff = (experts[:, e, 1] - experts[:, e, 0]).reshape(G1.shape)
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


def motif_figure(x: np.ndarray, motif: np.ndarray, positions: Sequence[int]) -> Figure:
    r"""A motif placed at several positions of one background, and the detector's scores.

    Each row shows the sequence (grey) and the scores of
    :func:`~mlnotes.sharing.motif_scores` (blue); the star marks the maximum,
    the value :func:`~mlnotes.sharing.motif_detector` returns. It is the same in
    every row.

    Args:
        x: the background, a 1-D sequence.
        motif: the motif, a 1-D sequence shorter than ``x`` (also the detector's weights).
        positions: where to insert it, each an int in ``[0, len(x) - len(motif)]``.

    Example:
        >>> len(motif_figure(np.zeros(10), np.array([1.0, -1.0]), [0, 5]).axes)
        2
    """
    x, motif = _check_array(x, "x", 1, "(L,)"), _check_array(motif, "motif", 1, "(K,)")
    K = len(motif)
    if K > len(x) or not motif.any():  # (the scores are drawn divided by their largest)
        raise ValueError(f"motif must be no longer than x ({len(x)}) and not all zero, got "
                         f"{K} entries, largest {np.abs(motif).max():g}")
    _check_positions(positions, len(x) - K)
    fig, axes = new_figure(len(positions), 1, width=7.6, height=1.2 + 0.9 * len(positions))
    axes = np.atleast_1d(axes)
    for ax, pos in zip(axes, positions, strict=True):
        seq = x.copy()
        seq[pos:pos + K] = motif
        s = motif_scores(seq[None, None], motif[None, None])[0, 0]
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


def weight_matrices_figure(matrices: Sequence[np.ndarray], titles: Sequence[str]) -> Figure:
    r"""Weight matrices side by side as heat maps (for tied and convolutional weights).

    Args:
        matrices: a non-empty sequence of 2-D arrays.
        titles: one title (a string) per matrix.

    Example:
        >>> len(weight_matrices_figure([np.eye(2)], ["identity"]).axes)
        2
    """
    if not isinstance(matrices, Sequence) or isinstance(matrices, str):
        raise TypeError(f"matrices must be a list of 2-D arrays, got {type(matrices).__name__}")
    if not matrices:
        raise ValueError("matrices must hold at least one matrix, got none")
    mats = [_check_array(m, f"matrices[{i}]", 2) for i, m in enumerate(matrices)]
    _check_labels(titles, "titles", len(mats))
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



def alignment_figure(weights: np.ndarray, queries: Sequence[str], keys: Sequence[str],
                     title: str = "cross-attention weights") -> Figure:
    r"""Cross-attention weights as a heat map with the tokens as labels (:doc:`/transformer`).

    Rows are the queries' tokens (the sentence being written), columns the keys'
    tokens (the sentence being read): entry :math:`(i, j)` is how much query
    :math:`i` reads key :math:`j`, as :func:`~mlnotes.attention.cross_attention`
    returns it.

    Example:
        >>> import numpy as np
        >>> len(alignment_figure(np.eye(2), ["a", "b"], ["x", "y"]).axes)
        2
    """
    for labels, name in ((queries, "queries"), (keys, "keys")):
        _check_labels(labels, name)
    w = _check_array(weights, "weights", 2, "(len(queries), len(keys))", finite=False)
    if w.shape != (len(queries), len(keys)):
        raise ValueError(f"weights must have shape (len(queries), len(keys)) = "
                         f"{(len(queries), len(keys))}, got {w.shape}")
    fig, ax = new_figure(width=4.8, height=3.6)
    im = ax.imshow(w, cmap="Blues", vmin=0, vmax=1)
    for (i, j), value in np.ndenumerate(w):
        ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=8,
                color="white" if value > 0.6 else "black")
    ax.set_xticks(range(len(keys)), keys)
    ax.set_yticks(range(len(queries)), queries)
    ax.set_xlabel("keys and values: the sentence read")
    ax.set_ylabel("queries: the sentence written")
    ax.set_title(title)
    fig.colorbar(im, ax=ax, shrink=0.8)
    pairs = ", ".join(f"{q} reads {keys[int(np.argmax(row))]}"
                      for q, row in zip(queries, w, strict=True))
    fig.alt = (f"Heat map of cross-attention weights ({title}), the written sentence's tokens "
               f"down and the read sentence's across; the largest weight of each row: {pairs}.")
    return fig


def positional_encoding_figure(P: np.ndarray) -> Figure:
    r"""A positional encoding (:func:`~mlnotes.attention.positional_encoding`) as a heat map.

    Positions down, features across: each pair of columns is a sine and a cosine
    turning more slowly than the pair before it.

    Example:
        >>> from mlnotes.attention import positional_encoding
        >>> len(positional_encoding_figure(positional_encoding(10, 8)).axes)
        2
    """
    P = _check_array(P, "P", 2, "(positions, features)", finite=False)
    fig, ax = new_figure(width=6.0, height=3.4)
    im = ax.imshow(P, cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto", interpolation="nearest")
    ax.set_xlabel("feature (sin, cos pairs, slower to the right)")
    ax.set_ylabel("position t")
    ax.set_title("sinusoidal positional encoding")
    fig.colorbar(im, ax=ax, shrink=0.8)
    fig.alt = (f"Heat map of a sinusoidal positional encoding, {P.shape[0]} positions down and "
               f"{P.shape[1]} features across, values from -1 (blue) to 1 (red): the left "
               "columns alternate quickly along the positions, the right ones barely change.")
    return fig


def _check_labels(labels: Any, name: str, n: int | None = None) -> None:
    """Raise unless ``labels`` is a sequence of strings (``n`` of them, when given)."""
    if (not isinstance(labels, Sequence) or isinstance(labels, str)
            or not all(isinstance(t, str) for t in labels)):
        raise TypeError(f"{name} must be a sequence of strings, got {type(labels).__name__}")
    if n is not None and len(labels) != n:
        raise ValueError(f"{name} must have one entry per matrix ({n}), got {len(labels)}")


def _check_positions(positions: Any, last: int) -> None:
    """Raise unless ``positions`` is a non-empty sequence of ints in ``[0, last]``."""
    if (not isinstance(positions, (Sequence, np.ndarray)) or isinstance(positions, str)
            or not all(isinstance(p, (int, np.integer)) and not isinstance(p, bool)
                       for p in positions)):
        raise TypeError(f"positions must be a sequence of ints, got {type(positions).__name__}")
    if not len(positions) or not all(0 <= p <= last for p in positions):
        raise ValueError(f"positions must be one or more ints in [0, {last}] (the motif must "
                         f"fit inside x), got {list(positions)}")
