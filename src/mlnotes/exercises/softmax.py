"""Checks of the exercises on the softmax page (:doc:`/softmax`)."""

from __future__ import annotations

import numpy as np

from ..activations import logsumexp, softmax, softmax_backward
from . import _answer, _fresh, _shown, exercise, fail


def _moderate():
    """Logit batches of several sizes, the last one drawn afresh at each Check."""
    rng = _fresh()
    n, c = rng.integers(2, 7, size=2)
    return [np.array([[1.0, 2.0, 3.0], [-1.0, 0.0, 4.0]]),
            np.array([[0.5, -2.0, 3.0, 1.0, 0.0], [2.0, 2.0, 2.0, 2.0, 2.0],
                      [-3.0, 1.0, 0.2, 0.0, 5.0], [1.0, -1.0, 0.0, 0.0, 0.5]]),
            np.array([[4.0, -4.0]]),
            3 * rng.normal(size=(n, c))]


def _huge():
    """Rows that overflow or underflow any exponent not shifted by the row's maximum
    (shifted by the minimum, the mean, the first or last logit, or max |x|)."""
    rng = _fresh()
    return [np.array([[0.0, 1000.0], [1000.0, 0.0], [-2000.0, -1000.0]]),
            np.array([[1000.0, 1001.0, 1002.0], [-1000.0, -1001.0, -999.0],
                      [0.0, 2000.0, 1.0], [-1500.0, 0.0, 1500.0]]),
            # multiples of 1/64: exact in float32 too, so that an answer computed in float32
            # is judged on its arithmetic, not on rounding the input (1e-4 at 1000)
            np.round(64 * rng.uniform(-1500, 1500, size=(3, 4))) / 64
            + np.array([[0.0, 2000.0, 0.0, 0.0]] * 3)]


# ------------------------------------------------ a softmax that does not overflow

stable = exercise("softmax.stable", "stable_softmax")


@stable.check("outputs lie in (0, 1)")
def _in_range(f):
    for x in _moderate():
        y = np.asarray(f(x), dtype=float)
        if y.shape != x.shape:
            fail(f"for a {x.shape} input your function returns shape {y.shape}; it must "
                 "keep the shape")
        bad = ~((y > 0) & (y < 1))
        if np.any(bad):
            fail(f"for a {x.shape} input your outputs include {y[bad][0]!r}; probabilities "
                 "lie in (0, 1)")


@stable.check("every row sums to 1")
def _rows_sum_to_one(f):
    for x in _moderate():
        y, tol = _answer(f(x), 1e-9)
        for i, s in enumerate(np.atleast_1d(y.sum(axis=-1))):
            if not np.isclose(s, 1.0, rtol=0, atol=tol):
                fail(f"row {i} of your softmax of a {x.shape} input sums to {s!r}; every "
                     "row must sum to 1 (normalise along the last axis)")


@stable.check("exact, and no overflow for logits like ±1000 and rows like [0, 1000]")
def _no_overflow(f):
    for x in _moderate() + _huge():
        y, tol = _answer(f(x), 1e-9)
        want = softmax(x)
        if y.shape != want.shape:
            fail(f"for a {x.shape} input your function returns shape {y.shape}")
        if not np.all(np.isfinite(y)):
            i = int(np.flatnonzero(~np.isfinite(y).all(axis=-1))[0])
            fail(f"for the row {x[i].tolist()} your softmax gives nan or inf: some exponent "
                 "overflows; which constant can you take out of every exponent of a row "
                 "without changing the result, and which choice keeps them all at most 0?")
        err = np.abs(y - want)
        if err.max() > tol:
            i = int(err.max(axis=-1).argmax())
            yours, expected = _shown(y[i], want[i])
            fail(f"for the row {np.round(x[i], 3).tolist()} you return {yours}, "
                 f"expected {expected}")


stable.plant("no max shift", "import numpy as np\n"
             "def stable_softmax(x):\n    e = np.exp(x)\n"
             "    return e / e.sum(axis=-1, keepdims=True)\n", "overflows")
stable.plant("wrong axis", "import numpy as np\n"
             "def stable_softmax(x):\n    z = x - x.max(axis=-1, keepdims=True)\n"
             "    e = np.exp(z)\n    return e / e.sum(axis=0, keepdims=True)\n",
             "of your softmax of a")
stable.plant("shifted by the minimum", "import numpy as np\n"
             "def stable_softmax(x):\n    e = np.exp(x - x.min(axis=-1, keepdims=True))\n"
             "    return e / e.sum(axis=-1, keepdims=True)\n", "overflows")
stable.plant("shifted by the mean", "import numpy as np\n"
             "def stable_softmax(x):\n    e = np.exp(x - x.mean(axis=-1, keepdims=True))\n"
             "    return e / e.sum(axis=-1, keepdims=True)\n", "overflows")
stable.plant("shifted by the first logit", "import numpy as np\n"
             "def stable_softmax(x):\n    e = np.exp(x - x[..., :1])\n"
             "    return e / e.sum(axis=-1, keepdims=True)\n", "overflows")
stable.plant("shifted by max |x|", "import numpy as np\n"
             "def stable_softmax(x):\n"
             "    e = np.exp(x - np.abs(x).max(axis=-1, keepdims=True))\n"
             "    return e / e.sum(axis=-1, keepdims=True)\n", "the row [-2000.0, -1000.0]")
stable.plant("hard-coded three classes", "import numpy as np\n"
             "def stable_softmax(x):\n    return np.full(x.shape, 1 / 3)\n",
             "sums to")
stable.plant("in place", "import numpy as np\n"
             "def stable_softmax(x):\n    x -= x.max(axis=-1, keepdims=True)\n"
             "    np.exp(x, out=x)\n    x /= x.sum(axis=-1, keepdims=True)\n    return x\n",
             "changed its input `x`")
