r"""Small toy data sets, generated from a seed: nothing is ever downloaded.

Each takes an explicit ``generator``, an int seed or a ``numpy.random.Generator``
(see :func:`mlnotes.backend.as_generator`), and returns NumPy arrays; pages
convert them to tensors where they train a model.

Only the data sets that more than one page uses live here: :func:`strokes` (the VAE and
convolution pages) and :func:`spirals` (the normalisation and debugging pages). A data
set that one page uses lives with that page's experiments, in
``mlnotes.experiments.<page>``.

Explained in the book: each page that uses a data set says how it is made.
"""

from __future__ import annotations

import numpy as np

from .backend import as_generator, check_count, check_number

__all__ = ["strokes", "spirals"]


# ============================================================================== vae


def strokes(
    n: int, size: int = 12, generator: int | np.random.Generator = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Small grey images of one straight pen stroke each: the VAE's data set.

    Each image is a ``size`` x ``size`` grid with a stroke of fixed length drawn
    across it. Two numbers make a stroke: its angle
    :math:`\theta \in [0, \pi)` and its offset :math:`d` from the centre,
    across the stroke. A pixel's ink is :math:`\max(0, 1 - r / w)`, with
    :math:`r` the distance from the pixel's centre to the segment and :math:`w`
    the pen's width, so the images are smooth and lie in :math:`[0, 1]`. The data
    has two true factors of variation, which a VAE with a 2-D latent space can find.

    Explained in the book: :doc:`/vae`.

    Args:
        n: how many images.
        size: the side of an image, in pixels (at least 4).
        generator: an int seed or a ``numpy.random.Generator``.

    Returns:
        ``(images, angles, offsets)``: images of shape ``(n, size, size)`` in
        :math:`[0, 1]`, and each stroke's angle (radians) and offset (pixels),
        each of shape ``(n,)``.

    Example:
        >>> images, angles, offsets = strokes(3, size=8, generator=0)
        >>> images.shape, bool(images.min() >= 0 and images.max() <= 1)
        ((3, 8, 8), True)
    """
    n = check_count(n, "n")
    size = check_number(size, "size", low=4, integer=True)
    rng = as_generator(generator)
    angles = rng.uniform(0, np.pi, size=n)
    offsets = rng.uniform(-0.25, 0.25, size=n) * size
    half, width = 0.35 * size, 0.12 * size  # half the stroke's length, the pen's width
    # the stroke runs along u = (cos t, sin t) through c = centre + d * (-sin t, cos t)
    u = np.stack([np.cos(angles), np.sin(angles)], axis=1)  # (n, 2)
    c = (size - 1) / 2 + offsets[:, None] * np.stack([-u[:, 1], u[:, 0]], axis=1)  # (n, 2)
    yy, xx = np.mgrid[0:size, 0:size]
    p = np.stack([xx.ravel(), yy.ravel()], axis=1).astype(np.float64)  # (size*size, 2)
    rel = p[None, :, :] - c[:, None, :]  # (n, size*size, 2)
    # distance to the segment: clamp the position along u to [-half, half]
    along = np.clip(np.einsum("npk,nk->np", rel, u), -half, half)  # (n, size*size)
    r = np.linalg.norm(rel - along[..., None] * u[:, None, :], axis=-1)
    ink = np.clip(1 - r / width, 0.0, 1.0)
    return ink.reshape(n, size, size), angles, offsets


# ===================================================== normalization, debugging


def spirals(
    n_per_class: int = 100, classes: int = 3, noise: float = 0.2,
    generator: int | np.random.Generator = 0,
) -> tuple[np.ndarray, np.ndarray]:
    r"""Interleaved 2-D spiral arms, one class per arm: a small problem no linear model solves.

    Arm :math:`k` is the curve :math:`r\,(\sin t, \cos t)` with :math:`r \in [0, 1]`
    and :math:`t = 4r + 2\pi k / K`, plus Gaussian noise on :math:`t`.

    Args:
        n_per_class: points per arm.
        classes: :math:`K`, the number of arms.
        noise: standard deviation of the noise on the angle.
        generator: an int seed or a ``numpy.random.Generator``.

    Returns:
        ``(X, y)``: points ``(N, 2)`` (float64) and labels ``(N,)`` (int64 in
        ``0..K-1``), with ``N = n_per_class * classes``.

    Explained in the book: :doc:`/normalization`.

    Example:
        >>> X, y = spirals(50, classes=3, generator=0)
        >>> X.shape, [int((y == k).sum()) for k in range(3)]
        ((150, 2), [50, 50, 50])
    """
    n_per_class = check_count(n_per_class, "n_per_class")
    classes = check_number(classes, "classes", low=2, integer=True)
    check_number(noise, "noise", low=0.0)
    rng = as_generator(generator)
    r = np.tile(np.linspace(0.0, 1.0, n_per_class), classes)
    y = np.repeat(np.arange(classes), n_per_class)
    t = 4.0 * r + 2 * np.pi * y / classes + rng.normal(0.0, noise, size=r.shape)
    X = np.stack([r * np.sin(t), r * np.cos(t)], axis=1)
    return X, y.astype(np.int64)
