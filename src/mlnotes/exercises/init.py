"""Checks of the exercises on the initialisation page (:doc:`/init`)."""

from __future__ import annotations

import math

from ..init import calculate_gain
from . import _fresh, _shown, exercise, fail

# ------------------------------------------------------------- the Xavier bound

xavier = exercise("init.xavier_bound", "xavier_bound")


def _fans():
    draw = _fresh()
    return [(784, 256), (256, 256), (16, 10), (3, 1000), (1, 1),
            (int(draw.integers(1, 3000)), int(draw.integers(1, 3000)))]


def _number(got, what):
    try:
        return float(got)
    except (TypeError, ValueError):
        fail(f"{what} you return {got!r}; a bound is one number")


@xavier.check("gain 1: Var(w) = 2 / (fan_in + fan_out)")
def _gain_one(f):
    for fan_in, fan_out in _fans():
        a = _number(f(fan_in, fan_out, 1.0), f"for fan_in {fan_in}, fan_out {fan_out}")
        var = a ** 2 / 3  # the variance of U(-a, a)
        want = 2 / (fan_in + fan_out)
        if not math.isclose(var, want, rel_tol=1e-9):
            yours, expected = _shown(var, want)
            fail(f"for fan_in {fan_in}, fan_out {fan_out} your bound {a!r} gives U(-a, a) "
                 f"the variance a^2/3 = {yours}; Xavier wants 2/(fan_in + fan_out) = "
                 f"{expected}")


@xavier.check("the gain multiplies the bound")
def _gain(f):
    draw = _fresh()
    for g, name in [(calculate_gain("tanh"), "tanh"), (calculate_gain("relu"), "relu"),
                    (0.25, "0.25"), (float(draw.uniform(0.1, 4.0)), "drawn")]:
        for fan_in, fan_out in [(300, 200), (7, 50)]:
            a1 = _number(f(fan_in, fan_out, 1.0), "with gain 1")
            ag = _number(f(fan_in, fan_out, g), f"with gain {g:.4f}")
            if not math.isclose(ag, g * a1, rel_tol=1e-9):
                yours, expected = _shown(ag, g * a1)
                fail(f"with gain {g:.6g} ({name}) and fans {fan_in}, {fan_out} your bound is "
                     f"{yours}; it should be gain times the gain-1 bound, {expected}")


_XB = "import math\ndef xavier_bound(fan_in, fan_out, gain):\n"
xavier.plant("variance for the bound", _XB + "    return gain * 2 / (fan_in + fan_out)\n",
             "Xavier wants")
xavier.plant("gain forgotten", _XB + "    return math.sqrt(6 / (fan_in + fan_out))\n",
             "gain times")
xavier.plant("gain inside the root", _XB + "    return math.sqrt(6 * gain / (fan_in + fan_out))\n",
             "gain times")
xavier.plant("fan_out ignored", _XB + "    return gain * math.sqrt(3 / fan_in)\n", "Xavier wants")
xavier.plant("hard-coded fans", _XB + "    return gain * math.sqrt(6 / (784 + 256))\n",
             "Xavier wants")

# ------------------------------------------------------------ He's standard deviation

he = exercise("init.he_std", "he_std")


def _shapes():
    draw = _fresh()
    return [(256, 784), (10, 256), (512, 3), (16, 3, 5, 5), (8, 4, 3, 1), (2, 6, 1, 7),
            (32, 16, 2, 3),
            tuple(int(s) for s in draw.integers(1, 9, size=4)),
            tuple(int(s) for s in draw.integers(1, 600, size=2))]


@he.check("std = sqrt(2 / fan_in) for a ReLU layer")
def _he(f):
    for shape in _shapes()[:3] + _shapes()[-1:]:
        got = _number(f(shape), f"for a weight of shape {shape}")
        want = math.sqrt(2 / shape[1])
        if not math.isclose(got, want, rel_tol=1e-9):
            hint = (" (a weight of shape (out, in) has fan_in = shape[1])"
                    if math.isclose(got, math.sqrt(2 / shape[0])) else "")
            yours, expected = _shown(got, want)
            fail(f"for a weight of shape {shape} you return {yours}, which is not He's std "
                 f"for that shape, {expected}{hint}")


@he.check("convolution weights count the kernel, square or not, in fan_in")
def _he_conv(f):
    for shape in _shapes()[3:-1]:
        got = _number(f(shape), f"for a weight of shape {shape}")
        fan_in = shape[1] * shape[2] * shape[3]
        want = math.sqrt(2 / fan_in)
        if not math.isclose(got, want, rel_tol=1e-9):
            yours, expected = _shown(got, want)
            fail(f"for a conv weight {shape} fan_in is {shape[1]} * {shape[2]} * {shape[3]} "
                 f"= {fan_in}, so the std is {expected}; you return {yours}")


_HE = "import math\ndef he_std(shape):\n"
he.plant("fan_out", _HE + "    return math.sqrt(2 / shape[0])\n", "fan_in = shape[1]")
he.plant("no factor 2", _HE + "    return math.sqrt(1 / shape[1])\n", "He's std")
he.plant("square kernels only", _HE + "    k = shape[2] if len(shape) > 2 else 1\n"
         "    return math.sqrt(2 / (shape[1] * k * k))\n", "fan_in is 4 * 3 * 1")
he.plant("kernel ignored", _HE + "    return math.sqrt(2 / shape[1])\n", "fan_in is 3 * 5 * 5")
he.plant("hard-coded 784 inputs", _HE + "    return math.sqrt(2 / 784)\n", "He's std")
