"""The gated network and its NumPy twin: one forward, the same training, the same numbers.

:class:`mlnotes.gating.NumpyGatedNetwork` starts from a torch
:class:`~mlnotes.gating.GatedNetwork`'s weights; trained by the same
:func:`mlnotes.experiments.train_gated_network` (full-batch Adam, the page's optimizer),
its loss history equals torch's in float64, and over the page's run it reaches the
page's conclusions.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from test_without_torch import run_without_torch

from mlnotes import nn
from mlnotes.experiments.gating import branch_gradient_norms, train_gated_network
from mlnotes.gating import GatedNetwork, NumpyGatedNetwork
from mlnotes.init import seeded_linear
from mlnotes.plotting import gated_network_figure

U = np.linspace(-2, 2, 200)[:, None]
T = np.abs(U)


def torch_net() -> GatedNetwork:
    return GatedNetwork(*(seeded_linear(1, 1, generator=g, dtype=torch.float64)
                          for g in (0, 10, 20)))


def twin_of(model: GatedNetwork) -> NumpyGatedNetwork:
    twin = NumpyGatedNetwork(*(nn.Linear(1, 1, generator=0) for _ in range(3)))
    return twin.load_state_dict(model.state_dict())


def page_twin() -> NumpyGatedNetwork:
    """The page's network: the twin with its own NumPy-drawn weights."""
    return NumpyGatedNetwork(*(nn.Linear(1, 1, generator=g) for g in (0, 10, 20)))


def test_parameter_names_are_torchs():
    assert [n for n, _ in page_twin().named_parameters()] == list(torch_net().state_dict())


@pytest.mark.parametrize("lr", [0.05, 0.5])
def test_twin_follows_torch_for_20_steps(lr):
    model = torch_net()
    twin = twin_of(model)
    torch_losses = train_gated_network(model, (torch.tensor(U),), torch.tensor(T), 20, lr)
    twin_losses = train_gated_network(twin, (U,), T, 20, lr)
    np.testing.assert_allclose(twin_losses, torch_losses, rtol=0, atol=1e-8)
    for name, p in model.state_dict().items():
        np.testing.assert_allclose(twin.state_dict()[name], p.numpy(), rtol=0, atol=1e-8)


def test_twin_follows_torch_with_three_inputs():
    """b and c given: the branches see their own inputs (forward's other path)."""
    rng = np.random.default_rng(0)
    a, b, c = rng.normal(size=(3, 12, 1))
    target = np.where(a > 0, b, c)
    model = torch_net()
    twin = twin_of(model)
    torch_losses = train_gated_network(model, tuple(map(torch.tensor, (a, b, c))),
                                       torch.tensor(target), 20)
    twin_losses = train_gated_network(twin, (a, b, c), target, 20)
    np.testing.assert_allclose(twin_losses, torch_losses, rtol=0, atol=1e-8)


def test_branch_gradient_norms_are_torchs_and_leave_grads_alone():
    model = torch_net()
    twin = twin_of(model)
    side = U[:, 0] > 0
    ours = branch_gradient_norms(twin, (U[side],), T[side] + 0.5)
    theirs = branch_gradient_norms(model, (torch.tensor(U[side]),), torch.tensor(T[side]) + 0.5)
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)
    assert all(p.grad is None for p in twin.parameters())
    marker = np.full((1, 1), 7.0)
    twin.gate.weight.grad = marker
    branch_gradient_norms(twin, (U,), T)
    assert twin.gate.weight.grad is marker


def test_the_pages_conclusions_hold_on_the_twin():
    """The page's run (300 Adam steps at lr 0.05): the gate switches at the kink."""
    net = page_twin()
    losses = train_gated_network(net, (U,), T, steps=300, lr=0.05)
    gate = net.gate_value(U).data[:, 0]
    right = U[:, 0] > 0
    x_side = right if gate[right].mean() > 0.5 else ~right
    assert losses[-1] < 0.02 * losses[0]
    assert gate[x_side].mean() > 0.7 and gate[~x_side].mean() < 0.3
    assert net.x_net.weight.item() * net.y_net.weight.item() < 0
    for side, used in ((x_side, 0), (~x_side, 1)):
        norms = branch_gradient_norms(net, (U[side],), T[side] + 0.5)
        assert norms[used] > 3 * norms[1 - used]
    assert len(gated_network_figure(net, U, T).axes) == 2


def test_twin_refuses_torch_parts():
    with pytest.raises(TypeError, match="x_net"):
        NumpyGatedNetwork(nn.Linear(1, 1, generator=0), torch.nn.Linear(1, 1),
                          nn.Linear(1, 1, generator=1))


def test_twin_trains_without_torch():
    out = run_without_torch("""
        import numpy as np
        from mlnotes import nn
        from mlnotes.experiments.gating import branch_gradient_norms, train_gated_network
        from mlnotes.gating import NumpyGatedNetwork
        from mlnotes.plotting import gated_network_figure
        u = np.linspace(-2, 2, 200)[:, None]
        net = NumpyGatedNetwork(*(nn.Linear(1, 1, generator=g) for g in (0, 10, 20)))
        losses = train_gated_network(net, (u,), np.abs(u), steps=300)
        gated_network_figure(net, u, np.abs(u))
        print(losses[0], losses[-1], *branch_gradient_norms(net, (u,), np.abs(u)))
    """)
    first, last, gx, gy = map(float, out.split())
    assert last < 0.02 * first and math.isfinite(gx + gy)
