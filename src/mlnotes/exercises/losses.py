"""Checks of the exercises on the losses page (:doc:`/losses`)."""

from __future__ import annotations

import numpy as np

from ..losses import binary_cross_entropy_with_logits, cross_entropy_backward, margin_ranking_loss
from . import _fresh, _shown, exercise, fail

# ------------------------------------------- the gradient of softmax + cross-entropy

ce_grad = exercise("losses.ce_grad", "ce_gradient")


def _ce_cases():
    """Batches of several sizes (never only the page's N = 4), one drawn afresh."""
    rng = np.random.default_rng(13)
    draw = _fresh()
    n = int(draw.integers(5, 12))
    k = int(draw.integers(2, 7))
    return [(np.array([[2.0, 1.0, -1.0], [0.5, 0.5, 3.0], [-2.0, 4.0, 0.0], [1.0, 0.0, 0.0]]),
             np.array([0, 2, 1, 1])),
            (3 * rng.normal(size=(7, 5)), np.array([4, 0, 0, 3, 1, 2, 4])),
            (np.array([[0.0, 1000.0], [1000.0, 0.0]]), np.array([0, 0])),
            (2 * draw.normal(size=(n, k)), draw.integers(0, k, size=n))]


@ce_grad.check("matches the gradient of the mean cross-entropy")
def _ce_matches(f):
    for z, y in _ce_cases():
        want = cross_entropy_backward(1.0, z, y)
        got = np.asarray(f(z, y), dtype=float)
        n = len(y)
        if got.shape != want.shape:
            fail(f"for logits of shape {z.shape} your gradient has shape {got.shape}; it "
                 "must have the logits' shape")
        if np.allclose(got, -want, rtol=1e-9, atol=1e-12):
            fail("your gradient has the wrong sign: it is softmax(z) - onehot(y), not the "
                 "reverse")
        err = np.abs(got - want)
        if err.max() <= 1e-9:
            continue
        big = np.abs(want) > 1e-6
        ratio = got[big] / want[big]
        if np.all(np.isfinite(ratio)) and np.allclose(ratio, ratio[0], rtol=1e-9):
            r = float(ratio[0])
            if np.isclose(r, n):
                fail(f"for a batch of {n} your gradient is {n} times too large: the loss is "
                     "the mean over the batch, so divide by the batch size")
            fail(f"for a batch of {n} your gradient is {r:.6g} times the right one: the "
                 "loss is the mean over the batch, so divide by the batch size, "
                 "whatever it is")
        i = tuple(int(k) for k in np.unravel_index(err.argmax(), err.shape))
        yours, expected = _shown(got[i], want[i])
        fail(f"for logits of shape {z.shape} your gradient is {yours} at entry {i}, "
             f"autograd's is {expected}")


@ce_grad.check("each row sums to zero")
def _ce_rows(f):
    for z, y in _ce_cases():
        rows = np.asarray(f(z, y), dtype=float).sum(axis=-1)
        if not np.allclose(rows, 0.0, atol=1e-9):
            fail(f"row sums of your gradient are {_shown(rows, rows)[0]}; softmax outputs "
                 "and a one-hot vector both sum to 1, so every row of a - y sums to 0")


_CE = ("import numpy as np\n"
       "def ce_gradient(z, y):\n    e = np.exp(z - z.max(axis=1, keepdims=True))\n"
       "    a = e / e.sum(axis=1, keepdims=True)\n")
ce_grad.plant("no 1/N", _CE + "    return a - np.eye(z.shape[1])[y]\n", "times too large")
ce_grad.plant("sign error", _CE + "    return (np.eye(z.shape[1])[y] - a) / len(y)\n",
              "wrong sign")
ce_grad.plant("hard-coded N = 4", _CE + "    return (a - np.eye(z.shape[1])[y]) / 4\n",
              "whatever it is")
ce_grad.plant("one-hot of the wrong size", _CE + "    return (a - np.eye(len(y))[y]) / len(y)\n",
              "raised ValueError")
