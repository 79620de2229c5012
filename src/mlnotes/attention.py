r"""Attention: scaled dot-product, multi-head, cross-attention, a transformer block.

Scaled dot-product attention is softmax gating (:func:`mlnotes.gating.softmax_gate`)
whose logits are the similarities of a query with keys: each query takes a
softmax-weighted average of the values. Multi-head attention runs several of them on
slices of learned projections, as ``torch.nn.MultiheadAttention`` does; cross-attention
takes its queries from one sequence and its keys and values from another. A transformer
block wraps self-attention and a feed-forward network in residuals and layer norms, as
``torch.nn.TransformerEncoderLayer`` does, and a sinusoidal positional encoding tells it
where each token sits.

One body serves NumPy arrays and torch tensors (see :mod:`mlnotes.backend`).

Explained in the book: :doc:`/gating` (attention, multi-head attention) and
:doc:`/transformer` (cross-attention, the transformer block); presented in the deck
"Lecture: Gates and attention".

Shapes: ``N`` batch, ``L`` queries, ``S`` keys, ``E`` query/key features, ``H`` heads;
``...`` any batch dimensions.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np

from .activations import _relu, _softmax
from .backend import check_count, check_floating, check_number, device_of, namespace
from .gating import _broadcast
from .norm import layer_norm

__all__ = ["attention_weights", "scaled_dot_product_attention", "multi_head_attention",
           "cross_attention", "positional_encoding", "transformer_encoder_layer",
           "ENCODER_LAYER_PARAMETERS"]


def attention_weights(
    q: Any, k: Any, mask: Any = None, is_causal: bool = False, scale: float | None = None
) -> Any:
    r"""The attention matrix: how much each query takes from each key.

    .. math::
        A = \mathrm{softmax}\Big(\frac{q k^\top}{\sqrt{E}} + M\Big)

    row by row, where :math:`M` is 0 where a key takes part and
    :math:`-\infty` where it is masked. A row whose keys are *all* masked has
    no softmax (its sum would be 0); like
    ``torch.nn.functional.scaled_dot_product_attention`` (torch 2.5 and later)
    that row of weights is all zeros, and so is its gradient. Other rows are
    untouched: no NaN is produced anywhere.

    Args:
        q: queries, shape ``(..., L, E)``.
        k: keys, shape ``(..., S, E)``.
        mask: ``None``; a boolean array broadcastable to ``(..., L, S)``,
            True where the key *takes part*; or a floating-point array added
            to the scores (``-inf`` removes a key).
        is_causal: mask key ``j`` from query ``i`` when ``j > i`` (the lower
            triangle, aligned at the top left as in torch); not with ``mask``.
        scale: the factor on :math:`q k^\top`; :math:`1/\sqrt{E}` if ``None``.

    Returns:
        The weights, shape ``(..., L, S)``; each row sums to 1, or is all 0.

    Example:
        >>> import numpy as np
        >>> q = np.array([[1.0, 0.0], [0.0, 1.0]])
        >>> attention_weights(q, q, mask=np.array([[True, False], [False, False]]))
        array([[1., 0.],
               [0., 0.]])
    """
    xp, mask, scale = _check_attention(q, k, mask, is_causal, scale)
    return _attention_weights(xp, q, k, mask, scale)


def _check_attention(q: Any, k: Any, mask: Any, is_causal: Any, scale: Any
                     ) -> tuple[Any, Any, float]:
    """:func:`attention_weights`' checks: ``xp``, the mask (causal if asked), the scale."""
    for a, name in ((q, "q"), (k, "k")):
        check_floating(a, name)
        if a.ndim < 2:
            raise ValueError(
                f"{name} must have at least 2 dimensions (..., length, E), got shape "
                f"{tuple(a.shape)}"
            )
    xp = namespace(q, k, mask, names=("q", "k", "mask"), optional=("mask",))
    if q.shape[-1] != k.shape[-1]:
        raise ValueError(
            f"q and k must have the same feature size E, got {q.shape[-1]} and {k.shape[-1]}"
        )
    batch = _broadcast([tuple(q.shape[:-2]), tuple(k.shape[:-2])],
                       "the batch dimensions of q and k")
    L, S = q.shape[-2], k.shape[-2]
    scale = 1 / math.sqrt(q.shape[-1]) if scale is None else check_number(scale, "scale")
    if is_causal:
        if mask is not None:
            raise ValueError("pass either mask or is_causal=True, not both")
        # key j takes part for query i when j <= i
        mask = xp.tril(xp.ones((L, S), dtype=xp.bool, device=device_of(q)))
    elif mask is not None:
        if _broadcast([tuple(mask.shape), (*batch, L, S)], "mask and the scores") != (*batch, L, S):
            raise ValueError(
                f"mask must broadcast to the scores' shape (..., L, S) = {(*batch, L, S)}, "
                f"got shape {tuple(mask.shape)}"
            )
        _check_mask_dtype(xp, mask, "mask")
    return xp, mask, scale


