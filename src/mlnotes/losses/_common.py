r"""What every loss shares: the reduction, the backward's chain rule, the checks of class inputs.
"""

from __future__ import annotations

import math
from typing import Any

from ..backend import check_floating, device_of, namespace

REDUCTIONS = ("mean", "sum", "none")

#: torch's floor for each logarithm in binary cross-entropy: log(0) counts as -100
LOG_CLAMP = -100.0


# --------------------------------------------------------------------------- helpers


def _check_reduction(reduction: str) -> None:
    if reduction not in REDUCTIONS:
        raise ValueError(f"reduction must be 'mean', 'sum' or 'none', got {reduction!r}")


def _reduce(xp: Any, loss: Any, reduction: str, name: str) -> Any:
    """The per-element ``loss`` averaged, summed, or returned as it is."""
    if reduction == "none":
        return loss
    if reduction == "sum":
        return xp.sum(loss)
    if math.prod(loss.shape) == 0:  # torch returns nan here; we say why instead
        raise ValueError(f"{name} is empty: the mean of no losses is undefined")
    return xp.mean(loss)


def _backward_scale(xp: Any, d: Any, reduction: str, n: Any, grad: Any, axis: int | None,
                    loss_shape: tuple[int, ...] | None = None) -> Any:
    """Chain the per-element gradient ``d`` with the reduction and the incoming ``grad``.

    ``n`` is the mean's denominator; ``loss_shape`` the shape of the unreduced
    loss as the forward returns it (``d``'s shape without ``axis`` if omitted).
    """
    _check_reduction(reduction)
    if reduction == "mean":
        d = d / n  # every element's loss enters the mean with weight 1/n
    if isinstance(grad, (int, float)) and not isinstance(grad, bool):
        return d * grad  # one number: every element's loss enters with that weight
    if grad is None or isinstance(grad, bool):
        raise TypeError("grad must be the incoming gradient dL/dloss (1.0 for a final loss), "
                        f"got {grad!r}")
    namespace(d, grad, names=("input", "grad"), scalars=("grad",))
    per_sample = tuple(n for i, n in enumerate(d.shape) if i != axis)
    expected = () if reduction != "none" else (per_sample if loss_shape is None else loss_shape)
    if tuple(grad.shape) != expected:
        raise ValueError(f"grad must have the loss's shape {expected} for "
                         f"reduction={reduction!r}, got {tuple(grad.shape)}")
    if reduction == "none" and axis is not None:
        # one grad per sample, shared by its K scores
        grad = xp.expand_dims(xp.reshape(grad, per_sample), axis=axis)
    return d * grad


def _check_in_unit_interval(xp: Any, a: Any, name: str) -> None:
    # NaN fails both comparisons, so it is refused here too
    if not bool(xp.all((a >= 0) & (a <= 1))):
        raise ValueError(f"{name} must lie in [0, 1] (no NaN), got values from "
                         f"{float(xp.min(a))} to {float(xp.max(a))}")






def _check_broadcasts(w: Any, shape: tuple[int, ...], names: tuple[str, str]) -> None:
    """Raise unless the weight ``w`` broadcasts to ``shape`` (the input's) without growing it."""
    check_floating(w, names[0])
    ws = tuple(w.shape)
    trailing = shape[len(shape) - len(ws):]  # the axes w lines up with, from the right
    if len(ws) > len(shape) or any(a not in (1, b) for a, b in zip(ws, trailing, strict=True)):
        raise ValueError(f"{names[0]} must broadcast to the shape of {names[1]} {shape}, "
                         f"got shape {ws}")


