"""mlnotes.attention's cross-attention, positional encoding and transformer block against torch.

Multi-head and scaled dot-product attention are tested in test_gating.py. Here: cross-
attention against ``torch.nn.MultiheadAttention`` with ``kdim``/``vdim`` and against
``torch.nn.functional.scaled_dot_product_attention``; the transformer block against
``torch.nn.TransformerEncoderLayer`` with its weights copied (both ``norm_first``
settings, dropout 0), all in float64 to rtol 1e-10; the positional encoding against its
formula written out and the rotation property it is chosen for.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from helpers import assert_close, make

from mlnotes.attention import (
    ENCODER_LAYER_PARAMETERS,
    cross_attention,
    multi_head_attention,
    positional_encoding,
    transformer_encoder_layer,
)

RNG = np.random.default_rng(27)
N, L, S, E, C, H, FF = 2, 5, 7, 8, 6, 2, 16


def _cross_module(bias: bool = True) -> torch.nn.MultiheadAttention:
    torch.manual_seed(0)
    module = torch.nn.MultiheadAttention(E, H, bias=bias, kdim=C, vdim=C, batch_first=True,
                                         dtype=torch.float64)
    with torch.no_grad():   # torch starts the biases at 0: give them values that can differ
        for p in module.parameters():
            p.copy_(torch.randn_like(p) * 0.5)
    return module


def _cross_weights(module: torch.nn.MultiheadAttention) -> list:
    names = ("q_proj_weight", "k_proj_weight", "v_proj_weight", "in_proj_bias")
    ws = [getattr(module, n) for n in names] + [module.out_proj.weight, module.out_proj.bias]
    return [None if w is None else w.detach().numpy() for w in ws]


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("average", [True, False])
def test_cross_attention_matches_multihead_attention_with_kdim_vdim(bias, average, backend):
    module = _cross_module(bias)
    x, ctx = RNG.normal(size=(N, L, E)), RNG.normal(size=(N, S, C))
    mask = RNG.uniform(size=(L, S)) < 0.3
    mask[:, 0] = False                     # every query keeps one key
    expected, expected_w = module(torch.tensor(x), torch.tensor(ctx), torch.tensor(ctx),
                                  attn_mask=torch.tensor(mask), average_attn_weights=average)
    out, weights = cross_attention(
        make(x, backend), make(ctx, backend), H,
        *(None if w is None else make(w, backend) for w in _cross_weights(module)),
        attn_mask=make(mask, backend, dtype=bool), average_attn_weights=average)
    assert tuple(out.shape) == (N, L, E)
    assert_close(out, expected.detach(), rtol=1e-10, atol=1e-12)
    assert_close(weights, expected_w.detach(), rtol=1e-10, atol=1e-12)


def test_cross_attention_unbatched_matches_torch():
    module = _cross_module()
    x, ctx = RNG.normal(size=(L, E)), RNG.normal(size=(S, C))
    expected, expected_w = module(torch.tensor(x), torch.tensor(ctx), torch.tensor(ctx))
    out, weights = cross_attention(x, ctx, H, *_cross_weights(module))
    assert out.shape == (L, E) and weights.shape == (L, S)
    assert_close(out, expected.detach(), rtol=1e-10, atol=1e-12)
    assert_close(weights, expected_w.detach(), rtol=1e-10, atol=1e-12)
    assert cross_attention(x, ctx, H, *_cross_weights(module), need_weights=False)[1] is None


def test_cross_attention_one_head_identity_is_scaled_dot_product_attention():
    # with one head, identity projections and no biases, the queries are x and the keys
    # and values the context itself: torch's functional attention, of different lengths
    x, ctx = RNG.normal(size=(N, L, E)), RNG.normal(size=(N, S, E))
    eye = np.eye(E)
    out, _ = cross_attention(x, ctx, 1, eye, eye, eye, None, eye, None)
    expected = F.scaled_dot_product_attention(*(torch.tensor(a) for a in (x, ctx, ctx)))
    assert_close(out, expected, rtol=1e-10, atol=1e-12)


def test_cross_attention_of_a_sequence_with_itself_is_self_attention():
    module = _cross_module()
    w_q, w_k, w_v, b, w_o, b_o = _cross_weights(module)
    x = RNG.normal(size=(N, L, E))
    w_k, w_v = RNG.normal(size=(E, E)), RNG.normal(size=(E, E))   # C = E for self-attention
    ours = cross_attention(x, x, H, w_q, w_k, w_v, b, w_o, b_o)
    theirs = multi_head_attention(x, x, x, H, np.concatenate([w_q, w_k, w_v]), b, w_o, b_o)
    for a, t in zip(ours, theirs, strict=True):
        np.testing.assert_allclose(a, t, rtol=1e-12, atol=1e-13)


def test_cross_attention_gradients_match_torch(device):
    module = _cross_module().to(device)
    x, ctx = RNG.normal(size=(N, L, E)), RNG.normal(size=(N, S, C))
    weights = [make(w, device, requires_grad=True) for w in _cross_weights(module.cpu())]
    module = module.to(device)
    xs, cs = make(x, device, requires_grad=True), make(ctx, device, requires_grad=True)
    g = torch.tensor(RNG.normal(size=(N, L, E)), device=device)
    (cross_attention(xs, cs, H, *weights)[0] * g).sum().backward()
    xr, cr = make(x, device, requires_grad=True), make(ctx, device, requires_grad=True)
    (module(xr, cr, cr)[0] * g).sum().backward()
    assert_close(xs.grad, xr.grad, rtol=1e-10, atol=1e-12)
    assert_close(cs.grad, cr.grad, rtol=1e-10, atol=1e-12)
    theirs = [module.q_proj_weight, module.k_proj_weight, module.v_proj_weight,
              module.in_proj_bias, module.out_proj.weight, module.out_proj.bias]
    for ours, t in zip(weights, theirs, strict=True):
        assert_close(ours.grad, t.grad, rtol=1e-10, atol=1e-12)


def test_bad_input_cross_attention():
    module = _cross_module()
    w = _cross_weights(module)
    x, ctx = RNG.normal(size=(N, L, E)), RNG.normal(size=(N, S, C))
    with pytest.raises(ValueError, match="k_proj_weight"):
        cross_attention(x, ctx, H, w[0], w[1][:, :-1], *w[2:])
    with pytest.raises(ValueError, match="num_heads"):
        cross_attention(x, ctx, 3, *w)
    with pytest.raises(ValueError, match="batch size"):
        cross_attention(x, ctx[:1], H, *w)
    with pytest.raises(ValueError, match="context"):
        cross_attention(x, ctx[0], H, *w)
    with pytest.raises(ValueError, match="attn_mask"):
        cross_attention(x, ctx, H, *w, attn_mask=np.zeros((S, L), dtype=bool))
    with pytest.raises(TypeError, match="x"):
        cross_attention(x.astype(np.int64), ctx, H, *w)


def test_positional_encoding_is_its_formula():
    P = positional_encoding(50, 10, base=100.0)
    expected = np.empty((50, 10))
    for t in range(50):
        for i in range(5):
            expected[t, 2 * i] = np.sin(t / 100.0 ** (2 * i / 10))
            expected[t, 2 * i + 1] = np.cos(t / 100.0 ** (2 * i / 10))
    np.testing.assert_allclose(P, expected, rtol=1e-13, atol=1e-13)


def test_positional_encoding_shifts_are_one_rotation():
    # P[t + k] = P[t] R_k for every t, with R_k block-diagonal rotations: the reason for sin/cos
    P, k = positional_encoding(64, 16), 5
    R = np.zeros((16, 16))
    for i in range(8):
        a = k * 10000.0 ** (-2 * i / 16)
        R[2 * i:2 * i + 2, 2 * i:2 * i + 2] = [[np.cos(a), -np.sin(a)], [np.sin(a), np.cos(a)]]
    np.testing.assert_allclose(P[:-k] @ R, P[k:], rtol=1e-10, atol=1e-10)


def test_bad_input_positional_encoding():
    with pytest.raises(ValueError, match="d_model"):
        positional_encoding(4, 5)
    with pytest.raises(ValueError, match="base"):
        positional_encoding(4, 4, base=1.0)
    with pytest.raises(ValueError, match="length"):
        positional_encoding(0, 4)


def _encoder_layer(norm_first: bool) -> torch.nn.TransformerEncoderLayer:
    torch.manual_seed(1)
    layer = torch.nn.TransformerEncoderLayer(E, H, dim_feedforward=FF, dropout=0.0,
                                             batch_first=True, norm_first=norm_first,
                                             dtype=torch.float64)
    with torch.no_grad():   # layer norms start at 1 and 0: move them too
        for p in layer.parameters():
            p.add_(torch.randn_like(p) * 0.3)
    return layer


def _params(layer, backend="numpy", requires_grad=False) -> dict:
    state = layer.state_dict()
    return {k: make(state[k].cpu().numpy(), backend, requires_grad=requires_grad)
            for k in ENCODER_LAYER_PARAMETERS}


@pytest.mark.parametrize("norm_first", [False, True])
@pytest.mark.parametrize("causal", [False, True])
def test_transformer_block_matches_torch_encoder_layer(norm_first, causal, backend):
    layer = _encoder_layer(norm_first)
    layer.train()           # dropout 0; train mode keeps torch off its fused fast path
    x = RNG.normal(size=(N, L, E))
    mask = torch.nn.Transformer.generate_square_subsequent_mask(L, dtype=torch.float64)
    expected = layer(torch.tensor(x), src_mask=mask if causal else None, is_causal=causal)
    out = transformer_encoder_layer(make(x, backend), _params(layer, backend), H,
                                    norm_first=norm_first, is_causal=causal)
    assert tuple(out.shape) == (N, L, E)
    assert_close(out, expected.detach(), rtol=1e-10, atol=1e-12)
    unbatched = transformer_encoder_layer(x[0], _params(layer), H, norm_first=norm_first,
                                          is_causal=causal)
    assert_close(unbatched, expected[0].detach(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("norm_first", [False, True])
def test_transformer_block_gradients_match_torch(norm_first, device):
    layer = _encoder_layer(norm_first).to(device)
    x = RNG.normal(size=(N, L, E))
    g = torch.tensor(RNG.normal(size=(N, L, E)), device=device)
    params = _params(layer, device, requires_grad=True)
    xs = make(x, device, requires_grad=True)
    (transformer_encoder_layer(xs, params, H, norm_first=norm_first) * g).sum().backward()
    xr = make(x, device, requires_grad=True)
    (layer(xr) * g).sum().backward()
    assert_close(xs.grad, xr.grad, rtol=1e-10, atol=1e-12)
    theirs = dict(layer.named_parameters())
    for k in ENCODER_LAYER_PARAMETERS:
        assert_close(params[k].grad, theirs[k].grad, rtol=1e-10, atol=1e-12)


def test_transformer_block_residual_and_norm_structure():
    # with the attention's and the feed-forward's output weights at zero, both sublayers
    # add only their output biases: post-norm is then LN2(LN1(x + b_o) + b_2)
    layer = _encoder_layer(False)
    p = _params(layer)
    p["self_attn.out_proj.weight"] = np.zeros((E, E))
    p["linear2.weight"] = np.zeros((E, FF))
    x = RNG.normal(size=(L, E))

    def ln(h, w, b):
        return (h - h.mean(-1, keepdims=True)) / np.sqrt(h.var(-1, keepdims=True) + 1e-5) * w + b

    y = ln(x + p["self_attn.out_proj.bias"], p["norm1.weight"], p["norm1.bias"])
    expected = ln(y + p["linear2.bias"], p["norm2.weight"], p["norm2.bias"])
    np.testing.assert_allclose(transformer_encoder_layer(x, p, H), expected, rtol=1e-12)
    pre = transformer_encoder_layer(x, p, H, norm_first=True)   # pre-norm: x + both biases
    np.testing.assert_allclose(pre, x + p["self_attn.out_proj.bias"] + p["linear2.bias"],
                               rtol=1e-12)


def test_bad_input_transformer_block():
    p = _params(_encoder_layer(False))
    x = RNG.normal(size=(N, L, E))
    with pytest.raises(ValueError, match="missing"):
        transformer_encoder_layer(x, {k: v for k, v in p.items() if k != "norm2.bias"}, H)
    with pytest.raises(TypeError, match="params"):
        transformer_encoder_layer(x, list(p.values()), H)
    with pytest.raises(ValueError, match="linear2.weight"):
        transformer_encoder_layer(x, {**p, "linear2.weight": np.zeros((E, FF + 1))}, H)
    with pytest.raises(ValueError, match="x must be"):
        transformer_encoder_layer(x[None], p, H)
    with pytest.raises(TypeError, match="norm_first"):
        transformer_encoder_layer(x, p, H, norm_first=1)
    with pytest.raises(ValueError, match="eps"):
        transformer_encoder_layer(x, p, H, eps=-1.0)
