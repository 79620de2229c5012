r"""Losses: MSE, L1, NLL, cross-entropy, binary cross-entropy, margins (+ gradients).

A loss turns a prediction and a target into one number that training makes
small. Each function here follows ``torch.nn.functional`` (same name, same
arguments, ``axis`` aside), so the tests compare the two value for value:

* ``reduction="mean"`` (the default) averages the per-element losses,
  ``"sum"`` adds them, ``"none"`` returns them unreduced;
* :func:`nll_loss` and :func:`cross_entropy` take class *indices* as targets
  (:func:`cross_entropy` also class *probabilities*), per-class ``weight`` (the
  mean is then torch's weighted mean), ``ignore_index`` (default -100: targets
  to skip, such as padding), and :func:`cross_entropy` takes ``label_smoothing``;
* :func:`binary_cross_entropy` clamps each logarithm at :math:`-100`, as torch
  does, so a probability of exactly 0 or 1 costs at most 100 instead of
  :math:`\infty`; it and :func:`binary_cross_entropy_with_logits` take a
  ``weight`` per element (broadcast), the latter also ``pos_weight``.

Options after ``weight`` are keyword-only, with torch's names. Where torch would
return ``nan`` for a mean of nothing (an empty batch, every target ignored, or
target weights that sum to 0), these functions raise a ``ValueError`` that says
why.

Where the gradient is the lesson, the backward sits beside its loss
(:func:`cross_entropy_backward`, :func:`binary_cross_entropy_with_logits_backward`,
:func:`mse_loss_backward`, :func:`l1_loss_backward`, :func:`multi_margin_loss_backward`,
:func:`multiclass_hinge_loss_backward`). A backward returns the
gradient of the loss with respect to the prediction, scaled by ``grad``, its
first argument: the incoming gradient :math:`\partial L / \partial \ell` with
respect to the loss (``1.0`` for a final loss; a scalar, or one value per element
for ``reduction="none"``).

The softmax and sigmoid parts come from :mod:`mlnotes.activations`. One body
serves NumPy arrays and torch tensors (see :mod:`mlnotes.backend`).

Explained in the book: :doc:`/losses`; presented in the deck "Lecture: Losses".

Shapes: ``N`` batch, ``K`` classes. Element-wise losses take any shape (input
and target equal). Class losses take ``(N, K)`` scores with ``(N,)`` targets,
or ``(N, K, d1, ...)`` with ``(N, d1, ...)`` (the class axis is 1, as in
torch), or one unbatched sample: ``(K,)`` scores with a ``()`` target.
Probability targets have the scores' shape; ``weight`` has shape ``(K,)``.

One family per file, all re-exported here: ``regression.py`` (MSE, L1),
``classes.py`` (NLL, cross-entropy), ``binary.py`` (binary cross-entropy),
``margins.py`` (ranking and class margins); ``_common.py`` holds the reductions,
the backward's chain rule and the checks of class inputs they share. The losses
page's experiments are in :mod:`mlnotes.experiments.losses`.
"""

from __future__ import annotations

from ._common import LOG_CLAMP as LOG_CLAMP  # torch's floor for log(0) in binary cross-entropy
from .binary import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    binary_cross_entropy_with_logits_backward,
)
from .classes import cross_entropy, cross_entropy_backward, nll_loss
from .margins import (
    margin_ranking_loss,
    multi_margin_loss,
    multi_margin_loss_backward,
    multiclass_hinge_loss,
    multiclass_hinge_loss_backward,
)
from .regression import l1_loss, l1_loss_backward, mse_loss, mse_loss_backward

__all__ = [
    "mse_loss",
    "mse_loss_backward",
    "l1_loss",
    "l1_loss_backward",
    "nll_loss",
    "cross_entropy",
    "cross_entropy_backward",
    "binary_cross_entropy",
    "binary_cross_entropy_with_logits",
    "binary_cross_entropy_with_logits_backward",
    "margin_ranking_loss",
    "multi_margin_loss",
    "multi_margin_loss_backward",
    "multiclass_hinge_loss",
    "multiclass_hinge_loss_backward",
]
