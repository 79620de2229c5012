"""mlnotes.activations against torch in float64, autograd, hypothesis properties, bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from helpers import assert_close, make, reference
from hypothesis import given
from hypothesis import strategies as st
from strategies import finite_floats, matrices, small_floats, tensors, vectors

from mlnotes import activations as A
from mlnotes.backend import to_numpy

RNG = np.random.default_rng(0)
RANDOM = RNG.normal(size=(4, 7)) * 3
EXTREME = np.array(
    [[1e4, -1e4, 0.0, 3.0], [-1e4, -1e4, -1e4, -1e4], [800.0, -800.0, 1e-300, -1e-300]]
)

# (ours, torch's reference) for the element-wise functions
ELEMENTWISE = [
    (A.sigmoid, torch.sigmoid),
    (A.tanh, torch.tanh),
    (A.relu, torch.relu),
]


def _softmax_ref(x, axis=-1, beta=1.0):
    return torch.softmax(beta * x, dim=axis)


# (ours, torch's, needs axis) for the reductions over an axis
AXIS_FUNCTIONS = [
    (A.softmax, _softmax_ref),
    (A.log_softmax, lambda x, axis=-1: torch.log_softmax(x, dim=axis)),
    (A.logsumexp, lambda x, axis=-1: torch.logsumexp(x, dim=axis)),
]


# ------------------------------------------------------------------------ forward


@pytest.mark.parametrize("values", [RANDOM, EXTREME], ids=["random", "extreme"])
@pytest.mark.parametrize("ours, theirs", ELEMENTWISE, ids=lambda f: getattr(f, "__name__", ""))
def test_elementwise_matches_torch(ours, theirs, values, backend):
    out = ours(make(values, backend))
    assert type(out) is type(make(values, backend))
    assert_close(out, theirs(reference(values)))


@pytest.mark.parametrize("values", [RANDOM, EXTREME], ids=["random", "extreme"])
@pytest.mark.parametrize("axis", [0, 1, -1])
@pytest.mark.parametrize("ours, theirs", AXIS_FUNCTIONS, ids=lambda f: getattr(f, "__name__", ""))
def test_axis_functions_match_torch(ours, theirs, values, axis, backend):
    out = ours(make(values, backend), axis=axis)
    expected = theirs(reference(values), axis=axis)
    assert np.all(np.isfinite(to_numpy(out)) == np.isfinite(expected.numpy()))
    assert_close(out, expected)


@pytest.mark.parametrize("beta", [0.1, 1.0, 2.5, 100.0])
def test_softmax_temperature_matches_torch(beta, backend):
    expected = _softmax_ref(reference(RANDOM), beta=beta)
    assert_close(A.softmax(make(RANDOM, backend), beta=beta), expected)


def test_logsumexp_keepdims(backend):
    out = A.logsumexp(make(RANDOM, backend), axis=0, keepdims=True)
    assert tuple(out.shape) == (1, 7)
    assert_close(out, torch.logsumexp(reference(RANDOM), dim=0, keepdim=True))


def test_minus_inf_masks_stay_finite(backend):
    # a masked logit gets probability 0; the rest of the row is untouched
    x = np.array([[0.0, -np.inf, 1.0], [-np.inf, 2.0, -np.inf]])
    p = A.softmax(make(x, backend))
    assert_close(p, torch.softmax(reference(x), -1))
    assert np.all(np.isfinite(to_numpy(p)))
    assert_close(A.log_softmax(make(x, backend)), torch.log_softmax(reference(x), -1))
    assert_close(A.logsumexp(make(x, backend)), torch.logsumexp(reference(x), -1))


def test_all_minus_inf_row_is_minus_inf_like_torch(backend):
    x = np.full((1, 3), -np.inf)
    with np.errstate(divide="ignore"):  # NumPy warns on log(0) = -inf; torch does not
        assert to_numpy(A.logsumexp(make(x, backend)))[0] == -np.inf
    assert torch.logsumexp(reference(x), -1).item() == -np.inf


def test_saturated_sigmoid_is_exact_and_silent(backend):
    x = make([-800.0, -40.0, 40.0, 800.0], backend)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        y = to_numpy(A.sigmoid(x))
    np.testing.assert_array_equal(y, torch.sigmoid(reference(to_numpy(x))).numpy())


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_and_device_are_kept(dtype, backend):
    x = make(RANDOM, backend, dtype=dtype)
    for f in (A.sigmoid, A.tanh, A.relu, A.softmax, A.log_softmax, A.logsumexp, A.hardmax):
        out = f(x)
        assert out.dtype == x.dtype, f.__name__
        if backend != "numpy":
            assert out.device == x.device, f.__name__


def test_float32_agrees_with_torch_float32(device):
    x = torch.tensor(RANDOM * 10, dtype=torch.float32, device=device)
    torch.testing.assert_close(A.softmax(x), torch.softmax(x, -1))
    torch.testing.assert_close(A.log_softmax(x), torch.log_softmax(x, -1))


def test_hardmax_is_one_hot_argmax_first_on_ties(backend):
    x = np.array([[1.0, 3.0, 2.0], [5.0, 5.0, 0.0], [-1.0, -1.0, -1.0]])
    expected = F.one_hot(torch.tensor([1, 0, 0]), 3).double()
    assert_close(A.hardmax(make(x, backend)), expected)
    assert_close(A.hardmax(make(x, backend), axis=0), F.one_hot(torch.tensor([1, 1, 0]), 3).T)


# ----------------------------------------------------------------------- gradients


@pytest.mark.parametrize("values", [RANDOM, EXTREME], ids=["random", "extreme"])
@pytest.mark.parametrize("ours, theirs", ELEMENTWISE, ids=lambda f: getattr(f, "__name__", ""))
def test_elementwise_autograd_matches_torch(ours, theirs, values, device):
    g = RNG.normal(size=values.shape)
    x = make(values, device, requires_grad=True)
    (ours(x) * make(g, device)).sum().backward()
    xr = reference(values, requires_grad=True)
    (theirs(xr) * reference(g)).sum().backward()
    assert_close(x.grad, xr.grad)


@pytest.mark.parametrize("values", [RANDOM, EXTREME], ids=["random", "extreme"])
@pytest.mark.parametrize("ours, theirs", AXIS_FUNCTIONS, ids=lambda f: getattr(f, "__name__", ""))
def test_axis_functions_autograd_matches_torch(ours, theirs, values, device):
    x = make(values, device, requires_grad=True)
    out = ours(x, axis=1)
    g = RNG.normal(size=tuple(out.shape))
    (out * make(g, device)).sum().backward()
    xr = reference(values, requires_grad=True)
    (theirs(xr, axis=1) * reference(g)).sum().backward()
    assert np.all(np.isfinite(to_numpy(x.grad)))
    assert_close(x.grad, xr.grad)


def _vjp(f, x, g):
    """The vector-Jacobian product of ``f`` at ``x`` by torch.autograd, float64."""
    xr = reference(x, requires_grad=True)
    (f(xr) * reference(g)).sum().backward()
    return xr.grad


@pytest.mark.parametrize("values", [RANDOM, EXTREME], ids=["random", "extreme"])
def test_explicit_backwards_match_autograd(values, backend):
    x, g = make(values, backend), make(RNG.normal(size=values.shape), backend)
    xg = to_numpy(g)
    assert_close(A.sigmoid_backward(g, A.sigmoid(x)), _vjp(torch.sigmoid, values, xg))
    assert_close(A.tanh_backward(g, A.tanh(x)), _vjp(torch.tanh, values, xg))
    assert_close(A.relu_backward(g, x), _vjp(torch.relu, values, xg))
    for axis in (0, 1):
        assert_close(
            A.softmax_backward(g, A.softmax(x, axis=axis), axis=axis),
            _vjp(lambda t, a=axis: torch.softmax(t, a), values, xg),
        )
        assert_close(
            A.log_softmax_backward(g, A.log_softmax(x, axis=axis), axis=axis),
            _vjp(lambda t, a=axis: torch.log_softmax(t, a), values, xg),
        )
    assert_close(A.hardmax_backward(g, x), np.zeros(values.shape))


@pytest.mark.parametrize("beta", [0.5, 3.0])
def test_softmax_backward_with_temperature(beta, backend):
    x, g = make(RANDOM, backend), make(RNG.normal(size=RANDOM.shape), backend)
    assert_close(
        A.softmax_backward(g, A.softmax(x, beta=beta), beta=beta),
        _vjp(lambda t: torch.softmax(beta * t, -1), RANDOM, to_numpy(g)),
    )


@pytest.mark.parametrize("keepdims", [False, True])
def test_logsumexp_backward_matches_autograd(keepdims, backend):
    x = make(RANDOM, backend)
    g = RNG.normal(size=(4, 1) if keepdims else (4,))
    expected = _vjp(lambda t: torch.logsumexp(t, -1, keepdim=keepdims), RANDOM, g)
    assert_close(A.logsumexp_backward(make(g, backend), x, keepdims=keepdims), expected)


def test_softmax_jacobian_matches_autograd(backend):
    x = RANDOM[0]
    expected = torch.autograd.functional.jacobian(lambda t: torch.softmax(t, -1), reference(x))
    J = A.softmax_jacobian(A.softmax(make(x, backend)))
    assert_close(J, expected)
    assert_close(to_numpy(J).sum(axis=1), np.zeros(len(x)))  # rows sum to 0
    assert_close(J, to_numpy(J).T)  # symmetric


# ---------------------------------------------------------- properties (docstrings)


@given(tensors())
def test_softmax_is_a_distribution(x):
    p = A.softmax(x)
    assert np.all((p >= 0) & (p <= 1))
    np.testing.assert_allclose(p.sum(axis=-1), 1.0, rtol=1e-12)


@given(matrices(), st.floats(-1e3, 1e3, allow_nan=False))
def test_softmax_shift_invariance(x, c):
    np.testing.assert_allclose(A.softmax(x + c), A.softmax(x), atol=1e-12)


@given(finite_floats)
def test_sigmoid_is_two_class_softmax(x):
    p = A.softmax(np.array([0.0, x]))
    np.testing.assert_allclose(p[1], A.sigmoid(np.array([x]))[0], rtol=1e-12, atol=1e-300)


@given(vectors(finite_floats))
def test_one_minus_sigmoid_is_sigmoid_of_minus(a):
    np.testing.assert_allclose(1 - A.sigmoid(a), A.sigmoid(-a), rtol=1e-12, atol=1e-15)


@given(vectors(small_floats))
def test_sigmoid_derivative_is_sigmoid_times_one_minus(x):
    # against a central difference, independent of our backward
    h = 1e-6
    numeric = (A.sigmoid(x + h) - A.sigmoid(x - h)) / (2 * h)
    s = A.sigmoid(x)
    np.testing.assert_allclose(s * (1 - s), numeric, rtol=1e-6, atol=1e-10)


@given(vectors(finite_floats))
def test_tanh_is_a_rescaled_sigmoid(x):
    np.testing.assert_allclose(A.tanh(x), 2 * A.sigmoid(2 * x) - 1, atol=1e-15)


@given(vectors(small_floats, min_size=2))
def test_softmax_tends_to_hardmax_as_beta_grows(x):
    top = np.sort(x)[-2:]
    gap = top[1] - top[0]
    if gap < 1e-3:
        return  # a tie (or near tie) has no unique argmax to tend to
    beta = 50.0 / gap  # the runner-up's odds are at most e^-50
    np.testing.assert_allclose(A.softmax(x, beta=beta), A.hardmax(x), atol=len(x) * np.exp(-50))


@given(vectors(small_floats))
def test_log_softmax_is_log_of_softmax(x):
    np.testing.assert_allclose(A.log_softmax(x), np.log(A.softmax(x)), atol=1e-12)


# ------------------------------------------------------------------------ bad input


@pytest.mark.parametrize("f", [A.sigmoid, A.tanh, A.relu, A.softmax, A.log_softmax, A.logsumexp,
                               A.hardmax])
def test_integer_input_is_a_type_error(f, backend):
    x = make([1, 2, 3], backend, dtype=np.int64)
    with pytest.raises(TypeError, match=r"x must have a floating-point dtype, got int64"):
        f(x)


@pytest.mark.parametrize("f", [A.softmax, A.log_softmax, A.logsumexp, A.hardmax])
def test_axis_out_of_range(f, backend):
    with pytest.raises(ValueError, match=r"axis=2 is out of range for an input with 2 dimensions"):
        f(make(RANDOM, backend), axis=2)
    with pytest.raises(TypeError, match=r"axis must be an int"):
        f(make(RANDOM, backend), axis=1.0)


@pytest.mark.parametrize("beta", [0.0, -1.0, float("nan"), float("inf")])
def test_non_positive_beta(beta):
    with pytest.raises(ValueError, match=r"beta must be a positive, finite number"):
        A.softmax(RANDOM, beta=beta)


def test_lists_are_refused_with_the_argument_name():
    with pytest.raises(TypeError, match=r"x must be a NumPy array or a torch tensor, got list"):
        A.softmax([1.0, 2.0])


def test_mixed_backends_are_refused():
    with pytest.raises(TypeError, match=r"cannot mix NumPy arrays and torch tensors"):
        A.softmax_backward(np.ones(2), torch.ones(2))


def test_jacobian_needs_a_vector():
    with pytest.raises(ValueError, match=r"y must be a vector"):
        A.softmax_jacobian(np.ones((2, 2)))
