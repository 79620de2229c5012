"""The reverse-mode engine, mlnotes.autograd, against torch.autograd and central differences.

Every function of the package that the engine differentiates (through a registered
``f_backward`` or through its body run on Tensors) is checked the same way: random
float64 inputs, a random incoming gradient, the engine's input gradients equal to
torch autograd's through the same function (rtol 1e-10), and to central differences
of the NumPy forward.
"""

from __future__ import annotations

import inspect
import sys

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st
from strategies import broadcastable, small_floats, tensors

from mlnotes import activations as A
from mlnotes import attention, conv, gating, losses, norm, optim, rnn, sharing, vae
from mlnotes import autograd as ag
from mlnotes.autograd import Tensor

RTOL = 1e-10
EPS = np.finfo(np.float64).eps


def assert_grads_close(ours, theirs, g):
    """Equal to rtol 1e-10, up to a few ulps of 1 times the incoming gradient.

    A derivative computed from a rounded output (tanh's 1 - y^2, sigmoid's y (1 - y)
    with y near 1) carries an absolute error of a few ulps of 1 however small it is,
    and torch rounds those lines differently (fused multiply-adds), so where the
    derivative is tiny the two agree to ~1e-16 * |g| in absolute terms, not relatively.
    """
    np.testing.assert_allclose(ours, theirs, rtol=RTOL, atol=4 * EPS * np.max(np.abs(g),
                                                                              initial=0))


# ------------------------------------------------------------------ the three references


def engine(fn, args, wrt, g):
    """Output and input gradients by the engine, for incoming gradient ``g``."""
    ts = [Tensor(a, requires_grad=True) if i in wrt else a for i, a in enumerate(args)]
    out = fn(*ts)
    assert isinstance(out, Tensor), type(out)
    out.backward(g)
    return out.data, [ts[i].grad for i in wrt]


def by_torch(fn, args, wrt, g):
    """Output and input gradients by torch.autograd through the same package function."""
    ts = [torch.tensor(a, requires_grad=i in wrt) if isinstance(a, np.ndarray) else a
          for i, a in enumerate(args)]
    out = fn(*ts)
    out.backward(torch.as_tensor(g))
    return out.detach().numpy(), [ts[i].grad.numpy() for i in wrt]


def central(fn, args, wrt, g, h=1e-6):
    """d sum(g * fn(args)) / d args[i] by central differences of the NumPy forward."""
    grads = []
    for i in wrt:
        x = args[i]
        d = np.zeros_like(x)
        for j in np.ndindex(x.shape):
            plus, minus = x.copy(), x.copy()
            plus[j] += h
            minus[j] -= h
            f = [np.sum(g * fn(*args[:i], v, *args[i + 1:])) for v in (plus, minus)]
            d[j] = (f[0] - f[1]) / (2 * h)
        grads.append(d)
    return grads


def check(fn, args, wrt, seed=99, differences=True):
    """The engine's gradients equal torch's (rtol 1e-10) and central differences."""
    rng = np.random.default_rng(seed)
    out_np = fn(*args)
    g = rng.standard_normal(np.shape(out_np))
    out_e, grads_e = engine(fn, args, wrt, g)
    out_t, grads_t = by_torch(fn, args, wrt, g)
    np.testing.assert_array_equal(out_e, out_np)  # the same NumPy lines, the same numbers
    np.testing.assert_allclose(out_e, out_t, rtol=1e-12, atol=1e-13)
    for i, ge, gt in zip(wrt, grads_e, grads_t, strict=True):
        assert ge.shape == args[i].shape and ge.dtype == args[i].dtype
        # rtol 1e-10; an entry that is 0 in exact arithmetic and rounding noise on both
        # sides (attention's key bias: a shift of every score of a row leaves its softmax
        # unchanged) is compared at a few ulps of the largest entry of its array
        np.testing.assert_allclose(ge, gt, rtol=RTOL, atol=8 * EPS * np.max(np.abs(gt), initial=0),
                                   err_msg=f"argument {i}")
    if differences:
        for i, ge, gc in zip(wrt, grads_e, central(fn, args, wrt, g), strict=True):
            np.testing.assert_allclose(ge, gc, rtol=1e-5, atol=1e-6, err_msg=f"argument {i}")
    return grads_e


def randn(*shape, seed=0):
    return np.random.default_rng(seed).standard_normal(shape)


# ------------------------------------------------------------------ every function


def _labels(n, k, seed=1):
    return np.random.default_rng(seed).integers(0, k, size=n)


