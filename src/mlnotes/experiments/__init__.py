r"""The experiments of the book, one module per page: what a page runs, beside the concepts.

A concept module holds its concept only; the trained models, sweeps and measurements
that a page shows live here, named after the page (as :mod:`mlnotes.exercises` and
:mod:`mlnotes.plotting` are). A page imports its experiments from
``mlnotes.experiments.<page>``; every experiment is also re-exported here, where its
API entry lives:

- :mod:`~mlnotes.experiments.softmax`: the gradient of a saturated softmax;
- :mod:`~mlnotes.experiments.backprop`: a tiny MLP on the engine, its gradient by
  forward and reverse mode, and what each costs;
- :mod:`~mlnotes.experiments.losses`: the best constant, a coin's likelihood, a linear
  layer fitted on any loss, a multi-label data set;
- :mod:`~mlnotes.experiments.gating`: a gated network trained, its branches' gradients;
- :mod:`~mlnotes.experiments.architectures`: two regions, a mixture of experts' test bed;
- :mod:`~mlnotes.experiments.conv`: LeNet-5's shapes, the page's images;
- :mod:`~mlnotes.experiments.sequences`: how far back an RNN's gradient reaches, a token
  to recall through noise;
- :mod:`~mlnotes.experiments.init`: the signal through a deep network;
- :mod:`~mlnotes.experiments.optimizers`: a ravine, a least-squares problem;
- :mod:`~mlnotes.experiments.normalization`: normalisation helps a deep network train,
  batch norm in a small conv net and why it helps;
- :mod:`~mlnotes.experiments.debugging`: the page's MLP and its NumPy twin, choosing
  hyper-parameters on a validation set.

A data set that only one page uses lives here with that page's experiments; the
shared ones stay in :mod:`mlnotes.datasets`.

This layer stands on top of the package: it may import any concept, model,
:mod:`mlnotes.training` and :mod:`mlnotes.datasets`; no concept imports it.
"""

from __future__ import annotations

from .architectures import two_regions
from .backprop import forward_mode_gradient, init_mlp, mlp_jvp, mlp_loss, mode_costs
from .conv import LENET, conv_net_shapes, photograph, step_image
from .debugging import NumpyMLP, mlp, selection_experiment
from .gating import branch_gradient_norms, train_gated_network
from .init import INIT_SCHEMES, deep_forward, init_variances
from .losses import coin_nll, constant_fit_losses, fit_linear, multilabel_signs
from .normalization import (
    conv_norm_training,
    gradient_landscape,
    norm_mlp,
    norm_training_losses,
    numpy_conv_net,
    numpy_norm_mlp,
    stroke_angles,
)
from .optimizers import linear_data, ravine_hessian
from .sequences import NumpyRecallNet, RecallNet, bptt_gradient_norms, recall_task, train_recall
from .softmax import saturation_gradients

__all__ = [
    "saturation_gradients",
    "init_mlp",
    "mlp_loss",
    "mlp_jvp",
    "forward_mode_gradient",
    "mode_costs",
    "constant_fit_losses",
    "coin_nll",
    "fit_linear",
    "multilabel_signs",
    "train_gated_network",
    "branch_gradient_norms",
    "two_regions",
    "LENET",
    "conv_net_shapes",
    "step_image",
    "photograph",
    "bptt_gradient_norms",
    "recall_task",
    "RecallNet",
    "NumpyRecallNet",
    "train_recall",
    "ravine_hessian",
    "linear_data",
    "INIT_SCHEMES",
    "deep_forward",
    "init_variances",
    "norm_mlp",
    "norm_training_losses",
    "numpy_norm_mlp",
    "stroke_angles",
    "numpy_conv_net",
    "gradient_landscape",
    "conv_norm_training",
    "selection_experiment",
    "mlp",
    "NumpyMLP",
]
