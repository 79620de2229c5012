r"""Figures of the backpropagation page and its slides: the engine's computation graph.

:func:`graph_figure` draws the graph that :mod:`mlnotes.autograd` recorded for a
Tensor, node by node as the engine holds it, so the picture is the graph that
``backward()`` walks, not a drawing of it.

Explained in the book: :doc:`/backprop`; presented in the deck "Lecture: Softmax".
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from matplotlib.figure import Figure

from ..autograd import Tensor
from ._figure import COLORS, new_figure


def _describe(t: Tensor) -> str:
    return f"{t.item():.3g}" if t.size == 1 else "shape " + "×".join(map(str, t.shape))


def graph_figure(output: Tensor, names: Mapping[str, Tensor] | None = None) -> Figure:
    r"""The graph behind ``output``: leaves on the left, each operation a node, edges forward.

    Each node is placed one column right of its deepest input (its depth in the
    topological order), and shows its name (a leaf's from ``names``, an
    operation's from the engine) and its value (or shape). A leaf whose ``.grad``
    has been filled shows it in red: what ``backward()`` walked the edges right
    to left to deliver.

    Args:
        output: a Tensor computed from tensors with ``requires_grad=True``.
        names: labels of the tensors to name, ``{"w": w, ...}`` (leaves at least).

    Returns:
        The figure; ``fig.alt`` lists the nodes and edges.

    Example:
        >>> w = Tensor([2.0], requires_grad=True)
        >>> fig = graph_figure((w * w).sum(), {"w": w})
        >>> print(fig.alt)  # w is used twice: two edges into multiply
        Computation graph of 3 nodes, leaves w, output sum; edges: w -> multiply, w -> multiply, ...
    """
    if not isinstance(output, Tensor) or not output.requires_grad:
        raise TypeError("output must be a Tensor computed from tensors that require grad")
    label = {id(t): name for name, t in (names or {}).items()}
    # every node, each after its parents (a depth-first search, as backward() makes
    # its order), and its depth: one more than its deepest parent
    order: list[Tensor] = []
    depth: dict[int, int] = {}
    seen: set[int] = set()
    stack: list[tuple[Tensor, bool]] = [(output, False)]
    while stack:
        node, parents_done = stack.pop()
        if parents_done:
            depth[id(node)] = 1 + max((depth[id(p)] for p in node._parents), default=-1)
            order.append(node)
        elif id(node) not in seen:
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((p, False) for p in node._parents if id(p) not in seen)
    # a leaf sits one column before its first user, not always in the first column
    users: dict[int, list[int]] = {}
    for node in order:
        for p in node._parents:
            users.setdefault(id(p), []).append(depth[id(node)])
    for node in order:
        if node.is_leaf and id(node) in users:
            depth[id(node)] = min(users[id(node)]) - 1
    names_of = {id(n): label.get(id(n), n._op or "leaf") for n in order}
    columns: dict[int, list[Tensor]] = {}
    rank = {id(t): k for k, t in enumerate((names or {}).values())}   # named first, in order
    for node in sorted(order, key=lambda n: rank.get(id(n), len(rank))):
        columns.setdefault(depth[id(node)], []).append(node)
    where = {}
    for d, column in columns.items():
        for k, node in enumerate(column):
            where[id(node)] = (d, (len(column) - 1) / 2 - k)

    width = max(columns) + 1
    height = max(len(c) for c in columns.values())
    fig, ax = new_figure(width=min(1.9 * width + 0.6, 9.6), height=1.2 * height + 1.0)
    ax.set_xlim(-0.6, width - 0.4)
    ax.set_ylim(-height / 2 - 0.3, height / 2 + 0.1)
    ax.axis("off")
    for node in order:
        x, y = where[id(node)]
        for p in node._parents:
            px, py = where[id(p)]
            ax.annotate("", xy=(x - 0.28, y), xytext=(px + 0.28, py),
                        arrowprops={"arrowstyle": "->", "color": "black", "lw": 1.0})
        leaf = node.is_leaf
        ax.text(x, y + 0.05, names_of[id(node)], ha="center", va="center", fontsize=11,
                bbox={"boxstyle": "round" if leaf else "square", "lw": 1.2,
                      "fc": "white", "ec": COLORS["ours"] if leaf else "black"})
        ax.text(x, y - 0.22, _describe(node), ha="center", va="top", fontsize=8)
        if leaf and node.grad is not None:
            grad = (f"{node.grad.item():.3g}" if node.grad.size == 1
                    else f"|g| {np.linalg.norm(node.grad):.3g}")
            ax.text(x, y - 0.42, "grad " + grad, ha="center", va="top", fontsize=8,
                    color=COLORS["other"])
    ax.text((width - 1) / 2, -height / 2 - 0.15, "forward: along the arrows; backward: "
            "against them, from the output back to the leaves", ha="center", fontsize=8.5)
    leaves = [names_of[id(n)] for n in order if n.is_leaf]
    edges = [f"{names_of[id(p)]} -> {names_of[id(n)]}" for n in order for p in n._parents]
    fig.alt = (f"Computation graph of {len(order)} nodes, leaves {', '.join(leaves)}, output "
               f"{names_of[id(output)]}; edges: {', '.join(edges)}.")
    return fig
