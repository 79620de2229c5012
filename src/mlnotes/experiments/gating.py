r"""The experiment of the gating page: a gated network learns which branch to use.

- :func:`train_gated_network`: a :class:`mlnotes.gating.GatedNetwork` trained end to end;
- :func:`branch_gradient_norms`: how much gradient each branch receives, by
  :func:`mlnotes.gating.soft_gate_backward`'s rule.

Explained in the book: :doc:`/gating`; presented in the deck "Lecture: Gates and attention".
"""

from __future__ import annotations

import itertools
import math
from typing import Any

from ..backend import check_count, check_model
from ..gating import GatedNetwork, NumpyGatedNetwork
from ..losses import mse_loss
from ..optim import Adam
from ..training import fit

__all__ = ["train_gated_network", "branch_gradient_norms"]


def _check_model_and_inputs(model: Any, inputs: Any) -> None:
    """The door of both experiments: a model, and one to three input arrays of its dtype."""
    check_model(model)
    if not isinstance(inputs, (tuple, list)):
        raise TypeError(f"inputs must be a tuple (a,), (a, b) or (a, b, c), "
                        f"got {type(inputs).__name__}")
    if not 1 <= len(inputs) <= 3:
        raise ValueError(f"inputs must hold one to three arrays (a, b, c), got {len(inputs)}")
    for k, a in enumerate(inputs):
        check_model(model, inputs=a, inputs_name=f"inputs[{k}]")


def train_gated_network(
    model: GatedNetwork | NumpyGatedNetwork,
    inputs: tuple[Any, ...],
    target: Any,
    steps: int = 300,
    lr: float = 0.05,
) -> list[float]:
    r"""Train a :class:`GatedNetwork` (or its twin) with full-batch Adam on the squared error.

    The loop is :func:`mlnotes.training.fit`; the optimizer :class:`mlnotes.optim.Adam`.
    A :class:`~mlnotes.gating.NumpyGatedNetwork` trains on NumPy arrays, with no torch.

    Args:
        model: the gated network, torch's or its NumPy twin.
        inputs: ``(a,)`` or ``(a, b, c)``, passed to ``model`` (tensors for a torch
            model, arrays for the twin).
        target: the regression target, shaped like the output.
        steps: number of Adam steps.
        lr: Adam's learning rate.

    Returns:
        The loss before each step.

    Example:
        >>> import torch
        >>> a = torch.linspace(-1, 1, 8)[:, None]
        >>> net = GatedNetwork(torch.nn.Linear(1, 1), torch.nn.Linear(1, 1),
        ...                    torch.nn.Linear(1, 1))
        >>> losses = train_gated_network(net, (a,), 2 * a, steps=20)
        >>> losses[-1] < losses[0]
        True

        The twin, with NumPy arrays:

        >>> import numpy as np
        >>> from mlnotes import nn
        >>> twin = NumpyGatedNetwork(*(nn.Linear(1, 1, generator=k) for k in range(3)))
        >>> u = np.linspace(-1, 1, 8)[:, None]
        >>> losses = train_gated_network(twin, (u,), 2 * u, steps=20)
        >>> losses[-1] < losses[0]
        True
    """
    _check_model_and_inputs(model, inputs)
    steps = check_count(steps, "steps")
    return fit(lambda batch: mse_loss(model(*batch[0]), batch[1]),
               Adam(model.parameters(), lr=lr), itertools.repeat((inputs, target), steps))


def branch_gradient_norms(
    model: GatedNetwork | NumpyGatedNetwork, inputs: tuple[Any, ...], target: Any
) -> tuple[float, float]:
    r"""The norms of the squared-error gradient on the x-branch's and the y-branch's parameters.

    By :func:`soft_gate_backward` the x-branch hears the error through
    :math:`\sigma(r)` and the y-branch through :math:`1 - \sigma(r)`: where the
    gate has chosen a branch, that branch receives the gradient.

    Works on a torch :class:`GatedNetwork` and on its NumPy twin alike.

    Returns:
        ``(norm_x, norm_y)``; the model's ``.grad`` fields are left as they were.

    Example:
        >>> import torch
        >>> gate = torch.nn.Linear(1, 1)
        >>> with torch.no_grad():  # r = 6 everywhere: the gate is open, x is used
        ...     _ = gate.weight.zero_(), gate.bias.fill_(6.0)
        >>> net = GatedNetwork(gate, torch.nn.Linear(1, 1), torch.nn.Linear(1, 1))
        >>> a = torch.ones(4, 1)
        >>> gx, gy = branch_gradient_norms(net, (a,), torch.full((4, 1), 9.0))
        >>> gx > 100 * gy
        True
    """
    _check_model_and_inputs(model, inputs)
    params = list(model.parameters())
    kept = [p.grad for p in params]  # put back at the end
    for p in params:
        p.grad = None
    mse_loss(model(*inputs), target).backward()

    def norm(branch: Any) -> float:
        return math.sqrt(sum(float((p.grad ** 2).sum()) for p in branch.parameters()
                             if p.grad is not None))

    norms = norm(model.x_net), norm(model.y_net)
    for p, g in zip(params, kept, strict=True):
        p.grad = g
    return norms

