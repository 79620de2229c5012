r"""Junk into every public function: a clear ``TypeError``/``ValueError`` or a finite result.

Every public callable of the package (a name not starting with ``_``, defined in the module that
exports it: functions, model constructors, optimizers, schedulers, trainers, experiments, figure
helpers, exercise helpers) has an entry in :data:`GOOD`: one good call, built fresh for every use
(some calls update their arguments in place). :func:`test_every_public_function_has_a_good_call`
fails when a new public function has none, so the sweep covers it without anyone remembering to.

The sweep then passes junk into each required positional argument in turn, good values elsewhere.
Which junk is tried follows the good value's kind (:func:`junk_for`): for an array ``None``, a
string, a dict, ``True``, an int, a list, a 0-d, an empty and a 5-d array, integer, float16 and
complex dtypes, and NaN/inf; for a model an array, a tensor, a dict and ``None``; for a state dict a
tensor, a 0-d array, a list and ``None``; for numbers, strings, sequences and callables the values
of their wrong kinds. Each call must either

- raise ``TypeError`` or ``ValueError`` whose message names the argument (for the value that one
  of ``backend``'s checkers checks, the caller's name it was given: :func:`reported_name`), or
- succeed, with a finite result whenever the inputs were finite: such junk is legal for that
  argument. The legal cases are the documented conversions: a list or an int where the docstring
  says "sequence" or "array-like" (``coin_nll``'s flips, ``decode``'s ids, the schedulers'
  ``t``), float16 and 5-d arrays where any floating shape is allowed (elementwise functions),
  a 0-d array where a scalar is (the backwards' ``grad`` of a mean), ``True``/ints where a Python
  number is cast (``check_number`` accepts ints, not bools).

A raw ``AttributeError``/``IndexError``/``NotImplementedError``/``RuntimeError`` or a silent
inf/nan from finite inputs fails the test, with every offending call listed.

The engine's primitives (``mlnotes.autograd.add``, ``exp``, ``reshape``, ...) are the array
namespace of its Tensors, what ``xp`` is inside a package function called on Tensors: like
NumPy's own functions they are not a door (the package's public functions check before they
call them), so they are held to their good calls only (:data:`NAMESPACE`); the Tensor itself and
``register`` are swept.
"""

from __future__ import annotations

import importlib
import inspect
import itertools
import math
import pkgutil
import re
import warnings

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

import mlnotes  # noqa: E402


def public_callables() -> dict[str, object]:
    """Every public callable of the package, by its qualified name ``module.name``."""
    found = {}
    for info in pkgutil.walk_packages(mlnotes.__path__, "mlnotes."):
        module = importlib.import_module(info.name)
        for name, obj in vars(module).items():
            if name.startswith("_") or not callable(obj):
                continue
            if getattr(obj, "__module__", None) != module.__name__:
                continue
            found[f"{module.__name__}.{name}"] = obj
    return found


# --- good values -------------------------------------------------------------------------------

def a(*shape: int, seed: int = 0) -> np.ndarray:
    """A float64 array of the shape, values in [-1, 1)."""
    return np.random.default_rng(seed).uniform(-1.0, 1.0, size=shape)


def pos(*shape: int) -> np.ndarray:
    """Probabilities in (0.1, 0.9)."""
    return np.random.default_rng(1).uniform(0.1, 0.9, size=shape)


def t(*shape: int, seed: int = 0) -> torch.Tensor:
    return torch.from_numpy(a(*shape, seed=seed))


class Model:
    """Marks a good value that is a model: its junk is an array, a tensor, a dict, ``None``."""


def lin(i: int = 1, o: int = 1) -> torch.nn.Linear:
    return torch.nn.Linear(i, o).double()


def mlp() -> list:
    """The backprop page's MLP (2, 3, 2): [W1, b1, W2, b2]."""
    from mlnotes.experiments.backprop import init_mlp
    return init_mlp((2, 3, 2))


def graph() -> tuple:
    """A small recorded graph, (w * w).sum(), for the figure of the engine's graph."""
    from mlnotes.autograd import Tensor
    w = Tensor(a(2), requires_grad=True)
    return ((w * w).sum(),)


def gated():
    from mlnotes.gating import GatedNetwork
    torch.manual_seed(0)
    return GatedNetwork(lin(), lin(), lin())


def charlm():
    from mlnotes.charlm import CharLSTM
    return CharLSTM(5, hidden_size=4, generator=0)


def recall_net():
    from mlnotes.experiments.sequences import NumpyRecallNet
    return NumpyRecallNet("lstm", hidden=4, generator=0)


def sgd():
    from mlnotes.optim import SGD
    return SGD([torch.nn.Parameter(torch.zeros(1))], lr=0.1)


def mha_args():
    x = a(3, 4)
    return (x, x, x, 2, a(12, 4, seed=1), a(12, seed=2), a(4, 4, seed=3), a(4, seed=4)), {}


def cross_attention_args():
    return (a(3, 4), a(5, 6, seed=1), 2, a(4, 4, seed=2), a(4, 6, seed=3), a(4, 6, seed=4),
            a(12, seed=5), a(4, 4, seed=6), a(4, seed=7)), {}


def encoder_layer_args():
    from mlnotes.attention import ENCODER_LAYER_PARAMETERS
    shapes = [(12, 4), (12,), (4, 4), (4,), (8, 4), (8,), (4, 8), (4,), (4,), (4,), (4,), (4,)]
    pairs = enumerate(zip(ENCODER_LAYER_PARAMETERS, shapes, strict=True))
    params = {k: a(*s, seed=i) for i, (k, s) in pairs}
    return (a(3, 4), params, 2), {}


def vae():
    from mlnotes.vae import VAE
    return VAE(16, generator=0)


def fit_args():
    w = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    from mlnotes.optim import SGD
    return (lambda target: ((w - target) ** 2).sum(), SGD([w], lr=0.25),
            [torch.tensor(3.0, dtype=torch.float64)] * 2), {}


