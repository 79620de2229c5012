"""mlnotes.optim and mlnotes.schedulers against torch.optim and torch.optim.lr_scheduler.

Optimizers (foreach=False) in float64: trajectories, state, bad input. Schedulers: the same
learning rates, exactly, and the closed forms to rounding.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
import torch
from helpers import assert_close, make, reference
from hypothesis import given
from hypothesis import strategies as st
from strategies import small_floats, vectors

from mlnotes import optim as O
from mlnotes import schedulers as S
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
    ("AdamW", {}),
    ("AdamW", {"lr": 0.01, "weight_decay": 0.1}),
    ("AdamW", {"lr": 0.01, "weight_decay": 0.0}),
    ("AdamW", {"lr": 0.01, "eps": 1e-3, "betas": (0.8, 0.99)}),
    ("AdamW", {"lr": 0.01, "amsgrad": True}),
    ("AdamW", {"lr": 0.01, "maximize": True}),
    ("AdamW", {"lr": 0.01, "betas": (0.5, 0.9), "amsgrad": True, "weight_decay": 0.2,
               "maximize": True}),
]
IDS = [f"{name}-{'-'.join(f'{k}={v}' for k, v in kw.items()) or 'defaults'}"
       for name, kw in CONFIGS]
STEPS = {"SGD": O.sgd_step, "RMSprop": O.rmsprop_step, "Adam": O.adam_step,
         "AdamW": O.adamw_step}
N_STEPS = 100
# for the state_dict tests: each optimizer's defaults, and its configuration with every buffer
STATEFUL = [CONFIGS[i] for i in (0, 6, 7, 14, 15, 22, 23, 29)]
STATEFUL_IDS = [IDS[i] for i in (0, 6, 7, 14, 15, 22, 23, 29)]


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
    """Every step within 1e-10 of torch's: torch fuses each update into one rounding,
    ours rounds once per operation of the equation, and 100 steps add those up."""
    for step, (pa, pb) in enumerate(zip(a, b, strict=True)):
        for x, y in zip(pa, pb, strict=True):
            np.testing.assert_allclose(x, y, rtol=1e-10, atol=1e-10, err_msg=f"step {step + 1}")


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
    with pytest.raises(ValueError, match="n_steps must be an int >= 0"):
        O.trajectory(O.sgd_step, lambda x: x, [1.0], -1, lr=0.1)
    with pytest.raises(ValueError, match="x0 must be a 1-D point"):
        O.trajectory(O.sgd_step, lambda x: x, 1.0, 1, lr=0.1)
    with pytest.raises(TypeError, match="x0 must be a point of real numbers, got str of dtype"):
        O.trajectory(O.sgd_step, lambda x: x, "1", 1, lr=0.1)
    with pytest.raises(TypeError, match="step must be a function, got str"):
        O.trajectory("sgd", lambda x: x, [1.0], 1, lr=0.1)
    with pytest.raises(TypeError, match="grad_fn must be a function, got NoneType"):
        O.trajectory(O.sgd_step, None, [1.0], 1, lr=0.1)


# --------------------------------------------------------------------------- AdamW

ADAMW = [c for c in CONFIGS if c[0] == "AdamW"]
ADAMW_IDS = [i for i, c in zip(IDS, CONFIGS, strict=True) if c[0] == "AdamW"]


@pytest.mark.parametrize("name, kw", ADAMW, ids=ADAMW_IDS)
def test_adamw_matches_torch_to_1e_10(name, kw):
    """100 steps in float64, every parameter within 1e-10 of torch.optim.AdamW's."""
    ours, opt, theirs, ref = _pair(name, kw)
    maximize = kw.get("maximize", False)
    a, b = _run(opt, ours, N_STEPS, maximize), _run(ref, theirs, N_STEPS, maximize)
    _assert_same_path(a, b)


