r"""Max and average pooling over strided views, and max pooling's backward.

Part of :mod:`mlnotes.conv`; explained in the book: :doc:`/conv`.
"""

from __future__ import annotations

from typing import Any

from .. import autograd
from ..backend import check_bool, check_floating, check_number, device_of, namespace
from ._geometry import Pair, _batched, _check_span, _pad2d, _pair, _tap_slices

# --------------------------------------------------------------------------- pooling


def _pool_setup(x: Any, kernel_size: Any, stride: Any, padding: Any, dilation: Any,
                ceil_mode: Any) -> tuple[Any, Any, bool, dict]:
    """Checks; returns ``xp``, ``x`` with a batch axis, whether it had none, the geometry."""
    check_floating(x, "x")
    xp = namespace(x, names=("x",))
    x, unbatched = _batched(x, "x", "(N, C, H, W)")
    kernel = _pair(kernel_size, "kernel_size", 1)
    # torch's default: windows side by side, stride = kernel_size
    stride = kernel if stride is None else _pair(stride, "stride", 1)
    padding = _pair(padding, "padding", 0)
    dilation = _pair(dilation, "dilation", 1)
    ceil_mode = check_bool(ceil_mode, "ceil_mode")
    if padding[0] > kernel[0] // 2 or padding[1] > kernel[1] // 2:
        raise ValueError(f"padding must be at most half of kernel_size (torch: pad should be "
                         f"at most half of effective kernel size), got padding {padding} for "
                         f"kernel_size {kernel}")
    size = tuple(x.shape[2:])
    span = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation, strict=True))
    out, extra = [], []
    for n, p, sp, s in zip(size, padding, span, stride, strict=True):
        # floor((n + 2p - span) / s) + 1 windows, or the ceiling with ceil_mode ...
        o = (n + 2 * p - sp + (s - 1 if ceil_mode else 0)) // s + 1
        # ... but the last window must start inside the input or its left padding (torch)
        if ceil_mode and (o - 1) * s >= n + p:
            o -= 1
        out.append(o)
        extra.append(max(0, (o - 1) * s + sp - (n + 2 * p)))  # ceil_mode's overhang
    if min(out) < 1:  # (ceil_mode lets a last window overhang the padded input: torch's rule)
        _check_span(tuple(n + 2 * p for n, p in zip(size, padding, strict=True)), kernel,
                    dilation, padding, fits=False)
    pads = ((padding[0], padding[0] + extra[0]), (padding[1], padding[1] + extra[1]))
    geometry = {"kernel": kernel, "stride": stride, "padding": padding, "dilation": dilation,
                "pads": pads, "out": tuple(out)}
    return xp, x, unbatched, geometry


def _pool_views(canvas: Any, geometry: dict):
    """For each kernel tap ``t = (i, j)``: ``t`` and the strided view ``(N, C, Ho, Wo)`` of
    ``canvas`` (the padded input) holding that tap's pixel of every window."""
    (kh, kw), out = geometry["kernel"], geometry["out"]
    for t, (i, j) in enumerate((i, j) for i in range(kh) for j in range(kw)):
        rows, cols = _tap_slices(i, j, out, geometry["stride"], geometry["dilation"])
        yield t, rows, cols, canvas[:, :, rows, cols]


def _input_index(rows: slice, cols: slice, geometry: dict, x: Any) -> Any:
    """``(Ho, Wo)``: where the padded input's pixels ``[rows, cols]`` sit in the flattened
    input plane, ``row * W + column`` (the indices torch's max pooling returns)."""
    xp, (top, _), (left, _) = namespace(x), *geometry["pads"]
    r = xp.arange(rows.start - top, rows.stop - top, rows.step, dtype=xp.int64,
                  device=device_of(x))
    c = xp.arange(cols.start - left, cols.stop - left, cols.step, dtype=xp.int64,
                  device=device_of(x))
    return r[:, None] * x.shape[3] + c[None, :]


def _max_over_views(x: Any, geometry: dict, track: bool) -> tuple[Any, Any]:
    """The maximum of each window, a pass over each tap's view; with ``track``, also where
    it was: its index in the flattened input plane."""
    xp = namespace(x)
    canvas = _pad2d(x, geometry["pads"], -float("inf"))  # padding never wins
    best, index = None, None
    for _, rows, cols, view in _pool_views(canvas, geometry):
        here = _input_index(rows, cols, geometry, x) if track else None
        if best is None:
            best, index = view, here
            continue
        # strictly larger: of equal maxima the first in row-major order keeps the window,
        # as in torch; and as in torch a NaN wins, so a window holding one gives NaN
        better = (view > best) | xp.isnan(view)
        best = xp.where(better, view, best)
        if track:
            index = xp.where(better, here, index)
    if track and tuple(index.shape) != tuple(best.shape):  # a 1 x 1 window: no contest
        index = xp.asarray(xp.broadcast_to(index, tuple(best.shape)), copy=True)
    return best, index


