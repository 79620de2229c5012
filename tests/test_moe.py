"""mlnotes.moe (and its data set, experiments.architectures.two_regions) against torch."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from helpers import assert_close
from hypothesis import given
from hypothesis import strategies as st

from mlnotes import init, moe
from mlnotes.experiments.architectures import two_regions

RNG = np.random.default_rng(5)
X = torch.tensor(RNG.normal(size=(7, 3)))


def _reference(model, x):
    """The mixture written with torch's own softmax and a plain loop over experts."""
    p = torch.softmax(model.gater(x), dim=-1)
    outs = [expert(x) for expert in model.experts]
    return sum(p[:, e:e + 1] * outs[e] for e in range(len(outs))), p


@pytest.mark.parametrize("num_experts", [1, 2, 5])
def test_forward_matches_torch(num_experts, device):
    model = moe.MixtureOfExperts(3, 4, num_experts, generator=1, dtype=torch.float64).to(device)
    x = X.to(device)
    y, p = model(x)
    y_ref, p_ref = _reference(model, x)
    assert y.shape == (7, 4) and p.shape == (7, num_experts)
    assert y.device == x.device
    assert_close(y, y_ref)
    assert_close(p, p_ref)
    assert_close(p.sum(-1), torch.ones(7))


def test_gradients_match_torch(device):
    model = moe.MixtureOfExperts(3, 4, 3, generator=2, dtype=torch.float64).to(device)
    x = X.to(device)
    g = torch.tensor(RNG.normal(size=(7, 4)), device=device)
    (model(x)[0] * g).sum().backward()
    ours = [p.grad.clone() for p in model.parameters()]
    model.zero_grad()
    (_reference(model, x)[0] * g).sum().backward()
    for mine, ref in zip(ours, [p.grad for p in model.parameters()], strict=True):
        assert_close(mine, ref)


def test_one_expert_is_that_expert():
    model = moe.MixtureOfExperts(3, 2, 1, dtype=torch.float64)
    y, p = model(X)
    assert_close(p, torch.ones(7, 1))
    assert_close(y, model.experts[0](X))


def test_custom_experts_and_gater():
    experts = [torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Tanh(), torch.nn.Linear(8, 2))
               for _ in range(2)]
    gater = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 2))
    model = moe.MixtureOfExperts(3, 2, 2, experts=experts, gater=gater)
    y, p = model(X.float())
    y_ref, p_ref = _reference(model, X.float())
    torch.testing.assert_close(y, y_ref)
    torch.testing.assert_close(p, p_ref)


def test_seeded_and_no_global_state():
    state = torch.random.get_rng_state()
    a = moe.MixtureOfExperts(3, 2, 3, generator=7)
    b = moe.MixtureOfExperts(3, 2, 3, generator=7)
    c = moe.MixtureOfExperts(3, 2, 3, generator=8)
    assert torch.equal(torch.random.get_rng_state(), state)
    for pa, pb in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(pa, pb)
    assert not torch.equal(a.gater.weight, c.gater.weight)
    gen = torch.Generator().manual_seed(7)
    d = moe.MixtureOfExperts(3, 2, 3, generator=gen)
    assert torch.equal(a.gater.weight, d.gater.weight)


def test_seeded_linear_uses_torch_default_bounds():
    layer = init.seeded_linear(16, 5, generator=0, dtype=torch.float64)
    assert layer.weight.dtype == torch.float64
    assert layer.weight.abs().max() <= 0.25 and layer.bias.abs().max() <= 0.25
    assert layer.weight.abs().max() > 0.2  # spread over the whole range


def test_fit_classifier_lowers_the_loss():
    Xs = torch.tensor([[-1.0, 0.0], [1.0, 0.0], [-2.0, 1.0], [2.0, -1.0]])
    y = torch.tensor([0, 1, 0, 1])
    model = moe.MixtureOfExperts(2, 2, 2)
    losses = moe.fit_classifier(model, Xs, y, steps=30)
    assert len(losses) == 30 and losses[-1] < 0.5 * losses[0]


# -------------------------------------------------------------------- the data set


