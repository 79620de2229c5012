"""mlnotes.optim against torch.optim (foreach=False) in float64: trajectories, state, bad input."""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch
from helpers import assert_close, make
from hypothesis import given
from hypothesis import strategies as st
from strategies import vectors

from mlnotes import optim as O
from mlnotes.backend import to_numpy

# Every option of every optimizer, one configuration each, plus a few together.
CONFIGS = [
    ("SGD", {"lr": 0.05}),
    ("SGD", {"lr": 0.05, "momentum": 0.9}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "dampening": 0.3}),
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    ("SGD", {"lr": 0.05, "weight_decay": 0.1}),
    ("SGD", {"lr": 0.05, "maximize": True}),
    ("SGD", {"lr": 0.03, "momentum": 0.8, "nesterov": True, "weight_decay": 0.05,
             "maximize": True}),
    ("RMSprop", {}),
    ("RMSprop", {"lr": 0.005, "alpha": 0.9}),
    ("RMSprop", {"lr": 0.005, "eps": 1e-3}),
    ("RMSprop", {"lr": 0.005, "momentum": 0.9}),
    ("RMSprop", {"lr": 0.005, "centered": True}),
    ("RMSprop", {"lr": 0.005, "weight_decay": 0.1}),
    ("RMSprop", {"lr": 0.005, "maximize": True}),
    ("RMSprop", {"lr": 0.002, "alpha": 0.95, "momentum": 0.5, "centered": True,
                 "weight_decay": 0.05}),
    ("Adam", {}),
    ("Adam", {"lr": 0.01, "betas": (0.8, 0.99)}),
    ("Adam", {"lr": 0.01, "betas": (0.0, 0.0)}),
    ("Adam", {"lr": 0.01, "eps": 1e-3}),
    ("Adam", {"lr": 0.01, "weight_decay": 0.1}),
    ("Adam", {"lr": 0.01, "amsgrad": True}),
    ("Adam", {"lr": 0.01, "maximize": True}),
    ("Adam", {"lr": 0.01, "betas": (0.5, 0.9), "amsgrad": True, "weight_decay": 0.05,
              "maximize": True}),
]
IDS = [f"{name}-{'-'.join(f'{k}={v}' for k, v in kw.items()) or 'defaults'}"
       for name, kw in CONFIGS]
STEPS = {"SGD": O.sgd_step, "RMSprop": O.rmsprop_step, "Adam": O.adam_step}
N_STEPS = 100
# for the state_dict tests: each optimizer's defaults, and its configuration with every buffer
STATEFUL = [CONFIGS[i] for i in (0, 6, 7, 14, 15, 22)]
STATEFUL_IDS = [IDS[i] for i in (0, 6, 7, 14, 15, 22)]


def _initial(device="cpu"):
    g = torch.Generator().manual_seed(1)
    return [torch.randn(3, 2, dtype=torch.float64, generator=g).to(device),
            torch.randn(2, dtype=torch.float64, generator=g).to(device)]


def _loss(params, maximize=False):
    """A small non-convex objective of a weight matrix and a bias (negated to maximize)."""
    w, b = params
    X = torch.linspace(-1, 1, 12, dtype=torch.float64, device=w.device).reshape(4, 3)
    loss = ((X @ w + b).tanh() - 0.3).pow(2).sum() + 0.1 * w.pow(4).sum() + 0.05 * b.pow(2).sum()
    return -loss if maximize else loss


def _run(opt, params, n, maximize=False):
    """n optimizer steps; the parameters after each, as NumPy copies."""
    path = []
    for _ in range(n):
        opt.zero_grad()
        _loss(params, maximize).backward()
        opt.step()
        path.append([to_numpy(p).copy() for p in params])
    return path


def _pair(name, kw, device="cpu"):
    ours = [torch.nn.Parameter(t.clone()) for t in _initial(device)]
    theirs = [torch.nn.Parameter(t.clone()) for t in _initial(device)]
    return (ours, getattr(O, name)(ours, **kw),
            theirs, getattr(torch.optim, name)(theirs, foreach=False, **kw))


def _assert_same_path(a, b):
    for step, (pa, pb) in enumerate(zip(a, b, strict=True)):
        for x, y in zip(pa, pb, strict=True):
            np.testing.assert_allclose(x, y, rtol=1e-9, atol=1e-9, err_msg=f"step {step + 1}")


# --------------------------------------------------------------------- trajectories