stable.plant("forgot return", "import numpy as np\n"
             "def stable_softmax(x):\n    e = np.exp(x - x.max(axis=-1, keepdims=True))\n"
             "    e / e.sum(axis=-1, keepdims=True)\n", "did it forget `return`?")

# ------------------------------------------- the softmax's vector-Jacobian product

backward = exercise("softmax.backward", "my_softmax_backward")


def _cases():
    rng, draw = np.random.default_rng(7), _fresh()
    n, c = draw.integers(2, 7, size=2)
    return [(softmax(x), draw.normal(size=x.shape) if i == 3 else rng.normal(size=x.shape))
            for i, x in enumerate([rng.normal(size=(3, 4)), rng.normal(size=(1, 6)),
                                   2 * rng.normal(size=(5, 2)), draw.normal(size=(n, c))])]


@backward.check("matches the Jacobian")
def _matches(f):
    for y, g in _cases():
        want = softmax_backward(g, y)
        got = np.asarray(f(g, y), dtype=float)
        if got.shape != want.shape:
            fail(f"for y of shape {y.shape} your gradient has shape {got.shape}; it must "
                 "have the shape of y")
        err = np.abs(got - want)
        if err.max() > 1e-9:
            i = tuple(int(k) for k in np.unravel_index(err.argmax(), err.shape))
            yours, expected = _shown(got[i], want[i])
            fail(f"for y of shape {y.shape} your gradient is {yours} at entry {i}, the "
                 f"Jacobian's product gives {expected}: it is y * (grad - sum(grad * y)), "
                 "the sum over each row")


@backward.check("adding a constant to a row of grad changes nothing")
def _shift(f):
    for y, g in _cases():
        c = _fresh().uniform(-10, 10, size=(len(g), 1))
        a = np.asarray(f(g, y), dtype=float)
        b = np.asarray(f(g + c, y), dtype=float)
        if a.shape != b.shape or not np.allclose(a, b, rtol=0, atol=1e-9):
            fail("adding a constant to every entry of a row of grad changed your result; "
                 "the outputs of a row sum to 1, so that change must give zero gradient")


backward.plant("sigmoid-style diagonal", "def my_softmax_backward(grad, y):\n"
               "    return grad * y * (1 - y)\n", "the Jacobian's product gives")
backward.plant("sum over the wrong axis", "def my_softmax_backward(grad, y):\n"
               "    return y * (grad - (grad * y).sum(axis=0, keepdims=True))\n",
               "the Jacobian's product gives")
backward.plant("without the factor y", "def my_softmax_backward(grad, y):\n"
               "    return grad - (grad * y).sum(axis=-1, keepdims=True)\n",
               "the Jacobian's product gives")
backward.plant("hard-coded zeros", "import numpy as np\n"
               "def my_softmax_backward(grad, y):\n    return np.zeros_like(y)\n",
               "the Jacobian's product gives")
backward.plant("in place", "def my_softmax_backward(grad, y):\n"
               "    grad -= (grad * y).sum(axis=-1, keepdims=True)\n    grad *= y\n"
               "    return grad\n", "changed its input `grad`")

# --------------------------------------------------------- log-sum-exp without overflow

lse = exercise("softmax.logsumexp", "my_logsumexp")


@lse.check("one value per row")
def _lse_shape(f):
    for x in _moderate() + _huge():
        got = np.asarray(f(x))
        if got.shape != x.shape[:-1]:
            fail(f"for {x.shape[0]} rows of {x.shape[1]} logits you return shape "
                 f"{got.shape}; reduce over the last axis, one value per row")


@lse.check("exact for small and huge logits")
def _lse_values(f):
    for x in _moderate() + _huge():
        got, tol = _answer(f(x), 1e-12)
        want = logsumexp(x)
        if got.shape != want.shape:
            fail(f"for a {x.shape} input you return shape {got.shape}, not {want.shape}")
        if not np.all(np.isfinite(got)):
            k = int(np.flatnonzero(~np.isfinite(got))[0])
            fail(f"for the row {x[k].tolist()} you get {got[k]!r}: an exponent overflows or "
                 "underflows; which constant can you take out of every exponent without "
                 "changing the result, and which choice keeps every exponent at most 0?")
        err = np.abs(got - want) / np.maximum(1.0, np.abs(want))
        if err.max() > tol:
            k = int(err.argmax())
            yours, expected = _shown(got[k], want[k])
            fail(f"for the row {np.round(x[k], 3).tolist()} you return {yours}, "
                 f"expected {expected}")


lse.plant("naive", "import numpy as np\n"
          "def my_logsumexp(x):\n    return np.log(np.exp(x).sum(axis=-1))\n", "overflows")
lse.plant("max only", "import numpy as np\n"
          "def my_logsumexp(x):\n    return x.max(axis=-1)\n", "expected")
lse.plant("shifted by the mean", "import numpy as np\n"
          "def my_logsumexp(x):\n    m = x.mean(axis=-1, keepdims=True)\n"
          "    return m[..., 0] + np.log(np.exp(x - m).sum(axis=-1))\n", "overflows")
lse.plant("hard-coded values", "import numpy as np\n"
          "def my_logsumexp(x):\n    return np.array([2.40760596, 1000.55144471, "
          "-999.59239404])\n", "one value per row")
lse.plant("in place", "import numpy as np\n"
          "def my_logsumexp(x):\n    m = x.max(axis=-1, keepdims=True)\n    x -= m\n"
          "    return m[..., 0] + np.log(np.exp(x).sum(axis=-1))\n", "changed its input")
