r"""Gates: soft gates, softmax gating and the multiplicative (bilinear) layer.

A gate lets one signal decide how much of another gets through. The soft gate
mixes two candidates with a sigmoid, softmax gating mixes ``K`` candidates with
a softmax, and scaled dot-product attention (:mod:`mlnotes.attention`) is softmax
gating whose logits are the similarities of a query with keys. All of them
multiply two signals, which makes them special cases of the multiplicative
(bilinear, or quadratic) layer :math:`y_i = \sum_{jk} W_{ijk}\, x_j z_k`.

One body serves NumPy arrays and torch tensors (see :mod:`mlnotes.backend`);
:class:`GatedNetwork` is a ``torch.nn.Module`` built from :func:`soft_gate`, and
:class:`NumpyGatedNetwork` its twin over NumPy (an :class:`mlnotes.nn.Module`), running
the same ``forward``.

Explained in the book: :doc:`/gating` (gates, softmax gating) and
:doc:`/architectures` (multiplicative modules); presented in the decks "Lecture: Gates
and attention" and "Lecture: Architectures". The page's experiment (a gated network
trained) is in :mod:`mlnotes.experiments.gating`.

Shapes: ``N`` batch, ``K`` candidates, ``D`` features, ``O`` outputs; ``...`` any
batch dimensions.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import autograd, nn
from .activations import _sigmoid, _softmax, sigmoid
from .backend import check_count, check_floating, import_torch, namespace

torch = import_torch()

__all__ = [
    "soft_gate",
    "soft_gate_backward",
    "softmax_gate",
    "bilinear",
    "switch_weight",
    "GatedNetwork",
    "NumpyGatedNetwork",
]


def _broadcast(shapes: list[tuple[int, ...]], what: str) -> tuple[int, ...]:
    """np.broadcast_shapes with an error message that says what did not line up."""
    try:
        return tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        listing = ", ".join(str(tuple(s)) for s in shapes)
        raise ValueError(f"{what} do not broadcast: {listing}") from None


# ------------------------------------------------------------------------- soft gate


def soft_gate(x: Any, y: Any, r: Any) -> Any:
    r"""The soft gate: a sigmoid of ``r`` chooses between ``x`` and ``y``.

    .. math::
        f(x, y, r) = x\,\sigma(r) + y\,(1 - \sigma(r))

    For large positive ``r`` the output is ``x``, for large negative ``r`` it
    is ``y``, and in between it is a blend. Because the choice is smooth, the
    gate's input ``r`` receives a gradient and can be learned.

    Args:
        x: the candidate chosen when :math:`r \to +\infty`.
        y: the candidate chosen when :math:`r \to -\infty`; same shape as ``x``.
        r: the gate's logit, same shape as ``x``.

    Returns:
        The gated mixture, same shape as ``x``.

    Example:
        >>> import numpy as np
        >>> soft_gate(np.array([1.0, 1.0, 1.0]), np.array([-1.0, -1.0, -1.0]),
        ...           np.array([-50.0, 0.0, 50.0]))
        array([-1.,  0.,  1.])
    """
    for a, name in ((x, "x"), (y, "y"), (r, "r")):
        check_floating(a, name)
    xp = namespace(x, y, r, names=("x", "y", "r"))
    if not tuple(x.shape) == tuple(y.shape) == tuple(r.shape):
        raise ValueError(
            f"x, y and r must have the same shape, got {tuple(x.shape)}, "
            f"{tuple(y.shape)} and {tuple(r.shape)}"
        )
    s = _sigmoid(xp, r)
    # f = x s + y (1 - s)
    return x * s + y * (1 - s)


def soft_gate_backward(grad: Any, x: Any, y: Any, r: Any) -> tuple[Any, Any, Any]:
    r"""Backward of :func:`soft_gate`: the three partials times the incoming gradient.

    .. math::
        \frac{\partial f}{\partial x} = \sigma(r), \qquad
        \frac{\partial f}{\partial y} = 1 - \sigma(r), \qquad
        \frac{\partial f}{\partial r} = (x - y)\,\sigma'(r) = (x - y)\,\sigma(r)(1 - \sigma(r))

    The gate controls the gradient flow: a branch that the gate shuts
    (:math:`\sigma(r) \approx 0` for ``x``) receives almost no gradient, and
    the gate itself learns only while the two candidates differ and it is not
    saturated.

    Args:
        grad: gradient of the loss with respect to the output.
        x, y, r: the inputs of the forward call.

    Returns:
        ``(grad_x, grad_y, grad_r)``.

    Example:
        >>> import numpy as np
        >>> gx, gy, gr = soft_gate_backward(np.ones(1), np.array([3.0]), np.array([1.0]),
        ...                                 np.zeros(1))
        >>> gx, gy, gr
        (array([0.5]), array([0.5]), array([0.5]))
    """
    xp = namespace(grad, x, y, r, names=("grad", "x", "y", "r"))
    if not tuple(grad.shape) == tuple(x.shape) == tuple(y.shape) == tuple(r.shape):
        raise ValueError(
            f"grad, x, y and r must have the same shape, got {tuple(grad.shape)}, "
            f"{tuple(x.shape)}, {tuple(y.shape)} and {tuple(r.shape)}"
        )
    s = _sigmoid(xp, r)
    return grad * s, grad * (1 - s), grad * (x - y) * s * (1 - s)


soft_gate = autograd.register(soft_gate, soft_gate_backward, wrt=("x", "y", "r"))


# ------------------------------------------------------------------- softmax gating


def softmax_gate(X: Any, R: Any) -> Any:
    r"""Softmax gating: mix ``K`` candidates with the weights :math:`\mathrm{softmax}(R)`.

    .. math::
        f(X, R) = \sum_{k=1}^{K} \mathrm{softmax}(R)_k\, X_k = X^\top \mathrm{softmax}(R)

    where :math:`X_k` is the ``k``-th candidate (a row of ``X``). With
    :math:`R = q K^\top / \sqrt{E}` and ``X`` the values this is exactly
    :func:`scaled_dot_product_attention`. The batch dimensions of ``X`` and
    ``R`` broadcast, so one set of candidates can serve many gates.

    Args:
        X: candidates, shape ``(..., K, D)``.
        R: gate logits, shape ``(..., K)``.

    Returns:
        The mixture, shape ``(..., D)``.

    Example:
        >>> import numpy as np
        >>> X = np.array([[1.0, 0.0], [0.0, 1.0], [5.0, 5.0]])
        >>> softmax_gate(X, np.array([0.0, 0.0, -np.inf]))
        array([0.5, 0.5])
    """
    check_floating(X, "X")
    check_floating(R, "R")
    xp = namespace(X, R, names=("X", "R"))
    if X.ndim < 2:
        raise ValueError(f"X must have shape (..., K, D), got shape {tuple(X.shape)}")
    if R.ndim < 1 or R.shape[-1] != X.shape[-2]:
        raise ValueError(
            f"R must have shape (..., K) with K = X.shape[-2] = {X.shape[-2]}, "
            f"got shape {tuple(R.shape)}"
        )
    _broadcast([tuple(X.shape[:-2]), tuple(R.shape[:-1])], "the batch dimensions of X and R")
    p = _softmax(xp, R, R.ndim - 1, 1.0)
    # f = sum_k p_k X_k
    return xp.sum(p[..., None] * X, axis=-2)


# ----------------------------------------------------------- the multiplicative layer


def bilinear(x1: Any, x2: Any, weight: Any, bias: Any = None) -> Any:
    r"""The multiplicative (bilinear, or quadratic) layer, as ``torch.nn.functional.bilinear``.

    .. math::
        y_i = \sum_{j,k} W_{ijk}\, x_{1,j}\, x_{2,k} + b_i

    Read it as a linear layer :math:`y = V x_1` whose weights
    :math:`V_{ij} = \sum_k W_{ijk} x_{2,k}` are computed from the second input:
    one input sets the weights that act on the other. Gates, softmax gating and
    attention are all special cases (see :func:`switch_weight`).

    Args:
        x1: shape ``(..., D1)``.
        x2: shape ``(..., D2)``, the same batch dimensions as ``x1``.
        weight: :math:`W`, shape ``(O, D1, D2)``.
        bias: :math:`b`, shape ``(O,)``, or ``None``.

    Returns:
        Shape ``(..., O)``.

    Example:
        >>> import numpy as np
        >>> W = np.ones((1, 1, 1))  # y = x1 * x2: a product, which no linear layer makes
        >>> bilinear(np.array([[2.0], [3.0]]), np.array([[4.0], [-1.0]]), W)
        array([[ 8.],
               [-3.]])
    """
    for a, name in ((x1, "x1"), (x2, "x2"), (weight, "weight")):
        check_floating(a, name)
    xp = namespace(x1, x2, weight, bias, names=("x1", "x2", "weight", "bias"), optional=("bias",))
    if weight.ndim != 3:
        raise ValueError(f"weight must have shape (O, D1, D2), got shape {tuple(weight.shape)}")
    O, D1, D2 = weight.shape
    if x1.ndim < 1 or x1.shape[-1] != D1:
        raise ValueError(f"x1 must have shape (..., D1) with D1 = {D1}, got {tuple(x1.shape)}")
    if x2.ndim < 1 or x2.shape[-1] != D2:
        raise ValueError(f"x2 must have shape (..., D2) with D2 = {D2}, got {tuple(x2.shape)}")
    if tuple(x1.shape[:-1]) != tuple(x2.shape[:-1]):
        raise ValueError(
            f"x1 and x2 must have the same batch dimensions, got {tuple(x1.shape)} "
            f"and {tuple(x2.shape)}"
        )
    if bias is not None and tuple(bias.shape) != (O,):
        raise ValueError(f"bias must have shape (O,) = ({O},), got {tuple(bias.shape)}")
    # y_i = sum_jk W_ijk x1_j x2_k
    y = xp.einsum("ijk,...j,...k->...i", weight, x1, x2)
    return y if bias is None else y + bias


def switch_weight(size: int, num_inputs: int = 2) -> np.ndarray:
    r"""The fixed :math:`W` that turns :func:`bilinear` into a switch between inputs.

    With ``x1`` the concatenation :math:`[x^{(1)}; \dots; x^{(K)}]` of ``K``
    inputs of size ``D`` and ``x2`` a weight vector :math:`a` (say
    :math:`a = \mathrm{softmax}(z)`),

    .. math::
        W_{i,\,(k-1)D + i,\,k} = 1 \text{ (0 elsewhere)} \quad\Longrightarrow\quad
        \mathrm{bilinear}(x, a, W) = \sum_k a_k\, x^{(k)}

    so softmax gating, and attention over ``K`` values, is a bilinear layer with
    this weight.

    Args:
        size: ``D``, the size of each input.
        num_inputs: ``K``, the number of inputs switched between.

    Returns:
        A float64 NumPy array of shape ``(D, K * D, K)``.

    Example:
        >>> import numpy as np
        >>> x = np.array([1.0, 2.0, 10.0, 20.0])  # x1 = [1, 2], x2 = [10, 20]
        >>> bilinear(x, np.array([0.25, 0.75]), switch_weight(2))
        array([ 7.75, 15.5 ])
    """
    size, num_inputs = check_count(size, "size"), check_count(num_inputs, "num_inputs")
    W = np.zeros((size, num_inputs * size, num_inputs))
    for k in range(num_inputs):
        W[np.arange(size), k * size + np.arange(size), k] = 1.0
    return W


# ------------------------------------------------------------------- a gated network


class _GatedForward:
    """The forward of the gated network, one body for :class:`GatedNetwork` and its twin."""

    gate: Any
    x_net: Any
    y_net: Any

    def forward(self, a: Any, b: Any = None, c: Any = None) -> Any:
        """Gate, x-branch and y-branch see ``a``, ``b`` and ``c`` (``b`` and ``c`` default
        to ``a``)."""
        b = a if b is None else b
        c = a if c is None else c
        return soft_gate(self.x_net(b), self.y_net(c), self.gate(a))

    def gate_value(self, a: Any) -> Any:
        r""":math:`\sigma(r)`, the share of the x-branch, for inputs ``a``."""
        return sigmoid(self.gate(a))


class GatedNetwork(_GatedForward, torch.nn.Module):
    r"""Three networks and a soft gate: ``r = gate(a)``, ``x = x_net(b)``, ``y = y_net(c)``.

    .. math::
        f = x\,\sigma(r) + y\,(1 - \sigma(r))

    The output is :func:`soft_gate` of the three. Trained end to end, the gate
    learns which branch helps, and by :func:`soft_gate_backward` the branch it
    favours is the one that receives the gradient.

    Args:
        gate: the network that computes the gate logit ``r``.
        x_net: the branch chosen when the gate is open (:math:`\sigma(r) \to 1`).
        y_net: the branch chosen when it is shut.

    Example:
        >>> import torch
        >>> net = GatedNetwork(torch.nn.Linear(2, 1), torch.nn.Linear(2, 1),
        ...                    torch.nn.Linear(2, 1))
        >>> net(torch.zeros(5, 2)).shape
        torch.Size([5, 1])
    """

    def __init__(self, gate: torch.nn.Module, x_net: torch.nn.Module, y_net: torch.nn.Module):
        super().__init__()
        self.gate, self.x_net, self.y_net = gate, x_net, y_net


class NumpyGatedNetwork(_GatedForward, nn.Module):
    r"""The NumPy twin of :class:`GatedNetwork`: the same ``forward``, over :mod:`mlnotes.nn`.

    .. math::
        f = x\,\sigma(r) + y\,(1 - \sigma(r)), \qquad
        r = \text{gate}(a),\ x = \text{x\_net}(b),\ y = \text{y\_net}(c)

    The three networks are :class:`mlnotes.nn.Module` s; the parameter names are
    :class:`GatedNetwork`'s (``"gate.weight"``, ...), so
    ``twin.load_state_dict(torch_net.state_dict())`` starts it from the torch
    network's weights.

    Args:
        gate: the network that computes the gate logit ``r``.
        x_net: the branch chosen when the gate is open (:math:`\sigma(r) \to 1`).
        y_net: the branch chosen when it is shut.

    Example:
        >>> net = NumpyGatedNetwork(*(nn.Linear(2, 1, generator=k) for k in range(3)))
        >>> net(np.zeros((5, 2))).shape
        (5, 1)
        >>> [name for name, _ in net.named_parameters()][:2]
        ['gate.weight', 'gate.bias']
    """

    def __init__(self, gate: nn.Module, x_net: nn.Module, y_net: nn.Module) -> None:
        for value, name in ((gate, "gate"), (x_net, "x_net"), (y_net, "y_net")):
            if not isinstance(value, nn.Module):
                raise TypeError(f"{name} must be an mlnotes.nn.Module, "
                                f"got {type(value).__name__}")
        self.gate, self.x_net, self.y_net = gate, x_net, y_net
