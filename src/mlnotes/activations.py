r"""Activations: sigmoid, tanh, ReLU and the softmax family, each with its backward.

Every forward function sits next to its backward, in the spirit of micrograd: the
reader sees what a function computes and what it sends back to its inputs at the
same time. A backward takes the incoming gradient ``grad`` (the gradient of a
scalar loss with respect to the output) and whatever it needs from the forward
pass, and returns the vector-Jacobian product: the gradient of the loss with
respect to the input.

One body serves NumPy arrays and torch tensors (see :mod:`mlnotes.backend`).

Explained in the book: :doc:`/softmax`; presented in the deck "Lecture: Softmax".

Shapes: ``x`` may have any shape; ``axis`` picks the dimension that softmax
normalises over (``K``, the number of classes, in a classifier's ``(N, K)``
logits). As in torch, a 0-d input counts as one element along one axis (``axis``
0 or -1), and an empty input gives an empty output.

Each public function checks its arguments and gets the array namespace ``xp``
once; the package reuses the private kernels (``_softmax(xp, x, axis, beta)``,
``_sigmoid(xp, x)``, ...), which take ``xp`` first and trust their arguments.
"""

from __future__ import annotations

import math
from typing import Any

from . import autograd
from .backend import (
    check_axis,
    check_floating,
    check_number,
    check_same_shape,
    device_of,
    namespace,
    stop_gradient,
)

__all__ = [
    "sigmoid",
    "sigmoid_backward",
    "tanh",
    "tanh_backward",
    "relu",
    "relu_backward",
    "logsumexp",
    "logsumexp_backward",
    "softmax",
    "softmax_backward",
    "softmax_jacobian",
    "log_softmax",
    "log_softmax_backward",
    "hardmax",
    "hardmax_backward",
]


def _axes(axis: int | tuple[int, ...], ndim: int) -> tuple[int, ...]:
    """``axis`` (an int, or a tuple of distinct ints as torch's ``dim``) as sorted indices."""
    if not isinstance(axis, (tuple, list)):
        return (check_axis(axis, ndim),)
    if len(axis) == 0:
        raise ValueError("axis must name at least one axis, got ()")
    axes = tuple(sorted(check_axis(a, ndim) for a in axis))
    if len(set(axes)) != len(axes):
        raise ValueError(f"axis must name each axis once, got {tuple(axis)}")
    return axes


# ------------------------------------------- the softmax family's shared steps


def _max_shift(xp: Any, x: Any, axes: tuple[int, ...]) -> Any:
    """m = max of ``x`` over ``axes`` (kept), a constant for autograd; 0 where not finite.

    An empty slice has no maximum: any shift is exact there, and 0 is used.
    """
    if any(x.shape[a] == 0 for a in axes):
        shape = tuple(1 if i in axes else n for i, n in enumerate(x.shape))
        return xp.zeros(shape, dtype=x.dtype, device=device_of(x))
    m = xp.max(stop_gradient(x), axis=axes, keepdims=True)
    return xp.where(xp.isfinite(m), m, xp.zeros_like(m))


def _log(xp: Any, s: Any) -> Any:
    """log s for sums s >= 0, with log 0 = -inf (an empty or all -inf slice), without a warning."""
    positive = s > 0
    return xp.where(positive, xp.log(xp.where(positive, s, xp.ones_like(s))),
                    xp.full_like(s, -math.inf))


# --------------------------------------------------------------------------- sigmoid


def sigmoid(x: Any) -> Any:
    r"""The logistic sigmoid, computed without overflow.

    .. math::
        \sigma(x) = \frac{1}{1 + e^{-x}} = \frac{e^{x}}{1 + e^{x}}

    The first form overflows for very negative ``x`` (``exp(800)``), the second
    for very positive ``x``. Writing :math:`e = e^{-|x|} \in (0, 1]` and picking
    the form by the sign of ``x`` never exponentiates a positive number.

    Properties (tested): :math:`\sigma(x) \in [0, 1]`,
    :math:`1 - \sigma(x) = \sigma(-x)`, and :math:`\tanh(x) = 2\sigma(2x) - 1`.

    Args:
        x: floating-point array of any shape.

    Returns:
        :math:`\sigma(x)`, same shape, dtype and device as ``x``.

    Example:
        >>> import numpy as np
        >>> sigmoid(np.array([-800.0, 0.0, 800.0]))
        array([0. , 0.5, 1. ])
    """
    check_floating(x, "x")
    return _sigmoid(namespace(x, names=("x",)), x)


