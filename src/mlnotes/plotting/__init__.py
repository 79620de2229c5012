r"""The figure helpers that the book's pages and the lecture decks share.

A page and its deck draw the same picture by calling the same function here, so
a figure is never copied. Each helper draws what mlnotes computes (the figure is
evidence, not an illustration) and returns a :class:`matplotlib.figure.Figure`
built without pyplot, so no global state is touched; a notebook cell that ends
with the figure displays it. A figure draws; an experiment it shows lives in
:mod:`mlnotes.experiments` (:func:`~mlnotes.experiments.init_variances`,
:func:`~mlnotes.experiments.bptt_gradient_norms`, ...), and the helper calls it there
or takes its results.

One family per file, all re-exported here: ``softmax.py``, ``losses.py``,
``conv.py``, ``gating.py`` (gates, attention and the architectures page),
``diagrams.py`` (block diagrams of the architectures),
``sequences.py``, ``backprop.py`` (the engine's graph), ``training.py``
(initialisation, normalisation, optimizers, debugging) and ``vae.py``;
``_figure.py`` holds what they share: the palette :data:`COLORS`, the figure
factory :func:`new_figure` and the figure's description, ``fig.alt``, which
travels inside its PNG as the image's alternative text; ``live.py`` holds
:func:`redraw`, which a training cell calls every few steps so that a reader
running it in the browser sees the figure grow.

Explained in the book: every page that draws a figure says which helper drew it.
"""

from __future__ import annotations

from ._figure import COLORS, new_figure
from .backprop import graph_figure
from .conv import conv_net_figure, neighbour_figure, pooling_figure, sobel_figure
from .diagrams import (
    mixture_of_experts_figure,
    motif_detector_figure,
    multiplicative_module_figure,
    parameter_transform_figure,
    weight_sharing_figure,
)
from .gating import (
    alignment_figure,
    attention_figure,
    gated_network_figure,
    moe_regions_figure,
    motif_figure,
    positional_encoding_figure,
    soft_gate_figure,
    soft_switch_figure,
    weight_matrices_figure,
)
from .live import redraw
from .losses import (
    ce_graph_figure,
    margin_ranking_figure,
    multilabel_figure,
    nll_curve_figure,
    regression_losses_figure,
    sigmoid_pitfall_figure,
)
from .sequences import (
    gradient_distance_figure,
    lstm_cell_figure,
    lstm_gates_figure,
    recall_training_figure,
)
from .softmax import (
    activation_curves_figure,
    bce_graph_figure,
    jacobian_figure,
    max_family_figure,
    normalisation_figure,
    saturation_figure,
    temperature_figure,
)
from .training import (
    conv_norm_figure,
    init_variance_figure,
    loss_curves_figure,
    norm_training_figure,
    normalisation_axes_figure,
    optimizer_paths_figure,
    selection_figure,
)
from .vae import (
    codes_figure,
    gradient_estimators_figure,
    latent_space_figure,
    vae_reconstructions_figure,
    vae_samples_figure,
)

__all__ = [
    "COLORS",
    "new_figure",
    # backprop
    "graph_figure",
    "redraw",
    # softmax
    "temperature_figure",
    "normalisation_figure",
    "saturation_figure",
    "jacobian_figure",
    "activation_curves_figure",
    "max_family_figure",
    "bce_graph_figure",
    # losses
    "regression_losses_figure",
    "nll_curve_figure",
    "sigmoid_pitfall_figure",
    "multilabel_figure",
    "ce_graph_figure",
    "margin_ranking_figure",
    # conv
    "conv_net_figure",
    "sobel_figure",
    "pooling_figure",
    "neighbour_figure",
    # vae
    "gradient_estimators_figure",
    "vae_reconstructions_figure",
    "vae_samples_figure",
    "latent_space_figure",
    "codes_figure",
    # training: initialisation, normalisation, optimizers, debugging
    "init_variance_figure",
    "normalisation_axes_figure",
    "norm_training_figure",
    "conv_norm_figure",
    "optimizer_paths_figure",
    "loss_curves_figure",
    "selection_figure",
    # gating and architectures
    "soft_gate_figure",
    "gated_network_figure",
    "soft_switch_figure",
    "attention_figure",
    "alignment_figure",
    "positional_encoding_figure",
    "moe_regions_figure",
    "motif_figure",
    "weight_matrices_figure",
    # block diagrams of the architectures
    "multiplicative_module_figure",
    "mixture_of_experts_figure",
    "parameter_transform_figure",
    "weight_sharing_figure",
    "motif_detector_figure",
    # sequences
    "gradient_distance_figure",
    "recall_training_figure",
    "lstm_cell_figure",
    "lstm_gates_figure",
]
