r"""Binary (sigmoid) losses: binary cross-entropy on probabilities and on logits (+ gradient).

Part of :mod:`mlnotes.losses`; explained in the book: :doc:`/losses`.
"""

from __future__ import annotations

import math
from typing import Any

from .. import autograd
from ..activations import _relu, _sigmoid
from ..backend import check_floating, check_same_shape, namespace
from ._common import (
    LOG_CLAMP,
    _backward_scale,
    _check_broadcasts,
    _check_in_unit_interval,
    _check_reduction,
    _reduce,
)

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
    xp = namespace(probs, target, weight, names=("probs", "target", "weight"), optional=("weight",))
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
                   names=("logits", "target", "weight", "pos_weight"),
                   optional=("weight", "pos_weight"))
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
    loss = _relu(xp, logits) - logits * target + softplus_rest
    if pos_weight is not None:
        # + (p - 1) t (-log sigma(z)), with -log sigma(z) = max(z, 0) - z + log(1 + exp(-|z|))
        loss = loss + (pos_weight - 1) * target * (_relu(xp, logits) - logits + softplus_rest)
    if weight is not None:
        loss = weight * loss
    return _reduce(xp, loss, reduction, "logits")


def binary_cross_entropy_with_logits_backward(grad: Any, logits: Any, target: Any,
                                              reduction: str = "mean", *, weight: Any = None,
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

    Args:
        grad: :math:`\partial L / \partial \ell`, ``1.0`` for a final loss (see the module).
        logits: :math:`z`, as in the forward call.
        target: :math:`t`, as in the forward call.
        reduction, weight, pos_weight: as in the forward call.

    Returns:
        :math:`\partial L / \partial z`, the shape of ``logits``.

    Example:
        >>> import numpy as np
        >>> binary_cross_entropy_with_logits_backward(1.0, np.zeros(2), np.array([1.0, 0.0]))
        array([-0.25,  0.25])
        >>> p = np.array([3.0])
        >>> binary_cross_entropy_with_logits_backward(1.0, np.zeros(2), np.array([1.0, 0.0]),
        ...                                           pos_weight=p)
        array([-0.75,  0.25])
    """
    xp = namespace(logits, target, weight, pos_weight,
                   names=("logits", "target", "weight", "pos_weight"),
                   optional=("weight", "pos_weight"))
    check_floating(logits, "logits")
    check_same_shape(logits, target, ("logits", "target"))
    for name, w in (("weight", weight), ("pos_weight", pos_weight)):
        if w is not None:
            _check_broadcasts(w, tuple(logits.shape), (name, "logits"))
    a = _sigmoid(xp, logits)
    if pos_weight is None:
        d = a - target  # a - t, with a = sigma(z)
    else:
        d = (1 + (pos_weight - 1) * target) * a - pos_weight * target  # (1 + (p - 1) t) a - p t
    if weight is not None:
        d = weight * d  # times w
    return _backward_scale(xp, d, reduction, math.prod(logits.shape), grad, None)


binary_cross_entropy_with_logits = autograd.register(
    binary_cross_entropy_with_logits, binary_cross_entropy_with_logits_backward)
