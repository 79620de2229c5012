"""Checks of the exercises on the gating page (:doc:`/gating`)."""

from __future__ import annotations

import numpy as np

from ..attention import attention_weights, scaled_dot_product_attention
from ..gating import soft_gate_backward
from . import exercise, fail

# ------------------------------------------------------- the soft gate's three partials

partials = exercise("gating.partials", "soft_gate_partials")


def _gate_case():
    rng = np.random.default_rng(3)
    return rng.normal(size=6), rng.normal(size=6), 2 * rng.normal(size=6)


@partials.check("returns three arrays of the inputs' shape")
def _three(f):
    x, y, r = _gate_case()
    out = f(x, y, r)
    if not isinstance(out, (tuple, list)) or len(out) != 3:
        fail("return a tuple of three arrays: (df/dx, df/dy, df/dr)")
    for name, g in zip(("df/dx", "df/dy", "df/dr"), out, strict=False):
        if np.shape(g) != x.shape:
            fail(f"your {name} has shape {np.shape(g)}; each partial has the inputs' shape "
                 f"{x.shape} (the gate acts elementwise)")


@partials.check("each partial matches the derivative")
def _each(f):
    x, y, r = _gate_case()
    want = soft_gate_backward(np.ones_like(x), x, y, r)
    for name, got, w in zip(("df/dx", "df/dy", "df/dr"), f(x, y, r), want, strict=False):
        err = np.abs(np.asarray(got, dtype=float) - w)
        if err.max() > 1e-9:
            k = int(err.argmax())
            fail(f"your {name} differs from the derivative by {err.max():.3g} at entry {k} "
                 f"(x={x[k]:.2f}, y={y[k]:.2f}, r={r[k]:.2f}): expected {w[k]:.4f}")


partials.plant("no sigma prime", "import numpy as np\n"
               "def soft_gate_partials(x, y, r):\n    s = 1 / (1 + np.exp(-r))\n"
               "    return s, 1 - s, (x - y) * s\n", "your df/dr differs")
partials.plant("x and y swapped", "import numpy as np\n"
               "def soft_gate_partials(x, y, r):\n    s = 1 / (1 + np.exp(-r))\n"
               "    return 1 - s, s, (y - x) * s * (1 - s)\n", "your df/dx differs")

# ------------------------------------------------------- scaled dot-product attention

attention = exercise("gating.attention", "my_attention")


def _qkv():
    rng = np.random.default_rng(5)
    return rng.normal(size=(3, 8)), rng.normal(size=(5, 8)), rng.normal(size=(5, 2))


@attention.check("output shape (L, Ev)")
def _shape(f):
    q, k, v = _qkv()
    out = np.asarray(f(q, k, v))
    if out.shape != (3, 2):
        fail(f"for 3 queries, 5 keys and values of 2 features your output has shape "
             f"{out.shape}; it must be (3, 2): one mixture of the values per query")


@attention.check("matches scaled dot-product attention")
def _values(f):
    q, k, v = _qkv()
    got = np.asarray(f(q, k, v), dtype=float)
    want = scaled_dot_product_attention(q, k, v)
    if np.allclose(got, scaled_dot_product_attention(q, k, v, scale=1.0), atol=1e-9):
        fail("your output matches attention without the 1/sqrt(E) scale: divide the "
             "scores q k^T by sqrt(E), E = 8 here")
    err = np.abs(got - want)
    if err.max() > 1e-9:
        w = attention_weights(q, k)
        fail(f"your output differs from attention by {err.max():.3g}; check that each "
             f"query's weights over the keys sum to 1 (row 0 should be "
             f"{np.round(w[0], 3).tolist()})")


attention.plant("no scale", "import numpy as np\n"
                "def my_attention(q, k, v):\n    s = q @ k.T\n"
                "    w = np.exp(s - s.max(axis=1, keepdims=True))\n"
                "    return (w / w.sum(axis=1, keepdims=True)) @ v\n", "without the 1/sqrt(E)")
