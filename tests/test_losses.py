"""mlnotes.losses against torch.nn.functional in float64, autograd, properties, bad input."""

from __future__ import annotations

import math
import re
from functools import partial

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from helpers import assert_close, make, reference
from hypothesis import assume, given
from hypothesis import strategies as st
from strategies import finite_floats, matrices, small_floats, vectors

from mlnotes import losses as L
from mlnotes.activations import sigmoid
from mlnotes.backend import to_numpy

RNG = np.random.default_rng(0)
REDUCTIONS = ["mean", "sum", "none"]

# regression: any shape, input and target alike
X_RANDOM, T_RANDOM = RNG.normal(size=(4, 5)) * 3, RNG.normal(size=(4, 5)) * 3
X_EXTREME = np.array([[1e4, -1e4, 0.0], [800.0, -800.0, 1e-300]])
T_EXTREME = np.array([[-1e4, -1e4, 0.0], [-800.0, 800.0, 0.0]])
REGRESSION = {"random": (X_RANDOM, T_RANDOM), "extreme": (X_EXTREME, T_EXTREME)}

# classification: (N, K) logits with (N,) class indices
Z_RANDOM, Y_RANDOM = RNG.normal(size=(6, 4)) * 3, RNG.integers(0, 4, size=6)
Z_EXTREME = np.array([[1e4, -1e4, 0.0], [-1e4, -1e4, -1e4], [0.0, 1e4, 0.0], [800.0, -800.0, 3.0]])
Y_EXTREME = np.array([1, 2, 1, 0])
CLASSES = {"random": (Z_RANDOM, Y_RANDOM), "extreme": (Z_EXTREME, Y_EXTREME)}

# binary: logits, probabilities strictly inside (1e-6, 1 - 1e-6), 0/1 and soft targets
B_LOGITS = np.concatenate([RNG.normal(size=8) * 4, [1e4, -1e4, 800.0, -800.0, 0.0, 0.0]])
B_TARGET = np.concatenate([RNG.integers(0, 2, size=8), [0, 1, 1, 0, 1, 0]]).astype(float)
B_SOFT = RNG.uniform(size=B_LOGITS.shape)
B_PROBS = RNG.uniform(1e-6, 1 - 1e-6, size=B_LOGITS.shape)

# ranking
R1, R2 = RNG.normal(size=9) * 2, RNG.normal(size=9) * 2
R_Y = np.where(RNG.uniform(size=9) < 0.5, -1.0, 1.0)

# class losses with torch's options: (N, K) with padding (-100, the default ignore_index),
# (N, K, d1, d2) with padding, and one unbatched (K,) sample
W4 = RNG.uniform(0.2, 3.0, size=4)
Y_PAD = np.array([3, -100, 0, 2, -100, 1])
ZK = RNG.normal(size=(2, 4, 3, 5)) * 2
YK_PAD = np.where(RNG.uniform(size=(2, 3, 5)) < 0.3, -100, RNG.integers(0, 4, size=(2, 3, 5)))
Z1, Y1 = RNG.normal(size=4) * 3, np.array(2)
CLASS_INPUTS = {"NK": (Z_RANDOM, Y_PAD), "NKd": (ZK, YK_PAD), "K": (Z1, Y1),
                "extreme": (Z_EXTREME, Y_EXTREME)}
CLASS_OPTIONS = {
    "defaults": {},
    "weight": {"weight": W4[:3]},  # sized per input below
    "ignore-a-class": {"ignore_index": 1},
    "smoothing": {"label_smoothing": 0.2},
    "all": {"weight": W4, "label_smoothing": 0.3},
    "all-ignore-a-class": {"weight": W4, "ignore_index": 0, "label_smoothing": 1.0},
}


def _probabilities(shape, axis):
    p = RNG.uniform(size=shape) ** 3
    return p / p.sum(axis=axis, keepdims=True)


# class-probability targets of the logits' shape
PROB_INPUTS = {"NK": (Z_RANDOM, _probabilities((6, 4), 1)),
               "NKd": (ZK, _probabilities(ZK.shape, 1)),
               "K": (Z1, _probabilities((4,), 0))}
PROB_OPTIONS = {"defaults": {}, "weight": {"weight": W4}, "smoothing": {"label_smoothing": 0.25},
                "both": {"weight": W4, "label_smoothing": 0.6}}

# binary losses on (N, C) = (5, 3): a weight per element, per label or per sample;
# pos_weight per label (broadcast over the last axis) or per element
BZ = np.concatenate([RNG.normal(size=(3, 3)) * 4, [[1e4, -1e4, 800.0], [-800.0, 0.0, 30.0]]])
BT = np.concatenate([RNG.uniform(size=(3, 3)), [[0.0, 1.0, 1.0], [0.0, 1.0, 0.0]]])
BP = RNG.uniform(1e-6, 1 - 1e-6, size=(5, 3))
BINARY_WEIGHTS = {"none": None, "per-label": RNG.uniform(0.1, 3, size=3),
                  "per-sample": RNG.uniform(0.1, 3, size=(5, 1)),
                  "per-element": RNG.uniform(0.1, 3, size=(5, 3)), "scalar": np.array(2.5)}
POS_WEIGHTS = {"none": None, "per-label": np.array([0.3, 1.0, 4.0]),
               "per-element": RNG.uniform(0.1, 5, size=(5, 3))}


def _options(options, backend, K=4):
    """Our keyword arguments: arrays moved to ``backend``, the weight cut to K classes."""
    out = dict(options)
    if out.get("weight") is not None:
        out["weight"] = make(W4[:K], backend)
    return out


def _ref_options(options, K=4):
    """torch's keyword arguments, arrays as float64 tensors."""
    out = dict(options)
    if out.get("weight") is not None:
        out["weight"] = reference(W4[:K])
    return out


def _class_axis(z):
    return 0 if z.ndim == 1 else 1


def _pad_as(y, options):
    """The padding (-100) of ``y`` written as the options' ignore_index."""
    return np.where(y == -100, options.get("ignore_index", -100), y) if y.dtype.kind == "i" else y


# ------------------------------------------------------------------------ forward


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", REGRESSION)
@pytest.mark.parametrize("ours, theirs", [(L.mse_loss, F.mse_loss), (L.l1_loss, F.l1_loss)],
                         ids=["mse", "l1"])
def test_regression_losses_match_torch(ours, theirs, case, reduction, backend):
    x, t = REGRESSION[case]
    out = ours(make(x, backend), make(t, backend), reduction=reduction)
    assert_close(out, theirs(reference(x), reference(t), reduction=reduction))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("case", CLASSES)
def test_cross_entropy_and_nll_match_torch(case, reduction, backend):
    z, y = CLASSES[case]
    expected = F.cross_entropy(reference(z), torch.tensor(y), reduction=reduction)
    out = L.cross_entropy(make(z, backend), make(y, backend, dtype=np.int64), reduction=reduction)
    assert np.all(np.isfinite(to_numpy(out)))
    assert_close(out, expected)
    log_p = F.log_softmax(reference(z), 1)
    expected = F.nll_loss(log_p, torch.tensor(y), reduction=reduction)
    out = L.nll_loss(make(log_p, backend), make(y, backend, dtype=np.int64), reduction=reduction)
    assert_close(out, expected)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_cross_entropy_with_extra_dimensions_matches_torch(reduction, backend):
    # (N, K, d1, d2) scores with (N, d1, d2) targets: the class axis is 1
    z, y = RNG.normal(size=(2, 3, 4, 5)), RNG.integers(0, 3, size=(2, 4, 5))
    expected = F.cross_entropy(reference(z), torch.tensor(y), reduction=reduction)
    out = L.cross_entropy(make(z, backend), make(y, backend, dtype=np.int64), reduction=reduction)
    assert_close(out, expected)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", CLASS_OPTIONS.values(), ids=CLASS_OPTIONS.keys())