CASES = {
    # activations (registered)
    "sigmoid": (A.sigmoid, [randn(3, 4)], [0]),
    "tanh": (A.tanh, [randn(3, 4)], [0]),
    "relu": (A.relu, [randn(3, 4)], [0]),
    "logsumexp": (lambda x: A.logsumexp(x, axis=(0, 2)), [randn(2, 3, 4)], [0]),
    "logsumexp keepdims": (lambda x: A.logsumexp(x, axis=1, keepdims=True), [randn(2, 3)], [0]),
    "softmax": (lambda x: A.softmax(x, axis=0, beta=2.0), [randn(3, 4)], [0]),
    "log_softmax": (lambda x: A.log_softmax(x, axis=1), [randn(3, 4)], [0]),
    # losses (registered, and the ones without a backward)
    "mse_loss": (losses.mse_loss, [randn(3, 4), randn(3, 4, seed=1)], [0]),
    "mse_loss both": (lambda a, b: losses.mse_loss(a, b, reduction="sum"),
                      [randn(3, 4), randn(3, 4, seed=1)], [0, 1]),
    "mse_loss none": (lambda a, b: losses.mse_loss(a, b, reduction="none"),
                      [randn(3, 4), randn(3, 4, seed=1)], [0]),
    "l1_loss": (losses.l1_loss, [randn(3, 4), randn(3, 4, seed=1)], [0]),
    "l1_loss both": (losses.l1_loss, [randn(3, 4), randn(3, 4, seed=1)], [0, 1]),
    "nll_loss": (lambda lp, t: losses.nll_loss(lp, t), [randn(5, 3), _labels(5, 3)], [0]),
    "cross_entropy": (losses.cross_entropy, [randn(5, 3), _labels(5, 3)], [0]),
    "cross_entropy options": (
        lambda x, t, w: losses.cross_entropy(x, t, w, label_smoothing=0.1, ignore_index=2),
        [randn(6, 4), _labels(6, 4), np.array([1.0, 2.0, 0.5, 1.5])], [0]),
    "cross_entropy weight grad": (
        lambda x, t, w: losses.cross_entropy(x, t, w, reduction="sum"),
        [randn(6, 4), _labels(6, 4), np.array([1.0, 2.0, 0.5, 1.5])], [0, 2]),
    "cross_entropy (N, K, L)": (lambda x, t: losses.cross_entropy(x, t, reduction="none"),
                                [randn(2, 3, 4), _labels(8, 3).reshape(2, 4)], [0]),
    "binary_cross_entropy": (losses.binary_cross_entropy,
                             [np.random.default_rng(0).uniform(0.1, 0.9, (3, 4)),
                              np.random.default_rng(1).uniform(0, 1, (3, 4))], [0, 1]),
    "bce_with_logits": (
        lambda x, t, w, pw: losses.binary_cross_entropy_with_logits(x, t, w, pos_weight=pw),
        [randn(3, 4), np.random.default_rng(1).uniform(0, 1, (3, 4)), randn(4, seed=2) ** 2,
         randn(4, seed=3) ** 2], [0]),
    "bce_with_logits target grad": (losses.binary_cross_entropy_with_logits,
                                    [randn(3, 4), np.random.default_rng(1).uniform(0, 1, (3, 4))],
                                    [0, 1]),
    "margin_ranking_loss": (lambda a, b, y: losses.margin_ranking_loss(a, b, y, margin=0.1),
                            [randn(5), randn(5, seed=1), np.array([1.0, -1, 1, -1, 1])], [0, 1]),
    "multi_margin_loss": (lambda s, t, w: losses.multi_margin_loss(s, t, p=2, weight=w),
                          [randn(5, 3), _labels(5, 3), np.array([1.0, 0.5, 2.0])], [0]),
    "multiclass_hinge_loss": (losses.multiclass_hinge_loss, [randn(5, 3), _labels(5, 3)], [0]),
    # convolution and pooling
    "conv2d": (lambda x, w, b: conv.conv2d(x, w, b, stride=(2, 1), padding=1),
               [randn(2, 2, 5, 4), randn(3, 2, 3, 2, seed=1), randn(3, seed=2)], [0, 1, 2]),
    "conv2d groups": (lambda x, w: conv.conv2d(x, w, groups=2, dilation=(1, 2)),
                      [randn(1, 4, 5, 6), randn(2, 2, 2, 2, seed=1)], [0, 1]),
    "conv1d": (lambda x, w, b: conv.conv1d(x, w, b, padding="same"),
               [randn(2, 2, 6), randn(3, 2, 3, seed=1), randn(3, seed=2)], [0, 1, 2]),
    "max_pool2d": (lambda x: conv.max_pool2d(x, 2, stride=1, padding=1), [randn(2, 2, 4, 5)], [0]),
    "avg_pool2d": (lambda x: conv.avg_pool2d(x, 3, stride=2, padding=1, count_include_pad=False),
                   [randn(2, 2, 5, 5)], [0]),
    # normalisation
    "batch_norm train": (
        lambda x, w, b, rm, rv: norm.batch_norm(x, rm, rv, w, b, training=True),
        [randn(4, 3, 2), randn(3, seed=1), randn(3, seed=2), np.zeros(3), np.ones(3)],
        [0, 1, 2]),
    "batch_norm eval": (
        lambda x, w, b, rm, rv: norm.batch_norm(x, rm, rv, w, b),
        [randn(4, 3), randn(3, seed=1), randn(3, seed=2), np.full(3, 0.5), np.full(3, 2.0)],
        [0, 1, 2]),
    "layer_norm": (lambda x, w, b: norm.layer_norm(x, (3, 2), w, b),
                   [randn(4, 3, 2), randn(3, 2, seed=1), randn(3, 2, seed=2)], [0, 1, 2]),
    # gates and attention
    "soft_gate": (gating.soft_gate, [randn(3, 2), randn(3, 2, seed=1), randn(3, 2, seed=2)],
                  [0, 1, 2]),
    "softmax_gate": (gating.softmax_gate, [randn(2, 3, 4), randn(2, 3, seed=1)], [0, 1]),
    "bilinear": (gating.bilinear, [randn(4, 2), randn(4, 3, seed=1), randn(5, 2, 3, seed=2),
                                   randn(5, seed=3)], [0, 1, 2, 3]),
    "scaled_dot_product_attention": (
        lambda q, k, v: attention.scaled_dot_product_attention(q, k, v, is_causal=True),
        [randn(2, 4, 3), randn(2, 4, 3, seed=1), randn(2, 4, 2, seed=2)], [0, 1, 2]),
    "attention with a mask": (
        lambda q, k, v, m: attention.scaled_dot_product_attention(q, k, v, mask=m),
        [randn(2, 3), randn(3, 3, seed=1), randn(3, 2, seed=2),
         np.array([[True, False, True], [True, True, False]])], [0, 1, 2]),
    "multi_head_attention": (
        lambda x, wi, bi, wo, bo: attention.multi_head_attention(x, x, x, 2, wi, bi, wo, bo)[0],
        [randn(2, 3, 4), randn(12, 4, seed=1) / 2, randn(12, seed=2), randn(4, 4, seed=3) / 2,
         randn(4, seed=4)], [0, 1, 2, 3, 4]),
    # recurrent layers
    "rnn_cell": (rnn.rnn_cell, [randn(2, 3), randn(2, 4, seed=1), randn(4, 3, seed=2) / 2,
                                randn(4, 4, seed=3) / 2, randn(4, seed=4), randn(4, seed=5)],
                 [0, 1, 2, 3, 4, 5]),
    "rnn": (rnn.rnn, [randn(5, 2, 3), randn(2, 4, seed=1), randn(4, 3, seed=2) / 2,
                      randn(4, 4, seed=3) / 2, randn(4, seed=4), randn(4, seed=5)],
            [0, 1, 2, 3, 4, 5]),
    "rnn unbatched": (lambda xs, wi, wh: rnn.rnn(xs, None, wi, wh),
                      [randn(4, 3), randn(2, 3, seed=2), randn(2, 2, seed=3)], [0, 1, 2]),
    "lstm_cell": (lambda x, h, c, wi, wh, bi: (lambda hc: hc[0] + 2 * hc[1])(
        rnn.lstm_cell(x, (h, c), wi, wh, bi)),
        [randn(2, 3), randn(2, 2, seed=1), randn(2, 2, seed=2), randn(8, 3, seed=3) / 2,
         randn(8, 2, seed=4) / 2, randn(8, seed=5)], [0, 1, 2, 3, 4, 5]),
    "lstm": (lambda xs, h, c, wi, wh, bi, bh: (lambda out: out[0].sum(0) + out[1][0] * out[1][1])(
        rnn.lstm(xs, (h, c), wi, wh, bi, bh)),
        [randn(4, 2, 3), randn(2, 2, seed=1), randn(2, 2, seed=2), randn(8, 3, seed=3) / 2,
         randn(8, 2, seed=4) / 2, randn(8, seed=5), randn(8, seed=6)], [0, 1, 2, 3, 4, 5, 6]),
    # the VAE's parts
    "reparameterize": (vae.reparameterize, [randn(3, 2), randn(3, 2, seed=1), randn(3, 2, seed=2)],
                       [0, 1]),
    "reparameterize eps grad": (vae.reparameterize,
                                [randn(3, 2), randn(3, 2, seed=1), randn(3, 2, seed=2)], [0, 1, 2]),
    "gaussian_kl": (vae.gaussian_kl, [randn(3, 2), randn(3, 2, seed=1)], [0, 1]),
    "attention_weights": (lambda q, k: attention.attention_weights(q, k, scale=0.7),
                          [randn(3, 2), randn(4, 2, seed=1)], [0, 1]),
    "lstm_gates": (lambda x, h, c, wi, wh: (lambda i, f, g, o: i + 2 * f + 3 * g + 4 * o)(
        *rnn.lstm_gates(x, (h, c), wi, wh)),
        [randn(2, 3), randn(2, 2, seed=1), randn(2, 2, seed=2), randn(8, 3, seed=3) / 2,
         randn(8, 2, seed=4) / 2], [0, 1, 3, 4]),
    "gaussian_log_prob": (vae.gaussian_log_prob,
                          [randn(3, 2), randn(3, 2, seed=1), randn(3, 2, seed=2) / 2], [0, 1, 2]),
    "bernoulli_log_likelihood": (vae.bernoulli_log_likelihood,
                                 [randn(3, 4), np.random.default_rng(1).uniform(0, 1, (3, 4))],
                                 [0]),
    "elbo_loss": (lambda x, t, m, lv: vae.elbo_loss(x, t, m, lv, beta=0.5),
                  [randn(3, 4), np.random.default_rng(1).uniform(0, 1, (3, 4)),
                   randn(3, 2, seed=2), randn(3, 2, seed=3) / 2], [0, 2, 3]),
    # parameter sharing
    "motif_detector": (sharing.motif_detector,
                       [randn(2, 3, 6), randn(4, 3, 2, seed=1), randn(4, seed=2)], [0, 1, 2]),
    "linear_transform": (sharing.linear_transform, [randn(3), randn(4, 3, seed=1)], [0]),
    "linear_transform both": (sharing.linear_transform, [randn(3), randn(4, 3, seed=1)], [0, 1]),
    "share": (sharing.share, [randn(3), np.array([0, 2, 0, -1, 1, 2])], [0]),
}


