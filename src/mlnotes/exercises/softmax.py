"""Checks of the exercises on the softmax page (:doc:`/softmax`)."""

from __future__ import annotations

import numpy as np

from ..activations import softmax, softmax_backward
from . import exercise, fail

# ------------------------------------------------ a softmax that does not overflow

stable = exercise("softmax.stable", "stable_softmax")
_ROWS = np.array([[1.0, 2.0, 3.0], [-1.0, 0.0, 4.0], [1000.0, 1001.0, 1002.0],
                  [-1000.0, -1001.0, -999.0]])


@stable.check("outputs lie in (0, 1)")
def _in_range(f):
    y = np.asarray(f(_ROWS[:2]), dtype=float)
    if y.shape != (2, 3):
        fail(f"for a (2, 3) input your function returns shape {y.shape}; it must keep the shape")
    if not np.all((y > 0) & (y < 1)):
        fail(f"your outputs include {y[~((y > 0) & (y < 1))][0]:.3g}; probabilities lie in (0, 1)")


@stable.check("every row sums to 1")
def _rows_sum_to_one(f):
    sums = np.asarray(f(_ROWS[:2]), dtype=float).sum(axis=-1)
    for i, s in enumerate(sums):
        if not np.isclose(s, 1.0):
            fail(f"row {i} of your softmax sums to {s:.3g}; every row must sum to 1 "
                 "(normalise along the last axis)")


@stable.check("large logits do not overflow")
def _no_overflow(f):
    y = np.asarray(f(_ROWS[2:]), dtype=float)
    if not np.all(np.isfinite(y)):
        fail("for logits near ±1000 your softmax gives nan or inf: exp(1000) overflows; "
             "subtract each row's maximum first (the result does not change)")
    if not np.allclose(y, softmax(_ROWS[2:]), rtol=1e-9, atol=1e-12):
        fail(f"for logits near ±1000 you return {np.round(y, 4).tolist()}, "
             f"expected {np.round(softmax(_ROWS[2:]), 4).tolist()}")


stable.plant("no max shift", "import numpy as np\n"
             "def stable_softmax(x):\n    e = np.exp(x)\n"
             "    return e / e.sum(axis=-1, keepdims=True)\n", "overflows")
stable.plant("wrong axis", "import numpy as np\n"
             "def stable_softmax(x):\n    z = x - x.max(axis=-1, keepdims=True)\n"
             "    e = np.exp(z)\n    return e / e.sum(axis=0, keepdims=True)\n",
             "row 0 of your softmax sums to")

# ------------------------------------------- the softmax's vector-Jacobian product

backward = exercise("softmax.backward", "my_softmax_backward")


def _cases():
    rng = np.random.default_rng(7)
    x = rng.normal(size=(3, 4))
    return softmax(x), rng.normal(size=(3, 4))


@backward.check("matches the Jacobian")
def _matches(f):
    y, g = _cases()
    got = np.asarray(f(g, y), dtype=float)
    want = softmax_backward(g, y)
    if got.shape != want.shape:
        fail(f"your gradient has shape {got.shape}; it must have the shape of y, {want.shape}")
    err = np.abs(got - want)
    if err.max() > 1e-9:
        i = np.unravel_index(err.argmax(), err.shape)
        fail(f"your gradient differs from the Jacobian's product by {err.max():.3g} at entry "
             f"{tuple(int(k) for k in i)}: it is y * (grad - sum(grad * y))")


@backward.check("shifting grad changes nothing")
def _shift(f):
    y, g = _cases()
    a = np.asarray(f(g, y), dtype=float)
    b = np.asarray(f(g + 5.0, y), dtype=float)
    if not np.allclose(a, b, atol=1e-9):
        fail("adding 5 to every entry of grad changed your result; softmax outputs sum to 1, "
             "so a uniform change of grad must give zero gradient (subtract sum(grad * y))")


backward.plant("sigmoid-style diagonal", "def my_softmax_backward(grad, y):\n"
               "    return grad * y * (1 - y)\n", "differs from the Jacobian")
backward.plant("sum over the wrong axis", "def my_softmax_backward(grad, y):\n"
               "    return y * (grad - (grad * y).sum(axis=0, keepdims=True))\n",
               "differs from the Jacobian")

# --------------------------------------------------------- log-sum-exp without overflow

lse = exercise("softmax.logsumexp", "my_logsumexp")
_LSE_ROWS = np.array([[0.0, 1.0, 2.0], [1000.0, 1000.0, 999.0], [-1000.0, -1002.0, -1001.0]])


@lse.check("one value per row")
def _lse_shape(f):
    got = np.asarray(f(_LSE_ROWS))
    if got.shape != (3,):
        fail(f"for 3 rows you return shape {got.shape}; reduce over the last axis, one "
             "value per row")


@lse.check("exact for small and huge logits")
def _lse_values(f):
    from ..activations import logsumexp

    got = np.asarray(f(_LSE_ROWS), dtype=float)
    want = logsumexp(_LSE_ROWS)
    if not np.all(np.isfinite(got)):
        fail("for logits near ±1000 you get inf or -inf: exp overflows or underflows; "
             "which constant can you take out of every exponent without changing the "
             "result, and which choice keeps every exponent at most 0?")
    err = np.abs(got - want)
    if err.max() > 1e-9:
        k = int(err.argmax())
        fail(f"row {k}: you return {got[k]:.6f}, expected {want[k]:.6f}")


lse.plant("naive", "import numpy as np\n"
          "def my_logsumexp(x):\n    return np.log(np.exp(x).sum(axis=-1))\n", "overflows")
lse.plant("max only", "import numpy as np\n"
          "def my_logsumexp(x):\n    return x.max(axis=-1)\n", "expected")