@pytest.mark.parametrize("inputs", CLASS_INPUTS.values(), ids=CLASS_INPUTS.keys())
def test_class_options_match_torch(inputs, options, reduction, backend):
    # weight, ignore_index (padding at -100, or a class), label_smoothing, unbatched input
    z, y = inputs[0], _pad_as(inputs[1], options)
    K = z.shape[_class_axis(z)]
    expected = F.cross_entropy(reference(z), torch.as_tensor(y), reduction=reduction,
                               **_ref_options(options, K))
    out = L.cross_entropy(make(z, backend), make(y, backend, dtype=np.int64),
                          reduction=reduction, **_options(options, backend, K))
    assert tuple(out.shape) == tuple(expected.shape)
    assert np.all(np.isfinite(to_numpy(out)))
    assert_close(out, expected)
    if "label_smoothing" not in options:  # nll_loss has the other options
        log_p = F.log_softmax(reference(z), _class_axis(z))
        expected = F.nll_loss(log_p, torch.as_tensor(y), reduction=reduction,
                              **_ref_options(options, K))
        out = L.nll_loss(make(log_p, backend), make(y, backend, dtype=np.int64),
                         reduction=reduction, **_options(options, backend, K))
        assert tuple(out.shape) == tuple(expected.shape)
        assert_close(out, expected)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", PROB_OPTIONS.values(), ids=PROB_OPTIONS.keys())
@pytest.mark.parametrize("inputs", PROB_INPUTS.values(), ids=PROB_INPUTS.keys())
def test_class_probability_targets_match_torch(inputs, options, reduction, backend):
    z, t = inputs
    expected = F.cross_entropy(reference(z), reference(t), reduction=reduction,
                               **_ref_options(options))
    out = L.cross_entropy(make(z, backend), make(t, backend), reduction=reduction,
                          **_options(options, backend))
    assert tuple(out.shape) == tuple(expected.shape)
    assert_close(out, expected)


def test_one_hot_probabilities_are_class_indices(backend):
    # the two kinds of target agree where they say the same thing, smoothing included
    z, y = make(Z_RANDOM, backend), make(Y_RANDOM, backend, dtype=np.int64)
    t = make(np.eye(4)[Y_RANDOM], backend)
    for eps in (0.0, 0.4):
        assert_close(L.cross_entropy(z, t, label_smoothing=eps),
                     L.cross_entropy(z, y, label_smoothing=eps))


def test_padding_is_as_if_it_were_not_there(backend):
    # ignore_index: the loss of a padded batch is the loss of its real tokens alone
    kept = Y_PAD != -100
    z, y = make(Z_RANDOM, backend), make(Y_PAD, backend, dtype=np.int64)
    real = L.cross_entropy(make(Z_RANDOM[kept], backend), make(Y_PAD[kept], backend, np.int64))
    assert_close(L.cross_entropy(z, y), real)
    d = to_numpy(L.cross_entropy_backward(1.0, z, y))
    np.testing.assert_array_equal(d[~kept], 0.0)  # padding receives no gradient
    assert_close(d[kept], L.cross_entropy_backward(1.0, make(Z_RANDOM[kept], backend),
                                                    make(Y_PAD[kept], backend, np.int64)))


def test_class_weights_are_a_weighted_mean(backend):
    # sum_n w_{y_n} l_n / sum_n w_{y_n}, from the unweighted per-sample losses
    z, y = make(Z_RANDOM, backend), make(Y_RANDOM, backend, dtype=np.int64)
    per_sample = to_numpy(L.cross_entropy(z, y, reduction="none"))
    w_y = W4[Y_RANDOM]
    expected = (w_y * per_sample).sum() / w_y.sum()
    assert_close(L.cross_entropy(z, y, make(W4, backend)), expected)


def test_ignored_target_next_to_a_minus_inf_logit_stays_finite(backend):
    # an ignored target gathers class 0 internally: -inf there must not leak a NaN
    z = np.array([[-np.inf, 0.0, 1.0], [0.5, -np.inf, 2.0]])
    y = np.array([-100, 2])
    for options in ({}, {"label_smoothing": 0.0}, {"weight": np.array([1.0, 2.0, 0.5])}):
        ours_opts = {k: make(v, backend) if isinstance(v, np.ndarray) else v
                     for k, v in options.items()}
        ref_opts = {k: reference(v) if isinstance(v, np.ndarray) else v
                    for k, v in options.items()}
        for reduction in REDUCTIONS:
            out = L.cross_entropy(make(z, backend), make(y, backend, dtype=np.int64),
                                  reduction=reduction, **ours_opts)
            assert np.all(np.isfinite(to_numpy(out)))
            assert_close(out, F.cross_entropy(reference(z), torch.tensor(y),
                                              reduction=reduction, **ref_opts))


def test_minus_inf_mask_in_another_class_stays_finite(backend):
    z, y = np.array([[0.0, -np.inf, 1.0], [-np.inf, 2.0, 0.5]]), np.array([0, 1])
    out = L.cross_entropy(make(z, backend), make(y, backend, dtype=np.int64), reduction="none")
    assert np.all(np.isfinite(to_numpy(out)))
    assert_close(out, F.cross_entropy(reference(z), torch.tensor(y), reduction="none"))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("target", [B_TARGET, B_SOFT], ids=["hard", "soft"])
def test_bce_with_logits_matches_torch(target, reduction, backend):
    out = L.binary_cross_entropy_with_logits(make(B_LOGITS, backend), make(target, backend),
                                             reduction=reduction)
    expected = F.binary_cross_entropy_with_logits(reference(B_LOGITS), reference(target),
                                                  reduction=reduction)
    assert np.all(np.isfinite(to_numpy(out)))
    assert_close(out, expected)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("target", [B_TARGET, B_SOFT], ids=["hard", "soft"])
def test_bce_matches_torch(target, reduction, backend):
    out = L.binary_cross_entropy(make(B_PROBS, backend), make(target, backend),
                                 reduction=reduction)
    expected = F.binary_cross_entropy(reference(B_PROBS), reference(target), reduction=reduction)
    assert_close(out, expected)


def test_bce_clamps_log_at_minus_100_like_torch(backend):
    # probabilities of exactly 0 and 1 (and below e^-100) on the wrong side cost 100
    p = np.array([0.0, 1.0, 0.0, 1.0, 1e-50, 1 - 1e-17, 0.5])
    t = np.array([1.0, 0.0, 0.0, 1.0, 1.0, 0.0, 0.3])
    with np.errstate(all="raise"):
        out = L.binary_cross_entropy(make(p, backend), make(t, backend), reduction="none")
    expected = F.binary_cross_entropy(reference(p), reference(t), reduction="none")
    np.testing.assert_array_equal(to_numpy(out)[:5], [100.0, 100.0, 0.0, 0.0, 100.0])
    assert_close(out, expected)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("margin", [0.0, 0.5, -1.0])
def test_margin_ranking_matches_torch(margin, reduction, backend):
    out = L.margin_ranking_loss(make(R1, backend), make(R2, backend), make(R_Y, backend),
                                margin=margin, reduction=reduction)
    expected = F.margin_ranking_loss(reference(R1), reference(R2), reference(R_Y),
                                     margin=margin, reduction=reduction)
    assert_close(out, expected)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_and_device_are_kept(dtype, backend):
    x, t = make(X_RANDOM, backend, dtype), make(T_RANDOM, backend, dtype)
    z, y = make(Z_RANDOM, backend, dtype), make(Y_RANDOM, backend, np.int64)
    p, b = make(B_PROBS, backend, dtype), make(B_TARGET, backend, dtype)
    outs = [L.mse_loss(x, t), L.l1_loss(x, t), L.cross_entropy(z, y),
            L.nll_loss(z, y), L.binary_cross_entropy(p, b),
            L.binary_cross_entropy_with_logits(p, b), L.margin_ranking_loss(p, p, 2 * b - 1),
            L.mse_loss_backward(1.0, x, t), L.l1_loss_backward(1.0, x, t),
            L.cross_entropy_backward(1.0, z, y),
            L.binary_cross_entropy_with_logits_backward(1.0, p, b)]
    for out in outs:
        assert out.dtype == x.dtype
        if backend != "numpy":
            assert out.device == x.device
            assert isinstance(out, torch.Tensor)


