r"""Batch and layer normalisation, with batch norm's backward beside it.

Both standardise a group of numbers to zero mean and unit variance, then let the
network rescale them with a learnt affine map:

.. math::
    \hat x = \frac{x - \mu}{\sqrt{\sigma^2 + \epsilon}}, \qquad y = \gamma \hat x + \beta

They differ in the group. **Batch norm** takes, for each feature (channel)
:math:`c`, the statistics over the batch and every position (all of
:math:`x_{n, c, \dots}` for fixed :math:`c`); **layer norm** takes, for each
sample, the statistics over its last dimensions (all of :math:`x_{n, \dots}`
for fixed :math:`n`). Batch norm therefore couples the samples of a batch and
needs running estimates of :math:`\mu` and :math:`\sigma^2` for evaluation, one
sample at a time; layer norm treats each sample alone and behaves the same in
training and evaluation.

One body serves NumPy arrays and torch tensors (see :mod:`mlnotes.backend`);
:class:`BatchNorm` and :class:`LayerNorm` are ``torch.nn.Module`` s built on the
functions, with torch's parameter and buffer names.

Shapes: ``(N, C)``, ``(N, C, L)`` or ``(N, C, H, W)`` for batch norm (N batch,
C channels or features, L length, H/W height/width); any shape ending in
``normalized_shape`` for layer norm.

The page's experiment, the same deep network trained with and without them, is in
:mod:`mlnotes.experiments.normalization`.

Explained in the book: :doc:`/normalization`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import autograd, nn
from .autograd import Tensor
from .backend import (
    check_count,
    check_floating,
    check_number,
    import_torch,
    namespace,
    stop_gradient,
)

torch = import_torch()

__all__ = [
    "batch_norm",
    "batch_norm_backward",
    "layer_norm",
    "BatchNorm",
    "LayerNorm",
    "NumpyBatchNorm",
    "NumpyLayerNorm",
]


def _is_int(value: Any) -> bool:
    """A Python or NumPy integer, not a bool."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _layer_shape(normalized_shape: Any) -> tuple[int, ...]:
    """The layers' ``normalized_shape`` (an int or a tuple of them, each >= 1) as a tuple."""
    shape = (normalized_shape,) if _is_int(normalized_shape) else normalized_shape
    if not isinstance(shape, (tuple, list)) or not all(_is_int(s) and s > 0 for s in shape):
        raise ValueError(f"normalized_shape must be a positive int or a tuple of them, "
                         f"got {normalized_shape!r}")
    return tuple(int(s) for s in shape)


def _channel_view(xp: Any, v: Any, ndim: int) -> Any:
    """A per-channel vector ``(C,)`` reshaped to broadcast against ``(N, C, *)``."""
    return xp.reshape(v, (1, v.shape[0]) + (1,) * (ndim - 2))


def _batch_stats(xp: Any, x: Any) -> tuple[Any, Any, int]:
    """Per-channel mean and biased variance over every axis but 1, and their count."""
    axes = (0, *range(2, x.ndim))
    count = math.prod(x.shape[a] for a in axes)
    # mu_c = mean over n and positions of x_{n,c,...}
    mean = xp.mean(x, axis=axes)
    # sigma^2_c = mean of (x - mu_c)^2, the biased variance used to normalise
    var = xp.mean((x - _channel_view(xp, mean, x.ndim)) ** 2, axis=axes)
    return mean, var, count


# ------------------------------------------------------------------------ batch norm


