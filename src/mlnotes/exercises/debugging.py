"""Checks of the exercises on the debugging page (:doc:`/debugging`)."""

from __future__ import annotations

import numpy as np

from . import exercise, fail

# ------------------------------------------------------- a gradient by differences

numgrad = exercise("debugging.numerical_gradient", "numerical_gradient")


def _cubic(x):
    return float(np.sum(x ** 3) + x[0] * x[1])


def _cubic_grad(x):
    g = 3 * x ** 2
    g[0] += x[1]
    g[1] += x[0]
    return g


@numgrad.check("one partial per coordinate")
def _ng_shape(f):
    x = np.array([0.5, -1.0, 2.0])
    got = np.asarray(f(_cubic, x.copy()))
    if got.shape != x.shape:
        fail(f"for x of shape {x.shape} you return shape {got.shape}: one difference "
             "quotient per coordinate")


@numgrad.check("central differences are accurate to 1e-6")
def _ng_values(f):
    x = np.array([0.5, -1.0, 2.0])
    got = np.asarray(f(_cubic, x.copy()), dtype=float)
    want = _cubic_grad(x)
    err = np.abs(got - want)
    if np.allclose(got, 2 * want, rtol=1e-4):
        fail("your gradient is twice the true one: (f(x + h) - f(x - h)) spans 2h")
    if err.max() > 1e-6:
        k = int(err.argmax())
        fail(f"coordinate {k}: you estimate {got[k]:.8f}, the derivative is {want[k]:.8f} "
             f"(error {err.max():.1e}); a one-sided difference has an error of order h, "
             "the central one of order h^2")


@numgrad.check("x is left as it was")
def _ng_restore(f):
    x = np.array([0.5, -1.0, 2.0])
    keep = x.copy()
    f(_cubic, x)
    if not np.array_equal(x, keep):
        fail(f"after your function x is {x.tolist()}, not {keep.tolist()}: put each "
             "coordinate back after nudging it")


numgrad.plant("one-sided", "import numpy as np\n"
              "def numerical_gradient(f, x, h=1e-5):\n    g = np.zeros_like(x)\n"
              "    for i in range(x.size):\n        old = x[i]\n        x[i] = old + h\n"
              "        up = f(x)\n        x[i] = old\n        g[i] = (up - f(x)) / h\n"
              "    return g\n", "one-sided difference")
numgrad.plant("divides by h", "import numpy as np\n"
              "def numerical_gradient(f, x, h=1e-5):\n    g = np.zeros_like(x)\n"
              "    for i in range(x.size):\n        old = x[i]\n        x[i] = old + h\n"
              "        up = f(x)\n        x[i] = old - h\n        down = f(x)\n"
              "        x[i] = old\n        g[i] = (up - down) / h\n    return g\n",
              "twice the true one")

# ------------------------------------------------- shuffling inputs with their labels

shuffle = exercise("debugging.shuffle", "shuffle_together")
_X = np.arange(20.0).reshape(10, 2)
_Y = np.arange(10) * 7


@shuffle.check("every input keeps its label")
def _pairs(f):
    X, y = f(_X.copy(), _Y.copy(), np.random.default_rng(0))
    X, y = np.asarray(X), np.asarray(y)
    if X.shape != _X.shape or y.shape != _Y.shape:
        fail(f"you return shapes {X.shape} and {y.shape}; shuffling keeps "
             f"{_X.shape} and {_Y.shape}")
    for row, label in zip(X, y, strict=False):
        original = int(row[0] // 2)
        if label != _Y[original]:
            fail(f"input {row.tolist()} now has the label {int(label)}, but its label is "
                 f"{int(_Y[original])}: apply ONE permutation to both arrays")


@shuffle.check("the order changes")
def _moved(f):
    X, _ = f(_X.copy(), _Y.copy(), np.random.default_rng(0))
    if np.array_equal(np.asarray(X), _X):
        fail("your inputs come back in their original order: draw a permutation with "
             "rng.permutation(len(X)) and index both arrays with it")


shuffle.plant("shuffled apart", "def shuffle_together(X, y, rng):\n"
              "    return X[rng.permutation(len(X))], y[rng.permutation(len(y))]\n",
              "apply ONE permutation")
shuffle.plant("not shuffled", "def shuffle_together(X, y, rng):\n    return X, y\n",
              "original order")