def test_float32_agrees_with_torch_float32(device):
    z = torch.tensor(Z_RANDOM * 10, dtype=torch.float32, device=device)
    y = torch.tensor(Y_RANDOM, device=device)
    torch.testing.assert_close(L.cross_entropy(z, y), F.cross_entropy(z, y))
    b = torch.tensor(B_LOGITS, dtype=torch.float32, device=device)
    t = torch.tensor(B_TARGET, dtype=torch.float32, device=device)
    torch.testing.assert_close(L.binary_cross_entropy_with_logits(b, t),
                               F.binary_cross_entropy_with_logits(b, t))
    p = torch.tensor([0.0, 1.0, 0.3], dtype=torch.float32, device=device)
    q = torch.tensor([1.0, 0.0, 1.0], dtype=torch.float32, device=device)
    torch.testing.assert_close(L.binary_cross_entropy(p, q), F.binary_cross_entropy(p, q))


# ----------------------------------------------------------------------- autograd


def _grads(f, args, grad_of, reduction, dev):
    """Gradients of sum(g * f(...)) with respect to the arguments listed in grad_of."""
    ts = [make(a, dev, dtype=a.dtype, requires_grad=(i in grad_of))
          for i, a in enumerate(args)]
    out = f(*ts, reduction=reduction)
    g = make(RNG.normal(size=tuple(out.shape)), dev) if reduction == "none" else 1.0
    (out * g).sum().backward()
    return [ts[i].grad for i in grad_of], g


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(
    "ours, theirs, args, grad_of",
    [
        (L.mse_loss, F.mse_loss, (X_RANDOM, T_RANDOM), (0, 1)),
        (L.mse_loss, F.mse_loss, (X_EXTREME, T_EXTREME), (0, 1)),
        (L.l1_loss, F.l1_loss, (X_RANDOM, T_RANDOM), (0, 1)),
        (L.cross_entropy, F.cross_entropy, (Z_RANDOM, Y_RANDOM), (0,)),
        (L.cross_entropy, F.cross_entropy, (Z_EXTREME, Y_EXTREME), (0,)),
        (L.nll_loss, F.nll_loss, (Z_RANDOM, Y_RANDOM), (0,)),
        (L.binary_cross_entropy_with_logits, F.binary_cross_entropy_with_logits,
         (B_LOGITS, B_SOFT), (0, 1)),
        (L.binary_cross_entropy, F.binary_cross_entropy, (B_PROBS, B_SOFT), (0,)),
        (L.margin_ranking_loss, F.margin_ranking_loss, (R1, R2, R_Y), (0, 1)),
    ],
    ids=["mse", "mse-extreme", "l1", "ce", "ce-extreme", "nll", "bce-logits", "bce", "ranking"],
)
def test_autograd_matches_torch(ours, theirs, args, grad_of, reduction, device):
    ours_grads, g = _grads(ours, args, grad_of, reduction, device)
    g = to_numpy(g) if reduction == "none" else 1.0
    refs = [reference(a, requires_grad=(i in grad_of)) if a.dtype.kind == "f"
            else torch.as_tensor(a) for i, a in enumerate(args)]
    out = theirs(*refs, reduction=reduction)
    (out * (reference(g) if reduction == "none" else 1.0)).sum().backward()
    for mine, i in zip(ours_grads, grad_of, strict=True):
        assert np.all(np.isfinite(to_numpy(mine)))
        assert_close(mine, refs[i].grad, rtol=1e-10)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", CLASS_OPTIONS.values(), ids=CLASS_OPTIONS.keys())
@pytest.mark.parametrize("inputs", CLASS_INPUTS.values(), ids=CLASS_INPUTS.keys())
def test_class_options_autograd_matches_torch(inputs, options, reduction, device):
    z, y = inputs[0], _pad_as(inputs[1], options)
    K = z.shape[_class_axis(z)]
    zr = reference(z, requires_grad=True)
    out_r = F.cross_entropy(zr, torch.as_tensor(y), reduction=reduction, **_ref_options(options, K))
    g = RNG.normal(size=tuple(out_r.shape))
    (out_r * reference(g)).sum().backward()
    zt = make(z, device, requires_grad=True)
    out = L.cross_entropy(zt, make(y, device, dtype=np.int64), reduction=reduction,
                          **_options(options, device, K))
    (out * make(g, device)).sum().backward()
    assert np.all(np.isfinite(to_numpy(zt.grad)))
    assert_close(zt.grad, zr.grad, rtol=1e-10)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("options", PROB_OPTIONS.values(), ids=PROB_OPTIONS.keys())
@pytest.mark.parametrize("inputs", PROB_INPUTS.values(), ids=PROB_INPUTS.keys())
def test_class_probability_targets_autograd_matches_torch(inputs, options, reduction, device):
    # gradients reach the logits and the target distribution, as in torch
    z, t = inputs
    zr, tr = reference(z, requires_grad=True), reference(t, requires_grad=True)
    out_r = F.cross_entropy(zr, tr, reduction=reduction, **_ref_options(options))
    g = RNG.normal(size=tuple(out_r.shape))
    (out_r * reference(g)).sum().backward()
    zt, tt = make(z, device, requires_grad=True), make(t, device, requires_grad=True)
    out = L.cross_entropy(zt, tt, reduction=reduction, **_options(options, device))
    (out * make(g, device)).sum().backward()
    assert_close(zt.grad, zr.grad, rtol=1e-10)
    assert_close(tt.grad, tr.grad, rtol=1e-10)


@pytest.mark.parametrize("weight", BINARY_WEIGHTS.values(), ids=BINARY_WEIGHTS.keys())
@pytest.mark.parametrize("pos_weight", POS_WEIGHTS.values(), ids=POS_WEIGHTS.keys())
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_weights_autograd_matches_torch(pos_weight, weight, reduction, device):
    opt = lambda v, dev: None if v is None else make(v, dev)  # noqa: E731
    ref = lambda v: None if v is None else reference(v)  # noqa: E731
    zr, tr = reference(BZ, requires_grad=True), reference(BT, requires_grad=True)
    out_r = F.binary_cross_entropy_with_logits(zr, tr, ref(weight), reduction=reduction,
                                               pos_weight=ref(pos_weight))
    g = RNG.normal(size=tuple(out_r.shape))
    (out_r * reference(g)).sum().backward()
    zt, tt = make(BZ, device, requires_grad=True), make(BT, device, requires_grad=True)
    out = L.binary_cross_entropy_with_logits(zt, tt, opt(weight, device), reduction=reduction,
                                             pos_weight=opt(pos_weight, device))
    (out * make(g, device)).sum().backward()
    for mine, theirs in ((zt.grad, zr.grad), (tt.grad, tr.grad)):
        assert np.all(np.isfinite(to_numpy(mine)))
        assert_close(mine, theirs, rtol=1e-10)
    if pos_weight is None:  # binary_cross_entropy on probabilities takes weight alone
        pr = reference(BP, requires_grad=True)
        out_r = F.binary_cross_entropy(pr, reference(BT), ref(weight), reduction=reduction)
        (out_r * reference(g)).sum().backward()
        pt = make(BP, device, requires_grad=True)
        out = L.binary_cross_entropy(pt, make(BT, device), opt(weight, device),
                                     reduction=reduction)
        (out * make(g, device)).sum().backward()
        assert_close(pt.grad, pr.grad, rtol=1e-10)