def batch_norm(
    input: Any,
    running_mean: Any | None,
    running_var: Any | None,
    weight: Any | None = None,
    bias: Any | None = None,
    training: bool = False,
    momentum: float = 0.1,
    eps: float = 1e-5,
) -> Any:
    r"""Batch normalisation, as ``torch.nn.functional.batch_norm``.

    .. math::
        y_{n,c,\dots} = \gamma_c\,
        \frac{x_{n,c,\dots} - \mu_c}{\sqrt{\sigma_c^2 + \epsilon}} + \beta_c

    In training, :math:`\mu_c` and :math:`\sigma^2_c` are the mean and the
    biased variance of channel :math:`c` over the batch and every position
    (:math:`m = N \cdot L` or :math:`N \cdot H \cdot W` numbers), and the running
    estimates are updated **in place** with torch's momentum convention, the
    running variance from the unbiased batch variance:

    .. math::
        \hat\mu \leftarrow (1 - \text{momentum})\,\hat\mu + \text{momentum}\,\mu,
        \qquad
        \hat\sigma^2 \leftarrow (1 - \text{momentum})\,\hat\sigma^2
        + \text{momentum}\,\frac{m}{m - 1}\sigma^2

    In evaluation (``training=False``) the running estimates replace the batch
    statistics, so each sample's output depends on that sample alone.

    Properties (tested): in training with no affine map, every channel of the
    output has mean 0 and variance :math:`\sigma^2/(\sigma^2 + \epsilon)`
    (1 up to ``eps``).

    Args:
        input: :math:`x`, shape ``(N, C)``, ``(N, C, L)`` or ``(N, C, H, W)``.
        running_mean: :math:`\hat\mu`, shape ``(C,)``, or ``None`` (no estimate
            kept; allowed only in training).
        running_var: :math:`\hat\sigma^2`, shape ``(C,)``, or ``None``.
        weight: :math:`\gamma`, shape ``(C,)``; ``None`` means 1.
        bias: :math:`\beta`, shape ``(C,)``; ``None`` means 0.
        training: use the batch statistics and update the running estimates.
        momentum: the weight of the new batch in the running estimates, in [0, 1].
        eps: :math:`\epsilon`, added to the variance; positive when training
            (as torch requires: a constant channel would otherwise give 0/0).

    Returns:
        :math:`y`, same shape as ``input``.

    Example:
        >>> import numpy as np
        >>> x = np.array([[1.0, 10.0], [3.0, 30.0]])
        >>> rm, rv = np.zeros(2), np.ones(2)
        >>> batch_norm(x, rm, rv, training=True).round(4)
        array([[-1., -1.],
               [ 1.,  1.]])
        >>> rm, rv  # 0.1 * mean, 0.9 + 0.1 * unbiased variance
        (array([0.2, 2. ]), array([ 1.1, 20.9]))
    """
    names = ("input", "running_mean", "running_var", "weight", "bias")
    xp = namespace(input, running_mean, running_var, weight, bias, names=names,
                   optional=("running_mean", "running_var", "weight", "bias"))
    check_floating(input, "input")
    if input.ndim < 2:
        raise ValueError(
            f"input must have at least 2 dimensions (N, C, ...), got shape {tuple(input.shape)}"
        )
    eps, momentum = check_number(eps, "eps", low=0.0), check_number(momentum, "momentum", 0.0, 1.0)
    C = input.shape[1]
    for name, v in zip(names[1:], (running_mean, running_var, weight, bias), strict=True):
        if v is not None and tuple(v.shape) != (C,):
            raise ValueError(
                f"{name} must have shape ({C},), one entry per channel of input, "
                f"got {tuple(v.shape)}"
            )
    if training:
        if eps == 0:
            # a constant channel would give 0 / 0: torch refuses it too
            raise ValueError("eps must be positive when training, got 0.0")
        mean, var, m = _batch_stats(xp, input)
        if m < 2:
            raise ValueError(
                f"batch_norm needs more than 1 value per channel when training, "
                f"got input of shape {tuple(input.shape)}"
            )
        # running estimates, in place: r <- (1 - momentum) r + momentum * batch statistic
        if running_mean is not None:
            running_mean[...] = stop_gradient((1 - momentum) * running_mean + momentum * mean)
        if running_var is not None:
            unbiased = var * (m / (m - 1))
            running_var[...] = stop_gradient((1 - momentum) * running_var + momentum * unbiased)
    else:
        if running_mean is None or running_var is None:
            raise ValueError("running_mean and running_var are needed when training=False")
        mean, var = running_mean, running_var
    # x_hat = (x - mu) / sqrt(sigma^2 + eps)
    x_hat = (input - _channel_view(xp, mean, input.ndim)) / xp.sqrt(
        _channel_view(xp, var, input.ndim) + eps
    )
    # y = gamma * x_hat + beta
    y = x_hat if weight is None else x_hat * _channel_view(xp, weight, input.ndim)
    return y if bias is None else y + _channel_view(xp, bias, input.ndim)


