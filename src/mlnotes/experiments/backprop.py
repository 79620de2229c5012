r"""The experiments of the backpropagation page: a tiny MLP, its gradient by both modes.

- :func:`init_mlp` and :func:`mlp_loss`: a tanh MLP with a cross-entropy loss, written
  with the package's functions, so that it runs on NumPy arrays and, given
  :class:`mlnotes.autograd.Tensor` parameters, records its graph for ``backward()``;
- :func:`mlp_jvp` and :func:`forward_mode_gradient`: the same loss differentiated in
  forward mode, one Jacobian-vector product per input direction;
- :func:`mode_costs`: the time of a forward pass, of forward and backward, and of the
  whole gradient by forward mode, for networks of growing width.

Explained in the book: :doc:`/backprop`; presented in the deck "Lecture: Softmax".
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..activations import tanh
from ..autograd import Tensor
from ..backend import as_generator, check_count
from ..losses import cross_entropy, cross_entropy_backward

__all__ = ["init_mlp", "mlp_loss", "mlp_jvp", "forward_mode_gradient", "mode_costs"]


def init_mlp(sizes: Sequence[int] = (2, 16, 3),
             generator: int | np.random.Generator = 0) -> list[np.ndarray]:
    r"""The parameters of an MLP with layer widths ``sizes``: ``[W1, b1, W2, b2, ...]``.

    Each weight :math:`W_l` has shape ``(sizes[l-1], sizes[l])`` and entries drawn
    from :math:`\mathcal N(0, 1/\text{fan-in})`; each bias starts at zero.

    Args:
        sizes: the widths, input first and classes last (at least two).
        generator: an int seed or a ``numpy.random.Generator``.

    Returns:
        A list of float64 arrays, weight then bias for each layer.

    Example:
        >>> [p.shape for p in init_mlp((2, 4, 3))]
        [(2, 4), (4,), (4, 3), (3,)]
    """
    if len(sizes) < 2:
        raise ValueError(f"sizes must name at least two widths, got {tuple(sizes)}")
    sizes = [check_count(n, "sizes") for n in sizes]
    rng = as_generator(generator)
    params = []
    for fan_in, fan_out in zip(sizes[:-1], sizes[1:], strict=True):
        params += [rng.normal(size=(fan_in, fan_out)) / np.sqrt(fan_in), np.zeros(fan_out)]
    return params


def _check_params(params: Any, name: str = "params") -> list[tuple[int, ...]]:
    """``params`` is [W1, b1, ..., WL, bL] of chained shapes (arrays or Tensors); their shapes."""
    if not isinstance(params, (list, tuple)):
        raise TypeError(f"{name} must be a list [W1, b1, ..., WL, bL], got "
                        f"{type(params).__name__}")
    if len(params) < 2 or len(params) % 2:
        raise ValueError(f"{name} must be [W1, b1, ..., WL, bL], a weight and a bias per "
                         f"layer, got {len(params)} arrays")
    shapes = []
    for k, p in enumerate(params):
        d = p.data if isinstance(p, Tensor) else p
        if not isinstance(d, np.ndarray) or not np.issubdtype(d.dtype, np.floating):
            raise TypeError(f"{name}[{k}] must be a floating-point NumPy array or Tensor, got "
                            f"{getattr(d, 'dtype', type(d).__name__)}")
        shapes.append(d.shape)
    for k in range(0, len(shapes), 2):
        W, b = shapes[k], shapes[k + 1]
        if len(W) != 2 or b != W[1:] or (k and W[0] != shapes[k - 2][1]) or 0 in W:
            raise ValueError(f"{name} must chain: W{k // 2 + 1} of shape (fan-in, fan-out) "
                             f"with fan-in the previous fan-out, b{k // 2 + 1} of shape "
                             f"(fan-out,); got shapes {shapes}")
    return shapes


def _check_tangents(tangents: Any) -> list:
    if not isinstance(tangents, (list, tuple)) or not all(
            isinstance(t, np.ndarray) and np.issubdtype(t.dtype, np.floating) for t in tangents):
        raise TypeError("tangents must be a list of floating-point NumPy arrays, one per "
                        f"parameter, got {type(tangents).__name__}")
    return list(tangents)


def _check_data(params: Any, X: Any, y: Any, arrays_only: bool = False) -> None:
    """``params`` chained, ``X`` (N, D) floats with D the first fan-in, ``y`` (N,) labels."""
    shapes = _check_params(params)
    if arrays_only and any(isinstance(p, Tensor) for p in params):
        raise TypeError("params must be NumPy arrays here (forward mode runs on plain arrays), "
                        "got a Tensor")
    if not isinstance(X, np.ndarray) or not np.issubdtype(X.dtype, np.floating):
        raise TypeError(f"X must be a floating-point NumPy array (N, D), got "
                        f"{getattr(X, 'dtype', type(X).__name__)}")
    if X.ndim != 2 or len(X) == 0 or X.shape[1] != shapes[0][0]:
        raise ValueError(f"X must have shape (N, {shapes[0][0]}) with N >= 1, got {X.shape}")
    if not isinstance(y, np.ndarray) or not np.issubdtype(y.dtype, np.integer):
        raise TypeError(f"y must be a NumPy array of integer class labels, got "
                        f"{getattr(y, 'dtype', type(y).__name__)}")
    classes = shapes[-1][0]
    if y.shape != (len(X),) or y.min() < 0 or y.max() >= classes:
        raise ValueError(f"y must hold one label in 0..{classes - 1} per row of X, shape "
                         f"({len(X)},), got shape {y.shape}")


def mlp_loss(params: Sequence[Any], X: Any, y: Any) -> Any:
    r"""The mean cross-entropy of a tanh MLP, from its parameters and a batch.

    The hidden layers are :math:`h_0 = X`, :math:`h_l = \tanh(h_{l-1} W_l + b_l)`.

    The last layer gives the logits, :math:`z = h_{L-1} W_L + b_L`, and the loss is
    :func:`mlnotes.losses.cross_entropy` of ``z`` and ``y``. Built from the
    package's registered functions, so with Tensor parameters the graph holds one
    node per ``tanh`` and one for the loss, each with the package's own backward.

    Args:
        params: ``[W1, b1, ..., WL, bL]`` (NumPy arrays or Tensors), as
            :func:`init_mlp` makes them.
        X: inputs ``(N, D)``.
        y: class labels ``(N,)``.

    Returns:
        The loss: a NumPy scalar, or a one-element Tensor when ``params`` are Tensors.

    Example:
        >>> X, y = np.ones((2, 2)), np.array([0, 1])
        >>> params = [Tensor(p, requires_grad=True) for p in init_mlp((2, 4, 2))]
        >>> loss = mlp_loss(params, X, y)
        >>> loss.backward()
        >>> params[0].grad.shape
        (2, 4)
    """
    _check_data(params, X, y)
    h = X
    for i in range(0, len(params) - 2, 2):
        h = tanh(h @ params[i] + params[i + 1])            # h_l = tanh(h W + b)
    return cross_entropy(h @ params[-2] + params[-1], y)   # z = h W + b, L = CE(z, y)


def mlp_jvp(params: Sequence[np.ndarray], tangents: Sequence[np.ndarray], X: np.ndarray,
            y: np.ndarray) -> tuple[float, float]:
    r"""Forward mode: the loss and its derivative along one direction of the parameters.

    Beside each value :math:`v` the pass carries :math:`\dot v`, the derivative of
    :math:`v` along the direction ``tangents`` (one array per parameter):

    .. math::
        \dot z = \dot h\, W + h\, \dot W + \dot b, \qquad
        \dot h' = (1 - \tanh^2 z) \odot \dot z, \qquad
        \dot L = \langle \partial L / \partial z, \dot z \rangle .

    Args:
        params: ``[W1, b1, ...]`` as NumPy arrays.
        tangents: one array of each parameter's shape: the direction.
        X: inputs ``(N, D)``.
        y: class labels ``(N,)``.

    Returns:
        ``(L, dL)``: the loss and its directional derivative.

    Example:
        >>> params = init_mlp((2, 3, 2))
        >>> X, y = np.ones((1, 2)), np.array([1])
        >>> L, dL = mlp_jvp(params, [np.zeros_like(p) for p in params], X, y)
        >>> dL
        0.0
    """
    _check_data(params, X, y, arrays_only=True)
    if [np.shape(t) for t in _check_tangents(tangents)] != [np.shape(p) for p in params]:
        raise ValueError(f"tangents must hold one array of each parameter's shape, "
                         f"{[np.shape(p) for p in params]}, got "
                         f"{[np.shape(t) for t in tangents]}")
    h, dh = X, np.zeros_like(X, dtype=float)
    for i in range(0, len(params), 2):
        W, b, dW, db = params[i], params[i + 1], tangents[i], tangents[i + 1]
        z, dz = h @ W + b, dh @ W + h @ dW + db    # the product rule
        if i + 2 == len(params):
            break
        h = tanh(z)
        dh = (1 - h ** 2) * dz                     # tanh' = 1 - tanh^2
    # the loss is one number: its local Jacobian is the row dL/dz
    return float(cross_entropy(z, y)), float(np.sum(cross_entropy_backward(1.0, z, y) * dz))


def forward_mode_gradient(params: Sequence[np.ndarray], X: np.ndarray, y: np.ndarray
                          ) -> list[np.ndarray]:
    r"""The whole gradient by forward mode: one :func:`mlp_jvp` pass per parameter entry.

    Example:
        >>> params = init_mlp((2, 3, 2))
        >>> X, y = np.ones((4, 2)), np.array([0, 1, 1, 0])
        >>> grads = forward_mode_gradient(params, X, y)
        >>> reverse = [Tensor(p, requires_grad=True) for p in params]
        >>> mlp_loss(reverse, X, y).backward()
        >>> all(np.allclose(g, t.grad) for g, t in zip(grads, reverse))
        True
    """
    _check_data(params, X, y, arrays_only=True)
    grads = [np.zeros_like(p) for p in params]
    for k, p in enumerate(params):
        for index in np.ndindex(p.shape):
            tangents = [np.zeros_like(q) for q in params]
            tangents[k][index] = 1.0                     # the direction e_(k, index)
            grads[k][index] = mlp_jvp(params, tangents, X, y)[1]
    return grads


def _best_time(fn: Any, repeats: int) -> float:
    best = np.inf
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def mode_costs(widths: Sequence[int] = (4, 8, 16, 32, 128), n: int = 150, repeats: int = 5,
               forward_mode_limit: int = 1500, generator: int | np.random.Generator = 0
               ) -> list[dict]:
    r"""Seconds for a forward pass, forward and backward, and forward mode, by network width.

    For each hidden width :math:`H` an MLP ``(2, H, H, 3)`` on ``n`` spiral points
    (:func:`mlnotes.datasets.spirals`): the best of ``repeats`` timings of the loss
    alone, of the loss and ``backward()`` on the engine, and (once, for networks
    of at most ``forward_mode_limit`` parameters) of :func:`forward_mode_gradient`,
    which makes one pass per parameter.

    Args:
        widths: the hidden widths to try.
        n: the number of data points (a multiple of 3 is split evenly).
        repeats: timings per measurement, the best kept.
        forward_mode_limit: above this many parameters forward mode is not timed
            (``nan``): its cost grows with their number.
        generator: an int seed or a ``numpy.random.Generator``.

    Returns:
        One dict per width: ``width``, ``params`` (the number of parameters),
        ``forward``, ``reverse`` and ``forward_mode`` (seconds).

    Example:
        >>> row = mode_costs(widths=(2,), n=6, repeats=1)[0]
        >>> row["params"], sorted(row)
        (21, ['forward', 'forward_mode', 'params', 'reverse', 'width'])
    """
    from ..datasets import spirals

    n, repeats = check_count(n, "n"), check_count(repeats, "repeats")
    widths = [check_count(w, "widths") for w in widths]
    if isinstance(forward_mode_limit, bool) or not isinstance(forward_mode_limit, int):
        raise TypeError(f"forward_mode_limit must be an int, got "
                        f"{type(forward_mode_limit).__name__}")
    rng = as_generator(generator)
    X, y = spirals(max(n // 3, 1), classes=3, generator=rng)
    rows = []
    for width in widths:
        params = init_mlp((2, width, width, 3), generator=rng)

        def reverse(params=params):
            tensors = [Tensor(p, requires_grad=True) for p in params]
            mlp_loss(tensors, X, y).backward()

        count = int(sum(p.size for p in params))
        rows.append({
            "width": width,
            "params": count,
            "forward": _best_time(lambda params=params: mlp_loss(params, X, y), repeats),
            "reverse": _best_time(reverse, repeats),
            "forward_mode": _best_time(lambda params=params: forward_mode_gradient(params, X, y),
                                       1) if count <= forward_mode_limit else float("nan"),
        })
    return rows
