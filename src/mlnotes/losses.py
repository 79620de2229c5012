r"""Losses: MSE, L1, NLL, cross-entropy, binary cross-entropy, margin ranking (+ gradients).

A loss turns a prediction and a target into one number that training makes
small. Each function here follows ``torch.nn.functional`` (same name, same
arguments, ``axis`` aside), so the tests compare the two value for value:

* ``reduction="mean"`` (the default) averages the per-element losses,
  ``"sum"`` adds them, ``"none"`` returns them unreduced;
* :func:`nll_loss` and :func:`cross_entropy` take class *indices* as targets;
* :func:`binary_cross_entropy` clamps each logarithm at :math:`-100`, as torch
  does, so a probability of exactly 0 or 1 costs at most 100 instead of
  :math:`\infty`.

Where the gradient is the lesson, the backward sits beside its loss
(:func:`cross_entropy_backward`, :func:`binary_cross_entropy_with_logits_backward`,
:func:`mse_loss_backward`, :func:`l1_loss_backward`). A backward returns the
gradient of the loss with respect to its first argument (the prediction),
scaled by ``grad``, the incoming gradient with respect to the loss (1 by
default; for ``reduction="none"`` one value per element).

The softmax and sigmoid parts come from :mod:`mlnotes.activations`. One body
serves NumPy arrays and torch tensors (see :mod:`mlnotes.backend`).

Explained in the book: :doc:`/losses`; presented in the deck "Lecture: Losses".

Shapes: ``N`` batch, ``K`` classes. Element-wise losses take any shape (input
and target equal). Class losses take ``(N, K)`` scores with ``(N,)`` targets,
or ``(N, K, d1, ...)`` with ``(N, d1, ...)`` (the class axis is always 1, as
in torch).
"""

from __future__ import annotations

import math
from typing import Any

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


def _backward_scale(xp: Any, d: Any, reduction: str, n: int, grad: Any, axis: int | None) -> Any:
    """Chain the per-element gradient ``d`` with the reduction and the incoming ``grad``."""
    _check_reduction(reduction)
    if reduction == "mean":
        d = d / n  # every element's loss enters the mean with weight 1/n
    if grad is None:
        return d
    if isinstance(grad, (int, float)) and not isinstance(grad, bool) and reduction != "none":
        return d * grad
    namespace(d, grad, names=("input", "grad"))
    expected = () if reduction != "none" else tuple(
        n for i, n in enumerate(d.shape) if i != axis
    )
    if tuple(grad.shape) != expected:
        raise ValueError(f"grad must have the loss's shape {expected} for "
                         f"reduction={reduction!r}, got {tuple(grad.shape)}")
    if reduction == "none" and axis is not None:
        grad = xp.expand_dims(grad, axis=axis)  # one grad per sample, shared by its K scores
    return d * grad


def _check_in_unit_interval(xp: Any, a: Any, name: str) -> None:
    # NaN fails both comparisons, so it is refused here too
    if not bool(xp.all((a >= 0) & (a <= 1))):
        raise ValueError(f"{name} must lie in [0, 1] (no NaN), got values from "
                         f"{float(xp.min(a))} to {float(xp.max(a))}")


def _check_class_target(xp: Any, scores: Any, target: Any, names: tuple[str, str]) -> int:
    """Check ``(N, K, ...)`` scores against ``(N, ...)`` integer targets; return ``K``."""
    s, t = names
    if scores.ndim < 2:
        raise ValueError(f"{s} must have shape (N, K) or (N, K, d1, ...), "
                         f"got shape {tuple(scores.shape)}")
    if not xp.isdtype(target.dtype, "integral"):
        dtype = str(target.dtype).removeprefix("torch.")
        raise TypeError(f"{t} must hold integer class indices, got dtype {dtype}")
    expected = (scores.shape[0], *scores.shape[2:])
    if tuple(target.shape) != expected:
        raise ValueError(f"{t} must have shape {expected} to match {s} of shape "
                         f"{tuple(scores.shape)} (batch size N = {scores.shape[0]}), "
                         f"got {tuple(target.shape)}")
    K = scores.shape[1]
    if math.prod(target.shape) > 0:
        lo, hi = int(xp.min(target)), int(xp.max(target))
        if lo < 0 or hi >= K:
            bad = lo if lo < 0 else hi
            raise ValueError(f"{t} holds class index {bad}, outside [0, {K - 1}] "
                             f"for K = {K} classes")
    return K


def _one_hot(xp: Any, target: Any, K: int, dtype: Any) -> Any:
    """``(N, d...)`` class indices as ``(N, K, d...)`` indicators, class axis 1."""
    shape = [1] * (target.ndim + 1)
    shape[1] = K
    classes = xp.reshape(xp.arange(K, device=device_of(target)), tuple(shape))
    return xp.astype(classes == xp.expand_dims(target, axis=1), dtype)


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