@pytest.mark.parametrize("name", list(CASES))
def test_gradients_equal_torch_and_central_differences(name):
    fn, args, wrt = CASES[name]
    check(fn, args, wrt)


def test_hardmax_sends_back_zeros():
    x = Tensor(randn(3, 4), requires_grad=True)
    y = A.hardmax(x)
    np.testing.assert_array_equal(y.data, A.hardmax(x.data))
    (y * randn(3, 4, seed=1)).sum().backward()
    np.testing.assert_array_equal(x.grad, np.zeros((3, 4)))


REGISTERED = [
    (A, "sigmoid"), (A, "tanh"), (A, "relu"), (A, "logsumexp"), (A, "softmax"),
    (A, "log_softmax"), (A, "hardmax"), (losses, "mse_loss"), (losses, "l1_loss"),
    (losses, "cross_entropy"), (losses, "binary_cross_entropy_with_logits"),
    (losses, "multi_margin_loss"), (losses, "multiclass_hinge_loss"), (conv, "conv2d"),
    (conv, "max_pool2d"), (norm, "batch_norm"), (gating, "soft_gate"), (rnn, "rnn"),
    (vae, "reparameterize"), (vae, "gaussian_kl"), (sharing, "linear_transform"),
    (sharing, "share"),
]


@pytest.mark.parametrize("module, name", REGISTERED)
def test_registered_functions_record_one_node_and_keep_their_face(module, name):
    fn = getattr(module, name)
    # the package's own backward is the node's backward
    assert fn.autograd_backward.__name__ in (f"{name}_backward", "transform_backward")
    # what Sphinx and a reader see is the function itself
    assert inspect.signature(fn) == inspect.signature(fn.__wrapped__)
    assert fn.__doc__ == fn.__wrapped__.__doc__ and fn.__doc__.strip()
    assert fn.__module__ == fn.__wrapped__.__module__


