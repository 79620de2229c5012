"""The backpropagation page's exercise: correct answers in several spellings pass, and its
checks guard their data and draw a fresh case at every Check.

(The starter, the worked solution and the planted wrong answers are run by
``tests/test_exercises.py``, as for every exercise.)
"""

from __future__ import annotations

import numpy as np
import pytest

from mlnotes import exercises
from mlnotes.exercises import backprop

HEAD = "import numpy as np\nfrom mlnotes import autograd\n"

CORRECT = {
    "derivative from the input": HEAD + (
        "def my_sigmoid(x):\n    return 1 / (1 + np.exp(-x))\n"
        "def my_sigmoid_backward(grad, x):\n    s = 1 / (1 + np.exp(-x))\n"
        "    return grad * s * (1 - s)\n"
        "my_sigmoid = autograd.register(my_sigmoid, my_sigmoid_backward)\n"),
    "derivative from the saved output": HEAD + (
        "def my_sigmoid(x):\n    return 1 / (1 + np.exp(-x))\n"
        "def my_sigmoid_backward(grad, y):\n    return grad * y * (1 - y)\n"
        "my_sigmoid = autograd.register(my_sigmoid, my_sigmoid_backward, output='y')\n"),
    "the quotient rule, registered by a decorator": HEAD + (
        "def my_sigmoid_backward(grad, x):\n"
        "    return grad * np.exp(-x) / (1 + np.exp(-x)) ** 2\n"
        "@lambda f: autograd.register(f, my_sigmoid_backward)\n"
        "def my_sigmoid(x):\n    return 1 / (1 + np.exp(-x))\n"),
    "tanh's identity, the package's function inside": HEAD + (
        "from mlnotes.activations import tanh\n"
        "def my_sigmoid(x):\n    return (1 + tanh(x / 2)) / 2\n"
        "def my_sigmoid_backward(grad, x):\n    t = np.tanh(x / 2)\n"
        "    return grad * (1 - t ** 2) / 4\n"
        "my_sigmoid = autograd.register(my_sigmoid, my_sigmoid_backward)\n"),
}


def _grade(code: str) -> exercises.Result:
    ns: dict = {}
    exec(compile(code, "<cell>", "exec"), ns)
    return exercises.grade("backprop.register", ns)


@pytest.mark.parametrize("label", sorted(CORRECT))
def test_a_correct_answer_passes(label):
    result = _grade(CORRECT[label])
    assert result.passed, f"{label}: {result.summary()}"


def test_an_answer_that_overwrites_its_arguments_still_passes():
    """The reader's backward may scribble on its arrays once done: the check's data are copies.

    (A forward that overwrites its input is wrong, as in torch: the engine keeps that
    input for the backward.)
    """
    code = HEAD + (
        "def my_sigmoid(x):\n    return 1 / (1 + np.exp(-x))\n"
        "def my_sigmoid_backward(grad, x):\n    s = 1 / (1 + np.exp(-x))\n"
        "    out = grad * s * (1 - s)\n    x[...] = -3.0\n    grad[...] = 0.0\n"
        "    return out\n"
        "my_sigmoid = autograd.register(my_sigmoid, my_sigmoid_backward)\n")
    result = _grade(code)
    assert result.passed, result.summary()


def test_one_case_is_fixed_and_one_is_drawn_fresh_at_every_check():
    first, second = backprop._cases(), backprop._cases()
    assert len(first) >= 2
    np.testing.assert_array_equal(first[0][1]["X"], second[0][1]["X"])
    assert not np.array_equal(first[1][1]["X"], second[1][1]["X"])


def test_the_central_differences_agree_with_the_closed_form():
    """The check's reference gradient, against the derivative sigma' = sigma (1 - sigma)."""
    case = backprop._case(3)
    z = case["X"] @ case["W"] + case["b"]
    s = 1 / (1 + np.exp(-z))
    dz = 2 * (s - case["T"]) / s.size * s * (1 - s)          # dL/dz of the mean square
    np.testing.assert_allclose(backprop._numerical(case, "W"), case["X"].T @ dz, rtol=1e-7)
    np.testing.assert_allclose(backprop._numerical(case, "b"), dz.sum(axis=0), rtol=1e-7)


def test_an_answer_right_only_on_the_fixed_case_fails():
    """A backward that is correct on the first case only is caught by the fresh one."""
    fixed = backprop._case(0)
    z = fixed["X"] @ fixed["W"] + fixed["b"]
    s = 1 / (1 + np.exp(-z))
    ns: dict = {"ANSWER": s * (1 - s)}
    exec(compile(HEAD + (
        "def my_sigmoid(x):\n    return 1 / (1 + np.exp(-x))\n"
        "def my_sigmoid_backward(grad, x):\n    return grad * ANSWER\n"   # memorised
        "my_sigmoid = autograd.register(my_sigmoid, my_sigmoid_backward)\n"), "<cell>", "exec"),
        ns)
    result = exercises.grade("backprop.register", ns)
    assert not result.passed
    assert "a case drawn at random" in result.summary()
