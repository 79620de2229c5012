"""Checks of the exercises on the optimizers page (:doc:`/optimizers`).

A step may update its parameters in place and must keep its memory in the dict
``state`` it is given (both are passed as they are); each check starts from a
fresh, empty state, and one runs two parameter sets side by side and repeats a run,
so that memory kept anywhere else (a global) shows.
"""

from __future__ import annotations

import numpy as np

from . import Fail, _copy, _fresh, _same, _shown, exercise, fail


def _runs():
    """(start, gradients): a fixed run and one drawn afresh, of other shapes."""
    rng, draw = np.random.default_rng(12), _fresh()
    shape = tuple(int(s) for s in draw.integers(1, 4, size=2))
    return [(np.array([1.0, -2.0, 0.5]), [rng.normal(size=3) for _ in range(5)]),
            (draw.normal(size=shape), [draw.normal(size=shape) * 3 for _ in range(6)])]


def _steps(f, start, grads, state=None):
    """The reader's parameters after each step, from a fresh state."""
    p, state = start.copy(), {} if state is None else state
    out = []
    for g in grads:
        new = f(p, g.copy(), state)
        p = np.array(new, dtype=float)
        out.append(p.copy())
    return out


def _reference(step, start, grads):
    p, state, out = start.copy(), {}, []
    for g in grads:
        step(p, g, state)
        out.append(p.copy())
    return out


def _follow(f, step, hint):
    for start, grads in _runs():
        want = _reference(step, start, grads)
        for t, (mine, ref) in enumerate(zip(_steps(f, start, grads), want, strict=True), 1):
            if mine.shape != ref.shape:
                fail(f"for parameters of shape {ref.shape} your step returns shape "
                     f"{mine.shape}")
            err = np.abs(mine - ref).max()
            if not err <= 1e-9:
                yours, expected = _shown(mine, ref)
                fail(f"after step {t} your parameters are {yours}, expected {expected}: "
                     f"{hint}")


def _globals(f):
    """The reader's module-level data (what a step could keep between calls)."""
    names = getattr(getattr(f, "f", f), "__globals__", {})
    kept = {}
    for k, v in names.items():
        if k.startswith("_") or k in ("In", "Out") or not isinstance(
                v, (dict, list, set, np.ndarray, int, float)):
            continue  # IPython's history, functions, modules
        c = _copy(v)
        if _same(v, c):  # plain data, which a copy can stand for
            kept[k] = c
    return kept


def _own_state(f):
    start, grads = _runs()[1]
    before = _globals(f)
    try:  # one number: it broadcasts against whatever a global kept from an earlier run
        _steps(f, np.array([0.5]), [np.array([1.5]), np.array([-0.5])])
    except Fail:
        pass  # the message that matters here is the one below
    after = _globals(f)
    changed = sorted(k for k in before.keys() | after.keys()
                     if k not in before or k not in after or not _same(before[k], after[k]))
    if changed:
        fail(f"your function changes the global `{changed[0]}` between calls: a global "
             "outlives the run (and mixes two parameter sets); keep the step's memory in "
             "the dict `state` it is given")
    first = _steps(f, start, grads)
    again = _steps(f, start, grads)
    if not all(np.array_equal(a, b) for a, b in zip(first, again, strict=True)):
        fail("a second run from a fresh, empty state took other steps than the first: your "
             "function keeps something outside the dict `state` it is given (a global?)")
    other = [g[::-1] * 2 for g in grads]
    alone = _steps(f, start, other)
    sa, sb, pa, pb = {}, {}, start.copy(), start.copy()
    for t, (ga, gb) in enumerate(zip(grads, other, strict=True)):
        pa = np.array(f(pa, ga.copy(), sa), dtype=float)
        pb = np.array(f(pb, gb.copy(), sb), dtype=float)
        if not (np.array_equal(pa, first[t]) and np.array_equal(pb, alone[t])):
            fail("two parameter sets stepped in turns, each with its own state, moved "
                 f"differently from each one stepped alone (from step {t + 1}): each step "
                 "must read and write only the state it is given")


# ------------------------------------------------------------- SGD with momentum

momentum = exercise("optimizers.momentum", "momentum_step", mutable=(0, 2))


def _sgd(p, g, s):
    from ..optim import sgd_step

    sgd_step(p, g, s, lr=0.1, momentum=0.9)