def max_pool2d(x: Any, kernel_size: Pair, stride: Pair | None = None, padding: Pair = 0,
               dilation: Pair = 1, ceil_mode: bool = False,
               return_indices: bool = False) -> Any:
    r"""Max pooling: the largest entry of each window, channel by channel.

    .. math::
        y_{n,c,r,q} = \max_{0 \le i < k_H,\ 0 \le j < k_W}
            \tilde x_{n,c,\,r s_H + i d_H,\; q s_W + j d_W}

    with :math:`\tilde x` padded by :math:`-\infty` (padding never wins). The
    stride defaults to ``kernel_size`` (windows side by side), as in torch. The
    output is unchanged when the maximum moves within its window, which is the
    small-shift invariance pooling is used for.

    Computed as a running maximum over the :math:`k_H k_W` strided views of the
    input (tap :math:`(i, j)`'s pixel of every window at once): one cheap pass
    per tap, the same loop over offsets as :func:`conv2d`. Ties go to the first
    tap in row-major order, and a NaN propagates, both as in torch.

    Args:
        x: input, ``(N, C, H, W)`` or ``(C, H, W)``.
        kernel_size: window size, int or ``(kH, kW)``.
        stride: int or pair, default ``kernel_size``.
        padding: int or pair, at most half of ``kernel_size``.
        dilation: gap between a window's taps, int or pair.
        ceil_mode: round the number of windows up, not down: a last, partial
            window is kept if it starts inside the input or its left padding.
        return_indices: also return, for each output, the index of its
            maximum in the flattened input plane, ``row * W + column`` (torch's).

    Returns:
        ``(N, C, H_out, W_out)`` (no N for an unbatched ``x``); with
        ``return_indices``, the pair ``(output, indices)``, indices int64.

    Example:
        >>> import numpy as np
        >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
        >>> max_pool2d(x, 2)
        array([[[[ 5.,  7.],
                 [13., 15.]]]])
        >>> max_pool2d(x, 3, stride=2, ceil_mode=True, return_indices=True)[1].tolist()
        [[[[10, 11], [14, 15]]]]
    """
    xp, xb, unbatched, geometry = _pool_setup(x, kernel_size, stride, padding, dilation,
                                              ceil_mode)
    return_indices = check_bool(return_indices, "return_indices")
    y, indices = _max_over_views(xb, geometry, track=return_indices)
    if not return_indices:
        return y[0] if unbatched else y
    return (y[0], indices[0]) if unbatched else (y, indices)


def max_pool2d_backward(grad: Any, x: Any, kernel_size: Pair, stride: Pair | None = None,
                        padding: Pair = 0, dilation: Pair = 1, ceil_mode: bool = False) -> Any:
    r"""Backward of :func:`max_pool2d`: each window's gradient goes to its arg-max.

    .. math::
        \frac{\partial L}{\partial x_{p}} = \sum_{\text{windows } \omega \ni p}
            [p = \arg\max_{\omega} x]\; g_\omega

    The maximum is locally the identity on the winning entry and ignores the
    others. Ties go to the first entry in row-major order (torch's choice on
    the CPU); a pixel that wins several overlapping windows collects from each.

    Args:
        grad: gradient of the loss with respect to the output.
        x: the forward input, ``(N, C, H, W)`` or ``(C, H, W)``.
        kernel_size, stride, padding, dilation, ceil_mode: as in the forward call.

    Returns:
        The gradient with respect to ``x``.

    Example:
        >>> import numpy as np
        >>> x = np.array([[[[1.0, 3.0], [2.0, 0.0]]]])
        >>> max_pool2d_backward(np.array([[[[10.0]]]]), x, 2)
        array([[[[ 0., 10.],
                 [ 0.,  0.]]]])
    """
    xp, xb, unbatched, geometry = _pool_setup(x, kernel_size, stride, padding, dilation,
                                              ceil_mode)
    namespace(grad, x, names=("grad", "x"))
    expected = (*x.shape[:-2], *geometry["out"])
    if tuple(grad.shape) != expected:
        raise ValueError(f"grad must have the output's shape {expected} (that of "
                         f"max_pool2d(x, kernel_size) with these options), "
                         f"got {tuple(grad.shape)}")
    g = grad[None] if unbatched else grad
    _, index = _max_over_views(xb, geometry, track=True)  # where each window's max was
    (top, bottom), (left, right) = geometry["pads"]
    n, c, h, w = xb.shape
    grad_canvas = xp.zeros((n, c, top + h + bottom, left + w + right), dtype=x.dtype,
                           device=device_of(x))
    zeros = xp.zeros_like(g)
    for _, rows, cols, _ in _pool_views(grad_canvas, geometry):
        # route g to the pixel under this tap wherever that pixel holds the max
        won = index == _input_index(rows, cols, geometry, xb)
        grad_canvas[:, :, rows, cols] = grad_canvas[:, :, rows, cols] + xp.where(won, g, zeros)
    grad_x = grad_canvas[:, :, top:top + h, left:left + w]
    return grad_x[0] if unbatched else grad_x


