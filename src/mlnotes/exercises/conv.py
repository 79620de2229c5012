"""Checks of the exercises on the convolution page (:doc:`/conv`)."""

from __future__ import annotations

import numpy as np

from ..conv import conv_output_size, max_pool2d
from . import exercise, fail

# ---------------------------------------------------------------- the output's size

size = exercise("conv.output_size", "out_size")
_CASES = [(28, 5, 1, 0, 1), (32, 3, 1, 1, 1), (32, 3, 2, 1, 1), (7, 3, 2, 0, 1),
          (64, 3, 1, 2, 2), (10, 4, 3, 1, 1), (9, 3, 1, 0, 4)]


@size.check("matches the formula on LeNet's and ResNet's layers")
def _sizes(f):
    for n, k, s, p, d in _CASES:
        got, want = f(n, k, s, p, d), conv_output_size(n, k, s, p, d)
        if got != want:
            fail(f"for size {n}, kernel {k}, stride {s}, padding {p}, dilation {d} you "
                 f"return {got}; the output has {want} positions "
                 "(floor((n + 2p - d(k - 1) - 1) / s) + 1)")


@size.check("returns an int")
def _int(f):
    got = f(28, 5, 1, 0, 1)
    if not isinstance(got, (int, np.integer)):
        fail(f"you return {got!r} ({type(got).__name__}); a size is an int: use // "
             "to divide")


size.plant("no dilation", "def out_size(n, k, s, p, d):\n"
           "    return (n + 2 * p - k) // s + 1\n", "dilation 2")
size.plant("missing + 1", "def out_size(n, k, s, p, d):\n"
           "    return (n + 2 * p - d * (k - 1) - 1) // s\n", "the output has")
size.plant("true division", "def out_size(n, k, s, p, d):\n"
           "    return (n + 2 * p - d * (k - 1) - 1) / s + 1\n", "a size is an int")

# --------------------------------------------------------------------- max pooling

pool = exercise("conv.max_pool", "max_pool")
_IMAGE = np.random.default_rng(2).normal(size=(6, 8))


@pool.check("output shape (H / k, W / k)")
def _pool_shape(f):
    got = np.asarray(f(_IMAGE, 2))
    if got.shape != (3, 4):
        fail(f"pooling a (6, 8) image with 2 x 2 windows (stride 2) gives (3, 4); your "
             f"output has shape {got.shape}")


@pool.check("each output is its window's largest entry")
def _pool_values(f):
    for k in (2, 3):
        got = np.asarray(f(_IMAGE, k), dtype=float)
        want = max_pool2d(_IMAGE[None, None], k)[0, 0]
        if got.shape != want.shape or not np.allclose(got, want):
            i, j = (0, 0) if got.shape != want.shape else np.unravel_index(
                np.abs(got - want).argmax(), want.shape)
            window = _IMAGE[k * i:k * i + k, k * j:k * j + k]
            fail(f"with k = {k}, output ({i}, {j}) should be the max of window "
                 f"rows {k * i}-{k * i + k - 1}, columns {k * j}-{k * j + k - 1}, "
                 f"{window.max():.4f}")


pool.plant("average pooling", "import numpy as np\n"
           "def max_pool(x, k):\n    H, W = x.shape[0] // k, x.shape[1] // k\n"
           "    return x[:H * k, :W * k].reshape(H, k, W, k).mean(axis=(1, 3))\n",
           "should be the max of window")
pool.plant("stride 1", "import numpy as np\n"
           "def max_pool(x, k):\n    H, W = x.shape[0] - k + 1, x.shape[1] - k + 1\n"
           "    return np.array([[x[i:i + k, j:j + k].max() for j in range(W)]\n"
           "                     for i in range(H)])\n", "gives (3, 4)")

# ------------------------------------------------------------ a 1-D cross-correlation

corr = exercise("conv.correlate", "correlate1d")
_SIGNAL = np.array([0.0, 1.0, 3.0, 2.0, 0.0, -1.0, 4.0])
_KERNEL = np.array([1.0, 2.0, -1.0])


@corr.check("valid positions only: length n - k + 1")
def _corr_len(f):
    got = np.asarray(f(_SIGNAL, _KERNEL))
    if got.shape != (5,):
        fail(f"a signal of 7 and a kernel of 3 give 7 - 3 + 1 = 5 outputs (no padding); "
             f"yours has shape {got.shape}")


@corr.check("slides the kernel without flipping it")
def _corr_values(f):
    from ..conv import conv1d

    got = np.asarray(f(_SIGNAL, _KERNEL), dtype=float)
    want = conv1d(_SIGNAL[None, None], _KERNEL[None, None])[0, 0]
    if np.allclose(got, np.convolve(_SIGNAL, _KERNEL, mode="valid")):
        fail("you flipped the kernel (that is np.convolve): deep learning's convolution is "
             "a cross-correlation, y[i] = sum_j x[i + j] w[j]")
    if not np.allclose(got, want):
        fail(f"you return {got.tolist()}, expected {want.tolist()}")


corr.plant("flipped", "import numpy as np\n"
           "def correlate1d(x, w):\n    return np.convolve(x, w, mode='valid')\n",
           "flipped the kernel")
corr.plant("full length", "import numpy as np\n"
           "def correlate1d(x, w):\n    return np.correlate(x, w, mode='same')\n",
           "7 - 3 + 1 = 5")