def test_registered_softmax_is_one_node_whose_backward_is_the_packages():
    x = Tensor(randn(2, 3), requires_grad=True)
    y = A.softmax(x)
    # one node straight from x, not the primitives of softmax's body
    assert y._op == "softmax" and y._parents == (x,)
    g = randn(2, 3, seed=1)
    y.backward(g)
    np.testing.assert_array_equal(x.grad, A.softmax_backward(g, A.softmax(x.data)))


def test_numpy_and_torch_inputs_unchanged():
    x = randn(3, 4)
    np.testing.assert_array_equal(A.softmax(x), A.softmax.__wrapped__(x))
    assert type(A.softmax(x)) is np.ndarray
    t = torch.tensor(x, requires_grad=True)
    assert A.softmax(t).grad_fn is not None
    with pytest.raises(ValueError, match="axis=2 is out of range"):
        A.softmax(x, axis=2)
    with pytest.raises(ValueError, match="axis=2 is out of range"):
        A.softmax(Tensor(x), axis=2)


def test_lstm_on_unbatched_input_and_no_state():
    xs, wi, wh = randn(3, 2), randn(8, 2, seed=1) / 2, randn(8, 2, seed=2) / 2
    check(lambda xs, wi, wh: rnn.lstm(xs, None, wi, wh)[0], [xs, wi, wh], [0, 1, 2])


def test_elbo_pieces_train_with_rsample():
    mu, lv = Tensor(randn(4, 2), requires_grad=True), Tensor(randn(4, 2, seed=1) / 3,
                                                             requires_grad=True)
    z = vae.rsample(mu, lv, 0)
    loss = (z * z).sum() + vae.gaussian_kl(mu, lv).sum()
    loss.backward()
    eps = (z.data - mu.data) / np.exp(lv.data / 2)
    np.testing.assert_allclose(mu.grad, 2 * z.data + mu.data, rtol=1e-12)
    np.testing.assert_allclose(lv.grad, 2 * z.data * eps * np.exp(lv.data / 2) / 2
                               + np.expm1(lv.data) / 2, rtol=1e-12)


# ------------------------------------------------------------------ the engine's own operations


@given(tensors(), st.integers(0, 3))
def test_elementwise_primitives_match_torch(x, seed):
    g = np.random.default_rng(seed).standard_normal(x.shape)
    y = np.abs(x) + 0.5
    for ours, theirs in [(ag.exp, torch.exp), (ag.tanh, torch.tanh), (ag.expm1, torch.expm1)]:
        xs = np.clip(x, -20, 20)
        _, (ge,) = engine(ours, [xs], [0], g)
        _, (gt,) = by_torch(theirs, [xs], [0], g)
        assert_grads_close(ge, gt, g)
    for ours, theirs in [(ag.log, torch.log), (ag.sqrt, torch.sqrt), (ag.log1p, torch.log1p)]:
        _, (ge,) = engine(ours, [y], [0], g)
        _, (gt,) = by_torch(theirs, [y], [0], g)
        assert_grads_close(ge, gt, g)


