"""mlnotes.training: the fit loop against hand-written references."""

from __future__ import annotations

import itertools

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
    losses = T.fit(lambda b: mse_loss(b[0] @ w, b[1]), SGD([w], lr=0.1),
                   itertools.repeat((Xt, yt), 50))
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
    T.fit(lambda b: mse_loss(b[0] @ long, b[1]), SGD([long], lr=0.1),
          itertools.repeat((Xt, yt), 2000))
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
    losses = T.fit(lambda b: mse_loss(ours(b[0]), b[1]), Adam(ours.parameters(), lr=0.05),
                   itertools.repeat((Xt, yt), 30), max_norm=0.5)
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
    T.fit(lambda t: mse_loss(w, t, reduction="sum"), SGD([w], lr=1.0),
          itertools.repeat(target, 3), max_norm=1.0)
    # each unit-rate step moves w along the diagonal by the clipped gradient, of norm 1
    # (up to the 1e-6 that torch's rule adds to the norm it divides by)
    np.testing.assert_allclose(np.linalg.norm(w.detach().numpy()), 3.0, rtol=1e-6)


def test_the_history_is_the_loss_before_each_step_and_loss_fn_sees_each_batch():
    seen = []
    w = torch.tensor([2.0], requires_grad=True)

    def loss_fn(batch):
        seen.append(batch)
        return (w**2).sum()

    losses = T.fit(loss_fn, SGD([w], lr=0.25), ["a", "b", "c", "d"])
    assert losses == [4.0, 1.0, 0.25, 0.0625]  # w halves at every step
    assert seen == ["a", "b", "c", "d"]


def test_batches_are_drawn_as_the_loop_reaches_them():
    """A generator of batches is read one step at a time: batch t is drawn after step t - 1."""
    events = []
    w = torch.tensor([1.0], requires_grad=True)

    def batches():
        for t in range(3):
            events.append(("draw", t, float(w.detach())))
            yield t

    T.fit(lambda t: (w**2).sum(), SGD([w], lr=0.25), batches())
    assert events == [("draw", 0, 1.0), ("draw", 1, 0.5), ("draw", 2, 0.25)]
    assert T.fit(lambda t: (w**2).sum(), SGD([w]), []) == []


def test_fit_leaves_global_state_alone():
    net = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Dropout(0.5))
    net.eval()
    rng_state, threads = torch.random.get_rng_state(), torch.get_num_threads()
    x = torch.ones(4, 2)
    T.fit(lambda b: net(b).pow(2).mean(), SGD(net.parameters(), lr=0.1), itertools.repeat(x, 3))
    assert torch.equal(torch.random.get_rng_state(), rng_state)
    assert torch.get_num_threads() == threads
    assert not net.training  # the mode is the caller's


def test_bad_max_norm():
    w = torch.zeros(1, requires_grad=True)
    with pytest.raises(ValueError, match="max_norm must be"):
        T.fit(lambda b: w.sum(), SGD([w]), [None], max_norm=0.0)


def test_on_step_sees_each_step_after_it_is_taken():
    """on_step is called once per step, after the update, with the history so far."""
    w = torch.tensor([2.0], requires_grad=True)
    seen = []
    losses = T.fit(lambda b: (w**2).sum(), SGD([w], lr=0.25), range(3),
                   on_step=lambda so_far: seen.append((list(so_far), float(w.detach()))))
    # w halves at every step: the callback sees the new w and the loss before the step
    assert seen == [([4.0], 1.0), ([4.0, 1.0], 0.5), ([4.0, 1.0, 0.25], 0.25)]
    assert losses == [4.0, 1.0, 0.25]
    with pytest.raises(TypeError, match="on_step must be"):
        T.fit(lambda b: (w**2).sum(), SGD([w]), [None], on_step="print")


@pytest.mark.parametrize("batches", [None, 3, "abc", {"x": 1}], ids=repr)
def test_batches_must_be_an_iterable_of_batches(batches):
    # a string or a dict would iterate its characters or keys: never the batches meant
    w = torch.zeros(1, requires_grad=True)
    with pytest.raises(TypeError, match="batches must be an iterable of batches .*, got "
                                        + type(batches).__name__):
        T.fit(lambda b: (w**2).sum(), SGD([w]), batches)
