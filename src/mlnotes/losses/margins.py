r"""Margin losses: ranking two scores, and the margins between classes (+ gradients).

Part of :mod:`mlnotes.losses`; explained in the book: :doc:`/losses`.
"""

from __future__ import annotations

import math
from typing import Any

from .. import autograd
from ..backend import check_floating, check_number, check_same_shape, namespace
from ._common import _backward_scale, _check_class_inputs, _check_reduction, _one_hot, _reduce

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
    check_number(margin, "margin")
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
    check_number(margin, "margin")
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
    xp = namespace(scores, target, weight, names=("scores", "target", "weight"),
                   optional=("weight",))
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


def multi_margin_loss_backward(grad: Any, scores: Any, target: Any, p: int = 1,
                               margin: float = 1.0, weight: Any = None,
                               reduction: str = "mean") -> Any:
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
        grad: :math:`\partial L / \partial \ell`, ``1.0`` for a final loss (see the module).
        scores, target, p, margin, weight, reduction: as in the forward call.

    Returns:
        :math:`\partial L / \partial s`, the shape of ``scores``.

    Example:
        >>> import numpy as np
        >>> s = np.array([[3.0, 2.5, 0.0]])
        >>> multi_margin_loss_backward(1.0, s, np.array([0])).round(4)
        array([[-0.3333,  0.3333,  0.    ]])
    """
    xp = namespace(scores, target, weight, names=("scores", "target", "weight"),
                   optional=("weight",))
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


multi_margin_loss = autograd.register(multi_margin_loss, multi_margin_loss_backward)


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


def multiclass_hinge_loss_backward(grad: Any, scores: Any, target: Any, margin: float = 1.0,
                                   reduction: str = "mean") -> Any:
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
        grad: :math:`\partial L / \partial \ell`, ``1.0`` for a final loss (see the module).
        scores, target, margin, reduction: as in the forward call.

    Returns:
        :math:`\partial L / \partial s`, the shape of ``scores``.

    Example:
        >>> import numpy as np
        >>> s = np.array([[3.0, 2.5, 2.4]])
        >>> multiclass_hinge_loss_backward(1.0, s, np.array([0]))
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


multiclass_hinge_loss = autograd.register(multiclass_hinge_loss, multiclass_hinge_loss_backward)
