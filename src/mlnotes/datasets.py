r"""Small toy data sets, generated from a seed: nothing is ever downloaded.

Each takes an explicit ``generator``, an int seed or a ``numpy.random.Generator``
(see :func:`mlnotes.backend.as_generator`), and returns NumPy arrays; pages
convert them to tensors where they train a model.

Explained in the book: each page that uses a data set says how it is made.
"""

from __future__ import annotations

import numpy as np

from .backend import as_generator, check_count, check_number

__all__ = ["strokes", "step_image", "photograph", "multilabel_signs", "spirals",
           "two_regions", "ravine_hessian", "linear_data", "recall_task"]


# ======================================================= data sets of other pages
# (each page family adds its generators below, in a section of its own)


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


# ===== conv


def step_image(height: int = 12, width: int = 24, column: int = 12) -> np.ndarray:
    r"""A grey image with one vertical edge: 0 left of ``column``, 1 from ``column`` on.

    Returns:
        ``(height, width)`` float64 array.

    Example:
        >>> step_image(2, 4, 2)
        array([[0., 0., 1., 1.],
               [0., 0., 1., 1.]])
    """
    if not 0 < column < width:
        raise ValueError(f"column must lie strictly between 0 and width={width}, got {column}")
    img = np.zeros((height, width))
    img[:, column:] = 1.0
    return img