def exercise_namespace():
    """A namespace holding a right answer to the exercise ``softmax.stable``."""
    namespace = {"np": np}
    exec("def stable_softmax(x):\n    z = np.exp(x - x.max(axis=-1, keepdims=True))\n"
         "    return z / z.sum(axis=-1, keepdims=True)\n", namespace)
    return namespace


FRESH = itertools.count()  # a new exercise id for each call: an id is defined once

M = "mlnotes."
def _figure():
    """A fresh figure, for the calls that take one (redraw)."""
    from mlnotes.plotting import new_figure

    return new_figure()[0]


GOOD = {
    # activations
    M + "activations.sigmoid": lambda: ((a(2, 3),), {}),
    M + "activations.sigmoid_backward": lambda: ((a(2, 3), pos(2, 3)), {}),
    M + "activations.tanh": lambda: ((a(2, 3),), {}),
    M + "activations.tanh_backward": lambda: ((a(2, 3), a(2, 3, seed=1)), {}),
    M + "activations.relu": lambda: ((a(2, 3),), {}),
    M + "activations.relu_backward": lambda: ((a(2, 3), a(2, 3, seed=1)), {}),
    M + "activations.logsumexp": lambda: ((a(2, 3),), {}),
    M + "activations.logsumexp_backward": lambda: ((a(2), a(2, 3)), {}),
    M + "activations.softmax": lambda: ((a(2, 3),), {}),
    M + "activations.softmax_backward": lambda: ((a(2, 3), pos(2, 3)), {}),
    M + "activations.softmax_jacobian": lambda: ((pos(3),), {}),
    M + "activations.log_softmax": lambda: ((a(2, 3),), {}),
    M + "activations.log_softmax_backward": lambda: ((a(2, 3), -pos(2, 3)), {}),
    M + "activations.hardmax": lambda: ((a(2, 3),), {}),
    M + "activations.hardmax_backward": lambda: ((a(2, 3), a(2, 3, seed=1)), {}),
    # attention
    M + "attention.attention_weights": lambda: ((a(2, 4), a(3, 4, seed=1)), {}),
    M + "attention.scaled_dot_product_attention":
        lambda: ((a(2, 4), a(3, 4, seed=1), a(3, 5, seed=2)), {}),
    M + "attention.multi_head_attention": mha_args,
    M + "attention.cross_attention": cross_attention_args,
    M + "attention.positional_encoding": lambda: ((5, 4), {}),
    M + "attention.transformer_encoder_layer": encoder_layer_args,
    # autograd: the engine's Tensor, its registration and its primitives (arrays are constants)
    M + "autograd.Tensor": lambda: ((a(2, 3),), {"requires_grad": True}),
    M + "autograd.register": lambda: ((lambda x: x, lambda grad, x: grad), {}),
    **{M + f"autograd.{name}": (lambda: ((a(2, 3),), {})) for name in (
        "abs", "exp", "expm1", "negative", "tanh", "sum", "mean", "max",
        "min", "matrix_transpose", "asarray")},
    **{M + f"autograd.{name}": (lambda: ((pos(2, 3),), {})) for name in ("log", "log1p", "sqrt")},
    **{M + f"autograd.{name}": (lambda: ((a(2, 3), a(2, 3, seed=1)), {})) for name in (
        "add", "subtract", "multiply", "maximum", "minimum")},
    M + "autograd.divide": lambda: ((a(2, 3), pos(2, 3)), {}),
    M + "autograd.pow": lambda: ((pos(2, 3), 2.0), {}),
    M + "autograd.matmul": lambda: ((a(2, 3), a(3, 4, seed=1)), {}),
    M + "autograd.clip": lambda: ((a(2, 3), -0.5, 0.5), {}),
    M + "autograd.where": lambda: ((a(2, 3) > 0, a(2, 3), a(2, 3, seed=1)), {}),
    M + "autograd.reshape": lambda: ((a(2, 3), (3, 2)), {}),
    M + "autograd.expand_dims": lambda: ((a(2, 3),), {"axis": 0}),
    M + "autograd.squeeze": lambda: ((a(1, 3),), {"axis": 0}),
    M + "autograd.permute_dims": lambda: ((a(2, 3), (1, 0)), {}),
    M + "autograd.broadcast_to": lambda: ((a(1, 3), (2, 3)), {}),
    M + "autograd.astype": lambda: ((a(2, 3), np.float32), {}),
    M + "autograd.concat": lambda: (([a(2, 3), a(2, 3, seed=1)],), {}),
    M + "autograd.stack": lambda: (([a(2, 3), a(2, 3, seed=1)],), {}),
    M + "autograd.unstack": lambda: ((a(2, 3),), {}),
    M + "autograd.take": lambda: ((a(2, 3), np.array([0, 2])), {"axis": 1}),
    M + "autograd.take_along_axis": lambda: ((a(2, 3), np.array([[0], [2]])), {"axis": 1}),
    M + "autograd.einsum": lambda: (("ij,jk->ik", a(2, 3), a(3, 4, seed=1)), {}),
    # backend: the checks and helpers the package's functions call
    M + "backend.namespace": lambda: ((a(2),), {}),
    M + "backend.is_torch": lambda: ((a(2),), {}),
    M + "backend.is_tensor": lambda: ((a(2),), {}),
    M + "backend.device_of": lambda: ((a(2),), {}),
    M + "backend.check_floating": lambda: ((a(2), "x"), {}),
    M + "backend.check_axis": lambda: ((-1, 2), {}),
    M + "backend.check_count": lambda: ((3, "n"), {}),
    M + "backend.check_same_shape": lambda: ((a(2), a(2)), {"names": ("a", "b")}),
    M + "backend.check_number": lambda: ((0.5, "lr"), {}),
    M + "backend.check_bool": lambda: ((True, "flag"), {}),
    M + "backend.check_model": lambda: ((lin(),), {}),
    M + "backend.as_generator": lambda: ((0,), {}),
    M + "backend.randn": lambda: (((2, 3), np.random.default_rng(0), a(1)), {}),
    M + "backend.rand": lambda: (((2, 3), np.random.default_rng(0), a(1)), {}),
    M + "backend.fill_uniform_": lambda: ((a(2, 3), -1.0, 1.0, np.random.default_rng(0)), {}),
    M + "backend.fill_normal_": lambda: ((a(2, 3), 0.0, 1.0, np.random.default_rng(0)), {}),
    M + "backend.assign_": lambda: ((a(2, 3), a(2, 3, seed=1)), {}),
    M + "backend.stop_gradient": lambda: ((a(2),), {}),
    M + "backend.to_numpy": lambda: ((a(2),), {}),
    M + "backend.import_torch": lambda: ((), {}),
    M + "backend.needs_torch": lambda: ((lambda: 1,), {}),
    # charlm
    M + "charlm.vocabulary": lambda: (("banana",), {}),
    M + "charlm.encode": lambda: (("nab",), {"vocab": "abn"}),
    M + "charlm.decode": lambda: ((np.array([2, 0, 1]),), {"vocab": "abn"}),
    M + "charlm.unigram_entropy": lambda: ((np.array([0, 1, 0, 1]),), {}),
    M + "charlm.pad_sequences": lambda: (([[5, 6, 7], [8]],), {}),
    M + "charlm.make_batch": lambda: ((np.arange(8), 2, 2, 4), {}),
    M + "charlm.CharLSTM": lambda: ((5,), {"hidden_size": 4}),
    M + "charlm.NumpyCharLSTM": lambda: ((5,), {"hidden_size": 4}),
    M + "charlm.sequence_loss":
        lambda: ((charlm(), np.array([[0, 1, 2]]), np.array([[1, 2, 0]])), {}),
    M + "charlm.train": lambda: ((charlm(), np.arange(12) % 5),
                                 {"steps": 2, "batch_size": 2, "min_length": 2, "max_length": 4}),
    M + "charlm.next_distribution": lambda: ((charlm(), "abc"), {"vocab": "abcde"}),
    M + "charlm.sample": lambda: ((charlm(), "abc", 3), {"vocab": "abcde"}),
    M + "charlm.greedy": lambda: ((charlm(), "abc", 3), {"vocab": "abcde"}),
    # conv
    M + "conv._geometry.conv_output_size": lambda: ((28, 5), {}),
    M + "conv.convolution.conv2d": lambda: ((a(1, 2, 5, 5), a(3, 2, 3, 3, seed=1)), {}),
    M + "conv.convolution.conv2d_backward":
        lambda: ((a(1, 3, 3, 3), a(1, 2, 5, 5), a(3, 2, 3, 3, seed=1)), {}),
    M + "conv.convolution.conv2d_naive": lambda: ((a(1, 2, 5, 5), a(3, 2, 3, 3, seed=1)), {}),
    M + "conv.convolution.conv2d_tiled": lambda: ((a(1, 2, 5, 5), a(3, 2, 3, 3, seed=1)), {}),
    M + "conv.convolution.conv1d": lambda: ((a(1, 2, 6), a(3, 2, 3, seed=1)), {}),
    M + "conv.pooling.max_pool2d": lambda: ((a(1, 1, 4, 4), 2), {}),
    M + "conv.pooling.max_pool2d_backward": lambda: ((a(1, 1, 2, 2), a(1, 1, 4, 4), 2), {}),
    M + "conv.pooling.avg_pool2d": lambda: ((a(1, 1, 4, 4), 2), {}),
    M + "conv.sobel.sobel_kernels": lambda: ((), {}),
    M + "conv.sobel.sobel": lambda: ((a(1, 1, 6, 6),), {}),
    M + "conv.sobel.edge_magnitude": lambda: ((a(1, 1, 6, 6),), {}),
    # datasets
    M + "datasets.strokes": lambda: ((4,), {}),
    M + "datasets.spirals": lambda: ((), {"n_per_class": 4}),
    # exercises
    M + "exercises.Fail": lambda: (("why",), {}),
    M + "exercises.fail": lambda: (("why",), {}),
    M + "exercises.Exercise": lambda: (("demo.id", "f"), {}),
    M + "exercises.exercise": lambda: ((f"junk.sweep{next(FRESH)}", "f"), {}),
    M + "exercises.registry": lambda: ((), {}),
    M + "exercises.Result": lambda: (("demo.id", 1, []), {}),
    M + "exercises.grade": lambda: (("softmax.stable", exercise_namespace()), {}),
    M + "exercises.check": lambda: (("softmax.stable", exercise_namespace()), {}),
    # experiments
    M + "experiments.architectures.two_regions": lambda: ((), {"n": 8}),
    M + "experiments.backprop.forward_mode_gradient":
        lambda: ((mlp(), a(4, 2), np.array([0, 1, 1, 0])), {}),
    M + "experiments.backprop.init_mlp": lambda: ((), {"sizes": (2, 3, 2)}),
    M + "experiments.backprop.mlp_jvp":
        lambda: ((mlp(), [np.ones_like(p) for p in mlp()], a(4, 2), np.array([0, 1, 1, 0])), {}),
    M + "experiments.backprop.mlp_loss": lambda: ((mlp(), a(4, 2), np.array([0, 1, 1, 0])), {}),
    M + "experiments.backprop.mode_costs": lambda: ((), {"widths": (2,), "n": 6, "repeats": 1}),
    M + "experiments.conv.conv_net_shapes": lambda: ((), {}),
    M + "experiments.conv.photograph": lambda: ((), {"downsample": 8}),
    M + "experiments.conv.step_image": lambda: ((), {}),
    M + "experiments.debugging.selection_experiment":
        lambda: ((), {"n_settings": 5, "n_val": 4, "n_draws": 3}),
    M + "experiments.gating.branch_gradient_norms":
        lambda: ((gated(), (t(4, 1),), t(4, 1, seed=1)), {}),
    M + "experiments.gating.train_gated_network":
        lambda: ((gated(), (t(4, 1),), t(4, 1, seed=1)), {"steps": 2}),
    M + "experiments.init.deep_forward":
        lambda: (("xavier",), {"depth": 2, "width": 4, "batch": 3}),
    M + "experiments.init.init_variances": lambda: ((), {"depth": 2, "width": 4, "batch": 3}),
    M + "experiments.losses.coin_nll": lambda: (([1, 0, 1], [0.25, 0.5]), {}),
    M + "experiments.losses.constant_fit_losses": lambda: (([0.0, 1.0, 5.0], [0.0, 1.0]), {}),
    M + "experiments.losses.fit_linear":
        lambda: ((a(6, 2), a(6, 1, seed=1), lambda p, y: ((p - y) ** 2).mean()), {"steps": 2}),
    M + "experiments.losses.multilabel_signs": lambda: ((), {"n": 8}),
    M + "experiments.normalization.norm_mlp": lambda: ((), {"depth": 2, "width": 4}),
    M + "experiments.normalization.numpy_norm_mlp": lambda: ((), {"depth": 2, "width": 4}),
    M + "experiments.normalization.norm_training_losses":
        lambda: ((), {"depth": 2, "width": 4, "steps": 2}),
    M + "experiments.normalization.stroke_angles": lambda: ((), {"n": 4, "size": 6}),
    M + "experiments.normalization.numpy_conv_net": lambda: ((), {"channels": 2}),
    M + "experiments.normalization.gradient_landscape":
        lambda: ((importlib.import_module(M + "experiments.normalization").numpy_conv_net(
            channels=2), np.random.default_rng(0).uniform(0, 1, (3, 1, 6, 6)),
            np.array([0, 1, 3]), [0.0, 0.1]), {}),
    M + "experiments.normalization.conv_norm_training":
        lambda: ((), {"steps": 2, "batch": 4, "channels": 2, "every": 1}),
    M + "experiments.optimizers.linear_data": lambda: ((), {"n": 8}),
    M + "experiments.optimizers.ravine_hessian": lambda: ((), {}),
    M + "experiments.sequences.bptt_gradient_norms": lambda: ((0.9,), {"length": 4, "hidden": 4}),
    M + "experiments.sequences.recall_task": lambda: ((4, 5), {}),
    M + "experiments.sequences.RecallNet": lambda: (("lstm",), {"hidden": 4}),
    M + "experiments.sequences.NumpyRecallNet": lambda: (("rnn",), {"hidden": 4}),
    M + "experiments.sequences.train_recall":
        lambda: ((recall_net(),), {"steps": 2, "length": 3, "every": 1, "test_size": 4}),
    M + "experiments.softmax.saturation_gradients": lambda: ((np.array([0.0, 1.0, 5.0]),), {}),
    # gating
    M + "gating.soft_gate": lambda: ((a(3), a(3, seed=1), pos(3)), {}),
    M + "gating.soft_gate_backward": lambda: ((a(3), a(3, seed=1), a(3, seed=2), pos(3)), {}),
    M + "gating.softmax_gate": lambda: ((a(3, 4), a(3, seed=1)), {}),
    M + "gating.bilinear": lambda: ((a(2, 3), a(2, 4, seed=1), a(5, 3, 4, seed=2)), {}),
    M + "gating.switch_weight": lambda: ((2,), {}),
    M + "gating.GatedNetwork": lambda: ((lin(), lin(), lin()), {}),
    M + "gating.NumpyGatedNetwork": lambda: (tuple(importlib.import_module(M + "nn").Linear(
        1, 1, generator=k) for k in range(3)), {}),
    # init
    M + "init.calculate_gain": lambda: (("tanh",), {}),
    M + "init.fan_in_and_fan_out": lambda: ((a(3, 4),), {}),
    M + "init.xavier_uniform_": lambda: ((a(3, 4),), {"generator": 0}),
    M + "init.xavier_normal_": lambda: ((a(3, 4),), {"generator": 0}),
    M + "init.kaiming_uniform_": lambda: ((a(3, 4),), {"generator": 0}),
    M + "init.kaiming_normal_": lambda: ((a(3, 4),), {"generator": 0}),
    M + "init.seeded_linear": lambda: ((2, 3), {}),
    # losses
    M + "losses.binary.binary_cross_entropy": lambda: ((pos(4), np.array([0.0, 1, 1, 0])), {}),
    M + "losses.binary.binary_cross_entropy_with_logits":
        lambda: ((a(4), np.array([0.0, 1, 1, 0])), {}),
    M + "losses.binary.binary_cross_entropy_with_logits_backward":
        lambda: ((np.array(1.0), a(4), np.array([0.0, 1, 1, 0])), {}),
    M + "losses.classes.nll_loss": lambda: ((-pos(3, 4), np.array([0, 3, 1])), {}),
    M + "losses.classes.cross_entropy": lambda: ((a(3, 4), np.array([0, 3, 1])), {}),
    M + "losses.classes.cross_entropy_backward":
        lambda: ((np.array(1.0), a(3, 4), np.array([0, 3, 1])), {}),
    M + "losses.margins.margin_ranking_loss":
        lambda: ((a(4), a(4, seed=1), np.array([1.0, -1, 1, -1])), {}),
    M + "losses.margins.multi_margin_loss": lambda: ((a(3, 4), np.array([0, 3, 1])), {}),
    M + "losses.margins.multi_margin_loss_backward":
        lambda: ((np.array(1.0), a(3, 4), np.array([0, 3, 1])), {}),
    M + "losses.margins.multiclass_hinge_loss": lambda: ((a(3, 4), np.array([0, 3, 1])), {}),
    M + "losses.margins.multiclass_hinge_loss_backward":
        lambda: ((np.array(1.0), a(3, 4), np.array([0, 3, 1])), {}),
    M + "losses.regression.mse_loss": lambda: ((a(4), a(4, seed=1)), {}),
    M + "losses.regression.mse_loss_backward": lambda: ((np.array(1.0), a(4), a(4, seed=1)), {}),
    M + "losses.regression.l1_loss": lambda: ((a(4), a(4, seed=1)), {}),
    M + "losses.regression.l1_loss_backward": lambda: ((np.array(1.0), a(4), a(4, seed=1)), {}),
    # moe
    M + "moe.MixtureOfExperts": lambda: ((2, 3), {}),
    M + "moe.NumpyMixtureOfExperts": lambda: ((2, 3), {}),
    M + "moe.fit_classifier":
        lambda: ((lin(1, 2), torch.tensor([[-1.0], [1.0]], dtype=torch.float64),
                  torch.tensor([0, 1])), {"steps": 2}),
    # norm
    M + "norm.batch_norm": lambda: ((a(4, 3), np.zeros(3), np.ones(3)), {}),
    M + "norm.batch_norm_backward": lambda: ((a(4, 3), a(4, 3, seed=1)), {}),
    M + "norm.layer_norm": lambda: ((a(4, 3), 3), {}),
    M + "norm.BatchNorm": lambda: ((3,), {}),
    M + "norm.LayerNorm": lambda: ((3,), {}),
    M + "norm.NumpyBatchNorm": lambda: ((3,), {}),
    M + "norm.NumpyLayerNorm": lambda: ((3,), {}),
    # optim
    M + "optim.sgd_step": lambda: ((a(3), a(3, seed=1), {}), {"lr": 0.1}),
    M + "optim.rmsprop_step": lambda: ((a(3), a(3, seed=1), {}), {"lr": 0.1}),
    M + "optim.adam_step": lambda: ((a(3), a(3, seed=1), {}), {"lr": 0.1}),
    M + "optim.adamw_step": lambda: ((a(3), a(3, seed=1), {}), {"lr": 0.1}),
    M + "optim.SGD": lambda: (([torch.nn.Parameter(t(2))],), {}),
    M + "optim.RMSprop": lambda: (([torch.nn.Parameter(t(2))],), {}),
    M + "optim.Adam": lambda: (([torch.nn.Parameter(t(2))],), {}),
    M + "optim.AdamW": lambda: (([torch.nn.Parameter(t(2))],), {}),
    M + "nn.Module": lambda: ((), {}),
    M + "experiments.debugging.mlp": lambda: ((), {"width": 4}),
    M + "experiments.debugging.NumpyMLP": lambda: ((), {"width": 4}),
    M + "nn.Linear": lambda: ((2, 3), {"generator": 0}),
    M + "nn.Sequential": lambda: ((importlib.import_module(M + "nn").Linear(2, 2, generator=0),),
                                  {}),
    M + "nn.ReLU": lambda: ((), {}),
    M + "nn.Tanh": lambda: ((), {}),
    M + "nn.Sigmoid": lambda: ((), {}),
    M + "optim.Optimizer": lambda: (([torch.nn.Parameter(t(2))], {"lr": 0.1}), {}),
    M + "optim.clip_grad_norm": lambda: (([a(2), a(3, seed=1)], 1.0), {}),
    M + "optim.trajectory":
        lambda: ((importlib.import_module(M + "optim").sgd_step, lambda x: 2 * x,
                  np.array([1.0, 2.0]), 3), {"lr": 0.25}),
    # plotting (their data checks are in tests/test_plotting.py; here only junk)
    M + "plotting._figure.new_figure": lambda: ((), {}),
    M + "plotting.backprop.graph_figure": lambda: (graph(), {}),
    M + "plotting.live.redraw": lambda: ((_figure(),), {}),
    M + "plotting.conv.conv_net_figure": lambda: ((), {}),
    M + "plotting.conv.sobel_figure": lambda: ((np.eye(8),), {}),
    M + "plotting.conv.pooling_figure": lambda: ((np.eye(4), np.eye(4)), {}),
    M + "plotting.conv.neighbour_figure": lambda: ((a(12, 12),), {"far": 4, "max_points": 50}),
    M + "plotting.gating.soft_gate_figure": lambda: ((), {}),
    M + "plotting.gating.gated_network_figure":
        lambda: ((gated(), t(5, 1), t(5, 1, seed=1)), {}),
    M + "plotting.gating.soft_switch_figure": lambda: ((), {}),
    M + "plotting.gating.attention_figure": lambda: ((np.eye(3), np.eye(3)), {}),
    M + "plotting.gating.alignment_figure": lambda: ((np.eye(2), ["a", "b"], ["x", "y"]), {}),
    M + "plotting.gating.positional_encoding_figure": lambda: ((np.zeros((4, 4)),), {}),
    M + "plotting.gating.moe_regions_figure":
        lambda: ((importlib.import_module(M + "moe").MixtureOfExperts(2, 2, dtype=torch.float64),
                  np.zeros((4, 2)), np.array([0, 1, 0, 1])), {}),
    M + "plotting.gating.motif_figure": lambda: ((np.zeros(10), np.array([1.0, -1.0]), [0, 5]), {}),
    M + "plotting.gating.weight_matrices_figure": lambda: (([np.eye(2)], ["identity"]), {}),
    M + "plotting.diagrams.multiplicative_module_figure": lambda: ((), {}),
    M + "plotting.diagrams.mixture_of_experts_figure": lambda: ((3,), {}),
    M + "plotting.diagrams.parameter_transform_figure": lambda: ((), {}),
    M + "plotting.diagrams.weight_sharing_figure": lambda: (([0, 1, 0],), {"num_params": 2}),
    M + "plotting.diagrams.motif_detector_figure": lambda: ((6, 2), {}),
    M + "plotting.losses.regression_losses_figure": lambda: (([0.0, 1.0, 9.0],), {}),
    M + "plotting.losses.nll_curve_figure": lambda: (([1, 0, 1],), {}),
    M + "plotting.losses.sigmoid_pitfall_figure":
        lambda: (([0, 1], {"a": [0.1, 0.9], "b": [0.9, 0.9]}), {}),
    M + "plotting.losses.multilabel_figure":
        lambda: ((np.array([[1.0, 1.0], [-1.0, 1.0]]), np.array([[1.0, 1.0], [0.0, 1.0]]),
                  {"all right": np.array([[1.0, 1.0], [0.0, 1.0]])}), {}),
    M + "plotting.losses.ce_graph_figure": lambda: ((), {}),
    M + "plotting.losses.margin_ranking_figure": lambda: ((), {}),
    M + "plotting.sequences.gradient_distance_figure": lambda: ((), {"radii": (0.5,), "length": 4}),
    M + "plotting.sequences.recall_training_figure":
        lambda: (({"RNN": {"loss": [1.4, 1.3], "accuracy": [0.2, 0.3]}},), {}),
    M + "plotting.sequences.lstm_cell_figure": lambda: ((), {}),
    M + "plotting.sequences.lstm_gates_figure":
        lambda: ((importlib.import_module(M + "rnn").LSTM(2, 3), np.zeros((4, 1, 2))), {}),
    M + "plotting.softmax.temperature_figure": lambda: (([1.0, 2.0, 3.0],), {}),
    M + "plotting.softmax.normalisation_figure": lambda: ((), {}),
    M + "plotting.softmax.saturation_figure": lambda: ((), {}),
    M + "plotting.softmax.jacobian_figure": lambda: (([1.0, 2.0, 0.5],), {}),
    M + "plotting.softmax.activation_curves_figure": lambda: ((), {}),
    M + "plotting.softmax.max_family_figure": lambda: ((), {}),
    M + "plotting.softmax.bce_graph_figure": lambda: ((), {}),
    M + "plotting.training.init_variance_figure":
        lambda: ((), {"depth": 2, "width": 4, "batch": 3}),
    M + "plotting.training.normalisation_axes_figure": lambda: ((), {}),
    M + "plotting.training.norm_training_figure": lambda: (({"none": np.ones(3)},), {}),
    M + "plotting.training.conv_norm_figure":
        lambda: (({"none": {"loss": np.ones(3), "shift": np.full(2, 0.1)}},), {}),
    M + "plotting.training.optimizer_paths_figure":
        lambda: ((np.diag([1.0, 10.0]), {"SGD": np.array([[-3.0, 1.0], [-2.0, 0.5]])}), {}),
    M + "plotting.training.loss_curves_figure": lambda: (({"run": [1.0, 0.5, 0.2]},), {}),
    M + "plotting.training.selection_figure":
        lambda: ((np.array([0.5, 0.7]), np.array([0.6, 0.6])), {}),
    M + "plotting.vae.gradient_estimators_figure": lambda: ((a(20), a(20, seed=1), 0.0), {}),
    M + "plotting.vae.vae_reconstructions_figure":
        lambda: ((vae(), np.zeros((3, 4, 4))), {"n": 3}),
    M + "plotting.vae.vae_samples_figure": lambda: ((vae(),), {"n": 4, "ncols": 4}),
    M + "plotting.vae.codes_figure": lambda: (({"ae": a(3, 2)}, np.arange(3.0)), {}),
    M + "plotting.vae.latent_space_figure":
        lambda: ((vae(), np.zeros((3, 4, 4)), np.arange(3.0)), {"steps": 3}),
    # rnn
    M + "rnn.elman.rnn_cell": lambda: ((a(2), a(3, seed=1), a(3, 2, seed=2), a(3, 3, seed=3)), {}),
    M + "rnn.elman.rnn": lambda: ((a(4, 2), a(3, seed=1), a(3, 2, seed=2), a(3, 3, seed=3)), {}),
    M + "rnn.elman.rnn_backward":
        lambda: ((a(4, 3), a(4, 2, seed=1), a(4, 3, seed=2), a(3, seed=3), a(3, 2, seed=4),
                  a(3, 3, seed=5)), {}),
    M + "rnn.lstm.lstm_gates":
        lambda: ((a(2), (a(3, seed=1), a(3, seed=2)), a(12, 2, seed=3), a(12, 3, seed=4)), {}),
    M + "rnn.lstm.lstm_cell":
        lambda: ((a(2), (a(3, seed=1), a(3, seed=2)), a(12, 2, seed=3), a(12, 3, seed=4)), {}),
    M + "rnn.lstm.lstm":
        lambda: ((a(4, 2), (a(3, seed=1), a(3, seed=2)), a(12, 2, seed=3), a(12, 3, seed=4)), {}),
    M + "rnn.lstm.LSTM": lambda: ((2, 3), {}),
    M + "rnn.lstm.NumpyLSTM": lambda: ((2, 3), {}),
    M + "rnn.lstm.lstm_backward":
        lambda: ((a(4, 3), a(4, 3, seed=1), a(4, 2, seed=2), a(4, 3, seed=3), a(4, 3, seed=4),
                  a(3, seed=5), a(3, seed=6), a(12, 2, seed=7), a(12, 3, seed=8)), {}),
    # schedulers
    M + "schedulers.step_lr": lambda: ((np.arange(5), 0.1, 2), {}),
    M + "schedulers.linear_lr": lambda: ((np.arange(5), 0.1), {}),
    M + "schedulers.cosine_annealing_lr": lambda: ((np.arange(5), 0.1, 4), {}),
    M + "schedulers.LRScheduler": lambda: ((sgd(),), {}),
    M + "schedulers.LambdaLR": lambda: ((sgd(), lambda step: 0.5), {}),
    M + "schedulers.StepLR": lambda: ((sgd(), 2), {}),
    M + "schedulers.LinearLR": lambda: ((sgd(),), {}),
    M + "schedulers.CosineAnnealingLR": lambda: ((sgd(), 4), {}),
    # sharing
    M + "sharing.linear_transform": lambda: ((a(2), a(3, 2, seed=1)), {}),
    M + "sharing.transform_backward": lambda: ((a(3), a(3, 2, seed=1)), {}),
    M + "sharing.share": lambda: ((a(2), np.array([0, 1, 0, -1, 1])), {}),
    M + "sharing.share_backward": lambda: ((a(5), np.array([0, 1, 0, -1, 1]), 2), {}),
    M + "sharing.sharing_matrix": lambda: ((np.array([0, 1, 0]), 2), {}),
    M + "sharing.conv_index": lambda: ((4, 2), {}),
    M + "sharing.TransformedLinear": lambda: ((3, 2, 6, lambda u: u), {}),
    M + "sharing.NumpyTransformedLinear": lambda: ((3, 2, 6, lambda u: u), {}),
    M + "sharing.sliding_windows": lambda: ((a(4), 2), {}),
    M + "sharing.motif_scores": lambda: ((a(1, 1, 4), a(1, 1, 2, seed=1)), {}),
    M + "sharing.motif_detector": lambda: ((a(1, 1, 5), a(1, 1, 2, seed=1)), {}),
    # training
    M + "training.fit": fit_args,
    # vae
    M + "vae.reparameterize": lambda: ((a(2), a(2, seed=1), a(2, seed=2)), {}),
    M + "vae.reparameterize_backward": lambda: ((a(2), a(2, seed=1), a(2, seed=2)), {}),
    M + "vae.rsample": lambda: ((a(4, 2), a(4, 2, seed=1), 0), {}),
    M + "vae.gaussian_kl": lambda: ((a(2, 2), a(2, 2, seed=1)), {}),
    M + "vae.gaussian_kl_backward": lambda: ((np.array(1.0), a(2), a(2, seed=1)), {}),
    M + "vae.gaussian_log_prob": lambda: ((a(2), a(2, seed=1), a(2, seed=2)), {}),
    M + "vae.score_function_gradient":
        lambda: ((np.array(2.0), a(1), a(1, seed=1), a(1, seed=2)), {}),
    M + "vae.bernoulli_log_likelihood": lambda: ((a(2), np.array([1.0, 0.0])), {}),
    M + "vae.elbo_loss":
        lambda: ((a(1, 2), np.ones((1, 2)), a(1, 3, seed=1), a(1, 3, seed=2)), {}),
    M + "vae.VAE": lambda: ((4,), {}),
    M + "vae.NumpyVAE": lambda: ((4,), {}),
    M + "vae.fit_vae":
        lambda: ((vae(), torch.rand(8, 16, generator=torch.Generator().manual_seed(0))),
                 {"epochs": 1, "batch_size": 4}),
}


