"""mlnotes.datasets: every toy data set has the shapes, ranges and structure its page relies on.

Each generator is checked for reproducibility from its ``generator`` (the same seed,
the same data; a ``numpy.random.Generator`` moves on), and for the property its
docstring states, against an independent computation.
"""

from __future__ import annotations

import numpy as np
import pytest

from mlnotes import datasets as D

SEEDED = [
    (D.strokes, {"n": 6, "size": 8}),
    (D.multilabel_signs, {"n": 50}),
    (D.spirals, {"n_per_class": 20, "classes": 3}),
    (D.two_regions, {"n": 200}),
    (D.linear_data, {"n": 30, "features": 3}),
    (D.recall_task, {"n": 5, "length": 4}),
]
IDS = [f.__name__ for f, _ in SEEDED]


@pytest.mark.parametrize("f, kw", SEEDED, ids=IDS)
def test_a_seed_gives_the_same_data_and_a_generator_moves_on(f, kw):
    a, b = f(**kw, generator=3), f(**kw, generator=3)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)
    c = f(**kw, generator=4)
    assert any(not np.array_equal(x, y) for x, y in zip(a, c, strict=True))
    rng = np.random.default_rng(3)
    first = f(**kw, generator=rng)
    for x, y in zip(first, a, strict=True):  # an int seeds default_rng
        np.testing.assert_array_equal(x, y)
    second = f(**kw, generator=rng)
    assert any(not np.array_equal(x, y) for x, y in zip(first, second, strict=True))


@pytest.mark.parametrize("f, kw", SEEDED, ids=IDS)
def test_no_hidden_randomness(f, kw):
    with pytest.raises(ValueError, match="generator must be an int seed or a generator"):
        f(**kw, generator=None)
    with pytest.raises(TypeError, match="numpy.random.Generator for NumPy data, got float"):
        f(**kw, generator=1.5)


def _segment_distance(p, a, b):
    """Distance from the points p (M, 2) to the segment from a to b."""
    ab = b - a
    t = np.clip(((p - a) @ ab) / (ab @ ab), 0.0, 1.0)
    return np.linalg.norm(p - (a + t[:, None] * ab), axis=1)


def test_strokes_are_inked_near_their_line():
    images, angles, offsets = D.strokes(40, size=12, generator=0)
    assert images.shape == (40, 12, 12) and angles.shape == offsets.shape == (40,)
    assert images.min() >= 0 and images.max() <= 1 and images.max() > 0.5
    assert np.all((0 <= angles) & (angles < np.pi))
    # pixels with ink lie close to the infinite line at that angle and offset from the centre
    centre = (12 - 1) / 2
    rows, cols = np.mgrid[0:12, 0:12]
    for img, theta, d in zip(images, angles, offsets, strict=True):
        normal = np.array([-np.sin(theta), np.cos(theta)])
        p = np.stack([cols - centre, rows - centre], axis=-1)  # (x, y) per pixel
        dist_x = np.abs(p @ normal - d)
        dist_y = np.abs(p[..., ::-1] @ normal - d)
        dist = np.minimum(dist_x, dist_y)  # whichever axis convention the drawing uses
        assert dist[img > 0.5].max() < 1.5


def test_step_image_and_photograph():
    img = D.step_image(4, 6, column=2)
    np.testing.assert_array_equal(img, np.repeat([[0, 0, 1, 1, 1, 1.0]], 4, axis=0))
    photo = D.photograph(downsample=4)
    assert photo.shape == (150, 128) and photo.dtype == np.float64
    assert 0 <= photo.min() and photo.max() <= 1 and photo.std() > 0.1


def test_multilabel_signs_labels_are_the_signs_with_a_gap():
    X, Y = D.multilabel_signs(500, generator=1, gap=0.2)
    np.testing.assert_array_equal(Y, (X > 0).astype(float))
    assert np.all((np.abs(X) >= 0.2) & (np.abs(X) <= 1))
    # the two labels are independent: every combination occurs
    assert len({tuple(row) for row in Y}) == 4


