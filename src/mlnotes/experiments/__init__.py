r"""The experiments of the book, one module per page: what a page runs, beside the concepts.

A concept module holds its concept only; the trained models, sweeps and measurements
that a page shows live here, named after the page (as :mod:`mlnotes.exercises` and
:mod:`mlnotes.plotting` are). A page imports its experiments from
``mlnotes.experiments.<page>``; every experiment is also re-exported here, where its
API entry lives:

- :mod:`~mlnotes.experiments.softmax`: the gradient of a saturated softmax;
- :mod:`~mlnotes.experiments.losses`: the best constant, a coin's likelihood, a linear
  layer fitted on any loss;
- :mod:`~mlnotes.experiments.gating`: a gated network trained, its branches' gradients;
- :mod:`~mlnotes.experiments.conv`: LeNet-5's shapes;
- :mod:`~mlnotes.experiments.sequences`: how far back an RNN's gradient reaches;
- :mod:`~mlnotes.experiments.init`: the signal through a deep network;
- :mod:`~mlnotes.experiments.normalization`: normalisation helps a deep network train;
- :mod:`~mlnotes.experiments.debugging`: choosing hyper-parameters on a validation set.

This layer stands on top of the package: it may import any concept, model,
:mod:`mlnotes.training` and :mod:`mlnotes.datasets`; no concept imports it.
"""

from __future__ import annotations

from .conv import LENET, conv_net_shapes
from .debugging import selection_experiment
from .gating import branch_gradient_norms, train_gated_network
from .init import INIT_SCHEMES, deep_forward, init_variances
from .losses import coin_nll, constant_fit_losses, fit_linear
from .normalization import norm_mlp, norm_training_losses
from .sequences import bptt_gradient_norms
from .softmax import saturation_gradients

__all__ = [
    "saturation_gradients",
    "constant_fit_losses",
    "coin_nll",
    "fit_linear",
    "train_gated_network",
    "branch_gradient_norms",
    "LENET",
    "conv_net_shapes",
    "bptt_gradient_norms",
    "INIT_SCHEMES",
    "deep_forward",
    "init_variances",
    "norm_mlp",
    "norm_training_losses",
    "selection_experiment",
]
