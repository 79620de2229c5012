r"""Convolution and pooling: conv1d/conv2d with their backward, max and average pooling, Sobel.

A convolutional layer slides one small filter over the whole input: every output
pixel is the same weighted sum of a :math:`k_H \times k_W` window of input pixels.
Here that sum is computed the way one would say it aloud, *per kernel offset*:
for each tap :math:`(i, j)` of the kernel, take the input shifted by
:math:`(i, j)` (one strided slice: the pixel that this tap sees, for every
output position at once), multiply it by the tap's :math:`C_\text{out} \times C`
weight matrix, and add. The Python loop runs over the :math:`k_H k_W` offsets,
never over pixels, so the work is a handful of large matrix products.
:func:`conv2d_naive` keeps the loop over pixels, as the teaching reference that
the tests hold equal to :func:`conv2d` and the book times against it.

Like ``torch.nn.functional.conv2d``, :func:`conv2d` computes a
*cross-correlation* (the kernel is not flipped); a convolution in the
mathematical sense is :func:`conv2d` with the kernel flipped in both spatial
axes. Pooling summarises each window by its maximum or mean, and
:func:`max_pool2d_backward` sends the gradient to the arg-max of each window.

One body serves NumPy arrays and torch tensors (see :mod:`mlnotes.backend`).

Explained in the book: :doc:`/conv`; presented in the deck "Lecture: Convolution".

Shapes: ``x`` is ``(N, C, H, W)`` (``(N, C, L)`` for :func:`conv1d`), ``w`` is
``(C_out, C, kH, kW)``, ``b`` is ``(C_out,)``; N batch, C channels, H/W height
and width, L length. ``stride``, ``padding`` and ``dilation`` are an int or a
pair ``(along H, along W)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .activations import hardmax
from .backend import check_floating, device_of, namespace

__all__ = [
    "conv_output_size",
    "conv1d",
    "conv2d",
    "conv2d_backward",
    "conv2d_naive",
    "conv2d_tiled",
    "max_pool2d",
    "max_pool2d_backward",
    "avg_pool2d",
    "sobel_kernels",
    "sobel",
    "edge_magnitude",
]

Pair = int | tuple[int, int]


# --------------------------------------------------------------------------- helpers


def _single(value: Any, name: str, minimum: int) -> int:
    """``value`` as an int >= ``minimum``, or a ``TypeError``/``ValueError`` naming it."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name} must be an int, got {value!r}")
    if value < minimum:
        what = "positive" if minimum == 1 else "non-negative"
        raise ValueError(f"{name} must be {what}, got {value!r}")
    return int(value)


