"""mlnotes.experiments.backprop: the page's MLP and both modes against torch in float64."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from mlnotes.autograd import Tensor
from mlnotes.datasets import spirals
from mlnotes.experiments.backprop import (
    forward_mode_gradient,
    init_mlp,
    mlp_jvp,
    mlp_loss,
    mode_costs,
)


def _torch_loss(params, X, y):
    h = torch.tensor(X)
    for W, b in zip(params[0:-2:2], params[1:-2:2], strict=True):
        h = torch.tanh(h @ W + b)
    return torch.nn.functional.cross_entropy(h @ params[-2] + params[-1], torch.tensor(y))


@pytest.fixture
def problem():
    X, y = spirals(8, classes=3, generator=2)
    return init_mlp((2, 5, 4, 3), generator=3), X, y


def test_init_mlp_shapes_and_scale():
    params = init_mlp((3, 400, 2), generator=0)
    assert [p.shape for p in params] == [(3, 400), (400,), (400, 2), (2,)]
    assert not params[1].any() and not params[3].any()
    np.testing.assert_allclose(params[2].std(), 1 / np.sqrt(400), rtol=0.1)  # N(0, 1/fan-in)
    with pytest.raises(ValueError, match="sizes"):
        init_mlp((3,))
    with pytest.raises(TypeError, match="sizes"):
        init_mlp((3, 2.5))


def test_mlp_loss_and_engine_gradients_equal_torch(problem):
    params, X, y = problem
    ours = [Tensor(p, requires_grad=True) for p in params]
    loss = mlp_loss(ours, X, y)
    loss.backward()
    theirs = [torch.tensor(p, requires_grad=True) for p in params]
    ref = _torch_loss(theirs, X, y)
    ref.backward()
    np.testing.assert_allclose(loss.item(), ref.item(), rtol=1e-12)
    np.testing.assert_allclose(float(mlp_loss(params, X, y)), ref.item(), rtol=1e-12)  # NumPy
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a.grad, b.grad.numpy(), rtol=1e-10, atol=1e-14)


def test_mlp_jvp_equals_torchs_forward_mode(problem):
    params, X, y = problem
    rng = np.random.default_rng(4)
    tangents = [rng.normal(size=p.shape) for p in params]
    L, dL = mlp_jvp(params, tangents, X, y)
    value, tangent = torch.func.jvp(lambda *ps: _torch_loss(ps, X, y),
                                    tuple(torch.tensor(p) for p in params),
                                    tuple(torch.tensor(t) for t in tangents))
    np.testing.assert_allclose(L, value.item(), rtol=1e-12)
    np.testing.assert_allclose(dL, tangent.item(), rtol=1e-10)
    with pytest.raises(ValueError, match="tangents"):
        mlp_jvp(params, tangents[:-1], X, y)


def test_forward_mode_gradient_equals_torchs_gradient_and_central_differences(problem):
    params, X, y = problem
    grads = forward_mode_gradient(params, X, y)
    theirs = [torch.tensor(p, requires_grad=True) for p in params]
    _torch_loss(theirs, X, y).backward()
    for g, t in zip(grads, theirs, strict=True):
        np.testing.assert_allclose(g, t.grad.numpy(), rtol=1e-10, atol=1e-14)
    # one entry by central differences, which know nothing of either mode
    h, bumped = 1e-6, [p.copy() for p in params]
    bumped[2][1, 3] += h
    up = float(mlp_loss(bumped, X, y))
    bumped[2][1, 3] -= 2 * h
    down = float(mlp_loss(bumped, X, y))
    np.testing.assert_allclose(grads[2][1, 3], (up - down) / (2 * h), rtol=1e-6)


def test_mlp_loss_refuses_a_parameter_list_without_biases():
    with pytest.raises(ValueError, match="params must be"):
        mlp_loss(init_mlp((2, 3))[:1], np.ones((1, 2)), np.array([0]))


def test_mode_costs_reports_every_width_and_skips_forward_mode_above_the_limit():
    rows = mode_costs(widths=(2, 6), n=9, repeats=2, forward_mode_limit=50)
    assert [r["width"] for r in rows] == [2, 6]
    # (2, H, H, 3): 2H + H + H^2 + H + 3H + 3 parameters
    assert [r["params"] for r in rows] == [2 * h + h + h * h + h + 3 * h + 3 for h in (2, 6)]
    assert all(r["forward"] > 0 and r["reverse"] > 0 for r in rows)
    assert rows[0]["forward_mode"] > 0 and math.isnan(rows[1]["forward_mode"])
    with pytest.raises(ValueError, match="repeats"):
        mode_costs(widths=(2,), repeats=0)


def test_bad_inputs_are_refused_at_the_door_naming_the_argument(problem):
    params, X, y = problem
    with pytest.raises(ValueError, match="X must have shape"):
        mlp_loss(params, X[:, :1], y)
    with pytest.raises(ValueError, match="y must hold one label in 0..2"):
        mlp_loss(params, X, y + 3)
    with pytest.raises(TypeError, match="y must be a NumPy array of integer"):
        mlp_loss(params, X, y.astype(float))
    with pytest.raises(ValueError, match="params must chain"):
        mlp_loss([params[0], params[1], params[0], params[1]], X, y)
    with pytest.raises(ValueError, match="tangents must hold one array of each"):
        mlp_jvp(params, [np.ones(3) for _ in params], X, y)
    with pytest.raises(TypeError, match="params must be NumPy arrays here"):
        forward_mode_gradient([Tensor(p) for p in params], X, y)
    with pytest.raises(ValueError, match="widths"):
        mode_costs(widths=(0,))
