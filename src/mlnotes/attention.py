r"""Attention: scaled dot-product attention, multi-head attention.

Scaled dot-product attention is softmax gating (:func:`mlnotes.gating.softmax_gate`)
whose logits are the similarities of a query with keys: each query takes a
softmax-weighted average of the values. Multi-head attention runs several of them on
slices of learned projections, as ``torch.nn.MultiheadAttention`` does.

One body serves NumPy arrays and torch tensors (see :mod:`mlnotes.backend`).

Explained in the book: :doc:`/gating` (attention, multi-head attention); presented in
the deck "Lecture: Gates and attention".

Shapes: ``N`` batch, ``L`` queries, ``S`` keys, ``E`` query/key features, ``H`` heads;
``...`` any batch dimensions.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .activations import _softmax
from .backend import check_count, check_floating, check_number, device_of, namespace
from .gating import _broadcast

__all__ = ["attention_weights", "scaled_dot_product_attention", "multi_head_attention"]


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
    N = query.shape[0] if query.ndim == 3 else 1
    L, S = query.shape[-2], key.shape[-2]
    unbatched = query.ndim == 2
    if unbatched:
        query, key, value = (xp.expand_dims(t, axis=0) for t in (query, key, value))
    D = E // H                                      # features per head

    def project(x, block):
        # x W^T + b with the block-th E rows of the stacked projection
        y = xp.matmul(x, xp.matrix_transpose(in_proj_weight[block * E:(block + 1) * E, :]))
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
    for a, name, symbol, shape in ((in_proj_weight, "in_proj_weight", "(3E, E)", (3 * E, E)),
                                   (in_proj_bias, "in_proj_bias", "(3E,)", (3 * E,)),
                                   (out_proj_weight, "out_proj_weight", "(E, E)", (E, E)),
                                   (out_proj_bias, "out_proj_bias", "(E,)", (E,))):
        if a is not None and tuple(a.shape) != shape:
            raise ValueError(f"{name} must have shape {symbol} = {shape}, got {tuple(a.shape)}")
    N = query.shape[0] if query.ndim == 3 else 1
    L, S = query.shape[-2], key.shape[-2]
    if attn_mask is not None:
        if tuple(attn_mask.shape) not in ((L, S), (N * H, L, S)):
            raise ValueError(f"attn_mask must have shape (L, S) = {(L, S)} or "
                             f"(N * H, L, S) = {(N * H, L, S)}, got {tuple(attn_mask.shape)}")
        _check_mask_dtype(xp, attn_mask, "attn_mask")
    return xp, H
