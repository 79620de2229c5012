"""Checks of the exercises on the debugging page (:doc:`/debugging`)."""

from __future__ import annotations

import numpy as np

from . import _fresh, _shown, exercise, fail

# ------------------------------------------------------- a gradient by differences

numgrad = exercise("debugging.numerical_gradient", "numerical_gradient")


def _cubic(x):
    return float(np.sum(x ** 3) + x[0] * x[1])


def _cubic_grad(x):
    g = 3 * x ** 2
    g[0] += x[1]
    g[1] += x[0]
    return g


def _functions():
    """(function, its exact gradient, a point): a cubic and a function drawn afresh."""
    draw = _fresh()
    a = draw.uniform(0.5, 2.0, size=int(draw.integers(2, 7)))

    def wave(x):
        return float(np.sum(np.sin(a * x)) + np.exp(x[0]) * x[-1])

    def wave_grad(x):
        g = a * np.cos(a * x)
        g[0] += np.exp(x[0]) * x[-1]
        g[-1] += np.exp(x[0])
        return g

    return [(_cubic, _cubic_grad, np.array([0.5, -1.0, 2.0])),
            (_cubic, _cubic_grad, np.array([1.5, 0.25, -0.75, 1.0, 3.0])),
            (wave, wave_grad, draw.uniform(-1.5, 1.5, size=a.size))]


def _central(F, x, h):
    """Our own central differences with step h, the estimate the reader's must equal."""
    g = np.zeros_like(x)
    for i in range(x.size):
        e = np.zeros_like(x)
        e[i] = h
        g[i] = (F(x + e) - F(x - e)) / (2 * h)
    return g


@numgrad.check("one partial per coordinate")
def _ng_shape(f):
    for F, _, x in _functions():
        got = np.asarray(f(F, x))
        if got.shape != x.shape:
            fail(f"for x of shape {x.shape} you return shape {got.shape}: one difference "
                 "quotient per coordinate")


@numgrad.check("accurate to 1e-6 at the default h")
def _ng_values(f):
    for F, grad, x in _functions():
        got = np.asarray(f(F, x), dtype=float)
        want = grad(x)
        if got.shape != want.shape:
            fail(f"for x of shape {x.shape} you return shape {got.shape}")
        err = np.abs(got - want)
        if np.allclose(got, 2 * want, rtol=1e-4):
            fail("your gradient is twice the true one: f(x + h) - f(x - h) spans 2h")
        if not err.max() <= 1e-6:
            k = int(np.nan_to_num(err, nan=np.inf).argmax())
            yours, expected = _shown(got[k], want[k])
            fail(f"at x = {np.round(x, 4).tolist()}, coordinate {k}: you estimate {yours}, "
                 f"the derivative is {expected} (error {err[k]:.1e})")


@numgrad.check("central differences at another h")
def _ng_other_h(f):
    for h in (1e-2, 3e-3):
        for F, grad, x in _functions():
            got = np.asarray(f(F, x, h), dtype=float)
            want = _central(F, x, h)
            if got.shape != want.shape:
                fail(f"with h = {h:g} you return shape {got.shape}, not {want.shape}")
            err = np.abs(got - want)
            if err.max() <= 1e-7:
                continue
            k = int(np.nan_to_num(err, nan=np.inf).argmax())
            yours, expected = _shown(got[k], want[k])
            exact = grad(x)
            fwd = np.array([(F(x + h * e) - F(x)) / h for e in np.eye(x.size)])
            if np.allclose(got, fwd, rtol=1e-7, atol=1e-9):
                why = ("that is the one-sided difference (f(x + h) - f(x)) / h, whose error "
                       "is of order h; the central one's is of order h^2")
            elif np.allclose(got, exact, rtol=1e-7, atol=1e-7):
                why = ("your estimate does not change with h: use the h you are given")
            else:
                why = "the central difference uses f(x + h) and f(x - h)"
            fail(f"with h = {h:g}, coordinate {k}: you estimate {yours}, the central "
                 f"difference is {expected}; {why}")


_NG = ("import numpy as np\ndef numerical_gradient(f, x, h=1e-5):\n    g = np.zeros_like(x)\n"
       "    for i in range(x.size):\n        old = x[i]\n        x[i] = old + h\n"
       "        up = f(x)\n")
numgrad.plant("one-sided", _NG + "        x[i] = old\n        g[i] = (up - f(x)) / h\n"
              "    return g\n", "one-sided difference")
