r"""The experiments of the page on debugging and choosing hyper-parameters.

- :func:`mlp` and its NumPy twin :class:`NumpyMLP`: the page's small ReLU network,
  the model every check and planted bug of the page trains;
- :func:`selection_experiment`: validation and test accuracy of many settings, to
  show how picking the best on a small validation set flatters it.

Explained in the book: :doc:`/debugging`; presented in the deck "Lecture: making
training work".
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .. import nn
from ..backend import as_generator, check_number, import_torch, needs_torch
from ..datasets import spirals
from ..init import kaiming_normal_, xavier_normal_

torch = import_torch()

__all__ = ["mlp", "NumpyMLP", "selection_experiment"]


def _initialise(first: Any, last: Any, generator: Any) -> None:
    """The page's initialisation, one body for both kinds: He before the ReLU, Xavier after.

    ``first`` and ``last`` are the two linear layers (torch's or :mod:`mlnotes.nn`'s);
    the biases are set to zero.
    """
    kaiming_normal_(first.weight, nonlinearity="relu", generator=generator)
    xavier_normal_(last.weight, generator=generator)
    for layer in (first, last):
        layer.bias.data[...] = 0.0


def _check_width(width: int, seed: int) -> int:
    check_number(seed, "seed", low=0, integer=True)
    return check_number(width, "width", low=1, integer=True)


@needs_torch
def mlp(width: int = 32, seed: int = 0) -> torch.nn.Sequential:
    r"""The debugging page's network: 2 inputs, ``width`` ReLU units, 3 logits.

    .. math::
        f(x) = W_2\, \mathrm{ReLU}(W_1 x + b_1) + b_2, \qquad
        W_1 \sim \mathcal N\big(0, \tfrac{2}{2}\big),\
        W_2 \sim \mathcal N\big(0, \tfrac{2}{\text{width} + 3}\big),\ b = 0

    He initialisation before the ReLU, Xavier after it, zero biases, drawn from a
    ``torch.Generator`` seeded with ``seed`` (no draw from torch's global
    generator). Its twin, :class:`NumpyMLP`, is the same network over NumPy; it
    starts from these very weights with ``load_state_dict(mlp().state_dict())``.

    Args:
        width: the number of hidden units.
        seed: the seed of the initial weights.

    Returns:
        A float32 ``torch.nn.Sequential(Linear(2, width), ReLU(), Linear(width, 3))``.

    Example:
        >>> model = mlp(width=4)
        >>> sum(p.numel() for p in model.parameters())
        27
    """
    width = _check_width(width, seed)
    nn_ = torch.nn
    # skip_init: no draw from torch's global generator; every weight is set below
    model = nn_.Sequential(nn_.utils.skip_init(nn_.Linear, 2, width), nn_.ReLU(),
                           nn_.utils.skip_init(nn_.Linear, width, 3))
    with torch.no_grad():
        _initialise(model[0], model[2], torch.Generator().manual_seed(seed))
    return model


class NumpyMLP(nn.Sequential):
    r"""The NumPy twin of :func:`mlp`: the same layers, initialisation and parameter names.

    The weights are drawn by the same :func:`mlnotes.init.kaiming_normal_` and
    :func:`mlnotes.init.xavier_normal_` from a NumPy generator seeded with ``seed``
    (so not torch's numbers; ``load_state_dict(mlp().state_dict())`` gives those),
    in float64.

    Args:
        width: the number of hidden units.
        seed: the seed of the initial weights.

    Example:
        >>> import numpy as np
        >>> model = NumpyMLP(width=4)
        >>> [name for name, _ in model.named_parameters()]
        ['0.weight', '0.bias', '2.weight', '2.bias']
        >>> model(np.zeros((5, 2))).shape
        (5, 3)
    """

    def __init__(self, width: int = 32, seed: int = 0) -> None:
        width = _check_width(width, seed)
        super().__init__(nn.Linear(2, width, generator=seed), nn.ReLU(),
                         nn.Linear(width, 3, generator=seed))
        _initialise(self[0], self[2], np.random.default_rng(seed))


def selection_experiment(n_settings: int = 100, n_val: int = 30, n_draws: int = 200,
                         generator: int | np.random.Generator = 0
                         ) -> tuple[np.ndarray, np.ndarray]:
    r"""Validation and test accuracy of many hyper-parameter settings, for many validation sets.

    Each setting is a random-feature classifier,
    :math:`\hat y = \arg\max_k [\cos(xW + b)\, A]_k`, with its own width,
    feature scale and ridge penalty, fitted by ridge regression to one-hot
    labels :math:`Y` of 90 noisy spiral points (:func:`mlnotes.datasets.spirals`):

    .. math::
        A = (F^\top F + \lambda I)^{-1} F^\top Y, \qquad F = \cos(XW + b).

    Its accuracy is measured on ``n_draws`` validation sets of ``n_val`` points
    (drawn from one pool of 3000) and on one fresh test set of 3000 points.
    Picking the setting with the best validation accuracy flatters it: the
    winner's validation score is biased upwards.

    Args:
        n_settings: the number of settings tried.
        n_val: points in each validation set.
        n_draws: the number of validation sets.
        generator: an int seed or a ``numpy.random.Generator``: the data, the
            validation draws and the settings all come from it.

    Returns:
        ``(val, test)``: accuracies of shape ``(n_draws, n_settings)`` and
        ``(n_settings,)``.

    Example:
        >>> val, test = selection_experiment(n_settings=5, n_draws=3)
        >>> val.shape, test.shape
        ((3, 5), (5,))
    """
    rng = as_generator(generator)
    X, y = spirals(30, classes=3, noise=1.0, generator=rng)
    X_pool, y_pool = spirals(1000, classes=3, noise=1.0, generator=rng)  # validation draws
    X_test, y_test = spirals(1000, classes=3, noise=1.0, generator=rng)
    draws = np.stack([rng.choice(len(y_pool), n_val, replace=False) for _ in range(n_draws)])
    val, test = np.empty((n_draws, n_settings)), np.empty(n_settings)
    for s in range(n_settings):
        width = int(rng.integers(5, 60))
        scale, ridge = 10 ** rng.uniform(-0.5, 1.5), 10 ** rng.uniform(-3, 1)
        W, b = rng.normal(0, scale, size=(2, width)), rng.uniform(0, 2 * np.pi, width)
        F = np.cos(X @ W + b)
        # ridge regression onto one-hot labels: A = (F'F + ridge I)^-1 F'Y
        A = np.linalg.solve(F.T @ F + ridge * np.eye(width), F.T @ np.eye(3)[y])
        right_pool = (np.cos(X_pool @ W + b) @ A).argmax(1) == y_pool
        val[:, s] = right_pool[draws].mean(axis=1)
        test[s] = np.mean((np.cos(X_test @ W + b) @ A).argmax(1) == y_test)
    return val, test