ce_grad.plant("in place", "import numpy as np\n"
              "def ce_gradient(z, y):\n    z -= z.max(axis=1, keepdims=True)\n"
              "    np.exp(z, out=z)\n    z /= z.sum(axis=1, keepdims=True)\n"
              "    z[np.arange(len(y)), y] -= 1\n    return z / len(y)\n",
              "changed its input `z`")

# --------------------------------------------- binary cross-entropy on logits, stably

bce = exercise("losses.bce_logits", "bce_with_logits")


def _bce_moderate():
    draw = _fresh()
    n = int(draw.integers(5, 20))
    return [(np.linspace(-6.0, 6.0, 13), (np.arange(13) % 3 == 0).astype(float)),
            (np.array([[0.3, -2.0], [5.0, 0.0]]), np.array([[1.0, 0.0], [0.0, 1.0]])),
            (draw.uniform(-30, 30, size=n), draw.integers(0, 2, size=n).astype(float))]


@bce.check("matches the binary cross-entropy for moderate logits")
def _bce_matches(f):
    for z, t in _bce_moderate():
        want = binary_cross_entropy_with_logits(z, t, reduction="none")
        got = np.asarray(f(z, t), dtype=float)
        if got.shape != z.shape:
            fail(f"for logits of shape {z.shape} your loss has shape {got.shape}; return "
                 "one loss per element")
        err = np.abs(got - want) / np.maximum(1.0, np.abs(want))
        if not err.max() <= 1e-9:
            k = np.unravel_index(np.nan_to_num(err, nan=np.inf).argmax(), err.shape)
            yours, expected = _shown(got[k], want[k])
            fail(f"for z = {z[k]!r}, t = {t[k]:g} your loss is {yours}; it should be "
                 f"{expected}")


@bce.check("stays finite and exact for logits of ±40 and ±800")
def _bce_extreme(f):
    draw = _fresh()
    big = draw.choice([-1.0, 1.0], size=8) * draw.uniform(30, 2000, size=8)
    for z, t in [(np.array([-800.0, 800.0, 800.0, -800.0]), np.array([1.0, 0.0, 1.0, 0.0])),
                 (np.array([40.0, -40.0, 40.0, -40.0, 1e4]),
                  np.array([0.0, 1.0, 1.0, 0.0, 0.0])),
                 (big, draw.integers(0, 2, size=8).astype(float))]:
        want = binary_cross_entropy_with_logits(z, t, reduction="none")
        got = np.asarray(f(z, t), dtype=float)
        if got.shape != z.shape:
            fail(f"for logits of shape {z.shape} your loss has shape {got.shape}")
        if not np.all(np.isfinite(got)):
            k = int(np.flatnonzero(~np.isfinite(got))[0])
            fail(f"for z = {z[k]:g}, t = {t[k]:g} your loss is {got[k]!r}: an exponential "
                 "overflows or a log meets 0; find a form of the same loss that never "
                 "exponentiates a large positive number (the page shows one where it "
                 "explains the logits of ±800)")
        err = np.abs(got - want) / np.maximum(1.0, np.abs(want))
        if err.max() > 1e-12:
            k = int(err.argmax())
            yours, expected = _shown(got[k], want[k])
            fail(f"for z = {z[k]:g}, t = {t[k]:g} you return {yours}, expected {expected} "
                 "(a confident mistake costs about |z|, a confident success about 0)")


bce.plant("through the sigmoid", "import numpy as np\n"
          "def bce_with_logits(z, t):\n    a = 1 / (1 + np.exp(-z))\n"
          "    return -(t * np.log(a) + (1 - t) * np.log(1 - a))\n", "overflows")
bce.plant("sign error", "import numpy as np\n"
          "def bce_with_logits(z, t):\n"
          "    return np.maximum(z, 0) + z * t + np.log1p(np.exp(-np.abs(z)))\n",
          "it should be")
bce.plant("clipped sigmoid", "import numpy as np\n"
          "def bce_with_logits(z, t):\n"
          "    a = np.clip(1 / (1 + np.exp(-z)), 1e-7, 1 - 1e-7)\n"
          "    return -(t * np.log(a) + (1 - t) * np.log(1 - a))\n", "a confident mistake")