def nll_loss(log_probs: Any, target: Any, reduction: str = "mean") -> Any:
    r"""Negative log-likelihood of class indices, as ``torch.nn.functional.nll_loss``.

    .. math::
        \ell_n = -\log p_{n, y_n}, \qquad L = \frac{1}{N} \sum_n \ell_n \ \text{(mean)}

    Each sample pays minus the log-probability its model gave to the class that
    actually occurred: 0 for a certain, correct prediction, :math:`\infty` for a
    certain, wrong one. Summed over a data set this is minus the log of the
    likelihood, so minimising it is maximum-likelihood estimation.

    Args:
        log_probs: :math:`\log p`, floating ``(N, K)`` or ``(N, K, d1, ...)``
            log-probabilities (e.g. from :func:`~mlnotes.activations.log_softmax`
            with ``axis=1``).
        target: :math:`y`, integer class indices in ``[0, K)``, shape ``(N,)``
            or ``(N, d1, ...)``.
        reduction: ``"mean"``, ``"sum"`` or ``"none"``.

    Returns:
        A scalar, or the ``(N, d1, ...)`` losses for ``reduction="none"``.

    Example:
        >>> import numpy as np
        >>> log_p = np.log(np.array([[0.5, 0.5], [0.9, 0.1]]))
        >>> nll_loss(log_p, np.array([0, 0]), reduction="none").round(4)
        array([0.6931, 0.1054])
    """
    xp = namespace(log_probs, target, names=("log_probs", "target"))
    check_floating(log_probs, "log_probs")
    _check_class_target(xp, log_probs, target, ("log_probs", "target"))
    _check_reduction(reduction)
    return _reduce(xp, _nll(xp, log_probs, target), reduction, "target")


def _nll(xp: Any, log_probs: Any, target: Any) -> Any:
    """The unreduced :func:`nll_loss` of checked arguments."""
    # pick log p_{n, y_n} along the class axis: one gather, never a product with
    # a one-hot (which would read all K entries and turn 0 * -inf into NaN)
    picked = xp.take_along_axis(log_probs, xp.expand_dims(target, axis=1), axis=1)
    # l_n = -log p_{n, y_n}
    return -xp.squeeze(picked, axis=1)


def cross_entropy(logits: Any, target: Any, reduction: str = "mean") -> Any:
    r"""Softmax cross-entropy from logits, as ``torch.nn.functional.cross_entropy``.

    .. math::
        \ell_n = -\log \mathrm{softmax}(z_n)_{y_n}
        = -z_{n, y_n} + \log \sum_k e^{z_{n,k}}

    It is :func:`nll_loss` of :func:`~mlnotes.activations.log_softmax`: the
    log-sum-exp form never takes the log of a probability that underflowed to
    0, so logits of :math:`\pm 10^4` give torch's finite values.

    Properties (tested): :math:`\ell \ge 0`; among one-hot predictions the
    true class costs least; adding a constant to a row of logits changes nothing.

    Args:
        logits: :math:`z`, floating ``(N, K)`` or ``(N, K, d1, ...)`` scores.
        target: :math:`y`, integer class indices, ``(N,)`` or ``(N, d1, ...)``.
        reduction: ``"mean"``, ``"sum"`` or ``"none"``.

    Example:
        >>> import numpy as np
        >>> z = np.array([[2.0, 0.0, -1.0], [0.0, 1e4, 0.0]])
        >>> cross_entropy(z, np.array([0, 1]), reduction="none").round(4).tolist()
        [0.1698, 0.0]
        >>> float(cross_entropy(z, np.array([0, 0]), reduction="sum"))  # finite, as in torch
        10000.169...
    """
    xp = namespace(logits, target, names=("logits", "target"))
    check_floating(logits, "logits")
    _check_class_target(xp, logits, target, ("logits", "target"))
    _check_reduction(reduction)
    # l_n = -log softmax(z_n)_{y_n}: the NLL of the log-softmax
    return _reduce(xp, _nll(xp, log_softmax(logits, axis=1), target), reduction, "target")


def cross_entropy_backward(logits: Any, target: Any, reduction: str = "mean",
                           grad: Any = None) -> Any:
    r"""Gradient of :func:`cross_entropy` with respect to the logits.

    .. math::
        \frac{\partial \ell_n}{\partial z_{n,k}} = \mathrm{softmax}(z_n)_k - [k = y_n],
        \qquad
        \frac{\partial L}{\partial z} = \frac{\mathrm{softmax}(z) - \mathrm{onehot}(y)}{N}
        \ \text{(mean)}

    Prediction minus truth: the softmax Jacobian and the :math:`-1/p` of the
    logarithm cancel, leaving a gradient that is large while the prediction is
    wrong and vanishes as it becomes right.

    Args:
        logits: as in the forward call.
        target: as in the forward call.
        reduction: as in the forward call.
        grad: gradient of the objective with respect to the loss: a scalar,
            or the shape of ``target`` for ``reduction="none"``; 1 if omitted.

    Returns:
        :math:`\partial L / \partial z`, the shape of ``logits``.

    Example:
        >>> import numpy as np
        >>> cross_entropy_backward(np.zeros((1, 2)), np.array([1]))
        array([[ 0.5, -0.5]])
    """
    check_floating(logits, "logits")
    xp = namespace(logits, target, names=("logits", "target"))
    K = _check_class_target(xp, logits, target, ("logits", "target"))
    # a - y, with a = softmax(z) and y the one-hot target
    d = softmax(logits, axis=1) - _one_hot(xp, target, K, logits.dtype)
    return _backward_scale(xp, d, reduction, math.prod(target.shape), grad, 1)


