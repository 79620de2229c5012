"""mlnotes.experiments.optimizers: the page's data sets against closed forms."""

from __future__ import annotations

import numpy as np
import pytest
from helpers import assert_seeded

from mlnotes.experiments.optimizers import linear_data, ravine_hessian


def test_linear_data_draws_from_its_generator_only():
    assert_seeded(linear_data, n=30, features=3)


def test_ravine_hessian_has_its_curvatures():
    H = ravine_hessian(50.0, angle=0.3)
    np.testing.assert_allclose(H, H.T, atol=1e-15)
    np.testing.assert_allclose(np.linalg.eigvalsh(H), [1.0, 50.0], rtol=1e-12)
    flat = np.array([np.cos(0.3), np.sin(0.3)])  # the first axis, turned by the angle
    np.testing.assert_allclose(H @ flat, flat, atol=1e-12)
    with pytest.raises(ValueError, match="condition must be a finite number >= 1"):
        ravine_hessian(0.5)


def test_linear_data_is_a_plane_plus_noise():
    X, y, w = linear_data(5000, features=3, noise=0.5, generator=0)
    assert X.shape == (5000, 3) and y.shape == (5000,) and w.shape == (3,)
    residual = y - X @ w
    assert abs(residual.mean()) < 5 * 0.5 / np.sqrt(5000)
    assert abs(residual.std() - 0.5) < 0.02
    X0, y0, w0 = linear_data(50, features=2, noise=0.0, generator=1)
    np.testing.assert_allclose(y0, X0 @ w0, atol=1e-12)
    # least squares recovers the plane
    np.testing.assert_allclose(np.linalg.lstsq(X, y, rcond=None)[0], w, atol=0.03)