# What a good call raises by design: ``fail`` is a verdict, and ``LRScheduler`` is the base that
# the schedulers override (``get_lr`` is theirs). The same exception under junk is legal too.
EXPECTED = {
    M + "exercises.fail": importlib.import_module(M + "exercises").Fail,
    M + "schedulers.LRScheduler": NotImplementedError,
}


# --- junk --------------------------------------------------------------------------------------

def junk_for(good: object) -> dict[str, object]:
    """The junk to try where ``good`` goes, by the kind of ``good``."""
    if isinstance(good, (torch.nn.Module, importlib.import_module(M + "nn").Module)):
        return {"ndarray": a(2, 2), "tensor": t(2, 2), "dict": {"a": 1}, "None": None,
                "str": "model"}
    if isinstance(good, (torch.optim.Optimizer, importlib.import_module(M + "optim").SGD)):
        return {"None": None, "str": "sgd", "dict": {"lr": 0.1}, "tensor": t(2)}
    if isinstance(good, dict):
        return {"None": None, "str": "state", "list": [1.0], "tensor": t(2),
                "0-d array": np.array(1.0)}
    if isinstance(good, bool):
        return {"None": None, "str": "yes", "array": a(2)}
    if isinstance(good, (int, np.integer)):
        return {"None": None, "str": "3", "float 1.5": 1.5, "bool": True, "nan": math.nan,
                "complex": 1j, "array": a(2), "list": [1]}
    if isinstance(good, float):
        return {"None": None, "str": "0.5", "nan": math.nan, "inf": math.inf, "complex": 1j,
                "array": a(2), "list": [0.5]}
    if isinstance(good, str):
        return {"None": None, "int": 3, "list": ["a"], "array": a(2)}
    if isinstance(good, torch.Tensor):
        base = good.detach()
        junk = {"None": None, "str": "x", "dict": {"a": 1}, "bool": True,
                "ndarray": base.numpy(), "0-d": torch.tensor(1.0, dtype=base.dtype),
                "empty": base[:0], "5-d": torch.zeros((1,) * 4 + tuple(base.shape[-1:]),
                                                       dtype=base.dtype),
                "complex": base.to(torch.complex128)}
        if base.is_floating_point():
            junk.update({"int64": base.round().long(), "float16": base.half(),
                         "nan": torch.full_like(base, math.nan)})
        else:
            junk.update({"float": base.double() + 0.5})
        return junk
    if isinstance(good, np.ndarray):
        junk = {"None": None, "str": "x", "dict": {"a": 1}, "bool": True, "int": 3,
                "list": good.tolist(), "0-d": np.array(0.5, dtype=good.dtype),
                "empty": good[:0] if good.ndim else np.zeros(0), "5-d": np.zeros((1, 1, 1, 1, 2)),
                "tensor": torch.from_numpy(np.array(good)),
                "complex": good.astype(np.complex128)}
        if np.issubdtype(good.dtype, np.floating):
            junk.update({"int64": np.round(good * 3).astype(np.int64),
                         "float16": good.astype(np.float16),
                         "nan": np.full_like(good, np.nan), "inf": np.full_like(good, np.inf)})
        else:
            junk.update({"float": good.astype(np.float64) + 0.5})
        return junk
    if isinstance(good, (list, tuple)):
        return {"None": None, "str": "seq", "dict": {"a": 1}, "int": 3, "empty": type(good)()}
    if callable(good):
        return {"None": None, "str": "f", "int": 3}
    return {"None": None}


