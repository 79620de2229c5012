"""mlnotes.datasets: the shared toy data sets have the structure their pages rely on.

Each generator is checked for reproducibility from its ``generator`` (the same seed,
the same data; a ``numpy.random.Generator`` moves on), and for the property its
docstring states, against an independent computation. (A data set that one page uses
is tested with that page's experiments, in test_experiments_<page>.py.)
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import assert_seeded

from mlnotes import datasets as D

SEEDED = [
    (D.strokes, {"n": 6, "size": 8}),
    (D.spirals, {"n_per_class": 20, "classes": 3}),
]
IDS = [f.__name__ for f, _ in SEEDED]


@pytest.mark.parametrize("f, kw", SEEDED, ids=IDS)
def test_a_data_set_draws_from_its_generator_only(f, kw):
    assert_seeded(f, **kw)


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


def test_spirals_arms_follow_their_curve():
    X, y = D.spirals(200, classes=3, noise=0.0, generator=0)
    assert X.shape == (600, 2) and set(y.tolist()) == {0, 1, 2}
    r = np.linalg.norm(X, axis=1)
    assert r.max() <= 1 + 1e-12
    # without noise each point is r (sin t, cos t) with t = 4 r + 2 pi k / K
    t = 4 * r + 2 * np.pi * y / 3
    np.testing.assert_allclose(X, r[:, None] * np.stack([np.sin(t), np.cos(t)], 1), atol=1e-12)


@pytest.mark.parametrize("call, error, message", [
    (lambda: D.strokes(0), ValueError, "n must be"),
    (lambda: D.strokes(3, size=3), ValueError, "size must be"),
    (lambda: D.spirals(0), ValueError, "n_per_class must be"),
])
def test_bad_sizes(call, error, message):
    with pytest.raises(error, match=message):
        call()
