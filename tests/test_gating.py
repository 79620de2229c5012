"""mlnotes.gating against torch in float64: soft gate, softmax gating, attention, bilinear."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from helpers import assert_close, make, reference
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from strategies import small_floats

from mlnotes import gating as G
from mlnotes.attention import attention_weights, multi_head_attention, scaled_dot_product_attention
from mlnotes.backend import to_numpy

RNG = np.random.default_rng(4)


def _normal(*shape):
    return RNG.normal(size=shape)


X, Y = _normal(3, 5), _normal(3, 5)
R_RANDOM = _normal(3, 5) * 3
R_EXTREME = np.array([[1e4, -1e4, 0.0, 800.0, -800.0]] * 3)


def _soft_gate_ref(x, y, r):
    s = torch.sigmoid(r)
    return x * s + y * (1 - s)


def _sdpa_ref(q, k, v, mask=None, **kw):
    return F.scaled_dot_product_attention(q, k, v, attn_mask=mask, **kw)


# ------------------------------------------------------------------------ soft gate


@pytest.mark.parametrize("r", [R_RANDOM, R_EXTREME], ids=["random", "extreme"])
def test_soft_gate_matches_torch(r, backend):
    out = G.soft_gate(make(X, backend), make(Y, backend), make(r, backend))
    assert type(out) is type(make(X, backend))
    assert_close(out, _soft_gate_ref(reference(X), reference(Y), reference(r)))


@pytest.mark.parametrize("r", [R_RANDOM, R_EXTREME], ids=["random", "extreme"])
def test_soft_gate_backward_matches_autograd(r, backend):
    g = _normal(3, 5)
    refs = [reference(a, requires_grad=True) for a in (X, Y, r)]
    (_soft_gate_ref(*refs) * reference(g)).sum().backward()
    ours = G.soft_gate_backward(make(g, backend), *(make(a, backend) for a in (X, Y, r)))
    for mine, ref in zip(ours, refs, strict=True):
        assert np.all(np.isfinite(to_numpy(mine)))
        assert_close(mine, ref.grad)


def test_soft_gate_partials_are_the_gate(backend):
    # with grad = 1 the partials are sigma(r), 1 - sigma(r), (x - y) sigma'(r)
    r = R_RANDOM
    s = 1 / (1 + np.exp(-r))
    gx, gy, gr = G.soft_gate_backward(*(make(a, backend) for a in (np.ones_like(r), X, Y, r)))
    assert_close(gx, s)
    assert_close(gy, 1 - s)
    assert_close(gr, (X - Y) * s * (1 - s))


def test_soft_gate_autograd_matches_torch(device):
    ours = [make(a, device, requires_grad=True) for a in (X, Y, R_RANDOM)]
    refs = [reference(a, requires_grad=True) for a in (X, Y, R_RANDOM)]
    G.soft_gate(*ours).sum().backward()
    _soft_gate_ref(*refs).sum().backward()
    for mine, ref in zip(ours, refs, strict=True):
        assert_close(mine.grad, ref.grad)


@given(x=small_floats, y=small_floats, r=small_floats)
def test_soft_gate_properties(x, y, r):
    x, y, r = np.array([x]), np.array([y]), np.array([r])
    # swapping the candidates is flipping the gate
    assert_close(G.soft_gate(x, y, r), G.soft_gate(y, x, -r))
    # the output lies between the candidates
    out = G.soft_gate(x, y, r)[0]
    assert min(x[0], y[0]) - 1e-9 <= out <= max(x[0], y[0]) + 1e-9
    # the two candidates' partials add up to the incoming gradient
    gx, gy, _ = G.soft_gate_backward(np.ones(1), x, y, r)
    assert_close(gx + gy, np.ones(1))


def test_soft_gate_saturates_to_a_switch(backend):
    big = make(np.full((3, 5), 60.0), backend)
    assert_close(G.soft_gate(make(X, backend), make(Y, backend), big), X, atol=1e-20)
    assert_close(G.soft_gate(make(X, backend), make(Y, backend), -big), Y, atol=1e-20)


# ------------------------------------------------------------------- softmax gating


@pytest.mark.parametrize("R", [_normal(4, 6) * 3, np.array([[1e4, -1e4, 0, 0, 0, -np.inf]] * 4)],
                         ids=["random", "extreme"])
def test_softmax_gate_matches_torch(R, backend):
    Xs = _normal(4, 6, 3)
    expected = (torch.softmax(reference(R), -1)[..., None] * reference(Xs)).sum(-2)
    out = G.softmax_gate(make(Xs, backend), make(R, backend))
    assert tuple(out.shape) == (4, 3)
    assert_close(out, expected)


def test_softmax_gate_broadcasts_one_candidate_set(backend):
    Xs, R = _normal(6, 3), _normal(4, 6)  # one set of 6 candidates, 4 gates
    expected = torch.softmax(reference(R), -1) @ reference(Xs)
    assert_close(G.softmax_gate(make(Xs, backend), make(R, backend)), expected)


def test_softmax_gate_autograd_matches_torch(device):
    Xs, R = _normal(4, 6, 3), _normal(4, 6)
    ours = [make(a, device, requires_grad=True) for a in (Xs, R)]
    refs = [reference(a, requires_grad=True) for a in (Xs, R)]
    g = _normal(4, 3)
    (G.softmax_gate(*ours) * make(g, device)).sum().backward()
    ((torch.softmax(refs[1], -1)[..., None] * refs[0]).sum(-2) * reference(g)).sum().backward()
    for mine, ref in zip(ours, refs, strict=True):
        assert_close(mine.grad, ref.grad)


@given(R=arrays(np.float64, 5, elements=small_floats), c=small_floats)
def test_softmax_gate_properties(R, c):
    Xs = np.arange(10.0).reshape(5, 2)
    out = G.softmax_gate(Xs, R)
    # shift invariance of the logits; the result is a convex mixture of the candidates
    assert_close(G.softmax_gate(Xs, R + c), out, atol=1e-10)
    assert Xs.min(0)[0] - 1e-9 <= out[0] <= Xs.max(0)[0] + 1e-9
    # one dominant logit selects its candidate
    k = int(np.argmax(R))
    sharp = np.where(np.arange(5) == k, 1e3, R)
    assert_close(G.softmax_gate(Xs, sharp), Xs[k], atol=1e-9)


# ------------------------------------------------------------------------ attention

Q, K, V = _normal(2, 3, 4, 8), _normal(2, 3, 6, 8), _normal(2, 3, 6, 5)
BOOL_MASK = RNG.random((4, 6)) > 0.4
BOOL_MASK[:, 0] = True
FLOAT_MASK = np.where(RNG.random((2, 1, 4, 6)) > 0.3, _normal(2, 1, 4, 6), -np.inf)
FLOAT_MASK[..., 1] = 0.5
DEAD = np.ones((4, 6), dtype=bool)
DEAD[1] = False  # query 1 sees no key at all
DEAD_FLOAT = np.where(DEAD, 0.0, -np.inf)

MASKS = {
    "none": None,
    "bool": BOOL_MASK,
    "float": FLOAT_MASK,
    "dead-bool": DEAD,
    "dead-float": DEAD_FLOAT,
}


def _mask(name, backend):
    m = MASKS[name]
    if m is None:
        return None, None
    dtype = bool if m.dtype == bool else np.float64
    ref = torch.tensor(m)
    return make(m, backend, dtype=dtype), ref


@pytest.mark.parametrize("mask", list(MASKS))
def test_attention_matches_torch(mask, backend):
    m, mr = _mask(mask, backend)
    out = scaled_dot_product_attention(make(Q, backend), make(K, backend), make(V, backend), m)
    expected = _sdpa_ref(reference(Q), reference(K), reference(V), mr)
    assert tuple(out.shape) == (2, 3, 4, 5)
    assert np.all(np.isfinite(to_numpy(out)))
    assert_close(out, expected)


@pytest.mark.parametrize("mask", list(MASKS))
def test_attention_autograd_matches_torch(mask, device):
    m, mr = _mask(mask, device)
    float_mask = m is not None and m.dtype == torch.float64
    if float_mask:
        m.requires_grad_(True)
        mr = mr.clone().requires_grad_(True)
    ours = [make(a, device, requires_grad=True) for a in (Q, K, V)]
    refs = [reference(a, requires_grad=True) for a in (Q, K, V)]
    g = _normal(2, 3, 4, 5)
    (scaled_dot_product_attention(*ours, m) * make(g, device)).sum().backward()
    (_sdpa_ref(*refs, mr) * reference(g)).sum().backward()
    for mine, ref in zip(ours, refs, strict=True):
        assert np.all(np.isfinite(to_numpy(mine.grad)))
        assert_close(mine.grad, ref.grad)
    if float_mask:
        assert np.all(np.isfinite(to_numpy(m.grad)))
        assert_close(m.grad, mr.grad)


@pytest.mark.parametrize("mask", ["dead-bool", "dead-float"])
def test_fully_masked_row_is_zero_like_torch_and_leaks_nothing(mask, backend):
    m, mr = _mask(mask, backend)
    out = to_numpy(scaled_dot_product_attention(*(make(a, backend) for a in (Q, K, V)), m))
    expected = _sdpa_ref(reference(Q), reference(K), reference(V), mr).numpy()
    np.testing.assert_array_equal(expected[..., 1, :], 0.0)  # what torch does here
    np.testing.assert_array_equal(out[..., 1, :], 0.0)
    # the other rows are exactly those of attention without the dead row
    alone = scaled_dot_product_attention(Q, K, V)
    np.testing.assert_allclose(np.delete(out, 1, axis=-2), np.delete(alone, 1, axis=-2),
                               rtol=1e-12)
    w = to_numpy(attention_weights(make(Q, backend), make(K, backend), m))
    np.testing.assert_array_equal(w[..., 1, :], 0.0)


@pytest.mark.parametrize("L, S", [(4, 6), (6, 4), (5, 5)])
def test_causal_matches_torch(L, S, backend):
    q, k, v = _normal(2, L, 3), _normal(2, S, 3), _normal(2, S, 2)
    out = scaled_dot_product_attention(*(make(a, backend) for a in (q, k, v)), is_causal=True)
    assert_close(out, _sdpa_ref(reference(q), reference(k), reference(v), is_causal=True))


@pytest.mark.parametrize("scale", [0.1, 1.0, 3.0, -0.5])
def test_scale_matches_torch(scale, backend):
    out = scaled_dot_product_attention(*(make(a, backend) for a in (Q, K, V)), scale=scale)
    assert_close(out, _sdpa_ref(reference(Q), reference(K), reference(V), scale=scale))


def test_attention_broadcasts_batch_dimensions(backend):
    q, k, v = _normal(2, 1, 4, 8), _normal(3, 6, 8), _normal(1, 6, 5)
    out = scaled_dot_product_attention(*(make(a, backend) for a in (q, k, v)))
    assert tuple(out.shape) == (2, 3, 4, 5)
    expected = torch.softmax(reference(q) @ reference(k).mT / math.sqrt(8), -1) @ reference(v)
    assert_close(out, expected)


def test_attention_extreme_scores_stay_finite(backend):
    q = _normal(4, 8) * 1e3
    k, v = _normal(6, 8) * 1e3, _normal(6, 5)
    out = scaled_dot_product_attention(*(make(a, backend) for a in (q, k, v)))
    assert np.all(np.isfinite(to_numpy(out)))
    assert_close(out, _sdpa_ref(reference(q), reference(k), reference(v)))


def test_attention_float32_matches_torch_float32(device):
    q, k, v = (torch.tensor(a, dtype=torch.float32, device=device) for a in (Q, K, V))
    m = torch.tensor(BOOL_MASK, device=device)
    out = scaled_dot_product_attention(q, k, v, m)
    assert out.dtype == torch.float32 and out.device == q.device
    torch.testing.assert_close(out, _sdpa_ref(q, k, v, m))


def test_attention_is_softmax_gating(backend):
    q, k, v = _normal(4, 8), _normal(6, 8), _normal(6, 5)
    scores = make(q @ k.T / math.sqrt(8), backend)
    gated = G.softmax_gate(make(v, backend), scores)
    assert_close(gated, scaled_dot_product_attention(*(make(a, backend) for a in (q, k, v))))


@given(seed=st.integers(0, 2**16), L=st.integers(1, 4), S=st.integers(1, 5))
def test_attention_properties(seed, L, S):
    rng = np.random.default_rng(seed)
    q, k, v = rng.normal(size=(L, 3)), rng.normal(size=(S, 3)), rng.normal(size=(S, 2))
    w = attention_weights(q, k)
    assert_close(w.sum(-1), np.ones(L))  # each row is a distribution
    # permuting keys together with values changes nothing
    perm = rng.permutation(S)
    assert_close(scaled_dot_product_attention(q, k[perm], v[perm]),
                 scaled_dot_product_attention(q, k, v))
    # identical values give that value back, whatever the weights
    same = np.repeat(v[:1], S, axis=0)
    assert_close(scaled_dot_product_attention(q, k, same), np.repeat(v[:1], L, axis=0))


# ------------------------------------------------------------------------- bilinear


@pytest.mark.parametrize("with_bias", [False, True])
def test_bilinear_matches_torch(with_bias, backend):
    x1, x2, W, b = _normal(5, 3), _normal(5, 4), _normal(2, 3, 4), _normal(2)
    out = G.bilinear(make(x1, backend), make(x2, backend), make(W, backend),
                     make(b, backend) if with_bias else None)
    expected = F.bilinear(reference(x1), reference(x2), reference(W),
                          reference(b) if with_bias else None)
    assert_close(out, expected)


def test_bilinear_autograd_matches_torch(device):
    arrays_ = (_normal(2, 5, 3), _normal(2, 5, 4), _normal(2, 3, 4), _normal(2))
    ours = [make(a, device, requires_grad=True) for a in arrays_]
    refs = [reference(a, requires_grad=True) for a in arrays_]
    g = _normal(2, 5, 2)
    (G.bilinear(*ours) * make(g, device)).sum().backward()
    (F.bilinear(*refs) * reference(g)).sum().backward()
    for mine, ref in zip(ours, refs, strict=True):
        assert_close(mine.grad, ref.grad)


@pytest.mark.parametrize("num_inputs", [1, 2, 3])
def test_switch_weight_makes_bilinear_a_softmax_gate(num_inputs, backend):
    xs, z = _normal(4, num_inputs, 3), _normal(4, num_inputs)
    W = G.switch_weight(3, num_inputs)
    a = torch.softmax(torch.tensor(z), -1).numpy()
    out = G.bilinear(make(xs.reshape(4, -1), backend), make(a, backend), make(W, backend))
    assert_close(out, G.softmax_gate(make(xs, backend), make(z, backend)))


# ------------------------------------------------------------------- gated network


def test_gated_network_is_the_soft_gate_of_its_parts():
    torch.manual_seed(0)
    parts = [torch.nn.Linear(2, 3).double() for _ in range(3)]
    net = G.GatedNetwork(*parts)
    a, b, c = (torch.tensor(_normal(5, 2)) for _ in range(3))
    assert_close(net(a, b, c), _soft_gate_ref(parts[1](b), parts[2](c), parts[0](a)))
    assert_close(net(a), _soft_gate_ref(parts[1](a), parts[2](a), parts[0](a)))
    assert_close(net.gate_value(a), torch.sigmoid(parts[0](a)))


# ------------------------------------------------------------------------ bad input


def test_bad_input_soft_gate():
    with pytest.raises(ValueError, match=r"x, y and r must have the same shape"):
        G.soft_gate(np.zeros(3), np.zeros(3), np.zeros(2))
    with pytest.raises(TypeError, match="r must have a floating-point dtype"):
        G.soft_gate(np.zeros(3), np.zeros(3), np.zeros(3, dtype=int))
    with pytest.raises(TypeError, match="cannot mix NumPy arrays and torch tensors"):
        G.soft_gate(np.zeros(3), torch.zeros(3), np.zeros(3))
    with pytest.raises(ValueError, match=r"grad, x, y and r must have the same shape, got \(3,\), "
                                         r"\(3,\), \(2,\) and \(3,\)"):
        G.soft_gate_backward(np.zeros(3), np.zeros(3), np.zeros(2), np.zeros(3))


def test_bad_input_softmax_gate():
    with pytest.raises(ValueError, match=r"X must have shape \(\.\.\., K, D\)"):
        G.softmax_gate(np.zeros(3), np.zeros(3))
    with pytest.raises(ValueError, match=r"R must have shape \(\.\.\., K\) with K = .* = 3"):
        G.softmax_gate(np.zeros((3, 2)), np.zeros(4))
    with pytest.raises(ValueError, match="the batch dimensions of X and R do not broadcast"):
        G.softmax_gate(np.zeros((2, 3, 2)), np.zeros((4, 3)))


def test_bad_input_attention():
    q, k, v = np.zeros((4, 8)), np.zeros((6, 8)), np.zeros((6, 5))
    sdpa = scaled_dot_product_attention
    with pytest.raises(ValueError, match="q must have at least 2 dimensions"):
        sdpa(np.zeros(8), k, v)
    with pytest.raises(ValueError, match="v must have at least 2 dimensions"):
        sdpa(q, k, np.zeros(6))
    with pytest.raises(ValueError, match="q and k must have the same feature size E, got 8 and 7"):
        sdpa(q, np.zeros((6, 7)), v)
    with pytest.raises(ValueError, match="k and v must have the same number of keys S, got 6 and"):
        sdpa(q, k, np.zeros((5, 5)))
    with pytest.raises(ValueError, match="the batch dimensions of q and k do not broadcast"):
        sdpa(np.zeros((2, 4, 8)), np.zeros((3, 6, 8)), v)
    with pytest.raises(ValueError, match="batch dimensions of q, k and v do not broadcast"):
        sdpa(np.zeros((3, 4, 8)), np.zeros((3, 6, 8)), np.zeros((2, 6, 5)))
    with pytest.raises(ValueError, match=r"mask and the scores do not broadcast: \(5, 6\)"):
        sdpa(q, k, v, np.ones((5, 6), dtype=bool))
    with pytest.raises(ValueError, match=r"mask must broadcast to the scores' shape .*\(4, 6\)"):
        sdpa(q, k, v, np.ones((2, 4, 6), dtype=bool))
    with pytest.raises(TypeError, match="mask must be boolean or floating-point, got int64"):
        sdpa(q, k, v, np.ones((4, 6), dtype=np.int64))
    with pytest.raises(ValueError, match="either mask or is_causal=True, not both"):
        sdpa(q, k, v, np.ones((4, 6), dtype=bool), is_causal=True)
    with pytest.raises(TypeError, match="scale must be a real number, got str"):
        sdpa(q, k, v, scale="1")
    with pytest.raises(ValueError, match="scale must be a finite number, got inf"):
        sdpa(q, k, v, scale=math.inf)
    with pytest.raises(TypeError, match="k must have a floating-point dtype"):
        sdpa(q, k.astype(int), v)
    with pytest.raises(TypeError, match="cannot mix NumPy arrays and torch tensors"):
        sdpa(q, k, v, torch.ones(4, 6, dtype=torch.bool))


def test_bad_input_bilinear():
    x1, x2, W = np.zeros((5, 3)), np.zeros((5, 4)), np.zeros((2, 3, 4))
    with pytest.raises(ValueError, match=r"weight must have shape \(O, D1, D2\)"):
        G.bilinear(x1, x2, np.zeros((3, 4)))
    with pytest.raises(ValueError, match=r"x1 must have shape \(\.\.\., D1\) with D1 = 3"):
        G.bilinear(np.zeros((5, 2)), x2, W)
    with pytest.raises(ValueError, match=r"x2 must have shape \(\.\.\., D2\) with D2 = 4"):
        G.bilinear(x1, np.zeros((5, 3)), W)
    with pytest.raises(ValueError, match="x1 and x2 must have the same batch dimensions"):
        G.bilinear(x1, np.zeros((6, 4)), W)
    with pytest.raises(ValueError, match=r"bias must have shape \(O,\) = \(2,\)"):
        G.bilinear(x1, x2, W, np.zeros(3))
    with pytest.raises(ValueError, match="size must be at least 1, got 0"):
        G.switch_weight(0)
    with pytest.raises(TypeError, match="num_inputs must be an int, got bool"):
        G.switch_weight(2, True)


# ------------------------------------------------------------- multi-head attention

E_MHA, H_MHA, L_MHA, S_MHA = 8, 2, 5, 6


def _mha_module(bias=True):
    m = torch.nn.MultiheadAttention(E_MHA, H_MHA, bias=bias, batch_first=True,
                                    dtype=torch.float64)
    with torch.no_grad():  # torch zeroes the biases at creation: give them values
        for p in m.parameters():
            p.copy_(torch.tensor(RNG.normal(size=tuple(p.shape))))
    return m


def _mha_weights(m):
    bias_in = None if m.in_proj_bias is None else m.in_proj_bias.detach().numpy()
    bias_out = None if m.out_proj.bias is None else m.out_proj.bias.detach().numpy()
    return (m.in_proj_weight.detach().numpy(), bias_in, m.out_proj.weight.detach().numpy(),
            bias_out)


def _causal_float(L, S):
    return np.triu(np.full((L, S), -np.inf), 1)


MHA_MASKS = {
    "none": (None, False),
    "causal flag": (None, True),
    "bool": (np.triu(np.ones((L_MHA, L_MHA), dtype=bool), 1), False),
    "float": (_causal_float(L_MHA, L_MHA) + RNG.normal(size=(L_MHA, L_MHA)), False),
    "per head": (RNG.normal(size=(3 * H_MHA, L_MHA, L_MHA)), False),
}


@pytest.mark.parametrize("average", [True, False])
@pytest.mark.parametrize("mask", list(MHA_MASKS))
@pytest.mark.parametrize("bias", [True, False])
def test_multi_head_attention_matches_torch(mask, average, bias, backend):
    module = _mha_module(bias)
    x = RNG.normal(size=(3, L_MHA, E_MHA))
    m, causal = MHA_MASKS[mask]
    ref_mask = torch.tensor(_causal_float(L_MHA, L_MHA)) if causal else (
        None if m is None else torch.tensor(m))
    expected, expected_w = module(*(torch.tensor(x),) * 3, attn_mask=ref_mask,
                                  average_attn_weights=average)
    ours_mask = None if m is None else make(m, backend, dtype=m.dtype)
    out, weights = multi_head_attention(
        *(make(x, backend),) * 3, H_MHA, *(None if w is None else make(w, backend)
                                           for w in _mha_weights(module)),
        attn_mask=ours_mask, is_causal=causal, average_attn_weights=average)
    assert_close(out, expected.detach())
    assert_close(weights, expected_w.detach())


def test_multi_head_attention_cross_and_unbatched_match_torch(backend):
    module = _mha_module()
    q, kv = RNG.normal(size=(L_MHA, E_MHA)), RNG.normal(size=(S_MHA, E_MHA))
    expected, expected_w = module(torch.tensor(q), torch.tensor(kv), torch.tensor(kv))
    out, weights = multi_head_attention(
        make(q, backend), make(kv, backend), make(kv, backend), H_MHA,
        *(make(w, backend) for w in _mha_weights(module)))
    assert tuple(out.shape) == (L_MHA, E_MHA) and tuple(weights.shape) == (L_MHA, S_MHA)
    assert_close(out, expected.detach())
    assert_close(weights, expected_w.detach())
    none = multi_head_attention(make(q, backend), make(kv, backend), make(kv, backend),
                                  H_MHA, *(make(w, backend) for w in _mha_weights(module)),
                                  need_weights=False)[1]
    assert none is None


def test_multi_head_attention_autograd_matches_torch(device):
    module = _mha_module().to(device)
    x = RNG.normal(size=(2, L_MHA, E_MHA))
    params = [make(w, device, requires_grad=True) for w in _mha_weights(module.cpu())]
    module = module.to(device)
    xs = make(x, device, requires_grad=True)
    g = make(RNG.normal(size=(2, L_MHA, E_MHA)), device)
    out, _ = multi_head_attention(xs, xs, xs, H_MHA, *params, is_causal=True)
    (out * g).sum().backward()
    xr = torch.tensor(x, device=device, requires_grad=True)
    ref, _ = module(xr, xr, xr, attn_mask=torch.tensor(_causal_float(L_MHA, L_MHA),
                                                       device=device))
    (ref * g).sum().backward()
    assert_close(xs.grad, xr.grad)
    ref_params = (module.in_proj_weight, module.in_proj_bias, module.out_proj.weight,
                  module.out_proj.bias)
    for mine, theirs in zip(params, ref_params, strict=True):
        assert_close(mine.grad, theirs.grad)


def test_causal_attention_cannot_see_the_future():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(6, 4))
    w_in, w_out = rng.normal(size=(12, 4)), rng.normal(size=(4, 4))
    later = x.copy()
    later[4] += 10.0  # change token 4 only
    for causal in (True, False):
        a = multi_head_attention(x, x, x, 2, w_in, None, w_out, None, is_causal=causal)[0]
        b = multi_head_attention(later, later, later, 2, w_in, None, w_out, None,
                                   is_causal=causal)[0]
        earlier_same = np.allclose(a[:4], b[:4], rtol=0, atol=0)
        assert earlier_same == causal


def test_bad_input_multi_head_attention():
    x = np.zeros((2, 3, 8))
    w_in, w_out = np.zeros((24, 8)), np.zeros((8, 8))
    with pytest.raises(ValueError, match="num_heads"):
        multi_head_attention(x, x, x, 3, w_in, None, w_out, None)
    with pytest.raises(ValueError, match="in_proj_weight"):
        multi_head_attention(x, x, x, 2, np.zeros((8, 8)), None, w_out, None)
    with pytest.raises(ValueError, match="out_proj_weight"):
        multi_head_attention(x, x, x, 2, w_in, None, np.zeros((4, 8)), None)
    with pytest.raises(ValueError, match="query, key and value"):
        multi_head_attention(x[0], x, x, 2, w_in, None, w_out, None)
    with pytest.raises(ValueError, match="key and value"):
        multi_head_attention(x, x, np.zeros((2, 4, 8)), 2, w_in, None, w_out, None)
    with pytest.raises(ValueError, match="key and value"):  # E of key differs from query's
        multi_head_attention(x, np.zeros((2, 3, 4)), np.zeros((2, 3, 4)), 2, w_in, None,
                               w_out, None)
    with pytest.raises(ValueError, match="batch size"):
        multi_head_attention(x, x[:1], x[:1], 2, w_in, None, w_out, None)
    with pytest.raises(ValueError, match="num_heads"):
        multi_head_attention(x, x, x, 0, w_in, None, w_out, None)
    with pytest.raises(ValueError, match="in_proj_bias"):
        multi_head_attention(x, x, x, 2, w_in, np.zeros(8), w_out, None)
    with pytest.raises(ValueError, match="out_proj_bias"):
        multi_head_attention(x, x, x, 2, w_in, None, w_out, np.zeros(24))
    for bad in (np.zeros((3, 4), dtype=bool), np.zeros((2, 3, 3)), np.zeros((2, 2, 3, 3))):
        with pytest.raises(ValueError, match="attn_mask"):
            multi_head_attention(x, x, x, 2, w_in, None, w_out, None, attn_mask=bad)
    with pytest.raises(TypeError, match="num_heads"):
        multi_head_attention(x, x, x, 2.0, w_in, None, w_out, None)
    with pytest.raises(TypeError, match="in_proj_bias"):  # one backend for every argument
        multi_head_attention(x, x, x, 2, w_in, torch.zeros(24), w_out, None)
