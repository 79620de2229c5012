r"""The experiment of the normalisation page: normalisation helps a deep network train.

- :func:`norm_mlp`: a deep ReLU network with batch norm, layer norm or neither;
- :func:`norm_training_losses`: the same network trained with each.

Explained in the book: :doc:`/normalization`.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np

from ..backend import as_generator, check_count, check_number, import_torch, needs_torch
from ..datasets import spirals
from ..init import kaiming_normal_
from ..losses import cross_entropy
from ..norm import BatchNorm, LayerNorm
from ..optim import SGD
from ..training import fit

torch = import_torch()

__all__ = ["norm_mlp", "norm_training_losses"]


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
    depth = check_count(depth, "depth")
    g = as_generator(generator, "torch")

    def linear(d: int, k: int, nonlinearity: str) -> torch.nn.Linear:
        # skip_init: no draw from torch's global generator; every value is set below
        lin = torch.nn.utils.skip_init(torch.nn.Linear, d, k, dtype=torch.float64)
        kaiming_normal_(lin.weight, nonlinearity=nonlinearity, generator=g)
        torch.nn.init.zeros_(lin.bias)
        return lin

    layers, d = [], d_in
    for _ in range(depth):
        layers.append(linear(d, width, "relu"))
        if norm == "batch":
            layers.append(BatchNorm(width, dtype=torch.float64))
        elif norm == "layer":
            layers.append(LayerNorm(width, dtype=torch.float64))
        layers.append(torch.nn.ReLU())
        d = width
    layers.append(linear(d, classes, "linear"))
    return torch.nn.Sequential(*layers)


@needs_torch
def norm_training_losses(
    norms: Sequence[str] = ("none", "batch", "layer"), depth: int = 12, width: int = 32,
    steps: int = 60, lr: float = 0.1, generator: int = 0,
) -> dict[str, np.ndarray]:
    r"""Train :func:`norm_mlp` on :func:`~mlnotes.datasets.spirals` by plain gradient descent.

    Every model takes ``steps`` full-batch steps

    .. math::
        \theta \leftarrow \theta - \eta \nabla_\theta L

    on the cross-entropy :func:`~mlnotes.losses.cross_entropy` of 300 spiral points
    (3 arms), with :func:`mlnotes.training.fit` and :class:`mlnotes.optim.SGD`.
    The models differ only in ``norm``: every one starts from the same weights.

    The rate multiplies the gradient as it arrives (a hook on each parameter) and
    SGD takes unit steps: :math:`\theta - (\eta g)`, the product rounded before the
    subtraction. ``SGD(lr=lr)`` computes the same update with one rounding (torch
    fuses it into a multiply-add), and over 60 steps these deep networks carry that
    last bit far: the batch-norm run's final loss would move in the second decimal,
    away from the curve the book shows.

    Args:
        norms: the models to train, each ``"none"``, ``"batch"`` or ``"layer"``.
        depth, width: as in :func:`norm_mlp`.
        steps: the number of gradient steps.
        lr: the learning rate :math:`\eta`.
        generator: an int seed: the data set, and every model's weights afresh.

    Returns:
        ``{norm: losses}``, the training loss before each step.

    Example:
        >>> losses = norm_training_losses(("none",), depth=2, steps=3)
        >>> losses["none"].shape
        (3,)
    """
    check_number(lr, "lr", low=0.0)
    steps = check_count(steps, "steps")
    X, y = spirals(100, classes=3, generator=generator)
    X, y = torch.tensor(X), torch.tensor(y)
    out = {}
    for norm in norms:
        model = norm_mlp(norm, depth, width, generator=generator)
        for p in model.parameters():
            p.register_hook(lambda grad: lr * grad)  # eta g, then a unit step
        losses = fit(lambda batch, model=model: cross_entropy(model(batch[0]), batch[1]),
                     SGD(model.parameters(), lr=1.0), itertools.repeat((X, y), steps))
        out[norm] = np.array(losses)
    return out