@pytest.mark.parametrize("name, kw", CONFIGS, ids=IDS)
def test_trajectory_matches_torch(name, kw, device):
    ours, opt, theirs, ref = _pair(name, kw, device)
    maximize = kw.get("maximize", False)
    a, b = _run(opt, ours, N_STEPS, maximize), _run(ref, theirs, N_STEPS, maximize)
    _assert_same_path(a, b)
    # the parameters moved, and the objective improved
    assert np.abs(a[-1][0] - to_numpy(_initial()[0])).max() > 1e-2
    with torch.no_grad():
        assert float(_loss(ours)) < float(_loss(_initial(device)))


@pytest.mark.parametrize("name, kw", CONFIGS, ids=IDS)
def test_state_lives_on_the_parameters_device(name, kw, device):
    ours, opt, theirs, ref = _pair(name, kw, device)
    _run(opt, ours, 2)
    _run(ref, theirs, 2)
    for p, q in zip(ours, theirs, strict=True):
        assert sorted(opt.state[p]) == sorted(ref.state[q])
        for key, value in opt.state[p].items():
            if torch.is_tensor(value):
                assert value.device == p.device and value.dtype == p.dtype, key
            else:
                assert key == "step" and value == int(ref.state[q]["step"]) == 2


@pytest.mark.parametrize("name, kw", CONFIGS, ids=IDS)
def test_functional_step_on_every_backend(name, kw, backend):
    """The bare step on NumPy / torch arrays, on a quadratic, against torch.optim."""
    rng = np.random.default_rng(3)
    A = rng.normal(size=(4, 4))
    H, x0 = A @ A.T / 4 + np.eye(4), rng.normal(size=4)
    x, H_b, state = make(x0, backend), make(H, backend), {}
    ref = torch.nn.Parameter(torch.tensor(x0))
    opt = getattr(torch.optim, name)([ref], foreach=False, **kw)
    sign = -1.0 if kw.get("maximize", False) else 1.0
    for _ in range(60):
        STEPS[name](x, sign * (H_b @ x), state, **kw)  # gradient of sign * x'Hx / 2
        ref.grad = sign * (torch.tensor(H) @ ref.detach())
        opt.step()
        assert_close(x, ref.detach(), rtol=1e-9, atol=1e-9)
    assert type(x) is type(make(x0, backend))


def test_param_groups_with_their_own_hyper_parameters(device):
    ours = [torch.nn.Parameter(t.clone()) for t in _initial(device)]
    theirs = [torch.nn.Parameter(t.clone()) for t in _initial(device)]
    opt = O.Adam([{"params": [ours[0]]}, {"params": [ours[1]], "lr": 0.05, "amsgrad": True}],
                 lr=0.01)
    ref = torch.optim.Adam([{"params": [theirs[0]]},
                            {"params": [theirs[1]], "lr": 0.05, "amsgrad": True}],
                           lr=0.01, foreach=False)
    assert [g["lr"] for g in opt.param_groups] == [0.01, 0.05]
    _assert_same_path(_run(opt, ours, 50), _run(ref, theirs, 50))


def test_defaults_are_torchs():
    p = [torch.nn.Parameter(torch.zeros(1))]
    for name in STEPS:
        ours = getattr(O, name)(p).defaults
        theirs = getattr(torch.optim, name)(p).defaults
        assert ours == {k: theirs[k] for k in ours}, name


def test_parameters_without_gradient_are_left_alone():
    w, frozen = torch.nn.Parameter(torch.ones(2)), torch.nn.Parameter(torch.ones(2))
    opt = O.Adam([w, frozen], lr=0.1)
    (w**2).sum().backward()
    opt.step()
    assert frozen.grad is None and len(opt.state[frozen]) == 0
    assert torch.equal(frozen.detach(), torch.ones(2))
    assert not torch.equal(w.detach(), torch.ones(2))


def test_closure_is_evaluated_with_gradients():
    w = torch.nn.Parameter(torch.tensor([3.0]))
    opt = O.SGD([w], lr=0.5)

    def closure():
        opt.zero_grad()
        loss = (w**2).sum()
        loss.backward()
        return loss

    assert opt.step(closure).item() == 9.0
    assert w.item() == 0.0


def test_functional_step_updates_a_leaf_in_place_and_leaves_grad_alone():
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    g = torch.tensor([0.5, 0.5])
    # maximize: -g, then decay: -g + w = [0.5, 1.5]; the step: w - 1.0 * [0.5, 1.5]
    O.sgd_step(w, g, {}, lr=1.0, weight_decay=1.0, maximize=True)
    assert w.requires_grad and torch.equal(w.detach(), torch.tensor([0.5, 0.5]))
    assert torch.equal(g, torch.tensor([0.5, 0.5]))


