r"""Convolution and pooling: conv1d/conv2d with their backward, max and average pooling, Sobel.

A convolutional layer slides one small filter over the whole input: every output
pixel is the same weighted sum of a :math:`k_H \times k_W` window of input pixels.
Here that sum is computed the way one would say it aloud, *per kernel offset*:
for each tap :math:`(i, j)` of the kernel, take the input shifted by
:math:`(i, j)` (the pixel that this tap sees, for every output position at once),
multiply it by the tap's :math:`C_\text{out} \times C` weight matrix, and add.
The Python loop runs over the :math:`k_H k_W` offsets, never over pixels, so the
work is a handful of large matrix products; on the flattened image a shift is a
single offset, so each shifted input is a slice of one array, read where it lies
(see :func:`conv2d`). :func:`conv2d_naive` keeps the loop over pixels, as the
teaching reference that the tests hold equal to :func:`conv2d` and the book
times against it.

Like ``torch.nn.functional.conv2d``, :func:`conv2d` computes a
*cross-correlation* (the kernel is not flipped); a convolution in the
mathematical sense is :func:`conv2d` with the kernel flipped in both spatial
axes. Pooling summarises each window by its maximum or mean, one pass over each
of the :math:`k_H k_W` strided views of the input, and
:func:`max_pool2d_backward` sends the gradient to the arg-max of each window.

The options are torch's, with its names and rules: ``stride``, ``padding`` (also
``"same"`` and ``"valid"``), ``dilation``, ``groups``; for pooling ``ceil_mode``,
``return_indices``, ``count_include_pad``, ``divisor_override``. One body serves
NumPy arrays and torch tensors (see :mod:`mlnotes.backend`).

Explained in the book: :doc:`/conv`; presented in the deck "Lecture: Convolution".

Shapes: ``x`` is ``(N, C, H, W)`` or unbatched ``(C, H, W)`` (``(N, C, L)`` or
``(C, L)`` for :func:`conv1d`), ``w`` is ``(C_out, C / groups, kH, kW)``, ``b`` is
``(C_out,)``; N batch, C channels, H/W height and width, L length. ``stride``,
``padding`` and ``dilation`` are an int or a pair ``(along H, along W)``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

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
Pads = tuple[tuple[int, int], tuple[int, int]]  # ((top, bottom), (left, right))


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
    """``value`` as ``(along H, along W)``, each an int >= ``minimum`` (an int, 1- or 2-tuple)."""
    if isinstance(value, (tuple, list)):
        if len(value) not in (1, 2):
            raise TypeError(f"{name} must be an int or a pair of ints, got {value!r}")
        return _single(value[0], name, minimum), _single(value[-1], name, minimum)
    v = _single(value, name, minimum)
    return v, v


def _check_bool(value: Any, name: str) -> bool:
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be True or False, got {value!r}")
    return bool(value)


def _batched(x: Any, name: str, layout: str) -> tuple[Any, bool]:
    """``x`` with a batch axis, and whether it came without one (torch's unbatched input)."""
    ndim = len(layout.split(","))
    if x.ndim not in (ndim, ndim - 1):
        unbatched = "(" + layout.split(",", 1)[1].strip()
        raise ValueError(f"{name} must have {ndim} dimensions {layout} or {ndim - 1} "
                         f"{unbatched}, got shape {tuple(x.shape)}")
    return (x[None], True) if x.ndim == ndim - 1 else (x, False)


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


def _pad2d(x: Any, pads: Pads, value: float = 0.0) -> Any:
    """``x`` (N, C, H, W) inside a frame of ``value``: ``pads = ((top, bottom), (left, right))``."""
    ((top, bottom), (left, right)), (n, c, h, w) = pads, x.shape
    if not (top or bottom or left or right):
        return x
    xp = namespace(x)
    canvas = xp.full((n, c, top + h + bottom, left + w + right), value, dtype=x.dtype,
                     device=device_of(x))
    canvas[:, :, top:top + h, left:left + w] = x
    return canvas


def _tap_slices(i: int, j: int, out_hw: tuple[int, int], stride: tuple[int, int],
                dilation: tuple[int, int]) -> tuple[slice, slice]:
    """The rows and columns of the padded input that kernel tap (i, j) sees, output-wide.

    Output pixel (r, c) reads padded pixel (r*sH + i*dH, c*sW + j*dW): for all r and
    c at once that is a strided slice starting at (i*dH, j*dW).
    """
    (ho, wo), (sh, sw), (dh, dw) = out_hw, stride, dilation
    return (slice(i * dh, i * dh + sh * (ho - 1) + 1, sh),
            slice(j * dw, j * dw + sw * (wo - 1) + 1, sw))


def _check_span(padded_hw: tuple[int, int], kernel: tuple[int, int],
                dilation: tuple[int, int], padding: Any,
                fits: bool | None = None) -> tuple[int, int]:
    """The dilated kernel's span, or ``ValueError`` if it exceeds the padded input (or if
    ``fits`` is False: the caller found that no window fits)."""
    span = tuple(d * (k - 1) + 1 for k, d in zip(kernel, dilation, strict=True))
    if fits is None:
        fits = span[0] <= padded_hw[0] and span[1] <= padded_hw[1]
    if not fits:
        raise ValueError(
            f"the kernel spans {span[0]} x {span[1]} (kernel_size {kernel}, dilation "
            f"{dilation}), larger than the padded input {padded_hw[0]} x {padded_hw[1]} "
            f"(padding {padding}): the output would be empty"
        )
    return span


# ------------------------------------------------------------------- conv2d's geometry


def _conv_padding(padding: Any, kernel: tuple[int, int], stride: tuple[int, int],
                  dilation: tuple[int, int]) -> Pads:
    """``((top, bottom), (left, right))`` for ``padding``: an int, a pair, "valid" or "same"."""
    if isinstance(padding, str):
        if padding == "valid":
            return (0, 0), (0, 0)
        if padding == "same":
            if stride != (1, 1):
                raise ValueError(f"padding='same' needs stride 1 (as in torch: it is not "
                                 f"supported for strided convolutions), got stride {stride}")
            # the dilated kernel reaches d(k - 1) pixels past its first tap: half of them
            # on each side, the odd one at the bottom or right (torch's split)
            total = [d * (k - 1) for k, d in zip(kernel, dilation, strict=True)]
            return (total[0] // 2, total[0] - total[0] // 2), (total[1] // 2,
                                                                total[1] - total[1] // 2)
        raise ValueError(
            f"padding must be 'same', 'valid', an int or a pair of ints, got {padding!r}")
    ph, pw = _pair(padding, "padding", 0)
    return (ph, ph), (pw, pw)


def _check_conv(x: Any, w: Any, b: Any, groups: Any) -> tuple[Any, Any, bool, int]:
    """Checks; returns ``xp``, ``x`` with a batch axis, whether it had none, ``groups``."""
    check_floating(x, "x")
    check_floating(w, "w")
    xp = namespace(x, w, b, names=("x", "w", "b"))
    x, unbatched = _batched(x, "x", "(N, C, H, W)")
    _check_ndim(w, 4, "w", "(C_out, C / groups, kH, kW)")
    groups = _single(groups, "groups", 1)
    if x.shape[1] % groups:
        raise ValueError(f"groups={groups} must divide the input channels, but x has "
                         f"C = {x.shape[1]} (x.shape[1])")
    if w.shape[0] % groups:
        raise ValueError(f"groups={groups} must divide the output channels, but w has "
                         f"C_out = {w.shape[0]} (w.shape[0])")
    if x.shape[1] != w.shape[1] * groups:
        raise ValueError(
            f"x has {x.shape[1]} channels (x.shape[1]) but w expects {w.shape[1] * groups} "
            f"(w.shape[1] = {w.shape[1]} per group, groups={groups}): the channel counts "
            f"must match"
        )
    if b is not None and tuple(b.shape) != (w.shape[0],):
        raise ValueError(
            f"b must have shape (C_out,) = ({w.shape[0]},), got {tuple(b.shape)}"
        )
    return xp, x, unbatched, groups


def _conv_geometry(x: Any, w: Any, stride: Any, padding: Any,
                   dilation: Any) -> tuple[tuple[int, int], tuple[int, int], Pads,
                                           tuple[int, int]]:
    """``stride``, ``dilation``, the padding of each side, and the output's (H_out, W_out)."""
    kernel = (w.shape[2], w.shape[3])
    stride = _pair(stride, "stride", 1)
    dilation = _pair(dilation, "dilation", 1)
    pads = _conv_padding(padding, kernel, stride, dilation)
    padded = tuple(n + lo + hi for n, (lo, hi) in zip(x.shape[2:], pads, strict=True))
    span = _check_span(padded, kernel, dilation, padding)
    out = tuple((p - s) // st + 1 for p, s, st in zip(padded, span, stride, strict=True))
    return stride, dilation, pads, out


def _phases(x: Any, groups: int, stride: tuple[int, int], pads: Pads) -> tuple[Any, int]:
    r"""The zero-padded input, flattened, one flat image per phase: ``(N, G, C/G, sH*sW, ·)``.

    Output pixel :math:`(r, c)`'s tap :math:`(i, j)` reads padded pixel
    :math:`(r s_H + i d_H,\ c s_W + j d_W)`. Split the padded image into its
    :math:`s_H s_W` *phases* (every :math:`s_H`-th row and :math:`s_W`-th column,
    from each starting offset): with :math:`i d_H = q s_H + a`, that pixel is pixel
    :math:`(r + q, \dots)` of phase :math:`(a, \dots)`, so within its phase every tap
    is a plain shift, whatever the stride (with stride 1 there is one phase, the
    image itself). Each phase is ``Wq`` pixels wide and gets a spare row of zeros
    below, read only by the wrapped-around columns of :func:`conv2d`. Returns the
    phases and ``Wq``.
    """
    xp = namespace(x)
    n, c, h, w = x.shape
    ((top, bottom), (left, right)), (sh, sw) = pads, stride
    hq = -(-(top + h + bottom) // sh) + 1  # ceil(padded height / sH), plus the spare row
    wq = -(-(left + w + right) // sw)
    canvas = _pad2d(x, ((top, hq * sh - top - h), (left, wq * sw - left - w)))
    # padded pixel (u sH + a, v sW + e) is pixel (u, v) of phase (a, e)
    split = xp.reshape(canvas, (n, groups, c // groups, hq, sh, wq, sw))
    phases = xp.permute_dims(split, (0, 1, 2, 4, 6, 3, 5))  # (N, G, C/G, sH, sW, Hq, Wq)
    return xp.reshape(phases, (n, groups, c // groups, sh * sw, hq * wq)), wq


def _unphase(phases: Any, stride: tuple[int, int], pads: Pads, hw: tuple[int, int],
             wq: int) -> Any:
    """:func:`_phases` undone: phases back to the image ``(N, C, H, W)``, padding cut off."""
    xp = namespace(phases)
    n, g, cg, _, length = phases.shape
    (sh, sw), ((top, _), (left, _)), (h, w) = stride, pads, hw
    split = xp.reshape(phases, (n, g, cg, sh, sw, length // wq, wq))
    canvas = xp.reshape(xp.permute_dims(split, (0, 1, 2, 5, 3, 6, 4)),
                        (n, g * cg, (length // wq) * sh, wq * sw))
    return canvas[:, :, top:top + h, left:left + w]


def _tap_in_phases(i: int, j: int, stride: tuple[int, int], dilation: tuple[int, int],
                   wq: int, length: int) -> tuple[int, slice]:
    """Where tap (i, j) reads: its phase, and the slice of that flat phase image."""
    (qi, ai), (qj, aj) = divmod(i * dilation[0], stride[0]), divmod(j * dilation[1], stride[1])
    start = qi * wq + qj  # a shift by (qi, qj) within the phase is one offset on its flat form
    return ai * stride[1] + aj, slice(start, start + length)


def _weight_taps(w: Any, groups: int) -> Any:
    """``w`` (C_out, C/G, kH, kW) as ``(kH, kW, G, C_out/G, C/G)``: each tap's matrices.

    ``w[:, :, i, j]`` holds the same numbers, but as a strided view into ``w`` (its
    entries 9 apart for a 3 x 3 kernel); a matrix product with such a view can take
    a slow path (10x in torch on the CPU), so the taps are copied out once, each one
    a contiguous block.
    """
    xp = namespace(w)
    c_out, cg, kh, kw = w.shape
    wg = xp.reshape(w, (groups, c_out // groups, cg, kh, kw))
    taps = xp.stack([wg[:, :, :, i, j] for i in range(kh) for j in range(kw)])
    return xp.reshape(taps, (kh, kw, groups, c_out // groups, cg))


# ---------------------------------------------------------------------------- conv2d


def conv2d(x: Any, w: Any, b: Any = None, stride: Pair = 1, padding: Pair | str = 0,
           dilation: Pair = 1, groups: int = 1) -> Any:
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

    The shifted inputs are not copied. On the image flattened row by row, a
    shift by :math:`(i, j)` is a shift by the single offset :math:`i W + j`, so
    a tap's shifted input is one slice of the flat array, which the matrix
    product reads where it lies. The price is that each output row is computed
    over the padded input's whole width: the last :math:`k_W - 1` entries of a
    row are windows that wrap around into the next row, and are cut off at the
    end. (With a stride, the same holds within each *phase* of the image; see
    ``_phases``.) Each step is then one read of the input and one matrix
    product, where copying the shifted input first would read and write it
    once more per tap.

    With ``groups`` :math:`G`, the channels split into :math:`G` groups that are
    convolved separately (output channels ``g C_out/G ...`` see only input
    channels ``g C/G ...``): ``groups=C`` is a *depthwise* convolution, one
    filter per channel.

    The kernel is not flipped: a true convolution :math:`(x * v)` is
    ``conv2d(x, flip(v))`` with ``v`` flipped along both spatial axes.

    Args:
        x: input, ``(N, C, H, W)`` or ``(C, H, W)``, floating point.
        w: weights, ``(C_out, C / groups, kH, kW)``.
        b: optional bias, ``(C_out,)``.
        stride: step :math:`s` between output positions, int or ``(sH, sW)``, >= 1.
        padding: zeros :math:`p` added on each side, int or ``(pH, pW)``, >= 0;
            ``"valid"`` (none) or ``"same"`` (the output as large as the input;
            stride 1 only; an odd total puts the extra zero at the bottom/right).
        dilation: gap :math:`d` between kernel taps, int or ``(dH, dW)``, >= 1.
        groups: :math:`G`, dividing both ``C`` and ``C_out``.

    Returns:
        ``(N, C_out, H_out, W_out)`` (no N for an unbatched ``x``), sizes from
        :func:`conv_output_size`.

    Example:
        >>> import numpy as np
        >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
        >>> conv2d(x, np.ones((1, 1, 2, 2)), stride=2)  # sums of 2 x 2 blocks
        array([[[[10., 18.],
                 [42., 50.]]]])
        >>> conv2d(x, np.ones((1, 1, 3, 3)), padding="same").shape
        (1, 1, 4, 4)
    """
    xp, x, unbatched, groups = _check_conv(x, w, b, groups)
    stride, dilation, pads, (ho, wo) = _conv_geometry(x, w, stride, padding, dilation)
    n, (c_out, _, kh, kw) = x.shape[0], w.shape
    phases, wq = _phases(x, groups, stride, pads)  # (N, G, C/G, sH*sW, Hq*Wq)
    w_taps = _weight_taps(w, groups)  # (kH, kW, G, C_out/G, C/G): W_ij, contiguous
    y = xp.zeros((n, groups, c_out // groups, ho * wq), dtype=x.dtype, device=device_of(x))
    for i in range(kh):
        for j in range(kw):
            phase, cols = _tap_in_phases(i, j, stride, dilation, wq, ho * wq)
            # the input as tap (i, j) sees it, at every output position: (N, G, C/G, Ho*Wq)
            shifted = phases[:, :, :, phase, cols]
            # y += W_ij @ shifted   (G, C_out/G, C/G) @ (N, G, C/G, Ho*Wq)
            y += w_taps[i, j] @ shifted
    # rows of Wq outputs; those past W_out wrapped around into the next row: cut
    y = xp.reshape(y, (n, c_out, ho, wq))[:, :, :, :wo]
    if b is not None:
        y = y + xp.reshape(b, (1, c_out, 1, 1))
    return y[0] if unbatched else y


def conv2d_backward(grad: Any, x: Any, w: Any, stride: Pair = 1, padding: Pair | str = 0,
                    dilation: Pair = 1, groups: int = 1) -> tuple[Any, Any, Any]:
    r"""Backward of :func:`conv2d`: the gradients for ``x``, ``w`` and ``b``.

    Each tap :math:`(i, j)` of the forward pass is a matrix product
    :math:`Y \mathrel{+}= W_{ij} X_{ij}` (with :math:`X_{ij}` the shifted input),
    so its backward is the matrix product rule, applied tap by tap with
    :math:`G` the incoming gradient:

    .. math::
        \frac{\partial L}{\partial W_{ij}} = \sum_n G_n X_{ij,n}^\top, \qquad
        \frac{\partial L}{\partial X_{ij}} = W_{ij}^\top G, \qquad
        \frac{\partial L}{\partial b_o} = \sum_{n,r,c} G_{n,o,r,c}

    and :math:`\partial L / \partial X_{ij}` is added back into the input pixels
    that the slice came from (a pixel seen by several taps collects from each);
    the padding's share is cut off at the end. :math:`G` is laid out on the
    forward's rows, with zeros in the wrapped-around columns that the forward
    cut off, so they send nothing back. Seen whole, the gradient for ``w`` is a
    correlation of ``x`` with ``grad``, and for stride 1 the gradient for ``x``
    is a convolution of ``grad`` with the flipped kernel.

    Args:
        grad: gradient of the loss with respect to the output,
            ``(N, C_out, H_out, W_out)`` (``(C_out, H_out, W_out)`` unbatched).
        x: the forward input, ``(N, C, H, W)`` or ``(C, H, W)``.
        w: the forward weights, ``(C_out, C / groups, kH, kW)``.
        stride, padding, dilation, groups: as in the forward call.

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
    xp, xb, unbatched, groups = _check_conv(x, w, None, groups)
    namespace(grad, x, names=("grad", "x"))
    stride, dilation, pads, (ho, wo) = _conv_geometry(xb, w, stride, padding, dilation)
    n, c, h, wd = xb.shape
    c_out, cg, kh, kw = w.shape
    expected = (c_out, ho, wo) if unbatched else (n, c_out, ho, wo)
    if tuple(grad.shape) != expected:
        raise ValueError(f"grad must have the output's shape {expected}, "
                         f"got {tuple(grad.shape)}")
    grad = grad[None] if unbatched else grad
    phases, wq = _phases(xb, groups, stride, pads)
    # G on the forward's rows of Wq, zero in the cut-off columns: (N, G, C_out/G, Ho*Wq)
    g = xp.zeros((n, c_out, ho, wq), dtype=x.dtype, device=device_of(x))
    g[:, :, :, :wo] = grad
    g = xp.reshape(g, (n, groups, c_out // groups, ho * wq))
    w_taps = _weight_taps(w, groups)  # (kH, kW, G, C_out/G, C/G)
    grad_phases = xp.zeros(tuple(phases.shape), dtype=x.dtype, device=device_of(x))
    grad_w_taps = []
    for i in range(kh):
        for j in range(kw):
            phase, cols = _tap_in_phases(i, j, stride, dilation, wq, ho * wq)
            shifted = phases[:, :, :, phase, cols]  # X_ij: (N, G, C/G, Ho*Wq)
            # dL/dW_ij = sum_n G_n X_ij,n^T   (G, C_out/G, Ho*Wq) @ (G, Ho*Wq, C/G), over N
            grad_w_taps.append(xp.sum(g @ xp.matrix_transpose(shifted), axis=0))
            # dL/dX_ij = W_ij^T G   (G, C/G, C_out/G) @ (N, G, C_out/G, Ho*Wq)
            grad_phases[:, :, :, phase, cols] = (grad_phases[:, :, :, phase, cols]
                                                 + xp.matrix_transpose(w_taps[i, j]) @ g)
    # (G, C_out/G, C/G, kH*kW) -> (C_out, C/G, kH, kW)
    grad_w = xp.reshape(xp.stack(grad_w_taps, axis=-1), (c_out, cg, kh, kw))
    grad_x = _unphase(grad_phases, stride, pads, (h, wd), wq)
    # dL/db_o = sum of G over batch and positions
    grad_b = xp.sum(grad, axis=(0, 2, 3))
    return (grad_x[0] if unbatched else grad_x), grad_w, grad_b


def conv2d_naive(x: Any, w: Any, b: Any = None, stride: Pair = 1, padding: Pair | str = 0,
                 dilation: Pair = 1, groups: int = 1) -> Any:
    r"""Teaching reference: :func:`conv2d` with a Python loop over every output pixel.

    The formula of :func:`conv2d` transcribed literally: for each image, output
    channel and output position, multiply the window by the filter and sum. It
    gives the same numbers (tested) but runs
    :math:`N C_\text{out} H_\text{out} W_\text{out}` small Python-level steps
    instead of :math:`k_H k_W` large matrix products; the book times the two.
    Not for use beyond small inputs.

    Args:
        x, w, b, stride, padding, dilation, groups: as in :func:`conv2d`.

    Returns:
        The same array as :func:`conv2d`.

    Example:
        >>> import numpy as np
        >>> x, w = np.arange(16.0).reshape(1, 1, 4, 4), np.ones((1, 1, 2, 2))
        >>> bool(np.array_equal(conv2d_naive(x, w, stride=2), conv2d(x, w, stride=2)))
        True
    """
    xp, x, unbatched, groups = _check_conv(x, w, b, groups)
    (sh, sw), (dh, dw), pads, (ho, wo) = _conv_geometry(x, w, stride, padding, dilation)
    n, (c_out, cg, kh, kw) = x.shape[0], w.shape
    xpad = _pad2d(x, pads)
    y = xp.zeros((n, c_out, ho, wo), dtype=x.dtype, device=device_of(x))
    for m in range(n):
        for o in range(c_out):
            first = (o // (c_out // groups)) * cg  # output o sees its group's channels
            for r in range(ho):
                for col in range(wo):
                    window = xpad[m, first:first + cg, r * sh:r * sh + dh * (kh - 1) + 1:dh,
                                  col * sw:col * sw + dw * (kw - 1) + 1:dw]
                    y[m, o, r, col] = xp.sum(window * w[o]) + (0.0 if b is None else b[o])
    return y[0] if unbatched else y


def conv2d_tiled(x: Any, w: Any, b: Any = None, tile: Pair = 32, stride: Pair = 1,
                 padding: Pair | str = 0, dilation: Pair = 1, groups: int = 1) -> Any:
    r""":func:`conv2d` computed tile by tile: output blocks, each from its own input patch.

    An output block of :math:`T_H \times T_W` pixels needs only the input patch
    under it, enlarged by the kernel's reach (a *halo* of :math:`d(k-1)` pixels),
    so blocks can be computed independently: in any order, on different cores,
    or small enough to fit in fast memory. That is how convolution libraries
    tile a large image; stitched together, the blocks equal :func:`conv2d`
    (tested).

    Args:
        x, w, b, stride, padding, dilation, groups: as in :func:`conv2d`.
        tile: output block size, int or ``(TH, TW)``, >= 1.

    Returns:
        The same array as :func:`conv2d`.

    Example:
        >>> import numpy as np
        >>> x, w = np.random.default_rng(0).normal(size=(1, 2, 9, 9)), np.ones((3, 2, 3, 3))
        >>> bool(np.allclose(conv2d_tiled(x, w, tile=4), conv2d(x, w)))
        True
    """
    xp, x, unbatched, groups = _check_conv(x, w, b, groups)
    th, tw = _pair(tile, "tile", 1)
    (sh, sw), (dh, dw), pads, (ho, wo) = _conv_geometry(x, w, stride, padding, dilation)
    kh, kw = w.shape[2], w.shape[3]
    xpad = _pad2d(x, pads)
    rows = []
    for r0 in range(0, ho, th):
        blocks = []
        for c0 in range(0, wo, tw):
            r1, c1 = min(r0 + th, ho), min(c0 + tw, wo)
            # input rows r0*sH .. (r1-1)*sH + dH*(kH-1): the block plus its halo
            patch = xpad[:, :, r0 * sh:(r1 - 1) * sh + dh * (kh - 1) + 1,
                         c0 * sw:(c1 - 1) * sw + dw * (kw - 1) + 1]
            blocks.append(conv2d(patch, w, b, stride=(sh, sw), dilation=(dh, dw),
                                 groups=groups))
        rows.append(xp.concat(blocks, axis=3))
    y = xp.concat(rows, axis=2)
    return y[0] if unbatched else y


# ---------------------------------------------------------------------------- conv1d


def _single_or_1tuple(value: Any, name: str, minimum: int) -> int:
    """torch's 1-D spelling: an int or a 1-tuple."""
    if isinstance(value, (tuple, list)):
        if len(value) != 1:
            raise TypeError(f"{name} must be an int or a 1-tuple, got {value!r}")
        value = value[0]
    return _single(value, name, minimum)


def conv1d(x: Any, w: Any, b: Any = None, stride: int = 1, padding: int | str = 0,
           dilation: int = 1, groups: int = 1) -> Any:
    r"""1-D convolution (cross-correlation, as in torch): :func:`conv2d` on images of height 1.

    .. math::
        y_{n,o,t} = b_o + \sum_{j=0}^{k-1} \sum_{\kappa} w_{o,\kappa,j}\,
            \tilde x_{n,\kappa,\,t s + j d}

    Args:
        x: input, ``(N, C, L)`` or ``(C, L)``.
        w: weights, ``(C_out, C / groups, k)``.
        b: optional bias, ``(C_out,)``.
        stride: int >= 1.
        padding: int >= 0, zeros added at both ends, or ``"same"``/``"valid"``.
        dilation: int >= 1.
        groups: as in :func:`conv2d`.

    Returns:
        ``(N, C_out, L_out)`` (``(C_out, L_out)`` for an unbatched ``x``).

    Example:
        >>> import numpy as np
        >>> conv1d(np.array([[[1.0, 2.0, 4.0, 8.0]]]), np.array([[[-1.0, 1.0]]]))  # differences
        array([[[1., 2., 4.]]])
    """
    check_floating(x, "x")
    check_floating(w, "w")
    xp = namespace(x, w, b, names=("x", "w", "b"))
    x, unbatched = _batched(x, "x", "(N, C, L)")
    _check_ndim(w, 3, "w", "(C_out, C / groups, k)")
    s = _single_or_1tuple(stride, "stride", 1)
    d = _single_or_1tuple(dilation, "dilation", 1)
    p = padding if isinstance(padding, str) else (0, _single_or_1tuple(padding, "padding", 0))
    # (N, C, L) -> (N, C, 1, L): a 1-D signal is an image one pixel high
    y = conv2d(xp.expand_dims(x, axis=2), xp.expand_dims(w, axis=2), b,
               stride=(1, s), padding=p, dilation=(1, d), groups=groups)[:, :, 0, :]
    return y[0] if unbatched else y


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
    ceil_mode = _check_bool(ceil_mode, "ceil_mode")
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
    return_indices = _check_bool(return_indices, "return_indices")
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
        raise ValueError(f"grad must have the output's shape {expected}, "
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
    count_include_pad = _check_bool(count_include_pad, "count_include_pad")
    if divisor_override is not None:
        if isinstance(divisor_override, bool) or not isinstance(divisor_override,
                                                                (int, np.integer)):
            raise TypeError(f"divisor_override must be an int or None, got {divisor_override!r}")
        if divisor_override == 0:
            raise ValueError("divisor_override must be a nonzero int or None, got 0")
        divisor = int(divisor_override)
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