def required_positionals(fn: object) -> list[str]:
    try:
        params = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):  # pragma: no cover
        return []
    return [p.name for p in params
            if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD, p.VAR_POSITIONAL)
            and p.default is p.empty]


def _contains_nonfinite(value: object, depth: int = 0) -> bool:
    if depth > 4:
        return False
    if isinstance(value, torch.Tensor):
        return bool(value.is_floating_point() or value.is_complex()) and not bool(
            torch.isfinite(value.detach()).all())
    if isinstance(value, np.ndarray):
        return (np.issubdtype(value.dtype, np.inexact) and not bool(np.isfinite(value).all()))
    if isinstance(value, (float, complex, np.floating)):
        return not np.isfinite(value)
    if isinstance(value, (list, tuple)):
        return any(_contains_nonfinite(v, depth + 1) for v in value)
    if isinstance(value, dict):
        return any(_contains_nonfinite(v, depth + 1) for v in value.values())
    return False


def reported_name(qualname: str, fn: object, arg_name: str, args: list, kwargs: dict) -> str:
    """The name a clear message about ``arg_name`` carries.

    ``backend``'s checkers (``check_count(value, name)``, ``check_number``, ``check_bool``, ...)
    report their caller's argument: ``check_count(n, "num_experts")`` says "num_experts must be
    an int", not "value must be". So for the value such a checker checks (its first parameter)
    the message must carry the ``name`` it was given; everywhere else, the argument's own name.
    """
    params = list(inspect.signature(fn).parameters)
    if not qualname.startswith(M + "backend.") or "name" not in params or arg_name != params[0]:
        return arg_name
    bound = inspect.signature(fn).bind(*args, **kwargs)
    bound.apply_defaults()
    return bound.arguments["name"]


