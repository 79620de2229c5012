"""Checks of the exercises on the gating page (:doc:`/gating`)."""

from __future__ import annotations

import numpy as np

from ..attention import attention_weights, scaled_dot_product_attention
from ..gating import soft_gate_backward
from . import _answer, _fresh, _shown, exercise, fail

# ------------------------------------------------------- the soft gate's three partials

partials = exercise("gating.partials", "soft_gate_partials")
_NAMES = ("df/dx", "df/dy", "df/dr")


def _gate_cases():
    rng, draw = np.random.default_rng(3), _fresh()
    shape = tuple(int(s) for s in draw.integers(1, 6, size=2))
    return [(rng.normal(size=6), rng.normal(size=6), 2 * rng.normal(size=6)),
            (rng.normal(size=(3, 4)), 5 * rng.normal(size=(3, 4)), 4 * rng.normal(size=(3, 4))),
            (draw.normal(size=shape), draw.normal(size=shape), 3 * draw.normal(size=shape))]


@partials.check("returns three arrays of the inputs' shape")
def _three(f):
    for x, y, r in _gate_cases():
        out = f(x, y, r)
        if not isinstance(out, (tuple, list)) or len(out) != 3:
            fail("return a tuple of three arrays: (df/dx, df/dy, df/dr)")
        for name, g in zip(_NAMES, out, strict=True):
            if np.shape(g) != x.shape:
                fail(f"for inputs of shape {x.shape} your {name} has shape {np.shape(g)}; "
                     "each partial has the inputs' shape (the gate acts elementwise)")


@partials.check("each partial matches the derivative")
def _each(f):
    for x, y, r in _gate_cases():
        want = soft_gate_backward(np.ones_like(x), x, y, r)
        for name, got, w in zip(_NAMES, f(x, y, r), want, strict=True):
            got = np.asarray(got, dtype=float)
            err = np.abs(got - w)
            if not err.max() <= 1e-9:
                k = np.unravel_index(np.nan_to_num(err, nan=np.inf).argmax(), err.shape)
                yours, expected = _shown(got[k], w[k])
                fail(f"your {name} is {yours} at x = {x[k]:.4f}, y = {y[k]:.4f}, "
                     f"r = {r[k]:.4f}; the derivative is {expected}")


_S = "import numpy as np\ndef soft_gate_partials(x, y, r):\n    s = 1 / (1 + np.exp(-r))\n"
partials.plant("no sigma prime", _S + "    return s, 1 - s, (x - y) * s\n", "your df/dr is")
partials.plant("x and y swapped", _S + "    return 1 - s, s, (y - x) * s * (1 - s)\n",
               "your df/dx is")
partials.plant("sigma at r = 0", "import numpy as np\ndef soft_gate_partials(x, y, r):\n"
               "    s = np.full_like(r, 0.5)\n    return s, 1 - s, (x - y) * s * (1 - s)\n",
               "your df/dx is")
partials.plant("flat (6,) only", _S + "    s = s.reshape(6)\n"
               "    return s, 1 - s, (x - y).reshape(6) * s * (1 - s)\n", "raised ValueError")
partials.plant("in place", "import numpy as np\ndef soft_gate_partials(x, y, r):\n"
               "    np.negative(r, out=r)\n    np.exp(r, out=r)\n    s = 1 / (1 + r)\n"
               "    return s, 1 - s, (x - y) * s * (1 - s)\n", "changed its input `r`")

# ------------------------------------------------------- scaled dot-product attention

attention = exercise("gating.attention", "my_attention")


def _qkv_cases():
    rng, draw = np.random.default_rng(5), _fresh()
    L, S, E, Ev = (int(a) for a in draw.integers(1, 9, size=4))
    E = E + 8 if E in (1, 8) else E  # an E not on the page, scale not 1
    return [(rng.normal(size=(3, 8)), rng.normal(size=(5, 8)), rng.normal(size=(5, 2))),
            (2 * rng.normal(size=(4, 3)), 2 * rng.normal(size=(2, 3)), rng.normal(size=(2, 5))),
            (2 * rng.normal(size=(2, 20)), rng.normal(size=(6, 20)), rng.normal(size=(6, 1))),
            (2 * draw.normal(size=(L, E)), draw.normal(size=(S, E)), draw.normal(size=(S, Ev)))]


