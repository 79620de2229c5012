r"""Losses of a real-valued prediction: mean squared error and L1 (+ gradients).

Part of :mod:`mlnotes.losses`; explained in the book: :doc:`/losses`.
"""

from __future__ import annotations

import math
from typing import Any

from .. import autograd
from ..backend import check_floating, check_same_shape, namespace
from ._common import _backward_scale, _check_reduction, _reduce


def _check_pair(input: Any, target: Any, reduction: str) -> Any:
    """Check an element-wise loss's arguments; return their namespace."""
    xp = namespace(input, target, names=("input", "target"))
    check_floating(input, "input")
    check_floating(target, "target")
    check_same_shape(input, target, ("input", "target"))
    _check_reduction(reduction)
    return xp

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
    xp = _check_pair(input, target, reduction)
    # l_i = (x_i - t_i)^2
    return _reduce(xp, (input - target) ** 2, reduction, "input")


def mse_loss_backward(grad: Any, input: Any, target: Any, reduction: str = "mean") -> Any:
    r"""Gradient of :func:`mse_loss` with respect to ``input``.

    .. math::
        \frac{\partial L}{\partial x_i} = \frac{2\,(x_i - t_i)}{n} \ \text{(mean)}

    The gradient grows with the error, so the outliers steer training. (The
    gradient with respect to ``target`` is the negative of this one.)

    Args:
        grad: :math:`\partial L / \partial \ell`, ``1.0`` for a final loss (see the module).
        input, target, reduction: as in the forward call.

    Returns:
        :math:`\partial L / \partial x`, the shape of ``input``.

    Example:
        >>> import numpy as np
        >>> mse_loss_backward(1.0, np.array([1.0, 2.0]), np.array([0.0, 0.0]))
        array([1., 2.])
    """
    xp = namespace(input, target, names=("input", "target"))
    check_same_shape(input, target, ("input", "target"))
    # d (x - t)^2 / dx = 2 (x - t)
    return _backward_scale(xp, 2 * (input - target), reduction, math.prod(input.shape), grad, None)


mse_loss = autograd.register(mse_loss, mse_loss_backward)


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
    xp = _check_pair(input, target, reduction)
    # l_i = |x_i - t_i|
    return _reduce(xp, xp.abs(input - target), reduction, "input")


def l1_loss_backward(grad: Any, input: Any, target: Any, reduction: str = "mean") -> Any:
    r"""Gradient of :func:`l1_loss` with respect to ``input``.

    .. math::
        \frac{\partial L}{\partial x_i} = \frac{\operatorname{sign}(x_i - t_i)}{n}
        \ \text{(mean)}

    Its size does not depend on how wrong a prediction is (0 where it is exact,
    as in torch).

    Arguments and result as :func:`mse_loss_backward`.

    Example:
        >>> import numpy as np
        >>> l1_loss_backward(1.0, np.array([1.0, 2.0, 0.0]), np.array([0.0, 9.0, 0.0]))
        array([ 0.33333333, -0.33333333,  0.        ])
    """
    xp = namespace(input, target, names=("input", "target"))
    check_same_shape(input, target, ("input", "target"))
    # d |x - t| / dx = sign(x - t)
    d = xp.sign(input - target)
    return _backward_scale(xp, d, reduction, math.prod(input.shape), grad, None)


l1_loss = autograd.register(l1_loss, l1_loss_backward)
