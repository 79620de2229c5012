r"""The experiments of the losses page: what each loss makes a model do.

- :func:`constant_fit_losses`: MSE and L1 of predicting one constant; the best
  constant is the mean under one and a median under the other.
- :func:`coin_nll`: the negative log-likelihood of coin flips; it is smallest at the
  share of heads, the maximum-likelihood estimate.
- :func:`fit_linear`: a linear layer trained by gradient descent on any loss, to
  compare a loss with a wrong one on the same data from the same start;
- :func:`multilabel_signs`: a multi-label data set, points with two independent labels.

Explained in the book: :doc:`/losses`; presented in the deck "Lecture: Losses".
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..autograd import Tensor
from ..backend import (
    as_generator,
    check_count,
    check_number,
    import_torch,
    randn,
    to_numpy,
)
from ..losses import l1_loss, mse_loss, nll_loss
from ..optim import SGD
from ..training import fit

torch = import_torch()

__all__ = ["constant_fit_losses", "coin_nll", "fit_linear", "multilabel_signs"]


def constant_fit_losses(data: Sequence[float], c: Sequence[float]) -> tuple[np.ndarray, np.ndarray]:
    r"""MSE and L1 of predicting the constant ``c`` for every point of ``data``.

    For each candidate :math:`c` it returns

    .. math::
        \frac1n\sum_i (c - d_i)^2 \quad\text{and}\quad \frac1n\sum_i |c - d_i|,

    from :func:`~mlnotes.losses.mse_loss` and :func:`~mlnotes.losses.l1_loss`.
    The first is smallest at the mean of the data, the second at a median.

    Args:
        data: the points :math:`d_i`, shape ``(n,)``.
        c: the candidate constants, shape ``(C,)``.

    Returns:
        ``(mse, l1)``, each of shape ``(C,)``.

    Example:
        >>> mse, l1 = constant_fit_losses([0.0, 1.0, 2.0], [1.0])
        >>> mse.round(4).tolist(), l1.round(4).tolist()
        ([0.6667], [0.6667])
    """
    d, c = _as_real(data, "data", (1,)), _as_real(c, "c", (1,))
    pred = np.broadcast_to(c[:, None], (len(c), len(d)))  # (C, n): one row per candidate
    target = np.broadcast_to(d[None, :], pred.shape)
    mse = mse_loss(pred, target, reduction="none").mean(axis=1)
    l1 = l1_loss(pred, target, reduction="none").mean(axis=1)
    return mse, l1


def coin_nll(flips: Sequence[int], thetas: Sequence[float]) -> np.ndarray:
    r"""The summed NLL of coin ``flips`` (0/1) under :math:`P(1) = \theta`, for each ``theta``.

    .. math::
        \mathrm{NLL}(\theta) = -\sum_i \log P(y_i) = -k \log\theta - (n - k)\log(1 - \theta)

    for :math:`k` heads in :math:`n` flips. Each flip is a two-class sample with
    log-probabilities :math:`(\log(1 - \theta), \log \theta)`, scored by
    :func:`~mlnotes.losses.nll_loss` with ``reduction="sum"``.

    Args:
        flips: the outcomes, 0 or 1, shape ``(n,)``.
        thetas: the probabilities of a 1 to score, each in :math:`(0, 1)`.

    Returns:
        The summed NLL for each ``theta``, shape ``(len(thetas),)``.

    Example:
        >>> coin_nll([1, 1, 0], [0.5]).round(4).tolist()
        [2.0794]
    """
    y, thetas = _check_coin(flips, thetas)
    out = []
    for theta in thetas:
        log_p = np.log(np.array([[1 - theta, theta]]))
        out.append(float(nll_loss(np.repeat(log_p, len(y), axis=0), y, reduction="sum")))
    return np.array(out)


def _as_real(values: Any, name: str, ndim: tuple[int, ...]) -> np.ndarray:
    """``values`` as a float64 NumPy array of one of the ranks ``ndim``, with entries; or raise."""
    if values is None or isinstance(values, (str, bytes, dict)):
        raise TypeError(f"{name} must be an array or a sequence of numbers, "
                        f"got {type(values).__name__}")
    if hasattr(values, "detach"):
        values = values.detach().cpu().numpy()
    try:
        array = np.asarray(values)
    except ValueError as error:
        raise ValueError(f"{name} must be a rectangular array of numbers: {error}") from None
    if array.dtype == bool or not (np.issubdtype(array.dtype, np.integer)
                                   or np.issubdtype(array.dtype, np.floating)):
        raise TypeError(f"{name} must hold real numbers, got dtype {array.dtype}")
    if array.ndim not in ndim or array.size == 0:
        raise ValueError(f"{name} must be a non-empty array of ndim {' or '.join(map(str, ndim))}, "
                         f"got shape {array.shape}")
    if not np.isfinite(array).all():
        raise ValueError(f"{name} must be finite")
    return array.astype(np.float64)


def _check_labels(Y: Any) -> np.ndarray:
    """Class labels ``Y`` (N,): non-negative integers."""
    labels = _as_real(Y, "Y", (1, 2))
    if (labels < 0).any() or (labels != np.round(labels)).any():
        raise ValueError("Y must be targets (N, K) or class labels (N,) of non-negative integers")
    return labels.astype(np.int64)


def _check_coin(flips: Any, thetas: Any) -> tuple[np.ndarray, np.ndarray]:
    """``coin_nll``'s checks: flips of 0 and 1, probabilities in [0, 1]."""
    y = _as_real(flips, "flips", (1,))
    if not np.isin(y, (0, 1)).all():
        raise ValueError("flips must hold 0 (tails) and 1 (heads) only")
    thetas = _as_real(thetas, "thetas", (1,))
    if ((thetas < 0) | (thetas > 1)).any():
        raise ValueError("thetas must be probabilities in [0, 1]")
    return y.astype(np.int64), thetas