def test_float32_stays_float32(backend):
    x = make([1.0, -1.0], backend, dtype=np.float32)
    state = {}
    O.adam_step(x, make([0.1, 0.2], backend, dtype=np.float32), state, lr=0.1)
    assert str(x.dtype).endswith("float32") and str(state["exp_avg"].dtype).endswith("float32")


# ----------------------------------------------------------------------- state_dict


@pytest.mark.parametrize("name, kw", STATEFUL, ids=STATEFUL_IDS)
def test_state_dict_round_trip(name, kw):
    """Stop after 20 steps, save, load into a fresh optimizer, go on: as if never stopped."""
    maximize = kw.get("maximize", False)
    ours, opt, _, _ = _pair(name, kw)
    straight = _run(opt, ours, 40, maximize)
    ours, opt, _, _ = _pair(name, kw)
    first = _run(opt, ours, 20, maximize)
    saved = copy.deepcopy(opt.state_dict())
    fresh = getattr(O, name)(ours, **kw)
    fresh.load_state_dict(saved)
    _assert_same_path(straight, first + _run(fresh, ours, 20, maximize))


@pytest.mark.parametrize("name, kw", STATEFUL, ids=STATEFUL_IDS)
def test_state_dicts_load_across_implementations(name, kw):
    """torch's state loads into ours and ours into torch: same keys, same continuation."""
    maximize = kw.get("maximize", False)
    ours, opt, theirs, ref = _pair(name, kw)
    _run(opt, ours, 20, maximize)
    _run(ref, theirs, 20, maximize)
    ours_from_torch = getattr(O, name)(ours, **kw)
    ours_from_torch.load_state_dict(copy.deepcopy(ref.state_dict()))
    torch_from_ours = getattr(torch.optim, name)(theirs, foreach=False, **kw)
    torch_from_ours.load_state_dict(copy.deepcopy(opt.state_dict()))
    _assert_same_path(_run(ours_from_torch, ours, 20, maximize),
                      _run(torch_from_ours, theirs, 20, maximize))


def test_loaded_state_moves_to_the_parameters_device(device):
    cpu = [torch.nn.Parameter(t.clone()) for t in _initial()]
    opt = O.Adam(cpu, lr=0.01)
    _run(opt, cpu, 3)
    moved = [torch.nn.Parameter(t.clone()) for t in _initial(device)]
    there = O.Adam(moved, lr=0.01)
    there.load_state_dict(opt.state_dict())
    assert all(there.state[p]["exp_avg"].device == p.device for p in moved)
    _run(there, moved, 3)


# ----------------------------------------------------------------------- properties


@given(vectors(), st.floats(1e-4, 1.0))
def test_plain_sgd_is_theta_minus_lr_grad(g, lr):
    """Without momentum or decay, SGD is exactly theta - lr * g."""
    theta = np.linspace(-1, 1, len(g))
    expected = theta - lr * g
    O.sgd_step(theta, g, {}, lr=lr)
    np.testing.assert_array_equal(theta, expected)


@given(vectors(), st.floats(1e-4, 1.0))
def test_first_adam_step_is_at_most_lr(g, lr):
    """Adam's first step moves each coordinate by lr |g| / (|g| + eps) <= lr."""
    theta = np.zeros_like(g)
    O.adam_step(theta, g, {}, lr=lr)
    np.testing.assert_allclose(np.abs(theta), lr * np.abs(g) / (np.abs(g) + 1e-8), rtol=1e-9)
    assert np.all(np.abs(theta) <= lr * (1 + 1e-12))


@given(vectors())
def test_rmsprop_with_alpha_0_takes_sign_steps(g):
    """With alpha = 0 and eps = 0 the first RMSprop step is -lr * sign(g), whatever |g| is."""
    g = np.where(np.abs(g) < 1e-100, 1.0, g)  # g**2 must not underflow to 0
    theta = np.zeros_like(g)
    O.rmsprop_step(theta, g, {}, lr=0.1, alpha=0.0, eps=0.0)
    np.testing.assert_allclose(theta, -0.1 * np.sign(g), rtol=1e-12)


def test_centered_rmsprop_stays_finite_on_a_constant_gradient():
    theta, state = np.zeros(3), {}
    for _ in range(3000):
        O.rmsprop_step(theta, np.full(3, 0.1), state, lr=1e-3, centered=True, eps=0.0)
    assert np.all(np.isfinite(theta))


def test_trajectory_helper():
    path = O.trajectory(O.adam_step, lambda x: 2 * x, [1.0, -1.0], 30, lr=0.1)
    assert path.shape == (31, 2) and np.abs(path[-1]).max() < np.abs(path[0]).max()
    with pytest.raises(ValueError, match="n_steps must be a non-negative int"):
        O.trajectory(O.sgd_step, lambda x: x, [1.0], -1, lr=0.1)
    with pytest.raises(ValueError, match="x0 must be a 1-D point"):
        O.trajectory(O.sgd_step, lambda x: x, 1.0, 1, lr=0.1)