@attention.check("output shape (L, Ev)")
def _shape(f):
    for q, k, v in _qkv_cases():
        out = np.asarray(f(q, k, v))
        if out.shape != (len(q), v.shape[1]):
            fail(f"for {len(q)} queries, {len(k)} keys and values of {v.shape[1]} features "
                 f"your output has shape {out.shape}; it must be {(len(q), v.shape[1])}: "
                 "one mixture of the values per query")


@attention.check("matches scaled dot-product attention")
def _values(f):
    for q, k, v in _qkv_cases():
        got, tol = _answer(f(q, k, v), 1e-9)
        want = scaled_dot_product_attention(q, k, v)
        E = q.shape[1]
        if got.shape != want.shape:
            fail(f"your output has shape {got.shape}, not {want.shape}")
        err = np.abs(got - want)
        if err.max() <= tol:
            continue

        def near(other, got=got):
            return np.allclose(got, other, rtol=1e-9, atol=1e-9)

        if near(scaled_dot_product_attention(q, k, v, scale=1.0)):
            fail("your output matches attention without the 1/sqrt(E) scale: divide the "
                 "scores q k^T by the square root of the queries' feature size")
        if near(scaled_dot_product_attention(q, k, v, scale=1.0 / E)):
            fail(f"your output matches scores divided by E = {E}, not by sqrt(E)")
        w = np.exp(q @ k.T / np.sqrt(E))
        if near((w / w.sum(axis=0, keepdims=True)) @ v):
            fail("your weights sum to 1 over the queries (axis 0); each query's weights "
                 "over the keys must sum to 1 (axis 1)")
        for scale in (8.0, 6.0):
            if scale != E and near(scaled_dot_product_attention(q, k, v,
                                                                  scale=1.0 / np.sqrt(scale))):
                fail(f"with queries of {E} features your output uses the scale "
                     "1/sqrt(E) of another E: take E from the queries' shape")
        n = int(err.max(axis=1).argmax())
        yours, expected = _shown(got[n], want[n])
        fail(f"with L = {len(q)}, S = {len(k)}, E = {E}, query {n}'s output is {yours}, "
             f"expected {expected}")


_ATT = ("import numpy as np\ndef my_attention(q, k, v):\n")
_SOFT = ("    w = np.exp(s - s.max(axis=1, keepdims=True))\n"
         "    return (w / w.sum(axis=1, keepdims=True)) @ v\n")
attention.plant("no scale", _ATT + "    s = q @ k.T\n" + _SOFT, "without the 1/sqrt(E)")
attention.plant("softmax over the queries", _ATT + "    s = q @ k.T / np.sqrt(q.shape[1])\n"
                "    w = np.exp(s - s.max(axis=0, keepdims=True))\n"
                "    return (w / w.sum(axis=0, keepdims=True)) @ v\n", "over the queries")
attention.plant("hard-coded sqrt(8)", _ATT + "    s = q @ k.T / np.sqrt(8)\n" + _SOFT,
                "of another E")
attention.plant("divided by E", _ATT + "    s = q @ k.T / q.shape[1]\n" + _SOFT, "not by sqrt(E)")
attention.plant("in place", _ATT + "    q /= np.sqrt(q.shape[1])\n    s = q @ k.T\n" + _SOFT,
                "changed its input `q`")

# ------------------------------------------------------------ attention weights with a mask

masked = exercise("gating.masked", "masked_weights")


def _masked_cases():
    rng, draw = np.random.default_rng(11), _fresh()
    keep = np.array([[True, True, False, True, False],
                     [False, True, True, True, True],
                     [True, False, False, False, False],  # one key only
                     [True, True, True, True, True]])
    L, S, E = (int(a) for a in draw.integers(2, 8, size=3))
    E = E + 7 if E == 6 else E
    free = draw.random((L, S)) < 0.6
    free[np.arange(L), draw.integers(0, S, size=L)] = True  # every query keeps one key
    return [(2 * rng.normal(size=(4, 6)), 2 * rng.normal(size=(5, 6)), keep),
            (3 * rng.normal(size=(3, 2)), 3 * rng.normal(size=(4, 2)),
             np.array([[False, False, False, True], [True, False, True, False],
                       [True, True, True, False]])),
            (2 * draw.normal(size=(L, E)), 2 * draw.normal(size=(S, E)), free)]


