r"""The experiment of the normalisation page: normalisation helps a deep network train.

- :func:`norm_mlp`: a deep ReLU network with batch norm, layer norm or neither;
- :func:`numpy_norm_mlp`: its NumPy twin (:mod:`mlnotes.nn`, :class:`~mlnotes.norm.NumpyBatchNorm`,
  :class:`~mlnotes.norm.NumpyLayerNorm`), built by the same code, trained without torch;
- :func:`norm_training_losses`: the same network trained with each, as a torch model or a twin;
- :func:`numpy_conv_net`: a small conv net on the engine, with batch norm, with batch norm
  and an injected random shift, or neither, for :func:`stroke_angles` (the strokes' images);
- :func:`gradient_landscape`: the loss and the gradient along a gradient step;
- :func:`conv_norm_training`: the conv nets trained, with the covariate shift of a layer's
  input and the smoothness along the gradient measured on the way.

Explained in the book: :doc:`/normalization`.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import nn
from ..autograd import Tensor
from ..backend import as_generator, check_count, check_number, import_torch, needs_torch
from ..conv import conv2d, max_pool2d
from ..datasets import spirals, strokes
from ..init import kaiming_normal_
from ..losses import cross_entropy
from ..norm import BatchNorm, LayerNorm, NumpyBatchNorm, NumpyLayerNorm
from ..optim import SGD
from ..training import fit

torch = import_torch()

__all__ = [
    "norm_mlp",
    "numpy_norm_mlp",
    "norm_training_losses",
    "stroke_angles",
    "numpy_conv_net",
    "gradient_landscape",
    "conv_norm_training",
]


def _build(norm: str, depth: int, width: int, d_in: int, classes: int, linear: Any,
           batch_norm: Any, layer_norm: Any, relu: Any, sequential: Any) -> Any:
    """The blocks ``Linear -> [norm] -> ReLU``, then a linear layer: one recipe for both kinds."""
    if norm not in ("none", "batch", "layer"):
        raise ValueError(f"norm must be 'none', 'batch' or 'layer', got {norm!r}")
    depth = check_count(depth, "depth")
    layers, d = [], d_in
    for _ in range(depth):
        layers.append(linear(d, width, "relu"))
        if norm == "batch":
            layers.append(batch_norm(width))
        elif norm == "layer":
            layers.append(layer_norm(width))
        layers.append(relu())
        d = width
    layers.append(linear(d, classes, "linear"))
    return sequential(*layers)


@needs_torch
def norm_mlp(norm: str = "none", depth: int = 12, width: int = 32, d_in: int = 2,
             classes: int = 3, generator: int | torch.Generator = 0) -> torch.nn.Sequential:
    r"""A deep ReLU MLP, He-initialised, with an optional normalisation after every linear layer.

    Each hidden block is ``Linear -> [BatchNorm | LayerNorm] -> ReLU``
    (:class:`BatchNorm`, :class:`LayerNorm`); the weights are drawn by
    :func:`~mlnotes.init.kaiming_normal_` from ``generator`` (nothing is drawn from
    torch's global generator), the biases are 0, everything is float64.

    Args:
        norm: ``"none"``, ``"batch"`` or ``"layer"``.
        depth: the number of hidden blocks.
        width: the units of each hidden layer.
        d_in: the input features.
        classes: the outputs, one logit per class.
        generator: an int seed or a ``torch.Generator`` for the weights.

    Returns:
        The ``torch.nn.Sequential`` of the blocks and a last linear layer.

    Example:
        >>> len(norm_mlp("batch", depth=2))  # 2 x (linear, norm, relu) + output
        7
    """
    if norm not in ("none", "batch", "layer"):
        raise ValueError(f"norm must be 'none', 'batch' or 'layer', got {norm!r}")
    g = as_generator(generator, "torch")

    def linear(d: int, k: int, nonlinearity: str) -> torch.nn.Linear:
        # skip_init: no draw from torch's global generator; every value is set below
        lin = torch.nn.utils.skip_init(torch.nn.Linear, d, k, dtype=torch.float64)
        kaiming_normal_(lin.weight, nonlinearity=nonlinearity, generator=g)
        torch.nn.init.zeros_(lin.bias)
        return lin

    return _build(norm, depth, width, d_in, classes, linear,
                  lambda c: BatchNorm(c, dtype=torch.float64),
                  lambda c: LayerNorm(c, dtype=torch.float64), torch.nn.ReLU, torch.nn.Sequential)


def numpy_norm_mlp(norm: str = "none", depth: int = 12, width: int = 32, d_in: int = 2,
                   classes: int = 3, generator: Any = 0) -> nn.Sequential:
    r"""The NumPy twin of :func:`norm_mlp`: the same blocks as an :class:`mlnotes.nn.Sequential`.

    The same recipe builds it (``Linear -> [NumpyBatchNorm | NumpyLayerNorm] -> ReLU``,
    then a linear layer), with :class:`~mlnotes.norm.NumpyBatchNorm` (running
    statistics, ``train()``/``eval()``) and :class:`~mlnotes.norm.NumpyLayerNorm`;
    the parameter names are the torch model's, so
    ``numpy_norm_mlp(...).load_state_dict(...)`` takes :func:`norm_mlp`'s parameters.
    The weights are He-initialised by :func:`~mlnotes.init.kaiming_normal_` from a
    NumPy generator, so the same seed gives other numbers than the torch model's
    (drawn from a ``torch.Generator``), from the same distribution.

    Args:
        norm, depth, width, d_in, classes: as in :func:`norm_mlp`.
        generator: an int seed or a ``numpy.random.Generator`` for the weights.

    Returns:
        The ``mlnotes.nn.Sequential`` of the blocks and a last linear layer.

    Example:
        >>> net = numpy_norm_mlp("batch", depth=2, width=4)
        >>> len(net), [name for name, _ in net.named_parameters()][:4]
        (7, ['0.weight', '0.bias', '1.weight', '1.bias'])
        >>> net(np.zeros((5, 2))).shape
        (5, 3)
    """
    rng = as_generator(generator)

    def linear(d: int, k: int, nonlinearity: str) -> nn.Linear:
        lin = nn.Linear(d, k, generator=rng)
        kaiming_normal_(lin.weight.data, nonlinearity=nonlinearity, generator=rng)
        lin.bias.data[...] = 0.0
        return lin

    return _build(norm, depth, width, d_in, classes, linear, NumpyBatchNorm, NumpyLayerNorm,
                  nn.ReLU, nn.Sequential)


class _ScaledSGD(SGD):
    """SGD with unit steps on the gradient scaled first: theta - (eta g), rounded as written."""

    def __init__(self, params: Any, rate: float) -> None:
        super().__init__(params, lr=1.0)
        self.rate = rate

    def step(self) -> None:
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    p.grad = self.rate * p.grad
        super().step()


def norm_training_losses(
    norms: Sequence[str] = ("none", "batch", "layer"), depth: int = 12, width: int = 32,
    steps: int = 60, lr: float = 0.1, generator: int = 0, kind: str = "numpy",
) -> dict[str, np.ndarray]:
    r"""Train :func:`numpy_norm_mlp` (or :func:`norm_mlp`) on :func:`~mlnotes.datasets.spirals`
    by plain gradient descent.

    Every model takes ``steps`` full-batch steps

    .. math::
        \theta \leftarrow \theta - \eta \nabla_\theta L

    on the cross-entropy :func:`~mlnotes.losses.cross_entropy` of 300 spiral points
    (3 arms), with :func:`mlnotes.training.fit` and :class:`mlnotes.optim.SGD`.
    The models differ only in ``norm``: every one starts from the same weights.
    ``kind="numpy"`` trains the NumPy twins (no torch needed: the browser's
    case), ``kind="torch"`` the torch models; the two draw their weights from
    different generators, so their curves differ, but each starts its models alike.

    The rate multiplies the gradient before SGD takes a unit step:
    :math:`\theta - (\eta g)`, the product rounded before the subtraction.
    ``SGD(lr=lr)`` computes the same update with one rounding (torch fuses it into
    a multiply-add), and over 60 steps these deep networks carry that last bit
    far: the batch-norm run's final loss would move in the second decimal.

    Args:
        norms: the models to train, each ``"none"``, ``"batch"`` or ``"layer"``.
        depth, width: as in :func:`norm_mlp`.
        steps: the number of gradient steps.
        lr: the learning rate :math:`\eta`.
        generator: an int seed: the data set, and every model's weights afresh.
        kind: ``"numpy"`` (:func:`numpy_norm_mlp`) or ``"torch"`` (:func:`norm_mlp`).

    Returns:
        ``{norm: losses}``, the training loss before each step.

    Example:
        >>> losses = norm_training_losses(("none",), depth=2, steps=3)
        >>> losses["none"].shape
        (3,)
    """
    check_number(lr, "lr", low=0.0)
    steps = check_count(steps, "steps")
    if kind not in ("numpy", "torch"):
        raise ValueError(f"kind must be 'numpy' or 'torch', got {kind!r}")
    X, y = spirals(100, classes=3, generator=generator)
    if kind == "torch":
        X, y = torch.tensor(X), torch.tensor(y)
    build = numpy_norm_mlp if kind == "numpy" else norm_mlp
    out = {}
    for norm in norms:
        model = build(norm, depth, width, generator=generator)
        losses = fit(lambda batch, model=model: cross_entropy(model(batch[0]), batch[1]),
                     _ScaledSGD(model.parameters(), lr), itertools.repeat((X, y), steps))
        out[norm] = np.array(losses)
    return out


# ------------------------------------------------- batch norm in a small conv net


def stroke_angles(n: int = 512, size: int = 12, bins: int = 4,
                  generator: int | np.random.Generator = 0) -> tuple[np.ndarray, np.ndarray]:
    r"""The conv net's task: which of ``bins`` angle ranges a pen stroke lies in.

    The images are :func:`~mlnotes.datasets.strokes` (the VAE page's data): one
    straight stroke of angle :math:`\theta \in [0, \pi)` each. The label is the
    bin of the angle,

    .. math::
        y = \Big\lfloor \frac{\theta}{\pi} \cdot K \Big\rfloor \in \{0, \dots, K - 1\},

    so with :math:`K = 4` the classes are the strokes near horizontal, rising,
    near vertical and falling. A single channel axis is added for the conv net.

    Args:
        n: how many images.
        size: the side of an image, in pixels (at least 4).
        bins: :math:`K`, the number of classes (at least 2).
        generator: an int seed or a ``numpy.random.Generator``.

    Returns:
        ``(images, labels)``: shape ``(n, 1, size, size)`` in :math:`[0, 1]`, and
        integer labels of shape ``(n,)``.

    Example:
        >>> images, labels = stroke_angles(6, size=8, generator=0)
        >>> images.shape, labels.dtype.kind, bool(labels.max() < 4)
        ((6, 1, 8, 8), 'i', True)
    """
    bins = check_number(bins, "bins", low=2, integer=True)
    images, angles, _ = strokes(n, size, generator)
    labels = np.minimum((angles / np.pi * bins).astype(np.int64), bins - 1)
    return images[:, None], labels


class _Conv2d(nn.Module):
    """A 3x3 convolution with padding 1 (the image keeps its size), weights He-initialised."""

    def __init__(self, c_in: int, c_out: int, rng: np.random.Generator) -> None:
        w = np.empty((c_out, c_in, 3, 3))
        self.weight = Tensor(kaiming_normal_(w, nonlinearity="relu", generator=rng),
                             requires_grad=True)
        self.bias = Tensor(np.zeros(c_out), requires_grad=True)

    def forward(self, x: Any) -> Any:
        return conv2d(x, self.weight, self.bias, padding=1)

    def __repr__(self) -> str:
        c_out, c_in = self.weight.shape[:2]
        return f"Conv2d({c_in}, {c_out}, kernel_size=3, padding=1)"


class _MaxPool(nn.Module):
    """2x2 max pooling: halves the height and the width."""

    def forward(self, x: Any) -> Any:
        return max_pool2d(x, 2)

    def __repr__(self) -> str:
        return "MaxPool2d(2)"


class _MeanPool(nn.Module):
    """The mean of each channel over the image: ``(N, C, H, W) -> (N, C)``."""

    def forward(self, x: Any) -> Any:
        return x.mean(axis=(2, 3))

    def __repr__(self) -> str:
        return "MeanPool()"


class _RandomAffine(nn.Module):
    r"""Noise after batch norm: :math:`a_c x + b_c` with a random scale and shift per channel.

    :meth:`redraw` draws :math:`a_c = e^{s u_c}` and :math:`b_c = s v_c`,
    :math:`u_c, v_c \sim \mathcal U(-1, 1)`; the training loop redraws them before
    every step, so the next layer's input distribution jumps at every step.
    """

    def __init__(self, channels: int, strength: float) -> None:
        self.strength = strength
        self.scale, self.shift = np.ones(channels), np.zeros(channels)

    def redraw(self, rng: np.random.Generator) -> None:
        c = self.scale.shape[0]
        self.scale = np.exp(self.strength * rng.uniform(-1, 1, c))
        self.shift = self.strength * rng.uniform(-1, 1, c)

    def forward(self, x: Any) -> Any:
        return x * self.scale[:, None, None] + self.shift[:, None, None]

    def __repr__(self) -> str:
        return f"RandomAffine({self.scale.shape[0]}, strength={self.strength})"


CONV_NORMS = ("none", "batch", "noisy")


def numpy_conv_net(norm: str = "none", channels: int = 8, classes: int = 4,
                   noise: float = 0.5, generator: int | np.random.Generator = 0) -> nn.Sequential:
    r"""A small conv net on the engine, with batch norm after each convolution, or not.

    .. code-block:: text

        Conv2d(1, C, 3x3) -> [BN] -> ReLU -> MaxPool 2x2     (12x12 -> 6x6)
        Conv2d(C, C, 3x3) -> [BN] -> ReLU -> mean over the image -> Linear(C, classes)

    ``norm="batch"`` puts a :class:`~mlnotes.norm.NumpyBatchNorm` (statistics over
    :math:`(N, H, W)` per channel) after each convolution; ``"noisy"`` puts batch norm
    followed by a random affine map :math:`a_c \hat x + b_c` whose scale
    :math:`a_c = e^{s u_c}` and shift :math:`b_c = s v_c`
    (:math:`u_c, v_c \sim \mathcal U(-1, 1)`, :math:`s` = ``noise``) are redrawn by
    :func:`conv_norm_training` before every step: a covariate shift injected on
    purpose; ``"none"`` puts nothing. The convolutions (3x3, padding 1,
    :func:`~mlnotes.conv.conv2d`) are He-initialised by
    :func:`~mlnotes.init.kaiming_normal_` with biases 0, the last layer is an
    :class:`mlnotes.nn.Linear`; the weights are drawn in the same order whatever
    ``norm`` is, so one seed gives every variant the same starting weights.

    Args:
        norm: ``"none"``, ``"batch"`` or ``"noisy"``.
        channels: :math:`C`, the channels of both convolutions.
        classes: the outputs, one logit per class.
        noise: :math:`s \ge 0`, the strength of ``"noisy"``'s scale and shift.
        generator: an int seed or a ``numpy.random.Generator`` for the weights.

    Returns:
        The ``mlnotes.nn.Sequential`` of the layers.

    Example:
        >>> net = numpy_conv_net("batch", channels=4)
        >>> net(np.zeros((2, 1, 12, 12))).shape
        (2, 4)
        >>> net[0], type(net[1]).__name__, len(net)
        (Conv2d(1, 4, kernel_size=3, padding=1), 'NumpyBatchNorm', 9)
    """
    if norm not in CONV_NORMS:
        raise ValueError(f"norm must be 'none', 'batch' or 'noisy', got {norm!r}")
    channels = check_count(channels, "channels")
    classes = check_count(classes, "classes")
    noise = check_number(noise, "noise", low=0.0)
    rng = as_generator(generator)

    def normalise(c: int) -> list:
        if norm == "none":
            return []
        return [NumpyBatchNorm(c)] + ([_RandomAffine(c, noise)] if norm == "noisy" else [])

    conv1, conv2 = _Conv2d(1, channels, rng), _Conv2d(channels, channels, rng)
    head = nn.Linear(channels, classes, generator=rng)
    kaiming_normal_(head.weight.data, nonlinearity="linear", generator=rng)
    head.bias.data[...] = 0.0
    return nn.Sequential(conv1, *normalise(channels), nn.ReLU(), _MaxPool(),
                         conv2, *normalise(channels), nn.ReLU(), _MeanPool(), head)


def _loss_and_gradient(model: nn.Sequential, X: np.ndarray, y: np.ndarray
                       ) -> tuple[float, list[np.ndarray]]:
    """The cross-entropy on a batch and every parameter's gradient, by the engine."""
    loss = cross_entropy(model(X), y)
    model.zero_grad()
    loss.backward()
    return float(loss.data), [p.grad for p in model.parameters()]


def _second_conv(model: nn.Sequential) -> nn.Module:
    return [m for m in model if isinstance(m, _Conv2d)][1]


def _check_images(X: Any, y: Any) -> None:
    """Refuse anything but finite float images ``(N, 1, H, W)`` and N integer labels."""
    if not isinstance(X, np.ndarray) or not np.issubdtype(X.dtype, np.floating):
        raise TypeError(f"X must be a float NumPy array of images, got {type(X).__name__}"
                        + (f" of {X.dtype}" if isinstance(X, np.ndarray) else ""))
    if X.ndim != 4 or X.shape[0] == 0 or X.shape[1] != 1 or min(X.shape[2:]) < 2:
        raise ValueError(f"X must have shape (N, 1, H, W) with N >= 1, H, W >= 2, got {X.shape}")
    if not np.all(np.isfinite(X)):
        raise ValueError("X must be finite")
    if not isinstance(y, np.ndarray) or not np.issubdtype(y.dtype, np.integer):
        raise TypeError(f"y must be an integer NumPy array of labels, got {type(y).__name__}"
                        + (f" of {y.dtype}" if isinstance(y, np.ndarray) else ""))
    if y.shape != X.shape[:1] or y.min() < 0:
        raise ValueError(f"y must hold one label >= 0 per image, shape {X.shape[:1]}, "
                         f"got shape {y.shape}")


def _check_etas(etas: Any) -> np.ndarray:
    """The step sizes as a 1-D float array of finite numbers >= 0, or raise naming etas."""
    try:
        values = np.asarray(etas, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(f"etas must be a sequence of step sizes, got {type(etas).__name__}"
                        ) from None
    if isinstance(etas, (str, bytes, dict)) or values.ndim != 1:
        raise TypeError(f"etas must be a sequence of step sizes, got {type(etas).__name__}")
    if not np.all(np.isfinite(values)) or np.any(values < 0):
        raise ValueError(f"etas must be finite step sizes >= 0, got {values}")
    return values


def gradient_landscape(model: nn.Sequential, X: np.ndarray, y: np.ndarray,
                       etas: Sequence[float]) -> tuple[float, np.ndarray, np.ndarray, float]:
    r"""The loss and the gradient's change along the gradient: the landscape a step sees.

    With :math:`g = \nabla L(\theta)` on the batch ``(X, y)``, for each step size
    :math:`\eta` in ``etas``,

    .. math::
        L(\theta - \eta g) \qquad\text{and}\qquad
        \big\|\nabla L(\theta - \eta g) - g\big\| ,

    the loss that a step of that size would reach and how far the gradient there
    is from the one the step was taken on (Santurkar et al.'s "loss landscape" and
    "gradient predictiveness"). The parameters are put back afterwards; a batch
    norm's running statistics move as in any training-mode call.

    Args:
        model: a model of :func:`numpy_conv_net`, in training mode.
        X, y: a batch of images ``(N, 1, H, W)`` and their labels ``(N,)``.
        etas: the step sizes :math:`\eta \ge 0`.

    Returns:
        ``(loss, losses, changes, g_norm)``: :math:`L(\theta)`, the
        :math:`L(\theta - \eta g)` and the gradient changes (each of shape
        ``(len(etas),)``), and :math:`\|g\|`.

    Example:
        >>> X, y = stroke_angles(8)
        >>> loss, losses, changes, g_norm = gradient_landscape(numpy_conv_net(), X, y, [0, 0.1])
        >>> bool(losses[0] == loss), float(changes[0]), bool(losses[1] < loss)
        (True, 0.0, True)
    """
    if not isinstance(model, nn.Sequential) or not any(isinstance(m, _Conv2d) for m in model):
        raise TypeError(f"model must be a numpy_conv_net, got {type(model).__name__}")
    _check_images(X, y)
    etas = _check_etas(etas)
    params = list(model.parameters())
    start = [p.data.copy() for p in params]
    loss_0, g = _loss_and_gradient(model, X, y)
    losses, changes = [], []
    for eta in etas:
        for p, p0, gp in zip(params, start, g, strict=True):
            p.data = p0 - eta * gp
        loss, g_eta = _loss_and_gradient(model, X, y)
        losses.append(loss)
        changes.append(np.sqrt(sum(((a - b) ** 2).sum() for a, b in zip(g_eta, g, strict=True))))
    for p, p0 in zip(params, start, strict=True):
        p.data = p0
    g_norm = float(np.sqrt(sum((gp**2).sum() for gp in g)))
    return loss_0, np.array(losses), np.array(changes), g_norm


def _moments(h: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Per-channel mean and standard deviation of ``(N, C, H, W)`` over N, H, W; the whole std."""
    return h.mean(axis=(0, 2, 3)), h.std(axis=(0, 2, 3)), float(h.std())


def conv_norm_training(
    norms: Sequence[str] = CONV_NORMS, steps: int = 60, lr: float = 0.6, batch: int = 32,
    channels: int = 8, noise: float = 0.5, every: int | None = None,
    etas: Sequence[float] = (0.15, 0.3, 0.6), generator: int = 0,
) -> dict[str, dict[str, np.ndarray]]:
    r"""Train :func:`numpy_conv_net` with each ``norm`` on :func:`stroke_angles`, and measure
    the two explanations of batch norm's help.

    Every model takes ``steps`` steps of plain SGD,
    :math:`\theta \leftarrow \theta - \eta\,\nabla_\theta L(\theta; B_t)`, on the
    cross-entropy of the same minibatches :math:`B_t` of ``batch`` images (drawn
    without replacement from 512 by ``numpy.random.default_rng([generator, 1])``),
    from the same starting weights. Along the way it records:

    - ``"loss"``: the loss on :math:`B_t` before step :math:`t`;
    - ``"shift"``: the **covariate shift** of the second convolution's input
      :math:`h` (after ReLU and pooling), on one fixed probe (the first 32 images),
      in training mode, at the start of each step: with :math:`\mu_c^t, \sigma_c^t`
      the mean and standard deviation of channel :math:`c` of :math:`h` over the
      probe's images and positions, and :math:`\sigma^t` that of all of :math:`h`,

      .. math::
          \text{shift}_t = \frac{1}{C \sigma^t} \sum_c \Big(|\mu_c^{t+1} - \mu_c^{t}|
          + |\sigma_c^{t+1} - \sigma_c^{t}|\Big),

      how far the layer's input distribution moves in one step, in units of its
      spread;
    - ``"loss_range"``, ``"grad_change"`` and ``"beta"``: the **smoothness** along
      the gradient, every ``every`` steps if ``every`` is given (before the step, on
      its batch; the probe moves no parameter, so the other records stay the same), from
      :func:`gradient_landscape` at the step sizes ``etas``: the spread
      :math:`\max L - \min L` of :math:`L(\theta)` and the :math:`L(\theta - \eta g)`,
      the largest gradient change :math:`\max_\eta \|\nabla L(\theta - \eta g) - g\|`,
      and the effective smoothness
      :math:`\max_\eta \|\nabla L(\theta - \eta g) - g\| / (\eta \|g\|)`, a
      Lipschitz constant of the gradient along the step.

    ``"noisy"`` redraws its random scales and shifts (:func:`numpy_conv_net`) before
    every step from ``numpy.random.default_rng([generator, 2])``, so the noise stays
    fixed within a step and its probes; its shift is what the next layer sees.

    Args:
        norms: the models, each ``"none"``, ``"batch"`` or ``"noisy"``.
        steps: the SGD steps.
        lr: the learning rate :math:`\eta`.
        batch: the minibatch size.
        channels, noise: as in :func:`numpy_conv_net`.
        every: the smoothness probe's period, in steps; ``None``: no probe (the
            three smoothness records are empty, and the run about a third faster).
        etas: the probe's step sizes, at least one of them > 0.
        generator: an int seed >= 0: the data, the batches, the weights and the noise.

    Returns:
        ``{norm: record}``, each record a dict of arrays: ``"loss"`` of shape
        ``(steps,)``, ``"shift"`` of shape ``(steps - 1,)``, and ``"loss_range"``,
        ``"grad_change"`` and ``"beta"`` of shape ``(k,)``, with
        :math:`k = \lceil \text{steps} / \text{every} \rceil` (0 without ``every``).

    Example:
        >>> out = conv_norm_training(("none", "batch"), steps=3, every=2, batch=4)
        >>> out["batch"]["loss"].shape, out["batch"]["shift"].shape, out["none"]["beta"].shape
        ((3,), (2,), (2,))
    """
    for norm in norms:
        if norm not in CONV_NORMS:
            raise ValueError(f"norms must hold 'none', 'batch' or 'noisy', got {norm!r}")
    steps = check_count(steps, "steps")
    lr = check_number(lr, "lr", low=0.0)
    batch = check_count(batch, "batch")
    every = None if every is None else check_count(every, "every")
    generator = check_number(generator, "generator", low=0, integer=True)
    etas = _check_etas(etas)
    if not np.any(etas > 0):
        raise ValueError("etas must hold at least one step size > 0")
    X, y = stroke_angles(512, generator=generator)
    probe = X[:32]
    out = {}
    for norm in norms:
        batches, noise_rng = (np.random.default_rng([generator, k]) for k in (1, 2))
        model = numpy_conv_net(norm, channels, 4, noise, generator=generator)
        affine = [m for m in model if isinstance(m, _RandomAffine)]
        conv2 = _second_conv(model)
        record = {"loss": [], "shift": [], "loss_range": [], "grad_change": [], "beta": []}
        moments = []
        for t in range(steps):
            for m in affine:
                m.redraw(noise_rng)
            moments.append(_moments(_input_of(model, conv2, probe)))  # (mu_c, sigma_c, sigma)
            idx = batches.choice(len(X), size=batch, replace=False)
            Xb, yb = X[idx], y[idx]
            if every is not None and t % every == 0:
                loss_0, losses, changes, g_norm = gradient_landscape(model, Xb, yb, etas)
                record["loss_range"].append(np.ptp(np.append(losses, loss_0)))
                record["grad_change"].append(changes.max())
                moved = etas > 0
                record["beta"].append(np.max(changes[moved] / (etas[moved] * g_norm)))
            loss, grads = _loss_and_gradient(model, Xb, yb)
            for p, g in zip(model.parameters(), grads, strict=True):
                p.data = p.data - lr * g
            record["loss"].append(loss)
        for (m0, s0, spread), (m1, s1, _) in itertools.pairwise(moments):
            record["shift"].append(np.mean(np.abs(m1 - m0) + np.abs(s1 - s0)) / spread)
        out[norm] = {k: np.array(v) for k, v in record.items()}
    return out


def _input_of(model: nn.Sequential, target: nn.Module, X: np.ndarray) -> np.ndarray:
    """What ``target`` receives when ``X`` goes through the model (no graph is kept)."""
    h = X
    for layer in model:
        if layer is target:
            return h.data if isinstance(h, Tensor) else h
        h = layer(h)
    raise ValueError("target is not a layer of model")