@given(tensors(max_dims=3, max_side=4), st.integers(0, 5))
def test_activations_on_tensors_match_torch(x, seed):
    g = np.random.default_rng(seed).standard_normal(x.shape)
    for fn in (A.sigmoid, A.tanh, lambda v: A.softmax(v, axis=0), lambda v: A.log_softmax(v),
               lambda v: A.logsumexp(v, axis=-1)):
        out = np.asarray(fn(x))
        gg = g if out.shape == x.shape else g.sum(-1)
        _, (ge,) = engine(fn, [x], [0], gg)
        _, (gt,) = by_torch(fn, [x], [0], gg)
        assert_grads_close(ge, gt, gg)


BROADCASTS = [((3, 1), (4,)), ((2, 1, 3), (4, 1)), ((), (2, 3)), ((1,), (5,)), ((2, 3), (2, 3))]


@pytest.mark.parametrize("sa, sb", BROADCASTS)
@pytest.mark.parametrize("op", ["add", "sub", "mul", "div", "pow", "maximum", "where"])
def test_broadcasting_sums_gradients_back(sa, sb, op):
    a, b = randn(*sa), np.abs(randn(*sb, seed=1)) + 0.5
    fns = {"add": lambda a, b: a + b, "sub": lambda a, b: a - b, "mul": lambda a, b: a * b,
           "div": lambda a, b: a / b, "pow": lambda a, b: (a * a + 1) ** b,
           "maximum": lambda a, b: _maximum(a, b), "where": lambda a, b: _where(a, b)}
    check(fns[op], [a, b], [0, 1])


@given(broadcastable(3), st.integers(0, 3))
def test_broadcast_arithmetic_matches_torch(abc, seed):
    a, b, c = (np.asarray(v) for v in abc)
    b = np.asarray(np.abs(b) + 0.5)           # a divisor away from 0

    def fn(a, b, c):
        xp = torch if isinstance(a, torch.Tensor) else ag
        return xp.where(c > 0, (a - c) * b / (b + 1) + a / b, xp.maximum(a, c) - b) ** 2

    out = np.asarray(fn(Tensor(a), Tensor(b), Tensor(c)).data)
    g = np.random.default_rng(seed).standard_normal(out.shape)
    _, grads_e = engine(fn, [a, b, c], [0, 1, 2], g)
    _, grads_t = by_torch(fn, [a, b, c], [0, 1, 2], g)
    for x, ge, gt in zip((a, b, c), grads_e, grads_t, strict=True):
        assert ge.shape == x.shape
        np.testing.assert_allclose(ge, gt, rtol=RTOL, atol=0)


def _maximum(a, b):
    return torch.maximum(a, b) if isinstance(a, torch.Tensor) else (
        ag.maximum(a, b) if isinstance(a, Tensor) else np.maximum(a, b))


def _where(a, b):
    if isinstance(a, torch.Tensor):
        return torch.where(a > 0, a * b, b)
    if isinstance(a, Tensor):
        return ag.where(a > 0, a * b, b)
    return np.where(a > 0, a * b, b)


@given(st.integers(1, 4), st.integers(1, 4), st.integers(1, 4), st.integers(0, 9))
def test_matmul_in_every_shape(n, k, m, seed):
    rng = np.random.default_rng(seed)
    for sa, sb in [((n, k), (k, m)), ((k,), (k, m)), ((n, k), (k,)), ((k,), (k,)),
                   ((2, n, k), (k, m)), ((3, 1, n, k), (2, k, m))]:
        a, b = rng.standard_normal(sa), rng.standard_normal(sb)
        check(lambda a, b: a @ b, [a, b], [0, 1], differences=False)


@given(tensors(max_dims=3, max_side=4))
def test_reductions_match_torch(x):
    for axis in (None, 0, -1, (0, x.ndim - 1)) if x.ndim > 1 else (None, 0, -1):
        for keepdims in (False, True):
            for name in ("sum", "mean", "max", "min"):
                def fn(v, name=name, axis=axis, keepdims=keepdims):
                    if isinstance(v, torch.Tensor):
                        dims = tuple(range(v.ndim)) if axis is None else axis
                        f = {"sum": torch.sum, "mean": torch.mean, "max": torch.amax,
                             "min": torch.amin}[name]
                        return f(v, dim=dims, keepdim=keepdims)
                    return getattr(ag, name)(v, axis=axis, keepdims=keepdims)
                g = np.random.default_rng(0).standard_normal(np.shape(fn(Tensor(x)).data))
                _, (ge,) = engine(fn, [x], [0], g)
                _, (gt,) = by_torch(fn, [x], [0], g)
                assert_grads_close(ge, gt, g)


def test_max_ties_share_the_gradient_as_torch():
    x = np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]])
    check(lambda v: v.max(axis=1) if isinstance(v, Tensor) else (
        torch.amax(v, dim=1) if isinstance(v, torch.Tensor) else v.max(axis=1)),
        [x], [0], differences=False)


