"""Checks of the exercise on the backpropagation page (:doc:`/backprop`).

The reader writes the local backward of the sigmoid and registers the pair with
:func:`mlnotes.autograd.register`. The checks train a tiny model through the
reader's registered function on the engine and compare its gradients with central
differences and with the package's own sigmoid, on a fixed case and on one drawn
fresh at every Check. The reader's function only ever sees copies of the data.
"""

from __future__ import annotations

import numpy as np

from . import exercise, fail

registered = exercise("backprop.register", "my_sigmoid")


def _reference(x):
    """The logistic sigmoid, written here so that no reader's code can change it."""
    return np.exp(-np.logaddexp(0.0, -x))


def _case(seed):
    """A tiny model's data and weights: inputs (6, 3), weights (3, 2), bias (2,), targets."""
    rng = np.random.default_rng(seed)
    return {"X": rng.normal(size=(6, 3)), "W": rng.normal(size=(3, 2)),
            "b": rng.normal(size=2), "T": rng.uniform(size=(6, 2))}


def _cases():
    """The fixed case, then one drawn fresh (a different one at every Check)."""
    return [("a fixed case", _case(0)),
            ("a case drawn at random", _case(np.random.default_rng().integers(2**32)))]


def _loss_and_grads(f, case):
    """L = mean((f(XW + b) - T)^2) on the engine: the loss and the gradients of W and b."""
    from ..autograd import Tensor

    W = Tensor(case["W"].copy(), requires_grad=True)
    b = Tensor(case["b"].copy(), requires_grad=True)
    X, T = case["X"].copy(), case["T"].copy()
    loss = ((f(X @ W + b) - T) ** 2).mean()
    if not isinstance(loss, Tensor) or not loss.requires_grad:
        fail("called on a Tensor, your my_sigmoid returns no Tensor that carries a gradient: "
             "return the result of autograd.register(...), not the plain function")
    try:
        loss.backward()
    except ValueError as exc:
        if "returned a gradient of shape" in str(exc):
            fail(f"your backward returns a gradient of the wrong shape: {exc}; it must have "
                 "the shape of the input x, one partial per entry")
        raise
    if W.grad is None or b.grad is None:
        fail("your backward returns None: end it with return, giving dL/dx, an array of "
             "x's shape")
    return float(loss.data), W.grad, b.grad


def _numerical(case, name, h=1e-6):
    """Central differences of the reference loss with respect to ``case[name]``."""
    def loss(c):
        return float(np.mean((_reference(c["X"] @ c["W"] + c["b"]) - c["T"]) ** 2))

    value = case[name]
    grad = np.zeros_like(value)
    for index in np.ndindex(value.shape):
        up = {**case, name: value.copy()}
        down = {**case, name: value.copy()}
        up[name][index] += h
        down[name][index] -= h
        grad[index] = (loss(up) - loss(down)) / (2 * h)
    return grad


def _registered(f):
    if getattr(f, "autograd_backward", None) is None:
        fail("my_sigmoid is not registered: pass it with its backward to autograd.register "
             "and keep what register returns (my_sigmoid = autograd.register(...))")


@registered.check("registered, and the same as before on NumPy arrays")
def _forward(f):
    _registered(f)
    x = np.linspace(-4.0, 4.0, 9)
    got = np.asarray(f(x.copy()), dtype=float)
    if got.shape != x.shape or not np.allclose(got, _reference(x), rtol=1e-12, atol=1e-15):
        fail(f"on the NumPy array {x.tolist()} your my_sigmoid gives {np.round(got, 4)}; "
             "register must not change the forward: keep the sigmoid's body as it was")


@registered.check("gradients equal central differences")
def _gradients(f):
    _registered(f)
    for name, case in _cases():
        _, gW, gb = _loss_and_grads(f, case)
        for label, got, want in (("W", gW, _numerical(case, "W")),
                                 ("b", gb, _numerical(case, "b"))):
            if np.allclose(got, -want, rtol=1e-5, atol=1e-9):
                fail(f"on {name} the gradient of {label} has the wrong sign: the sigmoid is "
                     "increasing, so its local derivative is positive")
            if not np.allclose(got, want, rtol=1e-5, atol=1e-9):
                err = np.abs(got - want).max()
                fail(f"on {name} the engine's gradient of {label} through your backward "
                     f"differs from central differences by {err:.3g}: your backward must "
                     "return grad times the sigmoid's derivative at x (the chain rule: the "
                     "incoming gradient times the local one)")


@registered.check("trains as the package's sigmoid does")
def _trains(f):
    from ..activations import sigmoid
    from ..autograd import Tensor

    _registered(f)
    for name, case in _cases():
        mine, ref = dict(case), dict(case)
        for step in range(5):   # five steps of gradient descent, lr 0.5
            loss, gW, gb = _loss_and_grads(f, mine)
            W = Tensor(ref["W"].copy(), requires_grad=True)
            b = Tensor(ref["b"].copy(), requires_grad=True)
            want = ((sigmoid(ref["X"] @ W + b) - ref["T"]) ** 2).mean()
            want.backward()
            if not np.isclose(loss, float(want.data), rtol=1e-10):
                fail(f"on {name}, step {step}: the loss is {loss:.6g} with your sigmoid and "
                     f"{float(want.data):.6g} with the package's")
            if not (np.allclose(gW, W.grad, rtol=1e-8, atol=1e-12)
                    and np.allclose(gb, b.grad, rtol=1e-8, atol=1e-12)):
                fail(f"on {name}, step {step}: your gradients differ from those of the "
                     "package's sigmoid_backward")
            mine = {**mine, "W": mine["W"] - 0.5 * gW, "b": mine["b"] - 0.5 * gb}
            ref = {**ref, "W": ref["W"] - 0.5 * W.grad, "b": ref["b"] - 0.5 * b.grad}


_HEAD = ("import numpy as np\nfrom mlnotes import autograd\n\n"
         "def my_sigmoid(x):\n    return 1 / (1 + np.exp(-x))\n\n")
_TAIL = "\nmy_sigmoid = autograd.register(my_sigmoid, my_sigmoid_backward)\n"


def _plant(label: str, body: str, says: str) -> None:
    registered.plant(label, _HEAD + "def my_sigmoid_backward(grad, x):\n"
                     "    s = 1 / (1 + np.exp(-x))\n" + body + _TAIL, says)


_plant("the forward value, not its derivative", "    return grad * s\n",
       "differs from central differences")
_plant("the incoming gradient ignored", "    return s * (1 - s)\n",
       "differs from central differences")
_plant("the wrong sign", "    return -grad * s * (1 - s)\n", "wrong sign")
_plant("a missing factor of the derivative", "    return grad * (1 - s)\n",
       "differs from central differences")
_plant("no return", "    grad * s * (1 - s)\n", "returns None")
_plant("summed over the batch", "    return (grad * s * (1 - s)).sum(axis=0)\n", "wrong shape")
registered.plant("not registered", _HEAD + "def my_sigmoid_backward(grad, x):\n"
                 "    return grad\n", "not registered")
