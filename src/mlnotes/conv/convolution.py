r"""conv2d and conv1d as sums over kernel offsets, conv2d's backward, and the per-pixel reference.

Part of :mod:`mlnotes.conv`; explained in the book: :doc:`/conv`.
"""

from __future__ import annotations

from typing import Any

from .. import autograd
from ..backend import check_floating, device_of, namespace
from ._geometry import (
    Pair,
    _batched,
    _check_conv,
    _check_ndim,
    _conv_geometry,
    _pad2d,
    _pair,
    _single,
    _tap_slices,
)

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

    In the code: pad :math:`x` once, then for each tap take the slice of the
    padded input that the tap sees at every output position (the same
    ``_tap_slices`` that pooling reads its windows with) and add
    ``W[:, :, i, j] @ x_pad[..., rows, cols]`` to the output.

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
    x_pad, W = _grouped(xp, x, w, groups, pads)  # (N, G, C/G, Hp, Wp), (G, C_out/G, C/G, kH, kW)
    n, (c_out, _, kh, kw) = x.shape[0], w.shape
    y = 0
    for i in range(kh):
        for j in range(kw):
            rows, cols = _tap_slices(i, j, (ho, wo), stride, dilation)
            # the input as tap (i, j) sees it, at every output position: (N, G, C/G, Ho*Wo)
            x_ij = _flat(xp, x_pad[:, :, :, rows, cols])
            # y += W_ij @ x_ij   (G, C_out/G, C/G) @ (N, G, C/G, Ho*Wo)
            y = y + W[:, :, :, i, j] @ x_ij
    y = xp.reshape(y, (n, c_out, ho, wo))
    if b is not None:
        y = y + xp.reshape(b, (1, c_out, 1, 1))
    return y[0] if unbatched else y


def _grouped(xp: Any, x: Any, w: Any, groups: int, pads: Any) -> tuple[Any, Any]:
    """The padded input ``(N, G, C/G, Hp, Wp)`` and the weights ``(G, C_out/G, C/G, kH, kW)``."""
    x_pad = _pad2d(x, pads)
    n, c, hp, wp = x_pad.shape
    c_out, cg, kh, kw = w.shape
    return (xp.reshape(x_pad, (n, groups, c // groups, hp, wp)),
            xp.reshape(w, (groups, c_out // groups, cg, kh, kw)))


def _flat(xp: Any, a: Any) -> Any:
    """``(..., Ho, Wo)`` as ``(..., Ho*Wo)``: the output positions in one axis."""
    return xp.reshape(a, (*a.shape[:-2], a.shape[-2] * a.shape[-1]))


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
    the padding's share is cut off at the end. Seen whole, the gradient for ``w`` is a
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
    xp, xb, unbatched, groups = _check_conv(x, w, None, groups, grad=grad)
    stride, dilation, pads, (ho, wo) = _conv_geometry(xb, w, stride, padding, dilation)
    n, c, h, wd = xb.shape
    c_out, cg, kh, kw = w.shape
    expected = (c_out, ho, wo) if unbatched else (n, c_out, ho, wo)
    if tuple(grad.shape) != expected:
        raise ValueError(f"grad must have the output's shape {expected} (that of "
                         f"conv2d(x, w) with these options), got {tuple(grad.shape)}")
    grad = grad[None] if unbatched else grad
    x_pad, W = _grouped(xp, xb, w, groups, pads)  # (N, G, C/G, Hp, Wp), (G, C_out/G, C/G, kH, kW)
    g = _flat(xp, xp.reshape(grad, (n, groups, c_out // groups, ho, wo)))  # (N, G, C_out/G, Ho*Wo)
    grad_pad = xp.zeros(tuple(x_pad.shape), dtype=x.dtype, device=device_of(x))
    grad_w_taps = []
    for i in range(kh):
        for j in range(kw):
            rows, cols = _tap_slices(i, j, (ho, wo), stride, dilation)
            x_ij = _flat(xp, x_pad[:, :, :, rows, cols])  # X_ij: (N, G, C/G, Ho*Wo)
            # dL/dW_ij = sum_n G_n X_ij,n^T   (G, C_out/G, Ho*Wo) @ (G, Ho*Wo, C/G), over N
            grad_w_taps.append(xp.sum(g @ xp.matrix_transpose(x_ij), axis=0))
            # dL/dX_ij = W_ij^T G   (G, C/G, C_out/G) @ (N, G, C_out/G, Ho*Wo)
            g_ij = xp.matrix_transpose(W[:, :, :, i, j]) @ g
            grad_pad[:, :, :, rows, cols] = (grad_pad[:, :, :, rows, cols]
                                             + xp.reshape(g_ij, (n, groups, cg, ho, wo)))
    # (G, C_out/G, C/G, kH*kW) -> (C_out, C/G, kH, kW)
    grad_w = xp.reshape(xp.stack(grad_w_taps, axis=-1), (c_out, cg, kh, kw))
    # the padding's share cut off: (N, C, H, W)
    (top, _), (left, _) = pads
    grad_x = xp.reshape(grad_pad, (n, c, *x_pad.shape[-2:]))[:, :, top:top + h, left:left + wd]
    # dL/db_o = sum of G over batch and positions
    grad_b = xp.sum(grad, axis=(0, 2, 3))
    return (grad_x[0] if unbatched else grad_x), grad_w, grad_b


conv2d = autograd.register(conv2d, conv2d_backward, wrt=("x", "w", "b"))


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
    xp = namespace(x, w, b, names=("x", "w", "b"), optional=("b",))
    x, unbatched = _batched(x, "x", "(N, C, L)")
    _check_ndim(w, 3, "w", "(C_out, C / groups, k)")
    s = _single_or_1tuple(stride, "stride", 1)
    d = _single_or_1tuple(dilation, "dilation", 1)
    p = padding if isinstance(padding, str) else (0, _single_or_1tuple(padding, "padding", 0))
    # (N, C, L) -> (N, C, 1, L): a 1-D signal is an image one pixel high
    y = conv2d(xp.expand_dims(x, axis=2), xp.expand_dims(w, axis=2), b,
               stride=(1, s), padding=p, dilation=(1, d), groups=groups)[:, :, 0, :]
    return y[0] if unbatched else y
