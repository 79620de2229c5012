"""Checks of the exercises on the normalisation page (:doc:`/normalization`)."""

from __future__ import annotations

import numpy as np

from ..norm import batch_norm, layer_norm
from . import _answer, _fresh, _shown, exercise, fail


def _cases():
    """(x, eps): sizes other than the page's, features of tiny variance where eps matters,
    a large eps, and a batch drawn afresh."""
    rng, draw = np.random.default_rng(6), _fresh()
    n, d = (int(a) for a in draw.integers(2, 9, size=2))
    scales = np.array([1.0, 10.0, 0.1, 3.0, 50.0])
    return [(rng.normal(size=(8, 5)) * scales + 4, 1e-5),
            (rng.normal(size=(3, 7)) * 1e-3, 1e-5),   # variance 1e-6: eps is a tenth of it
            (rng.normal(size=(6, 2)) * 2 - 1, 0.5),
            (draw.normal(size=(n, d)) * draw.uniform(0.01, 5.0, size=d),
             float(draw.uniform(1e-4, 1.0)))]


def _compare(got, want, x, eps, what, explain):
    got, tol = _answer(got, 1e-9)
    if got.shape != want.shape:
        fail(f"for x of shape {x.shape} your {what} has shape {got.shape}; it keeps the "
             "input's shape")
    err = np.abs(got - want)
    if err.max() <= tol * max(1.0, np.abs(want).max()):
        return
    for reason, other in explain(x, eps):
        if np.allclose(got, other, rtol=1e-9, atol=1e-12):
            fail(f"for x of shape {x.shape} and eps = {eps:g}: {reason}")
    i = tuple(int(k) for k in np.unravel_index(np.nan_to_num(err, nan=np.inf).argmax(),
                                               err.shape))
    yours, expected = _shown(got[i], want[i])
    fail(f"for x of shape {x.shape} and eps = {eps:g}, entry {i} of your {what} is {yours}, "
         f"expected {expected}")


def _mistakes(axis):
    def explain(x, eps):
        m, v = x.mean(axis=axis, keepdims=True), x.var(axis=axis, keepdims=True)
        vu = x.var(axis=axis, ddof=1, keepdims=True) if x.shape[axis] > 1 else v
        return [("you divide without eps; it belongs under the root, sqrt(var + eps)",
                 (x - m) / np.sqrt(v)),
                ("you add eps outside the root; it belongs under it, sqrt(var + eps)",
                 (x - m) / (np.sqrt(v) + eps)),
                ("you use the unbiased variance (divide by n - 1); normalisation uses the "
                 "biased one (divide by n)", (x - m) / np.sqrt(vu + eps)),
                ("your result ignores the eps you are given",
                 (x - m) / np.sqrt(v + 1e-5))]
    return explain


# ------------------------------------------------------------------ layer norm

ln = exercise("normalization.layer_norm", "my_layer_norm")


@ln.check("each sample has mean 0")
def _ln_stats(f):
    for x, eps in _cases():
        y, tol = _answer(f(x, eps), 1e-9)
        if y.shape == x.shape and not np.allclose(y.mean(axis=1), 0, atol=tol):
            fail(f"the rows of your output have means {_shown(y.mean(axis=1)[:3], 0)[0]}...; "
                 "layer norm centres each sample (each row) over its features, axis 1")


@ln.check("matches layer_norm")
def _ln_values(f):
    for x, eps in _cases():
        _compare(f(x, eps), layer_norm(x, x.shape[1], eps=eps), x, eps, "layer norm",
                 _mistakes(1))


_LN = "import numpy as np\ndef my_layer_norm(x, eps):\n"
ln.plant("over the batch", _LN + "    m, v = x.mean(axis=0), x.var(axis=0)\n"
         "    return (x - m) / np.sqrt(v + eps)\n", "each sample (each row)")
ln.plant("std without eps, unbiased", _LN + "    m = x.mean(axis=1, keepdims=True)\n"
         "    return (x - m) / x.std(axis=1, ddof=1, keepdims=True)\n", "expected")
ln.plant("eps ignored", _LN + "    m, v = x.mean(axis=1, keepdims=True), x.var(axis=1, "
         "keepdims=True)\n    return (x - m) / np.sqrt(v + 1e-5)\n", "ignores the eps")
ln.plant("eps outside the root", _LN + "    m = x.mean(axis=1, keepdims=True)\n"
         "    return (x - m) / (x.std(axis=1, keepdims=True) + eps)\n", "outside the root")
ln.plant("unbiased variance", _LN + "    m = x.mean(axis=1, keepdims=True)\n"
         "    return (x - m) / np.sqrt(x.var(axis=1, ddof=1, keepdims=True) + eps)\n",
         "biased one")
ln.plant("in place", _LN + "    x -= x.mean(axis=1, keepdims=True)\n"
         "    x /= np.sqrt((x ** 2).mean(axis=1, keepdims=True) + eps)\n    return x\n",
         "changed its input `x`")

# ------------------------------------------------------- batch norm while training

bn = exercise("normalization.batch_norm", "my_batch_norm")


@bn.check("each feature has mean 0 over the batch")
def _bn_stats(f):
    for x, eps in _cases():
        y, tol = _answer(f(x, eps), 1e-9)
        if y.shape == x.shape and not np.allclose(y.mean(axis=0), 0, atol=tol):
            fail("the columns of your output do not have mean 0: batch norm centres each "
                 "feature (each column) over the batch, axis 0")


@bn.check("matches batch_norm in training")
def _bn_values(f):
    for x, eps in _cases():
        want = batch_norm(x, None, None, training=True, eps=eps)
        _compare(f(x, eps), want, x, eps, "batch norm", _mistakes(0))


_BN = "import numpy as np\ndef my_batch_norm(x, eps):\n"
bn.plant("over the features", _BN + "    m = x.mean(axis=1, keepdims=True)\n"
         "    return (x - m) / np.sqrt(x.var(axis=1, keepdims=True) + eps)\n",
         "each feature (each column)")
bn.plant("unbiased variance", _BN +
         "    return (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0, ddof=1) + eps)\n",
         "biased one")
bn.plant("eps ignored", _BN + "    return (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + 1e-5)\n",
         "ignores the eps")
bn.plant("eps outside the root", _BN + "    return (x - x.mean(axis=0)) / (x.std(axis=0) + eps)\n",
         "outside the root")
bn.plant("in place", _BN + "    x -= x.mean(axis=0)\n"
         "    x /= np.sqrt((x ** 2).mean(axis=0) + eps)\n    return x\n", "changed its input `x`")
