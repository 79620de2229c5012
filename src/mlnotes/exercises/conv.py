"""Checks of the exercises on the convolution page (:doc:`/conv`)."""

from __future__ import annotations

import numpy as np

from ..conv import conv1d, conv_output_size, max_pool2d
from . import _fresh, _shown, exercise, fail

# ---------------------------------------------------------------- the output's size

size = exercise("conv.output_size", "out_size")
_CASES = [(28, 5, 1, 0, 1), (32, 3, 1, 1, 1), (32, 3, 2, 1, 1), (7, 3, 2, 0, 1),
          (64, 3, 1, 2, 2), (10, 4, 3, 1, 1), (9, 3, 1, 0, 4), (17, 2, 4, 3, 3)]


def _size_cases():
    draw = _fresh()
    cases = list(_CASES)
    while len(cases) < len(_CASES) + 3:
        n, k, s, p, d = (int(a) for a in (draw.integers(5, 80), draw.integers(1, 8),
                                          draw.integers(1, 5), draw.integers(0, 4),
                                          draw.integers(1, 4)))
        if n + 2 * p >= d * (k - 1) + 1:
            cases.append((n, k, s, p, d))
    return cases


@size.check("matches the formula on LeNet's and ResNet's layers and on others")
def _sizes(f):
    for n, k, s, p, d in _size_cases():
        got, want = f(n, k, s, p, d), conv_output_size(n, k, s, p, d)
        if got != want:
            fail(f"for size {n}, kernel {k}, stride {s}, padding {p}, dilation {d} you "
                 f"return {got!r}; the output has {want} positions")


@size.check("returns an int")
def _int(f):
    for case in _size_cases():
        got = f(*case)
        if not isinstance(got, (int, np.integer)) or isinstance(got, bool):
            fail(f"for {case} you return {got!r} ({type(got).__name__}); a size is an int: "
                 "use // to divide")


_OS = "def out_size(n, k, s, p, d):\n"
size.plant("no dilation", _OS + "    return (n + 2 * p - k) // s + 1\n", "dilation 2")
size.plant("missing + 1", _OS + "    return (n + 2 * p - d * (k - 1) - 1) // s\n",
           "the output has")
size.plant("true division", _OS + "    return (n + 2 * p - d * (k - 1) - 1) / s + 1\n",
           "a size is an int")
size.plant("padding on one side", _OS + "    return (n + p - d * (k - 1) - 1) // s + 1\n",
           "padding 1")
size.plant("stride ignored", _OS + "    return n + 2 * p - d * (k - 1)\n", "stride 2")

# --------------------------------------------------------------------- max pooling

pool = exercise("conv.max_pool", "max_pool")


def _pool_cases():
    rng, draw = np.random.default_rng(2), _fresh()
    h, w, k = (int(a) for a in (draw.integers(3, 12), draw.integers(3, 12), draw.integers(2, 4)))
    return [(rng.normal(size=(6, 8)), 2), (rng.normal(size=(6, 8)), 3),
            (-1 - rng.random(size=(5, 7)), 2),  # every window negative; rows and columns left over
            (rng.normal(size=(4, 9)), 4),
            (draw.normal(size=(h, w)) - 3, k)]