def _sigmoid(xp: Any, x: Any) -> Any:
    """The kernel of :func:`sigmoid`, for callers that have checked ``x``."""
    # e = exp(-|x|) lies in (0, 1]: no overflow whatever the sign of x.
    # -|x| is written with `where` so that its derivative at 0 is -1, not abs's 0.
    positive = x >= 0
    e = xp.exp(xp.where(positive, -x, x))
    # sigma(x) = 1 / (1 + e) for x >= 0 and e / (1 + e) for x < 0: one division
    return xp.where(positive, 1.0, e) / (1 + e)


def sigmoid_backward(grad: Any, y: Any) -> Any:
    r"""Backward of :func:`sigmoid`, from its output ``y``.

    .. math::
        \frac{d\sigma}{dx} = \sigma(x)\,(1 - \sigma(x)) = y\,(1 - y)

    Args:
        grad: gradient of the loss with respect to ``y``.
        y: the output of :func:`sigmoid`.

    Returns:
        The gradient of the loss with respect to ``x``.

    Example:
        >>> import numpy as np
        >>> sigmoid_backward(np.ones(1), sigmoid(np.zeros(1)))
        array([0.25])
    """
    namespace(grad, y, names=("grad", "y"))
    check_same_shape(grad, y, ("grad", "y"))
    return grad * y * (1 - y)


sigmoid = autograd.register(sigmoid, sigmoid_backward, output="y")


# ------------------------------------------------------------------------------ tanh


def tanh(x: Any) -> Any:
    r"""The hyperbolic tangent, a sigmoid rescaled to :math:`[-1, 1]`.

    .. math::
        \tanh(x) = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}} = 2\sigma(2x) - 1

    Args:
        x: floating-point array of any shape.

    Returns:
        :math:`\tanh(x)`, same shape, dtype and device as ``x``.

    Example:
        >>> import numpy as np
        >>> tanh(np.array([-1000.0, 0.0, 1000.0]))
        array([-1.,  0.,  1.])
    """
    check_floating(x, "x")
    xp = namespace(x, names=("x",))
    return xp.tanh(x)


def tanh_backward(grad: Any, y: Any) -> Any:
    r"""Backward of :func:`tanh`, from its output ``y``.

    .. math::
        \frac{d\tanh}{dx} = 1 - \tanh^2(x) = 1 - y^2

    Args:
        grad: gradient of the loss with respect to ``y``.
        y: the output of :func:`tanh`.

    Returns:
        The gradient of the loss with respect to ``x``.

    Example:
        >>> import numpy as np
        >>> tanh_backward(np.ones(1), tanh(np.zeros(1)))
        array([1.])
    """
    namespace(grad, y, names=("grad", "y"))
    check_same_shape(grad, y, ("grad", "y"))
    return grad * (1 - y * y)


tanh = autograd.register(tanh, tanh_backward, output="y")


# ------------------------------------------------------------------------------ relu


def relu(x: Any) -> Any:
    r"""The rectified linear unit, :math:`\mathrm{ReLU}(x) = \max(x, 0)`.

    Args:
        x: floating-point array of any shape.

    Returns:
        ``x`` where it is positive, 0 elsewhere.

    Example:
        >>> import numpy as np
        >>> relu(np.array([-2.0, 0.0, 3.0]))
        array([0., 0., 3.])
    """
    check_floating(x, "x")
    return _relu(namespace(x, names=("x",)), x)


