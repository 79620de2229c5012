"""mlnotes.experiments.normalization: the page's experiments against independent references."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from helpers import assert_close

from mlnotes.experiments.normalization import norm_mlp, norm_training_losses

RNG = np.random.default_rng(0)

# ------------------------------------------ experiment: norm_mlp, norm_training_losses


def _torch_mlp(norm, depth, width, d_in=2, classes=3, seed=0):
    """The reference: torch's own layers, weights by torch.nn.init from the same generator."""
    g = torch.Generator().manual_seed(seed)
    layers, d = [], d_in
    for k in [width] * depth + [classes]:
        lin = torch.nn.Linear(d, k, dtype=torch.float64)
        torch.nn.init.kaiming_normal_(lin.weight, nonlinearity="relu" if k == width else "linear",
                                      generator=g)
        torch.nn.init.zeros_(lin.bias)
        layers.append(lin)
        if k == width:
            if norm == "batch":
                layers.append(torch.nn.BatchNorm1d(width, dtype=torch.float64))
            elif norm == "layer":
                layers.append(torch.nn.LayerNorm(width, dtype=torch.float64))
            layers.append(torch.nn.ReLU())
        d = k
    return torch.nn.Sequential(*layers)


@pytest.mark.parametrize("norm", ["none", "batch", "layer"])
def test_norm_mlp_is_torchs_network(norm):
    ours, theirs = norm_mlp(norm, depth=3, width=8, generator=4), _torch_mlp(norm, 3, 8, seed=4)
    assert [type(m).__name__ for m in ours] == [
        {"BatchNorm1d": "BatchNorm", "LayerNorm": "LayerNorm"}.get(type(m).__name__,
                                                                   type(m).__name__)
        for m in theirs]
    for p, q in zip(ours.parameters(), theirs.parameters(), strict=True):
        assert torch.equal(p, q)
    x = torch.tensor(RNG.normal(size=(16, 2)))
    assert_close(ours(x), theirs(x))


def test_norm_mlp_draws_nothing_from_the_global_generator():
    state = torch.random.get_rng_state()
    a = norm_mlp("none", depth=2, width=4, generator=1)
    b = norm_mlp("none", depth=2, width=4, generator=torch.Generator().manual_seed(1))
    assert torch.equal(torch.random.get_rng_state(), state)
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters(), strict=True))


def _gradient_descent(model, X, y, loss, steps, lr):
    """The reference loop: the update written out."""
    losses = []
    for _ in range(steps):
        L = loss(model(X), y)
        model.zero_grad()
        L.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= lr * p.grad
        losses.append(L.item())
    return np.array(losses)


@pytest.mark.parametrize("norm", ["none", "batch", "layer"])
def test_norm_training_is_plain_gradient_descent(norm):
    from mlnotes.datasets import spirals
    from mlnotes.losses import cross_entropy

    ours = norm_training_losses((norm,), depth=4, width=16, steps=15, lr=0.1, generator=2,
                                kind="torch")[norm]
    X, y = (torch.tensor(a) for a in spirals(100, classes=3, generator=2))
    # torch's layers and loss: the same numbers up to rounding
    theirs = _gradient_descent(_torch_mlp(norm, 4, 16, seed=2), X, y, F.cross_entropy, 15, 0.1)
    np.testing.assert_allclose(ours, theirs, rtol=1e-9)
    # the same layers and loss: the same bits (theta - (eta g), rounded as written)
    same = _gradient_descent(norm_mlp(norm, 4, 16, generator=2), X, y, cross_entropy, 15, 0.1)
    np.testing.assert_array_equal(ours, same)


def test_batch_norm_trains_the_deep_network_faster():
    losses = norm_training_losses(("none", "batch"), depth=12, width=32, steps=60, lr=0.1,
                                  kind="torch")
    assert losses["none"][0] == pytest.approx(losses["batch"][0], rel=0.5)  # similar starts
    assert losses["batch"][-5:].mean() < losses["none"][-5:].mean() / 4


def test_norm_experiment_bad_arguments():
    with pytest.raises(ValueError, match="norm must be 'none', 'batch' or 'layer', got 'group'"):
        norm_mlp("group")
    with pytest.raises(ValueError, match="lr must be a finite number >= 0, got -1"):
        norm_training_losses(lr=-1.0)