def test_adamw_decays_every_weight_by_the_same_factor():
    """From one state and gradient, AdamW with decay lands lr * wd * theta short of AdamW without.

    Adam's L2 decay instead goes through the division by sqrt(v): the weight with large
    gradients loses far less than lr * wd * theta, the one with tiny gradients far more.
    """
    rng = np.random.default_rng(0)
    scale = np.array([10.0, 1.0, 0.01])
    theta0, state0 = np.array([1.0, -2.0, 0.5]), {}
    for _ in range(50):  # a state that has seen gradients of each weight's scale
        O.adam_step(theta0.copy(), rng.normal(size=3) * scale, state0, lr=0.01)
    g = rng.normal(size=3) * scale
    lr, wd = 0.01, 0.1

    def one_step(step, weight_decay):
        theta, state = theta0.copy(), copy.deepcopy(state0)
        step(theta, g, state, lr=lr, weight_decay=weight_decay)
        return theta

    decoupled = one_step(O.adamw_step, 0.0) - one_step(O.adamw_step, wd)
    np.testing.assert_allclose(decoupled, lr * wd * theta0, rtol=1e-12, atol=1e-15)
    l2 = (one_step(O.adam_step, 0.0) - one_step(O.adam_step, wd)) / (lr * wd * theta0)
    assert l2[0] < 0.05 and l2[2] > 1.0, l2


def test_adamw_without_decay_is_adam(backend):
    x, y = make([1.0, -2.0, 3.0], backend), make([1.0, -2.0, 3.0], backend)
    sx, sy = {}, {}
    for k in range(20):
        g = make([np.sin(k), np.cos(k), 1.0], backend)
        O.adamw_step(x, g, sx, lr=0.05, weight_decay=0.0)
        O.adam_step(y, g, sy, lr=0.05)
    assert_close(x, y, rtol=0, atol=0)


# ------------------------------------------------------------------------ bad input

BAD = [
    ("SGD", {"lr": -0.1}, ValueError, r"lr must be a finite number >= 0, got -0.1"),
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
    ("AdamW", {"lr": -1e-3}, ValueError, "lr must be"),
    ("AdamW", {"betas": (0.9, 1.0)}, ValueError, r"betas\[1\] must be"),
    ("AdamW", {"eps": -1e-8}, ValueError, "eps must be"),
    ("AdamW", {"weight_decay": -0.01}, ValueError, "weight_decay must be"),
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


# ---------------------------------------------------------------------- schedulers

# name, arguments, the closed form of the same schedule (t, base_lr) -> lr
SCHEDULES = [
    ("StepLR", {"step_size": 7}, lambda t, lr: S.step_lr(t, lr, 7)),
    ("StepLR", {"step_size": 10, "gamma": 0.5}, lambda t, lr: S.step_lr(t, lr, 10, 0.5)),
    ("StepLR", {"step_size": 1, "gamma": 0.9}, lambda t, lr: S.step_lr(t, lr, 1, 0.9)),
    ("LinearLR", {}, lambda t, lr: S.linear_lr(t, lr)),
    ("LinearLR", {"start_factor": 0.1, "total_iters": 10},
     lambda t, lr: S.linear_lr(t, lr, 0.1, 1.0, 10)),
    ("LinearLR", {"start_factor": 1.0, "end_factor": 0.05, "total_iters": 40},
     lambda t, lr: S.linear_lr(t, lr, 1.0, 0.05, 40)),
    ("CosineAnnealingLR", {"T_max": 50}, lambda t, lr: S.cosine_annealing_lr(t, lr, 50)),
    ("CosineAnnealingLR", {"T_max": 12, "eta_min": 1e-3},
     lambda t, lr: S.cosine_annealing_lr(t, lr, 12, 1e-3)),
]
SCHEDULE_IDS = [f"{name}-{'-'.join(f'{k}={v}' for k, v in kw.items()) or 'defaults'}"
                for name, kw, _ in SCHEDULES]
N_SCHEDULED = 60


def _warm_up_then_cosine(t):
    """A LambdaLR factor: 5 steps of warm-up, then a cosine to 0 at step 50."""
    return S.linear_lr(t, 1.0, 0.2, 1.0, 5) * S.cosine_annealing_lr(t, 1.0, 50)


def _groups(optimizer_class):
    """Two parameter groups with learning rates of their own, as a torch.optim optimizer."""
    params = [torch.nn.Parameter(t.clone()) for t in _initial()]
    return params, optimizer_class([{"params": [params[0]]}, {"params": [params[1]], "lr": 0.03}],
                                   lr=0.1, momentum=0.9)


def _scheduled_run(optimizer_class, scheduler_class, kw, n=N_SCHEDULED):
    """Train n steps under a schedule; the learning rates before each step, and the parameters."""
    params, opt = _groups(optimizer_class)
    scheduler = scheduler_class(opt, **kw)
    lrs = [[g["lr"] for g in opt.param_groups]]
    for _ in range(n):
        opt.zero_grad()
        _loss(params).backward()
        opt.step()
        scheduler.step()
        lrs.append(scheduler.get_last_lr())
        assert lrs[-1] == [g["lr"] for g in opt.param_groups]
    return lrs, [to_numpy(p) for p in params]


@pytest.mark.parametrize("name, kw, _", SCHEDULES, ids=SCHEDULE_IDS)
def test_scheduler_sets_torchs_learning_rates_exactly(name, kw, _):
    """Our scheduler on our SGD against torch's on torch's: the same floats, every step."""
    ours, params = _scheduled_run(O.SGD, getattr(S, name), kw)
    theirs, ref = _scheduled_run(torch.optim.SGD, getattr(torch.optim.lr_scheduler, name), kw)
    assert ours == theirs
    assert len({tuple(lr) for lr in ours}) > 2  # the schedule changed the learning rate
    for a, b in zip(params, ref, strict=True):  # and the optimizer followed it
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9)