def _index_case(index):
    def fn(v):
        if isinstance(v, torch.Tensor):
            return v[tuple(torch.as_tensor(i) if isinstance(i, np.ndarray) else i
                           for i in index)]
        return v[index]
    return fn


@pytest.mark.parametrize("index", [
    (slice(None), 1),
    (slice(1, None, 2), slice(None, 3)),
    (np.array([0, 0, 2, 0]),),                     # a repeated index accumulates
    (np.array([1, 1]), np.array([2, 2])),          # the same entry twice
    (Ellipsis, None, np.array([3, 0, 3])),
    (np.array([[True, False, True, True], [False] * 4, [True] * 4]),),
    (-1,),
])
def test_indexing_scatters_gradients_back(index):
    check(_index_case(index), [randn(3, 4)], [0], differences=False)
    check(_index_case(index), [randn(3, 4)], [0])


def test_repeated_index_accumulates_exactly():
    x = Tensor([1.0, 2.0, 3.0], requires_grad=True)
    x[np.array([0, 0, 0, 2])].sum().backward()
    np.testing.assert_array_equal(x.grad, [3.0, 0.0, 1.0])


def test_reshape_transpose_and_friends():
    def fn(v):
        if isinstance(v, torch.Tensor):
            w = v.reshape(3, 2, 4).permute(2, 0, 1).transpose(-1, -2)
            out = torch.cat([w, torch.stack([w[0], w[1]], 0)], 0).unsqueeze(0).squeeze(0)
            return out.permute(*reversed(range(out.ndim)))
        w = v.reshape(3, 2, 4).transpose(2, 0, 1)
        xp = ag if isinstance(v, Tensor) else np
        w = xp.matrix_transpose(w) if xp is ag else np.swapaxes(w, -1, -2)
        cat = ag.concat if xp is ag else np.concatenate
        return xp.squeeze(xp.expand_dims(cat([w, xp.stack([w[0], w[1]], axis=0)], axis=0),
                                         axis=0), axis=0).T
    check(fn, [randn(4, 6)], [0])


def test_setitem_records_the_write():
    def fn(v, u):
        if isinstance(v, torch.Tensor):
            c, d = torch.zeros(2, 5, dtype=v.dtype), torch.ones(3, dtype=v.dtype)
        else:
            xp = ag._NAMESPACE if isinstance(v, Tensor) else np
            c, d = xp.zeros((2, 5)), xp.ones(3)
        c[:, 1:4] = v               # a padding: the input written into zeros
        d[1:] = u[0]                # one value broadcast into two entries: their gradients add
        return c * u[1] + d[2] * c
    check(fn, [randn(2, 3), randn(2, seed=1)], [0, 1])


def test_a_tensor_used_twice_accumulates():
    x = Tensor([2.0, -1.0], requires_grad=True)
    (x * x + x).sum().backward()            # d/dx (x^2 + x) = 2x + 1
    np.testing.assert_array_equal(x.grad, [5.0, -1.0])
    (x * 3).sum().backward()                # a second backward adds, as in torch
    np.testing.assert_array_equal(x.grad, [8.0, 2.0])


def test_diamond_graph():
    def fn(x):
        xp = torch if isinstance(x, torch.Tensor) else ag if isinstance(x, Tensor) else np
        a = x * 2            # a feeds b and c: two paths from x to the output
        b = xp.exp(a)
        c = xp.tanh(a)
        return b * c + a
    check(fn, [randn(5) / 2], [0])


def test_deep_chain_has_no_recursion_limit():
    x = Tensor([1.0], requires_grad=True)
    y = x
    steps = 3 * sys.getrecursionlimit()
    for _ in range(steps):
        y = y * 1.0001
    y.backward()
    np.testing.assert_allclose(x.grad, [1.0001 ** steps], rtol=1e-10)


def test_detach_and_leaves():
    x = Tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    assert y.detach().requires_grad is False and y.detach().is_leaf
    assert np.shares_memory(y.detach().data, y.data)
    z = (y.detach() * x).sum()
    z.backward()
    np.testing.assert_array_equal(x.grad, [2.0, 4.0])
    assert y.grad is None                   # only leaves keep .grad, as in torch


def test_float32_stays_float32():
    x = Tensor(np.ones(3, np.float32), requires_grad=True)
    y = (x * 2.5 + 1).sum()
    assert y.dtype == np.float32
    y.backward()
    assert x.grad.dtype == np.float32


# ------------------------------------------------------------------ bad input


def test_integer_tensor_cannot_require_grad():
    with pytest.raises(TypeError, match="needs a floating-point Tensor.*data must be floating"):
        Tensor(np.arange(3), requires_grad=True)
    Tensor(np.arange(3))  # without a gradient, integers are fine (indices, labels)


def test_mixing_with_torch_is_refused():
    x = Tensor([1.0], requires_grad=True)
    with pytest.raises(TypeError, match="cannot mix an mlnotes.autograd.Tensor with a torch"):
        x + torch.ones(1)
    with pytest.raises(TypeError, match="cannot mix"):
        torch.ones(1) * x
    with pytest.raises(TypeError, match="cannot mix mlnotes.autograd Tensors and torch"):
        gating.soft_gate.__wrapped__(x, torch.ones(1), x)
    with pytest.raises(TypeError, match="cannot mix"):
        losses.mse_loss(x, torch.ones(1))
    with pytest.raises(TypeError, match="data must be a NumPy array, got a torch tensor"):
        Tensor(torch.ones(1))