def _names(message: str, name: str) -> bool:
    return re.search(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])", message) is not None


NAMESPACE = {M + f"autograd.{name}" for name in importlib.import_module(M + "autograd").__all__
             if name not in ("Tensor", "register")}


def sweep(names: list[str] | None = None) -> tuple[dict[str, int], list[str]]:
    """Run the sweep; return the counts and the offending calls."""
    functions = {k: v for k, v in public_callables().items() if k not in NAMESPACE}
    counts = {"functions": 0, "calls": 0, "clear": 0, "legal": 0, "raw": 0, "non-finite": 0}
    bad = []
    for qualname in sorted(names or functions):
        fn = functions[qualname]
        counts["functions"] += 1
        required = required_positionals(fn)
        args, kwargs = GOOD[qualname]()
        for i, arg_name in enumerate(required[:len(args)]):
            for label, junk in junk_for(args[i]).items():
                args, kwargs = GOOD[qualname]()
                args = list(args)
                args[i] = junk
                nonfinite_in = _contains_nonfinite(junk) or label in {"nan", "inf"}
                counts["calls"] += 1
                where = f"{qualname}({arg_name}={label})"
                try:
                    with warnings.catch_warnings():
                        warnings.simplefilter("ignore")
                        result = fn(*args, **kwargs)
                except EXPECTED.get(qualname, ()):
                    counts["legal"] += 1
                except (TypeError, ValueError) as exc:
                    if _names(str(exc), reported_name(qualname, fn, arg_name, args, kwargs)):
                        counts["clear"] += 1
                    else:
                        counts["raw"] += 1
                        bad.append(f"{where}: {type(exc).__name__} not naming "
                                   f"{arg_name!r}: {exc}")
                except Exception as exc:  # noqa: BLE001 (the sweep reports every raw error)
                    counts["raw"] += 1
                    bad.append(f"{where}: raw {type(exc).__name__}: {exc}")
                else:
                    if not nonfinite_in and _contains_nonfinite(result):
                        counts["non-finite"] += 1
                        bad.append(f"{where}: a non-finite result from finite inputs")
                    else:
                        counts["legal"] += 1
                finally:
                    plt.close("all")
    return counts, bad