def _relu(xp: Any, x: Any) -> Any:
    """The kernel of :func:`relu`, for callers that have checked ``x``."""
    return xp.where(x > 0, x, xp.zeros_like(x))


def relu_backward(grad: Any, x: Any) -> Any:
    r"""Backward of :func:`relu`, from its input ``x``.

    .. math::
        \frac{d\,\mathrm{ReLU}}{dx} = [x > 0]

    (0 at ``x = 0``, as in torch).

    Example:
        >>> import numpy as np
        >>> relu_backward(np.ones(3), np.array([-1.0, 0.0, 2.0]))
        array([0., 0., 1.])
    """
    xp = namespace(grad, x, names=("grad", "x"))
    check_same_shape(grad, x, ("grad", "x"))
    return xp.where(x > 0, grad, xp.zeros_like(grad))


relu = autograd.register(relu, relu_backward)


# ------------------------------------------------------------------------- logsumexp


def logsumexp(x: Any, axis: int | tuple[int, ...] = -1, keepdims: bool = False) -> Any:
    r"""The log-sum-exp :math:`\log \sum_k e^{x_k}`, without overflow.

    .. math::
        \log \sum_k e^{x_k} = m + \log \sum_k e^{x_k - m}, \qquad m = \max_k x_k

    After the shift the largest exponent is :math:`e^0 = 1`, so the sum lies in
    :math:`[1, K]` and neither overflows nor underflows to 0. The identity holds
    for any :math:`m`; the maximum is the choice that makes it safe. As in torch,
    a slice of only ``-inf`` gives ``-inf``, so does an empty slice (the log of an
    empty sum), and a 0-d input is its own log-sum-exp.

    Args:
        x: floating-point array.
        axis: the axis to reduce, or a tuple of axes (torch's ``dim``).
        keepdims: keep the reduced axes with length 1 (torch's ``keepdim``).

    Returns:
        The log-sum-exp over ``axis``.

    Example:
        >>> import numpy as np
        >>> float(logsumexp(np.array([1000.0, 1000.0])))  # 1000 + log 2
        1000.6931471805599
        >>> logsumexp(np.zeros((2, 3, 4)), axis=(0, 2)).round(4)  # log 8, three times
        array([2.0794, 2.0794, 2.0794])
    """
    check_floating(x, "x")
    xp = namespace(x, names=("x",))
    if x.ndim == 0:  # one element along one axis, as in torch (which also allows axis=())
        axis = 0 if isinstance(axis, (tuple, list)) and len(axis) == 0 else axis
        return xp.reshape(_logsumexp(xp, xp.reshape(x, (1,)), _axes(axis, 1), False), ())
    return _logsumexp(xp, x, _axes(axis, x.ndim), keepdims)


def _logsumexp(xp: Any, x: Any, axes: tuple[int, ...], keepdims: bool) -> Any:
    """The kernel of :func:`logsumexp`, over checked, sorted ``axes``."""
    m = _max_shift(xp, x, axes)
    # log sum_k exp(x_k) = m + log sum_k exp(x_k - m)
    out = m + _log(xp, xp.sum(xp.exp(x - m), axis=axes, keepdims=True))
    return out if keepdims else xp.squeeze(out, axis=axes)