def test_backward_on_a_non_scalar_needs_grad():
    y = Tensor([1.0, 2.0], requires_grad=True) * 2
    with pytest.raises(ValueError, match=r"one-element output, got shape \(2,\)"):
        y.backward()
    with pytest.raises(ValueError, match=r"grad must have the output's shape \(2,\)"):
        y.backward(np.ones(3))


def test_second_backward_through_the_same_graph():
    x = Tensor([3.0], requires_grad=True)
    y = x * x
    y.backward()
    with pytest.raises(ValueError, match="backward\\(\\) through a graph a second time"):
        y.backward()
    # with retain_graph, as torch: the second pass adds the same gradient again
    x2, xt = Tensor([3.0], requires_grad=True), torch.tensor([3.0], requires_grad=True)
    y2, yt = x2 * x2, xt * xt
    y2.backward(retain_graph=True)
    y2.backward()
    yt.backward(retain_graph=True)
    yt.backward()
    np.testing.assert_array_equal(x2.grad, xt.grad.numpy())


def test_backward_of_a_constant_is_refused():
    with pytest.raises(TypeError, match="needs a tensor that requires grad"):
        (Tensor([1.0]) * 2).backward()


def test_in_place_writes():
    x = Tensor([1.0, 2.0], requires_grad=True)
    h = x * 1
    for t in (x, h):                    # a tensor of a graph is not written into
        with pytest.raises(ValueError, match="cannot write in place into a Tensor that requires"):
            t[0] = 5.0
    c = Tensor(np.zeros(2))
    c *= 3.0                            # a constant is updated in place, as a NumPy array
    c += np.ones(2)
    assert c.requires_grad is False and c.data.tolist() == [1.0, 1.0]
    s = c
    s += h                              # with a gradient: the ordinary sum, the name rebound
    assert s is not c and s.requires_grad and c.data.tolist() == [1.0, 1.0]
    s.sum().backward()
    np.testing.assert_array_equal(x.grad, [1.0, 1.0])


def test_numpy_refuses_to_drop_a_gradient():
    x = Tensor([1.0], requires_grad=True)
    with pytest.raises(TypeError, match="requires grad into a NumPy array"):
        np.asarray(x)
    assert np.asarray(x.detach()).tolist() == [1.0]
    assert type(np.ones(1) + x) is Tensor     # NumPy's operators step aside


# ------------------------------------------------------------------ the backend accepts Tensors


def test_backend_helpers_accept_tensors():
    from mlnotes import backend

    x = Tensor(np.zeros(3), requires_grad=True)
    assert backend.namespace(x, np.ones(3)) is x.__array_namespace__()
    backend.check_floating(x, "x")
    with pytest.raises(TypeError, match="x must have a floating-point dtype, got int64"):
        backend.check_floating(Tensor(np.arange(2)), "x")
    assert backend.stop_gradient(x * 2).requires_grad is False
    backend.assign_(x, np.ones(3))
    backend.assign_(x, x.data + 2.0 * Tensor(np.ones(3)))  # assigned from another Tensor
    np.testing.assert_array_equal(x.data, [3.0] * 3)
    assert x.is_leaf and x.requires_grad            # parameter updates stay outside the graph
    backend.fill_normal_(x, 0.0, 1.0, backend.as_generator(0, like=x))
    assert backend.to_numpy(x).shape == (3,) and not backend.is_torch(x)


# ------------------------------------------------------------------ every public name documented


@pytest.mark.parametrize("name", ag.__all__)
def test_public_names_have_raw_docstrings_with_doctests(name):
    obj = getattr(ag, name)
    assert obj.__doc__ and ">>>" in obj.__doc__, name
    src = inspect.getsource(obj)
    assert 'r"""' in src, f"{name}: docstring is not raw"


@given(small_floats, small_floats)
def test_scalar_arithmetic_matches_python(a, b):
    x, y = Tensor(a, requires_grad=True), Tensor(b, requires_grad=True)
    (x * y + x - y).backward()
    assert x.grad == b + 1 and y.grad == a - 1


def test_clip_grad_norm_clips_the_gradients_of_tensor_parameters():
    ps = [Tensor(randn(3), requires_grad=True), Tensor(randn(2, 2, seed=1), requires_grad=True)]
    ts = [torch.tensor(p.data, requires_grad=True) for p in ps]
    for p, t in zip(ps, ts, strict=True):
        (p * p * 3).sum().backward()
        (t * t * 3).sum().backward()
    before = [p.data.copy() for p in ps]
    total = optim.clip_grad_norm(ps, max_norm=1.0)
    expected = torch.nn.utils.clip_grad_norm_(ts, max_norm=1.0)
    np.testing.assert_allclose(float(total), expected.item(), rtol=1e-12)
    for p, t, b in zip(ps, ts, before, strict=True):
        np.testing.assert_allclose(p.grad, t.grad.numpy(), rtol=1e-12)
        np.testing.assert_array_equal(p.data, b)   # the parameters themselves are untouched