# ------------------------------------------------------------------------ bad input

BAD = [
    ("SGD", {"lr": -0.1}, ValueError, r"lr must be a finite number in \[0, inf\], got -0.1"),
    ("SGD", {"lr": float("nan")}, ValueError, "lr must be"),
    ("SGD", {"lr": float("inf")}, ValueError, "lr must be"),
    ("SGD", {"lr": "0.1"}, TypeError, "lr must be a real number, got str"),
    ("SGD", {"lr": True}, TypeError, "lr must be a real number, got bool"),
    ("SGD", {"momentum": -0.9}, ValueError, "momentum must be"),
    ("SGD", {"dampening": 1.5}, ValueError, r"dampening must be a finite number in \[0, 1\]"),
    ("SGD", {"weight_decay": -1e-4}, ValueError, "weight_decay must be"),
    ("SGD", {"nesterov": True}, ValueError, "nesterov=True needs momentum > 0"),
    ("SGD", {"nesterov": True, "momentum": 0.9, "dampening": 0.1}, ValueError,
     "nesterov=True needs momentum > 0 and dampening = 0"),
    ("RMSprop", {"lr": -1.0}, ValueError, "lr must be"),
    ("RMSprop", {"alpha": -0.1}, ValueError, "alpha must be"),
    ("RMSprop", {"alpha": 1.1}, ValueError, r"alpha must be a finite number in \[0, 1\]"),
    ("RMSprop", {"eps": -1e-8}, ValueError, "eps must be"),
    ("RMSprop", {"momentum": -0.5}, ValueError, "momentum must be"),
    ("RMSprop", {"weight_decay": -0.1}, ValueError, "weight_decay must be"),
    ("Adam", {"lr": -1e-3}, ValueError, "lr must be"),
    ("Adam", {"betas": (1.0, 0.999)}, ValueError,
     r"betas\[0\] must be a finite number in \[0, 1\)"),
    ("Adam", {"betas": (-0.1, 0.999)}, ValueError, r"betas\[0\] must be"),
    ("Adam", {"betas": (0.9, 1.0)}, ValueError,
     r"betas\[1\] must be a finite number in \[0, 1\)"),
    ("Adam", {"betas": (0.9,)}, ValueError, "betas must be a pair"),
    ("Adam", {"betas": 0.9}, ValueError, "betas must be a pair"),
    ("Adam", {"eps": -1e-8}, ValueError, "eps must be"),
    ("Adam", {"weight_decay": -0.01}, ValueError, "weight_decay must be"),
]


@pytest.mark.parametrize("name, kw, error, match", BAD, ids=[f"{b[0]}-{b[1]}" for b in BAD])
def test_bad_hyper_parameters(name, kw, error, match):
    with pytest.raises(error, match=match):
        getattr(O, name)([torch.nn.Parameter(torch.zeros(1))], **kw)
    with pytest.raises(error, match=match):  # the functional step checks them too
        STEPS[name](np.zeros(2), np.zeros(2), {}, **kw)


def test_bad_hyper_parameter_set_later_is_caught_at_the_step():
    w = torch.nn.Parameter(torch.ones(1))
    opt = O.Adam([w])
    opt.param_groups[0]["lr"] = -1.0
    w.grad = torch.ones(1)
    with pytest.raises(ValueError, match="lr must be"):
        opt.step()


@pytest.mark.parametrize("step", list(STEPS.values()), ids=list(STEPS))
def test_bad_arrays(step):
    with pytest.raises(ValueError, match=r"param and grad must have the same shape"):
        step(np.zeros(2), np.zeros(3), {}, lr=0.1)
    with pytest.raises(TypeError, match="cannot mix NumPy arrays and torch tensors"):
        step(np.zeros(2), torch.zeros(2), {}, lr=0.1)
    with pytest.raises(TypeError, match="param must have a floating-point dtype"):
        step(np.zeros(2, dtype=int), np.zeros(2), {}, lr=0.1)
    with pytest.raises(TypeError, match="grad must be a NumPy array or a torch tensor"):
        step(np.zeros(2), [0.0, 0.0], {}, lr=0.1)


def test_sparse_gradients_are_refused():
    w = torch.nn.Parameter(torch.zeros(3))
    w.grad = torch.zeros(3).to_sparse()
    with pytest.raises(RuntimeError, match="Adam does not support sparse gradients"):
        O.Adam([w]).step()