def fit_linear(
    X: np.ndarray, Y: np.ndarray, loss: Callable[[Any, Any], Any],
    steps: int = 300, lr: float = 1.0, generator: Any = 0, kind: str = "numpy",
) -> tuple[np.ndarray, np.ndarray]:
    r"""Train a linear layer :math:`z = XW + b` on ``loss(z, Y)`` by full-batch gradient descent.

    .. math::
        (W, b) \leftarrow (W, b) - \eta\, \nabla_{W, b}\, \mathrm{loss}(XW + b, Y)

    for ``steps`` steps from :math:`W \sim \mathcal N(0, 0.1^2)`, :math:`b = 0`:
    :func:`mlnotes.training.fit` with :class:`mlnotes.optim.SGD`. ``loss`` is any
    function of the logits and the targets (a loss of :mod:`mlnotes.losses`, or a
    deliberately wrong one), so that two losses can be compared on the same data
    from the same start. With ``kind="numpy"`` the parameters are
    :class:`mlnotes.autograd.Tensor` s, the gradients come from the package's own
    backpropagation and ``loss`` receives a Tensor and NumPy targets (no torch
    needed); with ``kind="torch"`` they are torch tensors and the gradients come
    from ``torch.autograd``.

    Args:
        X: ``(N, D)`` inputs (NumPy).
        Y: targets (NumPy), ``(N, K)`` floats or ``(N,)`` class indices.
        loss: ``loss(z, Y)`` returning a scalar; ``z`` is ``(N, K)``.
        steps: the number of gradient steps.
        lr: the learning rate :math:`\eta`.
        generator: an int seed, or a generator of the kind (``numpy.random.Generator``
            or ``torch.Generator``), for the start :math:`W`.
        kind: ``"numpy"`` or ``"torch"``.

    Returns:
        ``(W, b)`` as NumPy arrays, ``(D, K)`` and ``(K,)``.

    Example:
        >>> from mlnotes.losses import mse_loss
        >>> X = np.array([[0.0], [1.0]]); Y = np.array([[1.0], [3.0]])
        >>> W, b = fit_linear(X, Y, mse_loss, steps=500, lr=0.5)
        >>> W.round(3).tolist(), b.round(3).tolist()
        ([[2.0]], [1.0])
    """
    steps = check_count(steps, "steps")
    if not callable(loss):
        raise TypeError("loss must be a function of (prediction, target), "
                        f"got {type(loss).__name__}")
    if kind not in ("numpy", "torch"):
        raise ValueError(f"kind must be 'numpy' or 'torch', got {kind!r}")
    X = _as_real(X, "X", (2,))
    Y = _as_real(Y, "Y", (1, 2)) if np.ndim(Y) == 2 else _check_labels(Y)
    if Y.shape[0] != X.shape[0]:
        raise ValueError("X and Y must have one row per sample, "
                         f"got {X.shape[0]} and {Y.shape[0]}")
    K = Y.shape[1] if Y.ndim == 2 else int(Y.max()) + 1
    if kind == "torch":
        X, Y = torch.as_tensor(X), torch.as_tensor(Y)
        W = (0.1 * randn((X.shape[1], K), as_generator(generator, "torch"), like=X))
        W.requires_grad_()
        b = torch.zeros(K, dtype=X.dtype, requires_grad=True)
    else:
        W = Tensor(0.1 * randn((X.shape[1], K), as_generator(generator), like=X),
                   requires_grad=True)
        b = Tensor(np.zeros(K, dtype=X.dtype), requires_grad=True)
    fit(lambda batch: loss(batch[0] @ W + b, batch[1]), SGD([W, b], lr=lr),
        itertools.repeat((X, Y), steps))
    return to_numpy(W.detach()), to_numpy(b.detach())


# ============================================================ data set: multi-label


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
