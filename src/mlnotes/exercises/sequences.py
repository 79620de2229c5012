"""Checks of the exercises on the sequences page (:doc:`/sequences`)."""

from __future__ import annotations

import numpy as np

from ..optim import clip_grad_norm
from ..rnn import rnn_cell
from . import exercise, fail

# ------------------------------------------------------------------ one RNN step

step = exercise("sequences.rnn_step", "rnn_step")


def _step_case():
    rng = np.random.default_rng(4)
    D, H, N = 3, 5, 2
    return (rng.normal(size=(N, D)), rng.normal(size=(N, H)), rng.normal(size=(H, D)),
            rng.normal(size=(H, H)) / 2, rng.normal(size=H), rng.normal(size=H))


@step.check("new state of shape (N, H)")
def _step_shape(f):
    x, h, W_ih, W_hh, b_ih, b_hh = _step_case()
    got = np.asarray(f(x, h, W_ih, W_hh, b_ih, b_hh))
    if got.shape != h.shape:
        fail(f"for a batch of 2 and 5 hidden units the new state has shape (2, 5); yours "
             f"has {got.shape} (x W_ih^T is (N, H): mind the transposes)")


@step.check("matches h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)")
def _step_values(f):
    x, h, W_ih, W_hh, b_ih, b_hh = _step_case()
    got = np.asarray(f(x, h, W_ih, W_hh, b_ih, b_hh), dtype=float)
    want = rnn_cell(x, h, W_ih, W_hh, b_ih, b_hh)
    if np.any(np.abs(got) > 1):
        fail(f"your state has entries like {got.ravel()[np.abs(got.ravel()).argmax()]:.2f}, "
             "outside [-1, 1]: the tanh squashes the pre-activation")
    err = np.abs(got - want)
    if err.max() > 1e-9:
        fail(f"your new state differs from the RNN cell's by {err.max():.3g}; "
             f"row 0 should be {np.round(want[0], 4).tolist()}")


step.plant("no tanh", "def rnn_step(x, h, W_ih, W_hh, b_ih, b_hh):\n"
           "    return x @ W_ih.T + b_ih + h @ W_hh.T + b_hh\n", "outside [-1, 1]")
step.plant("hidden weights forgotten", "import numpy as np\n"
           "def rnn_step(x, h, W_ih, W_hh, b_ih, b_hh):\n"
           "    return np.tanh(x @ W_ih.T + b_ih + h + b_hh)\n", "differs from the RNN cell")

# ------------------------------------------------------------- gradient clipping

clip = exercise("sequences.clip", "clip_by_norm")


def _grads(scale):
    rng = np.random.default_rng(9)
    return [rng.normal(size=(3, 4)) * scale, rng.normal(size=4) * scale]


@clip.check("large gradients end with norm max_norm, direction kept")
def _clip_large(f):
    grads = _grads(30.0)
    got = [np.asarray(g, dtype=float) for g in f([g.copy() for g in grads], 1.0)]
    want = [g.copy() for g in grads]
    clip_grad_norm(want, 1.0)
    norm = np.sqrt(sum((g ** 2).sum() for g in got))
    if not np.isclose(norm, 1.0, rtol=1e-5):
        fail(f"after clipping to max_norm = 1 the total norm of your gradients is "
             f"{norm:.4f}; scale every gradient by the same factor max_norm / total norm")
    for a, b in zip(got, want, strict=False):
        if not np.allclose(a, b, rtol=1e-5, atol=1e-9):
            fail("your gradients have norm 1 but point elsewhere: scale all of them by one "
                 "factor computed from the norm over all of them, not tensor by tensor")


@clip.check("small gradients pass unchanged")
def _clip_small(f):
    grads = _grads(0.01)
    got = f([g.copy() for g in grads], 1.0)
    if not all(np.allclose(a, b) for a, b in zip(got, grads, strict=False)):
        fail("gradients whose total norm is already below max_norm must pass unchanged; "
             "yours changed them")


clip.plant("tensor by tensor", "import numpy as np\n"
           "def clip_by_norm(grads, max_norm):\n"
           "    return [g * min(1.0, max_norm / np.linalg.norm(g)) for g in grads]\n",
           "same factor")
clip.plant("always rescale", "import numpy as np\n"
           "def clip_by_norm(grads, max_norm):\n"
           "    total = np.sqrt(sum((g ** 2).sum() for g in grads))\n"
           "    return [g * max_norm / total for g in grads]\n", "must pass unchanged")