def test_ranking_gradient_at_the_kink_passes_like_torch(device):
    x1 = make([0.0, 0.0, 0.0], device, requires_grad=True)
    x2, y = make([0.0, 1.0, -1.0], device), make([1.0, 1.0, 1.0], device)
    L.margin_ranking_loss(x1, x2, y, reduction="sum").backward()
    r1 = reference(np.zeros(3), requires_grad=True)
    F.margin_ranking_loss(r1, reference(to_numpy(x2)), reference(to_numpy(y)),
                          reduction="sum").backward()
    assert_close(x1.grad, r1.grad)


# ------------------------------------------------------------- explicit backwards


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(
    "forward, backward, args",
    [
        (L.mse_loss, L.mse_loss_backward, (X_RANDOM, T_RANDOM)),
        (L.mse_loss, L.mse_loss_backward, (X_EXTREME, T_EXTREME)),
        (L.l1_loss, L.l1_loss_backward, (X_RANDOM, T_RANDOM)),
        (L.cross_entropy, L.cross_entropy_backward, (Z_RANDOM, Y_RANDOM)),
        (L.cross_entropy, L.cross_entropy_backward, (Z_EXTREME, Y_EXTREME)),
        (L.cross_entropy, L.cross_entropy_backward,
         (RNG.normal(size=(2, 3, 4)), RNG.integers(0, 3, size=(2, 4)))),
        (L.binary_cross_entropy_with_logits, L.binary_cross_entropy_with_logits_backward,
         (B_LOGITS, B_TARGET)),
        (L.binary_cross_entropy_with_logits, L.binary_cross_entropy_with_logits_backward,
         (B_LOGITS, B_SOFT)),
    ],
    ids=["mse", "mse-extreme", "l1", "ce", "ce-extreme", "ce-nd", "bce-logits", "bce-soft"],
)
def test_explicit_backward_matches_torch_autograd(forward, backward, args, reduction, backend):
    # the reference is torch's own loss, differentiated by torch.autograd
    theirs = {L.mse_loss: F.mse_loss, L.l1_loss: F.l1_loss, L.cross_entropy: F.cross_entropy,
              L.binary_cross_entropy_with_logits: F.binary_cross_entropy_with_logits}[forward]
    x, t = args
    xr = reference(x, requires_grad=True)
    tr = reference(t) if t.dtype.kind == "f" else torch.as_tensor(t)
    out = theirs(xr, tr, reduction=reduction)
    g = RNG.normal(size=tuple(out.shape)) if reduction == "none" else np.array(1.7)
    (out * reference(g)).sum().backward()
    mine = backward(make(g, backend), make(x, backend), make(t, backend, dtype=t.dtype),
                    reduction=reduction)
    assert_close(mine, xr.grad)


def test_backward_scales_by_the_incoming_gradient(backend):
    z, y = make(Z_RANDOM, backend), make(Y_RANDOM, backend, dtype=np.int64)
    # grad, dL/dloss, scales the whole gradient (chain rule)
    assert_close(L.cross_entropy_backward(2.5, z, y),
                 2.5 * to_numpy(L.cross_entropy_backward(1.0, z, y)))
    # the famous form: (softmax(z) - onehot(y)) / N
    onehot = np.eye(4)[Y_RANDOM]
    expected = (torch.softmax(reference(Z_RANDOM), 1).numpy() - onehot) / len(Y_RANDOM)
    assert_close(L.cross_entropy_backward(1.0, z, y), expected)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(
    "inputs, options",
    [(CLASS_INPUTS[i], CLASS_OPTIONS[o]) for i in CLASS_INPUTS for o in CLASS_OPTIONS]
    + [(PROB_INPUTS[i], PROB_OPTIONS[o]) for i in PROB_INPUTS for o in PROB_OPTIONS],
    ids=[f"{i}-{o}" for i in CLASS_INPUTS for o in CLASS_OPTIONS]
    + [f"probabilities-{i}-{o}" for i in PROB_INPUTS for o in PROB_OPTIONS],
)
def test_cross_entropy_backward_with_options_matches_torch_autograd(inputs, options,
                                                                     reduction, backend):
    z, t = inputs[0], _pad_as(inputs[1], options)
    K = z.shape[_class_axis(z)]
    tr = reference(t) if t.dtype.kind == "f" else torch.as_tensor(t)
    zr = reference(z, requires_grad=True)
    out = F.cross_entropy(zr, tr, reduction=reduction, **_ref_options(options, K))
    g = RNG.normal(size=tuple(out.shape)) if reduction == "none" else np.array(1.7)
    (out * reference(g)).sum().backward()
    mine = L.cross_entropy_backward(make(g, backend), make(z, backend),
                                    make(t, backend, dtype=t.dtype), reduction=reduction,
                                    **_options(options, backend, K))
    assert tuple(mine.shape) == z.shape
    assert_close(mine, zr.grad)


@pytest.mark.parametrize("weight", BINARY_WEIGHTS.values(), ids=BINARY_WEIGHTS.keys())
@pytest.mark.parametrize("pos_weight", POS_WEIGHTS.values(), ids=POS_WEIGHTS.keys())
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_weights_match_torch(pos_weight, weight, reduction, backend):
    opt = lambda v: None if v is None else make(v, backend)  # noqa: E731
    ref = lambda v: None if v is None else reference(v)  # noqa: E731
    zr = reference(BZ, requires_grad=True)
    expected = F.binary_cross_entropy_with_logits(zr, reference(BT), ref(weight),
                                                  reduction=reduction, pos_weight=ref(pos_weight))
    out = L.binary_cross_entropy_with_logits(make(BZ, backend), make(BT, backend), opt(weight),
                                             reduction=reduction, pos_weight=opt(pos_weight))
    assert np.all(np.isfinite(to_numpy(out)))  # logits of +-1e4 and +-800 stay finite
    assert_close(out, expected)
    # the explicit backward against torch.autograd
    g = RNG.normal(size=tuple(expected.shape)) if reduction == "none" else np.array(0.6)
    (expected * reference(g)).sum().backward()
    mine = L.binary_cross_entropy_with_logits_backward(
        make(g, backend), make(BZ, backend), make(BT, backend), reduction, weight=opt(weight),
        pos_weight=opt(pos_weight))
    assert_close(mine, zr.grad)
    if pos_weight is None:
        out = L.binary_cross_entropy(make(BP, backend), make(BT, backend), opt(weight),
                                     reduction=reduction)
        assert_close(out, F.binary_cross_entropy(reference(BP), reference(BT), ref(weight),
                                                 reduction=reduction))


# ---------------------------------------------------------- properties (docstrings)


@st.composite
def logits_and_targets(draw):
    z = draw(matrices(small_floats, max_side=5))
    y = draw(st.lists(st.integers(0, z.shape[1] - 1), min_size=z.shape[0],
                      max_size=z.shape[0]))
    return z, np.array(y)


@given(logits_and_targets())
def test_cross_entropy_is_non_negative(zy):
    z, y = zy
    assert np.all(L.cross_entropy(z, y, reduction="none") >= 0)


@given(vectors(finite_floats), vectors(finite_floats))
def test_regression_losses_are_non_negative(x, t):
    t = np.resize(t, x.shape)
    assert np.all(L.mse_loss(x, t, reduction="none") >= 0)
    assert np.all(L.l1_loss(x, t, reduction="none") >= 0)


@given(vectors(finite_floats), st.data())
def test_binary_losses_are_non_negative(z, data):
    t = data.draw(st.lists(st.floats(0, 1), min_size=len(z), max_size=len(z)))
    t = np.array(t)
    assert np.all(L.binary_cross_entropy_with_logits(z, t, reduction="none") >= 0)
    assert np.all(L.binary_cross_entropy(sigmoid(z), t, reduction="none") >= 0)


@given(st.integers(2, 6), st.data(), st.floats(1, 30))
def test_cross_entropy_is_minimised_by_the_true_class(k, data, scale):
    # among confident one-hot predictions, putting the mass on the true class costs least
    y = data.draw(st.integers(0, k - 1))
    losses = [float(L.cross_entropy(scale * np.eye(k)[[c]], np.array([y]))) for c in range(k)]
    assert int(np.argmin(losses)) == y
    assert min(losses) < max(losses)