# ------------------------------------------------------------ binary (sigmoid) losses


def binary_cross_entropy(probs: Any, target: Any, reduction: str = "mean") -> Any:
    r"""Binary cross-entropy of probabilities, as ``torch.nn.functional.binary_cross_entropy``.

    .. math::
        \ell_i = -\big[t_i \log p_i + (1 - t_i) \log(1 - p_i)\big]

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
        reduction: ``"mean"``, ``"sum"`` or ``"none"``.

    Example:
        >>> import numpy as np
        >>> p, t = np.array([0.9, 0.2, 0.0]), np.array([1.0, 0.0, 1.0])
        >>> binary_cross_entropy(p, t, reduction="none").round(4)
        array([  0.1054,   0.2231, 100.    ])
    """
    xp = namespace(probs, target, names=("probs", "target"))
    check_floating(probs, "probs")
    check_floating(target, "target")
    check_same_shape(probs, target, ("probs", "target"))
    _check_reduction(reduction)
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
    # l_i = -[t_i log p_i + (1 - t_i) log(1 - p_i)]
    return _reduce(xp, -(target * log_p + (1 - target) * log_q), reduction, "probs")


def binary_cross_entropy_with_logits(logits: Any, target: Any, reduction: str = "mean") -> Any:
    r"""Binary cross-entropy of :math:`\sigma(z)`, computed from the logit :math:`z`.

    As ``torch.nn.functional.binary_cross_entropy_with_logits``. With
    :math:`\log \sigma(z) = -\log(1 + e^{-z})` and
    :math:`\log(1 - \sigma(z)) = -z - \log(1 + e^{-z})` the loss becomes

    .. math::
        \ell_i = \max(z_i, 0) - z_i t_i + \log\big(1 + e^{-|z_i|}\big)

    which never exponentiates a positive number and never takes the log of a
    probability that rounded to 0 or 1: ``log(sigmoid(-800))`` is
    ``log(0) = -inf``, while this form gives 800.

    Properties (tested): :math:`\ell \ge 0`; equals :func:`binary_cross_entropy`
    of :func:`~mlnotes.activations.sigmoid` where that is not clamped; equals
    :func:`cross_entropy` of the two logits :math:`[0, z]`.

    Args:
        logits: :math:`z`, floating, any shape.
        target: :math:`t`, same shape, in :math:`[0, 1]`.
        reduction: ``"mean"``, ``"sum"`` or ``"none"``.

    Example:
        >>> import numpy as np
        >>> z, t = np.array([-800.0, 0.0, 800.0]), np.array([1.0, 1.0, 0.0])
        >>> binary_cross_entropy_with_logits(z, t, reduction="none").round(4).tolist()
        [800.0, 0.6931, 800.0]
    """
    xp = namespace(logits, target, names=("logits", "target"))
    check_floating(logits, "logits")
    check_floating(target, "target")
    check_same_shape(logits, target, ("logits", "target"))
    _check_reduction(reduction)
    _check_in_unit_interval(xp, target, "target")
    # -|z| written with `where` so that, with relu's 0 slope at 0, the slope at
    # z = 0 is sigma(0) - t (the two choices of subgradient must agree)
    neg_abs = xp.where(logits > 0, -logits, logits)
    # l_i = max(z, 0) - z t + log(1 + exp(-|z|))
    loss = relu(logits) - logits * target + xp.log1p(xp.exp(neg_abs))
    return _reduce(xp, loss, reduction, "logits")


def binary_cross_entropy_with_logits_backward(logits: Any, target: Any,
                                              reduction: str = "mean",
                                              grad: Any = None) -> Any:
    r"""Gradient of :func:`binary_cross_entropy_with_logits` with respect to the logits.

    .. math::
        \frac{\partial \ell_i}{\partial z_i} = \sigma(z_i) - t_i, \qquad
        \frac{\partial L}{\partial z} = \frac{\sigma(z) - t}{n} \ \text{(mean)}

    The same "prediction minus truth" as :func:`cross_entropy_backward`.

    Example:
        >>> import numpy as np
        >>> binary_cross_entropy_with_logits_backward(np.zeros(2), np.array([1.0, 0.0]))
        array([-0.25,  0.25])
    """
    xp = namespace(logits, target, names=("logits", "target"))
    check_floating(logits, "logits")
    check_same_shape(logits, target, ("logits", "target"))
    # a - t, with a = sigma(z)
    d = sigmoid(logits) - target
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