def test_spirals_arms_follow_their_curve():
    X, y = D.spirals(200, classes=3, noise=0.0, generator=0)
    assert X.shape == (600, 2) and set(y.tolist()) == {0, 1, 2}
    r = np.linalg.norm(X, axis=1)
    assert r.max() <= 1 + 1e-12
    # without noise each point is r (sin t, cos t) with t = 4 r + 2 pi k / K
    t = 4 * r + 2 * np.pi * y / 3
    np.testing.assert_allclose(X, r[:, None] * np.stack([np.sin(t), np.cos(t)], 1), atol=1e-12)


def test_two_regions_is_the_rule_with_its_margin():
    X, y, region = D.two_regions(800, generator=2, margin=0.2)
    np.testing.assert_array_equal(region, (X[:, 0] > 0).astype(int))
    left = X[:, 0] < 0
    want = np.where(left, X[:, 1] > X[:, 0] + 1.5, X[:, 1] < X[:, 0] - 1.5).astype(int)
    np.testing.assert_array_equal(y, want)
    assert np.all(np.abs(X) <= 3) and np.abs(X[:, 0]).min() >= 0.2
    # points keep their distance from the two boundary lines x1 = x0 +- 1.5
    line = np.where(left, X[:, 1] - X[:, 0] - 1.5, X[:, 1] - X[:, 0] + 1.5) / np.sqrt(2)
    assert np.abs(line).min() >= 0.2 - 1e-12


def test_ravine_hessian_has_its_curvatures():
    H = D.ravine_hessian(50.0, angle=0.3)
    np.testing.assert_allclose(H, H.T, atol=1e-15)
    np.testing.assert_allclose(np.linalg.eigvalsh(H), [1.0, 50.0], rtol=1e-12)
    flat = np.array([np.cos(0.3), np.sin(0.3)])  # the first axis, turned by the angle
    np.testing.assert_allclose(H @ flat, flat, atol=1e-12)
    with pytest.raises(ValueError, match="condition must be a finite number >= 1"):
        D.ravine_hessian(0.5)


def test_linear_data_is_a_plane_plus_noise():
    X, y, w = D.linear_data(5000, features=3, noise=0.5, generator=0)
    assert X.shape == (5000, 3) and y.shape == (5000,) and w.shape == (3,)
    residual = y - X @ w
    assert abs(residual.mean()) < 5 * 0.5 / np.sqrt(5000)
    assert abs(residual.std() - 0.5) < 0.02
    X0, y0, w0 = D.linear_data(50, features=2, noise=0.0, generator=1)
    np.testing.assert_allclose(y0, X0 @ w0, atol=1e-12)
    # least squares recovers the plane
    np.testing.assert_allclose(np.linalg.lstsq(X, y, rcond=None)[0], w, atol=0.03)


def test_recall_task_flags_its_token_then_noise():
    xs, y = D.recall_task(64, 6, n_tokens=4, noise=0.3, generator=0)
    assert xs.shape == (6, 64, 5) and y.shape == (64,)
    np.testing.assert_array_equal(xs[0, :, :4].argmax(axis=1), y)
    np.testing.assert_array_equal(xs[0, :, 4], 1.0)  # the marker flags the first step
    np.testing.assert_array_equal(xs[1:, :, 4], 0.0)
    assert abs(xs[1:, :, :4].std() - 0.3) < 0.05
    quiet, _ = D.recall_task(8, 3, noise=0.0, generator=0)
    np.testing.assert_array_equal(quiet[1:], 0.0)


@pytest.mark.parametrize("call, error, message", [
    (lambda: D.strokes(0), ValueError, "n must be"),
    (lambda: D.strokes(3, size=3), ValueError, "size must be"),
    (lambda: D.spirals(0), ValueError, "n_per_class must be"),
    (lambda: D.recall_task(2, 0), ValueError, "length must be"),
])
def test_bad_sizes(call, error, message):
    with pytest.raises(error, match=message):
        call()