@given(vectors(small_floats), vectors(small_floats))
def test_mse_is_zero_iff_equal(x, t):
    t = np.resize(t, x.shape)
    # a difference below ~1e-154 squares to 0 in float64: that is the arithmetic, not the loss
    assume(np.all((x == t) | (np.abs(x - t) > 1e-150)))
    assert float(L.mse_loss(x, x)) == 0.0
    assert (float(L.mse_loss(x, t)) == 0.0) == bool(np.all(x == t))


@given(logits_and_targets(), st.floats(-1e3, 1e3))
def test_cross_entropy_shift_invariance(zy, c):
    z, y = zy
    np.testing.assert_allclose(L.cross_entropy(z + c, y), L.cross_entropy(z, y),
                               rtol=1e-9, atol=1e-9)


@given(vectors(finite_floats), st.data())
def test_two_class_cross_entropy_is_bce_with_logits(z, data):
    y = np.array(data.draw(st.lists(st.integers(0, 1), min_size=len(z), max_size=len(z))))
    two = np.stack([np.zeros_like(z), z], axis=1)  # logits [0, z]: class 1 has sigma(z)
    np.testing.assert_allclose(
        L.cross_entropy(two, y, reduction="none"),
        L.binary_cross_entropy_with_logits(z, y.astype(float), reduction="none"),
        rtol=1e-12, atol=1e-12)


@given(vectors(st.floats(-10, 10)), st.data())
def test_bce_with_logits_is_bce_of_sigmoid(z, data):
    # |z| <= 10: beyond, sigmoid(z) rounds near 1 and log(1 - p) has only about
    # eps * e^|z| relative accuracy (the reason the logits form exists)
    t = np.array(data.draw(st.lists(st.floats(0, 1), min_size=len(z), max_size=len(z))))
    np.testing.assert_allclose(
        L.binary_cross_entropy_with_logits(z, t, reduction="none"),
        L.binary_cross_entropy(sigmoid(z), t, reduction="none"), rtol=1e-8, atol=1e-10)


@given(vectors(small_floats), vectors(small_floats), st.floats(-1e3, 1e3), st.floats(0, 5))
def test_ranking_depends_on_the_difference_only(x1, x2, c, margin):
    x2 = np.resize(x2, x1.shape)
    y = np.where(np.arange(len(x1)) % 2 == 0, 1.0, -1.0)
    a = L.margin_ranking_loss(x1, x2, y, margin=margin, reduction="none")
    b = L.margin_ranking_loss(x1 + c, x2 + c, y, margin=margin, reduction="none")
    np.testing.assert_allclose(a, b, atol=1e-9)
    # zero exactly where the right score leads by the margin
    assert np.all((a == 0) == (y * (x1 - x2) >= margin))


# ------------------------------------------------------------------------ bad input


def test_unknown_reduction(backend):
    x = make(X_RANDOM, backend)
    z, y = make(Z_RANDOM, backend), make(Y_RANDOM, backend, dtype=np.int64)
    msg = r"reduction must be 'mean', 'sum' or 'none', got 'avg'"
    for call in (lambda: L.mse_loss(x, x, reduction="avg"),
                 lambda: L.l1_loss(x, x, reduction="avg"),
                 lambda: L.nll_loss(z, y, reduction="avg"),
                 lambda: L.cross_entropy(z, y, reduction="avg"),
                 lambda: L.binary_cross_entropy(sigmoid(x), sigmoid(x), reduction="avg"),
                 lambda: L.binary_cross_entropy_with_logits(x, sigmoid(x), reduction="avg"),
                 lambda: L.margin_ranking_loss(x, x, x * 0 + 1, reduction="avg"),
                 lambda: L.mse_loss_backward(1.0, x, x, reduction="avg"),
                 lambda: L.cross_entropy_backward(1.0, z, y, reduction="avg")):
        with pytest.raises(ValueError, match=msg):
            call()


def test_class_index_out_of_range(backend):
    z = make(Z_RANDOM, backend)
    for bad in (4, -1):
        y = make(np.r_[Y_RANDOM[:-1], bad], backend, dtype=np.int64)
        for f in (L.cross_entropy, partial(L.cross_entropy_backward, 1.0)):
            with pytest.raises(ValueError, match=rf"target holds class index {bad}, "
                               r"outside \[0, 3\] for K = 4 classes"):
                f(z, y)
        with pytest.raises(ValueError, match=r"target holds class index"):
            L.nll_loss(z, y)


def test_batch_size_mismatch(backend):
    z, y = make(Z_RANDOM, backend), make(Y_RANDOM[:-1], backend, dtype=np.int64)
    with pytest.raises(ValueError, match=r"target must have shape \(6,\) to match logits "
                       r"of shape \(6, 4\) \(batch size N = 6\), got \(5,\)"):
        L.cross_entropy(z, y)
    with pytest.raises(ValueError, match=r"target must have shape \(6,\) to match log_probs"):
        L.nll_loss(z, y)


def test_class_losses_need_a_class_axis_and_integer_targets(backend):
    with pytest.raises(ValueError, match=r"logits must have shape \(K,\), \(N, K\) or "
                       r"\(N, K, d1, ...\), got shape \(\)"):
        L.cross_entropy(make(1.0, backend), make(1, backend, dtype=np.int64))
    with pytest.raises(TypeError, match=r"target must hold integer class indices, got dtype "
                       r"float64"):
        L.cross_entropy(make(Z_RANDOM, backend), make(Y_RANDOM, backend))
    with pytest.raises(TypeError, match=r"logits must have a floating-point dtype"):
        L.cross_entropy(make(Y_RANDOM[:, None], backend, dtype=np.int64),
                        make(Y_RANDOM, backend, dtype=np.int64))


def test_probabilities_outside_the_unit_interval(backend):
    t = make([1.0, 0.0], backend)
    for p in ([1.5, 0.5], [-0.1, 0.5], [np.nan, 0.5]):
        with pytest.raises(ValueError, match=r"probs must lie in \[0, 1\] \(no NaN\)"):
            L.binary_cross_entropy(make(p, backend), t)


def test_binary_targets_outside_the_unit_interval(backend):
    p = make([0.3, 0.5], backend)
    for f in (L.binary_cross_entropy, L.binary_cross_entropy_with_logits):
        with pytest.raises(ValueError, match=r"target must lie in \[0, 1\]"):
            f(p, make([2.0, 0.0], backend))
        with pytest.raises(ValueError, match=r"target must lie in \[0, 1\]"):
            f(p, make([-1.0, 1.0], backend))


def test_ranking_target_must_be_plus_or_minus_one(backend):
    x = make([1.0, 2.0], backend)
    with pytest.raises(ValueError, match=r"y must hold only 1 or -1"):
        L.margin_ranking_loss(x, x, make([1.0, 0.0], backend))
    with pytest.raises(TypeError, match=r"margin must be a real number, got str"):
        L.margin_ranking_loss(x, x, make([1.0, 1.0], backend), margin="1")
    with pytest.raises(ValueError, match=r"margin must be a finite number"):
        L.margin_ranking_loss(x, x, make([1.0, 1.0], backend), margin=float("inf"))


def test_shapes_that_differ(backend):
    a, b = make(np.zeros(3), backend), make(np.zeros(4), backend)
    for f, names in ((L.mse_loss, "input and target"), (L.l1_loss, "input and target"),
                     (L.binary_cross_entropy, "probs and target"),
                     (L.binary_cross_entropy_with_logits, "logits and target"),
                     (partial(L.mse_loss_backward, 1.0), "input and target"),
                     (partial(L.binary_cross_entropy_with_logits_backward, 1.0),
                      "logits and target")):
        with pytest.raises(ValueError, match=rf"{names} must have the same shape, "
                           r"got \(3,\) and \(4,\)"):
            f(a, b)
    with pytest.raises(ValueError, match=r"x1 and x2 must have the same shape"):
        L.margin_ranking_loss(a, b, a)
    with pytest.raises(ValueError, match=r"x1 and y must have the same shape"):
        L.margin_ranking_loss(a, a, b)


