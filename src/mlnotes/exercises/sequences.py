"""Checks of the exercises on the sequences page (:doc:`/sequences`)."""

from __future__ import annotations

import numpy as np

from ..rnn import rnn_cell
from . import _describe, _fresh, _shown, exercise, fail

# ------------------------------------------------------------------ one RNN step

step = exercise("sequences.rnn_step", "rnn_step")


def _step_cases():
    rng, draw = np.random.default_rng(4), _fresh()
    out = []
    for g, (N, D, H) in [(rng, (2, 3, 5)), (rng, (4, 6, 2)), (rng, (1, 2, 2)),
                         (draw, tuple(int(a) for a in draw.integers(1, 8, size=3)))]:
        out.append((g.normal(size=(N, D)), g.normal(size=(N, H)), g.normal(size=(H, D)),
                    g.normal(size=(H, H)) / 2, g.normal(size=H), g.normal(size=H)))
    return out


@step.check("new state of shape (N, H)")
def _step_shape(f):
    for x, h, W_ih, W_hh, b_ih, b_hh in _step_cases():
        got = np.asarray(f(x, h, W_ih, W_hh, b_ih, b_hh))
        if got.shape != h.shape:
            fail(f"for a batch of {len(x)}, {x.shape[1]} inputs and {h.shape[1]} hidden units "
                 f"the new state has shape {h.shape}; yours has {got.shape} (x W_ih^T is "
                 "(N, H): mind the transposes)")


@step.check("matches h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)")
def _step_values(f):
    for x, h, W_ih, W_hh, b_ih, b_hh in _step_cases():
        got = np.asarray(f(x, h, W_ih, W_hh, b_ih, b_hh), dtype=float)
        want = rnn_cell(x, h, W_ih, W_hh, b_ih, b_hh)
        if got.shape != want.shape:
            fail(f"your new state has shape {got.shape}, not {want.shape}")
        if np.any(np.abs(got) > 1):
            fail(f"your state has entries like {got.ravel()[np.abs(got.ravel()).argmax()]!r}, "
                 "outside [-1, 1]: the tanh squashes the pre-activation")
        err = np.abs(got - want)
        if not err.max() <= 1e-9:
            n = int(np.nan_to_num(err, nan=np.inf).max(axis=1).argmax())
            yours, expected = _shown(got[n], want[n])
            fail(f"with N = {len(x)}, D = {x.shape[1]}, H = {h.shape[1]}, row {n} of your "
                 f"new state is {yours}; the RNN cell gives {expected}")


_RS = "import numpy as np\ndef rnn_step(x, h, W_ih, W_hh, b_ih, b_hh):\n"
step.plant("no tanh", _RS + "    return x @ W_ih.T + b_ih + h @ W_hh.T + b_hh\n",
           "outside [-1, 1]")
step.plant("hidden weights forgotten", _RS + "    return np.tanh(x @ W_ih.T + b_ih + h + b_hh)\n",
           "the RNN cell gives")
step.plant("a bias ignored", _RS + "    return np.tanh(x @ W_ih.T + b_ih + h @ W_hh.T)\n",
           "the RNN cell gives")
step.plant("W_hh not transposed", _RS +
           "    return np.tanh(x @ W_ih.T + b_ih + h @ W_hh + b_hh)\n", "the RNN cell gives")
step.plant("in place", _RS + "    h[...] = np.tanh(x @ W_ih.T + b_ih + h @ W_hh.T + b_hh)\n"
           "    return h\n", "changed its input `h`")

# ------------------------------------------------------------- gradient clipping

clip = exercise("sequences.clip", "clip_by_norm")


def _grads(scale, seed=9):
    rng = np.random.default_rng(seed)
    g = [rng.normal(size=(3, 4)), rng.normal(size=4)]
    total = np.sqrt(sum((a ** 2).sum() for a in g))
    return [a * scale / total for a in g]  # total norm exactly `scale`