def _check_mask_dtype(xp: Any, mask: Any, name: str) -> None:
    if mask.dtype != xp.bool and not xp.isdtype(mask.dtype, "real floating"):
        dtype = str(mask.dtype).removeprefix("torch.")
        raise TypeError(f"{name} must be boolean or floating-point, got {dtype}")


def _attention_weights(xp: Any, q: Any, k: Any, mask: Any, scale: float) -> Any:
    """The kernel of :func:`attention_weights`, for checked arguments (``mask`` True = kept)."""
    # scores = q k^T / sqrt(E), shape (..., L, S)
    scores = xp.matmul(q, xp.matrix_transpose(k)) * scale
    if mask is not None:
        # M = 0 where a key takes part, -inf where it is masked (or the float mask itself)
        scores = xp.where(mask, scores, -math.inf) if mask.dtype == xp.bool else scores + mask
    # a row with every key masked: give softmax zeros (no 0/0), then zero its weights
    dead = xp.all(scores == -math.inf, axis=-1, keepdims=True)
    scores = xp.where(dead, xp.zeros_like(scores), scores)
    return xp.where(dead, xp.zeros_like(scores), _softmax(xp, scores, scores.ndim - 1, 1.0))


def scaled_dot_product_attention(
    q: Any,
    k: Any,
    v: Any,
    mask: Any = None,
    is_causal: bool = False,
    scale: float | None = None,
) -> Any:
    r"""Scaled dot-product attention, as ``torch.nn.functional.scaled_dot_product_attention``.

    .. math::
        \mathrm{Attention}(q, k, v) = \mathrm{softmax}\Big(\frac{q k^\top}{\sqrt{E}}\Big)\, v

    Each query takes a softmax-weighted average of the values, weighted by how
    well it matches each key: softmax gating (:func:`softmax_gate`) with the
    values as candidates and :math:`q k^\top / \sqrt{E}` as logits. Dividing by
    :math:`\sqrt{E}` keeps the scores of random unit-variance vectors at unit
    variance, so the softmax does not saturate as ``E`` grows.

    Masks follow torch: a boolean ``mask`` is True where a key takes part, a
    floating-point ``mask`` is added to the scores. A query whose keys are all
    masked gets an output of zeros and a zero gradient (torch's behaviour since
    2.5); no NaN reaches any other row. ``dropout_p`` and ``enable_gqa`` are not
    provided.

    Args:
        q: queries, shape ``(..., L, E)``.
        k: keys, shape ``(..., S, E)``.
        v: values, shape ``(..., S, Ev)``.
        mask, is_causal, scale: as in :func:`attention_weights`.

    Returns:
        Shape ``(..., L, Ev)``.

    Example:
        >>> import numpy as np
        >>> q = np.array([[10.0, 0.0]])
        >>> k = np.array([[1.0, 0.0], [0.0, 1.0]])
        >>> v = np.array([[1.0], [-1.0]])
        >>> scaled_dot_product_attention(q, k, v).round(3)  # the first key wins
        array([[0.998]])
    """
    check_floating(v, "v")
    namespace(q, k, v, mask, names=("q", "k", "v", "mask"), optional=("mask",))
    if v.ndim < 2:
        raise ValueError(f"v must have at least 2 dimensions (..., S, Ev), got shape "
                         f"{tuple(v.shape)}")
    if k.ndim >= 2 and k.shape[-2] != v.shape[-2]:
        raise ValueError(
            f"k and v must have the same number of keys S, got {k.shape[-2]} and {v.shape[-2]}"
        )
    xp, mask, scale = _check_attention(q, k, mask, is_causal, scale)
    A = _attention_weights(xp, q, k, mask, scale)
    _broadcast([tuple(A.shape[:-2]), tuple(v.shape[:-2])], "the batch dimensions of q, k and v")
    # out_i = sum_j A_ij v_j
    return xp.matmul(A, v)