def test_backward_grad_of_the_wrong_shape(backend):
    z, y = make(Z_RANDOM, backend), make(Y_RANDOM, backend, dtype=np.int64)
    with pytest.raises(ValueError, match=r"grad must have the loss's shape \(6,\) for "
                       r"reduction='none', got \(4,\)"):
        L.cross_entropy_backward(make(np.ones(4), backend), z, y, reduction="none")
    with pytest.raises(ValueError, match=r"grad must have the loss's shape \(\) for "
                       r"reduction='mean'"):
        L.cross_entropy_backward(make(np.ones(6), backend), z, y)


def test_empty_batch_mean_is_refused_not_nan(backend):
    e = make(np.zeros((0,)), backend)
    with pytest.raises(ValueError, match=r"input is empty: the mean of no losses is undefined"):
        L.mse_loss(e, e)
    assert float(L.mse_loss(e, e, reduction="sum")) == 0.0


def test_integer_regression_input_is_a_type_error(backend):
    with pytest.raises(TypeError, match=r"input must have a floating-point dtype, got int64"):
        L.mse_loss(make([1, 2], backend, dtype=np.int64), make([1.0, 2.0], backend))
    with pytest.raises(TypeError, match=r"target must have a floating-point dtype"):
        L.l1_loss(make([1.0, 2.0], backend), make([1, 2], backend, dtype=np.int64))


def test_lists_and_mixed_backends_are_refused():
    with pytest.raises(TypeError, match=r"input must be a NumPy array or a torch tensor, "
                       r"got list"):
        L.mse_loss([1.0], np.array([1.0]))
    with pytest.raises(TypeError, match=r"cannot mix NumPy arrays and torch tensors"):
        L.cross_entropy(np.zeros((1, 2)), torch.tensor([0]))


def test_every_target_ignored(backend):
    # torch returns nan for the mean; we name ignore_index instead (sum and none as torch)
    z, y = make(Z_RANDOM, backend), make(np.full(6, -100), backend, dtype=np.int64)
    msg = r"every target equals ignore_index=-100: the mean over no targets is undefined"
    for f in (L.cross_entropy, L.nll_loss, partial(L.cross_entropy_backward, 1.0)):
        with pytest.raises(ValueError, match=msg):
            f(z, y)
    with pytest.raises(ValueError, match=r"every target equals ignore_index=-100"):
        L.cross_entropy(make(Z1, backend), make(-100, backend, dtype=np.int64))
    with pytest.raises(ValueError, match=r"every target equals ignore_index=2"):
        L.cross_entropy(z, make(np.full(6, 2), backend, dtype=np.int64), ignore_index=2,
                        label_smoothing=0.1)
    for reduction in ("sum", "none"):
        out = L.cross_entropy(z, y, reduction=reduction, label_smoothing=0.1)
        assert_close(out, F.cross_entropy(reference(Z_RANDOM), torch.full((6,), -100),
                                          reduction=reduction, label_smoothing=0.1))
        assert_close(L.cross_entropy_backward(1.0, z, y, reduction=reduction), np.zeros((6, 4)))


def test_kept_targets_weighing_nothing(backend):
    z, y = make(Z_RANDOM, backend), make(np.zeros(6), backend, dtype=np.int64)
    w = make([0.0, 1.0, 1.0, 1.0], backend)
    for f in (L.cross_entropy, L.nll_loss, partial(L.cross_entropy_backward, 1.0)):
        with pytest.raises(ValueError, match=r"weight gives the kept targets a total weight of 0"):
            f(z, y, weight=w)
    assert float(L.cross_entropy(z, y, w, reduction="sum")) == 0.0


def test_empty_class_batch_mean_is_refused(backend):
    z, y = make(np.zeros((0, 3)), backend), make(np.zeros(0), backend, dtype=np.int64)
    for f in (L.cross_entropy, L.nll_loss, partial(L.cross_entropy_backward, 1.0)):
        with pytest.raises(ValueError, match=r"target is empty: the mean of no losses"):
            f(z, y)
    with pytest.raises(ValueError, match=r"target is empty"):
        L.cross_entropy(z, make(np.zeros((0, 3)), backend))
    assert float(L.cross_entropy(z, y, reduction="sum")) == 0.0


def test_class_index_out_of_range_unless_ignored(backend):
    z = make(Z_RANDOM, backend)
    for bad in (4, -1, -99):
        y = make(np.r_[Y_PAD[:-1], bad], backend, dtype=np.int64)
        for f in (L.cross_entropy, L.nll_loss, partial(L.cross_entropy_backward, 1.0)):
            with pytest.raises(ValueError, match=rf"target holds class index {bad}, outside "
                               r"\[0, 3\] for K = 4 classes \(and not ignore_index=-100\)"):
                f(z, y)
    # with another ignore_index, -100 is an ordinary (bad) class index
    with pytest.raises(ValueError, match=r"class index -100, outside \[0, 3\]"):
        L.cross_entropy(z, make(Y_PAD, backend, dtype=np.int64), ignore_index=3)
    with pytest.raises(ValueError, match=r"target holds class index 7"):
        L.cross_entropy(make(Z1, backend), make(7, backend, dtype=np.int64))


def test_label_smoothing_outside_the_unit_interval(backend):
    z, y = make(Z_RANDOM, backend), make(Y_RANDOM, backend, dtype=np.int64)
    for bad in (1.5, -0.1, float("nan"), float("inf")):
        for f in (L.cross_entropy, partial(L.cross_entropy_backward, 1.0)):
            with pytest.raises(ValueError, match=r"label_smoothing must be a finite number in "
                               r"\[0, 1\], got"):
                f(z, y, label_smoothing=bad)
    with pytest.raises(TypeError, match=r"label_smoothing must be a real number, got str"):
        L.cross_entropy(z, y, label_smoothing="0.1")
    for edge in (0, 1):  # both ends are allowed, as in torch
        assert_close(L.cross_entropy(z, y, label_smoothing=edge),
                     F.cross_entropy(reference(Z_RANDOM), torch.tensor(Y_RANDOM),
                                     label_smoothing=edge))


def test_class_weight_of_the_wrong_shape_or_dtype(backend):
    z, y = make(Z_RANDOM, backend), make(Y_RANDOM, backend, dtype=np.int64)
    for shape in ((3,), (1, 4), ()):
        w = make(np.ones(shape), backend)
        for f in (L.cross_entropy, L.nll_loss, partial(L.cross_entropy_backward, 1.0)):
            with pytest.raises(ValueError, match=rf"weight must have shape \(4,\), one entry "
                               rf"per class of (logits|log_probs), got {re.escape(str(shape))}"):
                f(z, y, weight=w)
    with pytest.raises(TypeError, match=r"weight must have a floating-point dtype, got int64"):
        L.cross_entropy(z, y, weight=make(np.ones(4), backend, dtype=np.int64))
    with pytest.raises(TypeError, match=r"cannot mix NumPy arrays and torch tensors"):
        L.cross_entropy(z, y, weight=torch.ones(4) if backend == "numpy" else np.ones(4))