def test_lambda_lr_sets_torchs_learning_rates_exactly():
    kw = {"lr_lambda": [_warm_up_then_cosine, lambda t: 0.95**t]}
    ours, _ = _scheduled_run(O.SGD, S.LambdaLR, kw)
    theirs, _ = _scheduled_run(torch.optim.SGD, torch.optim.lr_scheduler.LambdaLR, kw)
    assert ours == theirs
    np.testing.assert_allclose([lr[0] for lr in ours][:51],
                               0.1 * _warm_up_then_cosine(np.arange(51)), rtol=1e-15)


@pytest.mark.parametrize("name, kw, closed_form", SCHEDULES, ids=SCHEDULE_IDS)
def test_closed_form_is_the_schedule(name, kw, closed_form):
    """The chainable updates of the class and the closed form agree to rounding."""
    lrs, _ = _scheduled_run(O.SGD, getattr(S, name), kw)
    t = np.arange(N_SCHEDULED + 1)
    for group, base_lr in enumerate((0.1, 0.03)):
        expected = closed_form(t, base_lr)
        np.testing.assert_allclose([lr[group] for lr in lrs], expected, rtol=1e-12, atol=1e-15)
        assert closed_form(5, base_lr) == expected[5]  # an int step gives a float


@pytest.mark.parametrize("name, kw, _", SCHEDULES, ids=SCHEDULE_IDS)
def test_schedulers_drive_torchs_optimizers_and_torchs_drive_ours(name, kw, _):
    reference, _ = _scheduled_run(torch.optim.SGD, getattr(torch.optim.lr_scheduler, name), kw)
    assert _scheduled_run(torch.optim.SGD, getattr(S, name), kw)[0] == reference
    assert _scheduled_run(O.SGD, getattr(torch.optim.lr_scheduler, name), kw)[0] == reference


