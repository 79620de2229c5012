"""Checks of the exercises on the architectures page (:doc:`/architectures`)."""

from __future__ import annotations

import numpy as np

from ..gating import softmax_gate
from ..sharing import share_backward
from . import _fresh, _shown, exercise, fail

# ------------------------------------------------ the gradient of a shared parameter

shared = exercise("architectures.shared_grad", "shared_gradient")


def _shared_cases():
    draw = _fresh()
    m, n = int(draw.integers(4, 15)), int(draw.integers(2, 7))
    return [(np.array([1.0, -2.0, 0.5, 4.0, 3.0, 2.0]), np.array([0, 2, 0, 1, 2, 0]), 3),
            (np.array([1.0, 2.0]), np.array([0, 0]), 3),  # parameters 1 and 2 unused
            (np.array([0.25, -1.0, 3.0, 3.0, -0.5]), np.array([4, 4, 1, 4, 0]), 6),
            (draw.normal(size=m), draw.integers(0, n, size=m), n + 1)]


@shared.check("one gradient per parameter")
def _shape(f):
    for grad_w, index, n in _shared_cases():
        got = np.asarray(f(grad_w, index, n))
        if got.shape != (n,):
            fail(f"with {n} shared parameters your gradient has shape {got.shape}; "
                 f"return one number per parameter, even for a parameter no weight copies")


@shared.check("each parameter sums its copies' gradients")
def _sums(f):
    for grad_w, index, n in _shared_cases():
        got = np.asarray(f(grad_w, index, n), dtype=float)
        want = share_backward(grad_w, index, n)
        if got.shape != want.shape:
            fail(f"with {n} parameters your gradient has shape {got.shape}")
        for j in range(n):
            if not np.isclose(got[j], want[j], rtol=1e-12, atol=1e-12):
                copies = np.flatnonzero(index == j).tolist()
                yours, expected = _shown(got[j], want[j])
                if not copies:
                    fail(f"parameter {j} has no copy among the weights, so its gradient is "
                         f"0; you return {yours}")
                fail(f"parameter {j} is copied to weights {copies}, whose gradients are "
                     f"{grad_w[copies].tolist()}; its gradient is their sum, {expected}, "
                     f"you return {yours}")


_SH = "import numpy as np\ndef shared_gradient(grad_w, index, num_params):\n"
shared.plant("mean of the copies", _SH +
             "    return np.array([grad_w[index == j].mean() if np.any(index == j) else 0.0\n"
             "                     for j in range(num_params)])\n", "is their sum")
shared.plant("last copy wins", _SH + "    g = np.zeros(num_params)\n    g[index] = grad_w\n"
             "    return g\n", "is their sum")
shared.plant("hard-coded 3 parameters", _SH + "    g = np.zeros(3)\n"
             "    np.add.at(g, index, grad_w)\n    return g\n", "raised IndexError")
shared.plant("num_params ignored", _SH + "    return np.bincount(index, weights=grad_w)\n",
             "even for a parameter no weight copies")
shared.plant("in place", _SH + "    g = np.zeros(num_params)\n"
             "    for i, j in enumerate(index):\n        g[j] += grad_w[i]\n"
             "        grad_w[i] = 0.0  # counted\n    return g\n", "changed its input `grad_w`")

# ---------------------------------------------------------- a mixture of experts' output

mixture = exercise("architectures.mixture", "mixture_output")


def _mixture_cases():
    rng, draw = np.random.default_rng(11), _fresh()
    n, e, o = (int(a) for a in draw.integers(2, 7, size=3))
    return [(rng.normal(size=(4, 3, 2)), 3 * rng.normal(size=(4, 3))),  # (N, E, O), (N, E)
            (rng.normal(size=(2, 5, 3)), 2 * rng.normal(size=(2, 5))),
            (rng.normal(size=(3, 1, 4)), rng.normal(size=(3, 1))),  # one expert
            (draw.normal(size=(n, e, o)), 3 * draw.normal(size=(n, e)))]


def _softmax(z, axis):
    e = np.exp(z - z.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


@mixture.check("output shape (N, O)")
def _mix_shape(f):
    for outs, logits in _mixture_cases():
        n, e, o = outs.shape
        got = np.asarray(f(outs, logits))
        if got.shape != (n, o):
            fail(f"for {n} samples, {e} experts and {o} outputs you return shape "
                 f"{got.shape}; the mixture has one output vector per sample, {(n, o)}")


@mixture.check("weights the experts by the gater's softmax")
def _mix_values(f):
    for outs, logits in _mixture_cases():
        got = np.asarray(f(outs, logits), dtype=float)
        want = softmax_gate(outs, logits)  # (N, E, O) candidates, (N, E) logits
        if got.shape != want.shape:
            fail(f"your mixture has shape {got.shape}, not {want.shape}")
        err = np.abs(got - want)
        if err.max() <= 1e-9:
            continue

        def near(weights, got=got, outs=outs):
            return np.allclose(got, np.einsum("ne,neo->no", weights, outs), atol=1e-9)

        if near(logits):
            fail("you weight the experts by the raw gate logits; turn them into weights "
                 "that are positive and sum to 1 with a softmax over the experts")
        if near(_softmax(logits, axis=0)):
            fail("your weights sum to 1 over the samples (axis 0); each sample's weights "
                 "over its experts must sum to 1 (axis 1)")
        if near(np.full_like(logits, 1 / logits.shape[1])):
            fail("you average the experts equally; the gater's logits decide their weights")
        n = int(err.max(axis=1).argmax())
        yours, expected = _shown(got[n], want[n])
        fail(f"sample {n}: your mixture is {yours}, expected {expected}")


_MX = "import numpy as np\ndef mixture_output(outs, logits):\n"
mixture.plant("raw logits", _MX + "    return (logits[:, :, None] * outs).sum(axis=1)\n",
              "raw gate logits")
mixture.plant("softmax over the batch", _MX + "    e = np.exp(logits - logits.max(axis=0))\n"
              "    g = e / e.sum(axis=0)\n    return (g[:, :, None] * outs).sum(axis=1)\n",
              "over the samples")
mixture.plant("experts averaged", _MX + "    return outs.mean(axis=1)\n", "average the experts")
mixture.plant("hard-coded 3 experts", _MX + "    e = np.exp(logits - logits.max(axis=1, "
              "keepdims=True))\n    g = e / e.sum(axis=1, keepdims=True)\n"
              "    return sum(g[:, i, None] * outs[:, i] for i in range(3))\n",
              "raised IndexError")
mixture.plant("in place", _MX + "    logits -= logits.max(axis=1, keepdims=True)\n"
              "    np.exp(logits, out=logits)\n    logits /= logits.sum(axis=1, keepdims=True)\n"
              "    return (logits[:, :, None] * outs).sum(axis=1)\n",
              "changed its input `logits`")
