"""The conv-net normalisation figure: it draws the numbers it is given, or runs the experiment."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np  # noqa: E402

from mlnotes import plotting  # noqa: E402
from mlnotes.experiments.normalization import conv_norm_training  # noqa: E402


def test_conv_norm_figure_draws_the_loss_and_the_shift_of_each_run():
    runs = {"none": {"loss": np.array([1.4, 1.2, 1.1]), "shift": np.array([0.1, 0.2])},
            "noisy": {"loss": np.array([1.3, 0.9, 0.5]), "shift": np.array([0.6, 0.7])}}
    fig = plotting.conv_norm_figure(runs)
    ax0, ax1 = fig.axes
    for loss, shift, run in zip(ax0.lines, ax1.lines, runs.values(), strict=True):
        np.testing.assert_array_equal(loss.get_xdata(), np.arange(3))
        np.testing.assert_array_equal(loss.get_ydata(), run["loss"])
        np.testing.assert_array_equal(shift.get_xdata(), [1, 2])   # the move from step t-1 to t
        np.testing.assert_array_equal(shift.get_ydata(), run["shift"])
    assert [t.get_text() for t in ax0.get_legend().get_texts()] == [
        "no normalisation", "batch norm + random shift"]
    assert ax1.get_yscale() == "log" and ax0.get_ylim()[0] == 0
    assert "no normalisation, batch norm + random shift" in fig.alt
    assert "second convolution" in fig.alt


def test_conv_norm_figure_runs_the_experiment_when_given_nothing():
    kw = {"norms": ("batch",), "steps": 3, "batch": 4, "channels": 2}
    fig = plotting.conv_norm_figure(**kw)
    np.testing.assert_array_equal(fig.axes[0].lines[0].get_ydata(),
                                  conv_norm_training(**kw)["batch"]["loss"])