def _stop_and_resume(name, kw, first, then, optimizer_class=O.SGD):
    """20 steps under a scheduler of module ``first``; save the optimizer and the scheduler;
    a fresh optimizer and a fresh scheduler of module ``then`` load them (the scheduler is
    made before the optimizer's state is loaded, as torch asks) and take 20 more steps."""
    params, opt = _groups(optimizer_class)
    scheduler = getattr(first, name)(opt, **kw)
    for _ in range(20):
        opt.step()
        scheduler.step()
    saved = copy.deepcopy((opt.state_dict(), scheduler.state_dict()))
    params, opt = _groups(optimizer_class)
    fresh = getattr(then, name)(opt, **kw)
    opt.load_state_dict(saved[0])
    fresh.load_state_dict(saved[1])
    lrs = []
    for _ in range(20):
        opt.step()
        fresh.step()
        lrs.append(fresh.get_last_lr())
    return lrs


@pytest.mark.parametrize("name, kw, _", SCHEDULES, ids=SCHEDULE_IDS)
def test_scheduler_state_dict_round_trip_and_across_implementations(name, kw, _):
    """Stop, save, load, go on: as if never stopped, whichever implementation saved or loads."""
    straight, _ = _scheduled_run(O.SGD, getattr(S, name), kw, n=40)
    theirs = torch.optim.lr_scheduler
    assert _stop_and_resume(name, kw, S, S) == straight[21:]
    assert _stop_and_resume(name, kw, S, theirs) == straight[21:]
    assert _stop_and_resume(name, kw, theirs, S, torch.optim.SGD) == straight[21:]


@pytest.mark.parametrize("name, kw, _", SCHEDULES, ids=SCHEDULE_IDS)
def test_scheduler_resumes_from_last_epoch_as_torchs(name, kw, _):
    runs = []
    for module, optimizer_class in ((S, O.SGD), (torch.optim.lr_scheduler, torch.optim.SGD)):
        params, opt = _groups(optimizer_class)
        for group in opt.param_groups:
            group["initial_lr"] = group["lr"]
        scheduler = getattr(module, name)(opt, last_epoch=9, **kw)
        lrs = [scheduler.get_last_lr()]
        for _ in range(15):
            opt.step()
            scheduler.step()
            lrs.append(scheduler.get_last_lr())
        runs.append(lrs)
    assert runs[0] == runs[1]


def test_scheduler_state_dict_keeps_callable_objects_state():
    class Decay:
        def __init__(self):
            self.rate = 0.5

        def __call__(self, t):
            return self.rate**t

    params, opt = _groups(O.SGD)
    scheduler = S.LambdaLR(opt, Decay())
    scheduler.lr_lambdas[0].rate = 0.25
    fresh = S.LambdaLR(opt, Decay())
    fresh.load_state_dict(scheduler.state_dict())
    assert fresh.lr_lambdas[0].rate == 0.25
    fresh.step()
    assert fresh.get_last_lr() == [0.1 * 0.25, 0.03 * 0.25]


BAD_SCHEDULES = [
    ("StepLR", {"step_size": 0}, ValueError, "step_size must be at least 1, got 0"),
    ("StepLR", {"step_size": 2.5}, TypeError, "step_size must be an int"),
    ("StepLR", {"step_size": 3, "gamma": -0.1}, ValueError,
     r"gamma must be a finite number >= 0, got -0.1"),
    ("LinearLR", {"start_factor": 0.0}, ValueError,
     r"start_factor must be a finite number in \(0, 1\], got 0.0"),
    ("LinearLR", {"end_factor": 1.5}, ValueError,
     r"end_factor must be a finite number in \[0, 1\]"),
    ("LinearLR", {"total_iters": 0}, ValueError, "total_iters must be at least 1"),
    ("CosineAnnealingLR", {"T_max": 0}, ValueError, "T_max must be at least 1"),
    ("CosineAnnealingLR", {"T_max": 10, "eta_min": -1e-3}, ValueError, "eta_min must be"),
    ("StepLR", {"step_size": 3, "last_epoch": -2}, ValueError, "last_epoch must be an int >= -1"),
    ("StepLR", {"step_size": 3, "last_epoch": 4}, KeyError, "has no 'initial_lr'"),
    ("LambdaLR", {"lr_lambda": [lambda t: 1.0]}, ValueError,
     r"lr_lambda must be one function or 2 \(one per group\), got 1"),
    ("LambdaLR", {"lr_lambda": 0.5}, TypeError, "lr_lambda must be a function"),
]