def logsumexp_backward(grad: Any, x: Any, axis: int | tuple[int, ...] = -1,
                       keepdims: bool = False) -> Any:
    r"""Backward of :func:`logsumexp`: the gradient is the softmax.

    .. math::
        \frac{\partial}{\partial x_k} \log \sum_j e^{x_j} = \frac{e^{x_k}}{\sum_j e^{x_j}}
        = e^{x_k - \mathrm{logsumexp}(x)} = \mathrm{softmax}(x)_k

    (over every reduced axis at once when ``axis`` is a tuple).

    Args:
        grad: gradient of the loss with respect to the log-sum-exp.
        x: the input of :func:`logsumexp`.
        axis: as in the forward call.
        keepdims: as in the forward call.

    Example:
        >>> import numpy as np
        >>> logsumexp_backward(np.array(1.0), np.array([0.0, 0.0]))
        array([0.5, 0.5])
    """
    xp = namespace(grad, x, names=("grad", "x"))
    if x.ndim == 0:  # one element along one axis, as in the forward call
        axis = 0 if isinstance(axis, (tuple, list)) and len(axis) == 0 else axis
    axes = _axes(axis, max(x.ndim, 1))
    kept = tuple(1 if i in axes else n for i, n in enumerate(x.shape))  # logsumexp's, keepdims
    out = kept if keepdims else tuple(n for i, n in enumerate(x.shape) if i not in axes)
    if tuple(grad.shape) != out:
        raise ValueError(f"grad must have the shape of logsumexp(x), {out}, "
                         f"got {tuple(grad.shape)}")
    if x.ndim == 0:
        return xp.reshape(logsumexp_backward(grad, xp.reshape(x, (1,)), axis=axis), ())
    # softmax over the reduced axes: exp(x - logsumexp(x))
    return xp.reshape(grad, kept) * xp.exp(x - _logsumexp(xp, x, axes, True))


logsumexp = autograd.register(logsumexp, logsumexp_backward)


# --------------------------------------------------------------------------- softmax


def softmax(x: Any, axis: int = -1, beta: float = 1.0) -> Any:
    r"""Softmax with inverse temperature ``beta``: a differentiable argmax.

    .. math::
        \mathrm{softmax}(x)_k = \frac{e^{\beta x_k}}{\sum_j e^{\beta x_j}}
        = \frac{e^{\beta x_k - m}}{\sum_j e^{\beta x_j - m}},
        \qquad m = \max_j \beta x_j

    Subtracting :math:`m` changes nothing (numerator and denominator share the
    factor :math:`e^{-m}`) but keeps every exponent :math:`\le 0`, so nothing
    overflows.

    Properties (tested): entries lie in :math:`[0, 1]` and sum to 1 along
    ``axis``; :math:`\mathrm{softmax}(x + c) = \mathrm{softmax}(x)`;
    :math:`\mathrm{softmax}([0, x])_1 = \sigma(x)`; as ``beta`` grows the output
    tends to :func:`hardmax`.

    Args:
        x: floating-point array of logits; ``-inf`` entries get probability 0.
            A 0-d input is one class (its softmax is 1, as in torch); an empty
            input gives an empty output.
        axis: the axis to normalise over (torch's ``dim``).
        beta: inverse temperature :math:`\beta > 0`; larger is sharper.

    Returns:
        Probabilities, same shape as ``x``.

    Example:
        >>> import numpy as np
        >>> softmax(np.array([1.0, 3.0])).round(2)
        array([0.12, 0.88])
        >>> softmax(np.array([1.0, 3.0]), beta=10.0).round(6)
        array([0., 1.])
        >>> softmax(np.array(5.0)), softmax(np.zeros((2, 0))).shape
        (array(1.), (2, 0))
    """
    check_floating(x, "x")
    beta = check_number(beta, "beta", low=0.0, low_open=True)
    xp = namespace(x, names=("x",))
    if x.ndim == 0:  # one element along one axis, as in torch
        return xp.reshape(_softmax(xp, xp.reshape(x, (1,)), check_axis(axis, 1), beta), ())
    return _softmax(xp, x, check_axis(axis, x.ndim), beta)


def _softmax(xp: Any, x: Any, axis: int, beta: float) -> Any:
    """The kernel of :func:`softmax`, for a checked ``x``, ``axis`` and ``beta``."""
    m = _max_shift(xp, x, (axis,))
    # e_k = exp(beta (x_k - max_j x_j)): every exponent <= 0, so nothing overflows
    e = xp.exp(beta * (x - m))
    # y_k = e_k / sum_j e_j
    return e / xp.sum(e, axis=axis, keepdims=True)


