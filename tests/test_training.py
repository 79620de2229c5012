"""mlnotes.training: the fit loop against hand-written references, the selection experiment's
statistics."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from mlnotes import training as T
from mlnotes.losses import mse_loss
from mlnotes.optim import SGD, Adam


def _least_squares(n=20, d=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d))
    y = X @ rng.normal(size=d) + 0.1 * rng.normal(size=n)
    return X, y


def test_fit_with_sgd_is_gradient_descent_on_least_squares():
    X, y = _least_squares()
    w = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    Xt, yt = torch.tensor(X), torch.tensor(y)
    losses = T.fit(w, lambda w: mse_loss(Xt @ w, yt), SGD([w], lr=0.1), steps=50)
    # the reference: w <- w - lr * (2/N) X^T (Xw - y), in NumPy
    v, expected = np.zeros(3), []
    for _ in range(50):
        r = X @ v - y
        expected.append(np.mean(r**2))
        v = v - 0.1 * (2 / len(y)) * X.T @ r
    np.testing.assert_allclose(losses, expected, rtol=1e-12)
    np.testing.assert_allclose(w.detach().numpy(), v, rtol=1e-10)
    # and it converges to the normal equations' solution
    long = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    T.fit(long, lambda w: mse_loss(Xt @ w, yt), SGD([long], lr=0.1), steps=2000)
    np.testing.assert_allclose(long.detach().numpy(), np.linalg.lstsq(X, y, rcond=None)[0],
                               rtol=1e-9)


def test_fit_matches_a_torch_optim_loop_with_clipping():
    def model(seed):
        torch.manual_seed(seed)
        return torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Tanh(),
                                   torch.nn.Linear(8, 1)).double()

    X, y = _least_squares()
    Xt, yt = torch.tensor(X), torch.tensor(y)[:, None]
    ours = model(0)
    losses = T.fit(ours, lambda m: mse_loss(m(Xt), yt), Adam(ours.parameters(), lr=0.05),
                   steps=30, max_norm=0.5)
    theirs, expected = model(0), []
    opt = torch.optim.Adam(theirs.parameters(), lr=0.05, foreach=False)
    for _ in range(30):
        loss = torch.nn.functional.mse_loss(theirs(Xt), yt)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(theirs.parameters(), 0.5, foreach=False)
        opt.step()
        expected.append(loss.item())
    np.testing.assert_allclose(losses, expected, rtol=1e-10)
    for p, q in zip(ours.parameters(), theirs.parameters(), strict=True):
        np.testing.assert_allclose(p.detach().numpy(), q.detach().numpy(), rtol=1e-10,
                                   atol=1e-12)


def test_clipping_bounds_every_step():
    w = torch.zeros(2, dtype=torch.float64, requires_grad=True)
    target = torch.tensor([100.0, -100.0], dtype=torch.float64)
    T.fit(w, lambda w: mse_loss(w, target, reduction="sum"), SGD([w], lr=1.0), steps=3,
          max_norm=1.0)
    # each unit-rate step moves w along the diagonal by the clipped gradient, of norm 1
    # (up to the 1e-6 that torch's rule adds to the norm it divides by)
    np.testing.assert_allclose(np.linalg.norm(w.detach().numpy()), 3.0, rtol=1e-6)


def test_the_history_is_the_loss_before_each_step_and_loss_fn_sees_the_model():
    seen = []
    w = torch.tensor([2.0], requires_grad=True)

    def loss_fn(model):
        seen.append(model)
        return (model**2).sum()

    losses = T.fit(w, loss_fn, SGD([w], lr=0.25), steps=4)
    assert losses == [4.0, 1.0, 0.25, 0.0625]  # w halves at every step
    assert len(seen) == 4 and all(m is w for m in seen)


def test_fit_leaves_global_state_alone():
    net = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Dropout(0.5))
    net.eval()
    rng_state, threads = torch.random.get_rng_state(), torch.get_num_threads()
    x = torch.ones(4, 2)
    T.fit(net, lambda m: m(x).pow(2).mean(), SGD(net.parameters(), lr=0.1), steps=3)
    assert torch.equal(torch.random.get_rng_state(), rng_state)
    assert torch.get_num_threads() == threads
    assert not net.training  # the mode is the caller's


@pytest.mark.parametrize("steps, error", [(0, ValueError), (2.0, TypeError), (True, TypeError)])
def test_bad_steps(steps, error):
    w = torch.zeros(1, requires_grad=True)
    with pytest.raises(error, match="steps must be"):
        T.fit(w, lambda w: w.sum(), SGD([w]), steps=steps)


def test_bad_max_norm():
    w = torch.zeros(1, requires_grad=True)
    with pytest.raises(ValueError, match="max_norm must be"):
        T.fit(w, lambda w: w.sum(), SGD([w]), steps=1, max_norm=0.0)


# ---------------------------------------------------------------- selection_experiment


def test_selection_is_seeded_and_measures_accuracies():
    val, test = T.selection_experiment(n_settings=6, n_val=30, n_draws=5, generator=3)
    again = T.selection_experiment(n_settings=6, n_val=30, n_draws=5,
                                   generator=np.random.default_rng(3))
    np.testing.assert_array_equal(val, again[0])
    np.testing.assert_array_equal(test, again[1])
    assert val.shape == (5, 6) and test.shape == (6,)
    # accuracies of 30 and of 3000 points: multiples of 1/30 and 1/3000
    np.testing.assert_allclose(val * 30, np.round(val * 30), atol=1e-9)
    np.testing.assert_allclose(test * 3000, np.round(test * 3000), atol=1e-6)
    other = T.selection_experiment(n_settings=6, n_val=30, n_draws=5, generator=4)
    assert not np.array_equal(test, other[1])


def test_one_setting_is_scored_fairly_but_the_winner_is_flattered():
    n_val, n_draws = 30, 400
    val, test = T.selection_experiment(n_settings=40, n_val=n_val, n_draws=n_draws, generator=0)
    # a fixed setting: its mean validation accuracy estimates its accuracy on the
    # distribution, as its test accuracy does (pool and test: 3000 points each);
    # allow 5 standard errors of the difference
    p = test
    se = np.sqrt(p * (1 - p) * (2 / 3000 + 1 / (n_val * n_draws))) + 1e-3
    assert np.all(np.abs(val.mean(axis=0) - test) < 5 * se)
    # the setting that wins a validation draw looks better there than on fresh data
    chosen = val.argmax(axis=1)
    gap = val[np.arange(n_draws), chosen] - test[chosen]
    assert gap.mean() > 5 * gap.std() / np.sqrt(n_draws)
