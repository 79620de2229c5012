"""Checks of the exercises on the losses page (:doc:`/losses`)."""

from __future__ import annotations

import numpy as np

from ..losses import binary_cross_entropy_with_logits, cross_entropy_backward
from . import exercise, fail

# ------------------------------------------- the gradient of softmax + cross-entropy

ce_grad = exercise("losses.ce_grad", "ce_gradient")

_LOGITS = np.array([[2.0, 1.0, -1.0], [0.5, 0.5, 3.0], [-2.0, 4.0, 0.0], [1.0, 0.0, 0.0]])
_TARGET = np.array([0, 2, 1, 1])


@ce_grad.check("matches the gradient of the mean cross-entropy")
def _ce_matches(f):
    got = np.asarray(f(_LOGITS, _TARGET), dtype=float)
    want = cross_entropy_backward(1.0, _LOGITS, _TARGET)
    if got.shape != want.shape:
        fail(f"your gradient has shape {got.shape}; it must have the logits' shape {want.shape}")
    if np.allclose(got, want * len(_TARGET), atol=1e-9):
        fail("your gradient is N times too large: the loss is the mean over the N = 4 "
             "samples, so divide (softmax(z) - onehot(y)) by N")
    if np.allclose(got, -want, atol=1e-9):
        fail("your gradient has the wrong sign: it is softmax(z) - onehot(y), not the reverse")
    err = np.abs(got - want)
    if err.max() > 1e-9:
        i = tuple(int(k) for k in np.unravel_index(err.argmax(), err.shape))
        fail(f"your gradient differs from autograd's by {err.max():.3g} at entry {i}")


@ce_grad.check("each row sums to zero")
def _ce_rows(f):
    rows = np.asarray(f(_LOGITS, _TARGET), dtype=float).sum(axis=1)
    if not np.allclose(rows, 0.0, atol=1e-9):
        fail(f"row sums of your gradient are {np.round(rows, 3).tolist()}; softmax outputs "
             "and a one-hot vector both sum to 1, so every row of a - y sums to 0")


ce_grad.plant("no 1/N", "import numpy as np\n"
              "def ce_gradient(z, y):\n    e = np.exp(z - z.max(axis=1, keepdims=True))\n"
              "    a = e / e.sum(axis=1, keepdims=True)\n"
              "    return a - np.eye(z.shape[1])[y]\n", "N times too large")
ce_grad.plant("sign error", "import numpy as np\n"
              "def ce_gradient(z, y):\n    e = np.exp(z - z.max(axis=1, keepdims=True))\n"
              "    a = e / e.sum(axis=1, keepdims=True)\n"
              "    return (np.eye(z.shape[1])[y] - a) / len(y)\n", "wrong sign")

# --------------------------------------------- binary cross-entropy on logits, stably

bce = exercise("losses.bce_logits", "bce_with_logits")


@bce.check("matches the binary cross-entropy for moderate logits")
def _bce_matches(f):
    z = np.linspace(-6.0, 6.0, 13)
    t = (np.arange(13) % 3 == 0).astype(float)
    got = np.asarray(f(z, t), dtype=float)
    want = binary_cross_entropy_with_logits(z, t, reduction="none")
    if got.shape != z.shape:
        fail(f"your loss has shape {got.shape}; return one loss per element, shape {z.shape}")
    err = np.abs(got - want)
    if err.max() > 1e-9:
        k = int(err.argmax())
        fail(f"for z = {z[k]:g}, t = {t[k]:g} your loss is {got[k]:.4f}; "
             f"it should be {want[k]:.4f}")


@bce.check("stays finite and exact for logits of ±800")
def _bce_extreme(f):
    z, t = np.array([-800.0, 800.0, 800.0, -800.0]), np.array([1.0, 0.0, 1.0, 0.0])
    got = np.asarray(f(z, t), dtype=float)
    want = binary_cross_entropy_with_logits(z, t, reduction="none")
    if not np.all(np.isfinite(got)):
        fail("for z = ±800 your loss is nan or inf: exp(800) overflows and log(0) = -inf; "
             "find a form of the same loss that never exponentiates a large positive "
             "number (the page shows one where it explains the logits of ±800)")
    if not np.allclose(got, want, rtol=1e-12, atol=1e-12):
        fail(f"for z = ±800 you return {got.tolist()}, expected {want.tolist()} "
             "(a confident mistake costs about |z|)")


bce.plant("through the sigmoid", "import numpy as np\n"
          "def bce_with_logits(z, t):\n    a = 1 / (1 + np.exp(-z))\n"
          "    return -(t * np.log(a) + (1 - t) * np.log(1 - a))\n", "nan or inf")
bce.plant("sign error", "import numpy as np\n"
          "def bce_with_logits(z, t):\n"
          "    return np.maximum(z, 0) + z * t + np.log1p(np.exp(-np.abs(z)))\n",
          "it should be")

# --------------------------------------------------------------- margin ranking loss

margin = exercise("losses.margin", "margin_loss")
_X1 = np.array([3.0, 1.5, 1.0, 0.0, 2.0])
_X2 = np.array([1.0, 1.0, 1.0, 2.0, 2.5])
_YY = np.array([1.0, 1.0, 1.0, 1.0, -1.0])


@margin.check("matches max(0, -y (x1 - x2) + margin) elementwise")
def _margin_values(f):
    from ..losses import margin_ranking_loss

    got = np.asarray(f(_X1, _X2, _YY, 1.0), dtype=float)
    want = margin_ranking_loss(_X1, _X2, _YY, margin=1.0, reduction="none")
    if got.shape != want.shape:
        fail(f"return one loss per pair, shape {want.shape}; yours has {got.shape}")
    bad = np.flatnonzero(~np.isclose(got, want))
    if bad.size:
        k = int(bad[0])
        fail(f"pair {k} (x1 = {_X1[k]}, x2 = {_X2[k]}, y = {_YY[k]:+.0f}): you return "
             f"{got[k]:g}, expected {want[k]:g}; the loss is zero once y (x1 - x2) >= margin")


@margin.check("shifting both scores changes nothing")
def _margin_shift(f):
    a = np.asarray(f(_X1, _X2, _YY, 1.0), dtype=float)
    b = np.asarray(f(_X1 + 50.0, _X2 + 50.0, _YY, 1.0), dtype=float)
    if not np.allclose(a, b):
        fail("adding 50 to both scores changed your loss; it may only depend on x1 - x2")


margin.plant("no clamp at zero", "def margin_loss(x1, x2, y, margin):\n"
             "    return -y * (x1 - x2) + margin\n", "expected")
margin.plant("y ignored", "import numpy as np\n"
             "def margin_loss(x1, x2, y, margin):\n"
             "    return np.maximum(0, -(x1 - x2) + margin)\n", "pair 4")