def multi_head_attention(
    query: Any,
    key: Any,
    value: Any,
    num_heads: int,
    in_proj_weight: Any,
    in_proj_bias: Any,
    out_proj_weight: Any,
    out_proj_bias: Any,
    attn_mask: Any = None,
    is_causal: bool = False,
    need_weights: bool = True,
    average_attn_weights: bool = True,
) -> tuple[Any, Any]:
    r"""Multi-head attention, the forward of ``torch.nn.MultiheadAttention(batch_first=True)``.

    .. math::
        \mathrm{head}_h = \mathrm{Attention}(Q W_q^{(h)\top}, K W_k^{(h)\top}, V W_v^{(h)\top}),
        \qquad
        \mathrm{out} = [\mathrm{head}_0, \dots, \mathrm{head}_{H-1}]\, W_o^\top + b_o

    The ``E`` features are projected to queries, keys and values (the three
    blocks of ``in_proj_weight``, torch's layout), cut into ``H`` heads of
    ``E / H`` features, each head runs scaled dot-product attention on its own
    slice (:func:`attention_weights`, then the weighted sum of the values, the
    two steps of :func:`scaled_dot_product_attention`, so that the weights can
    be returned), and the heads' outputs are concatenated and projected back.
    Heads are cheap: together they cost what one head of width ``E`` costs, but
    each can attend to something else.

    Masks follow ``nn.MultiheadAttention`` (not
    :func:`scaled_dot_product_attention`): a boolean ``attn_mask`` is True where
    a query may **not** attend, a floating-point one is added to the scores.
    ``is_causal=True`` without a mask builds the causal mask (torch requires the
    mask and takes the flag as a hint); self-attention with it is what GPT-style
    decoders use, without it what BERT-style encoders use.

    Args:
        query: ``(N, L, E)``, or ``(L, E)`` unbatched.
        key: ``(N, S, E)`` or ``(S, E)``.
        value: ``(N, S, E)`` or ``(S, E)``.
        num_heads: ``H``; must divide ``E``.
        in_proj_weight: ``(3E, E)``, the query, key and value projections stacked.
        in_proj_bias: ``(3E,)`` or ``None``.
        out_proj_weight: ``(E, E)``.
        out_proj_bias: ``(E,)`` or ``None``.
        attn_mask: ``None``, or ``(L, S)`` / ``(N * H, L, S)``, boolean or float.
        is_causal: mask key ``j`` from query ``i`` when ``j > i``.
        need_weights: also return the attention weights.
        average_attn_weights: average the weights over the heads (torch's default).

    Returns:
        ``(out, weights)``: ``out`` of the query's shape; ``weights`` ``(N, L, S)``
        (averaged) or ``(N, H, L, S)``, without ``N`` when unbatched, or ``None``.

    Example:
        >>> import numpy as np
        >>> rng = np.random.default_rng(0)
        >>> x = rng.normal(size=(5, 4))                       # 5 tokens, E = 4
        >>> w_in, w_out = rng.normal(size=(12, 4)), rng.normal(size=(4, 4))
        >>> out, A = multi_head_attention(x, x, x, 2, w_in, None, w_out, None, is_causal=True)
        >>> out.shape, A.shape, bool(np.all(np.triu(A, 1) == 0))
        ((5, 4), (5, 5), True)
    """
    xp, H = _check_multi_head_attention(query, key, value, num_heads, in_proj_weight,
                                        in_proj_bias, out_proj_weight, out_proj_bias, attn_mask)
    E = query.shape[-1]
    w_q, w_k, w_v = in_proj_weight[:E, :], in_proj_weight[E:2 * E, :], in_proj_weight[2 * E:, :]
    return _multi_head(xp, query, key, value, H, (w_q, w_k, w_v), in_proj_bias,
                       out_proj_weight, out_proj_bias, attn_mask, is_causal, need_weights,
                       average_attn_weights)


