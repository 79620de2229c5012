"""The figure helpers' door: what they accept, what they refuse, and in which words.

``tests/test_junk.py`` sweeps junk into every required argument (a clear error or a finite
result). Here: the shared checker itself, the documented conversions (a list, a tensor, an
integer array draw what the float array draws), and the checks that junk of one argument alone
cannot reach: arguments that disagree with each other (lengths, shapes, a model's sizes) and
the optional arguments.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from mlnotes import plotting
from mlnotes.plotting._figure import _check_array, _check_arrays


def test_check_array_converts_every_array_of_real_numbers_to_float64():
    expected = np.array([[0.0, 1.0], [2.0, 3.0]])
    for given in ([[0, 1], [2, 3]], ((0.0, 1.0), (2.0, 3.0)), expected.astype(np.int64),
                  expected.astype(np.float16), torch.tensor(expected, requires_grad=True)):
        out = _check_array(given, "x", 2)
        assert out.dtype == np.float64
        np.testing.assert_array_equal(out, expected)
    np.testing.assert_array_equal(_check_array(np.array([True, False]), "x", 1), [1.0, 0.0])
    # non-finite entries pass only where the figure asks for that
    assert np.isnan(_check_array([1.0, np.nan], "x", 1, finite=False)[1])


@pytest.mark.parametrize(("given", "error", "message"), [
    (None, TypeError, "x must be an array of real numbers, got NoneType"),
    ("ab", TypeError, "x must be an array of real numbers, got str"),
    ({"a": 1}, TypeError, "x must be an array of real numbers, got dict"),
    (3, TypeError, "x must be an array of real numbers, got int"),
    (True, TypeError, "x must be an array of real numbers, got bool"),
    ([[1.0], [1.0, 2.0]], TypeError, "x must be an array of real numbers: "),
    (np.ones(2) + 1j, TypeError, "x must hold real numbers, got dtype complex128"),
    (["a", "b"], TypeError, "x must hold real numbers, got dtype <U1"),
    (np.ones((2, 2)), ValueError, r"x must be a 1-D array \(N,\), got shape \(2, 2\)"),
    (np.array(1.0), ValueError, r"x must be a 1-D array \(N,\), got shape \(\)"),
    (np.ones(0), ValueError, r"x must not be empty, got shape \(0,\)"),
    (np.array([1.0, np.inf, np.nan]), ValueError, "x must be finite, got 2 NaN or infinite"),
])
def test_check_array_refuses_naming_the_argument(given, error, message):
    with pytest.raises(error, match=message):
        _check_array(given, "x", 1, "(N,)")


def test_check_arrays_checks_each_entry_under_its_key():
    out = _check_arrays({"a": [1, 2], "b": np.zeros(3)}, "histories", 1)
    assert list(out) == ["a", "b"] and all(v.dtype == np.float64 for v in out.values())
    with pytest.raises(TypeError, match=r"histories must be a dict \{label: 1-D array\}, got list"):
        _check_arrays([1.0], "histories", 1)
    with pytest.raises(ValueError, match="histories must have at least one entry"):
        _check_arrays({}, "histories", 1)
    with pytest.raises(ValueError, match=r"histories\['b'\] must be a 1-D array"):
        _check_arrays({"a": [1.0], "b": [[1.0]]}, "histories", 1)


def _offsets(fig):
    return [c.get_offsets().data.copy() for ax in fig.axes for c in ax.collections]


def _lines(fig):
    return [line.get_xydata().copy() for ax in fig.axes for line in ax.lines]


def test_a_list_a_tensor_or_integers_draw_what_the_float_array_draws():
    val, test = np.array([0.5, 0.75, 0.25]), np.array([0.5, 0.5, 0.25])
    reference = _offsets(plotting.selection_figure(val, test))
    for v, t in ((val.tolist(), test.tolist()), (torch.tensor(val), torch.tensor(test))):
        for got, want in zip(_offsets(plotting.selection_figure(v, t)), reference, strict=True):
            np.testing.assert_array_equal(got, want)
    image = np.eye(6, dtype=np.int64)
    a, b = plotting.sobel_figure(image), plotting.sobel_figure(image.astype(np.float64))
    for ax_a, ax_b in zip(a.axes, b.axes, strict=True):
        np.testing.assert_array_equal(ax_a.images[0].get_array(), ax_b.images[0].get_array())


def test_gated_network_figure_feeds_a_numpy_input_to_a_torch_model_in_its_dtype():
    from mlnotes.gating import GatedNetwork
    from mlnotes.init import seeded_linear

    net = GatedNetwork(*(seeded_linear(1, 1, generator=k) for k in range(3)))  # float32
    u = torch.linspace(-2, 2, 9)[:, None]
    reference = _lines(plotting.gated_network_figure(net, u, u.abs()))
    got = _lines(plotting.gated_network_figure(net, u.numpy(), np.abs(u.numpy())))
    for g, r in zip(got, reference, strict=True):
        np.testing.assert_array_equal(g, r)


def test_a_run_stopped_at_a_non_finite_loss_is_still_drawn():
    # the debugging page stops a run when its loss stops being finite, and plots it
    fig = plotting.loss_curves_figure({"ok": [1.0, 0.5, 0.25], "stopped": [1.0, 4.0, np.inf]})
    ok, stopped = fig.axes[0].lines
    np.testing.assert_array_equal(stopped.get_xydata(), [[1, 1.0], [2, 4.0], [3, np.inf]])
    np.testing.assert_array_equal(ok.get_ydata(), [1.0, 0.5, 0.25])


def _moe():
    from mlnotes.moe import MixtureOfExperts

    return MixtureOfExperts(2, 2, dtype=torch.float64)


def _gated():
    from mlnotes.gating import GatedNetwork
    from mlnotes.init import seeded_linear

    return GatedNetwork(*(seeded_linear(1, 1, generator=k) for k in range(3)))


def _lstm():
    from mlnotes.rnn import LSTM

    return LSTM(2, 3)


def _vae(latent: int = 2):
    from mlnotes.vae import NumpyVAE

    return NumpyVAE(16, latent_features=latent, generator=0)


H = np.diag([1.0, 10.0])
X2, Y01 = np.zeros((4, 2)), np.array([0, 1, 0, 1])
HISTORY = {"RNN": {"loss": [1.4, 1.3], "accuracy": [0.2, 0.3]}}

# (the call, the error, what its message must say); each message names the argument at fault
DISAGREEING = {
    "val and test of different lengths": (
        lambda: plotting.selection_figure([0.5, 0.7], [0.6]), ValueError, "val and test"),
    "a 3 x 3 Hessian": (
        lambda: plotting.optimizer_paths_figure(np.eye(3), {"SGD": np.zeros((2, 2))}),
        ValueError, "H must be a 2 x 2 Hessian"),
    "a path in 3-D": (
        lambda: plotting.optimizer_paths_figure(H, {"SGD": np.zeros((3, 3))}),
        ValueError, r"paths must hold \(T \+ 1, 2\) points"),
    "a path that diverged": (
        lambda: plotting.optimizer_paths_figure(H, {"SGD": [[1.0, 0.0], [np.inf, 0.0]]}),
        ValueError, r"paths\['SGD'\] must be finite"),
    "a negative tolerance": (
        lambda: plotting.optimizer_paths_figure(H, {"SGD": np.ones((2, 2))}, tol=-1.0),
        ValueError, "tol must be"),
    "far beyond the map": (
        lambda: plotting.neighbour_figure(np.ones((5, 5)), far=5), ValueError,
        "far must be less than the map's width 5"),
    "an image smaller than the pool": (
        lambda: plotting.pooling_figure(np.eye(4), np.eye(1)), ValueError,
        "shifted must be at least kernel_size=2"),
    "a motif placed past the end": (
        lambda: plotting.motif_figure(np.zeros(10), [1.0, -1.0], [9]), ValueError,
        r"positions must be one or more ints in \[0, 8\]"),
    "a position that is not an int": (
        lambda: plotting.motif_figure(np.zeros(10), [1.0, -1.0], [1.5]), TypeError,
        "positions must be a sequence of ints"),
    "a motif longer than the sequence": (
        lambda: plotting.motif_figure(np.zeros(3), np.ones(4), [0]), ValueError,
        r"motif must be no longer than x \(3\)"),
    "a motif of zeros": (
        lambda: plotting.motif_figure(np.zeros(10), np.zeros(2), [0]), ValueError,
        "motif must be .* not all zero"),
    "two titles for one matrix": (
        lambda: plotting.weight_matrices_figure([np.eye(2)], ["a", "b"]), ValueError,
        r"titles must have one entry per matrix \(1\), got 2"),
    "a vector among the matrices": (
        lambda: plotting.weight_matrices_figure([np.eye(2), np.ones(3)], ["a", "b"]),
        ValueError, r"matrices\[1\] must be a 2-D array"),
    "points in 3-D": (
        lambda: plotting.moe_regions_figure(_moe(), np.zeros((4, 3)), Y01), ValueError,
        r"X must be \(N, 2\) points"),
    "a label 2": (
        lambda: plotting.moe_regions_figure(_moe(), X2, np.array([0, 1, 2, 1])), ValueError,
        "y must hold the labels 0 and 1 only"),
    "an array as the single model": (
        lambda: plotting.moe_regions_figure(_moe(), X2, Y01, single=np.eye(2)), TypeError,
        "single must be a torch.nn.Module"),
    "fewer targets than inputs": (
        lambda: plotting.gated_network_figure(_gated(), np.zeros((5, 1)), np.zeros((3, 1))),
        ValueError, r"u and target must both have shape \(N, 1\)"),
    "predictions of other labels": (
        lambda: plotting.multilabel_figure(np.ones((2, 2)), np.ones((2, 2)),
                                           {"a": np.ones((2, 1))}),
        ValueError, "predictions"),
    "fewer outputs than labels": (
        lambda: plotting.sigmoid_pitfall_figure([0, 1], {"a": [0.1]}), ValueError,
        "outputs must hold one output per label of y"),
    "a history without accuracy": (
        lambda: plotting.recall_training_figure({"RNN": {"loss": [1.0]}}), TypeError,
        r"histories\['RNN'\] must be a dict with the keys 'loss' and 'accuracy'"),
    "a chance of zero": (
        lambda: plotting.recall_training_figure(HISTORY, chance=0.0), ValueError,
        r"chance must be a finite number in \(0, 1\]"),
    "inputs of the wrong width": (
        lambda: plotting.lstm_gates_figure(_lstm(), np.zeros((4, 1, 3))), ValueError,
        "xs must have the model's input_size=2 features"),
    "a sample that is not there": (
        lambda: plotting.lstm_gates_figure(_lstm(), np.zeros((4, 1, 2)), sample=1), ValueError,
        r"sample must be an int in \[0, 0\]"),
    "images of another size": (
        lambda: plotting.vae_reconstructions_figure(_vae(), np.zeros((3, 3, 3))), ValueError,
        r"images must have h \* w = the model's in_features \(16\)"),
    "a colour short": (
        lambda: plotting.latent_space_figure(_vae(), np.zeros((3, 4, 4)), np.arange(2.0)),
        ValueError, r"color must have one number per image \(3\), got 2"),
    "a 3-D latent space": (
        lambda: plotting.latent_space_figure(_vae(3), np.zeros((3, 4, 4)), np.arange(3.0)),
        ValueError, "model must have a 2-D latent space, got 3"),
    "a true gradient of NaN": (
        lambda: plotting.gradient_estimators_figure(np.ones(5), np.ones(5), np.nan),
        ValueError, "true must be a finite number"),
    "a temperature of zero": (
        lambda: plotting.temperature_figure([1.0, 2.0], betas=(1.0, 0.0)), ValueError,
        r"betas\[1\] must be a finite number > 0"),
    "complex colours": (
        lambda: plotting.codes_figure({"a": np.zeros((3, 2))}, np.arange(3.0) + 0j), TypeError,
        "color must hold real numbers"),
    "codes of another length than the colours": (
        lambda: plotting.codes_figure({"a": np.zeros((3, 2))}, np.arange(4.0)), ValueError,
        r"codes must hold one \(N, 2\) array per title, N = 4"),
    "no run at all": (
        lambda: plotting.loss_curves_figure({}), ValueError,
        "histories must have at least one entry"),
    "logy as a number": (
        lambda: plotting.loss_curves_figure({"run": [1.0]}, logy=1), TypeError,
        "logy must be True or False"),
}


@pytest.mark.parametrize("case", DISAGREEING)
def test_arguments_that_disagree_are_refused_naming_them(case):
    call, error, message = DISAGREEING[case]
    with pytest.raises(error, match=message):
        call()


# the optional data of the figures that run their experiment when given none
OPTIONAL = {
    "a norm the figure does not know": (
        lambda: plotting.norm_training_figure({"group": np.ones(3)}), ValueError,
        r"losses must be keyed by \['none', 'batch', 'layer'\]"),
    "losses as a list": (
        lambda: plotting.norm_training_figure([1.0, 0.5]), TypeError,
        r"losses must be a dict \{label: 1-D array\}, got list"),
    "one activation": (
        lambda: plotting.init_variance_figure({"tanh": {"xavier": np.ones(3)}}), ValueError,
        "variances must hold two activations"),
    "an unknown scheme": (
        lambda: plotting.init_variance_figure({"tanh": {"xavier": np.ones(3)},
                                               "relu": {"lecun": np.ones(3)}}),
        ValueError, r"variances\['relu'\] must be keyed by schemes among"),
    "a gate's value as a string": (
        lambda: plotting.lstm_cell_figure({"f": "0.9"}), TypeError,
        r"values\['f'\] must be a real number"),
    "a value the cell has no box for": (
        lambda: plotting.lstm_cell_figure({"z": 0.5}), ValueError,
        "values may hold i, f, g, o, c, c_prev and h, got 'z'"),
    "values as a list": (
        lambda: plotting.lstm_cell_figure([0.5]), TypeError, "values must be a dict"),
}


@pytest.mark.parametrize("case", OPTIONAL)
def test_optional_data_is_checked_when_given(case):
    call, error, message = OPTIONAL[case]
    with pytest.raises(error, match=message):
        call()
