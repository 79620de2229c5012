"""Checks of the exercises on the architectures page (:doc:`/architectures`)."""

from __future__ import annotations

import numpy as np

from ..gating import softmax_gate
from ..sharing import share_backward
from . import exercise, fail

# ------------------------------------------------ the gradient of a shared parameter

shared = exercise("architectures.shared_grad", "shared_gradient")
_INDEX = np.array([0, 2, 0, 1, 2, 0])
_GRAD_W = np.array([1.0, -2.0, 0.5, 4.0, 3.0, 2.0])


@shared.check("one gradient per parameter")
def _shape(f):
    got = np.asarray(f(_GRAD_W, _INDEX, 3))
    if got.shape != (3,):
        fail(f"with 3 shared parameters your gradient has shape {got.shape}; "
             "return one number per parameter, shape (3,)")


@shared.check("each parameter sums its copies' gradients")
def _sums(f):
    got = np.asarray(f(_GRAD_W, _INDEX, 3), dtype=float)
    want = share_backward(_GRAD_W, _INDEX, 3)
    for j in range(3):
        if not np.isclose(got[j], want[j]):
            copies = np.flatnonzero(_INDEX == j).tolist()
            fail(f"parameter {j} is copied to weights {copies}, whose gradients are "
                 f"{_GRAD_W[copies].tolist()}; its gradient is their sum, {want[j]:g}, "
                 f"you return {got[j]:g}")


@shared.check("a parameter with no copy gets zero")
def _unused(f):
    got = np.asarray(f(np.array([1.0, 2.0]), np.array([0, 0]), 3), dtype=float)
    if got.shape != (3,) or not np.allclose(got, [3.0, 0.0, 0.0]):
        fail(f"for index [0, 0] and 3 parameters you return {got.tolist()}; "
             "expected [3.0, 0.0, 0.0] (unused parameters get no gradient)")


shared.plant("mean of the copies", "import numpy as np\n"
             "def shared_gradient(grad_w, index, num_params):\n"
             "    return np.array([grad_w[index == j].mean() if np.any(index == j) else 0.0\n"
             "                     for j in range(num_params)])\n", "is their sum")
shared.plant("last copy wins", "import numpy as np\n"
             "def shared_gradient(grad_w, index, num_params):\n"
             "    g = np.zeros(num_params)\n    g[index] = grad_w\n    return g\n",
             "is their sum")

# ---------------------------------------------------------- a mixture of experts' output

mixture = exercise("architectures.mixture", "mixture_output")


def _mixture_case():
    rng = np.random.default_rng(11)
    return rng.normal(size=(4, 3, 2)), 3 * rng.normal(size=(4, 3))  # (N, E, O), (N, E)


@mixture.check("output shape (N, O)")
def _mix_shape(f):
    outs, logits = _mixture_case()
    got = np.asarray(f(outs, logits))
    if got.shape != (4, 2):
        fail(f"for 4 samples, 3 experts and 2 outputs you return shape {got.shape}; "
             "the mixture has one output vector per sample, (4, 2)")


@mixture.check("weights the experts by the gater's softmax")
def _mix_values(f):
    outs, logits = _mixture_case()
    got = np.asarray(f(outs, logits), dtype=float)
    want = softmax_gate(outs, logits)  # (N, E, O) candidates, (N, E) logits
    if np.allclose(got, np.einsum("ne,neo->no", logits, outs), atol=1e-9):
        fail("you weight the experts by the raw gate logits; turn them into weights "
             "that are positive and sum to 1 with a softmax over the experts")
    err = np.abs(got - want)
    if err.max() > 1e-9:
        n = int(err.max(axis=1).argmax())
        fail(f"sample {n}: your mixture is {np.round(got[n], 4).tolist()}, expected "
             f"{np.round(want[n], 4).tolist()} (softmax over the experts, axis 1)")


mixture.plant("raw logits", "import numpy as np\n"
              "def mixture_output(outs, logits):\n"
              "    return (logits[:, :, None] * outs).sum(axis=1)\n", "raw gate logits")
mixture.plant("softmax over the batch", "import numpy as np\n"
              "def mixture_output(outs, logits):\n"
              "    e = np.exp(logits - logits.max(axis=0))\n"
              "    g = e / e.sum(axis=0)\n    return (g[:, :, None] * outs).sum(axis=1)\n",
              "softmax over the experts")