def _multi_head(xp: Any, query: Any, key: Any, value: Any, H: int, proj: tuple[Any, Any, Any],
                in_proj_bias: Any, out_proj_weight: Any, out_proj_bias: Any, attn_mask: Any,
                is_causal: bool, need_weights: bool, average_attn_weights: bool
                ) -> tuple[Any, Any]:
    """The kernel of :func:`multi_head_attention` and :func:`cross_attention` (checked input)."""
    E = out_proj_weight.shape[0]                    # the model width: queries' features
    N = query.shape[0] if query.ndim == 3 else 1
    L, S = query.shape[-2], key.shape[-2]
    unbatched = query.ndim == 2
    if unbatched:
        query, key, value = (xp.expand_dims(t, axis=0) for t in (query, key, value))
    D = E // H                                      # features per head

    def project(x, block):
        # x W^T + b with the block-th projection, (N, T, E_in) -> (N, T, E)
        y = xp.matmul(x, xp.matrix_transpose(proj[block]))
        if in_proj_bias is not None:
            y = y + in_proj_bias[block * E:(block + 1) * E]
        # (N, T, E) -> (N, T, H, D) -> (N, H, T, D): one slice of features per head
        return xp.permute_dims(xp.reshape(y, (N, x.shape[1], H, D)), (0, 2, 1, 3))

    q, k, v = project(query, 0), project(key, 1), project(value, 2)

    mask = None
    if attn_mask is not None:
        if attn_mask.ndim == 3:  # (N * H, L, S), torch's per-head layout
            attn_mask = xp.reshape(attn_mask, (N, H, L, S))
        # torch's MultiheadAttention: True = may not attend; ours: True = takes part
        mask = xp.logical_not(attn_mask) if attn_mask.dtype == xp.bool else attn_mask
    elif is_causal:
        mask = xp.asarray(np.tril(np.ones((L, S), dtype=bool)), device=device_of(query))
    # A_h = softmax(q_h k_h^T / sqrt(D) + M), every head at once
    A = _attention_weights(xp, q, k, mask, 1 / math.sqrt(D))  # (N, H, L, S)
    # head_h = A_h v_h
    heads = xp.matmul(A, v)                         # (N, H, L, D)
    # concatenate the heads: (N, H, L, D) -> (N, L, H, D) -> (N, L, E)
    joined = xp.reshape(xp.permute_dims(heads, (0, 2, 1, 3)), (N, L, E))
    # out = [head_0, ..., head_{H-1}] W_o^T + b_o
    out = xp.matmul(joined, xp.matrix_transpose(out_proj_weight))
    if out_proj_bias is not None:
        out = out + out_proj_bias
    weights = None
    if need_weights:
        weights = xp.mean(A, axis=1) if average_attn_weights else A
    if unbatched:
        out = out[0, ...]
        weights = None if weights is None else weights[0, ...]
    return out, weights


