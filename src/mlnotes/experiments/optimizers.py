r"""The data sets of the optimizers page: a ravine and a least-squares problem.

- :func:`ravine_hessian`: the Hessian of an ill-conditioned quadratic, a long narrow
  valley where plain gradient descent zig-zags and momentum helps;
- :func:`linear_data`: points around a plane, whose least-squares fit is the
  reference minibatch SGD must reach.

Explained in the book: :doc:`/optimizers`; presented in the deck "Lecture: Making training work".
"""

from __future__ import annotations

import numpy as np

from ..backend import as_generator, check_count, check_number

__all__ = ["ravine_hessian", "linear_data"]


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