@pytest.fixture(autouse=True)
def _keep_the_exercise_registry():
    """The sweep defines exercises; the book's registry is left as it was."""
    from mlnotes.exercises import _REGISTRY, registry

    saved = registry()  # every page's exercises imported, so that none is lost below
    yield
    _REGISTRY.clear()
    _REGISTRY.update(saved)


def test_every_public_function_has_a_good_call():
    missing = sorted(set(public_callables()) - set(GOOD))
    stale = sorted(set(GOOD) - set(public_callables()))
    assert not missing, f"public functions without a good call in GOOD: {missing}"
    assert not stale, f"GOOD names functions that no longer exist: {stale}"


@pytest.mark.parametrize("qualname", sorted(GOOD))
def test_good_call_succeeds(qualname):
    fn = public_callables()[qualname]
    args, kwargs = GOOD[qualname]()
    try:
        if qualname in EXPECTED:
            with pytest.raises(EXPECTED[qualname]):
                fn(*args, **kwargs)
            return
        result = fn(*args, **kwargs)
    finally:
        plt.close("all")
    assert not _contains_nonfinite(result)


def test_junk_is_refused_clearly():
    # no backlog: every call of the sweep is refused clearly or legal (issue 28, item 1)
    counts, bad = sweep()
    assert not bad, f"{len(bad)} raw or silent calls ({counts}):\n" + "\n".join(bad)


if __name__ == "__main__":  # the sweep's numbers: python tests/test_junk.py
    counts, bad = sweep()
    print("\n".join(bad))
    print(counts)