def _check_multi_head_attention(query: Any, key: Any, value: Any, num_heads: Any,
                                in_proj_weight: Any, in_proj_bias: Any, out_proj_weight: Any,
                                out_proj_bias: Any, attn_mask: Any) -> tuple[Any, int]:
    """:func:`multi_head_attention`'s checks; returns ``xp`` and the number of heads ``H``."""
    names = ("query", "key", "value", "in_proj_weight", "in_proj_bias", "out_proj_weight",
             "out_proj_bias", "attn_mask")
    arrays = (query, key, value, in_proj_weight, in_proj_bias, out_proj_weight, out_proj_bias,
              attn_mask)
    xp = namespace(*arrays, names=names,
                   optional=("in_proj_bias", "out_proj_bias", "attn_mask"))
    for a, name in zip(arrays[:7], names[:7], strict=True):
        if a is not None:
            check_floating(a, name)
    if query.ndim not in (2, 3) or key.ndim != query.ndim or value.ndim != query.ndim:
        raise ValueError(
            "query, key and value must all be (N, L, E) or all (L, E), got shapes "
            f"{tuple(query.shape)}, {tuple(key.shape)}, {tuple(value.shape)}")
    E = query.shape[-1]
    H = check_count(num_heads, "num_heads")
    if E % H:
        raise ValueError(f"num_heads must divide the embedding size E = {E}, got {H}")
    if key.shape[-1] != E or value.shape[-1] != E or key.shape[-2] != value.shape[-2]:
        raise ValueError(f"key and value must be (..., S, E) with E = {E} and the same S, "
                         f"got {tuple(key.shape)} and {tuple(value.shape)}")
    if query.ndim == 3 and not query.shape[0] == key.shape[0] == value.shape[0]:
        raise ValueError(f"query, key and value must have the same batch size N, got "
                         f"{query.shape[0]}, {key.shape[0]} and {value.shape[0]}")
    _check_projections(((in_proj_weight, "in_proj_weight", "(3E, E)", (3 * E, E)),),
                       in_proj_bias, out_proj_weight, out_proj_bias, E)
    _check_attn_mask(xp, attn_mask, query, key, H)
    return xp, H


def _check_projections(weights: tuple, in_proj_bias: Any, out_proj_weight: Any,
                       out_proj_bias: Any, E: int) -> None:
    # the input projections' weights (each (array, name, symbol, shape)), then the parts
    # every multi-head attention has: the input bias (3E,), the output projection (E, E), (E,)
    for a, name, symbol, shape in (*weights,
                                   (in_proj_bias, "in_proj_bias", "(3E,)", (3 * E,)),
                                   (out_proj_weight, "out_proj_weight", "(E, E)", (E, E)),
                                   (out_proj_bias, "out_proj_bias", "(E,)", (E,))):
        if a is not None and tuple(a.shape) != shape:
            raise ValueError(f"{name} must have shape {symbol} = {shape}, got {tuple(a.shape)}")


def _check_attn_mask(xp: Any, attn_mask: Any, query: Any, key: Any, H: int) -> None:
    # a mask for every head alike (L, S), or one per sample and head (N * H, L, S)
    if attn_mask is None:
        return
    N = query.shape[0] if query.ndim == 3 else 1
    L, S = query.shape[-2], key.shape[-2]
    if tuple(attn_mask.shape) not in ((L, S), (N * H, L, S)):
        raise ValueError(f"attn_mask must have shape (L, S) = {(L, S)} or "
                         f"(N * H, L, S) = {(N * H, L, S)}, got {tuple(attn_mask.shape)}")
    _check_mask_dtype(xp, attn_mask, "attn_mask")