def test_two_regions_follows_its_rule_and_margin():
    Xs, y, region = two_regions(500, generator=3, margin=0.3)
    assert Xs.shape == (500, 2) and Xs.dtype == np.float64 and y.dtype == np.int64
    assert np.all(np.abs(Xs) <= 3) and np.all(np.abs(Xs[:, 0]) >= 0.3)
    left = region == 0
    np.testing.assert_array_equal(region, Xs[:, 0] > 0)
    np.testing.assert_array_equal(y[left], Xs[left, 1] > Xs[left, 0] + 1.5)
    np.testing.assert_array_equal(y[~left], Xs[~left, 1] < Xs[~left, 0] - 1.5)
    offset = np.where(left, 1.5, -1.5)
    assert np.all(np.abs(Xs[:, 1] - Xs[:, 0] - offset) / np.sqrt(2) >= 0.3)
    assert 0.3 < y.mean() < 0.7 and 0.3 < region.mean() < 0.7


def test_two_regions_is_seeded():
    a, b = two_regions(50, generator=1), two_regions(50, generator=1)
    for u, v in zip(a, b, strict=True):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a[0], two_regions(50, generator=2)[0])


def test_no_line_separates_two_regions():
    Xs, y, _ = two_regions(400, generator=0)
    best = 0.0
    for angle in np.linspace(0, np.pi, 180, endpoint=False):
        s = Xs @ np.array([np.cos(angle), np.sin(angle)])
        for c in np.linspace(-4.3, 4.3, 87):
            acc = np.mean((s > c) == y)
            best = max(best, acc, 1 - acc)
    assert best < 0.8, best


def test_two_linear_experts_separate_two_regions():
    # the hand-made solution: the gater splits at x0 = 0, each expert draws its region's line
    Xs, y, _ = two_regions(400, generator=0)
    model = moe.MixtureOfExperts(2, 2, 2, dtype=torch.float64)
    with torch.no_grad():
        model.gater.weight.copy_(torch.tensor([[-50.0, 0.0], [50.0, 0.0]]))
        model.gater.bias.zero_()
        left, right = model.experts
        left.weight.copy_(torch.tensor([[0.0, 0.0], [-10.0, 10.0]]))  # class 1: x1 > x0 + 1.5
        left.bias.copy_(torch.tensor([0.0, -15.0]))
        right.weight.copy_(torch.tensor([[0.0, 0.0], [10.0, -10.0]]))  # class 1: x1 < x0 - 1.5
        right.bias.copy_(torch.tensor([0.0, -15.0]))
        out, p = model(torch.tensor(Xs))
    assert torch.equal(out.argmax(-1), torch.tensor(y))


# ---------------------------------------------------------------------- bad input


@given(E=st.integers(-3, 0))
def test_bad_number_of_experts(E):
    with pytest.raises(ValueError, match=f"num_experts must be at least 1, got {E}"):
        moe.MixtureOfExperts(2, 2, E)


def test_bad_input():
    with pytest.raises(TypeError, match="num_experts must be an int, got float"):
        moe.MixtureOfExperts(2, 2, 2.0)
    with pytest.raises(ValueError, match="in_features must be at least 1, got 0"):
        moe.MixtureOfExperts(0, 2)
    with pytest.raises(ValueError, match=r"experts must hold num_experts = 3 modules, got 2"):
        moe.MixtureOfExperts(2, 2, 3, experts=[torch.nn.Linear(2, 2), torch.nn.Linear(2, 2)])
    with pytest.raises(TypeError, match="generator must be an int seed or a torch.Generator"):
        moe.MixtureOfExperts(2, 2, generator="0")
    model = moe.MixtureOfExperts(2, 2, 3, gater=torch.nn.Linear(2, 2))
    with pytest.raises(ValueError, match=r"the gater must return \(\.\.\., E\) logits with E = 3"):
        model(torch.zeros(4, 2))
    with pytest.raises(ValueError, match=r"X must have shape \(N, D\) and y shape \(N,\)"):
        moe.fit_classifier(model, torch.zeros(4, 2), torch.zeros(3, dtype=torch.long))
    with pytest.raises(TypeError, match="y must hold integer class indices, got dtype float32"):
        moe.fit_classifier(model, torch.zeros(4, 2), torch.zeros(4))
    with pytest.raises(ValueError, match="n must be at least 1"):
        two_regions(0)
    with pytest.raises(ValueError, match=r"margin must be a finite number in \[0, 1\)"):
        two_regions(10, margin=2.0)