def test_bad_ignore_index_and_target_kinds(backend):
    z, y = make(Z_RANDOM, backend), make(Y_RANDOM, backend, dtype=np.int64)
    with pytest.raises(TypeError, match=r"ignore_index must be an int, got float"):
        L.cross_entropy(z, y, ignore_index=1.0)
    with pytest.raises(TypeError, match=r"ignore_index must be an int, got bool"):
        L.nll_loss(z, y, ignore_index=True)
    t = make(PROB_INPUTS["NK"][1], backend)
    with pytest.raises(ValueError, match=r"ignore_index applies to class-index targets only, "
                       r"got ignore_index=1 with class probabilities"):
        L.cross_entropy(z, t, ignore_index=1)
    assert_close(L.cross_entropy(z, t, ignore_index=-5), L.cross_entropy(z, t))  # as torch
    # floating targets of another shape, and probabilities given to nll_loss
    with pytest.raises(TypeError, match=r"target must hold integer class indices, got dtype "
                       r"float64 \(floating targets are class probabilities, of logits's shape "
                       r"\(6, 4\); got shape \(6, 3\)\)"):
        L.cross_entropy(z, make(np.ones((6, 3)), backend))
    with pytest.raises(TypeError, match=r"target must hold integer class indices, got dtype "
                       r"float64$"):
        L.nll_loss(z, t)
    # an unbatched sample takes a 0-d target
    with pytest.raises(ValueError, match=r"target must have shape \(\) to match logits of shape "
                       r"\(4,\) \(one unbatched sample\), got \(1,\)"):
        L.cross_entropy(make(Z1, backend), make([2], backend, dtype=np.int64))
    with pytest.raises(TypeError, match=r"takes from 2 to 3 positional arguments"):
        L.cross_entropy(z, y, None, -100)  # options after weight are keyword-only


def test_binary_weights_of_the_wrong_shape(backend):
    z, t = make(BZ, backend), make(BT, backend)
    for name in ("weight", "pos_weight"):
        for shape in ((4,), (2, 5, 3), (5, 2)):
            bad = {name: make(np.ones(shape), backend)}
            with pytest.raises(ValueError, match=rf"{name} must broadcast to the shape of logits "
                               rf"\(5, 3\), got shape {re.escape(str(shape))}"):
                L.binary_cross_entropy_with_logits(z, t, **bad)
            with pytest.raises(ValueError, match=rf"{name} must broadcast"):
                L.binary_cross_entropy_with_logits_backward(1.0, z, t, **bad)
    with pytest.raises(ValueError, match=r"weight must broadcast to the shape of probs"):
        L.binary_cross_entropy(make(BP, backend), t, make(np.ones(4), backend))
    with pytest.raises(TypeError, match=r"pos_weight must have a floating-point dtype"):
        L.binary_cross_entropy_with_logits(z, t, pos_weight=make([1, 2, 3], backend, np.int64))


# ------------------------------------------------------------------ margins for classes

MARGIN_CASES = [
    (1, 1.0, False), (2, 1.0, False), (1, 0.5, True), (2, 2.0, True), (1, 0.0, False),
]


def _margin_scores():
    rng = np.random.default_rng(8)
    s = rng.normal(size=(7, 5)) * 2
    s[0] = [3.0, 2.5, 0.0, -1.0, 2.9]            # near the margin
    s[1] = [5.0, 0.0, 0.0, 0.0, 0.0]             # every wrong class far behind
    t = np.array([0, 0, 2, 4, 1, 3, 0])
    return s, t


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("p,margin,weighted", MARGIN_CASES)
def test_multi_margin_loss_matches_torch(p, margin, weighted, reduction, backend):
    s, t = _margin_scores()
    w = np.array([1.0, 2.0, 0.5, 1.5, 3.0]) if weighted else None
    ours = L.multi_margin_loss(make(s, backend), make(t, backend, dtype=np.int64), p=p,
                               margin=margin, weight=None if w is None else make(w, backend),
                               reduction=reduction)
    theirs = F.multi_margin_loss(torch.tensor(s), torch.tensor(t), p=p, margin=margin,
                                 weight=None if w is None else torch.tensor(w),
                                 reduction=reduction)
    assert_close(ours, theirs)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("p,margin,weighted", MARGIN_CASES)
def test_multi_margin_loss_gradients_match_autograd(p, margin, weighted, reduction, device):
    s, t = _margin_scores()
    w = np.array([1.0, 2.0, 0.5, 1.5, 3.0]) if weighted else None
    x = torch.tensor(s, requires_grad=True)
    out = F.multi_margin_loss(x, torch.tensor(t), p=p, margin=margin,
                              weight=None if w is None else torch.tensor(w), reduction=reduction)
    g = RNG.normal(size=tuple(out.shape)) if reduction == "none" else 1.0
    (out * (torch.tensor(g) if reduction == "none" else 1.0)).sum().backward()
    ours_t = make(s, device, requires_grad=True)
    kw = dict(p=p, margin=margin, weight=None if w is None else make(w, device),
              reduction=reduction)
    loss = L.multi_margin_loss(ours_t, make(t, device, dtype=np.int64), **kw)
    (loss * (make(g, device) if reduction == "none" else 1.0)).sum().backward()
    assert_close(ours_t.grad, x.grad)
    explicit = L.multi_margin_loss_backward(g if reduction == "none" else 1.0, s, t, **{
        **kw, "weight": w})
    np.testing.assert_allclose(explicit, x.grad.numpy(), rtol=1e-12, atol=1e-15)


def test_multiclass_hinge_loss_is_the_closest_class_margin():
    s, t = _margin_scores()
    loss = L.multiclass_hinge_loss(s, t, margin=1.0, reduction="none")
    x = torch.tensor(s, requires_grad=True)
    correct = x.gather(1, torch.tensor(t)[:, None])[:, 0]
    others = x.masked_fill(torch.nn.functional.one_hot(torch.tensor(t), 5).bool(), -math.inf)
    ref = torch.clamp(1.0 - (correct - others.max(1).values), min=0)
    np.testing.assert_allclose(loss, ref.detach().numpy(), rtol=1e-12)
    ref.sum().backward()
    np.testing.assert_allclose(L.multiclass_hinge_loss_backward(1.0, s, t, reduction="sum"),
                               x.grad.numpy(), rtol=1e-12)
    assert loss[1] == 0                                   # leads every class by >= margin
    shifted = L.multiclass_hinge_loss(s + 7.5, t, reduction="none")
    np.testing.assert_allclose(shifted, loss, atol=1e-12)  # only differences matter
    # per sample, only one wrong class gets gradient
    d = L.multiclass_hinge_loss_backward(np.ones(7), s, t, reduction="none")
    assert np.all((d > 0).sum(axis=1) <= 1)
    # multi_margin_loss (p = 1) lies between hinge / K and hinge * (K - 1) / K
    mm = L.multi_margin_loss(s, t, reduction="none")
    assert np.all(loss / 5 <= mm + 1e-12) and np.all(mm <= loss * 4 / 5 + 1e-12)


def test_margin_losses_unbatched_and_torch_inputs(backend):
    s, t = _margin_scores()
    one = L.multi_margin_loss(make(s[0], backend), make(t[0], backend, dtype=np.int64))
    assert_close(one, F.multi_margin_loss(torch.tensor(s[:1]), torch.tensor(t[:1])))
    h = L.multiclass_hinge_loss(make(s, backend), make(t, backend, dtype=np.int64))
    assert np.isclose(float(h), L.multiclass_hinge_loss(s, t))


def test_bad_input_margin_losses():
    s, t = _margin_scores()
    with pytest.raises(ValueError, match="p must be 1 or 2"):
        L.multi_margin_loss(s, t, p=3)
    with pytest.raises(ValueError, match="margin must be a finite number"):
        L.multi_margin_loss(s, t, margin=float("nan"))
    with pytest.raises(ValueError, match="target holds class index 5"):
        L.multiclass_hinge_loss(s, np.array([5, 0, 0, 0, 0, 0, 0]))
    with pytest.raises(ValueError, match="weight must have shape"):
        L.multi_margin_loss(s, t, weight=np.ones(3))
    with pytest.raises(ValueError, match="at least 2 classes"):
        L.multiclass_hinge_loss(s[:, :1], np.zeros(7, dtype=np.int64))