def _pair(value: Any, name: str, minimum: int) -> tuple[int, int]:
    """``value`` as ``(along H, along W)``, each an int >= ``minimum``."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise TypeError(f"{name} must be an int or a pair of ints, got {value!r}")
        return _single(value[0], name, minimum), _single(value[1], name, minimum)
    v = _single(value, name, minimum)
    return v, v


def _check_ndim(a: Any, ndim: int, name: str, layout: str) -> None:
    if a.ndim != ndim:
        raise ValueError(
            f"{name} must have {ndim} dimensions {layout}, got shape {tuple(a.shape)}"
        )


def conv_output_size(size: int, kernel_size: int, stride: int = 1, padding: int = 0,
                     dilation: int = 1) -> int:
    r"""The length of a convolution's (or pooling's) output along one axis.

    .. math::
        H_\text{out} = \left\lfloor \frac{H + 2p - d\,(k - 1) - 1}{s} \right\rfloor + 1

    :math:`d(k - 1) + 1` is the span of the dilated kernel; the output has one
    entry for each of its placements, :math:`s` apart, that fit in the padded
    input.

    Args:
        size: the input's length :math:`H`.
        kernel_size: :math:`k`.
        stride: :math:`s`.
        padding: :math:`p`, added on both sides.
        dilation: :math:`d`, the gap between kernel taps.

    Returns:
        :math:`H_\text{out}` (at most 0 when the kernel does not fit).

    Example:
        >>> conv_output_size(28, 5), conv_output_size(28, 5, padding=2), conv_output_size(28, 2, 2)
        (24, 28, 14)
    """
    return (size + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1


def _pad2d(x: Any, padding: tuple[int, int], value: float = 0.0) -> Any:
    """``x`` (N, C, H, W) with ``padding`` rows/columns of ``value`` on each side."""
    xp = namespace(x)
    ph, pw = padding
    n, c, h, w = x.shape
    if ph:
        rows = xp.full((n, c, ph, w), value, dtype=x.dtype, device=device_of(x))
        x = xp.concat([rows, x, rows], axis=2)
    if pw:
        cols = xp.full((n, c, h + 2 * ph, pw), value, dtype=x.dtype, device=device_of(x))
        x = xp.concat([cols, x, cols], axis=3)
    return x


def _tap_slices(i: int, j: int, out_hw: tuple[int, int], stride: tuple[int, int],
                dilation: tuple[int, int]) -> tuple[slice, slice]:
    """The rows and columns of the padded input that kernel tap (i, j) sees, output-wide.

    Output pixel (r, c) reads padded pixel (r*sH + i*dH, c*sW + j*dW): for all r and
    c at once that is a strided slice starting at (i*dH, j*dW).
    """
    (ho, wo), (sh, sw), (dh, dw) = out_hw, stride, dilation
    return (slice(i * dh, i * dh + sh * (ho - 1) + 1, sh),
            slice(j * dw, j * dw + sw * (wo - 1) + 1, sw))


def _out_hw(padded_hw: tuple[int, int], kernel: tuple[int, int], stride: tuple[int, int],
            dilation: tuple[int, int], padding: tuple[int, int]) -> tuple[int, int]:
    """Output height and width, or ``ValueError`` if the kernel exceeds the padded input."""
    span = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation, strict=True))
    if span[0] > padded_hw[0] or span[1] > padded_hw[1]:
        raise ValueError(
            f"the kernel spans {span[0]} x {span[1]} (kernel_size {kernel}, dilation "
            f"{dilation}), larger than the padded input {padded_hw[0]} x {padded_hw[1]} "
            f"(padding {padding})"
        )
    return tuple((p - s) // st + 1 for p, s, st in zip(padded_hw, span, stride, strict=True))


def _weight_taps(w: Any) -> Any:
    """``w`` (C_out, C, kH, kW) as ``(kH, kW, C_out, C)``: the matrix ``W_ij`` of each tap.

    ``w[:, :, i, j]`` is the same matrix, but a strided view into ``w`` (its
    entries 9 apart for a 3 x 3 kernel); a matrix product with such a view can
    take a slow path (10x in torch on the CPU), so the taps are copied out once,
    each one a contiguous block.
    """
    xp = namespace(w)
    c_out, c, kh, kw = w.shape
    taps = xp.stack([w[:, :, i, j] for i in range(kh) for j in range(kw)])
    return xp.reshape(taps, (kh, kw, c_out, c))


def _check_conv(x: Any, w: Any, b: Any, name_x: str = "x") -> Any:
    check_floating(x, name_x)
    check_floating(w, "w")
    xp = namespace(x, w, b, names=(name_x, "w", "b"))
    _check_ndim(x, 4, name_x, "(N, C, H, W)")
    _check_ndim(w, 4, "w", "(C_out, C, kH, kW)")
    if x.shape[1] != w.shape[1]:
        raise ValueError(
            f"x has {x.shape[1]} channels (x.shape[1]) but w expects {w.shape[1]} "
            f"(w.shape[1]): the channel counts must match"
        )
    if b is not None and tuple(b.shape) != (w.shape[0],):
        raise ValueError(
            f"b must have shape (C_out,) = ({w.shape[0]},), got {tuple(b.shape)}"
        )
    return xp


# ---------------------------------------------------------------------------- conv2d


def conv2d(x: Any, w: Any, b: Any = None, stride: Pair = 1, padding: Pair = 0,
           dilation: Pair = 1) -> Any:
    r"""2-D convolution (a cross-correlation, as in torch), as a sum over kernel offsets.

    .. math::
        y_{n,o,r,c} = b_o + \sum_{i=0}^{k_H-1} \sum_{j=0}^{k_W-1} \sum_{\kappa}
            w_{o,\kappa,i,j}\; \tilde x_{n,\kappa,\,r s_H + i d_H,\; c s_W + j d_W}

    with :math:`\tilde x` the input padded by zeros. Read it from the outside
    in: for each tap :math:`(i, j)`, the slice
    :math:`\tilde x_{:,:,\,r s_H + i d_H,\; c s_W + j d_W}` over all
    :math:`(r, c)` is the input *shifted* by the tap's offset, and the sum over
    input channels :math:`\kappa` is a matrix product with
    :math:`w_{:,:,i,j}`. So :math:`y` is :math:`k_H k_W` shifted matrix
    products added up.

    The kernel is not flipped: a true convolution :math:`(x * v)` is
    ``conv2d(x, flip(v))`` with ``v`` flipped along both spatial axes.

    Args:
        x: input, ``(N, C, H, W)``, floating point.
        w: weights, ``(C_out, C, kH, kW)``.
        b: optional bias, ``(C_out,)``.
        stride: step :math:`s` between output positions, int or ``(sH, sW)``, >= 1.
        padding: zeros :math:`p` added on each side, int or ``(pH, pW)``, >= 0.
        dilation: gap :math:`d` between kernel taps, int or ``(dH, dW)``, >= 1.

    Returns:
        ``(N, C_out, H_out, W_out)``, sizes from :func:`conv_output_size`.

    Example:
        >>> import numpy as np
        >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
        >>> conv2d(x, np.ones((1, 1, 2, 2)), stride=2)  # sums of 2 x 2 blocks
        array([[[[10., 18.],
                 [42., 50.]]]])
    """
    xp = _check_conv(x, w, b)
    stride = _pair(stride, "stride", 1)
    padding = _pair(padding, "padding", 0)
    dilation = _pair(dilation, "dilation", 1)
    n = x.shape[0]
    c_out, _, kh, kw = w.shape
    xpad = _pad2d(x, padding)
    ho, wo = _out_hw(tuple(xpad.shape[2:]), (kh, kw), stride, dilation, padding)
    w_taps = _weight_taps(w)  # (kH, kW, C_out, C): W_ij = w[:, :, i, j], contiguous
    y = xp.zeros((n, c_out, ho * wo), dtype=x.dtype, device=device_of(x))
    for i in range(kh):
        for j in range(kw):
            rows, cols = _tap_slices(i, j, (ho, wo), stride, dilation)
            # the input as tap (i, j) sees it, at every output position: (N, C, Ho*Wo)
            shifted = xp.reshape(xpad[:, :, rows, cols], (n, x.shape[1], ho * wo))
            # y += W_ij @ shifted   (C_out, C) @ (N, C, Ho*Wo) -> (N, C_out, Ho*Wo)
            y += w_taps[i, j] @ shifted
    y = xp.reshape(y, (n, c_out, ho, wo))
    return y if b is None else y + xp.reshape(b, (1, c_out, 1, 1))


def conv2d_backward(grad_out: Any, x: Any, w: Any, stride: Pair = 1, padding: Pair = 0,
                    dilation: Pair = 1) -> tuple[Any, Any, Any]:
    r"""Backward of :func:`conv2d`: the gradients for ``x``, ``w`` and ``b``.

    Each tap :math:`(i, j)` of the forward pass is a matrix product
    :math:`Y \mathrel{+}= W_{ij} X_{ij}` (with :math:`X_{ij}` the shifted input,
    ``(N, C, Ho*Wo)``), so its backward is the matrix product rule, applied tap by
    tap with :math:`G` the incoming gradient:

    .. math::
        \frac{\partial L}{\partial W_{ij}} = \sum_n G_n X_{ij,n}^\top, \qquad
        \frac{\partial L}{\partial X_{ij}} = W_{ij}^\top G, \qquad
        \frac{\partial L}{\partial b_o} = \sum_{n,r,c} G_{n,o,r,c}

    and :math:`\partial L / \partial X_{ij}` is added back into the input pixels
    that the slice came from (a pixel seen by several taps collects from each);
    the padding's share is cut off at the end. Seen whole, the gradient for
    ``w`` is a correlation of ``x`` with ``grad_out``, and for stride 1 the
    gradient for ``x`` is a convolution of ``grad_out`` with the flipped kernel.

    Args:
        grad_out: gradient of the loss with respect to the output,
            ``(N, C_out, H_out, W_out)``.
        x: the forward input, ``(N, C, H, W)``.
        w: the forward weights, ``(C_out, C, kH, kW)``.
        stride: as in the forward call.
        padding: as in the forward call.
        dilation: as in the forward call.

    Returns:
        ``(grad_x, grad_w, grad_b)``, shaped like ``x``, ``w`` and ``(C_out,)``
        (``grad_b`` is what a bias would receive, whether or not one was used).

    Example:
        >>> import numpy as np
        >>> x, w = np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 2))
        >>> gx, gw, gb = conv2d_backward(np.ones((1, 1, 2, 2)), x, w)
        >>> gx[0, 0]  # how many output windows cover each input pixel
        array([[1., 2., 1.],
               [2., 4., 2.],
               [1., 2., 1.]])
        >>> gw[0, 0], gb
        (array([[4., 4.],
               [4., 4.]]), array([4.]))
    """
    xp = _check_conv(x, w, None)
    stride = _pair(stride, "stride", 1)
    padding = _pair(padding, "padding", 0)
    dilation = _pair(dilation, "dilation", 1)
    n, c, h, wd = x.shape
    c_out, _, kh, kw = w.shape
    xpad = _pad2d(x, padding)
    ho, wo = _out_hw(tuple(xpad.shape[2:]), (kh, kw), stride, dilation, padding)
    expected = (n, c_out, ho, wo)
    if tuple(grad_out.shape) != expected:
        raise ValueError(f"grad_out must have the output's shape {expected}, "
                         f"got {tuple(grad_out.shape)}")
    g = xp.reshape(grad_out, (n, c_out, ho * wo))  # (N, C_out, Ho*Wo)
    w_taps = _weight_taps(w)  # (kH, kW, C_out, C)
    grad_xpad = xp.zeros(tuple(xpad.shape), dtype=x.dtype, device=device_of(x))
    grad_w_taps = []
    for i in range(kh):
        for j in range(kw):
            rows, cols = _tap_slices(i, j, (ho, wo), stride, dilation)
            shifted = xp.reshape(xpad[:, :, rows, cols], (n, c, ho * wo))
            # dL/dW_ij = sum_n G_n X_ij,n^T   (C_out, Ho*Wo) @ (Ho*Wo, C), summed over N
            grad_w_taps.append(xp.sum(g @ xp.matrix_transpose(shifted), axis=0))
            # dL/dX_ij = W_ij^T G   (C, C_out) @ (N, C_out, Ho*Wo) -> (N, C, Ho*Wo)
            grad_shifted = xp.reshape(w_taps[i, j].T @ g, (n, c, ho, wo))
            grad_xpad[:, :, rows, cols] = grad_xpad[:, :, rows, cols] + grad_shifted
    grad_w = xp.reshape(xp.stack(grad_w_taps, axis=-1), (c_out, c, kh, kw))
    ph, pw = padding
    grad_x = grad_xpad[:, :, ph:ph + h, pw:pw + wd]
    # dL/db_o = sum of G over batch and positions
    grad_b = xp.sum(g, axis=(0, 2))
    return grad_x, grad_w, grad_b


def conv2d_naive(x: Any, w: Any, b: Any = None, stride: Pair = 1, padding: Pair = 0,
                 dilation: Pair = 1) -> Any:
    r"""Teaching reference: :func:`conv2d` with a Python loop over every output pixel.

    The formula of :func:`conv2d` transcribed literally: for each image, output
    channel and output position, multiply the window by the filter and sum. It
    gives the same numbers (tested) but runs
    :math:`N C_\text{out} H_\text{out} W_\text{out}` small Python-level steps
    instead of :math:`k_H k_W` large matrix products; the book times the two.
    Not for use beyond small inputs.

    Args:
        x, w, b, stride, padding, dilation: as in :func:`conv2d`.

    Returns:
        The same array as :func:`conv2d`.

    Example:
        >>> import numpy as np
        >>> x, w = np.arange(16.0).reshape(1, 1, 4, 4), np.ones((1, 1, 2, 2))
        >>> bool(np.array_equal(conv2d_naive(x, w, stride=2), conv2d(x, w, stride=2)))
        True
    """
    xp = _check_conv(x, w, b)
    (sh, sw), (dh, dw) = _pair(stride, "stride", 1), _pair(dilation, "dilation", 1)
    padding = _pair(padding, "padding", 0)
    n, c_out, kh, kw = x.shape[0], w.shape[0], w.shape[2], w.shape[3]
    xpad = _pad2d(x, padding)
    ho, wo = _out_hw(tuple(xpad.shape[2:]), (kh, kw), (sh, sw), (dh, dw), padding)
    y = xp.zeros((n, c_out, ho, wo), dtype=x.dtype, device=device_of(x))
    for m in range(n):
        for o in range(c_out):
            for r in range(ho):
                for col in range(wo):
                    window = xpad[m, :, r * sh:r * sh + dh * (kh - 1) + 1:dh,
                                  col * sw:col * sw + dw * (kw - 1) + 1:dw]
                    y[m, o, r, col] = xp.sum(window * w[o]) + (0.0 if b is None else b[o])
    return y


def conv2d_tiled(x: Any, w: Any, b: Any = None, tile: Pair = 32, stride: Pair = 1,
                 padding: Pair = 0, dilation: Pair = 1) -> Any:
    r""":func:`conv2d` computed tile by tile: output blocks, each from its own input patch.

    An output block of :math:`T_H \times T_W` pixels needs only the input patch
    under it, enlarged by the kernel's reach (a *halo* of :math:`d(k-1)` pixels),
    so blocks can be computed independently: in any order, on different cores,
    or small enough to fit in fast memory. That is how convolution libraries
    tile a large image; stitched together, the blocks equal :func:`conv2d`
    (tested).

    Args:
        x, w, b, stride, padding, dilation: as in :func:`conv2d`.
        tile: output block size, int or ``(TH, TW)``, >= 1.

    Returns:
        The same array as :func:`conv2d`.

    Example:
        >>> import numpy as np
        >>> x, w = np.random.default_rng(0).normal(size=(1, 2, 9, 9)), np.ones((3, 2, 3, 3))
        >>> bool(np.allclose(conv2d_tiled(x, w, tile=4), conv2d(x, w)))
        True
    """
    xp = _check_conv(x, w, b)
    th, tw = _pair(tile, "tile", 1)
    (sh, sw), (dh, dw) = _pair(stride, "stride", 1), _pair(dilation, "dilation", 1)
    padding = _pair(padding, "padding", 0)
    kh, kw = w.shape[2], w.shape[3]
    xpad = _pad2d(x, padding)
    ho, wo = _out_hw(tuple(xpad.shape[2:]), (kh, kw), (sh, sw), (dh, dw), padding)
    rows = []
    for r0 in range(0, ho, th):
        blocks = []
        for c0 in range(0, wo, tw):
            r1, c1 = min(r0 + th, ho), min(c0 + tw, wo)
            # input rows r0*sH .. (r1-1)*sH + dH*(kH-1): the block plus its halo
            patch = xpad[:, :, r0 * sh:(r1 - 1) * sh + dh * (kh - 1) + 1,
                         c0 * sw:(c1 - 1) * sw + dw * (kw - 1) + 1]
            blocks.append(conv2d(patch, w, b, stride=(sh, sw), dilation=(dh, dw)))
        rows.append(xp.concat(blocks, axis=3))
    return xp.concat(rows, axis=2)


# ---------------------------------------------------------------------------- conv1d


def conv1d(x: Any, w: Any, b: Any = None, stride: int = 1, padding: int = 0,
           dilation: int = 1) -> Any:
    r"""1-D convolution (cross-correlation, as in torch): :func:`conv2d` on images of height 1.

    .. math::
        y_{n,o,t} = b_o + \sum_{j=0}^{k-1} \sum_{\kappa} w_{o,\kappa,j}\,
            \tilde x_{n,\kappa,\,t s + j d}

    Args:
        x: input, ``(N, C, L)``.
        w: weights, ``(C_out, C, k)``.
        b: optional bias, ``(C_out,)``.
        stride: int >= 1.
        padding: int >= 0, zeros added at both ends.
        dilation: int >= 1.

    Returns:
        ``(N, C_out, L_out)``.

    Example:
        >>> import numpy as np
        >>> conv1d(np.array([[[1.0, 2.0, 4.0, 8.0]]]), np.array([[[-1.0, 1.0]]]))  # differences
        array([[[1., 2., 4.]]])
    """
    check_floating(x, "x")
    check_floating(w, "w")
    xp = namespace(x, w, b, names=("x", "w", "b"))
    _check_ndim(x, 3, "x", "(N, C, L)")
    _check_ndim(w, 3, "w", "(C_out, C, k)")
    s, p, d = (_single(v, name, low) for v, name, low in
               ((stride, "stride", 1), (padding, "padding", 0), (dilation, "dilation", 1)))
    # (N, C, L) -> (N, C, 1, L): a 1-D signal is an image one pixel high
    y = conv2d(xp.expand_dims(x, axis=2), xp.expand_dims(w, axis=2), b,
               stride=(1, s), padding=(0, p), dilation=(1, d))
    return y[:, :, 0, :]


# --------------------------------------------------------------------------- pooling


def _pool_windows(x: Any, kernel_size: Pair, stride: Pair | None, padding: Pair,
                  fill: float) -> tuple[Any, tuple]:
    """Every window's entries stacked along a new first axis: ``(kH*kW, N, C, Ho, Wo)``."""
    check_floating(x, "x")
    xp = namespace(x, names=("x",))
    _check_ndim(x, 4, "x", "(N, C, H, W)")
    kernel = _pair(kernel_size, "kernel_size", 1)
    # torch's default: windows side by side, stride = kernel_size
    stride = kernel if stride is None else _pair(stride, "stride", 1)
    padding = _pair(padding, "padding", 0)
    if padding[0] > kernel[0] // 2 or padding[1] > kernel[1] // 2:
        raise ValueError(f"padding must be at most half of kernel_size, got padding {padding} "
                         f"for kernel_size {kernel}")
    xpad = _pad2d(x, padding, fill)
    ho, wo = _out_hw(tuple(xpad.shape[2:]), kernel, stride, (1, 1), padding)
    taps = [xpad[(slice(None), slice(None), *_tap_slices(i, j, (ho, wo), stride, (1, 1)))]
            for i in range(kernel[0]) for j in range(kernel[1])]
    return xp.stack(taps, axis=0), (xp, xpad, kernel, stride, padding, (ho, wo))