bce.plant("no split on the sign", "import numpy as np\n"
          "def bce_with_logits(z, t):\n    return z - z * t + np.log1p(np.exp(-z))\n",
          "overflows")
bce.plant("in place", "import numpy as np\n"
          "def bce_with_logits(z, t):\n    loss = np.maximum(z, 0) - z * t\n"
          "    np.abs(z, out=z)\n    return loss + np.log1p(np.exp(-z))\n",
          "changed its input `z`")

# --------------------------------------------------------------- margin ranking loss

margin = exercise("losses.margin", "margin_loss")


def _margin_cases():
    draw = _fresh()
    n = int(draw.integers(4, 12))
    return [(np.array([3.0, 1.5, 1.0, 0.0, 2.0]), np.array([1.0, 1.0, 1.0, 2.0, 2.5]),
             np.array([1.0, 1.0, 1.0, 1.0, -1.0]), 1.0),
            (np.array([0.2, 0.0, 1.0, 0.5, -1.0, 2.0]), np.array([0.0, 0.2, 2.0, 0.0, 0.0, 0.1]),
             np.array([1.0, -1.0, -1.0, 1.0, -1.0, 1.0]), 0.25),
            (np.array([4.0, 1.0, 0.0]), np.array([1.0, 2.0, 2.5]), np.array([1.0, -1.0, -1.0]),
             2.5),
            (draw.normal(size=n), draw.normal(size=n), draw.choice([-1.0, 1.0], size=n),
             float(draw.uniform(0.1, 3.0)))]


@margin.check("matches max(0, -y (x1 - x2) + margin) elementwise")
def _margin_values(f):
    for x1, x2, y, m in _margin_cases():
        want = margin_ranking_loss(x1, x2, y, margin=m, reduction="none")
        got = np.asarray(f(x1, x2, y, m), dtype=float)
        if got.shape != want.shape:
            fail(f"for {len(x1)} pairs return one loss per pair, shape {want.shape}; yours "
                 f"has {got.shape}")
        bad = np.flatnonzero(~np.isclose(got, want, rtol=1e-9, atol=1e-12))
        if bad.size:
            k = int(bad[0])
            yours, expected = _shown(got[k], want[k])
            fail(f"pair {k} (x1 = {x1[k]:.6g}, x2 = {x2[k]:.6g}, y = {y[k]:+.0f}, "
                 f"margin = {m:.6g}): you return {yours}, expected {expected}; the loss is "
                 "zero once y (x1 - x2) >= margin")


@margin.check("shifting both scores changes nothing")
def _margin_shift(f):
    for x1, x2, y, m in _margin_cases():
        c = float(_fresh().uniform(-100, 100))
        a = np.asarray(f(x1, x2, y, m), dtype=float)
        b = np.asarray(f(x1 + c, x2 + c, y, m), dtype=float)
        if a.shape != b.shape or not np.allclose(a, b, rtol=1e-9, atol=1e-9):
            fail(f"adding {c:.3f} to both scores changed your loss; it may only depend on "
                 "x1 - x2")


margin.plant("no clamp at zero", "def margin_loss(x1, x2, y, margin):\n"
             "    return -y * (x1 - x2) + margin\n", "expected")
margin.plant("y ignored", "import numpy as np\n"
             "def margin_loss(x1, x2, y, margin):\n"
             "    return np.maximum(0, -(x1 - x2) + margin)\n", "y = -1")
margin.plant("hard-coded margin 1", "import numpy as np\n"
             "def margin_loss(x1, x2, y, margin):\n"
             "    return np.maximum(0, -y * (x1 - x2) + 1.0)\n", "margin = 0.25")
margin.plant("margin subtracted", "import numpy as np\n"
             "def margin_loss(x1, x2, y, margin):\n"
             "    return np.maximum(0, -y * (x1 - x2) - margin)\n", "expected")
margin.plant("in place", "import numpy as np\n"
             "def margin_loss(x1, x2, y, margin):\n    x1 -= x2\n    x1 *= -y\n"
             "    return np.maximum(0, x1 + margin)\n", "changed its input `x1`")