@pytest.mark.parametrize("name, kw, error, match", BAD_SCHEDULES,
                         ids=[f"{b[0]}: {b[3]}" for b in BAD_SCHEDULES])  # no addresses: xdist
def test_bad_scheduler_arguments(name, kw, error, match):
    _, opt = _groups(O.SGD)
    with pytest.raises(error, match=match):
        getattr(S, name)(opt, **kw)


def test_scheduler_needs_param_groups():
    with pytest.raises(TypeError, match="optimizer must have param_groups, a list of dicts, got"):
        S.StepLR(object(), step_size=3)


def test_closed_forms_check_their_arguments():
    assert S.step_lr(np.int64(3), 1.0, 3) == 0.1
    with pytest.raises(ValueError, match="t must be >= 0"):
        S.step_lr(-1, 0.1, 3)
    with pytest.raises(TypeError, match="t must be an int or an array of ints, got float64"):
        S.cosine_annealing_lr(np.linspace(0, 1, 3), 0.1, 10)
    with pytest.raises(ValueError, match="step_size must be at least 1"):
        S.step_lr(1, 0.1, 0)
    with pytest.raises(ValueError, match="start_factor must be"):
        S.linear_lr(1, 0.1, start_factor=2.0)
    with pytest.raises(ValueError, match="T_max must be at least 1"):
        S.cosine_annealing_lr(1, 0.1, 0)
    for closed_form, more in ((S.step_lr, (3,)), (S.linear_lr, ()), (S.cosine_annealing_lr, (3,))):
        with pytest.raises(TypeError, match="base_lr must be a real number, got NoneType"):
            closed_form(1, None, *more)
        with pytest.raises(ValueError, match="base_lr must be a finite number >= 0, got -0.1"):
            closed_form(1, -0.1, *more)


# ------------------------------------------------------------------------ clipping

RNG = np.random.default_rng(0)


def _torch_params(grads, device="cpu"):
    params = []
    for g in grads:
        p = torch.zeros(g.shape, dtype=torch.float64, device=device, requires_grad=True)
        p.grad = torch.tensor(g, device=device)
        params.append(p)
    return params


@pytest.mark.parametrize("max_norm", [0.1, 1.0, 1e3])
@pytest.mark.parametrize("norm_type", [2.0, 1.0, 3, float("inf")])
def test_clip_grad_norm_matches_torch_on_gradient_arrays(max_norm, norm_type, backend):
    grads = [RNG.normal(size=(3, 4)), RNG.normal(size=5) * 4, RNG.normal(size=(2, 2, 2))]
    ours = [make(g, backend) for g in grads]
    theirs = _torch_params(grads)
    total = O.clip_grad_norm(ours, max_norm, norm_type=norm_type)
    expected = torch.nn.utils.clip_grad_norm_(theirs, max_norm, norm_type=norm_type)
    assert_close(total, expected)
    for a, p in zip(ours, theirs, strict=True):
        assert_close(a, p.grad)  # scaled in place, by the same factor


@pytest.mark.parametrize("max_norm", [0.5, 1e3])
def test_clip_grad_norm_matches_torch_on_parameters(max_norm, device):
    grads = [RNG.normal(size=(3, 4)), RNG.normal(size=6)]
    ours, theirs = _torch_params(grads, device), _torch_params(grads)
    ours.append(torch.zeros(2, device=device, requires_grad=True))  # no .grad: skipped
    total = O.clip_grad_norm(ours, max_norm)
    expected = torch.nn.utils.clip_grad_norm_(theirs, max_norm)
    assert_close(total, expected)
    assert total.device == ours[0].device
    for a, p in zip(ours[:-1], theirs, strict=True):
        assert_close(a.grad, p.grad)
    assert ours[-1].grad is None


