"""Checks of the exercises on the normalisation page (:doc:`/normalization`)."""

from __future__ import annotations

import numpy as np

from ..norm import batch_norm, layer_norm
from . import exercise, fail

_X = np.random.default_rng(6).normal(size=(8, 5)) * np.array([1.0, 10.0, 0.1, 3.0, 50.0]) + 4


def _compare(got, want, what, hint):
    got = np.asarray(got, dtype=float)
    if got.shape != want.shape:
        fail(f"your {what} has shape {got.shape}; it keeps the input's shape {want.shape}")
    err = np.abs(got - want)
    if err.max() > 1e-6:
        fail(f"your {what} differs from the reference by {err.max():.3g}: {hint}")


# ------------------------------------------------------------------ layer norm

ln = exercise("normalization.layer_norm", "my_layer_norm")


@ln.check("each sample has mean 0 and variance 1")
def _ln_stats(f):
    y = np.asarray(f(_X, 1e-5), dtype=float)
    if y.shape == _X.shape and not np.allclose(y.mean(axis=1), 0, atol=1e-9):
        fail(f"the rows of your output have means {np.round(y.mean(axis=1)[:3], 3).tolist()}"
             "...; layer norm centres each sample (each row) over its features, axis 1")


@ln.check("matches layer_norm")
def _ln_values(f):
    _compare(f(_X, 1e-5), layer_norm(_X, 5), "layer norm",
             "divide by sqrt(var + eps), with the biased variance (divide by D)")


ln.plant("over the batch", "import numpy as np\n"
         "def my_layer_norm(x, eps):\n    m, v = x.mean(axis=0), x.var(axis=0)\n"
         "    return (x - m) / np.sqrt(v + eps)\n", "each sample (each row)")
ln.plant("std without eps, unbiased", "import numpy as np\n"
         "def my_layer_norm(x, eps):\n    m = x.mean(axis=1, keepdims=True)\n"
         "    return (x - m) / x.std(axis=1, ddof=1, keepdims=True)\n", "biased variance")

# ------------------------------------------------------- batch norm while training

bn = exercise("normalization.batch_norm", "my_batch_norm")


@bn.check("each feature has mean 0 over the batch")
def _bn_stats(f):
    y = np.asarray(f(_X, 1e-5), dtype=float)
    if y.shape == _X.shape and not np.allclose(y.mean(axis=0), 0, atol=1e-9):
        fail("the columns of your output do not have mean 0: batch norm centres each "
             "feature (each column) over the batch, axis 0")


@bn.check("matches batch_norm in training")
def _bn_values(f):
    want = batch_norm(_X, None, None, training=True, eps=1e-5)
    _compare(f(_X, 1e-5), want, "batch norm",
             "normalise with the batch's own biased variance (divide by N) plus eps")


bn.plant("over the features", "import numpy as np\n"
         "def my_batch_norm(x, eps):\n    m = x.mean(axis=1, keepdims=True)\n"
         "    return (x - m) / np.sqrt(x.var(axis=1, keepdims=True) + eps)\n",
         "each feature (each column)")
bn.plant("unbiased variance", "import numpy as np\n"
         "def my_batch_norm(x, eps):\n"
         "    return (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0, ddof=1) + eps)\n",
         "biased variance")