def batch_norm_backward(
    grad: Any, input: Any, weight: Any | None = None, eps: float = 1e-5
) -> tuple[Any, Any, Any]:
    r"""Backward of :func:`batch_norm` in training mode: the classic derivation.

    With :math:`m` numbers per channel, :math:`\hat x = (x - \mu)/s` where
    :math:`s = \sqrt{\sigma^2 + \epsilon}`, and :math:`g = \partial L/\partial y`:

    .. math::
        \frac{\partial L}{\partial \beta} = \sum g, \qquad
        \frac{\partial L}{\partial \gamma} = \sum g\,\hat x, \qquad
        \frac{\partial L}{\partial x} = \frac{1}{m\,s}\Big(m\,\hat g - \sum \hat g
        - \hat x \sum \hat g\,\hat x\Big), \quad \hat g = \gamma\, g

    with every sum over the batch and positions of one channel. The two
    subtracted terms are the paths through :math:`\mu` and through
    :math:`\sigma^2`: every input moves every output of its channel. (The
    running estimates are constants; they receive no gradient.)

    Args:
        grad: :math:`g`, the gradient of the loss with respect to the output.
        input: :math:`x`, as in the forward call.
        weight: :math:`\gamma`, as in the forward call (``None`` means 1).
        eps: as in the forward call.

    Returns:
        ``(grad_input, grad_weight, grad_bias)``; the last two, shape ``(C,)``,
        are what :math:`\gamma` and :math:`\beta` receive (also when the forward
        call had none: then they are the gradients at :math:`\gamma=1, \beta=0`).

    Example:
        >>> import numpy as np
        >>> x = np.array([[1.0], [3.0]])
        >>> gx, gw, gb = batch_norm_backward(np.array([[1.0], [1.0]]), x, eps=0.0)
        >>> gx, gw, gb  # a constant gradient is absorbed by the mean
        (array([[0.], [0.]]), array([0.]), array([2.]))
    """
    xp = namespace(grad, input, weight, names=("grad", "input", "weight"), optional=("weight",))
    if tuple(grad.shape) != tuple(input.shape):
        raise ValueError(
            f"grad and input must have the same shape, got {tuple(grad.shape)} "
            f"and {tuple(input.shape)}"
        )
    if input.ndim < 2:
        raise ValueError(
            f"input must have at least 2 dimensions (N, C, ...), got shape {tuple(input.shape)}"
        )
    eps = check_number(eps, "eps", low=0.0)
    axes = (0, *range(2, input.ndim))
    mean, var, m = _batch_stats(xp, input)
    inv_s = 1 / xp.sqrt(_channel_view(xp, var, input.ndim) + eps)  # 1 / s
    x_hat = (input - _channel_view(xp, mean, input.ndim)) * inv_s
    # dL/dbeta = sum g, dL/dgamma = sum g * x_hat
    grad_bias = xp.sum(grad, axis=axes)
    grad_weight = xp.sum(grad * x_hat, axis=axes)
    # g_hat = gamma * g, the gradient reaching x_hat
    g_hat = grad if weight is None else grad * _channel_view(xp, weight, input.ndim)
    sum_g = xp.sum(g_hat, axis=axes, keepdims=True)
    sum_gx = xp.sum(g_hat * x_hat, axis=axes, keepdims=True)
    # dL/dx = (m g_hat - sum g_hat - x_hat sum(g_hat x_hat)) / (m s)
    grad_input = (m * g_hat - sum_g - x_hat * sum_gx) * inv_s / m
    return grad_input, grad_weight, grad_bias


batch_norm = autograd.register(batch_norm, batch_norm_backward, wrt=("input", "weight", "bias"),
                              when=lambda a: a["training"])  # the backward is training mode's


# ------------------------------------------------------------------------ layer norm