def _clip_cases():
    """(gradients, max_norm): norms above and below max_norm, max_norm above and below 1,
    including norms between sqrt(max_norm) and max_norm (a squared norm misjudges them)."""
    draw = _fresh()
    m = float(draw.uniform(0.2, 6.0))
    return [(_grads(30.0), 1.0), (_grads(12.0, 1), 5.0), (_grads(0.4, 2), 0.25),
            (_grads(3.0, 3), 4.0), (_grads(0.01), 1.0), (_grads(0.3, 4), 0.2),
            (_grads(m * float(draw.uniform(1.2, 4.0)), 5), m),
            (_grads(m * float(draw.uniform(0.3, 0.9)), 6), m)]


def _norm(grads):
    return float(np.sqrt(sum((np.asarray(g, dtype=float) ** 2).sum() for g in grads)))


@clip.check("returns one gradient per input, each of its shape")
def _clip_shapes(f):
    for grads, m in _clip_cases():
        got = f(grads, m)
        if not isinstance(got, (list, tuple)) or len(got) != len(grads):
            fail(f"for a list of {len(grads)} gradients return a list of {len(grads)}; you "
                 f"return {_describe(got)}")
        for i, (a, b) in enumerate(zip(got, grads, strict=True)):
            if np.shape(a) != b.shape:
                fail(f"gradient {i} has shape {b.shape}; yours has {np.shape(a)}")


@clip.check("large gradients end with norm max_norm, direction kept")
def _clip_large(f):
    for grads, m in _clip_cases():
        total = _norm(grads)
        if total <= m:
            continue
        got = [np.asarray(g, dtype=float) for g in f(grads, m)]
        norm = _norm(got)
        if not np.isclose(norm, m, rtol=1e-9):
            yours, expected = _shown(norm, m)
            fail(f"gradients of total norm {total:.6g} clipped to max_norm = {m:.6g} have "
                 f"total norm {yours}; it should be {expected}: scale every gradient by the "
                 "same factor, max_norm / total norm")
        want = [g * (m / total) for g in grads]
        for a, b in zip(got, want, strict=True):
            if not np.allclose(a, b, rtol=1e-9, atol=1e-12):
                fail(f"your gradients have norm {m:.6g} but point elsewhere: scale all of "
                     "them by one factor computed from the norm over all of them, not "
                     "tensor by tensor")


@clip.check("gradients within max_norm pass unchanged")
def _clip_small(f):
    for grads, m in _clip_cases():
        total = _norm(grads)
        if total > m:
            continue
        got = f(grads, m)
        if not all(np.allclose(np.asarray(a, dtype=float), b, rtol=1e-12, atol=0)
                   for a, b in zip(got, grads, strict=True)):
            fail(f"gradients of total norm {total:.6g}, within max_norm = {m:.6g}, must pass "
                 f"unchanged; yours now have norm {_norm(got):.6g}")


_CL = "import numpy as np\ndef clip_by_norm(grads, max_norm):\n"
_TOTAL = "    total = np.sqrt(sum((g ** 2).sum() for g in grads))\n"
clip.plant("tensor by tensor", _CL +
           "    return [g * min(1.0, max_norm / np.linalg.norm(g)) for g in grads]\n",
           "same factor")
clip.plant("always rescale", _CL + _TOTAL + "    return [g * max_norm / total for g in grads]\n",
           "must pass unchanged")
clip.plant("squared norm compared", _CL + "    sq = sum((g ** 2).sum() for g in grads)\n"
           "    if sq <= max_norm:\n        return grads\n"
           "    return [g * max_norm / np.sqrt(sq) for g in grads]\n", "must pass unchanged")
clip.plant("hard-coded max_norm 1", _CL + _TOTAL +
           "    return [g * min(1.0, 1.0 / total) for g in grads]\n", "it should be")
clip.plant("entry by entry", _CL + "    return [np.clip(g, -max_norm, max_norm) for g in grads]\n",
           "it should be")
clip.plant("in place", _CL + _TOTAL + "    for g in grads:\n"
           "        g *= min(1.0, max_norm / total)\n    return grads\n",
           "changed its input `grads`")