max_pool2d = autograd.register(max_pool2d, max_pool2d_backward,
                               when=lambda a: not a["return_indices"])


def avg_pool2d(x: Any, kernel_size: Pair, stride: Pair | None = None, padding: Pair = 0,
               ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: int | None = None) -> Any:
    r"""Average pooling: the mean of each window, channel by channel.

    .. math::
        y_{n,c,r,q} = \frac{1}{|\omega_{r,q}|} \sum_{i,j} \tilde x_{n,c,\,r s_H + i,\; q s_W + j}

    with :math:`\tilde x` padded by zeros. By default (torch's
    ``count_include_pad=True``) the padding's zeros count in the divisor
    :math:`|\omega|`, so it is :math:`k_H k_W` for every whole window and
    ``avg_pool2d`` is :func:`conv2d` with the constant kernel
    :math:`1 / (k_H k_W)`, applied to each channel on its own. The sum is one
    pass over each of the :math:`k_H k_W` strided views of the input, and the
    divisor the same sum over a mask of the pixels that count. The stride
    defaults to ``kernel_size``.

    Args:
        x: input, ``(N, C, H, W)`` or ``(C, H, W)``.
        kernel_size: window size, int or ``(kH, kW)``.
        stride: int or pair, default ``kernel_size``.
        padding: int or pair, at most half of ``kernel_size``.
        ceil_mode: as in :func:`max_pool2d`; the part of a last window past the
            padding never counts.
        count_include_pad: whether the padding's zeros count in the divisor.
        divisor_override: a nonzero int to divide every window's sum by instead.

    Returns:
        ``(N, C, H_out, W_out)`` (no N for an unbatched ``x``).

    Example:
        >>> import numpy as np
        >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
        >>> avg_pool2d(x, 2)
        array([[[[ 2.5,  4.5],
                 [10.5, 12.5]]]])
        >>> avg_pool2d(x, 2, padding=1, count_include_pad=False)[0, 0, 0]  # corners: 1 pixel
        array([0. , 1.5, 3. ])
    """
    xp, xb, unbatched, geometry = _pool_setup(x, kernel_size, stride, padding, 1, ceil_mode)
    count_include_pad = check_bool(count_include_pad, "count_include_pad")
    if divisor_override is not None:
        divisor = check_number(divisor_override, "divisor_override", integer=True)
        if divisor == 0:
            raise ValueError("divisor_override must be a nonzero int or None, got 0")
    canvas = _pad2d(xb, geometry["pads"])
    total = None
    for _, _, _, view in _pool_views(canvas, geometry):
        total = view if total is None else total + view
    if divisor_override is None:
        # |window|: the same window sum over a mask of the pixels that count
        (top, bottom), (left, right) = geometry["pads"]
        (ph, pw), (h, w) = geometry["padding"], xb.shape[2:]
        mask = xp.zeros((1, 1, top + h + bottom, left + w + right), dtype=x.dtype,
                        device=device_of(x))
        if count_include_pad:  # the input and its padding, not ceil_mode's overhang
            mask[:, :, :h + 2 * ph, :w + 2 * pw] = 1.0
        else:  # the input only
            mask[:, :, ph:ph + h, pw:pw + w] = 1.0
        divisor = sum(view for _, _, _, view in _pool_views(mask, geometry))
    y = total / divisor
    return y[0] if unbatched else y