def max_pool2d(x: Any, kernel_size: Pair, stride: Pair | None = None, padding: Pair = 0) -> Any:
    r"""Max pooling: the largest entry of each window, channel by channel.

    .. math::
        y_{n,c,r,q} = \max_{0 \le i < k_H,\ 0 \le j < k_W} \tilde x_{n,c,\,r s_H + i,\; q s_W + j}

    with :math:`\tilde x` padded by :math:`-\infty` (padding never wins). The
    stride defaults to ``kernel_size`` (windows side by side), as in torch. The
    output is unchanged when the maximum moves within its window, which is the
    small-shift invariance pooling is used for.

    Args:
        x: input, ``(N, C, H, W)``.
        kernel_size: window size, int or ``(kH, kW)``.
        stride: int or pair, default ``kernel_size``.
        padding: int or pair, at most half of ``kernel_size``.

    Returns:
        ``(N, C, H_out, W_out)``.

    Example:
        >>> import numpy as np
        >>> max_pool2d(np.arange(16.0).reshape(1, 1, 4, 4), 2)
        array([[[[ 5.,  7.],
                 [13., 15.]]]])
    """
    windows, (xp, *_) = _pool_windows(x, kernel_size, stride, padding, -float("inf"))
    # one-hot of each window's first arg-max: the gradient will flow to it alone
    first_max = hardmax(windows, axis=0) == 1
    return xp.sum(xp.where(first_max, windows, xp.zeros_like(windows)), axis=0)


