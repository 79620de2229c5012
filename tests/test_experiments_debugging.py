"""mlnotes.experiments.debugging: the selection experiment's statistics."""

from __future__ import annotations

import numpy as np

from mlnotes.experiments.debugging import selection_experiment

# ---------------------------------------------------------------- selection_experiment


def test_selection_is_seeded_and_measures_accuracies():
    val, test = selection_experiment(n_settings=6, n_val=30, n_draws=5, generator=3)
    again = selection_experiment(n_settings=6, n_val=30, n_draws=5,
                                   generator=np.random.default_rng(3))
    np.testing.assert_array_equal(val, again[0])
    np.testing.assert_array_equal(test, again[1])
    assert val.shape == (5, 6) and test.shape == (6,)
    # accuracies of 30 and of 3000 points: multiples of 1/30 and 1/3000
    np.testing.assert_allclose(val * 30, np.round(val * 30), atol=1e-9)
    np.testing.assert_allclose(test * 3000, np.round(test * 3000), atol=1e-6)
    other = selection_experiment(n_settings=6, n_val=30, n_draws=5, generator=4)
    assert not np.array_equal(test, other[1])


def test_one_setting_is_scored_fairly_but_the_winner_is_flattered():
    n_val, n_draws = 30, 400
    val, test = selection_experiment(n_settings=40, n_val=n_val, n_draws=n_draws, generator=0)
    # a fixed setting: its mean validation accuracy estimates its accuracy on the
    # distribution, as its test accuracy does (pool and test: 3000 points each);
    # allow 5 standard errors of the difference
    p = test
    se = np.sqrt(p * (1 - p) * (2 / 3000 + 1 / (n_val * n_draws))) + 1e-3
    assert np.all(np.abs(val.mean(axis=0) - test) < 5 * se)
    # the setting that wins a validation draw looks better there than on fresh data
    chosen = val.argmax(axis=1)
    gap = val[np.arange(n_draws), chosen] - test[chosen]
    assert gap.mean() > 5 * gap.std() / np.sqrt(n_draws)