@pool.check("output shape (H // k, W // k)")
def _pool_shape(f):
    for x, k in _pool_cases():
        got = np.asarray(f(x, k))
        want = (x.shape[0] // k, x.shape[1] // k)
        if got.shape != want:
            fail(f"pooling a {x.shape} image with {k} x {k} windows (stride {k}, leftover "
                 f"rows and columns dropped) gives {want}; your output has shape {got.shape}")


@pool.check("each output is its window's largest entry")
def _pool_values(f):
    for x, k in _pool_cases():
        got = np.asarray(f(x, k), dtype=float)
        want = max_pool2d(x[None, None], k)[0, 0]
        if got.shape != want.shape:
            fail(f"for a {x.shape} image and k = {k} your output has shape {got.shape}, "
                 f"not {want.shape}")
        if np.array_equal(got, want):
            continue
        i, j = np.unravel_index(np.abs(got - want).argmax(), want.shape)
        window = x[k * i:k * i + k, k * j:k * j + k]
        yours, expected = _shown(got[i, j], want[i, j])
        neg = " (every entry of this window is negative)" if window.max() < 0 else ""
        fail(f"for a {x.shape} image and k = {k}, output ({i}, {j}) is {yours}; it should be "
             f"the max of window rows {k * i}-{k * i + k - 1}, columns {k * j}-{k * j + k - 1}, "
             f"{expected}{neg}")


_MP = "import numpy as np\ndef max_pool(x, k):\n"
pool.plant("average pooling", _MP + "    H, W = x.shape[0] // k, x.shape[1] // k\n"
           "    return x[:H * k, :W * k].reshape(H, k, W, k).mean(axis=(1, 3))\n",
           "should be the max of window")
pool.plant("stride 1", _MP + "    H, W = x.shape[0] - k + 1, x.shape[1] - k + 1\n"
           "    return np.array([[x[i:i + k, j:j + k].max() for j in range(W)]\n"
           "                     for i in range(H)])\n", "gives (3, 4)")
pool.plant("running max from 0", _MP + "    H, W = x.shape[0] // k, x.shape[1] // k\n"
           "    out = np.zeros((H, W))\n    for i in range(H):\n        for j in range(W):\n"
           "            m = 0.0\n            for a in range(k):\n"
           "                for b in range(k):\n"
           "                    m = max(m, x[i * k + a, j * k + b])\n"
           "            out[i, j] = m\n    return out\n", "every entry of this window is negative")
pool.plant("hard-coded k = 2", _MP + "    H, W = x.shape[0] // 2, x.shape[1] // 2\n"
           "    return x[:H * 2, :W * 2].reshape(H, 2, W, 2).max(axis=(1, 3))\n",
           "with 3 x 3 windows")
pool.plant("in place", _MP + "    H, W = x.shape[0] // k, x.shape[1] // k\n"
           "    for i in range(1, k):\n"
           "        x[0:H * k:k] = np.maximum(x[0:H * k:k], x[i:H * k:k])\n"
           "    for j in range(1, k):\n"
           "        x[:, 0:W * k:k] = np.maximum(x[:, 0:W * k:k], x[:, j:W * k:k])\n"
           "    return x[0:H * k:k, 0:W * k:k]\n", "changed its input `x`")

# ------------------------------------------------------------ a 1-D cross-correlation

corr = exercise("conv.correlate", "correlate1d")


def _corr_cases():
    draw = _fresh()
    n = int(draw.integers(6, 20))
    k = int(draw.integers(2, 6))
    return [(np.array([0.0, 1.0, 3.0, 2.0, 0.0, -1.0, 4.0]), np.array([1.0, 2.0, -1.0])),
            (np.array([2.0, -1.0, 0.5, 0.0, 3.0, 1.0, -2.0, 1.0, 0.0]),
             np.array([0.5, -1.0, 0.0, 2.0])),
            (np.array([1.0, 4.0, -2.0, 0.0]), np.array([3.0, 1.0])),
            (draw.normal(size=n), draw.normal(size=k))]


@corr.check("valid positions only: length n - k + 1")
def _corr_len(f):
    for x, w in _corr_cases():
        got = np.asarray(f(x, w))
        n, k = len(x), len(w)
        if got.shape != (n - k + 1,):
            fail(f"a signal of {n} and a kernel of {k} give {n} - {k} + 1 = {n - k + 1} "
                 f"outputs (no padding); yours has shape {got.shape}")


@corr.check("slides the kernel without flipping it")
def _corr_values(f):
    for x, w in _corr_cases():
        got = np.asarray(f(x, w), dtype=float)
        want = conv1d(x[None, None], w[None, None])[0, 0]
        if got.shape != want.shape:
            fail(f"your output has shape {got.shape}, not {want.shape}")
        if np.allclose(got, want, rtol=1e-12, atol=1e-12):
            continue
        if np.allclose(got, np.convolve(x, w, mode="valid")):
            fail("you flipped the kernel (that is np.convolve): deep learning's convolution "
                 "is a cross-correlation, y[i] = sum_j x[i + j] w[j]")
        i = int(np.abs(got - want).argmax())
        yours, expected = _shown(got[i], want[i])
        fail(f"for a kernel of {len(w)} taps, output {i} is {yours}, expected {expected}")


_CR = "import numpy as np\ndef correlate1d(x, w):\n"
corr.plant("flipped", _CR + "    return np.convolve(x, w, mode='valid')\n", "flipped the kernel")
corr.plant("full length", _CR + "    return np.correlate(x, w, mode='same')\n", "7 - 3 + 1 = 5")
corr.plant("hard-coded 3 taps", _CR + "    return np.array([x[i] * w[0] + x[i + 1] * w[1] + "
           "x[i + 2] * w[2]\n                     for i in range(len(x) - 2)])\n",
           "a kernel of 4 give 9 - 4 + 1 = 6")
corr.plant("kernel ignored past its first tap", _CR + "    n = len(x) - len(w) + 1\n"
           "    return x[:n] * w[0]\n", "expected")
corr.plant("in place", _CR + "    n = len(x) - len(w) + 1\n    for i in range(n):\n"
           "        x[i] = x[i:i + len(w)] @ w\n    return x[:n]\n", "changed its input `x`")