numgrad.plant("one-sided with a tiny default h", _NG.replace("h=1e-5", "h=1e-8") +
              "        x[i] = old\n        g[i] = (up - f(x)) / h\n    return g\n",
              "one-sided difference")
numgrad.plant("divides by h", _NG + "        x[i] = old - h\n        down = f(x)\n"
              "        x[i] = old\n        g[i] = (up - down) / h\n    return g\n",
              "twice the true one")
numgrad.plant("h ignored", _NG.replace("h=1e-5", "h=None").replace("x[i] = old + h",
              "x[i] = old + 1e-5") + "        x[i] = old - 1e-5\n        down = f(x)\n"
              "        x[i] = old\n        g[i] = (up - down) / 2e-5\n    return g\n",
              "does not change with h")
numgrad.plant("x not restored", _NG + "        x[i] = old - h\n        down = f(x)\n"
              "        g[i] = (up - down) / (2 * h)\n    return g\n", "changed its input `x`")

# ------------------------------------------------- shuffling inputs with their labels

shuffle = exercise("debugging.shuffle", "shuffle_together")


def _data():
    draw = _fresh()
    n = int(draw.integers(6, 30))
    return [(np.arange(20.0).reshape(10, 2), np.arange(10) * 7),
            (np.arange(36.0).reshape(12, 3) - 5, (np.arange(12) * 5) % 12),
            (np.arange(n * 2.0).reshape(n, 2), draw.integers(0, 3, size=n))]


def _rows(f, X, y, seed):
    out = f(X, y, np.random.default_rng(seed))
    if not isinstance(out, (tuple, list)) or len(out) != 2:
        fail("return the pair (inputs, labels)")
    A, b = np.asarray(out[0]), np.asarray(out[1])
    if A.shape != X.shape or b.shape != y.shape:
        fail(f"for inputs {X.shape} and labels {y.shape} you return shapes {A.shape} and "
             f"{b.shape}; shuffling keeps the shapes")
    return A, b


@shuffle.check("a permutation: every input once, with its own label")
def _pairs(f):
    for X, y in _data():
        A, b = _rows(f, X, y, 0)
        came = [int(np.flatnonzero((X == row).all(axis=1))[0]) if (X == row).all(axis=1).any()
                else -1 for row in A]
        if -1 in came:
            fail(f"your inputs include the row {A[came.index(-1)].tolist()}, which is not "
                 "one of the inputs")
        if sorted(came) != list(range(len(X))):
            twice = next(i for i in came if came.count(i) > 1)
            fail(f"input {X[twice].tolist()} appears {came.count(twice)} times and others "
                 "are missing: a shuffle draws without replacement (a permutation)")
        for row, label, i in zip(A, b, came, strict=True):
            if label != y[i]:
                fail(f"input {row.tolist()} now has the label {label}, but its label is "
                     f"{y[i]}: apply ONE permutation to both arrays")


@shuffle.check("the order changes, and comes from the generator you are given")
def _moved(f):
    for X, y in _data():
        A, _ = _rows(f, X, y, 0)
        if np.array_equal(A, X):
            fail("your inputs come back in their original order: draw a random order "
                 "from rng")
        again, _ = _rows(f, X, y, 0)
        if not np.array_equal(A, again):
            fail("two calls with generators seeded alike gave different orders: draw the "
                 "order from the rng you are given, not from np.random")
        others = [_rows(f, X, y, s)[0] for s in (1, 2, 3)]
        if all(np.array_equal(A, o) for o in others):
            fail("generators with different seeds all gave the same order: draw the order "
                 "from the rng you are given")


_SH = "import numpy as np\ndef shuffle_together(X, y, rng):\n"
shuffle.plant("shuffled apart", _SH +
              "    return X[rng.permutation(len(X))], y[rng.permutation(len(y))]\n",
              "apply ONE permutation")
shuffle.plant("not shuffled", _SH + "    return X, y\n", "original order")
shuffle.plant("with replacement", _SH + "    order = rng.choice(len(X), len(X))\n"
              "    return X[order], y[order]\n", "without replacement")
shuffle.plant("the global generator", _SH + "    order = np.random.permutation(len(X))\n"
              "    return X[order], y[order]\n", "not from np.random")
shuffle.plant("a fixed order", _SH + "    order = np.random.default_rng(0).permutation("
              "len(X))\n    return X[order], y[order]\n", "with different seeds")
shuffle.plant("in place", _SH + "    order = rng.permutation(len(X))\n    X[:] = X[order]\n"
              "    y[:] = y[order]\n    return X, y\n", "changed its input `X`")