def cross_attention(
    x: Any,
    context: Any,
    num_heads: int,
    q_proj_weight: Any,
    k_proj_weight: Any,
    v_proj_weight: Any,
    in_proj_bias: Any,
    out_proj_weight: Any,
    out_proj_bias: Any,
    attn_mask: Any = None,
    need_weights: bool = True,
    average_attn_weights: bool = True,
) -> tuple[Any, Any]:
    r"""Cross-attention: queries from one sequence, keys and values from another.

    .. math::
        Q = x W_q^\top, \quad K = c\, W_k^\top, \quad V = c\, W_v^\top, \qquad
        \mathrm{out} = \mathrm{MultiHead}(Q, K, V)\, W_o^\top + b_o

    Each position of ``x`` (say, the French sentence a translator is writing)
    asks a question, and the answer is a weighted average over the positions of
    ``context`` (the English sentence it translates): the weights say which
    source words each target word reads. The two sequences may differ in length
    and in width: this is ``torch.nn.MultiheadAttention(E, H, kdim=C, vdim=C,
    batch_first=True)`` called as ``mha(x, context, context)``, with its
    separate projection weights. Self-attention is the case ``context = x``.

    Args:
        x: the queries' sequence, ``(N, L, E)`` or ``(L, E)``.
        context: the keys' and values' sequence, ``(N, S, C)`` or ``(S, C)``.
        num_heads: ``H``; must divide ``E``.
        q_proj_weight: :math:`W_q`, ``(E, E)``.
        k_proj_weight: :math:`W_k`, ``(E, C)``.
        v_proj_weight: :math:`W_v`, ``(E, C)``.
        in_proj_bias: ``(3E,)``, the three biases stacked, or ``None``.
        out_proj_weight: :math:`W_o`, ``(E, E)``.
        out_proj_bias: :math:`b_o`, ``(E,)`` or ``None``.
        attn_mask: as in :func:`multi_head_attention` (``True`` = may not attend).
        need_weights, average_attn_weights: as in :func:`multi_head_attention`.

    Returns:
        ``(out, weights)``: ``out`` of shape ``(N, L, E)``; ``weights``
        ``(N, L, S)`` (averaged over the heads) or ``(N, H, L, S)``, without ``N``
        when unbatched, or ``None``.

    Example:
        >>> import numpy as np
        >>> rng = np.random.default_rng(0)
        >>> target, source = rng.normal(size=(3, 4)), rng.normal(size=(5, 6))
        >>> w = [rng.normal(size=s) for s in ((4, 4), (4, 6), (4, 6), (4, 4))]
        >>> out, A = cross_attention(target, source, 2, w[0], w[1], w[2], None, w[3], None)
        >>> out.shape, A.shape, bool(np.allclose(A.sum(axis=-1), 1))
        ((3, 4), (3, 5), True)
    """
    names = ("x", "context", "q_proj_weight", "k_proj_weight", "v_proj_weight",
             "in_proj_bias", "out_proj_weight", "out_proj_bias", "attn_mask")
    arrays = (x, context, q_proj_weight, k_proj_weight, v_proj_weight, in_proj_bias,
              out_proj_weight, out_proj_bias, attn_mask)
    xp = namespace(*arrays, names=names, optional=("in_proj_bias", "out_proj_bias", "attn_mask"))
    for a, name in zip(arrays[:8], names[:8], strict=True):
        if a is not None:
            check_floating(a, name)
    if x.ndim not in (2, 3) or context.ndim != x.ndim:
        raise ValueError(f"x and context must both be (N, T, features) or both (T, features), "
                         f"got shapes {tuple(x.shape)} and {tuple(context.shape)}")
    if x.ndim == 3 and x.shape[0] != context.shape[0]:
        raise ValueError(f"x and context must have the same batch size N, got "
                         f"{x.shape[0]} and {context.shape[0]}")
    E, C = x.shape[-1], context.shape[-1]
    H = check_count(num_heads, "num_heads")
    if E % H:
        raise ValueError(f"num_heads must divide the embedding size E = {E}, got {H}")
    _check_projections(((q_proj_weight, "q_proj_weight", "(E, E)", (E, E)),
                        (k_proj_weight, "k_proj_weight", "(E, C)", (E, C)),
                        (v_proj_weight, "v_proj_weight", "(E, C)", (E, C))),
                       in_proj_bias, out_proj_weight, out_proj_bias, E)
    _check_attn_mask(xp, attn_mask, x, context, H)
    return _multi_head(xp, x, context, context, H,
                       (q_proj_weight, k_proj_weight, v_proj_weight), in_proj_bias,
                       out_proj_weight, out_proj_bias, attn_mask, False, need_weights,
                       average_attn_weights)


