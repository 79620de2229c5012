r"""The geometry convolution and pooling share: pairs, padding, output sizes, strided views.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..backend import check_count, check_floating, check_number, device_of, namespace

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
    size, kernel_size = check_count(size, "size"), check_count(kernel_size, "kernel_size")
    stride, dilation = check_count(stride, "stride"), check_count(dilation, "dilation")
    padding = check_number(padding, "padding", low=0, integer=True)
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


def _check_conv(x: Any, w: Any, b: Any, groups: Any, **more: Any) -> tuple[Any, Any, bool, int]:
    """Checks; returns ``xp``, ``x`` with a batch axis, whether it had none, ``groups``.

    ``more``: the caller's other arrays by name (the backward's ``grad``), which must
    share the namespace, so that it is found once.
    """
    check_floating(x, "x")
    check_floating(w, "w")
    xp = namespace(x, w, b, *more.values(), names=("x", "w", "b", *more), optional=("b",))
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
