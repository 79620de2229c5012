"""mlnotes.experiments.gating: the gating page's experiments against autograd."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from mlnotes.experiments.gating import branch_gradient_norms, train_gated_network
from mlnotes.gating import GatedNetwork


def _normal(*shape):
    return np.random.default_rng(0).normal(size=shape)


# ------------------------------------------------------------------- gated network


def test_branch_gradient_norms_match_autograd_and_follow_the_gate():
    torch.manual_seed(1)
    parts = [torch.nn.Linear(1, 1).double() for _ in range(3)]
    net = GatedNetwork(*parts)
    a, t = torch.tensor(_normal(6, 1)), torch.tensor(_normal(6, 1))
    gx, gy = branch_gradient_norms(net, (a,), t)
    ((net(a) - t) ** 2).mean().backward()
    assert math.isclose(gx, float(torch.cat([p.grad.ravel() for p in parts[1].parameters()])
                                  .norm()), rel_tol=1e-12)
    assert math.isclose(gy, float(torch.cat([p.grad.ravel() for p in parts[2].parameters()])
                                  .norm()), rel_tol=1e-12)
    with torch.no_grad():
        parts[0].weight.zero_()
        parts[0].bias.fill_(-8.0)  # gate shut: the y-branch is used
    gx, gy = branch_gradient_norms(net, (a,), t)
    assert gy > 100 * gx


def test_train_gated_network_lowers_the_loss():
    torch.manual_seed(0)
    a = torch.linspace(-1, 1, 16, dtype=torch.float64)[:, None]
    parts = [torch.nn.Linear(1, 1).double() for _ in range(3)]
    losses = train_gated_network(GatedNetwork(*parts), (a,), a.abs(), steps=40)
    assert len(losses) == 40 and losses[-1] < 0.5 * losses[0]


@pytest.mark.parametrize("experiment", [branch_gradient_norms, train_gated_network])
def test_the_experiments_check_their_inputs(experiment):
    net = GatedNetwork(*(torch.nn.Linear(1, 1).double() for _ in range(3)))
    a = torch.zeros(4, 1, dtype=torch.float64)
    with pytest.raises(TypeError, match=r"inputs must be a tuple \(a,\), \(a, b\) or \(a, b, c\), "
                                        r"got Tensor"):
        experiment(net, a, a)  # the array itself, not (a,)
    with pytest.raises(ValueError, match="inputs must hold one to three arrays .*, got 0"):
        experiment(net, (), a)
    with pytest.raises(TypeError, match=r"inputs\[1\] must be a NumPy array or a torch tensor, "
                                        r"got str"):
        experiment(net, (a, "b"), a)
    with pytest.raises(TypeError, match=r"inputs\[0\] must have the model's dtype float64, "
                                        r"got float32"):
        experiment(net, (a.float(),), a)