@pytest.mark.parametrize("step, options", [
    ("sgd_step", {"lr": 0.1, "momentum": 0.9, "weight_decay": 0.01, "nesterov": True}),
    ("rmsprop_step", {"lr": 0.01, "momentum": 0.5, "centered": True}),
    ("adam_step", {"lr": 0.01, "amsgrad": True, "weight_decay": 0.1}),
    ("adamw_step", {"lr": 0.01}),
])
def test_functional_optimizer_steps_update_tensor_parameters(step, options):
    from mlnotes import optim

    step = getattr(optim, step)
    array, tensor = randn(3), Tensor(randn(3), requires_grad=True)
    s1, s2 = {}, {}
    for i in range(5):
        g = randn(3, seed=i + 1)
        step(array, g, s1, **options)
        step(tensor, g, s2, **options)
    np.testing.assert_array_equal(tensor.data, array)       # bit for bit: the same lines
    assert tensor.is_leaf and tensor.requires_grad


# ------------------------------------------------ a model twin: the debugging page's MLP


def test_debugging_page_mlp_follows_its_torch_twin():
    """The debugging page's MLP and its "overfit a tiny batch" check, on Tensors.

    Same weights, same data, mlnotes' Adam (the torch class calls adam_step, which the
    Tensor model calls directly): the loss histories agree to 1e-8 over 20 steps, and
    the twin reaches the page's two conclusions (the tiny batch is memorised; softmax
    before cross_entropy is stuck above its floor).
    """
    import math

    from mlnotes.datasets import spirals
    from mlnotes.init import kaiming_normal_, xavier_normal_
    from mlnotes.optim import Adam, adam_step

    X, y = spirals(100, classes=3, noise=0.2, generator=0)
    batch = np.arange(0, 300, 37)[:8]
    xb, yb = X[batch].astype(np.float64), y[batch]

    def torch_mlp(width=32, seed=0):
        gen = torch.Generator().manual_seed(seed)
        model = torch.nn.Sequential(
            torch.nn.utils.skip_init(torch.nn.Linear, 2, width), torch.nn.ReLU(),
            torch.nn.utils.skip_init(torch.nn.Linear, width, 3)).double()
        kaiming_normal_(model[0].weight, nonlinearity="relu", generator=gen)
        xavier_normal_(model[2].weight, generator=gen)
        for layer in (model[0], model[2]):
            torch.nn.init.zeros_(layer.bias)
        return model

    def torch_run(loss_fn, steps):
        model = torch_mlp()
        opt = Adam(model.parameters(), lr=0.05)
        history = []
        for _ in range(steps):
            loss = loss_fn(model(torch.tensor(xb)), torch.tensor(yb))
            opt.zero_grad()
            loss.backward()
            opt.step()
            history.append(loss.item())
        return history

    def twin_run(loss_fn, steps):
        # the same weights, as Tensors: W1 (width, 2), b1, W2 (3, width), b2
        params = [Tensor(p.detach().numpy().copy(), requires_grad=True)
                  for p in torch_mlp().parameters()]
        W1, b1, W2, b2 = params
        states = [{} for _ in params]
        history = []
        for _ in range(steps):
            logits = A.relu(xb @ W1.T + b1) @ W2.T + b2
            loss = loss_fn(logits, yb)
            for p in params:
                p.grad = None
            loss.backward()
            for p, state in zip(params, states, strict=True):
                adam_step(p, p.grad, state, lr=0.05)
            history.append(float(loss.data))
        return history

    right = losses.cross_entropy
    twin, reference = twin_run(right, 150), torch_run(right, 20)
    np.testing.assert_allclose(twin[:20], reference, rtol=1e-8)
    assert twin[-1] < 1e-2                               # the tiny batch is memorised

    def wrong(logits, target):
        return losses.cross_entropy(A.softmax(logits), target)

    buggy, buggy_reference = twin_run(wrong, 150), torch_run(wrong, 20)
    np.testing.assert_allclose(buggy[:20], buggy_reference, rtol=1e-8)
    assert buggy[-1] > math.log((math.e + 2) / math.e) - 1e-6 > 50 * twin[-1]


@pytest.mark.parametrize("ord", [1.0, 2.0, 3.0, float("inf")])
def test_vector_norm_of_the_namespace(ord):
    x = randn(3, 4)
    ours = Tensor(x).__array_namespace__().linalg.vector_norm(Tensor(x), ord=ord)
    np.testing.assert_allclose(ours.data, np.linalg.norm(x.ravel(), ord=ord), rtol=1e-13)


@pytest.mark.parametrize("name", ["kaiming_normal_", "kaiming_uniform_", "xavier_normal_",
                                  "xavier_uniform_"])
def test_init_fills_tensor_parameters_as_arrays(name):
    from mlnotes import init

    fill = getattr(init, name)
    w, a = Tensor(np.zeros((3, 2)), requires_grad=True), np.zeros((3, 2))
    fill(w, generator=0)
    fill(a, generator=0)
    np.testing.assert_array_equal(w.data, a)
    assert w.is_leaf and w.requires_grad
