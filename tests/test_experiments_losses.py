"""mlnotes.experiments.losses: the page's experiments against independent references."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from helpers import assert_seeded

from mlnotes import losses as L
from mlnotes.experiments.losses import coin_nll, constant_fit_losses, fit_linear, multilabel_signs

# ------------------------------------------ experiments: constant_fit_losses, coin_nll, fit_linear


def test_constant_fit_losses_are_the_direct_formulas():
    data = np.array([0.7, 0.8, 0.9, 1.0, 1.1, 1.2, 10.0])
    c = np.linspace(0, 11, 1101)
    mse, l1 = constant_fit_losses(data, c)
    residual = c[:, None] - data[None, :]
    np.testing.assert_allclose(mse, np.mean(residual**2, axis=1), rtol=1e-13)
    np.testing.assert_allclose(l1, np.mean(np.abs(residual), axis=1), rtol=1e-13)
    # minimised by the mean and by the median
    assert abs(c[np.argmin(mse)] - data.mean()) <= 0.005
    assert abs(c[np.argmin(l1)] - np.median(data)) <= 0.005


def test_coin_nll_is_the_binomial_log_likelihood():
    flips = (np.random.default_rng(1).uniform(size=20) < 0.7).astype(np.int64)
    thetas = np.linspace(0.01, 0.99, 99)
    k, n = flips.sum(), len(flips)
    expected = -(k * np.log(thetas) + (n - k) * np.log(1 - thetas))
    nll = coin_nll(flips, thetas)
    np.testing.assert_allclose(nll, expected, rtol=1e-12)
    assert thetas[np.argmin(nll)] == pytest.approx(k / n)  # the maximum-likelihood estimate


def _torch_gradient_descent(X, Y, loss, steps, lr, seed):
    """The reference: plain torch, the update written out."""
    X, Y = torch.tensor(X), torch.tensor(Y)
    K = Y.shape[1] if Y.ndim == 2 else int(Y.max()) + 1
    W = 0.1 * torch.randn(X.shape[1], K, generator=torch.Generator().manual_seed(seed),
                          dtype=torch.float64)
    W.requires_grad_()
    b = torch.zeros(K, dtype=torch.float64, requires_grad=True)
    for _ in range(steps):
        gW, gb = torch.autograd.grad(loss(X @ W + b, Y), (W, b))
        with torch.no_grad():
            W -= lr * gW
            b -= lr * gb
    return W.detach().numpy(), b.detach().numpy()


@pytest.mark.parametrize("lr", [1.0, 0.3])
def test_fit_linear_is_gradient_descent(lr):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 2))
    y = (X[:, 0] > 0).astype(np.int64)
    ours = fit_linear(X, y, L.cross_entropy, steps=40, lr=lr, generator=5, kind="torch")
    theirs = _torch_gradient_descent(X, y, F.cross_entropy, steps=40, lr=lr, seed=5)
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)
    if lr == 1.0:  # with the same loss, a unit rate rounds once either way: the same bits
        same_loss = _torch_gradient_descent(X, y, L.cross_entropy, steps=40, lr=lr, seed=5)
        for a, b in zip(ours, same_loss, strict=True):
            np.testing.assert_array_equal(a, b)


def test_fit_linear_reaches_least_squares_and_the_loss_falls():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(40, 3))
    Y = X @ rng.normal(size=(3, 2)) + np.array([0.5, -1.0]) + 0.1 * rng.normal(size=(40, 2))
    W, b = fit_linear(X, Y, L.mse_loss, steps=200, lr=0.5)
    # the closed form: least squares with an intercept column
    coef = np.linalg.lstsq(np.hstack([X, np.ones((40, 1))]), Y, rcond=None)[0]
    np.testing.assert_allclose(W, coef[:3], atol=1e-9)
    np.testing.assert_allclose(b, coef[3], atol=1e-9)
    losses = [L.mse_loss(X @ W + b, Y) for W, b in
              (fit_linear(X, Y, L.mse_loss, steps=s, lr=0.5) for s in (1, 5, 25))]
    assert losses[0] > losses[1] > losses[2]


def test_fit_linear_draws_its_start_from_the_generator():
    X, y = np.array([[0.0, 1.0], [1.0, 0.0]]), np.array([0, 1])
    for kind, gen in (("torch", torch.Generator().manual_seed(3)),
                      ("numpy", np.random.default_rng(3))):
        seeded = fit_linear(X, y, L.cross_entropy, steps=1, generator=3, kind=kind)
        given = fit_linear(X, y, L.cross_entropy, steps=1, generator=gen, kind=kind)
        other = fit_linear(X, y, L.cross_entropy, steps=1, generator=4, kind=kind)
        np.testing.assert_array_equal(seeded[0], given[0])
        assert not np.array_equal(seeded[0], other[0])


# ------------------------------------------------------------ data set: multilabel_signs


def test_multilabel_signs_draws_from_its_generator_only():
    assert_seeded(multilabel_signs, n=50)


def test_multilabel_signs_labels_are_the_signs_with_a_gap():
    X, Y = multilabel_signs(500, generator=1, gap=0.2)
    np.testing.assert_array_equal(Y, (X > 0).astype(float))
    assert np.all((np.abs(X) >= 0.2) & (np.abs(X) <= 1))
    # the two labels are independent: every combination occurs
    assert len({tuple(row) for row in Y}) == 4
