r"""Parameter transforms, weight sharing and motif detection.

A *parameter transform* makes the weights :math:`w` of a network :math:`G(x; w)`
the output of another function :math:`w = H(u)`; training changes :math:`u`,
and :math:`w` follows. By the chain rule the gradient that reaches :math:`u` is

.. math::
    \frac{\partial L}{\partial u} = \Big(\frac{\partial H}{\partial u}\Big)^{\!\top}
    \frac{\partial L}{\partial w}

*Weight sharing* is the special :math:`H` that copies each entry of :math:`u`
into several places of :math:`w`; its Jacobian is a 0/1 matrix, so the gradient
of a shared parameter is the sum of the gradients of its copies. A *motif
detector* shares one small network across every position of a sequence and
keeps the best score: a ``conv1d`` followed by a global max, which finds the
motif wherever it sits.

One body serves NumPy arrays and torch tensors (see :mod:`mlnotes.backend`);
:class:`TransformedLinear` is a ``torch.nn.Module`` built from these functions, and
:class:`NumpyTransformedLinear` its twin over NumPy (an :class:`mlnotes.nn.Module`).

Explained in the book: :doc:`/architectures`; presented in the deck "Lecture:
Architectures".

Shapes: ``M`` entries of ``u``, ``P`` entries of ``w``, ``N`` batch, ``C``
channels, ``L`` sequence length, ``K`` motif length, ``T = L - K + 1``
positions, ``O`` detectors.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from . import autograd, nn
from .backend import as_generator, check_count, check_floating, import_torch, namespace

torch = import_torch()

__all__ = [
    "linear_transform",
    "transform_backward",
    "share",
    "share_backward",
    "sharing_matrix",
    "conv_index",
    "TransformedLinear",
    "NumpyTransformedLinear",
    "sliding_windows",
    "motif_scores",
    "motif_detector",
]


# --------------------------------------------------------------- parameter transforms


def linear_transform(u: Any, A: Any) -> Any:
    r"""The linear parameter transform :math:`w = H(u) = A u`.

    Its Jacobian is :math:`\partial H / \partial u = A`, so the gradient that
    reaches ``u`` is :math:`A^\top\, \partial L / \partial w`
    (:func:`transform_backward` with ``jacobian=A``).

    Args:
        u: the free parameters, shape ``(M,)``.
        A: the transform, shape ``(P, M)``.

    Returns:
        The weights ``w``, shape ``(P,)``.

    Example:
        >>> import numpy as np
        >>> linear_transform(np.array([1.0, 2.0]), np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 3.0]]))
        array([1., 3., 6.])
    """
    check_floating(u, "u")
    check_floating(A, "A")
    xp = namespace(u, A, names=("u", "A"))
    if u.ndim != 1 or A.ndim != 2 or A.shape[1] != u.shape[0]:
        raise ValueError(
            f"A must have shape (P, M) and u shape (M,), got {tuple(A.shape)} and {tuple(u.shape)}"
        )
    # w = A u
    return xp.matmul(A, u)


def transform_backward(grad: Any, jacobian: Any) -> Any:
    r"""The gradient reaching ``u`` through a parameter transform ``w = H(u)``.

    .. math::
        \frac{\partial L}{\partial u} = J^\top \frac{\partial L}{\partial w},
        \qquad J_{pm} = \frac{\partial w_p}{\partial u_m}

    Args:
        grad: :math:`\partial L / \partial w`, shape ``(P,)``.
        jacobian: :math:`J = \partial H / \partial u` at ``u``, shape ``(P, M)``.

    Returns:
        :math:`\partial L / \partial u`, shape ``(M,)``.

    Example:
        >>> import numpy as np
        >>> transform_backward(np.array([1.0, 1.0, 1.0]),
        ...                    np.array([[1.0, 0.0], [1.0, 1.0], [0.0, 3.0]]))
        array([2., 4.])
    """
    xp = namespace(grad, jacobian, names=("grad", "jacobian"))
    if grad.ndim != 1 or jacobian.ndim != 2 or jacobian.shape[0] != grad.shape[0]:
        raise ValueError(
            f"jacobian must have shape (P, M) and grad shape (P,), got "
            f"{tuple(jacobian.shape)} and {tuple(grad.shape)}"
        )
    # dL/du = J^T dL/dw
    return xp.matmul(grad, jacobian)


linear_transform = autograd.register(linear_transform, transform_backward,
                                     extra=lambda a: {"jacobian": a["A"]})


# -------------------------------------------------------------------- weight sharing


def _check_index(index: Any, num_params: int, xp: Any, size_name: str = "num_params") -> None:
    if index.ndim != 1:
        raise ValueError(f"index must be 1-D, got shape {tuple(index.shape)}")
    if not xp.isdtype(index.dtype, "integral"):
        dtype = str(index.dtype).removeprefix("torch.")
        raise TypeError(f"index must have an integer dtype, got {dtype}")
    if index.shape[0] and not (-1 <= int(xp.min(index)) and int(xp.max(index)) < num_params):
        raise ValueError(
            f"index entries must lie in [-1, {num_params}) ({size_name} = {num_params}; "
            f"-1 for a constant 0), got "
            f"values from {int(xp.min(index))} to {int(xp.max(index))}"
        )


def _one_hot(xp: Any, index: Any, num_params: int, dtype: Any) -> Any:
    # D_im = [index_i == m]: row i picks the entry of u that w_i copies (none for -1)
    m = xp.arange(num_params, device=index.device)
    return xp.astype(index[:, None] == m[None, :], dtype)


def share(u: Any, index: Any) -> Any:
    r"""Weight sharing: :math:`w_i = u_{\mathrm{index}_i}`, each ``u`` copied to several places.

    An entry ``-1`` in ``index`` makes :math:`w_i` a constant 0 (as in the
    zeros of a convolution written as a matrix, see :func:`conv_index`). This
    is the linear transform :math:`w = D u` with the 0/1 matrix
    :func:`sharing_matrix`.

    Args:
        u: the shared parameters, shape ``(M,)``.
        index: integers in ``[-1, M)``, shape ``(P,)``, same backend as ``u``.

    Returns:
        ``w``, shape ``(P,)``.

    Example:
        >>> import numpy as np
        >>> share(np.array([5.0, 7.0]), np.array([0, 1, 0, -1, 1]))
        array([5., 7., 5., 0., 7.])
    """
    check_floating(u, "u")
    xp = namespace(u, index, names=("u", "index"))
    if u.ndim != 1:
        raise ValueError(f"u must be 1-D, got shape {tuple(u.shape)}")
    _check_index(index, u.shape[0], xp, "len(u)")
    # w_i = u[index_i], and 0 where index_i = -1
    # (indexing, not take: NumPy's take refuses int64 indices where its index type is
    # 32-bit, as in the browser's wasm32 Python)
    copies = u[xp.where(index >= 0, index, xp.zeros_like(index))]
    return xp.where(index >= 0, copies, xp.zeros_like(copies))


def share_backward(grad: Any, index: Any, num_params: int) -> Any:
    r"""Backward of :func:`share`: each shared parameter sums the gradients of its copies.

    .. math::
        \frac{\partial L}{\partial u_m} = \sum_{i:\ \mathrm{index}_i = m}
        \frac{\partial L}{\partial w_i} = (D^\top g)_m

    Args:
        grad: :math:`g = \partial L / \partial w`, shape ``(P,)``.
        index: as in the forward call.
        num_params: ``M``, the size of ``u``.

    Returns:
        :math:`\partial L / \partial u`, shape ``(M,)``.

    Example:
        >>> import numpy as np
        >>> share_backward(np.array([1.0, 10.0, 100.0, 1000.0, 1e4]),
        ...                np.array([0, 1, 0, -1, 1]), 2)
        array([  101., 10010.])
    """
    check_floating(grad, "grad")
    num_params = check_count(num_params, "num_params")
    xp = namespace(grad, index, names=("grad", "index"))
    _check_index(index, num_params, xp)
    if tuple(grad.shape) != tuple(index.shape):
        raise ValueError(f"grad must have the shape of index {tuple(index.shape)}, "
                         f"got {tuple(grad.shape)}")
    D = _one_hot(xp, index, num_params, grad.dtype)  # (P, M)
    # dL/du_m = sum_i g_i [index_i == m]
    return xp.sum(grad[:, None] * D, axis=0)


share = autograd.register(share, share_backward, extra=lambda a: {"num_params": a["u"].shape[0]})


def sharing_matrix(index: Any, num_params: int) -> Any:
    r"""The 0/1 matrix :math:`D` of :func:`share`: :math:`D_{im} = [\mathrm{index}_i = m]`.

    Each row has a single 1 (or none, for ``-1``); a column has as many 1s as
    its parameter has copies. It is the Jacobian of :func:`share`.

    Returns:
        float64, shape ``(P, M)``, on the backend and device of ``index``.

    Example:
        >>> import numpy as np
        >>> sharing_matrix(np.array([0, 1, 0]), 2)
        array([[1., 0.],
               [0., 1.],
               [1., 0.]])
    """
    num_params = check_count(num_params, "num_params")
    xp = namespace(index, names=("index",))
    _check_index(index, num_params, xp)
    return _one_hot(xp, index, num_params, xp.float64)


def conv_index(in_features: int, kernel_size: int) -> np.ndarray:
    r"""The sharing ``index`` that turns a linear layer into a (valid) 1-D convolution.

    The weight matrix of shape ``(T, L)`` with ``T = L - K + 1`` holds the
    kernel :math:`u` on its band, :math:`W_{t, t + k} = u_k`, and zeros
    elsewhere: a Toeplitz matrix, every row the same ``K`` numbers shifted.
    Flattened row by row, entry :math:`(t, t + k)` gets index ``k`` and the
    others ``-1``.

    Args:
        in_features: ``L``, the length of the input.
        kernel_size: ``K``, the length of the shared kernel.

    Returns:
        int64, shape ``(T * L,)``.

    Example:
        >>> conv_index(4, 2).reshape(3, 4).tolist()
        [[0, 1, -1, -1], [-1, 0, 1, -1], [-1, -1, 0, 1]]
    """
    L = check_count(in_features, "in_features")
    K = check_count(kernel_size, "kernel_size")
    if K > L:
        raise ValueError(f"kernel_size must be at most in_features = {L}, got {K}")
    T = L - K + 1
    index = np.full((T, L), -1, dtype=np.int64)
    for t in range(T):
        index[t, t:t + K] = np.arange(K)
    return index.reshape(-1)


class _TransformedForward:
    """The forward of the transformed layer, one body for :class:`TransformedLinear` and its
    twin."""

    u: Any
    bias: Any
    transform: Callable[[Any], Any]
    in_features: int
    out_features: int

    @property
    def weight(self) -> Any:
        """:math:`W = H(u)`, shape ``(out_features, in_features)``."""
        w = self.transform(self.u)
        if tuple(w.shape) != (self.out_features * self.in_features,):
            raise ValueError(
                f"transform must return out_features * in_features = "
                f"{self.out_features * self.in_features} weights, got shape {tuple(w.shape)}"
            )
        return namespace(w).reshape(w, (self.out_features, self.in_features))

    def forward(self, x: Any) -> Any:
        # G(x) = W x + b with W = H(u)
        y = x @ self.weight.T
        return y if self.bias is None else y + self.bias


def _check_layer(in_features: int, out_features: int, num_params: int,
                 transform: Any, bias: Any) -> tuple[int, int, int]:
    if not callable(transform):
        raise TypeError(f"transform must be callable, got {type(transform).__name__}")
    if not isinstance(bias, bool):
        raise TypeError(f"bias must be True or False, got {type(bias).__name__}")
    return (check_count(in_features, "in_features"), check_count(out_features, "out_features"),
            check_count(num_params, "num_params"))


class TransformedLinear(_TransformedForward, torch.nn.Module):
    r"""A linear layer :math:`G(x) = W x + b` whose weights are made: :math:`W = H(u)`.

    The trainable parameter is ``u`` (and the bias); ``transform`` maps it to
    the ``out_features * in_features`` entries of :math:`W`, row by row. With
    ``transform = lambda u: share(u, index)`` the layer's weights are tied;
    with :func:`conv_index` it is a convolution; with a small network it is a
    hypernetwork.

    Args:
        in_features, out_features: as in ``torch.nn.Linear``.
        num_params: ``M``, the size of ``u``.
        transform: :math:`H`, a callable from ``(M,)`` to ``(out * in,)``.
        bias: whether to add a (free) bias.
        generator: seed (or ``torch.Generator``) for ``u`` and the bias,
            uniform on :math:`[-1/\sqrt{\mathrm{in}}, 1/\sqrt{\mathrm{in}}]`.
        dtype: dtype of the parameters.

    Example:
        >>> import torch
        >>> index = torch.tensor(conv_index(5, 2))
        >>> layer = TransformedLinear(5, 4, 2, lambda u: share(u, index), bias=False)
        >>> layer.weight.shape, layer(torch.zeros(3, 5)).shape
        (torch.Size([4, 5]), torch.Size([3, 4]))
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        num_params: int,
        transform: Callable[[torch.Tensor], torch.Tensor],
        bias: bool = True,
        generator: int | torch.Generator = 0,
        dtype: torch.dtype | None = None,
    ):
        super().__init__()
        self.in_features, self.out_features, num_params = _check_layer(
            in_features, out_features, num_params, transform, bias)
        g = as_generator(generator, "torch")
        bound = 1 / self.in_features ** 0.5
        self.u = torch.nn.Parameter(
            (torch.rand(num_params, generator=g, dtype=dtype) * 2 - 1) * bound)
        self.bias = torch.nn.Parameter(
            (torch.rand(self.out_features, generator=g, dtype=dtype) * 2 - 1) * bound
        ) if bias else None
        self.transform = transform