def photograph(downsample: int = 1) -> np.ndarray:
    r"""Grace Hopper's portrait in grey, from the sample data that ships inside matplotlib.

    Nothing is downloaded: the JPEG is ``matplotlib.cbook.get_sample_data
    ("grace_hopper.jpg")``. Colours become luminance
    :math:`0.299 R + 0.587 G + 0.114 B`, scaled to :math:`[0, 1]`; ``downsample``
    averages blocks of ``downsample x downsample`` pixels.

    Returns:
        ``(600 // downsample, 512 // downsample)`` float64 array in :math:`[0, 1]`.

    Example:
        >>> photograph(4).shape
        (150, 128)
    """
    from matplotlib import cbook, image

    downsample = check_count(downsample, "downsample")
    rgb = image.imread(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False))
    grey = rgb[..., :3].astype(np.float64) @ np.array([0.299, 0.587, 0.114]) / 255.0
    k = downsample
    h, w = grey.shape[0] // k * k, grey.shape[1] // k * k
    return grey[:h, :w].reshape(h // k, k, w // k, k).mean(axis=(1, 3))


# ===== losses


def multilabel_signs(n: int = 120, generator: int | np.random.Generator = 0,
                     gap: float = 0.2) -> tuple[np.ndarray, np.ndarray]:
    r"""Points in the plane with two independent labels: "x > 0" and "y > 0".

    A point may carry both labels, one, or none, so the labels are not
    mutually exclusive classes: the toy problem of multi-label classification
    (see the losses page). Each coordinate is drawn uniformly from
    :math:`[-1, -\text{gap}] \cup [\text{gap}, 1]`, so each label is linearly
    separable with margin ``gap``.

    Returns:
        ``X`` of shape ``(n, 2)`` and ``Y`` of shape ``(n, 2)``, float64, with
        ``Y[:, j] = 1.0`` where ``X[:, j] > 0``.

    Example:
        >>> X, Y = multilabel_signs(4, generator=0)
        >>> bool(((X > 0) == (Y == 1)).all()), X.shape, Y.shape
        (True, (4, 2), (4, 2))
    """
    n = check_count(n, "n")
    check_number(gap, "gap", 0.0, 1.0, high_open=True)
    rng = as_generator(generator)
    sign = rng.choice([-1.0, 1.0], size=(n, 2))
    X = sign * rng.uniform(gap, 1.0, size=(n, 2))
    return X, (X > 0).astype(np.float64)


# ===== normalization


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


# ===== architectures


def two_regions(
    n: int = 400, generator: int | np.random.Generator = 0, margin: float = 0.2
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Two classes that one line cannot separate but two lines, one per half, can.

    Points are uniform on the square :math:`[-3, 3]^2`. The left half
    (:math:`x_0 < 0`) and the right half are two regions with a boundary line
    each, of the same slope but opposite orientation:

    .. math::
        y = \begin{cases} [x_1 > x_0 + 1.5] & x_0 < 0 \\ [x_1 < x_0 - 1.5] & x_0 > 0 \end{cases}

    The classes interleave like an XOR, so the best single linear classifier
    is right on about 3/4 of the points, while a mixture of two linear experts
    (one per half, with a gater that learns the split :math:`x_0 = 0`) is right
    on all of them. Points closer than ``margin`` to a boundary line or to the
    split are left out, so that both solutions exist with a margin.

    Args:
        n: number of points.
        generator: an int seed or a ``numpy.random.Generator``.
        margin: the gap kept empty around the boundaries and the split.

    Returns:
        ``(X, y, region)``: float64 points ``(n, 2)``, int64 classes ``(n,)`` in
        {0, 1}, and int64 regions ``(n,)`` (0 left, 1 right).

    Example:
        >>> X, y, region = two_regions(200, generator=0)
        >>> X.shape, sorted(set(y.tolist())), bool(np.all(region == (X[:, 0] > 0)))
        ((200, 2), [0, 1], True)
    """
    n = check_count(n, "n")
    check_number(margin, "margin", 0.0, 1.0, high_open=True)
    rng = as_generator(generator)

    def signed_distance(X: np.ndarray) -> np.ndarray:
        # distance to the region's line x1 = x0 + 1.5 (left) or x1 = x0 - 1.5 (right)
        offset = np.where(X[:, 0] > 0, -1.5, 1.5)
        return (X[:, 1] - X[:, 0] - offset) / np.sqrt(2)

    kept: list[np.ndarray] = []
    while sum(len(k) for k in kept) < n:
        X = rng.uniform(-3.0, 3.0, size=(2 * n, 2))
        keep = (np.abs(X[:, 0]) >= margin) & (np.abs(signed_distance(X)) >= margin)
        kept.append(X[keep])
    X = np.concatenate(kept)[:n]
    region = (X[:, 0] > 0).astype(np.int64)
    d = signed_distance(X)
    y = np.where(region == 1, d < 0, d > 0).astype(np.int64)
    return X, y, region


# ===== optimizers


def ravine_hessian(condition: float = 50.0, angle: float = 0.0) -> np.ndarray:
    r"""The Hessian of an ill-conditioned 2-D quadratic, a long narrow valley.

    .. math::
        f(x) = \tfrac12\, x^\top H x, \qquad
        H = R_\varphi \begin{pmatrix} 1 & 0 \\ 0 & \kappa \end{pmatrix} R_\varphi^\top

    :math:`\kappa` (``condition``) is the ratio of the steepest to the flattest
    curvature; :math:`R_\varphi` turns the valley by ``angle`` radians (0: the
    flat direction is the first axis). The minimum is at the origin.

    Explained in the book: :doc:`/optimizers`.

    Example:
        >>> ravine_hessian(10.0)
        array([[ 1.,  0.],
               [ 0., 10.]])
    """
    check_number(condition, "condition", low=1.0)
    check_number(angle, "angle")
    c, s = np.cos(angle), np.sin(angle)
    R = np.array([[c, -s], [s, c]])
    return R @ np.diag([1.0, float(condition)]) @ R.T


def linear_data(
    n: int = 400, features: int = 2, noise: float = 0.5, generator: int | np.random.Generator = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Points scattered around a plane through the origin: a least-squares problem.

    .. math::
        x_i \sim \mathcal N(0, I_D), \qquad w \sim \mathcal N(0, I_D), \qquad
        y_i = x_i^\top w + \sigma\, \epsilon_i, \quad \epsilon_i \sim \mathcal N(0, 1)

    Linear regression on these points has a closed-form answer, the least-squares
    fit ``np.linalg.lstsq(X, y)``, which the optimizers page uses as the
    reference that minibatch SGD must reach. The noise :math:`\sigma` keeps the
    fit from being exact, so the per-example gradients disagree even at the
    minimum, as they do on real data.

    Explained in the book: :doc:`/optimizers`.

    Args:
        n: :math:`N`, the number of points.
        features: :math:`D`, the number of input features.
        noise: :math:`\sigma \ge 0`, the standard deviation of the noise on ``y``.
        generator: an int seed or a ``numpy.random.Generator``.

    Returns:
        ``(X, y, w)``: float64 inputs ``(N, D)``, targets ``(N,)`` and the true
        weights ``(D,)`` the targets were made with.

    Example:
        >>> X, y, w = linear_data(200, features=3, noise=0.0, generator=0)
        >>> X.shape, y.shape, bool(np.allclose(X @ w, y))
        ((200, 3), (200,), True)
    """
    n, features = check_count(n, "n"), check_count(features, "features")
    check_number(noise, "noise", low=0.0)
    rng = as_generator(generator)
    X = rng.normal(size=(n, features))
    w = rng.normal(size=features)
    # y_i = x_i . w + sigma eps_i
    y = X @ w + noise * rng.normal(size=n)
    return X, y, w


# ========================================================================= sequences


def recall_task(
    n: int,
    length: int,
    n_tokens: int = 4,
    noise: float = 1.5,
    generator: int | np.random.Generator = 0,
    dtype: type = np.float32,
) -> tuple[np.ndarray, np.ndarray]:
    r"""Remember a token seen ``length - 1`` steps earlier, through noise: a long-range task.

    Each sequence opens with one of ``n_tokens`` tokens (one-hot), flagged by a
    marker channel; the token is the label. The ``length - 1`` steps after it
    carry Gaussian noise of standard deviation ``noise`` on the token channels
    (and no marker). A model must store the flagged token, shut out the noise and
    name the token at the end; chance accuracy is ``1 / n_tokens``.

    Explained in the book: :doc:`/sequences` (the RNN forgets, the LSTM remembers).

    Args:
        n: the number of sequences ``N``.
        length: ``L``, the number of steps, at least 1.
        n_tokens: ``K``, the number of tokens to remember (the classes).
        noise: the standard deviation of the noise after the first step.
        generator: an int seed or a ``numpy.random.Generator``.
        dtype: the dtype of the inputs.

    Returns:
        ``(xs, y)``: the inputs ``(L, N, K + 1)`` (channel ``K`` is the marker)
        and the labels ``(N,)``.

    Example:
        >>> xs, y = recall_task(2, 3, n_tokens=2, noise=0.1, generator=0)
        >>> xs.shape, y.tolist()
        ((3, 2, 3), [1, 1])
        >>> xs[0]  # the first step: token 1 and the marker, in both sequences
        array([[0., 1., 1.],
               [0., 1., 1.]], dtype=float32)
        >>> float(xs[1:, :, 2].max())  # no marker after the first step
        0.0
    """
    n, length = check_count(n, "n"), check_count(length, "length")
    n_tokens = check_count(n_tokens, "n_tokens")
    check_number(noise, "noise", low=0.0)
    rng = as_generator(generator)
    y = rng.integers(n_tokens, size=n)
    xs = np.zeros((length, n, n_tokens + 1), dtype=dtype)
    xs[0, np.arange(n), y] = 1
    xs[0, :, n_tokens] = 1  # the marker: remember this one
    xs[1:, :, :n_tokens] = rng.normal(size=(length - 1, n, n_tokens)) * noise
    return xs, y
