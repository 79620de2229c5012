r"""The experiment of the page on debugging and choosing hyper-parameters.

- :func:`selection_experiment`: validation and test accuracy of many settings, to
  show how picking the best on a small validation set flatters it.

Explained in the book: :doc:`/debugging`; presented in the deck "Lecture: making
training work".
"""

from __future__ import annotations

import numpy as np

from ..backend import as_generator
from ..datasets import spirals

__all__ = ["selection_experiment"]


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