class NumpyTransformedLinear(_TransformedForward, nn.Module):
    r"""The NumPy twin of :class:`TransformedLinear`: :math:`G(x) = H(u)\, x + b` over NumPy.

    ``u`` and the bias are :class:`mlnotes.autograd.Tensor` parameters (names ``"u"``
    and ``"bias"``, as the torch layer's), drawn uniform on
    :math:`[-1/\sqrt{\mathrm{in}}, 1/\sqrt{\mathrm{in}}]` from a NumPy generator; the
    gradient reaches ``u`` through ``transform`` (:func:`share`, :func:`linear_transform`
    or any function of the engine's Tensors).

    Args:
        in_features, out_features: as in :class:`mlnotes.nn.Linear`.
        num_params: ``M``, the size of ``u``.
        transform: :math:`H`, a callable from ``(M,)`` to ``(out * in,)``.
        bias: whether to add a (free) bias.
        generator: an int seed or a NumPy ``Generator`` for ``u`` and the bias.
        dtype: dtype of the parameters (float64).

    Example:
        >>> index = conv_index(5, 2)
        >>> layer = NumpyTransformedLinear(5, 4, 2, lambda u: share(u, index), bias=False)
        >>> layer.weight.shape, layer(np.zeros((3, 5))).shape
        ((4, 5), (3, 4))
    """

    def __init__(
        self,
        in_features: int,
        out_features: int,
        num_params: int,
        transform: Callable[[Any], Any],
        bias: bool = True,
        generator: int | np.random.Generator = 0,
        dtype: Any = np.float64,
    ) -> None:
        self.in_features, self.out_features, num_params = _check_layer(
            in_features, out_features, num_params, transform, bias)
        g = as_generator(generator)
        bound = 1 / self.in_features ** 0.5
        self.u = autograd.Tensor(g.uniform(-bound, bound, num_params).astype(dtype),
                                 requires_grad=True)
        self.bias = autograd.Tensor(g.uniform(-bound, bound, self.out_features).astype(dtype),
                                    requires_grad=True) if bias else None
        self.transform = transform