def layer_norm(
    input: Any,
    normalized_shape: int | tuple[int, ...],
    weight: Any | None = None,
    bias: Any | None = None,
    eps: float = 1e-5,
) -> Any:
    r"""Layer normalisation, as ``torch.nn.functional.layer_norm``.

    .. math::
        y = \gamma \odot \frac{x - \mu}{\sqrt{\sigma^2 + \epsilon}} + \beta

    where :math:`\mu` and the biased :math:`\sigma^2` are taken, for each
    sample, over the last ``len(normalized_shape)`` dimensions. There are no
    running estimates: training and evaluation compute the same thing.

    Properties (tested): with no affine map, every sample of the output has
    mean 0 and variance :math:`\sigma^2/(\sigma^2 + \epsilon)`; the output does
    not change when a sample is shifted or scaled by a positive factor (for
    ``eps = 0``).

    Args:
        input: :math:`x`, shape ``(*, *normalized_shape)``.
        normalized_shape: the trailing shape to normalise over (an int for one axis).
        weight: :math:`\gamma`, shape ``normalized_shape``; ``None`` means 1.
        bias: :math:`\beta`, shape ``normalized_shape``; ``None`` means 0.
            Either or both may be ``None``, as in torch (no affine map, or a
            scale without a shift, as ``LayerNorm(..., bias=False)``).
        eps: :math:`\epsilon \ge 0`, added to the variance.

    Returns:
        :math:`y`, same shape as ``input``.

    Example:
        >>> import numpy as np
        >>> x = np.array([[1.0, 3.0], [10.0, 30.0]])
        >>> layer_norm(x, 2, eps=0.0)
        array([[-1.,  1.],
               [-1.,  1.]])
        >>> layer_norm(x, 2, weight=np.array([2.0, 0.5]), bias=None, eps=0.0)
        array([[-2. ,  0.5],
               [-2. ,  0.5]])
    """
    xp = namespace(input, weight, bias, names=("input", "weight", "bias"),
                   optional=("weight", "bias"))
    check_floating(input, "input")
    shape = (normalized_shape,) if _is_int(normalized_shape) else normalized_shape
    if (
        not isinstance(shape, (tuple, list, torch.Size))
        or len(shape) == 0
        or not all(_is_int(s) for s in shape)
    ):
        raise ValueError(
            f"normalized_shape must be an int or a non-empty tuple of ints, "
            f"got {normalized_shape!r}"
        )
    shape = tuple(int(s) for s in shape)
    k = len(shape)
    if input.ndim < k or tuple(input.shape[input.ndim - k :]) != shape:
        raise ValueError(
            f"normalized_shape {shape} must be the trailing shape of input, "
            f"got input of shape {tuple(input.shape)}"
        )
    eps = check_number(eps, "eps", low=0.0)
    for name, v in (("weight", weight), ("bias", bias)):
        if v is not None and tuple(v.shape) != shape:
            raise ValueError(f"{name} must have shape {shape}, got {tuple(v.shape)}")
    axes = tuple(range(input.ndim - k, input.ndim))
    # mu and sigma^2 of each sample, over its last k axes
    mean = xp.mean(input, axis=axes, keepdims=True)
    var = xp.mean((input - mean) ** 2, axis=axes, keepdims=True)
    # x_hat = (x - mu) / sqrt(sigma^2 + eps); y = gamma * x_hat + beta
    y = (input - mean) / xp.sqrt(var + eps)
    y = y if weight is None else y * weight
    return y if bias is None else y + bias


# --------------------------------------------------------------------------- modules


class _BatchNormBody:
    """The forward of :class:`BatchNorm` and its twin :class:`NumpyBatchNorm`: one body."""

    def forward(self, input: Any) -> Any:
        use_batch = self.training or self.running_mean is None
        if self.training and self.num_batches_tracked is not None:
            self.num_batches_tracked += 1   # in place: a torch buffer or a 0-d array
        return batch_norm(
            input, self.running_mean, self.running_var, self.weight, self.bias,
            training=use_batch, momentum=self.momentum, eps=self.eps,
        )


class _LayerNormBody:
    """The forward of :class:`LayerNorm` and its twin :class:`NumpyLayerNorm`: one body."""

    def forward(self, input: Any) -> Any:
        return layer_norm(input, self.normalized_shape, self.weight, self.bias, self.eps)