def positional_encoding(length: int, d_model: int, base: float = 10000.0) -> np.ndarray:
    r"""The sinusoidal positional encoding of *Attention is all you need*.

    .. math::
        P_{t, 2i} = \sin\big(t / b^{2i/E}\big), \qquad
        P_{t, 2i+1} = \cos\big(t / b^{2i/E}\big)

    Attention treats its keys as a set: permute the tokens and each output is
    permuted the same way. Adding :math:`P` to the token embeddings tells the
    model where each token sits. Each pair of features is a clock turning at its
    own speed, from once every :math:`2\pi` positions to once every
    :math:`2\pi b` positions, so a shift by :math:`k` positions is the same
    rotation of every row: :math:`P_{t+k}` is a fixed linear map of :math:`P_t`.

    Args:
        length: :math:`L`, the number of positions ``t = 0, ..., L - 1``.
        d_model: :math:`E`, the number of features; even.
        base: :math:`b > 1`, the longest wavelength over :math:`2\pi`.

    Returns:
        A NumPy array of shape ``(L, E)``, float64, in :math:`[-1, 1]`.

    Example:
        >>> P = positional_encoding(3, 4)
        >>> P.round(3)
        array([[ 0.   ,  1.   ,  0.   ,  1.   ],
               [ 0.841,  0.54 ,  0.01 ,  1.   ],
               [ 0.909, -0.416,  0.02 ,  1.   ]])
    """
    length, d_model = check_count(length, "length"), check_count(d_model, "d_model")
    if d_model % 2:
        raise ValueError(f"d_model must be even, got {d_model}")
    base = check_number(base, "base", low=1.0, low_open=True)
    t = np.arange(length, dtype=np.float64)[:, None]           # (L, 1) positions
    # the angular speed of pair i: 1 / b^(2i/E)
    speed = base ** (-np.arange(0, d_model, 2, dtype=np.float64) / d_model)   # (E/2,)
    P = np.empty((length, d_model))
    P[:, 0::2] = np.sin(t * speed)
    P[:, 1::2] = np.cos(t * speed)
    return P


#: The parameters of :func:`transformer_encoder_layer`, by their names in
#: ``torch.nn.TransformerEncoderLayer.state_dict()``.
ENCODER_LAYER_PARAMETERS = (
    "self_attn.in_proj_weight", "self_attn.in_proj_bias",
    "self_attn.out_proj.weight", "self_attn.out_proj.bias",
    "linear1.weight", "linear1.bias", "linear2.weight", "linear2.bias",
    "norm1.weight", "norm1.bias", "norm2.weight", "norm2.bias",
)


