r"""Losses: MSE, L1, NLL, cross-entropy, binary cross-entropy, margins (+ gradients).

A loss turns a prediction and a target into one number that training makes
small. Each function here follows ``torch.nn.functional`` (same name, same
arguments, ``axis`` aside), so the tests compare the two value for value:

* ``reduction="mean"`` (the default) averages the per-element losses,
  ``"sum"`` adds them, ``"none"`` returns them unreduced;
* :func:`nll_loss` and :func:`cross_entropy` take class *indices* as targets
  (:func:`cross_entropy` also class *probabilities*), per-class ``weight`` (the
  mean is then torch's weighted mean), ``ignore_index`` (default -100: targets
  to skip, such as padding), and :func:`cross_entropy` takes ``label_smoothing``;
* :func:`binary_cross_entropy` clamps each logarithm at :math:`-100`, as torch
  does, so a probability of exactly 0 or 1 costs at most 100 instead of
  :math:`\infty`; it and :func:`binary_cross_entropy_with_logits` take a
  ``weight`` per element (broadcast), the latter also ``pos_weight``.

Options after ``weight`` are keyword-only, with torch's names. Where torch would
return ``nan`` for a mean of nothing (an empty batch, every target ignored, or
target weights that sum to 0), these functions raise a ``ValueError`` that says
why.

Where the gradient is the lesson, the backward sits beside its loss
(:func:`cross_entropy_backward`, :func:`binary_cross_entropy_with_logits_backward`,
:func:`mse_loss_backward`, :func:`l1_loss_backward`, :func:`multi_margin_loss_backward`,
:func:`multiclass_hinge_loss_backward`). A backward returns the
gradient of the loss with respect to its first argument (the prediction),
scaled by ``grad``, the incoming gradient with respect to the loss (1 by
default; for ``reduction="none"`` one value per element).

The softmax and sigmoid parts come from :mod:`mlnotes.activations`. One body
serves NumPy arrays and torch tensors (see :mod:`mlnotes.backend`).

Explained in the book: :doc:`/losses`; presented in the deck "Lecture: Losses".

Shapes: ``N`` batch, ``K`` classes. Element-wise losses take any shape (input
and target equal). Class losses take ``(N, K)`` scores with ``(N,)`` targets,
or ``(N, K, d1, ...)`` with ``(N, d1, ...)`` (the class axis is 1, as in
torch), or one unbatched sample: ``(K,)`` scores with a ``()`` target.
Probability targets have the scores' shape; ``weight`` has shape ``(K,)``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .activations import log_softmax, relu, sigmoid, softmax
from .backend import check_floating, check_same_shape, device_of, namespace

__all__ = [
    "mse_loss",
    "mse_loss_backward",
    "l1_loss",
    "l1_loss_backward",
    "nll_loss",
    "cross_entropy",
    "cross_entropy_backward",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "binary_cross_entropy_with_logits_backward",
    "margin_ranking_loss",
    "multi_margin_loss",
    "multi_margin_loss_backward",
    "multiclass_hinge_loss",
    "multiclass_hinge_loss_backward",
]

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
    if grad is None:
        return d
    if isinstance(grad, (int, float)) and not isinstance(grad, bool) and reduction != "none":
        return d * grad
    namespace(d, grad, names=("input", "grad"))
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


def _check_ignore_index(ignore_index: int) -> int:
    if isinstance(ignore_index, bool) or not isinstance(ignore_index, (int, np.integer)):
        raise TypeError(f"ignore_index must be an int, got {type(ignore_index).__name__}")
    return int(ignore_index)


def _check_label_smoothing(label_smoothing: float) -> float:
    if isinstance(label_smoothing, bool) or not isinstance(label_smoothing, (int, float)):
        raise TypeError(f"label_smoothing must be a number, got {type(label_smoothing).__name__}")
    if not 0 <= label_smoothing <= 1:  # NaN fails too
        raise ValueError(f"label_smoothing must be a number in [0, 1], got {label_smoothing}")
    return float(label_smoothing)


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


# ------------------------------------------------------------------------------- MSE


def mse_loss(input: Any, target: Any, reduction: str = "mean") -> Any:
    r"""Mean squared error, as ``torch.nn.functional.mse_loss``.

    .. math::
        \ell_i = (x_i - t_i)^2, \qquad
        L = \frac{1}{n} \sum_{i=1}^{n} \ell_i \ \text{(mean)}

    The square punishes a large error far more than a small one: one outlier
    with residual 10 costs as much as a hundred points with residual 1. The
    constant that minimises the mean squared error of a sample is its mean.

    Properties (tested): :math:`L \ge 0`, and :math:`L = 0` iff ``input == target``.

    Args:
        input: :math:`x`, floating-point predictions of any shape.
        target: :math:`t`, same shape as ``input``.
        reduction: ``"mean"``, ``"sum"`` or ``"none"``.

    Returns:
        A scalar, or the per-element losses for ``reduction="none"``.

    Example:
        >>> import numpy as np
        >>> float(mse_loss(np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 5.0])))
        1.3333333333333333
    """
    xp = namespace(input, target, names=("input", "target"))
    check_floating(input, "input")
    check_floating(target, "target")
    check_same_shape(input, target, ("input", "target"))
    _check_reduction(reduction)
    # l_i = (x_i - t_i)^2
    return _reduce(xp, (input - target) ** 2, reduction, "input")


def mse_loss_backward(input: Any, target: Any, reduction: str = "mean",
                      grad: Any = None) -> Any:
    r"""Gradient of :func:`mse_loss` with respect to ``input``.

    .. math::
        \frac{\partial L}{\partial x_i} = \frac{2\,(x_i - t_i)}{n} \ \text{(mean)}

    The gradient grows with the error, so the outliers steer training. (The
    gradient with respect to ``target`` is the negative of this one.)

    Args:
        input: as in the forward call.
        target: as in the forward call.
        reduction: as in the forward call.
        grad: gradient of the objective with respect to the loss: a scalar,
            or the shape of ``input`` for ``reduction="none"``; 1 if omitted.

    Returns:
        :math:`\partial L / \partial x`, the shape of ``input``.

    Example:
        >>> import numpy as np
        >>> mse_loss_backward(np.array([1.0, 2.0]), np.array([0.0, 0.0]))
        array([1., 2.])
    """
    xp = namespace(input, target, names=("input", "target"))
    check_same_shape(input, target, ("input", "target"))
    # d (x - t)^2 / dx = 2 (x - t)
    return _backward_scale(xp, 2 * (input - target), reduction, math.prod(input.shape), grad, None)


# -------------------------------------------------------------------------------- L1


def l1_loss(input: Any, target: Any, reduction: str = "mean") -> Any:
    r"""Mean absolute error, as ``torch.nn.functional.l1_loss``.

    .. math::
        \ell_i = |x_i - t_i|

    Every unit of error costs the same, so one far-off point weighs no more
    than its distance: the constant that minimises it is a median, which
    outliers barely move.

    Properties (tested): :math:`L \ge 0`, and :math:`L = 0` iff ``input == target``.

    Args:
        input: floating-point predictions of any shape.
        target: same shape as ``input``.
        reduction: ``"mean"``, ``"sum"`` or ``"none"``.

    Example:
        >>> import numpy as np
        >>> float(l1_loss(np.array([1.0, 2.0, 3.0]), np.array([1.0, 2.0, 5.0])))
        0.6666666666666666
    """
    xp = namespace(input, target, names=("input", "target"))
    check_floating(input, "input")
    check_floating(target, "target")
    check_same_shape(input, target, ("input", "target"))
    _check_reduction(reduction)
    # l_i = |x_i - t_i|
    return _reduce(xp, xp.abs(input - target), reduction, "input")


def l1_loss_backward(input: Any, target: Any, reduction: str = "mean", grad: Any = None) -> Any:
    r"""Gradient of :func:`l1_loss` with respect to ``input``.

    .. math::
        \frac{\partial L}{\partial x_i} = \frac{\operatorname{sign}(x_i - t_i)}{n}
        \ \text{(mean)}

    Its size does not depend on how wrong a prediction is (0 where it is exact,
    as in torch).

    Example:
        >>> import numpy as np
        >>> l1_loss_backward(np.array([1.0, 2.0, 0.0]), np.array([0.0, 9.0, 0.0]))
        array([ 0.33333333, -0.33333333,  0.        ])
    """
    xp = namespace(input, target, names=("input", "target"))
    check_same_shape(input, target, ("input", "target"))
    # d |x - t| / dx = sign(x - t)
    d = xp.sign(input - target)
    return _backward_scale(xp, d, reduction, math.prod(input.shape), grad, None)


# ------------------------------------------------------------------- NLL and softmax CE


def nll_loss(log_probs: Any, target: Any, weight: Any = None, *, ignore_index: int = -100,
             reduction: str = "mean") -> Any:
    r"""Negative log-likelihood of class indices, as ``torch.nn.functional.nll_loss``.

    .. math::
        \ell_n = -w_{y_n} \log p_{n, y_n}, \qquad
        L = \frac{\sum_n \ell_n}{\sum_n w_{y_n}} \ \text{(mean)}

    Each sample pays minus the log-probability its model gave to the class that
    actually occurred: 0 for a certain, correct prediction, :math:`\infty` for a
    certain, wrong one. Summed over a data set this is minus the log of the
    likelihood, so minimising it is maximum-likelihood estimation.

    Without ``weight``, :math:`w = 1` and the mean divides by the number of
    targets. A target equal to ``ignore_index`` (padding, say) costs 0 and does
    not count in the mean's denominator: it is as if it were not there.

    Args:
        log_probs: :math:`\log p`, floating ``(N, K)`` or ``(N, K, d1, ...)``
            log-probabilities (e.g. from :func:`~mlnotes.activations.log_softmax`
            with ``axis=1``), or ``(K,)`` for one unbatched sample.
        target: :math:`y`, integer class indices in ``[0, K)`` (or equal to
            ``ignore_index``), shape ``(N,)``, ``(N, d1, ...)`` or ``()``.
        weight: :math:`w`, one floating weight per class, shape ``(K,)``
            (larger for a rare class); ``None`` weighs every class 1.
        ignore_index: the target value that is skipped; it may be a class.
        reduction: ``"mean"``, ``"sum"`` or ``"none"`` (an ignored target's
            entry is then 0).

    Returns:
        A scalar, or the losses of ``target``'s shape for ``reduction="none"``.

    Raises:
        ValueError: for the mean, when every target equals ``ignore_index`` or
            the kept targets' weights sum to 0 (torch returns ``nan``); when a
            target that is not ``ignore_index`` lies outside ``[0, K)``; when
            ``weight`` does not have shape ``(K,)``.

    Example:
        >>> import numpy as np
        >>> log_p = np.log(np.array([[0.5, 0.5], [0.9, 0.1], [0.2, 0.8]]))
        >>> nll_loss(log_p, np.array([0, 0, -100]), reduction="none").round(4)
        array([0.6931, 0.1054, 0.    ])
        >>> round(float(nll_loss(log_p, np.array([0, 0, -100]))), 4)  # mean over 2 targets
        0.3993
        >>> w = np.array([1.0, 3.0])
        >>> round(float(nll_loss(log_p, np.array([0, 1, 1]), w)), 4)  # (0.69 + 3 (2.30 + 0.22)) / 7
        1.1815
    """
    xp = namespace(log_probs, target, weight, names=("log_probs", "target", "weight"))
    _check_reduction(reduction)
    ignore_index = _check_ignore_index(ignore_index)
    _check_class_inputs(xp, log_probs, target, weight, ignore_index, ("log_probs", "target"))
    return _class_loss(xp, log_probs, target, weight, ignore_index, 0.0, False, reduction)


def _class_loss(xp: Any, log_p: Any, target: Any, weight: Any, ignore_index: int,
                label_smoothing: float, probabilities: bool, reduction: str) -> Any:
    """The weighted, smoothed NLL of checked arguments, reduced as torch reduces it."""
    unbatched = log_p.ndim == 1
    if unbatched:  # one sample: a batch of one
        log_p, target = xp.expand_dims(log_p, axis=0), xp.expand_dims(target, axis=0)
    K, eps = log_p.shape[1], label_smoothing
    w = None if weight is None else _class_weight_view(xp, weight, log_p.ndim)
    if probabilities:
        # q = (1 - eps) t + eps / K: the target distribution, smoothed towards uniform
        q = target if eps == 0 else (1 - eps) * target + eps / K
        # l_n = -sum_k w_k q_{n,k} log p_{n,k}
        loss = -xp.sum((q if w is None else w * q) * log_p, axis=1)
        n = math.prod(loss.shape)  # torch's mean is over the samples here
        if reduction == "mean" and n == 0:
            raise ValueError("target is empty: the mean of no losses is undefined")
    else:
        kept, y, w_y = _targets_kept(xp, target, weight, ignore_index, log_p.dtype)
        # -log p_{n, y_n}: one gather along the class axis, never a product with a
        # one-hot (which would read all K entries and turn 0 * -inf into NaN)
        nll = -xp.squeeze(xp.take_along_axis(log_p, xp.expand_dims(y, axis=1), axis=1), axis=1)
        zero = xp.zeros_like(nll)
        # l_n = w_{y_n} (-log p_{n, y_n}), and 0 for an ignored target
        loss = w_y * xp.where(kept, nll, zero)
        if eps > 0:
            # the loss against a uniform target, times K: -sum_k w_k log p_{n,k}
            uniform = -xp.sum(log_p if w is None else w * log_p, axis=1)
            # l_n = (1 - eps) w_{y_n} (-log p_{n, y_n}) + (eps / K) (-sum_k w_k log p_{n,k})
            loss = (1 - eps) * loss + (eps / K) * xp.where(kept, uniform, zero)
        n = _class_denominator(xp, kept, w_y, ignore_index) if reduction == "mean" else 1
    if reduction == "none":
        return xp.squeeze(loss, axis=0) if unbatched else loss
    if reduction == "sum":
        return xp.sum(loss)
    # L = sum_n l_n / sum_n w_{y_n} (or / the number of samples, for probabilities)
    return xp.sum(loss) / n


def cross_entropy(logits: Any, target: Any, weight: Any = None, *, ignore_index: int = -100,
                  reduction: str = "mean", label_smoothing: float = 0.0) -> Any:
    r"""Softmax cross-entropy from logits, as ``torch.nn.functional.cross_entropy``.

    .. math::
        \ell_n = -\log \mathrm{softmax}(z_n)_{y_n}
        = -z_{n, y_n} + \log \sum_k e^{z_{n,k}}

    It is :func:`nll_loss` of :func:`~mlnotes.activations.log_softmax`: the
    log-sum-exp form never takes the log of a probability that underflowed to
    0, so logits of :math:`\pm 10^4` give torch's finite values. ``weight`` and
    ``ignore_index`` act as in :func:`nll_loss`.

    **Label smoothing** :math:`\varepsilon` trains against the mixture
    :math:`(1 - \varepsilon)\,\mathrm{onehot}(y) + \varepsilon / K` instead of
    the one-hot target. With :math:`\log p = \mathrm{log\_softmax}(z)`:

    .. math::
        \ell_n = (1 - \varepsilon)\, w_{y_n} (-\log p_{n, y_n})
        + \frac{\varepsilon}{K} \sum_k w_k (-\log p_{n,k})

    and the mean still divides by :math:`\sum_n w_{y_n}` over the kept targets
    (torch's definition). A confident prediction now pays for the classes it
    calls impossible, so the best logits stay a finite distance apart.

    **Class probabilities**: a floating ``target`` of the logits' shape is a
    distribution :math:`t_n` over the classes (soft labels, mixup), and
    :math:`\ell_n = -\sum_k w_k q_{n,k} \log p_{n,k}` with the smoothed
    :math:`q = (1 - \varepsilon)\,t + \varepsilon / K`; the mean divides by
    the number of samples, and ``ignore_index`` does not apply.

    Properties (tested): :math:`\ell \ge 0`; among one-hot predictions the
    true class costs least; adding a constant to a row of logits changes nothing.

    Args:
        logits: :math:`z`, floating ``(N, K)`` or ``(N, K, d1, ...)`` scores,
            or ``(K,)`` for one unbatched sample.
        target: :math:`y`, integer class indices of shape ``(N,)``,
            ``(N, d1, ...)`` or ``()``; or class probabilities of ``logits``'
            shape.
        weight: :math:`w`, one floating weight per class, shape ``(K,)``.
        ignore_index: the class-index target that is skipped (default -100).
        reduction: ``"mean"``, ``"sum"`` or ``"none"``.
        label_smoothing: :math:`\varepsilon \in [0, 1]`; 0 is the plain loss.

    Raises:
        ValueError: as :func:`nll_loss`, and for ``label_smoothing`` outside
            ``[0, 1]`` or an ``ignore_index >= 0`` with class probabilities.

    Example:
        >>> import numpy as np
        >>> z = np.array([[2.0, 0.0, -1.0], [0.0, 1e4, 0.0]])
        >>> cross_entropy(z, np.array([0, 1]), reduction="none").round(4).tolist()
        [0.1698, 0.0]
        >>> float(cross_entropy(z, np.array([0, 0]), reduction="sum"))  # finite, as in torch
        10000.169...
        >>> # smoothed, the certain row pays for the two classes it calls impossible
        >>> cross_entropy(z, np.array([0, 1]), reduction="none", label_smoothing=0.3).tolist()
        [0.669..., 2000.0]
        >>> round(float(cross_entropy(z[0], np.array(0))), 4)  # one unbatched sample
        0.1698
    """
    xp = namespace(logits, target, weight, names=("logits", "target", "weight"))
    _check_reduction(reduction)
    ignore_index = _check_ignore_index(ignore_index)
    label_smoothing = _check_label_smoothing(label_smoothing)
    probabilities = _check_class_inputs(xp, logits, target, weight, ignore_index,
                                        ("logits", "target"), probabilities=True)
    # the NLL of the log-softmax over the class axis (0 for one unbatched sample)
    log_p = log_softmax(logits, axis=0 if logits.ndim == 1 else 1)
    return _class_loss(xp, log_p, target, weight, ignore_index, label_smoothing,
                       probabilities, reduction)


def cross_entropy_backward(logits: Any, target: Any, reduction: str = "mean",
                           grad: Any = None, *, weight: Any = None, ignore_index: int = -100,
                           label_smoothing: float = 0.0) -> Any:
    r"""Gradient of :func:`cross_entropy` with respect to the logits.

    .. math::
        \frac{\partial \ell_n}{\partial z_{n,k}} = \mathrm{softmax}(z_n)_k - [k = y_n],
        \qquad
        \frac{\partial L}{\partial z} = \frac{\mathrm{softmax}(z) - \mathrm{onehot}(y)}{N}
        \ \text{(mean)}

    Prediction minus truth: the softmax Jacobian and the :math:`-1/p` of the
    logarithm cancel, leaving a gradient that is large while the prediction is
    wrong and vanishes as it becomes right.

    With the options, every form of the loss is
    :math:`\ell_n = -\sum_k c_{n,k} \log \mathrm{softmax}(z_n)_k` for
    coefficients :math:`c_{n,k} \ge 0` (the weighted, smoothed target:
    :math:`c_{n,k} = (1 - \varepsilon)\, w_{y_n} [k = y_n] + \varepsilon\, w_k / K`,
    or :math:`w_k q_{n,k}` for probabilities; 0 for an ignored target), and

    .. math::
        \frac{\partial \ell_n}{\partial z_{n,k}} = a_{n,k} \sum_j c_{n,j} - c_{n,k},
        \qquad a_n = \mathrm{softmax}(z_n)

    which is :math:`a - y` again for :math:`c = \mathrm{onehot}(y)`. The mean
    divides by the same denominator as the forward call.

    Args:
        logits: as in the forward call.
        target: as in the forward call.
        reduction: as in the forward call.
        grad: gradient of the objective with respect to the loss: a scalar,
            or the loss's shape for ``reduction="none"``; 1 if omitted.
        weight: as in the forward call.
        ignore_index: as in the forward call.
        label_smoothing: as in the forward call.

    Returns:
        :math:`\partial L / \partial z`, the shape of ``logits``.

    Example:
        >>> import numpy as np
        >>> cross_entropy_backward(np.zeros((1, 2)), np.array([1]))
        array([[ 0.5, -0.5]])
        >>> cross_entropy_backward(np.zeros((1, 2)), np.array([1]), label_smoothing=0.2)
        array([[ 0.4, -0.4]])
    """
    xp = namespace(logits, target, weight, names=("logits", "target", "weight"))
    _check_reduction(reduction)
    ignore_index = _check_ignore_index(ignore_index)
    eps = _check_label_smoothing(label_smoothing)
    probabilities = _check_class_inputs(xp, logits, target, weight, ignore_index,
                                        ("logits", "target"), probabilities=True)
    unbatched = logits.ndim == 1
    if unbatched:  # one sample: a batch of one
        logits, target = xp.expand_dims(logits, axis=0), xp.expand_dims(target, axis=0)
    # the loss's shape, as the forward call returns it
    loss_shape = () if unbatched else (logits.shape[0], *logits.shape[2:])
    K, dtype = logits.shape[1], logits.dtype
    w = None if weight is None else _class_weight_view(xp, weight, logits.ndim)
    if probabilities:
        # c = w q, with q = (1 - eps) t + eps / K
        q = target if eps == 0 else (1 - eps) * target + eps / K
        c = q if w is None else w * q
        n = math.prod(loss_shape)
    else:
        kept, y, w_y = _targets_kept(xp, target, weight, ignore_index, dtype)
        # c_{n,k} = (1 - eps) w_{y_n} [k = y_n] + (eps / K) w_k, and 0 for an ignored target
        c = _one_hot(xp, y, K, dtype) * xp.expand_dims(w_y, axis=1)
        if eps > 0:
            uniform = xp.expand_dims(xp.astype(kept, dtype), axis=1)
            c = (1 - eps) * c + (eps / K) * (uniform if w is None else w * uniform)
        n = _class_denominator(xp, kept, w_y, ignore_index) if reduction == "mean" else 1
    # dl_n/dz_{n,k} = a_{n,k} sum_j c_{n,j} - c_{n,k}, with a = softmax(z)
    d = softmax(logits, axis=1) * xp.sum(c, axis=1, keepdims=True) - c
    d = _backward_scale(xp, d, reduction, n, grad, 1, loss_shape)
    return xp.squeeze(d, axis=0) if unbatched else d


# ------------------------------------------------------------ binary (sigmoid) losses


def binary_cross_entropy(probs: Any, target: Any, weight: Any = None, *,
                         reduction: str = "mean") -> Any:
    r"""Binary cross-entropy of probabilities, as ``torch.nn.functional.binary_cross_entropy``.

    .. math::
        \ell_i = -w_i \big[t_i \log p_i + (1 - t_i) \log(1 - p_i)\big]

    The second term is what makes a single sigmoid output trainable: a
    negative example (:math:`t = 0`) pays :math:`-\log(1 - p)`, so it pushes
    :math:`p` down, just as a positive one pushes it up.

    Like torch, each logarithm is clamped at :math:`-100`
    (:data:`LOG_CLAMP`): a probability of exactly 0 or 1 on the wrong side
    costs 100, not :math:`\infty`, and the value matches torch's. Gradients
    come from this formula; torch's own backward instead divides by
    :math:`\max(p(1 - p), 10^{-12})`, so the two agree for
    :math:`p \in [10^{-12}, 1 - 10^{-12}]` and differ (both finite) beyond.
    Prefer :func:`binary_cross_entropy_with_logits`, which needs no clamp.

    Args:
        probs: :math:`p`, floating probabilities in :math:`[0, 1]`, any shape.
        target: :math:`t`, same shape, in :math:`[0, 1]` (labels 0/1, or soft
            labels between, as torch allows).
        weight: :math:`w`, a floating weight per element, broadcast to the
            shape of ``probs`` (a row ``(C,)`` weighs each of C labels);
            ``None`` means 1. The mean still divides by the number of elements.
        reduction: ``"mean"``, ``"sum"`` or ``"none"``.

    Example:
        >>> import numpy as np
        >>> p, t = np.array([0.9, 0.2, 0.0]), np.array([1.0, 0.0, 1.0])
        >>> binary_cross_entropy(p, t, reduction="none").round(4)
        array([  0.1054,   0.2231, 100.    ])
        >>> binary_cross_entropy(p, t, np.array([2.0, 1.0, 0.0]), reduction="none").round(4)
        array([0.2107, 0.2231, 0.    ])
    """
    xp = namespace(probs, target, weight, names=("probs", "target", "weight"))
    check_floating(probs, "probs")
    check_floating(target, "target")
    check_same_shape(probs, target, ("probs", "target"))
    _check_reduction(reduction)
    if weight is not None:
        _check_broadcasts(weight, tuple(probs.shape), ("weight", "probs"))
    _check_in_unit_interval(xp, probs, "probs")
    _check_in_unit_interval(xp, target, "target")
    floor = xp.full_like(probs, LOG_CLAMP)
    one = xp.ones_like(probs)
    # log p and log(1 - p), each floored at -100; the inner `where` keeps log(0)
    # from being computed at all (NumPy would warn, autograd would see -inf)
    log_p = xp.log(xp.where(probs > 0, probs, one))
    log_p = xp.where((probs > 0) & (log_p > LOG_CLAMP), log_p, floor)
    log_q = xp.log1p(-xp.where(probs < 1, probs, xp.zeros_like(probs)))
    log_q = xp.where((probs < 1) & (log_q > LOG_CLAMP), log_q, floor)
    # l_i = -[t_i log p_i + (1 - t_i) log(1 - p_i)], times w_i
    loss = -(target * log_p + (1 - target) * log_q)
    return _reduce(xp, loss if weight is None else weight * loss, reduction, "probs")


def binary_cross_entropy_with_logits(logits: Any, target: Any, weight: Any = None, *,
                                     reduction: str = "mean", pos_weight: Any = None) -> Any:
    r"""Binary cross-entropy of :math:`\sigma(z)`, computed from the logit :math:`z`.

    As ``torch.nn.functional.binary_cross_entropy_with_logits``. With
    :math:`\log \sigma(z) = -\log(1 + e^{-z})` and
    :math:`\log(1 - \sigma(z)) = -z - \log(1 + e^{-z})` the loss becomes

    .. math::
        \ell_i = \max(z_i, 0) - z_i t_i + \log\big(1 + e^{-|z_i|}\big)

    which never exponentiates a positive number and never takes the log of a
    probability that rounded to 0 or 1: ``log(sigmoid(-800))`` is
    ``log(0) = -inf``, while this form gives 800.

    ``pos_weight`` :math:`p` multiplies the positive term, and ``weight``
    :math:`w` the whole loss:

    .. math::
        \ell_i = -w_i \big[p_c\, t_i \log \sigma(z_i) + (1 - t_i) \log(1 - \sigma(z_i))\big]

    where :math:`c` is the last axis (the label) of element :math:`i`. With
    :math:`p_c = n_{\text{neg}} / n_{\text{pos}}` for label :math:`c`, its
    positives weigh as much in total as its negatives. The extra
    :math:`(p_c - 1)\, t_i\, (-\log \sigma(z_i))` is computed in the same
    stable form, :math:`-\log \sigma(z) = \max(z, 0) - z + \log(1 + e^{-|z|})`.

    Properties (tested): :math:`\ell \ge 0`; equals :func:`binary_cross_entropy`
    of :func:`~mlnotes.activations.sigmoid` where that is not clamped; equals
    :func:`cross_entropy` of the two logits :math:`[0, z]`.

    Args:
        logits: :math:`z`, floating, any shape.
        target: :math:`t`, same shape, in :math:`[0, 1]`.
        weight: :math:`w`, a floating weight per element, broadcast to the
            shape of ``logits``; ``None`` means 1. The mean still divides by
            the number of elements.
        reduction: ``"mean"``, ``"sum"`` or ``"none"``.
        pos_weight: :math:`p`, the weight of the positive term, broadcast to
            the shape of ``logits`` (typically ``(C,)``, one per label along
            the last axis); ``None`` means 1.

    Example:
        >>> import numpy as np
        >>> z, t = np.array([-800.0, 0.0, 800.0]), np.array([1.0, 1.0, 0.0])
        >>> binary_cross_entropy_with_logits(z, t, reduction="none").round(4).tolist()
        [800.0, 0.6931, 800.0]
        >>> p = np.array([3.0])  # positives count three times
        >>> binary_cross_entropy_with_logits(z, t, reduction="none", pos_weight=p).round(4).tolist()
        [2400.0, 2.0794, 800.0]
    """
    xp = namespace(logits, target, weight, pos_weight,
                   names=("logits", "target", "weight", "pos_weight"))
    check_floating(logits, "logits")
    check_floating(target, "target")
    check_same_shape(logits, target, ("logits", "target"))
    _check_reduction(reduction)
    for name, w in (("weight", weight), ("pos_weight", pos_weight)):
        if w is not None:
            _check_broadcasts(w, tuple(logits.shape), (name, "logits"))
    _check_in_unit_interval(xp, target, "target")
    # -|z| written with `where` so that, with relu's 0 slope at 0, the slope at
    # z = 0 is sigma(0) - t (the two choices of subgradient must agree)
    neg_abs = xp.where(logits > 0, -logits, logits)
    softplus_rest = xp.log1p(xp.exp(neg_abs))  # log(1 + exp(-|z|))
    # l_i = max(z, 0) - z t + log(1 + exp(-|z|))
    loss = relu(logits) - logits * target + softplus_rest
    if pos_weight is not None:
        # + (p - 1) t (-log sigma(z)), with -log sigma(z) = max(z, 0) - z + log(1 + exp(-|z|))
        loss = loss + (pos_weight - 1) * target * (relu(logits) - logits + softplus_rest)
    if weight is not None:
        loss = weight * loss
    return _reduce(xp, loss, reduction, "logits")


def binary_cross_entropy_with_logits_backward(logits: Any, target: Any,
                                              reduction: str = "mean",
                                              grad: Any = None, *, weight: Any = None,
                                              pos_weight: Any = None) -> Any:
    r"""Gradient of :func:`binary_cross_entropy_with_logits` with respect to the logits.

    .. math::
        \frac{\partial \ell_i}{\partial z_i} = \sigma(z_i) - t_i, \qquad
        \frac{\partial L}{\partial z} = \frac{\sigma(z) - t}{n} \ \text{(mean)}

    The same "prediction minus truth" as :func:`cross_entropy_backward`. With
    ``pos_weight`` :math:`p` and ``weight`` :math:`w` it becomes

    .. math::
        \frac{\partial \ell_i}{\partial z_i} = w_i \big[(1 + (p - 1)\, t_i)\, \sigma(z_i)
        - p\, t_i\big]

    (the positive term's :math:`\sigma - 1` counted :math:`p` times).

    Example:
        >>> import numpy as np
        >>> binary_cross_entropy_with_logits_backward(np.zeros(2), np.array([1.0, 0.0]))
        array([-0.25,  0.25])
        >>> p = np.array([3.0])
        >>> binary_cross_entropy_with_logits_backward(np.zeros(2), np.array([1.0, 0.0]),
        ...                                           pos_weight=p)
        array([-0.75,  0.25])
    """
    xp = namespace(logits, target, weight, pos_weight,
                   names=("logits", "target", "weight", "pos_weight"))
    check_floating(logits, "logits")
    check_same_shape(logits, target, ("logits", "target"))
    for name, w in (("weight", weight), ("pos_weight", pos_weight)):
        if w is not None:
            _check_broadcasts(w, tuple(logits.shape), (name, "logits"))
    a = sigmoid(logits)
    if pos_weight is None:
        d = a - target  # a - t, with a = sigma(z)
    else:
        d = (1 + (pos_weight - 1) * target) * a - pos_weight * target  # (1 + (p - 1) t) a - p t
    if weight is not None:
        d = weight * d  # times w
    return _backward_scale(xp, d, reduction, math.prod(logits.shape), grad, None)


# ------------------------------------------------------------------------- ranking


def margin_ranking_loss(x1: Any, x2: Any, y: Any, margin: float = 0.0,
                        reduction: str = "mean") -> Any:
    r"""Margin ranking loss, as ``torch.nn.functional.margin_ranking_loss``.

    .. math::
        \ell_i = \max\big(0, -y_i\,(x_{1,i} - x_{2,i}) + \text{margin}\big)

    ``y = 1`` says the first score should be the larger, ``y = -1`` the second.
    Only the difference of the scores enters, so adding the same number to
    both changes nothing, and the loss is exactly 0 once the right one leads
    by at least the margin. At the kink the gradient passes, as in torch.

    Args:
        x1: first scores, floating, any shape.
        x2: second scores, same shape.
        y: :math:`\pm 1`, same shape: which score should lead.
        margin: the lead required before the loss is 0.
        reduction: ``"mean"``, ``"sum"`` or ``"none"``.

    Example:
        >>> import numpy as np
        >>> x1, x2, y = np.array([3.0, 1.0]), np.array([1.0, 1.0]), np.array([1.0, 1.0])
        >>> margin_ranking_loss(x1, x2, y, margin=1.0, reduction="none")
        array([0., 1.])
    """
    xp = namespace(x1, x2, y, names=("x1", "x2", "y"))
    check_floating(x1, "x1")
    check_floating(x2, "x2")
    check_same_shape(x1, x2, ("x1", "x2"))
    check_same_shape(x1, y, ("x1", "y"))
    if isinstance(margin, bool) or not isinstance(margin, (int, float)):
        raise TypeError(f"margin must be a number, got {type(margin).__name__}")
    if margin != margin or abs(margin) == float("inf"):
        raise ValueError(f"margin must be finite, got {margin}")
    _check_reduction(reduction)
    if not bool(xp.all((y == 1) | (y == -1))):
        raise ValueError("y must hold only 1 or -1 (which of x1, x2 should be larger)")
    y = xp.astype(y, x1.dtype)
    # u_i = -y_i (x1_i - x2_i) + margin, and l_i = max(0, u_i)
    u = -y * (x1 - x2) + margin
    loss = xp.where(u >= 0, u, xp.zeros_like(u))
    return _reduce(xp, loss, reduction, "x1")


# ------------------------------------------------------------- margins for classes


def _check_margin_inputs(xp: Any, scores: Any, target: Any, margin: float, p: int | None,
                         weight: Any) -> None:
    _check_class_inputs(xp, scores, target, weight, -100, ("scores", "target"))
    if scores.ndim > 2:
        raise ValueError(f"scores must have shape (K,) or (N, K), got {tuple(scores.shape)}")
    if isinstance(margin, bool) or not isinstance(margin, (int, float)):
        raise TypeError(f"margin must be a number, got {type(margin).__name__}")
    if margin != margin or abs(margin) == float("inf"):
        raise ValueError(f"margin must be finite, got {margin}")
    if p is not None and (isinstance(p, bool) or p not in (1, 2)):
        raise ValueError(f"p must be 1 or 2 (as torch), got {p!r}")
    if math.prod(target.shape) > 0 and bool(xp.any(target == -100)):
        raise ValueError("target holds -100: the margin losses have no ignore_index")


def _margins(xp: Any, scores: Any, target: Any, margin: float) -> tuple[Any, Any]:
    """``margin - s_y + s_j`` for every class j, and the one-hot mask of the true class."""
    y = _one_hot(xp, target, scores.shape[-1], scores.dtype)
    s_y = xp.sum(scores * y, axis=-1, keepdims=True)
    return margin - s_y + scores, y


def multi_margin_loss(scores: Any, target: Any, p: int = 1, margin: float = 1.0,
                      weight: Any = None, reduction: str = "mean") -> Any:
    r"""Multi-class margin loss, as ``torch.nn.functional.multi_margin_loss``.

    .. math::
        \ell_i = \frac{w_{y_i}}{K} \sum_{j \ne y_i}
        \max\big(0,\; \text{margin} - s_{i,y_i} + s_{i,j}\big)^p

    Every wrong class whose score comes within ``margin`` of the correct one
    adds to the loss: the correct class must beat *each* wrong class by the
    margin. The sum runs over the wrong classes but is divided by all ``K``, as
    in torch; a class weight :math:`w_{y_i}` multiplies the sample's loss (after
    the power, as torch computes it; torch's documentation writes it inside).
    :func:`multiclass_hinge_loss` is the version of the source notes, which looks
    only at the closest wrong class.

    Args:
        scores: ``(N, K)`` or ``(K,)`` class scores (logits, or any real scores).
        target: ``(N,)`` or ``()`` class indices in ``[0, K)``.
        p: 1 or 2, the power of each hinge.
        margin: the lead the correct class must have.
        weight: ``(K,)`` class weights or ``None``; :math:`w_{y_i}` scales sample i's hinges.
        reduction: ``"mean"`` (over the samples), ``"sum"`` or ``"none"``.

    Returns:
        The loss: a scalar, or ``(N,)`` (``()`` unbatched) for ``reduction="none"``.

    Example:
        >>> import numpy as np
        >>> s = np.array([[3.0, 2.5, 0.0]])      # class 0 leads class 1 by only 0.5
        >>> float(multi_margin_loss(s, np.array([0])))  # (1 - 0.5 + 0) / 3
        0.16666666666666666
    """
    xp = namespace(scores, target, weight, names=("scores", "target", "weight"))
    _check_margin_inputs(xp, scores, target, margin, p, weight)
    _check_reduction(reduction)
    unbatched = scores.ndim == 1
    if unbatched:
        scores, target = scores[None, :], xp.reshape(target, (1,))
    u, y = _margins(xp, scores, target, margin)          # (N, K)
    # max(0, u)^p over the wrong classes only, divided by K
    hinge = xp.where((u > 0) & (y == 0), u, xp.zeros_like(u))
    loss = xp.sum(hinge if p == 1 else hinge * hinge, axis=-1) / scores.shape[-1]
    if weight is not None:
        loss = loss * xp.sum(y * weight, axis=-1)           # w_{y_i} scales sample i
    if unbatched:
        loss = loss[0]
    return _reduce(xp, loss, reduction, "scores")


def multi_margin_loss_backward(scores: Any, target: Any, p: int = 1, margin: float = 1.0,
                               weight: Any = None, reduction: str = "mean",
                               grad: Any = None) -> Any:
    r"""Gradient of :func:`multi_margin_loss` with respect to ``scores``.

    For a violated wrong class j (its hinge :math:`t_j > 0`), the loss rises with
    :math:`s_j` and falls with :math:`s_{y}`:

    .. math::
        \frac{\partial \ell}{\partial s_j} = \frac{w_y\, p\, t_j^{p-1}}{K}, \qquad
        \frac{\partial \ell}{\partial s_y} = -\sum_{j \ne y,\ t_j > 0} \frac{p\, t_j^{p-1} w_y}{K}.

    Every violating class is pushed down. ``grad`` is the incoming gradient
    (``None`` for 1; the loss's shape for ``reduction="none"``), as in the other
    loss backwards of this module. At the kink (a hinge of exactly 0) the
    gradient is 0, as in torch.

    Args:
        scores: as in the forward call.
        target: as in the forward call.
        p: as in the forward call.
        margin: as in the forward call.
        weight: as in the forward call.
        reduction: as in the forward call.
        grad: gradient of the objective with respect to the loss: a scalar,
            or the loss's shape for ``reduction="none"``; 1 if omitted.

    Returns:
        :math:`\partial L / \partial s`, the shape of ``scores``.

    Example:
        >>> import numpy as np
        >>> s = np.array([[3.0, 2.5, 0.0]])
        >>> multi_margin_loss_backward(s, np.array([0])).round(4)
        array([[-0.3333,  0.3333,  0.    ]])
    """
    xp = namespace(scores, target, weight, names=("scores", "target", "weight"))
    _check_margin_inputs(xp, scores, target, margin, p, weight)
    unbatched = scores.ndim == 1
    s2, t2 = (scores[None, :], xp.reshape(target, (1,))) if unbatched else (scores, target)
    u, y = _margins(xp, s2, t2, margin)
    w_y = xp.ones_like(u[:, :1]) if weight is None else xp.sum(y * weight, axis=-1,
                                                              keepdims=True)
    active = (u > 0) & (y == 0)
    # d max(0, t)^p / dt = p t^(p-1) where t > 0; dt_j/ds_j = 1, dt_j/ds_y = -1; times w_y
    slope = xp.where(active, u if p == 2 else xp.ones_like(u), xp.zeros_like(u)) * p * w_y
    slope = slope / s2.shape[-1]
    d = slope - y * xp.sum(slope, axis=-1, keepdims=True)
    if unbatched:
        d = d[0]
    n = 1 if unbatched else s2.shape[0]
    return _backward_scale(xp, d, reduction, n, grad, axis=None if unbatched else 1,
                           loss_shape=() if unbatched else (s2.shape[0],))


def multiclass_hinge_loss(scores: Any, target: Any, margin: float = 1.0,
                          reduction: str = "mean") -> Any:
    r"""The margin loss of the source notes: beat the *closest* wrong class by a margin.

    .. math::
        \ell_i = \max\Big(0,\; \text{margin} - \big(s_{i,y_i} - \max_{j \ne y_i} s_{i,j}\big)\Big)

    (the multi-class hinge of Crammer and Singer). It is zero once the correct
    class leads *every* wrong class by the margin, and it only sees differences
    of scores. Unlike :func:`multi_margin_loss`, which adds a hinge for every
    wrong class and divides by K, only one wrong class (the closest) gets a
    gradient. With ``p = 1`` and no weights, ``multi_margin_loss`` lies between
    this loss divided by K and this loss times (K - 1)/K.

    Args:
        scores: ``(N, K)`` or ``(K,)`` class scores, K >= 2.
        target: ``(N,)`` or ``()`` class indices.
        margin: the lead required.
        reduction: ``"mean"``, ``"sum"`` or ``"none"``.

    Returns:
        The loss: a scalar, or ``(N,)`` (``()`` unbatched) for ``reduction="none"``.

    Example:
        >>> import numpy as np
        >>> s = np.array([[3.0, 2.5, 0.0], [3.0, 1.0, 0.0]])
        >>> multiclass_hinge_loss(s, np.array([0, 0]), reduction="none")
        array([0.5, 0. ])
    """
    xp = namespace(scores, target, names=("scores", "target"))
    _check_margin_inputs(xp, scores, target, margin, None, None)
    _check_reduction(reduction)
    if scores.shape[-1] < 2:
        raise ValueError(f"scores must have at least 2 classes, got {scores.shape[-1]}")
    unbatched = scores.ndim == 1
    if unbatched:
        scores, target = scores[None, :], xp.reshape(target, (1,))
    u, y = _margins(xp, scores, target, margin)
    # the closest wrong class: the largest margin - s_y + s_j over j != y
    worst = xp.max(xp.where(y == 0, u, xp.full_like(u, -math.inf)), axis=-1)
    loss = xp.where(worst > 0, worst, xp.zeros_like(worst))
    if unbatched:
        loss = loss[0]
    return _reduce(xp, loss, reduction, "scores")


def multiclass_hinge_loss_backward(scores: Any, target: Any, margin: float = 1.0,
                                   reduction: str = "mean", grad: Any = None) -> Any:
    r"""Gradient of :func:`multiclass_hinge_loss` with respect to ``scores``.

    Where the margin is violated, +1 on the closest wrong class and -1 on the
    correct one; 0 everywhere else (one wrong class learns per sample). If
    several wrong classes tie for closest, the first of them (the lowest index)
    takes the gradient, as ``argmax`` picks it; at the kink (a lead of exactly
    the margin) the gradient is 0. Both are valid subgradients. Autograd of
    the forward on torch tensors agrees at the kink; at a tie it splits the +1
    evenly among the tied classes (as ``max`` differentiates), another valid
    subgradient.

    .. math::
        \frac{\partial \ell_i}{\partial s_{i,k}} = [\ell_i > 0]\,
        \big([k = c_i] - [k = y_i]\big), \qquad
        c_i = \operatorname{argmax}_{j \ne y_i} s_{i,j}

    Args:
        scores: as in the forward call.
        target: as in the forward call.
        margin: as in the forward call.
        reduction: as in the forward call.
        grad: gradient of the objective with respect to the loss: a scalar,
            or the loss's shape for ``reduction="none"``; 1 if omitted.

    Returns:
        :math:`\partial L / \partial s`, the shape of ``scores``.

    Example:
        >>> import numpy as np
        >>> s = np.array([[3.0, 2.5, 2.4]])
        >>> multiclass_hinge_loss_backward(s, np.array([0]))
        array([[-1.,  1.,  0.]])
    """
    xp = namespace(scores, target, names=("scores", "target"))
    _check_margin_inputs(xp, scores, target, margin, None, None)
    if scores.shape[-1] < 2:
        raise ValueError(f"scores must have at least 2 classes, got {scores.shape[-1]}")
    unbatched = scores.ndim == 1
    s2, t2 = (scores[None, :], xp.reshape(target, (1,))) if unbatched else (scores, target)
    u, y = _margins(xp, s2, t2, margin)
    masked = xp.where(y == 0, u, xp.full_like(u, -math.inf))
    closest = _one_hot(xp, xp.argmax(masked, axis=-1), s2.shape[-1], s2.dtype)
    violated = xp.astype(xp.max(masked, axis=-1, keepdims=True) > 0, s2.dtype)
    d = violated * (closest - y)
    if unbatched:
        d = d[0]
    n = 1 if unbatched else s2.shape[0]
    return _backward_scale(xp, d, reduction, n, grad, axis=None if unbatched else 1,
                           loss_shape=() if unbatched else (s2.shape[0],))
