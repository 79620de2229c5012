r"""Training: the one loop that the package's models and experiments share.

Every trainer in mlnotes repeats the same four lines: compute the loss, clear the
old gradients, backpropagate, let the optimizer step. :func:`fit` writes them
once, so that a model's trainer (:func:`mlnotes.experiments.train_gated_network`,
:func:`mlnotes.moe.fit_classifier`, :func:`mlnotes.vae.fit_vae`,
:func:`mlnotes.charlm.train`) and an experiment of the book
(:func:`mlnotes.experiments.fit_linear`, :func:`mlnotes.experiments.norm_training_losses`)
says only what is particular to it: which loss, which optimizer, how many steps.

.. math::
    \theta_{t+1} = \mathrm{step}\big(\theta_t, \nabla_\theta L(\theta_t)\big),
    \qquad t = 0, \dots, T - 1

The loop runs over the data, as d2l's and labml's trainers do: one step per
batch, ``loss = loss_fn(batch)``. It keeps no state of its own and touches none
outside its arguments: no global random generator, no thread count, no
train/eval switch. The batches (drawn from a generator the caller was given) and
any noise the loss draws belong to the caller.

The page's experiment on choosing hyper-parameters is in
:mod:`mlnotes.experiments.debugging`.

Explained in the book: :doc:`/debugging` (the training loop and its failures, the
selection experiment); presented in the deck "Lecture: making training work".
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from .optim import Optimizer, clip_grad_norm

__all__ = ["fit"]


def fit(loss_fn: Callable[[Any], Any], optimizer: Optimizer,
        batches: Iterable[Any], *, max_norm: float | None = None,
        on_step: Callable[[list[float]], Any] | None = None) -> list[float]:
    r"""One step of ``optimizer`` on ``loss_fn(batch)`` for each batch; return the loss of each.

    One step is

    .. math::
        L = \ell(\theta; B_t), \qquad g = \nabla_\theta L, \qquad
        g \leftarrow g \cdot \min\!\Big(1, \frac{c}{\|g\|}\Big) \text{ (if } c
        \text{ is given)}, \qquad \theta \leftarrow \mathrm{step}(\theta, g),

    in code: ``loss_fn(batch)``, ``optimizer.zero_grad()``, ``loss.backward()``,
    :func:`~mlnotes.optim.clip_grad_norm` (with ``max_norm``), ``optimizer.step()``.

    Args:
        loss_fn: ``loss_fn(batch)`` returns the loss on one batch, a scalar: a torch
            tensor, or an :class:`mlnotes.autograd.Tensor` for a NumPy model.
        optimizer: an optimizer over the parameters, such as
            :class:`mlnotes.optim.SGD` or :class:`mlnotes.optim.Adam` (or one of
            ``torch.optim``'s, for torch parameters).
        batches: the data, one item per step: minibatches, or the same full batch
            ``T`` times (``itertools.repeat(data, T)``). A generator may draw each
            batch as the loop reaches it.
        max_norm: :math:`c`: clip the joint norm of the optimizer's gradients to it
            before each step (``None``: no clipping).
        on_step: called after each step with the losses so far (the list ``fit``
            returns, one longer each time): to print progress or redraw a loss curve
            while the run goes on (:func:`mlnotes.plotting.redraw`). What it returns
            is ignored.

    Returns:
        The loss before each step, one float per batch.

    Example:
        Fit :math:`w` to 3 by :math:`L(w) = (w - 3)^2`, with a NumPy parameter
        (:mod:`mlnotes.autograd`; a torch parameter with a torch target trains the
        same way, to the same numbers):

        >>> import itertools
        >>> import numpy as np
        >>> from mlnotes.autograd import Tensor
        >>> from mlnotes.losses import mse_loss
        >>> from mlnotes.optim import SGD
        >>> w = Tensor(np.zeros(1), requires_grad=True)
        >>> losses = fit(lambda target: mse_loss(w, target), SGD([w], lr=0.25),
        ...              itertools.repeat(np.array([3.0]), 3))
        >>> losses, w.data
        ([9.0, 2.25, 0.5625], array([2.625]))

        Report the run as it goes, every second step:

        >>> w = Tensor(np.zeros(1), requires_grad=True)
        >>> def report(losses):
        ...     if len(losses) % 2 == 0:
        ...         print(f"step {len(losses)}: loss {losses[-1]:.4f}")
        >>> _ = fit(lambda target: mse_loss(w, target), SGD([w], lr=0.25),
        ...         itertools.repeat(np.array([3.0]), 4), on_step=report)
        step 2: loss 2.2500
        step 4: loss 0.1406
    """
    if not hasattr(optimizer, "param_groups"):
        raise TypeError("optimizer must be a torch or mlnotes optimizer (with param_groups), "
                        f"got {type(optimizer).__name__}")
    if not callable(loss_fn):
        raise TypeError(f"loss_fn must be a function of a batch, got {type(loss_fn).__name__}")
    if on_step is not None and not callable(on_step):
        raise TypeError(f"on_step must be a function of the losses so far or None, "
                        f"got {type(on_step).__name__}")
    # a string or a dict iterates its characters or keys, never the batches meant
    if isinstance(batches, (str, bytes, Mapping)) or not isinstance(batches, Iterable):
        raise TypeError("batches must be an iterable of batches (a list, a generator, "
                        f"itertools.repeat(batch, T)), got {type(batches).__name__}")
    params = [p for group in optimizer.param_groups for p in group["params"]]
    losses = []
    for batch in batches:
        loss = loss_fn(batch)
        optimizer.zero_grad()
        loss.backward()
        if max_norm is not None:
            clip_grad_norm(params, max_norm)
        optimizer.step()
        losses.append(float(loss.detach()))
        if on_step is not None:
            on_step(losses)
    return losses