def max_pool2d_backward(grad_out: Any, x: Any, kernel_size: Pair, stride: Pair | None = None,
                        padding: Pair = 0) -> Any:
    r"""Backward of :func:`max_pool2d`: each window's gradient goes to its arg-max.

    .. math::
        \frac{\partial L}{\partial x_{p}} = \sum_{\text{windows } \omega \ni p}
            [p = \arg\max_{\omega} x]\; g_\omega

    The maximum is locally the identity on the winning entry and ignores the
    others. Ties go to the first entry in row-major order (torch's choice on
    the CPU); a pixel that wins several overlapping windows collects from each.

    Args:
        grad_out: gradient of the loss with respect to the output.
        x: the forward input, ``(N, C, H, W)``.
        kernel_size, stride, padding: as in the forward call.

    Returns:
        The gradient with respect to ``x``.

    Example:
        >>> import numpy as np
        >>> x = np.array([[[[1.0, 3.0], [2.0, 0.0]]]])
        >>> max_pool2d_backward(np.array([[[[10.0]]]]), x, 2)
        array([[[[ 0., 10.],
                 [ 0.,  0.]]]])
    """
    windows, (xp, xpad, kernel, stride, padding, out_hw) = _pool_windows(
        x, kernel_size, stride, padding, -float("inf"))
    namespace(grad_out, x, names=("grad_out", "x"))
    expected = (*x.shape[:2], *out_hw)
    if tuple(grad_out.shape) != expected:
        raise ValueError(f"grad_out must have the output's shape {expected}, "
                         f"got {tuple(grad_out.shape)}")
    first_max = hardmax(windows, axis=0) == 1  # (kH*kW, N, C, Ho, Wo)
    zeros = xp.zeros_like(grad_out)
    grad_xpad = xp.zeros(tuple(xpad.shape), dtype=x.dtype, device=device_of(x))
    for t, (i, j) in enumerate((i, j) for i in range(kernel[0]) for j in range(kernel[1])):
        rows, cols = _tap_slices(i, j, out_hw, stride, (1, 1))
        # route g to the input pixel under tap (i, j) wherever that tap holds the max
        grad_xpad[:, :, rows, cols] = grad_xpad[:, :, rows, cols] + xp.where(
            first_max[t], grad_out, zeros)
    ph, pw = padding
    return grad_xpad[:, :, ph:ph + x.shape[2], pw:pw + x.shape[3]]


