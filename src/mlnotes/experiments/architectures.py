r"""The data set of the architectures page: two regions, each with its own linear boundary.

- :func:`two_regions`: two classes that one line cannot separate but two lines, one per
  half of the plane, can; the test bed of the mixture of experts.

Explained in the book: :doc:`/architectures`; presented in the deck "Lecture: Architectures".
"""

from __future__ import annotations

import numpy as np

from ..backend import as_generator, check_count, check_number

__all__ = ["two_regions"]


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