@momentum.check("steps match torch's SGD(lr=0.1, momentum=0.9)")
def _momentum(f):
    _follow(f, _sgd, "b = 0.9 b + g (b = g at the first step), then p = p - 0.1 b")


@momentum.check("keeps its memory in `state` only")
def _momentum_state(f):
    _own_state(f)


_MO = "import numpy as np\ndef momentum_step(p, g, state):\n"
momentum.plant("no velocity", _MO + "    return p - 0.1 * g\n", "after step 2")
momentum.plant("velocity as an average", _MO +
               "    b = 0.9 * state.get('b', np.zeros_like(p)) + 0.1 * g\n"
               "    state['b'] = b\n    return p - 0.1 * b\n", "after step 1")
momentum.plant("velocity in a global", "import numpy as np\nVELOCITY = {}\n" + _MO +
               "    b = g if 'b' not in VELOCITY else 0.9 * VELOCITY['b'] + g\n"
               "    VELOCITY['b'] = b\n    return p - 0.1 * b\n", "changes the global `VELOCITY`")
momentum.plant("hard-coded lr 0.01", _MO + "    b = g if 'b' not in state else 0.9 * "
               "state['b'] + g\n    state['b'] = b\n    return p - 0.01 * b\n", "after step 1")
momentum.plant("in place on g", _MO + "    if 'b' in state:\n"
               "        g += 0.9 * state['b']  # g becomes the velocity\n"
               "    state['b'] = g.copy()\n    return p - 0.1 * g\n", "changed its input `g`")

# ------------------------------------------------------------ Adam's bias correction

adam = exercise("optimizers.adam", "adam_update", mutable=(0, 2))


def _adam_ref(p, g, s):
    from ..optim import adam_step

    adam_step(p, g, s, lr=0.01)


@adam.check("steps match torch's Adam(lr=0.01)")
def _adam(f):
    _follow(f, _adam_ref,
            "m and v are running averages of g and g^2 (betas 0.9, 0.999); divide "
            "them by 1 - beta^t before the step p -= lr m_hat / (sqrt(v_hat) + eps)")


@adam.check("keeps its memory in `state` only")
def _adam_state(f):
    _own_state(f)


_AD = ("import numpy as np\ndef adam_update(p, g, state):\n    t = state.get('t', 0) + 1\n"
       "    m = 0.9 * state.get('m', 0) + 0.1 * g\n"
       "    v = 0.999 * state.get('v', 0) + 0.001 * g * g\n    state.update(t=t, m=m, v=v)\n")
adam.plant("no bias correction", _AD + "    return p - 0.01 * m / (np.sqrt(v) + 1e-8)\n",
           "after step 1")
adam.plant("correction with beta, not beta^t", _AD +
           "    m_hat, v_hat = m / (1 - 0.9), v / (1 - 0.999)\n"
           "    return p - 0.01 * m_hat / (np.sqrt(v_hat) + 1e-8)\n", "after step 2")
adam.plant("step count in a global", "import numpy as np\nSTEPS = [0]\n" +
           _AD.replace("t = state.get('t', 0) + 1", "STEPS[0] += 1\n    t = STEPS[0]") +
           "    m_hat, v_hat = m / (1 - 0.9 ** t), v / (1 - 0.999 ** t)\n"
           "    return p - 0.01 * m_hat / (np.sqrt(v_hat) + 1e-8)\n", "changes the global `STEPS`")
adam.plant("eps under the root", _AD +
           "    m_hat, v_hat = m / (1 - 0.9 ** t), v / (1 - 0.999 ** t)\n"
           "    return p - 0.01 * m_hat / np.sqrt(v_hat + 1e-8)\n", "expected")
adam.plant("in place on g", "import numpy as np\ndef adam_update(p, g, state):\n"
           "    t = state.get('t', 0) + 1\n    m = 0.9 * state.get('m', 0) + 0.1 * g\n"
           "    g *= g\n    v = 0.999 * state.get('v', 0) + 0.001 * g\n"
           "    state.update(t=t, m=m, v=v)\n"
           "    m_hat, v_hat = m / (1 - 0.9 ** t), v / (1 - 0.999 ** t)\n"
           "    return p - 0.01 * m_hat / (np.sqrt(v_hat) + 1e-8)\n", "changed its input `g`")
