"""Checks of the exercises on the optimizers page (:doc:`/optimizers`)."""

from __future__ import annotations

import numpy as np

from ..optim import adam_step, sgd_step
from . import exercise, fail


def _grads(n=5):
    rng = np.random.default_rng(12)
    return [rng.normal(size=3) for _ in range(n)]


def _follow(f, reference, hint):
    """Run the reader's step and the reference for a few steps from the same start."""
    p_ref, p_yours, state_ref, state = np.array([1.0, -2.0, 0.5]), None, {}, {}
    p_yours = p_ref.copy()
    for t, g in enumerate(_grads(), start=1):
        reference(p_ref, g, state_ref)
        out = f(p_yours, g, state)
        if out is not None:
            p_yours = np.asarray(out, dtype=float)
        err = np.abs(p_yours - p_ref).max()
        if not np.isfinite(err) or err > 1e-9:
            fail(f"after step {t} your parameters are {np.round(p_yours, 5).tolist()}, "
                 f"expected {np.round(p_ref, 5).tolist()}: {hint}")


# ------------------------------------------------------------- SGD with momentum

momentum = exercise("optimizers.momentum", "momentum_step")


@momentum.check("five steps match torch's SGD(lr=0.1, momentum=0.9)")
def _momentum(f):
    _follow(f, lambda p, g, s: sgd_step(p, g, s, lr=0.1, momentum=0.9),
            "b = 0.9 b + g (b = g at the first step), then p = p - 0.1 b")


momentum.plant("no velocity", "def momentum_step(p, g, state):\n    return p - 0.1 * g\n",
               "after step 2")
momentum.plant("velocity as an average", "import numpy as np\n"
               "def momentum_step(p, g, state):\n"
               "    b = 0.9 * state.get('b', np.zeros_like(p)) + 0.1 * g\n"
               "    state['b'] = b\n    return p - 0.1 * b\n", "after step 1")

# ------------------------------------------------------------ Adam's bias correction

adam = exercise("optimizers.adam", "adam_update")


@adam.check("five steps match torch's Adam(lr=0.01)")
def _adam(f):
    _follow(f, lambda p, g, s: adam_step(p, g, s, lr=0.01),
            "m and v are running averages of g and g^2 (betas 0.9, 0.999); divide "
            "them by 1 - beta^t before the step p -= lr m_hat / (sqrt(v_hat) + eps)")


adam.plant("no bias correction", "import numpy as np\n"
           "def adam_update(p, g, state):\n    t = state.get('t', 0) + 1\n"
           "    m = 0.9 * state.get('m', 0) + 0.1 * g\n"
           "    v = 0.999 * state.get('v', 0) + 0.001 * g * g\n"
           "    state.update(t=t, m=m, v=v)\n"
           "    return p - 0.01 * m / (np.sqrt(v) + 1e-8)\n", "after step 1")
adam.plant("correction with beta, not beta^t", "import numpy as np\n"
           "def adam_update(p, g, state):\n    t = state.get('t', 0) + 1\n"
           "    m = 0.9 * state.get('m', 0) + 0.1 * g\n"
           "    v = 0.999 * state.get('v', 0) + 0.001 * g * g\n"
           "    state.update(t=t, m=m, v=v)\n"
           "    m_hat, v_hat = m / (1 - 0.9), v / (1 - 0.999)\n"
           "    return p - 0.01 * m_hat / (np.sqrt(v_hat) + 1e-8)\n", "after step 2")
