r"""Figures of the convolution page and its deck: a conv net's shapes, edges, pooling, neighbours.

Explained in the book: :doc:`/conv`; presented in the deck "Lecture: Convolution".
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from ..backend import as_generator, check_count
from ..conv import edge_magnitude, max_pool2d, sobel
from ..experiments.conv import LENET, conv_net_shapes
from ._figure import COLORS, _check_array, new_figure


def conv_net_figure(layers: tuple[tuple, ...] = LENET,
                    input_shape: tuple[int, ...] = (1, 28, 28)) -> Figure:
    r"""A conv net drawn from the shapes that :func:`mlnotes.experiments.conv_net_shapes` measures.

    Feature maps are squares sized by their height, stacked to suggest channels;
    vectors are bars sized by their length.

    Example:
        >>> len(conv_net_figure().axes)
        1
    """
    from matplotlib.patches import Rectangle


    shapes = conv_net_shapes(layers, input_shape)
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


def sobel_figure(image: np.ndarray) -> Figure:
    r"""A grey image, its two Sobel responses and the edge magnitude, side by side.

    Computed with :func:`mlnotes.conv.sobel` and :func:`mlnotes.conv.edge_magnitude`.

    Args:
        image: a grey image ``(H, W)``, values in [0, 1].

    Example:
        >>> len(sobel_figure(np.eye(8)).axes)
        4
    """
    image = _check_array(image, "image", 2, "(H, W)")
    x = image[None, None]
    g, mag = sobel(x)[0], edge_magnitude(x)[0, 0]
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


def pooling_figure(x: np.ndarray, shifted: np.ndarray, kernel_size: int = 2) -> Figure:
    r"""Two grey images and their max pooling: a shift inside a window leaves the pool unchanged.

    Args:
        x: a grey image ``(H, W)``, values in [0, 1].
        shifted: the same image shifted, ``(H, W)``.
        kernel_size: the pooling window's side (and stride).

    Example:
        >>> len(pooling_figure(np.eye(4), np.eye(4)).axes)
        4
    """
    k = check_count(kernel_size, "kernel_size")
    images = {name: _check_array(img, name, 2, "(H, W)") for name, img in
              (("x", x), ("shifted", shifted))}
    for name, img in images.items():
        if min(img.shape) < k:
            raise ValueError(f"{name} must be at least kernel_size={k} pixels on each side, "
                             f"got shape {img.shape}")
    x, shifted = images["x"], images["shifted"]
    fig, axes = new_figure(2, 2, width=5.6, height=5.2)
    for col, (img, name) in enumerate(((x, "image"), (shifted, "shifted by one pixel"))):
        pooled = max_pool2d(img[None, None], kernel_size)[0, 0]
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
                     generator: int | np.random.Generator = 0) -> Figure:
    r"""A feature map's values against their right neighbour, and against the pixel ``far`` over.

    The first cloud hugs the diagonal (neighbours say nearly the same thing); the
    second does not. Titles give the correlation coefficients.

    Args:
        feature_map: a 2-D map, ``(H, W)``.
        far: the distance of the second panel, in pixels.
        max_points: at most this many pairs are drawn per panel (all are counted in
            the correlation).
        generator: an int seed or a ``numpy.random.Generator`` for which pairs are drawn.

    Example:
        >>> len(neighbour_figure(np.random.default_rng(0).random((20, 20)), far=4).axes)
        2
    """
    f = _check_array(feature_map, "feature_map", 2, "(H, W)")
    if check_count(far, "far") >= f.shape[1]:
        raise ValueError(f"far must be less than the map's width {f.shape[1]}, got {far}")
    check_count(max_points, "max_points")
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

