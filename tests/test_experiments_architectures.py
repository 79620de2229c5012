"""mlnotes.experiments.architectures: the page's data set has the structure the page relies on."""

from __future__ import annotations

import numpy as np
from helpers import assert_seeded

from mlnotes.experiments.architectures import two_regions


def test_two_regions_draws_from_its_generator_only():
    assert_seeded(two_regions, n=200)


def test_two_regions_is_the_rule_with_its_margin():
    X, y, region = two_regions(800, generator=2, margin=0.2)
    np.testing.assert_array_equal(region, (X[:, 0] > 0).astype(int))
    left = X[:, 0] < 0
    want = np.where(left, X[:, 1] > X[:, 0] + 1.5, X[:, 1] < X[:, 0] - 1.5).astype(int)
    np.testing.assert_array_equal(y, want)
    assert np.all(np.abs(X) <= 3) and np.abs(X[:, 0]).min() >= 0.2
    # points keep their distance from the two boundary lines x1 = x0 +- 1.5
    line = np.where(left, X[:, 1] - X[:, 0] - 1.5, X[:, 1] - X[:, 0] + 1.5) / np.sqrt(2)
    assert np.abs(line).min() >= 0.2 - 1e-12
