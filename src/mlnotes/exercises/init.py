"""Checks of the exercises on the initialisation page (:doc:`/init`)."""

from __future__ import annotations

import math

from ..init import calculate_gain
from . import exercise, fail

# ------------------------------------------------------------- the Xavier bound

xavier = exercise("init.xavier_bound", "xavier_bound")
_SHAPES = [(784, 256), (256, 256), (16, 10), (3, 1000)]


@xavier.check("gain 1: Var(w) = 2 / (fan_in + fan_out)")
def _gain_one(f):
    for fan_in, fan_out in _SHAPES:
        a = f(fan_in, fan_out, 1.0)
        var = a ** 2 / 3  # the variance of U(-a, a)
        want = 2 / (fan_in + fan_out)
        if not math.isclose(var, want, rel_tol=1e-9):
            fail(f"for fan_in {fan_in}, fan_out {fan_out} your bound {a:.4f} gives "
                 f"U(-a, a) the variance a^2/3 = {var:.3g}; Xavier wants "
                 f"2/(fan_in + fan_out) = {want:.3g}")


@xavier.check("the gain multiplies the bound")
def _gain(f):
    g = calculate_gain("tanh")
    a1, ag = f(300, 200, 1.0), f(300, 200, g)
    if not math.isclose(ag, g * a1, rel_tol=1e-9):
        fail(f"with gain {g:.4f} (tanh) your bound is {ag:.4f}; it should be gain times "
             f"the gain-1 bound, {g * a1:.4f}")


xavier.plant("variance for the bound", "import math\n"
             "def xavier_bound(fan_in, fan_out, gain):\n"
             "    return gain * 2 / (fan_in + fan_out)\n", "Xavier wants")
xavier.plant("gain forgotten", "import math\n"
             "def xavier_bound(fan_in, fan_out, gain):\n"
             "    return math.sqrt(6 / (fan_in + fan_out))\n", "gain times")

# ------------------------------------------------------------ He's standard deviation

he = exercise("init.he_std", "he_std")


@he.check("std = sqrt(2 / fan_in) for a ReLU layer")
def _he(f):
    for out_features, in_features in [(256, 784), (10, 256), (512, 3)]:
        got = f((out_features, in_features))
        want = math.sqrt(2 / in_features)
        if not math.isclose(got, want, rel_tol=1e-9):
            hint = (" (a weight of shape (out, in) has fan_in = shape[1])"
                    if math.isclose(got, math.sqrt(2 / out_features)) else "")
            fail(f"for a weight of shape {(out_features, in_features)} you return "
                 f"{got:.4f}, which is not He's std for that shape{hint}")


@he.check("convolution weights count the kernel in fan_in")
def _he_conv(f):
    got = f((16, 3, 5, 5))
    want = math.sqrt(2 / (3 * 25))
    if not math.isclose(got, want, rel_tol=1e-9):
        fail(f"for a conv weight (16, 3, 5, 5) fan_in is 3 * 5 * 5 = 75, so std "
             f"{want:.4f}; you return {got:.4f}")


he.plant("fan_out", "import math\n"
         "def he_std(shape):\n    return math.sqrt(2 / shape[0])\n", "fan_in = shape[1]")
he.plant("no factor 2", "import math\n"
         "def he_std(shape):\n    return math.sqrt(1 / shape[1])\n", "He's std")