class BatchNorm(_BatchNormBody, torch.nn.Module):
    r"""Batch normalisation as a layer, for ``(N, C)``, ``(N, C, L)`` or ``(N, C, H, W)``.

    The parameters and buffers have ``torch.nn.BatchNorm1d``'s names (``weight``,
    ``bias``, ``running_mean``, ``running_var``, ``num_batches_tracked``), so a
    state dict moves between the two; :meth:`forward` calls :func:`batch_norm`
    with ``training=self.training``.

    Args:
        num_features: :math:`C`.
        eps: added to the variance.
        momentum: the weight of each new batch in the running estimates.
        affine: learn :math:`\gamma` (initialised to 1) and :math:`\beta` (to 0).
        track_running_stats: keep running estimates; without them the batch
            statistics are used in evaluation too.

    Example:
        >>> import torch
        >>> bn = BatchNorm(3)
        >>> y = bn(torch.randn(8, 3, generator=torch.Generator().manual_seed(0)))
        >>> y.mean(0).abs().max().item() < 1e-6, int(bn.num_batches_tracked)
        (True, 1)
    """

    def __init__(
        self,
        num_features: int,
        eps: float = 1e-5,
        momentum: float = 0.1,
        affine: bool = True,
        track_running_stats: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        self.num_features = check_count(num_features, "num_features")
        self.eps = check_number(eps, "eps", low=0.0)
        self.momentum = check_number(momentum, "momentum", 0.0, 1.0)
        self.affine, self.track_running_stats = affine, track_running_stats
        kw = {"device": device, "dtype": dtype}
        if affine:
            self.weight = torch.nn.Parameter(torch.ones(num_features, **kw))
            self.bias = torch.nn.Parameter(torch.zeros(num_features, **kw))
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            self.register_buffer("running_mean", torch.zeros(num_features, **kw))
            self.register_buffer("running_var", torch.ones(num_features, **kw))
            self.register_buffer(
                "num_batches_tracked", torch.tensor(0, dtype=torch.long, device=device)
            )
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)

    def extra_repr(self) -> str:
        return (
            f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, "
            f"affine={self.affine}, track_running_stats={self.track_running_stats}"
        )


class LayerNorm(_LayerNormBody, torch.nn.Module):
    r"""Layer normalisation as a layer, with ``torch.nn.LayerNorm``'s names.

    Args:
        normalized_shape: the trailing shape to normalise over.
        eps: added to the variance.
        elementwise_affine: learn :math:`\gamma` (initialised to 1) and :math:`\beta`.
        bias: learn :math:`\beta` (initialised to 0) when ``elementwise_affine``.

    Example:
        >>> import torch
        >>> ln = LayerNorm(4)
        >>> y = ln(torch.tensor([[1.0, 2.0, 3.0, 4.0]]))
        >>> round(y.mean().item(), 6), round(y.var(unbiased=False).item(), 4)
        (0.0, 1.0)
    """

    def __init__(
        self,
        normalized_shape: int | tuple[int, ...],
        eps: float = 1e-5,
        elementwise_affine: bool = True,
        bias: bool = True,
        device: Any = None,
        dtype: Any = None,
    ) -> None:
        super().__init__()
        self.normalized_shape = _layer_shape(normalized_shape)
        self.eps = check_number(eps, "eps", low=0.0)
        self.elementwise_affine = elementwise_affine
        kw = {"device": device, "dtype": dtype}
        if elementwise_affine:
            self.weight = torch.nn.Parameter(torch.ones(self.normalized_shape, **kw))
            if bias:
                self.bias = torch.nn.Parameter(torch.zeros(self.normalized_shape, **kw))
            else:
                self.register_parameter("bias", None)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)

    def extra_repr(self) -> str:
        return (
            f"{self.normalized_shape}, eps={self.eps}, "
            f"elementwise_affine={self.elementwise_affine}"
        )