def transformer_encoder_layer(
    x: Any,
    params: Mapping[str, Any],
    num_heads: int,
    norm_first: bool = False,
    eps: float = 1e-5,
    attn_mask: Any = None,
    is_causal: bool = False,
) -> Any:
    r"""A transformer block, the forward of ``torch.nn.TransformerEncoderLayer`` without dropout.

    .. math::
        \text{post-norm:}\quad & y = \mathrm{LN}_1(x + \mathrm{MHA}(x)), \quad
        \mathrm{out} = \mathrm{LN}_2(y + \mathrm{FF}(y)) \\
        \text{pre-norm:}\quad & y = x + \mathrm{MHA}(\mathrm{LN}_1(x)), \quad
        \mathrm{out} = y + \mathrm{FF}(\mathrm{LN}_2(y))

    with :math:`\mathrm{FF}(y) = \mathrm{ReLU}(y W_1^\top + b_1)\, W_2^\top + b_2`. Two
    sublayers, each wrapped in a residual connection and a layer norm: multi-head
    self-attention (:func:`multi_head_attention`) mixes information *across*
    positions, the feed-forward network transforms each position on its own. The
    residuals let each sublayer learn a change to its input rather than a new
    representation. ``norm_first=False`` is the original post-norm layout;
    ``norm_first=True`` (pre-norm) leaves the residual path free of
    normalisation, which trains deep stacks more stably. Written from the
    package's parts: :func:`multi_head_attention`, :func:`mlnotes.norm.layer_norm`
    and :func:`mlnotes.activations.relu`.

    Args:
        x: tokens, ``(N, L, E)`` or ``(L, E)``.
        params: the weights, keyed by :data:`ENCODER_LAYER_PARAMETERS` (torch's
            names: ``layer.state_dict()`` fits): the attention's, ``linear1``
            ``(F, E)`` and ``(F,)``, ``linear2`` ``(E, F)`` and ``(E,)``, and the
            two layer norms' ``(E,)`` weights and biases.
        num_heads: ``H``; must divide ``E``.
        norm_first: pre-norm if True, post-norm (torch's default) if False.
        eps: the layer norms' :math:`\epsilon \ge 0`.
        attn_mask, is_causal: as in :func:`multi_head_attention`.

    Returns:
        The output, the shape of ``x``.

    Example:
        >>> import numpy as np
        >>> rng = np.random.default_rng(0)
        >>> E, F = 4, 8
        >>> shapes = [(3 * E, E), (3 * E,), (E, E), (E,), (F, E), (F,), (E, F), (E,),
        ...           (E,), (E,), (E,), (E,)]
        >>> params = {k: rng.normal(size=s) for k, s in zip(ENCODER_LAYER_PARAMETERS, shapes)}
        >>> params["norm2.weight"], params["norm2.bias"] = np.ones(E), np.zeros(E)
        >>> out = transformer_encoder_layer(rng.normal(size=(5, E)), params, num_heads=2)
        >>> out.shape, bool(np.allclose(out.mean(axis=-1), 0))  # post-norm: LN last
        ((5, 4), True)
    """
    if not isinstance(params, Mapping):
        raise TypeError(f"params must be a mapping of torch's parameter names to arrays, "
                        f"got {type(params).__name__}")
    missing = [k for k in ENCODER_LAYER_PARAMETERS if k not in params]
    if missing:
        raise ValueError(f"params is missing {missing}")
    p = {k: params[k] for k in ENCODER_LAYER_PARAMETERS}
    xp = namespace(x, *p.values(), names=("x", *ENCODER_LAYER_PARAMETERS))
    check_floating(x, "x")
    if x.ndim not in (2, 3):
        raise ValueError(f"x must be (N, L, E) or (L, E), got shape {tuple(x.shape)}")
    E = x.shape[-1]
    F_ = p["linear1.weight"].shape[0] if p["linear1.weight"].ndim == 2 else -1
    for name, shape in (("linear1.weight", (F_, E)), ("linear1.bias", (F_,)),
                        ("linear2.weight", (E, F_)), ("linear2.bias", (E,))):
        if tuple(p[name].shape) != shape:
            raise ValueError(f"params[{name!r}] must have shape {shape}, got "
                             f"{tuple(p[name].shape)}")
    if not isinstance(norm_first, bool):
        raise TypeError(f"norm_first must be a bool, got {type(norm_first).__name__}")
    eps = check_number(eps, "eps", low=0.0)
    # the attention's and the layer norms' shapes are checked by their own doors
    H = check_count(num_heads, "num_heads")

    def attend(h):
        return multi_head_attention(h, h, h, H, p["self_attn.in_proj_weight"],
                                    p["self_attn.in_proj_bias"], p["self_attn.out_proj.weight"],
                                    p["self_attn.out_proj.bias"], attn_mask=attn_mask,
                                    is_causal=is_causal, need_weights=False)[0]

    def feed_forward(h):
        # FF(h) = ReLU(h W_1^T + b_1) W_2^T + b_2, each position on its own
        hidden = _relu(xp, xp.matmul(h, xp.matrix_transpose(p["linear1.weight"]))
                       + p["linear1.bias"])
        return xp.matmul(hidden, xp.matrix_transpose(p["linear2.weight"])) + p["linear2.bias"]

    def norm(h, i):
        return layer_norm(h, E, p[f"norm{i}.weight"], p[f"norm{i}.bias"], eps=eps)

    if norm_first:
        # pre-norm: y = x + MHA(LN1(x)), out = y + FF(LN2(y))
        y = x + attend(norm(x, 1))
        return y + feed_forward(norm(y, 2))
    # post-norm: y = LN1(x + MHA(x)), out = LN2(y + FF(y))
    y = norm(x + attend(x), 1)
    return norm(y + feed_forward(y), 2)
