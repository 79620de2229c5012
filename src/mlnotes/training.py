r"""Training: the one loop that the package's models and experiments share.

Every trainer in mlnotes repeats the same four lines: compute the loss, clear the
old gradients, backpropagate, let the optimizer step. :func:`fit` writes them
once, so that a model's trainer (:func:`mlnotes.gating.train_gated_network`,
:func:`mlnotes.moe.fit_classifier`, :func:`mlnotes.vae.fit_vae`,
:func:`mlnotes.charlm.train`) and an experiment of the book
(:func:`mlnotes.losses.fit_linear`, :func:`mlnotes.norm.norm_training_losses`)
says only what is particular to it: which loss, which optimizer, how many steps.

.. math::
    \theta_{t+1} = \mathrm{step}\big(\theta_t, \nabla_\theta L(\theta_t)\big),
    \qquad t = 0, \dots, T - 1

The loop keeps no state of its own and touches none outside its arguments: no
global random generator, no thread count, no train/eval switch. The randomness
of a step (a minibatch, a noise draw) belongs to the loss function, which draws
it from a generator it was given.

The section at the end holds the experiment of the page on choosing
hyper-parameters, :func:`selection_experiment`, which fits in closed form and
needs no loop.

Explained in the book: :doc:`/debugging` (the training loop and its failures, the
selection experiment); presented in the deck "Lecture: making training work".
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .backend import as_generator, check_count, import_torch, needs_torch
from .rnn import clip_grad_norm

torch = import_torch()

__all__ = ["fit", "selection_experiment"]


@needs_torch
def fit(model: Any, loss_fn: Callable[[Any], torch.Tensor], optimizer: torch.optim.Optimizer,
        steps: int, *, max_norm: float | None = None) -> list[float]:
    r"""Take ``steps`` steps of ``optimizer`` on ``loss_fn(model)``; return the loss of each.

    One step is

    .. math::
        L = \ell(\theta), \qquad g = \nabla_\theta L, \qquad
        g \leftarrow g \cdot \min\!\Big(1, \frac{c}{\|g\|}\Big) \text{ (if } c
        \text{ is given)}, \qquad \theta \leftarrow \mathrm{step}(\theta, g),

    in code: ``loss_fn(model)``, ``optimizer.zero_grad()``, ``loss.backward()``,
    :func:`~mlnotes.rnn.clip_grad_norm` (with ``max_norm``), ``optimizer.step()``.

    Args:
        model: what ``loss_fn`` scores: a ``torch.nn.Module``, or the tensors that are
            trained (``fit`` only hands it to ``loss_fn``).
        loss_fn: ``loss_fn(model)`` returns the loss, a scalar tensor; it may draw a
            fresh minibatch or noise at every call (from a generator of its own).
        optimizer: a ``torch.optim.Optimizer`` over the parameters, such as
            :class:`mlnotes.optim.SGD` or :class:`mlnotes.optim.Adam`.
        steps: :math:`T`, the number of steps, at least 1.
        max_norm: :math:`c`: clip the joint norm of the optimizer's gradients to it
            before each step (``None``: no clipping).

    Returns:
        The loss before each step, ``steps`` floats.

    Example:
        >>> import torch
        >>> from mlnotes.losses import mse_loss
        >>> from mlnotes.optim import SGD
        >>> w = torch.zeros(1, requires_grad=True)  # fit w to 3: L(w) = (w - 3)^2
        >>> losses = fit(w, lambda w: mse_loss(w, torch.tensor([3.0])), SGD([w], lr=0.25),
        ...              steps=3)
        >>> losses, w.detach()
        ([9.0, 2.25, 0.5625], tensor([2.6250]))
    """
    steps = check_count(steps, "steps")
    params = [p for group in optimizer.param_groups for p in group["params"]]
    losses = []
    for _ in range(steps):
        loss = loss_fn(model)
        optimizer.zero_grad()
        loss.backward()
        if max_norm is not None:
            clip_grad_norm(params, max_norm)
        optimizer.step()
        losses.append(float(loss.detach()))
    return losses


# ====================================================== experiment: choosing hyper-parameters


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
    from .datasets import spirals

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