def _closest_class_reference(x, t, margin):
    """The source notes' loss in plain torch: margin - (s_y - max_{j != y} s_j), clamped."""
    y = torch.nn.functional.one_hot(t, x.shape[-1]).bool()
    correct = x[y]                                          # s_{i, y_i}
    closest = x.masked_fill(y, -math.inf).max(-1).values    # max_{j != y_i} s_{i, j}
    u = margin - (correct - closest)
    return torch.where(u > 0, u, torch.zeros_like(u))       # kink: 0, as the explicit backward


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("margin", [1.0, 0.5, 2.0, 0.0])
def test_multiclass_hinge_loss_gradients_match_autograd(margin, reduction, device):
    s, t = _margin_scores()
    x = torch.tensor(s, requires_grad=True)
    ref = _closest_class_reference(x, torch.tensor(t), margin)
    ref = {"mean": ref.mean(), "sum": ref.sum(), "none": ref}[reduction]
    g = RNG.normal(size=tuple(ref.shape)) if reduction == "none" else 1.0
    (ref * (torch.tensor(g) if reduction == "none" else 1.0)).sum().backward()
    # our forward on torch, differentiated by autograd
    ours_t = make(s, device, requires_grad=True)
    loss = L.multiclass_hinge_loss(ours_t, make(t, device, dtype=np.int64), margin=margin,
                                   reduction=reduction)
    assert_close(loss, ref)
    (loss * (make(g, device) if reduction == "none" else 1.0)).sum().backward()
    assert_close(ours_t.grad, x.grad)
    # the explicit subgradient, on NumPy and on torch inputs
    grad = g if reduction == "none" else 1.0
    explicit = L.multiclass_hinge_loss_backward(grad, s, t, margin=margin, reduction=reduction)
    np.testing.assert_allclose(explicit, x.grad.numpy(), rtol=1e-12, atol=1e-15)
    on_device = L.multiclass_hinge_loss_backward(
        grad if reduction != "none" else make(grad, device), make(s, device),
        make(t, device, dtype=np.int64), margin=margin, reduction=reduction)
    assert isinstance(on_device, torch.Tensor) and on_device.device.type == device
    assert_close(on_device, x.grad)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_margin_losses_unbatched_match_torch_and_autograd(reduction, backend):
    s, t = _margin_scores()
    for i in (0, 1, 4):                                     # violated, satisfied, random
        one, yi = s[i], np.array(t[i])
        x = torch.tensor(one, requires_grad=True)
        out = F.multi_margin_loss(x, torch.tensor(yi), p=2, reduction=reduction)
        out.backward()
        ours = L.multi_margin_loss(make(one, backend), make(yi, backend, dtype=np.int64), p=2,
                                   reduction=reduction)
        assert tuple(ours.shape) == () and tuple(out.shape) == ()
        assert_close(ours, out.detach())
        d = L.multi_margin_loss_backward(1.0, make(one, backend), make(yi, backend, dtype=np.int64),
                                         p=2, reduction=reduction)
        assert tuple(d.shape) == (5,)
        assert_close(d, x.grad)
        x = torch.tensor(one, requires_grad=True)
        _closest_class_reference(x[None], torch.tensor(yi)[None], 1.0)[0].backward()
        d = L.multiclass_hinge_loss_backward(1.0, make(one, backend),
                                             make(yi, backend, dtype=np.int64),
                                             reduction=reduction)
        assert tuple(d.shape) == (5,)
        assert_close(d, x.grad)


def test_multiclass_hinge_backward_ties_and_kink():
    # two wrong classes tie for closest: the first (lowest index) takes the whole push
    s, t = np.array([[1.0, 2.0, 0.5, 2.0]]), np.array([2])
    np.testing.assert_array_equal(L.multiclass_hinge_loss_backward(1.0, s, t, reduction="sum"),
                                  [[0.0, 1.0, -1.0, 0.0]])
    # autograd of our forward on torch splits it between them (max's derivative at a tie)
    x = torch.tensor(s, requires_grad=True)
    L.multiclass_hinge_loss(x, torch.tensor(t), reduction="sum").backward()
    np.testing.assert_array_equal(x.grad.numpy(), [[0.0, 0.5, -1.0, 0.5]])
    # the sum version pushes every class inside the margin, the tied ones equally
    d = L.multi_margin_loss_backward(1.0, s, t, reduction="sum")
    np.testing.assert_allclose(d, [[0.25, 0.25, -0.75, 0.25]])
    # a lead of exactly the margin: loss 0 and gradient 0 (torch's multi_margin_loss agrees)
    s, t = np.array([[3.0, 2.0, 0.0]]), np.array([0])
    assert L.multiclass_hinge_loss(s, t) == 0
    np.testing.assert_array_equal(L.multiclass_hinge_loss_backward(1.0, s, t), [[0.0, 0.0, 0.0]])
    x = torch.tensor(s, requires_grad=True)
    F.multi_margin_loss(x, torch.tensor(t)).backward()
    np.testing.assert_array_equal(x.grad.numpy(), L.multi_margin_loss_backward(1.0, s, t))


# scores and margins on a grid of quarters, where margin - s_y + s_j is exact, so that
# "zero exactly past the margin" is tested without rounding at the boundary
quarters = st.integers(-200, 200).map(lambda k: k / 4)


@given(matrices(quarters, max_side=6), st.data(), st.floats(-1e3, 1e3),
       st.integers(0, 20).map(lambda k: k / 4))
def test_class_margin_properties(s, data, c, margin):
    N, K = s.shape
    if K < 2:
        s = np.concatenate([s, s - 1.0], axis=1)
        K = 2
    t = np.array(data.draw(st.lists(st.integers(0, K - 1), min_size=N, max_size=N)))
    hinge = L.multiclass_hinge_loss(s, t, margin=margin, reduction="none")
    summed = L.multi_margin_loss(s, t, margin=margin, reduction="none")
    rows = np.arange(N)
    others = np.where(np.arange(K) == t[:, None], -np.inf, s)
    lead = s[rows, t] - others.max(axis=1)                 # lead over the closest wrong class
    # zero exactly once the correct class leads every other by the margin
    assert np.all((hinge == 0) == (lead >= margin))
    assert np.all((summed == 0) == (lead >= margin))
    # only differences of scores matter: shift a sample's scores by any constant
    shift = c * np.linspace(-1.0, 1.0, N)[:, None]
    np.testing.assert_allclose(L.multiclass_hinge_loss(s + shift, t, margin=margin,
                                                       reduction="none"), hinge, atol=1e-9)
    np.testing.assert_allclose(L.multi_margin_loss(s + shift, t, margin=margin,
                                                   reduction="none"), summed, atol=1e-9)
    # torch's sum with p = 1 lies between hinge / K and hinge * (K - 1) / K: each of its
    # K - 1 hinges is at most the closest class's, and that one is among them
    assert np.all(hinge / K <= summed + 1e-12)
    assert np.all(summed <= hinge * (K - 1) / K + 1e-12)
    # the subgradient: -1 on the correct class, +1 on one wrong class, where violated
    d = L.multiclass_hinge_loss_backward(1.0, s, t, margin=margin, reduction="sum")
    np.testing.assert_array_equal(d.sum(axis=1), np.zeros(N))
    np.testing.assert_array_equal(d[rows, t], -(hinge > 0).astype(float))
    np.testing.assert_array_equal((d > 0).sum(axis=1), (hinge > 0).astype(int))


def test_bad_input_margin_backwards():
    s, t = _margin_scores()
    with pytest.raises(ValueError, match="at least 2 classes"):
        L.multiclass_hinge_loss_backward(1.0, s[:, :1], np.zeros(7, dtype=np.int64))
    with pytest.raises(ValueError, match="p must be 1 or 2"):
        L.multi_margin_loss_backward(1.0, s, t, p=0)
    with pytest.raises(ValueError, match=r"grad must have the loss's shape \(7,\)"):
        L.multiclass_hinge_loss_backward(np.ones(5), s, t, reduction="none")
    with pytest.raises(ValueError, match="target holds -100"):
        L.multi_margin_loss_backward(1.0, s, np.full(7, -100))
