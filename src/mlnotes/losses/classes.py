r"""Losses over K classes: negative log-likelihood and softmax cross-entropy (+ gradient).

Part of :mod:`mlnotes.losses`; explained in the book: :doc:`/losses`.
"""

from __future__ import annotations

import math
from typing import Any

from .. import autograd
from ..activations import _log_softmax, _softmax
from ..backend import check_number, namespace
from ._common import (
    _backward_scale,
    _check_class_inputs,
    _check_reduction,
    _class_denominator,
    _class_weight_view,
    _one_hot,
    _targets_kept,
)

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
    xp = namespace(log_probs, target, weight, names=("log_probs", "target", "weight"),
                   optional=("weight",))
    _check_reduction(reduction)
    ignore_index = check_number(ignore_index, "ignore_index", integer=True)
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


def _check_cross_entropy(logits: Any, target: Any, weight: Any, reduction: str,
                         ignore_index: Any, label_smoothing: Any) -> tuple[Any, int, float, bool]:
    """Check cross-entropy's arguments (forward and backward alike).

    Returns ``(xp, ignore_index, label_smoothing, probabilities)``, the last saying
    whether ``target`` holds class probabilities rather than indices.
    """
    xp = namespace(logits, target, weight, names=("logits", "target", "weight"),
                   optional=("weight",))
    _check_reduction(reduction)
    ignore_index = check_number(ignore_index, "ignore_index", integer=True)
    label_smoothing = check_number(label_smoothing, "label_smoothing", 0.0, 1.0)
    probabilities = _check_class_inputs(xp, logits, target, weight, ignore_index,
                                        ("logits", "target"), probabilities=True)
    return xp, ignore_index, label_smoothing, probabilities


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
    xp, ignore_index, label_smoothing, probabilities = _check_cross_entropy(
        logits, target, weight, reduction, ignore_index, label_smoothing)
    # the NLL of the log-softmax over the class axis (0 for one unbatched sample)
    log_p = _log_softmax(xp, logits, 0 if logits.ndim == 1 else 1)
    return _class_loss(xp, log_p, target, weight, ignore_index, label_smoothing,
                       probabilities, reduction)


def cross_entropy_backward(grad: Any, logits: Any, target: Any, weight: Any = None, *,
                           ignore_index: int = -100, reduction: str = "mean",
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
        grad: :math:`\partial L / \partial \ell`, ``1.0`` for a final loss (see the module).
        logits, target, weight, ignore_index, reduction, label_smoothing: as in the forward
            call, and in its order.

    Returns:
        :math:`\partial L / \partial z`, the shape of ``logits``.

    Example:
        >>> import numpy as np
        >>> cross_entropy_backward(1.0, np.zeros((1, 2)), np.array([1]))
        array([[ 0.5, -0.5]])
        >>> cross_entropy_backward(1.0, np.zeros((1, 2)), np.array([1]), label_smoothing=0.2)
        array([[ 0.4, -0.4]])
    """
    xp, ignore_index, eps, probabilities = _check_cross_entropy(
        logits, target, weight, reduction, ignore_index, label_smoothing)
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
    d = _softmax(xp, logits, 1, 1.0) * xp.sum(c, axis=1, keepdims=True) - c
    d = _backward_scale(xp, d, reduction, n, grad, 1, loss_shape)
    return xp.squeeze(d, axis=0) if unbatched else d


cross_entropy = autograd.register(cross_entropy, cross_entropy_backward)
