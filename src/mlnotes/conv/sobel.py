r"""Sobel's edge filters: two fixed 3x3 kernels and the edge magnitude they give.

Part of :mod:`mlnotes.conv`; explained in the book: :doc:`/conv`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..backend import check_floating, device_of, namespace
from ._geometry import _check_ndim
from .convolution import conv2d

# ----------------------------------------------------------------------------- Sobel


def sobel_kernels(like: Any = None) -> Any:
    r"""The two Sobel filters as one conv2d weight, ``(2, 1, 3, 3)``: :math:`G_x` then :math:`G_y`.

    .. math::
        G_x = \begin{pmatrix} -1 & 0 & 1 \\ -2 & 0 & 2 \\ -1 & 0 & 1 \end{pmatrix},
        \qquad G_y = G_x^\top

    :math:`G_x` is a horizontal derivative (right minus left) smoothed over three
    rows with weights 1, 2, 1: it responds to *vertical* edges. :math:`G_y`
    (below minus above) responds to horizontal edges. Both sum to 0, so a flat
    region gives 0.

    Args:
        like: optional array whose backend, dtype and device the kernels take;
            float64 NumPy by default.

    Returns:
        The weight ``(2, 1, 3, 3)``.

    Example:
        >>> sobel_kernels()[0, 0]
        array([[-1.,  0.,  1.],
               [-2.,  0.,  2.],
               [-1.,  0.,  1.]])
    """
    gx = np.array([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]])
    w = np.stack([gx, gx.T])[:, None]  # (2, 1, 3, 3)
    if like is None:
        return w
    xp = namespace(like, names=("like",), optional=("like",))
    return xp.asarray(w, dtype=like.dtype, device=device_of(like))


def sobel(x: Any, padding: int = 1) -> Any:
    r"""The Sobel responses of a grey image: ``conv2d(x, sobel_kernels())``.

    Args:
        x: grey images, ``(N, 1, H, W)``.
        padding: 1 (default) keeps the size ``H x W``; 0 keeps only full windows.

    Returns:
        ``(N, 2, H_out, W_out)``: channel 0 the horizontal derivative
        :math:`G_x * x`, channel 1 the vertical one :math:`G_y * x`.

    Example:
        >>> import numpy as np
        >>> step = np.repeat([[0.0, 0.0, 1.0, 1.0]], 3, axis=0)[None, None]
        >>> sobel(step, padding=0)[0, :, 0]  # G_x sees the vertical edge, G_y nothing
        array([[4., 4.],
               [0., 0.]])
    """
    check_floating(x, "x")
    _check_ndim(x, 4, "x", "(N, 1, H, W)")
    if x.shape[1] != 1:
        raise ValueError(f"x must have one (grey) channel, got x.shape[1] = {x.shape[1]}")
    return conv2d(x, sobel_kernels(like=x), padding=padding)


def edge_magnitude(x: Any, padding: int = 1) -> Any:
    r"""The edge strength :math:`\sqrt{(G_x * x)^2 + (G_y * x)^2}` of a grey image.

    Its gradient at a flat pixel (both responses 0), where the square root
    has none, is taken as 0 rather than NaN.

    Args:
        x: grey images, ``(N, 1, H, W)``.
        padding: as in :func:`sobel`.

    Returns:
        ``(N, 1, H_out, W_out)``, non-negative.

    Example:
        >>> import numpy as np
        >>> step = np.repeat([[0.0, 0.0, 1.0, 1.0]], 3, axis=0)[None, None]
        >>> edge_magnitude(step, padding=0)[0, 0, 0]
        array([4., 4.])
    """
    xp = namespace(x, names=("x",))
    g = sobel(x, padding=padding)
    s = xp.sum(g * g, axis=1, keepdims=True)
    # sqrt(s) where s > 0, 0 elsewhere; the inner `where` keeps sqrt's gradient finite at 0
    flat = s == 0
    return xp.where(flat, xp.zeros_like(s), xp.sqrt(xp.where(flat, xp.ones_like(s), s)))