@masked.check("shape (L, S), masked keys get no weight")
def _masked_zero(f):
    for q, k, keep in _masked_cases():
        w = np.asarray(f(q, k, keep), dtype=float)
        if w.shape != keep.shape:
            fail(f"for {len(q)} queries and {len(k)} keys your weights have shape {w.shape}; "
                 f"they must be {keep.shape}: one weight per query and key")
        leak = np.abs(np.where(keep, 0.0, np.nan_to_num(w, nan=1.0)))
        if leak.max() > 0:
            i, j = (int(a) for a in np.unravel_index(leak.argmax(), leak.shape))
            fail(f"query {i} gives key {j} the weight {w[i, j]!r}, though the mask forbids "
                 "it; a masked key must get exactly 0")


@masked.check("each query's weights sum to 1")
def _masked_rows(f):
    for q, k, keep in _masked_cases():
        w = np.asarray(f(q, k, keep), dtype=float)
        for i, s in enumerate(np.atleast_1d(w.sum(axis=-1))):
            if not np.isclose(s, 1.0, rtol=0, atol=1e-9):
                after = np.isfinite(s) and s < 1 - 1e-9 and bool(np.all(w[i][~keep[i]] == 0))
                hint = (": the softmax must share 1 among the allowed keys only; your masked "
                        "keys took their share before being set to 0" if after else "")
                fail(f"the weights of query {i} sum to {s!r}{hint}")


@masked.check("matches masked attention")
def _masked_values(f):
    for q, k, keep in _masked_cases():
        got = np.asarray(f(q, k, keep), dtype=float)
        want = attention_weights(q, k, mask=keep)
        E = q.shape[1]
        if got.shape != want.shape:
            fail(f"your weights have shape {got.shape}, not {want.shape}")
        err = np.abs(got - want)
        if err.max() <= 1e-9:
            continue
        if np.allclose(got, attention_weights(q, k, mask=keep, scale=1.0), atol=1e-9):
            fail("your weights match attention without the 1/sqrt(E) scale: divide the "
                 "scores q k^T by the square root of the queries' feature size")
        for scale in (6.0, 8.0):
            if scale != E and np.allclose(got, attention_weights(
                    q, k, mask=keep, scale=1 / np.sqrt(scale)), atol=1e-9):
                fail(f"with queries of {E} features your weights use the scale 1/sqrt(E) "
                     "of another E: take E from the queries' shape")
        i = int(np.nan_to_num(err, nan=np.inf).max(axis=1).argmax())
        yours, expected = _shown(got[i], want[i])
        fail(f"with E = {E}, the weights of query {i} are {yours}; expected {expected}")


_M = "import numpy as np\ndef masked_weights(q, k, keep):\n"
_MS = ("    w = np.exp(s - s.max(axis=1, keepdims=True))\n"
       "    return w / w.sum(axis=1, keepdims=True)\n")
masked.plant("zeroed after the softmax", _M + "    s = q @ k.T / np.sqrt(q.shape[1])\n"
             "    w = np.exp(s - s.max(axis=1, keepdims=True))\n"
             "    return w / w.sum(axis=1, keepdims=True) * keep\n", "took their share")
masked.plant("masked scores set to 0", _M +
             "    s = np.where(keep, q @ k.T / np.sqrt(q.shape[1]), 0.0)\n" + _MS, "forbids")
masked.plant("no scale", _M + "    s = np.where(keep, q @ k.T, -np.inf)\n" + _MS, "1/sqrt(E)")
masked.plant("hard-coded sqrt(6)", _M + "    s = np.where(keep, q @ k.T / np.sqrt(6), -np.inf)\n"
             + _MS, "of another E")
masked.plant("in place", _M + "    q /= np.sqrt(q.shape[1])\n"
             "    s = np.where(keep, q @ k.T, -np.inf)\n" + _MS, "changed its input `q`")