def test_clip_grad_norm_of_one_tensor_and_of_a_module():
    model = torch.nn.Linear(3, 2).double()
    twin = torch.nn.Linear(3, 2).double()
    twin.load_state_dict(model.state_dict())
    x = reference(RNG.normal(size=(4, 3)) * 10)
    model(x).sum().backward()
    twin(x).sum().backward()
    assert_close(O.clip_grad_norm(model.parameters(), 0.3),
                 torch.nn.utils.clip_grad_norm_(twin.parameters(), 0.3))
    assert_close(model.weight.grad, twin.weight.grad)
    g = reference(RNG.normal(size=4) * 10)  # a bare gradient tensor
    total = O.clip_grad_norm(g, 1.0)
    assert float(total) > 1.0
    assert_close(torch.linalg.vector_norm(g), 1.0, rtol=1e-5)


def test_clip_grad_norm_of_nothing_is_zero():
    assert O.clip_grad_norm([], 1.0) == 0.0
    assert float(torch.nn.utils.clip_grad_norm_([], 1.0)) == 0.0


def test_clip_grad_norm_nonfinite():
    grads = [np.array([np.inf, 1.0])]
    with pytest.raises(RuntimeError, match="total norm of order 2.0 of the gradients is inf"):
        O.clip_grad_norm(grads, 1.0, error_if_nonfinite=True)
    with np.errstate(invalid="ignore"):  # inf * 0 = nan, as in torch
        total = O.clip_grad_norm([g.copy() for g in grads], 1.0)
    assert total == np.inf


@given(vectors(small_floats, max_size=12), st.floats(0.01, 100))
def test_clipped_norm_is_at_most_max_norm(g, max_norm):
    """Property: after clipping, ||g|| <= max_norm; below it, g is (almost) unchanged."""
    before = g.copy()
    total = O.clip_grad_norm([g], max_norm)
    assert np.linalg.norm(g) <= max_norm * (1 + 1e-12)
    if total + 1e-6 <= max_norm:
        np.testing.assert_array_equal(g, before)
    else:  # same direction
        np.testing.assert_allclose(g * total, before * np.linalg.norm(g), atol=1e-9)


@pytest.mark.parametrize("max_norm", [0, -1.0, float("nan")])
def test_non_positive_max_norm(max_norm):
    with pytest.raises(ValueError, match="max_norm must be a finite number > 0, got"):
        O.clip_grad_norm([np.ones(3)], max_norm)


def test_bad_clip_arguments():
    with pytest.raises(TypeError, match="max_norm must be a real number, got str"):
        O.clip_grad_norm([np.ones(3)], "1")
    with pytest.raises(ValueError, match="norm_type must be a finite number > 0, got 0"):
        O.clip_grad_norm([np.ones(3)], 1.0, norm_type=0)
    with pytest.raises(TypeError, match=r"grads_or_params\[1\] must be a NumPy array or a "
                                        r"torch tensor, got list"):
        O.clip_grad_norm([np.ones(3), [1.0]], 1.0)
    with pytest.raises(TypeError, match="cannot mix NumPy arrays and torch tensors"):
        O.clip_grad_norm([np.ones(3), torch.ones(3)], 1.0)
    with pytest.raises(TypeError, match="grads_or_params must be an array or an iterable of "
                                        "arrays, got NoneType"):
        O.clip_grad_norm(None, 1.0)
    with pytest.raises(TypeError, match="max_norm must be a real number, got ndarray"):
        O.clip_grad_norm([np.ones(3)], np.ones(2))


def test_clip_at_infinity_measures_and_leaves_the_gradients():
    grads = [np.array([3.0, 4.0]), np.array([12.0])]
    assert float(O.clip_grad_norm(grads, max_norm=float("inf"))) == 13.0
    np.testing.assert_array_equal(grads[0], [3.0, 4.0])
    np.testing.assert_array_equal(grads[1], [12.0])
