r"""The experiment of the normalisation page: normalisation helps a deep network train.

- :func:`norm_mlp`: a deep ReLU network with batch norm, layer norm or neither;
- :func:`numpy_norm_mlp`: its NumPy twin (:mod:`mlnotes.nn`, :class:`~mlnotes.norm.NumpyBatchNorm`,
  :class:`~mlnotes.norm.NumpyLayerNorm`), built by the same code, trained without torch;
- :func:`norm_training_losses`: the same network trained with each, as a torch model or a twin.

Explained in the book: :doc:`/normalization`.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np

from .. import nn
from ..backend import as_generator, check_count, check_number, import_torch, needs_torch
from ..datasets import spirals
from ..init import kaiming_normal_
from ..losses import cross_entropy
from ..norm import BatchNorm, LayerNorm, NumpyBatchNorm, NumpyLayerNorm
from ..optim import SGD
from ..training import fit

torch = import_torch()

__all__ = ["norm_mlp", "numpy_norm_mlp", "norm_training_losses"]


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