def avg_pool2d(x: Any, kernel_size: Pair, stride: Pair | None = None, padding: Pair = 0) -> Any:
    r"""Average pooling: the mean of each window, channel by channel.

    .. math::
        y_{n,c,r,q} = \frac{1}{k_H k_W} \sum_{i,j} \tilde x_{n,c,\,r s_H + i,\; q s_W + j}

    with :math:`\tilde x` padded by zeros that count in the mean (torch's
    default ``count_include_pad=True``). It is :func:`conv2d` with the constant
    kernel :math:`1 / (k_H k_W)`, applied to each channel on its own. The stride
    defaults to ``kernel_size``.

    Args:
        x: input, ``(N, C, H, W)``.
        kernel_size: window size, int or ``(kH, kW)``.
        stride: int or pair, default ``kernel_size``.
        padding: int or pair, at most half of ``kernel_size``.

    Returns:
        ``(N, C, H_out, W_out)``.

    Example:
        >>> import numpy as np
        >>> avg_pool2d(np.arange(16.0).reshape(1, 1, 4, 4), 2)
        array([[[[ 2.5,  4.5],
                 [10.5, 12.5]]]])
    """
    windows, (xp, *_) = _pool_windows(x, kernel_size, stride, padding, 0.0)
    return xp.mean(windows, axis=0)


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
    xp = namespace(like, names=("like",))
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