# ----------------------------------------------------------------- motif detection


def sliding_windows(x: Any, size: int) -> Any:
    r"""Every window of ``size`` consecutive positions of a sequence.

    Args:
        x: shape ``(..., L)``.
        size: ``K``, the window length, at most ``L``.

    Returns:
        Shape ``(..., T, K)`` with ``T = L - K + 1``: window ``t`` is
        ``x[..., t:t + K]``.

    Example:
        >>> import numpy as np
        >>> sliding_windows(np.arange(4.0), 2)
        array([[0., 1.],
               [1., 2.],
               [2., 3.]])
    """
    xp = namespace(x, names=("x",))
    K = check_count(size, "size")
    if x.ndim < 1:
        raise ValueError("x must have at least 1 dimension (the sequence's), got shape ()")
    if K > x.shape[-1]:
        raise ValueError(f"size must be at most the sequence length of x, {x.shape[-1]}, "
                         f"got {K}")
    T = x.shape[-1] - K + 1
    return xp.stack([x[..., t:t + K] for t in range(T)], axis=-2)


def motif_scores(x: Any, weight: Any, bias: Any = None) -> Any:
    r"""One small linear network, shared, applied at every position of a sequence.

    .. math::
        s_{o,t} = \sum_{c,k} W_{o,c,k}\, x_{c,\,t+k} + b_o

    The same weights :math:`W` score every window: this is exactly
    ``torch.nn.functional.conv1d(x, weight, bias)`` (a cross-correlation, no
    kernel flip).

    Args:
        x: sequences, shape ``(N, C, L)``.
        weight: ``O`` detectors, shape ``(O, C, K)``.
        bias: shape ``(O,)``, or ``None``.

    Returns:
        Scores, shape ``(N, O, T)``.

    Example:
        >>> import numpy as np
        >>> x = np.array([[[0.0, 1.0, 2.0, 0.0]]])
        >>> motif_scores(x, np.array([[[1.0, 2.0]]]))
        array([[[2., 5., 2.]]])
    """
    for a, name in ((x, "x"), (weight, "weight")):
        check_floating(a, name)
        if a.ndim != 3:
            shape = "(N, C, L)" if name == "x" else "(O, C, K)"
            raise ValueError(f"{name} must have shape {shape}, got {tuple(a.shape)}")
    xp = namespace(x, weight, bias, names=("x", "weight", "bias"), optional=("bias",))
    O, C, K = weight.shape
    if x.shape[1] != C:
        raise ValueError(f"x has {x.shape[1]} channels but weight expects C = {C}")
    if bias is not None and tuple(bias.shape) != (O,):
        raise ValueError(f"bias must have shape (O,) = ({O},), got {tuple(bias.shape)}")
    windows = sliding_windows(x, K)  # (N, C, T, K)
    # s_ot = sum_ck W_ock x_c,t+k
    s = xp.einsum("ock,nctk->not", weight, windows)
    return s if bias is None else s + bias[:, None]


def motif_detector(x: Any, weight: Any, bias: Any = None) -> Any:
    r"""The best score of each motif over all positions: shared network, then a global max.

    .. math::
        d_o = \max_t s_{o,t}

    Because every position is scored by the same weights, moving the motif
    moves the peak of :math:`s` but not its height, so :math:`d` does not
    change: the detector finds the motif wherever it is. It equals
    ``conv1d(x, weight, bias).amax(-1)``.

    Args:
        x, weight, bias: as in :func:`motif_scores`.

    Returns:
        Shape ``(N, O)``.

    Example:
        >>> import numpy as np
        >>> w = np.array([[[1.0, -1.0]]])  # the motif "up then down"
        >>> motif_detector(np.array([[[0.0, 0.0, 3.0, -3.0, 0.0]]]), w)
        array([[6.]])
    """
    xp = namespace(x, weight, bias, names=("x", "weight", "bias"), optional=("bias",))
    return xp.max(motif_scores(x, weight, bias), axis=-1)
