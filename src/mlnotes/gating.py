r"""Gates: soft gates, softmax gating, attention and the multiplicative (bilinear) layer.

A gate lets one signal decide how much of another gets through. The soft gate
mixes two candidates with a sigmoid, softmax gating mixes ``K`` candidates with
a softmax, and scaled dot-product attention is softmax gating whose logits are
the similarities of a query with keys. All of them multiply two signals, which
makes them special cases of the multiplicative (bilinear, or quadratic) layer
:math:`y_i = \sum_{jk} W_{ijk}\, x_j z_k`.

One body serves NumPy arrays and torch tensors (see :mod:`mlnotes.backend`);
:class:`GatedNetwork` is a ``torch.nn.Module`` built from :func:`soft_gate`.

Explained in the book: :doc:`/gating` (gates, softmax gating, attention, multi-head
attention) and :doc:`/architectures` (multiplicative modules); presented in the decks
"Lecture: Gates and attention" and "Lecture: Architectures".

Shapes: ``N`` batch, ``K`` candidates, ``D`` features, ``L`` queries, ``S`` keys,
``E`` query/key features, ``O`` outputs; ``...`` any batch dimensions.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from . import autograd
from .activations import sigmoid, softmax
from .backend import check_count, check_floating, check_number, device_of, import_torch, namespace
from .losses import mse_loss
from .optim import Adam
from .training import fit

torch = import_torch()

__all__ = [
    "soft_gate",
    "soft_gate_backward",
    "softmax_gate",
    "attention_weights",
    "scaled_dot_product_attention",
    "multi_head_attention",
    "bilinear",
    "switch_weight",
    "GatedNetwork",
    "train_gated_network",
    "branch_gradient_norms",
]


def _broadcast(shapes: list[tuple[int, ...]], what: str) -> tuple[int, ...]:
    """np.broadcast_shapes with an error message that says what did not line up."""
    try:
        return tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        listing = ", ".join(str(tuple(s)) for s in shapes)
        raise ValueError(f"{what} do not broadcast: {listing}") from None


# ------------------------------------------------------------------------- soft gate


def soft_gate(x: Any, y: Any, r: Any) -> Any:
    r"""The soft gate: a sigmoid of ``r`` chooses between ``x`` and ``y``.

    .. math::
        f(x, y, r) = x\,\sigma(r) + y\,(1 - \sigma(r))

    For large positive ``r`` the output is ``x``, for large negative ``r`` it
    is ``y``, and in between it is a blend. Because the choice is smooth, the
    gate's input ``r`` receives a gradient and can be learned.

    Args:
        x: the candidate chosen when :math:`r \to +\infty`.
        y: the candidate chosen when :math:`r \to -\infty`; same shape as ``x``.
        r: the gate's logit, same shape as ``x``.

    Returns:
        The gated mixture, same shape as ``x``.

    Example:
        >>> import numpy as np
        >>> soft_gate(np.array([1.0, 1.0, 1.0]), np.array([-1.0, -1.0, -1.0]),
        ...           np.array([-50.0, 0.0, 50.0]))
        array([-1.,  0.,  1.])
    """
    for a, name in ((x, "x"), (y, "y"), (r, "r")):
        check_floating(a, name)
    namespace(x, y, r, names=("x", "y", "r"))
    if not tuple(x.shape) == tuple(y.shape) == tuple(r.shape):
        raise ValueError(
            f"x, y and r must have the same shape, got {tuple(x.shape)}, "
            f"{tuple(y.shape)} and {tuple(r.shape)}"
        )
    s = sigmoid(r)
    # f = x s + y (1 - s)
    return x * s + y * (1 - s)


def soft_gate_backward(grad: Any, x: Any, y: Any, r: Any) -> tuple[Any, Any, Any]:
    r"""Backward of :func:`soft_gate`: the three partials times the incoming gradient.

    .. math::
        \frac{\partial f}{\partial x} = \sigma(r), \qquad
        \frac{\partial f}{\partial y} = 1 - \sigma(r), \qquad
        \frac{\partial f}{\partial r} = (x - y)\,\sigma'(r) = (x - y)\,\sigma(r)(1 - \sigma(r))

    The gate controls the gradient flow: a branch that the gate shuts
    (:math:`\sigma(r) \approx 0` for ``x``) receives almost no gradient, and
    the gate itself learns only while the two candidates differ and it is not
    saturated.

    Args:
        grad: gradient of the loss with respect to the output.
        x, y, r: the inputs of the forward call.

    Returns:
        ``(grad_x, grad_y, grad_r)``.

    Example:
        >>> import numpy as np
        >>> gx, gy, gr = soft_gate_backward(np.ones(1), np.array([3.0]), np.array([1.0]),
        ...                                 np.zeros(1))
        >>> gx, gy, gr
        (array([0.5]), array([0.5]), array([0.5]))
    """
    namespace(grad, x, y, r, names=("grad", "x", "y", "r"))
    s = sigmoid(r)
    return grad * s, grad * (1 - s), grad * (x - y) * s * (1 - s)


soft_gate = autograd.register(soft_gate, soft_gate_backward, wrt=("x", "y", "r"))


# ------------------------------------------------------------------- softmax gating


def softmax_gate(X: Any, R: Any) -> Any:
    r"""Softmax gating: mix ``K`` candidates with the weights :math:`\mathrm{softmax}(R)`.

    .. math::
        f(X, R) = \sum_{k=1}^{K} \mathrm{softmax}(R)_k\, X_k = X^\top \mathrm{softmax}(R)

    where :math:`X_k` is the ``k``-th candidate (a row of ``X``). With
    :math:`R = q K^\top / \sqrt{E}` and ``X`` the values this is exactly
    :func:`scaled_dot_product_attention`. The batch dimensions of ``X`` and
    ``R`` broadcast, so one set of candidates can serve many gates.

    Args:
        X: candidates, shape ``(..., K, D)``.
        R: gate logits, shape ``(..., K)``.

    Returns:
        The mixture, shape ``(..., D)``.

    Example:
        >>> import numpy as np
        >>> X = np.array([[1.0, 0.0], [0.0, 1.0], [5.0, 5.0]])
        >>> softmax_gate(X, np.array([0.0, 0.0, -np.inf]))
        array([0.5, 0.5])
    """
    check_floating(X, "X")
    check_floating(R, "R")
    xp = namespace(X, R, names=("X", "R"))
    if X.ndim < 2:
        raise ValueError(f"X must have shape (..., K, D), got shape {tuple(X.shape)}")
    if R.ndim < 1 or R.shape[-1] != X.shape[-2]:
        raise ValueError(
            f"R must have shape (..., K) with K = X.shape[-2] = {X.shape[-2]}, "
            f"got shape {tuple(R.shape)}"
        )
    _broadcast([tuple(X.shape[:-2]), tuple(R.shape[:-1])], "the batch dimensions of X and R")
    p = softmax(R, axis=-1)
    # f = sum_k p_k X_k
    return xp.sum(p[..., None] * X, axis=-2)


# ------------------------------------------------------------------------- attention


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
    for a, name in ((q, "q"), (k, "k")):
        check_floating(a, name)
        if a.ndim < 2:
            raise ValueError(
                f"{name} must have at least 2 dimensions (..., length, E), got shape "
                f"{tuple(a.shape)}"
            )
    xp = namespace(q, k, mask, names=("q", "k", "mask"))
    if q.shape[-1] != k.shape[-1]:
        raise ValueError(
            f"q and k must have the same feature size E, got {q.shape[-1]} and {k.shape[-1]}"
        )
    batch = _broadcast([tuple(q.shape[:-2]), tuple(k.shape[:-2])],
                       "the batch dimensions of q and k")
    L, S = q.shape[-2], k.shape[-2]
    if scale is None:
        scale = 1 / math.sqrt(q.shape[-1])
    else:
        scale = check_number(scale, "scale")
    if is_causal:
        if mask is not None:
            raise ValueError("pass either mask or is_causal=True, not both")
        # key j takes part for query i when j <= i
        mask = xp.tril(xp.ones((L, S), dtype=xp.bool, device=device_of(q)))
    # scores = q k^T / sqrt(E), shape (..., L, S)
    scores = xp.matmul(q, xp.matrix_transpose(k)) * scale
    if mask is not None:
        if _broadcast([tuple(mask.shape), (*batch, L, S)], "mask and the scores") != (*batch, L, S):
            raise ValueError(
                f"mask must broadcast to the scores' shape (..., L, S) = {(*batch, L, S)}, "
                f"got shape {tuple(mask.shape)}"
            )
        if mask.dtype == xp.bool:
            scores = xp.where(mask, scores, -math.inf)
        elif xp.isdtype(mask.dtype, "real floating"):
            scores = scores + mask
        else:
            dtype = str(mask.dtype).removeprefix("torch.")
            raise TypeError(f"mask must be boolean or floating-point, got {dtype}")
    # a row with every key masked: give softmax zeros (no 0/0), then zero its weights
    dead = xp.all(scores == -math.inf, axis=-1, keepdims=True)
    scores = xp.where(dead, xp.zeros_like(scores), scores)
    return xp.where(dead, xp.zeros_like(scores), softmax(scores, axis=-1))


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
    xp = namespace(q, k, v, mask, names=("q", "k", "v", "mask"))
    if v.ndim < 2:
        raise ValueError(f"v must have at least 2 dimensions (..., S, Ev), got shape "
                         f"{tuple(v.shape)}")
    if k.ndim >= 2 and k.shape[-2] != v.shape[-2]:
        raise ValueError(
            f"k and v must have the same number of keys S, got {k.shape[-2]} and {v.shape[-2]}"
        )
    A = attention_weights(q, k, mask=mask, is_causal=is_causal, scale=scale)
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
    names = ("query", "key", "value", "in_proj_weight", "in_proj_bias", "out_proj_weight",
             "out_proj_bias", "attn_mask")
    arrays = (query, key, value, in_proj_weight, in_proj_bias, out_proj_weight, out_proj_bias,
              attn_mask)
    xp = namespace(*arrays, names=names)
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
    if attn_mask is not None and tuple(attn_mask.shape) not in ((L, S), (N * H, L, S)):
        raise ValueError(f"attn_mask must have shape (L, S) = {(L, S)} or "
                         f"(N * H, L, S) = {(N * H, L, S)}, got {tuple(attn_mask.shape)}")
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
    A = attention_weights(q, k, mask=mask)          # (N, H, L, S)
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


# ----------------------------------------------------------- the multiplicative layer


def bilinear(x1: Any, x2: Any, weight: Any, bias: Any = None) -> Any:
    r"""The multiplicative (bilinear, or quadratic) layer, as ``torch.nn.functional.bilinear``.

    .. math::
        y_i = \sum_{j,k} W_{ijk}\, x_{1,j}\, x_{2,k} + b_i

    Read it as a linear layer :math:`y = V x_1` whose weights
    :math:`V_{ij} = \sum_k W_{ijk} x_{2,k}` are computed from the second input:
    one input sets the weights that act on the other. Gates, softmax gating and
    attention are all special cases (see :func:`switch_weight`).

    Args:
        x1: shape ``(..., D1)``.
        x2: shape ``(..., D2)``, the same batch dimensions as ``x1``.
        weight: :math:`W`, shape ``(O, D1, D2)``.
        bias: :math:`b`, shape ``(O,)``, or ``None``.

    Returns:
        Shape ``(..., O)``.

    Example:
        >>> import numpy as np
        >>> W = np.ones((1, 1, 1))  # y = x1 * x2: a product, which no linear layer makes
        >>> bilinear(np.array([[2.0], [3.0]]), np.array([[4.0], [-1.0]]), W)
        array([[ 8.],
               [-3.]])
    """
    for a, name in ((x1, "x1"), (x2, "x2"), (weight, "weight")):
        check_floating(a, name)
    xp = namespace(x1, x2, weight, bias, names=("x1", "x2", "weight", "bias"))
    if weight.ndim != 3:
        raise ValueError(f"weight must have shape (O, D1, D2), got shape {tuple(weight.shape)}")
    O, D1, D2 = weight.shape
    if x1.ndim < 1 or x1.shape[-1] != D1:
        raise ValueError(f"x1 must have shape (..., D1) with D1 = {D1}, got {tuple(x1.shape)}")
    if x2.ndim < 1 or x2.shape[-1] != D2:
        raise ValueError(f"x2 must have shape (..., D2) with D2 = {D2}, got {tuple(x2.shape)}")
    if tuple(x1.shape[:-1]) != tuple(x2.shape[:-1]):
        raise ValueError(
            f"x1 and x2 must have the same batch dimensions, got {tuple(x1.shape)} "
            f"and {tuple(x2.shape)}"
        )
    if bias is not None and tuple(bias.shape) != (O,):
        raise ValueError(f"bias must have shape (O,) = ({O},), got {tuple(bias.shape)}")
    # y_i = sum_jk W_ijk x1_j x2_k
    y = xp.einsum("ijk,...j,...k->...i", weight, x1, x2)
    return y if bias is None else y + bias


def switch_weight(size: int, num_inputs: int = 2) -> np.ndarray:
    r"""The fixed :math:`W` that turns :func:`bilinear` into a switch between inputs.

    With ``x1`` the concatenation :math:`[x^{(1)}; \dots; x^{(K)}]` of ``K``
    inputs of size ``D`` and ``x2`` a weight vector :math:`a` (say
    :math:`a = \mathrm{softmax}(z)`),

    .. math::
        W_{i,\,(k-1)D + i,\,k} = 1 \text{ (0 elsewhere)} \quad\Longrightarrow\quad
        \mathrm{bilinear}(x, a, W) = \sum_k a_k\, x^{(k)}

    so softmax gating, and attention over ``K`` values, is a bilinear layer with
    this weight.

    Args:
        size: ``D``, the size of each input.
        num_inputs: ``K``, the number of inputs switched between.

    Returns:
        A float64 NumPy array of shape ``(D, K * D, K)``.

    Example:
        >>> import numpy as np
        >>> x = np.array([1.0, 2.0, 10.0, 20.0])  # x1 = [1, 2], x2 = [10, 20]
        >>> bilinear(x, np.array([0.25, 0.75]), switch_weight(2))
        array([ 7.75, 15.5 ])
    """
    size, num_inputs = check_count(size, "size"), check_count(num_inputs, "num_inputs")
    W = np.zeros((size, num_inputs * size, num_inputs))
    for k in range(num_inputs):
        W[np.arange(size), k * size + np.arange(size), k] = 1.0
    return W


# ------------------------------------------------------------------- a gated network


class GatedNetwork(torch.nn.Module):
    r"""Three networks and a soft gate: ``r = gate(a)``, ``x = x_net(b)``, ``y = y_net(c)``.

    .. math::
        f = x\,\sigma(r) + y\,(1 - \sigma(r))

    The output is :func:`soft_gate` of the three. Trained end to end, the gate
    learns which branch helps, and by :func:`soft_gate_backward` the branch it
    favours is the one that receives the gradient.

    Args:
        gate: the network that computes the gate logit ``r``.
        x_net: the branch chosen when the gate is open (:math:`\sigma(r) \to 1`).
        y_net: the branch chosen when it is shut.

    Example:
        >>> import torch
        >>> net = GatedNetwork(torch.nn.Linear(2, 1), torch.nn.Linear(2, 1),
        ...                    torch.nn.Linear(2, 1))
        >>> net(torch.zeros(5, 2)).shape
        torch.Size([5, 1])
    """

    def __init__(self, gate: torch.nn.Module, x_net: torch.nn.Module, y_net: torch.nn.Module):
        super().__init__()
        self.gate, self.x_net, self.y_net = gate, x_net, y_net

    def forward(self, a: torch.Tensor, b: torch.Tensor | None = None,
                c: torch.Tensor | None = None) -> torch.Tensor:
        """Gate, x-branch and y-branch see ``a``, ``b`` and ``c`` (``b`` and ``c`` default
        to ``a``)."""
        b = a if b is None else b
        c = a if c is None else c
        return soft_gate(self.x_net(b), self.y_net(c), self.gate(a))

    def gate_value(self, a: torch.Tensor) -> torch.Tensor:
        r""":math:`\sigma(r)`, the share of the x-branch, for inputs ``a``."""
        return sigmoid(self.gate(a))


def train_gated_network(
    model: GatedNetwork,
    inputs: tuple[torch.Tensor, ...],
    target: torch.Tensor,
    steps: int = 300,
    lr: float = 0.05,
) -> list[float]:
    r"""Train a :class:`GatedNetwork` with full-batch Adam on the squared error.

    The loop is :func:`mlnotes.training.fit`; the optimizer :class:`mlnotes.optim.Adam`.

    Args:
        model: the gated network.
        inputs: ``(a,)`` or ``(a, b, c)``, passed to ``model``.
        target: the regression target, shaped like the output.
        steps: number of Adam steps.
        lr: Adam's learning rate.

    Returns:
        The loss before each step.

    Example:
        >>> import torch
        >>> a = torch.linspace(-1, 1, 8)[:, None]
        >>> net = GatedNetwork(torch.nn.Linear(1, 1), torch.nn.Linear(1, 1),
        ...                    torch.nn.Linear(1, 1))
        >>> losses = train_gated_network(net, (a,), 2 * a, steps=20)
        >>> losses[-1] < losses[0]
        True
    """
    return fit(model, lambda m: mse_loss(m(*inputs), target), Adam(model.parameters(), lr=lr),
               steps)


def branch_gradient_norms(
    model: GatedNetwork, inputs: tuple[torch.Tensor, ...], target: torch.Tensor
) -> tuple[float, float]:
    r"""The norms of the squared-error gradient on the x-branch's and the y-branch's parameters.

    By :func:`soft_gate_backward` the x-branch hears the error through
    :math:`\sigma(r)` and the y-branch through :math:`1 - \sigma(r)`: where the
    gate has chosen a branch, that branch receives the gradient.

    Returns:
        ``(norm_x, norm_y)``; the model's ``.grad`` fields are left as they were.

    Example:
        >>> import torch
        >>> gate = torch.nn.Linear(1, 1)
        >>> with torch.no_grad():  # r = 6 everywhere: the gate is open, x is used
        ...     _ = gate.weight.zero_(), gate.bias.fill_(6.0)
        >>> net = GatedNetwork(gate, torch.nn.Linear(1, 1), torch.nn.Linear(1, 1))
        >>> a = torch.ones(4, 1)
        >>> gx, gy = branch_gradient_norms(net, (a,), torch.full((4, 1), 9.0))
        >>> gx > 100 * gy
        True
    """
    loss = mse_loss(model(*inputs), target)
    params_x, params_y = list(model.x_net.parameters()), list(model.y_net.parameters())
    grads = torch.autograd.grad(loss, params_x + params_y, allow_unused=True)

    def norm(gs: tuple) -> float:
        return float(torch.sqrt(sum((g ** 2).sum() for g in gs if g is not None)))

    return norm(grads[:len(params_x)]), norm(grads[len(params_x):])
