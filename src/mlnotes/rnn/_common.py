r"""The checks and small pieces the RNN and the LSTM share.
"""

from __future__ import annotations

from typing import Any

from ..backend import (
    check_floating,
    device_of,
)

# ----------------------------------------------------------------------- checks


def _check_weights(W_ih: Any, W_hh: Any, b_ih: Any, b_hh: Any, gates: int) -> tuple[int, int]:
    """Check the shapes of a recurrent layer's weights; return ``(D, H)``."""
    for name, W in (("W_ih", W_ih), ("W_hh", W_hh)):
        check_floating(W, name)
        if W.ndim != 2:
            raise ValueError(f"{name} must be a matrix (2-D), got shape {tuple(W.shape)}")
    rows, H = W_hh.shape
    if rows != gates * H:
        want = f"({gates} * H, H)" if gates > 1 else "(H, H)"
        raise ValueError(f"W_hh must have shape {want}, got {tuple(W_hh.shape)}")
    if W_ih.shape[0] != gates * H:
        raise ValueError(
            f"W_ih must have {gates * H} rows to match W_hh {tuple(W_hh.shape)}, "
            f"got shape {tuple(W_ih.shape)}"
        )
    for name, b in (("b_ih", b_ih), ("b_hh", b_hh)):
        if b is not None and tuple(b.shape) != (gates * H,):
            raise ValueError(f"{name} must have shape ({gates * H},), got {tuple(b.shape)}")
    return W_ih.shape[1], H


def _check_step(x: Any, h: Any, D: int, H: int, h_name: str = "h") -> None:
    """Check one step's input ``x`` (N, D) or (D,) and state ``h`` (N, H) or (H,)."""
    check_floating(x, "x")
    check_floating(h, h_name)
    if x.ndim not in (1, 2):
        raise ValueError(f"x must have shape (N, D) or (D,), got {tuple(x.shape)}")
    if x.shape[-1] != D:
        raise ValueError(f"x has {x.shape[-1]} features but W_ih expects D={D}")
    if tuple(h.shape) != (*x.shape[:-1], H):
        raise ValueError(
            f"{h_name} must have shape {(*x.shape[:-1], H)} (batch of x, hidden size of "
            f"the weights H={H}), got {tuple(h.shape)}"
        )


def _check_sequence(xs: Any, D: int) -> None:
    check_floating(xs, "xs")
    if xs.ndim not in (2, 3):
        raise ValueError(
            f"xs must be a sequence of shape (L, N, D) or (L, D), got {tuple(xs.shape)}"
        )
    if xs.shape[0] < 1:
        raise ValueError("xs must have at least one time step, got L=0")
    if xs.shape[-1] != D:
        raise ValueError(f"xs has {xs.shape[-1]} features but W_ih expects D={D}")


def _zeros_state(xs: Any, H: int, xp: Any) -> Any:
    return xp.zeros((*xs.shape[1:-1], H), dtype=xs.dtype, device=device_of(xs))


def _affine(x: Any, W: Any, b: Any) -> Any:
    # x W^T + b, the layer's pre-activation
    out = x @ W.T
    return out if b is None else out + b