class NumpyBatchNorm(_BatchNormBody, nn.Module):
    r"""The NumPy twin of :class:`BatchNorm`: the same forward, with running statistics.

    The parameters ``weight`` (:math:`\gamma`, 1) and ``bias`` (:math:`\beta`, 0)
    are :class:`~mlnotes.autograd.Tensor` s, trained through
    :func:`batch_norm_backward`; the running estimates ``running_mean``,
    ``running_var`` and the count ``num_batches_tracked`` are plain NumPy arrays
    (statistics, not parameters), updated in place in training mode and used in
    evaluation mode (``train()``/``eval()``), as torch does.

    Args:
        num_features: :math:`C`.
        eps: added to the variance.
        momentum: the weight of each new batch in the running estimates.
        affine: learn :math:`\gamma` and :math:`\beta`.
        track_running_stats: keep running estimates; without them the batch
            statistics are used in evaluation too.
        dtype: the parameters' and statistics' dtype.

    Example:
        >>> bn = NumpyBatchNorm(2)
        >>> x = np.array([[1.0, 10.0], [3.0, 30.0]])
        >>> bn(x).data.round(4)
        array([[-1., -1.],
               [ 1.,  1.]])
        >>> bn.running_mean, int(bn.num_batches_tracked)
        (array([0.2, 2. ]), 1)
        >>> bn.eval()(x[:1]).shape  # one sample, normalised by the running estimates
        (1, 2)
    """

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float = 0.1,
                 affine: bool = True, track_running_stats: bool = True,
                 dtype: Any = np.float64) -> None:
        self.num_features = check_count(num_features, "num_features")
        self.eps = check_number(eps, "eps", low=0.0)
        self.momentum = check_number(momentum, "momentum", 0.0, 1.0)
        for name, v in (("affine", affine), ("track_running_stats", track_running_stats)):
            if not isinstance(v, bool):
                raise TypeError(f"{name} must be True or False, got {type(v).__name__}")
        self.affine, self.track_running_stats = affine, track_running_stats
        c = self.num_features
        self.weight = Tensor(np.ones(c, dtype), requires_grad=True) if affine else None
        self.bias = Tensor(np.zeros(c, dtype), requires_grad=True) if affine else None
        self.running_mean = np.zeros(c, dtype) if track_running_stats else None
        self.running_var = np.ones(c, dtype) if track_running_stats else None
        self.num_batches_tracked = np.array(0) if track_running_stats else None

    def __repr__(self) -> str:
        return (f"NumpyBatchNorm({self.num_features}, eps={self.eps}, momentum={self.momentum}, "
                f"affine={self.affine}, track_running_stats={self.track_running_stats})")


class NumpyLayerNorm(_LayerNormBody, nn.Module):
    r"""The NumPy twin of :class:`LayerNorm`: the same forward, Tensor parameters.

    Args:
        normalized_shape: the trailing shape to normalise over.
        eps: added to the variance.
        elementwise_affine: learn :math:`\gamma` (initialised to 1) and :math:`\beta`.
        bias: learn :math:`\beta` (initialised to 0) when ``elementwise_affine``.
        dtype: the parameters' dtype.

    Example:
        >>> ln = NumpyLayerNorm(2, eps=0.0)
        >>> ln(np.array([[1.0, 3.0], [10.0, 30.0]])).data
        array([[-1.,  1.],
               [-1.,  1.]])
    """

    def __init__(self, normalized_shape: int | tuple[int, ...], eps: float = 1e-5,
                 elementwise_affine: bool = True, bias: bool = True,
                 dtype: Any = np.float64) -> None:
        self.normalized_shape = _layer_shape(normalized_shape)
        self.eps = check_number(eps, "eps", low=0.0)
        self.elementwise_affine = elementwise_affine
        affine, shift = elementwise_affine, elementwise_affine and bias
        self.weight = Tensor(np.ones(self.normalized_shape, dtype),
                             requires_grad=True) if affine else None
        self.bias = Tensor(np.zeros(self.normalized_shape, dtype),
                           requires_grad=True) if shift else None

    def __repr__(self) -> str:
        return (f"NumpyLayerNorm({self.normalized_shape}, eps={self.eps}, "
                f"elementwise_affine={self.elementwise_affine})")