def softmax_backward(grad: Any, y: Any, axis: int = -1, beta: float = 1.0) -> Any:
    r"""Backward of :func:`softmax`, from its output ``y``.

    The Jacobian is :math:`J = \beta\,(\mathrm{diag}(y) - y y^\top)`, so the
    vector-Jacobian product never needs the :math:`K \times K` matrix:

    .. math::
        \frac{\partial L}{\partial x_k} = \beta\, y_k \Big(g_k - \sum_j g_j y_j\Big)

    Every input receives gradient from every output: softmax is not an
    element-wise map.

    Args:
        grad: :math:`g`, the gradient of the loss with respect to ``y``.
        y: the output of :func:`softmax`.
        axis: as in the forward call.
        beta: as in the forward call.

    Example:
        >>> import numpy as np
        >>> y = softmax(np.array([0.0, 0.0]))
        >>> softmax_backward(np.array([1.0, 0.0]), y)
        array([ 0.25, -0.25])
    """
    xp = namespace(grad, y, names=("grad", "y"))
    check_same_shape(grad, y, ("grad", "y"))
    beta = check_number(beta, "beta", low=0.0, low_open=True)
    if y.ndim == 0:  # one element along one axis, as in the forward call
        one = softmax_backward(xp.reshape(grad, (1,)), xp.reshape(y, (1,)), axis=axis, beta=beta)
        return xp.reshape(one, ())
    axis = check_axis(axis, y.ndim)
    # g . y, the part of the gradient that every entry shares
    gy = xp.sum(grad * y, axis=axis, keepdims=True)
    return beta * y * (grad - gy)


softmax = autograd.register(softmax, softmax_backward, output="y")


def softmax_jacobian(y: Any) -> Any:
    r"""The full Jacobian of softmax at a vector, from its output ``y``.

    .. math::
        J_{kj} = \frac{\partial y_k}{\partial x_j} = y_k\,([k = j] - y_j),
        \qquad J = \mathrm{diag}(y) - y y^\top

    Args:
        y: a 1-D output of :func:`softmax`, shape ``(K,)``.

    Returns:
        The ``(K, K)`` Jacobian. It is symmetric and each row sums to 0.

    Example:
        >>> import numpy as np
        >>> softmax_jacobian(np.array([0.5, 0.5]))
        array([[ 0.25, -0.25],
               [-0.25,  0.25]])
    """
    xp = namespace(y, names=("y",))
    if y.ndim != 1:
        raise ValueError(f"y must be a vector (1-D), got shape {tuple(y.shape)}")
    # diag(y) as the identity times y, then the outer product y y^T
    eye = xp.eye(y.shape[0], dtype=y.dtype, device=device_of(y))
    return eye * y[None, :] - y[:, None] * y[None, :]


# ----------------------------------------------------------------------- log-softmax


def log_softmax(x: Any, axis: int = -1) -> Any:
    r"""The logarithm of :func:`softmax`, computed directly.

    .. math::
        \log \mathrm{softmax}(x)_k = x_k - \log \sum_j e^{x_j}

    Taking ``log(softmax(x))`` instead fails when a probability underflows to
    0 (``log 0 = -inf``); this form stays finite wherever ``x`` is. The
    log-sum-exp is computed as in :func:`logsumexp`.

    Args:
        x: floating-point array of logits. A 0-d input is one class (its
            log-probability is 0, as in torch); an empty input gives an empty
            output.
        axis: the axis to normalise over (torch's ``dim``).

    Returns:
        Log-probabilities, same shape as ``x``.

    Example:
        >>> import numpy as np
        >>> log_softmax(np.array([0.0, 1000.0]))
        array([-1000.,     0.])
    """
    check_floating(x, "x")
    xp = namespace(x, names=("x",))
    if x.ndim == 0:  # one element along one axis, as in torch
        return xp.reshape(_log_softmax(xp, xp.reshape(x, (1,)), check_axis(axis, 1)), ())
    return _log_softmax(xp, x, check_axis(axis, x.ndim))


def _log_softmax(xp: Any, x: Any, axis: int) -> Any:
    """The kernel of :func:`log_softmax`, for a checked ``x`` and ``axis``."""
    # log softmax(x)_k = x_k - log sum_j e^{x_j}
    return x - _logsumexp(xp, x, (axis,), True)