def _check_class_inputs(xp: Any, scores: Any, target: Any, weight: Any, ignore_index: int,
                        names: tuple[str, str], probabilities: bool = False) -> bool:
    """Check class scores, targets and per-class weights; say if the targets are probabilities.

    Scores are ``(K,)``, ``(N, K)`` or ``(N, K, d1, ...)``. Targets are class indices
    of shape ``()``, ``(N,)`` or ``(N, d1, ...)``, each in ``[0, K)`` or equal to
    ``ignore_index``; or, where ``probabilities`` allows, floats of the scores' shape.
    """
    s, t = names
    check_floating(scores, s)
    if scores.ndim == 0:
        raise ValueError(f"{s} must have shape (K,), (N, K) or (N, K, d1, ...), got shape ()")
    K = scores.shape[0] if scores.ndim == 1 else scores.shape[1]
    if weight is not None:
        check_floating(weight, "weight")
        if tuple(weight.shape) != (K,):
            raise ValueError(f"weight must have shape ({K},), one entry per class of {s}, "
                             f"got {tuple(weight.shape)}")
    floating = xp.isdtype(target.dtype, "real floating")
    if probabilities and floating and tuple(target.shape) == tuple(scores.shape):
        if ignore_index >= 0:
            raise ValueError(f"ignore_index applies to class-index targets only, got "
                             f"ignore_index={ignore_index} with class probabilities")
        return True
    if not xp.isdtype(target.dtype, "integral"):
        dtype = str(target.dtype).removeprefix("torch.")
        also = (f" (floating targets are class probabilities, of {s}'s shape "
                f"{tuple(scores.shape)}; got shape {tuple(target.shape)})"
                if probabilities and floating else "")
        raise TypeError(f"{t} must hold integer class indices, got dtype {dtype}{also}")
    if scores.ndim == 1:
        expected, which = (), "one unbatched sample"
    else:
        expected, which = (scores.shape[0], *scores.shape[2:]), f"batch size N = {scores.shape[0]}"
    if tuple(target.shape) != expected:
        raise ValueError(f"{t} must have shape {expected} to match {s} of shape "
                         f"{tuple(scores.shape)} ({which}), got {tuple(target.shape)}")
    if math.prod(target.shape) > 0:
        # the range of the targets that are not ignored (an ignored one counts as 0 here)
        kept = xp.where(target != ignore_index, target, xp.zeros_like(target))
        lo, hi = int(xp.min(kept)), int(xp.max(kept))
        if lo < 0 or hi >= K:
            bad = lo if lo < 0 else hi
            raise ValueError(f"{t} holds class index {bad}, outside [0, {K - 1}] "
                             f"for K = {K} classes (and not ignore_index={ignore_index})")
    return False


def _one_hot(xp: Any, target: Any, K: int, dtype: Any) -> Any:
    """``(N, d...)`` class indices as ``(N, K, d...)`` indicators, class axis 1."""
    shape = [1] * (target.ndim + 1)
    shape[1] = K
    classes = xp.reshape(xp.arange(K, device=device_of(target)), tuple(shape))
    return xp.astype(classes == xp.expand_dims(target, axis=1), dtype)


def _targets_kept(xp: Any, target: Any, weight: Any, ignore_index: int, dtype: Any
                  ) -> tuple[Any, Any, Any]:
    """For class-index targets: which are kept, an index safe to gather, and :math:`w_{y_n}`.

    An ignored target gathers class 0 (an index that exists) and weighs 0.
    """
    target = xp.astype(target, xp.int64)
    kept = target != ignore_index
    y = xp.where(kept, target, xp.zeros_like(target))
    # w_{y_n}: 1, or the weight of the target class; 0 for an ignored target
    w_y = xp.astype(kept, dtype)
    if weight is not None:
        # indexing, not xp.take: NumPy's take casts int64 indices "safely" to intp, which
        # fails where intp is 32 bits (the browser's WebAssembly)
        w_y = w_y * xp.reshape(weight[xp.reshape(y, (-1,))], tuple(y.shape))
    return kept, y, w_y


def _class_denominator(xp: Any, kept: Any, w_y: Any, ignore_index: int) -> Any:
    """torch's denominator of the mean: the sum of w_{y_n} over the targets kept."""
    if math.prod(kept.shape) == 0:  # torch returns nan here; we say why instead
        raise ValueError("target is empty: the mean of no losses is undefined")
    if not bool(xp.any(kept)):
        raise ValueError(f"every target equals ignore_index={ignore_index}: the mean over "
                         f"no targets is undefined (torch returns nan)")
    total = xp.sum(w_y)
    if float(total) == 0:
        raise ValueError("weight gives the kept targets a total weight of 0: their weighted "
                         "mean is undefined (torch returns nan)")
    return total


def _class_weight_view(xp: Any, weight: Any, ndim: int) -> Any:
    """The per-class weights ``(K,)`` laid along axis 1 of an ``ndim``-dimensional array."""
    return xp.reshape(weight, (1, weight.shape[0]) + (1,) * (ndim - 2))