attention.plant("softmax over the queries", "import numpy as np\n"
                "def my_attention(q, k, v):\n    s = q @ k.T / np.sqrt(q.shape[1])\n"
                "    w = np.exp(s - s.max(axis=0, keepdims=True))\n"
                "    return (w / w.sum(axis=0, keepdims=True)) @ v\n", "sum to 1")

# ------------------------------------------------------------ attention weights with a mask

masked = exercise("gating.masked", "masked_weights")


def _masked_case():
    rng = np.random.default_rng(11)
    keep = np.array([[True, True, False, True, False],
                     [False, True, True, True, True],
                     [True, False, False, False, False],  # one key only
                     [True, True, True, True, True]])
    return 2 * rng.normal(size=(4, 6)), 2 * rng.normal(size=(5, 6)), keep


@masked.check("shape (L, S), masked keys get no weight")
def _masked_zero(f):
    q, k, keep = _masked_case()
    w = np.asarray(f(q, k, keep), dtype=float)
    if w.shape != keep.shape:
        fail(f"for 4 queries and 5 keys your weights have shape {w.shape}; they must be "
             f"(4, 5): one weight per query and key")
    leak = np.abs(np.where(keep, 0.0, np.nan_to_num(w, nan=1.0)))
    if leak.max() > 1e-12:
        i, j = (int(a) for a in np.unravel_index(leak.argmax(), leak.shape))
        fail(f"query {i} gives key {j} the weight {w[i, j]:.3g}, though the mask forbids "
             "it; a masked key must get exactly 0: its score must be -inf (not 0) before "
             "the softmax")


@masked.check("each query's weights sum to 1")
def _masked_rows(f):
    q, k, keep = _masked_case()
    sums = np.asarray(f(q, k, keep), dtype=float).sum(axis=-1)
    for i, s in enumerate(np.atleast_1d(sums)):
        if not np.isclose(s, 1.0):
            fail(f"the weights of query {i} sum to {s:.3g}; the softmax must share 1 among "
                 "the allowed keys only: mask the scores before the softmax, not the "
                 "weights after it")


@masked.check("matches masked attention")
def _masked_values(f):
    q, k, keep = _masked_case()
    got = np.asarray(f(q, k, keep), dtype=float)
    want = attention_weights(q, k, mask=keep)
    if np.allclose(got, attention_weights(q, k, mask=keep, scale=1.0), atol=1e-9):
        fail("your weights match attention without the 1/sqrt(E) scale: divide the scores "
             "q k^T by sqrt(E), E = 6 here")
    err = np.abs(got - want)
    if not err.max() <= 1e-9:
        i = int(np.nanargmax(np.nan_to_num(err, nan=np.inf).max(axis=1)))
        fail(f"the weights of query {i} are {np.round(got[i], 3).tolist()}; expected "
             f"{np.round(want[i], 3).tolist()}")


masked.plant("zeroed after the softmax", "import numpy as np\n"
             "def masked_weights(q, k, keep):\n    s = q @ k.T / np.sqrt(q.shape[1])\n"
             "    w = np.exp(s - s.max(axis=1, keepdims=True))\n"
             "    return w / w.sum(axis=1, keepdims=True) * keep\n", "sum to")
masked.plant("masked scores set to 0", "import numpy as np\n"
             "def masked_weights(q, k, keep):\n"
             "    s = np.where(keep, q @ k.T / np.sqrt(q.shape[1]), 0.0)\n"
             "    w = np.exp(s - s.max(axis=1, keepdims=True))\n"
             "    return w / w.sum(axis=1, keepdims=True)\n", "forbids")
masked.plant("no scale", "import numpy as np\n"
             "def masked_weights(q, k, keep):\n    s = np.where(keep, q @ k.T, -np.inf)\n"
             "    w = np.exp(s - s.max(axis=1, keepdims=True))\n"
             "    return w / w.sum(axis=1, keepdims=True)\n", "1/sqrt(E)")