def log_softmax_backward(grad: Any, y: Any, axis: int = -1) -> Any:
    r"""Backward of :func:`log_softmax`, from its output ``y``.

    .. math::
        \frac{\partial L}{\partial x_k} = g_k - e^{y_k} \sum_j g_j

    Unlike softmax's, this gradient does not vanish when one logit dominates:
    with :math:`g = -e_c` (the gradient of :math:`-\log p_c`) it is
    :math:`p - e_c`, of size about 1 while the prediction is wrong.

    Args:
        grad: gradient of the loss with respect to ``y``.
        y: the output of :func:`log_softmax`.
        axis: as in the forward call.

    Example:
        >>> import numpy as np
        >>> y = log_softmax(np.array([0.0, 0.0]))
        >>> log_softmax_backward(np.array([-1.0, 0.0]), y)
        array([-0.5,  0.5])
    """
    xp = namespace(grad, y, names=("grad", "y"))
    check_same_shape(grad, y, ("grad", "y"))
    if y.ndim == 0:  # one element along one axis, as in the forward call
        one = log_softmax_backward(xp.reshape(grad, (1,)), xp.reshape(y, (1,)), axis=axis)
        return xp.reshape(one, ())
    axis = check_axis(axis, y.ndim)
    return grad - xp.exp(y) * xp.sum(grad, axis=axis, keepdims=True)


log_softmax = autograd.register(log_softmax, log_softmax_backward, output="y")


# --------------------------------------------------------------------------- hardmax


def hardmax(x: Any, axis: int = -1) -> Any:
    r"""The one-hot argmax: 1 at the largest entry along ``axis``, 0 elsewhere.

    .. math::
        \mathrm{hardmax}(x)_k = [k = \arg\max_j x_j]

    Ties go to the first maximal entry, as with ``argmax``. This is the limit of
    ``softmax(x, beta=b)`` as :math:`b \to \infty` (for a unique maximum), and it
    generalises the step function: ``hardmax([0, x])[1]`` is :math:`[x > 0]`.

    Args:
        x: floating-point array. A 0-d input is one class (its hardmax is 1, as
            its softmax is).
        axis: the axis to take the argmax over.

    Returns:
        A one-hot array, same shape and dtype as ``x``.

    Example:
        >>> import numpy as np
        >>> hardmax(np.array([[1.0, 3.0, 2.0], [5.0, 5.0, 0.0]]))
        array([[0., 1., 0.],
               [1., 0., 0.]])
    """
    check_floating(x, "x")
    xp = namespace(x, names=("x",))
    axis = check_axis(axis, max(x.ndim, 1))
    if x.ndim == 0:  # one element along one axis, as in softmax: it is the largest
        return xp.ones_like(x)
    idx = xp.argmax(x, axis=axis, keepdims=True)
    # positions 0..K-1 laid along `axis`, compared with the argmax
    shape = [1] * x.ndim
    shape[axis] = x.shape[axis]
    positions = xp.reshape(xp.arange(x.shape[axis], device=idx.device), tuple(shape))
    return xp.astype(positions == idx, x.dtype)


def hardmax_backward(grad: Any, x: Any, axis: int = -1) -> Any:
    r"""Backward of :func:`hardmax`: zero everywhere.

    The one-hot output is piecewise constant in ``x``, so a small change of the
    input never changes it: no gradient flows, which is why networks use
    softmax where they would like an argmax.

    Example:
        >>> import numpy as np
        >>> hardmax_backward(np.ones(3), np.array([1.0, 2.0, 3.0]))
        array([0., 0., 0.])
    """
    xp = namespace(grad, x, names=("grad", "x"))
    check_same_shape(grad, x, ("grad", "x"))
    check_axis(axis, max(x.ndim, 1))  # a 0-d x is one element along one axis, as in hardmax
    return xp.zeros_like(grad)


hardmax = autograd.register(hardmax, hardmax_backward)
