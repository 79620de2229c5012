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


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", [(0, 2), (2, 0), (-1, 1), [0, 1, 2], (1,), (-3,)])
def test_logsumexp_over_a_tuple_of_axes_matches_torch(axis, keepdims, backend):
    x = RNG.normal(size=(3, 4, 5)) * 4
    x[0, 1, :] = -np.inf  # a masked row inside a larger slice
    out = A.logsumexp(make(x, backend), axis=axis, keepdims=keepdims)
    expected = torch.logsumexp(reference(x), dim=tuple(axis), keepdim=keepdims)
    assert tuple(out.shape) == tuple(expected.shape)
    assert_close(out, expected)


@pytest.mark.parametrize("axis", [0, -1])
@pytest.mark.parametrize("ours, theirs", AXIS_FUNCTIONS, ids=lambda f: getattr(f, "__name__", ""))
def test_zero_dimensional_input_is_one_element_like_torch(ours, theirs, axis, backend):
    # softmax of one element is 1, its log-softmax 0, its log-sum-exp itself
    # (-inf: a slice of only -inf, whose softmax is 0/0 here as in torch, for logsumexp only)
    for value in (3.5, -1e4) + ((-np.inf,) if ours is A.logsumexp else ()):
        out = ours(make(value, backend), axis=axis)
        expected = theirs(reference(value), axis=axis)
        assert tuple(out.shape) == () and type(out) is type(make(value, backend))
        assert_close(out, expected)


@pytest.mark.parametrize("axis", [0, -1, (), (0,), [-1]])
def test_zero_dimensional_logsumexp_axes_and_keepdims(axis, backend):
    for keepdims in (False, True):
        out = A.logsumexp(make(2.0, backend), axis=axis, keepdims=keepdims)
        assert tuple(out.shape) == () and float(out) == 2.0  # as torch, for each of these


@pytest.mark.parametrize("shape, axis", [((0,), 0), ((2, 0), -1), ((2, 0), 0), ((0, 3), -1),
                                         ((0, 3), 0), ((2, 0, 3), (0, 1)), ((2, 0, 3), (0, 2))],
                         ids=str)
def test_empty_input_like_torch(shape, axis, backend):
    # an empty result, and -inf for the log of an empty sum: no IndexError, no warning
    x = make(np.zeros(shape), backend)
    xr = torch.zeros(shape, dtype=torch.float64)
    lse = A.logsumexp(x, axis=axis)
    assert_close(lse, torch.logsumexp(xr, dim=axis))
    assert tuple(lse.shape) == tuple(torch.logsumexp(xr, dim=axis).shape)
    if isinstance(axis, int):
        for ours, theirs in ((A.softmax, torch.softmax), (A.log_softmax, torch.log_softmax)):
            out = ours(x, axis=axis)
            assert tuple(out.shape) == shape
            assert_close(out, theirs(xr, dim=axis))
        g = make(np.zeros(shape), backend)
        assert tuple(A.softmax_backward(g, A.softmax(x, axis=axis), axis=axis).shape) == shape
        assert tuple(A.log_softmax_backward(g, A.log_softmax(x, axis=axis), axis=axis).shape) \
            == shape
    assert tuple(A.logsumexp_backward(make(np.zeros(lse.shape), backend), x, axis=axis).shape) \
        == shape


def test_empty_input_autograd_like_torch(device):
    for f in (A.softmax, A.log_softmax, A.logsumexp):
        x = make(np.zeros((2, 0)), device, requires_grad=True)
        f(x, axis=-1).sum().backward()
        assert tuple(x.grad.shape) == (2, 0)


@pytest.mark.parametrize("f", [A.softmax, A.log_softmax, A.logsumexp])
def test_input_is_left_untouched_and_output_is_fresh(f, backend):
    # the in-place steps work on a fresh array, never on x
    x = make(RANDOM, backend)
    before = to_numpy(x).copy()
    for _ in range(2):
        out = f(x, axis=1)
        np.testing.assert_array_equal(to_numpy(x), before)
        if backend == "numpy":
            assert not np.shares_memory(out, x)
        else:
            assert out.data_ptr() != x.data_ptr()


def test_no_grad_and_grad_paths_agree(device):
    # with autograd the division (softmax) and the subtraction (log-softmax) go to a
    # new array; without, they reuse the exponentials' array: same numbers
    x = make(RANDOM, device, requires_grad=True)
    for f in (A.softmax, A.log_softmax, A.logsumexp):
        with torch.no_grad():
            plain = f(x)
        recorded = f(x)
        assert recorded.requires_grad and not plain.requires_grad
        torch.testing.assert_close(recorded, plain, rtol=0, atol=0)
    with torch.inference_mode():
        torch.testing.assert_close(A.softmax(make(RANDOM, device)), torch.softmax(x.detach(), -1))


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


def test_zero_dimensional_hardmax_is_one_class(backend):
    # one element along one axis, as softmax (and torch's) treat a 0-d input: it is the argmax,
    # the limit of softmax(x, beta) (which is 1 for every beta)
    x = make(-2.5, backend)
    assert_close(A.hardmax(x), torch.softmax(torch.tensor(-2.5, dtype=torch.float64), 0))
    assert tuple(A.hardmax(x, axis=0).shape) == ()
    assert_close(A.hardmax_backward(make(1.3, backend), x), torch.tensor(0.0, dtype=torch.float64))
    with pytest.raises(ValueError, match=r"axis=1 is out of range for an input with 1 dimensions"):
        A.hardmax(x, axis=1)


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


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", [(0, 2), (1,), (-1, 0, 1)])
def test_logsumexp_tuple_axes_autograd_matches_torch(axis, keepdims, device):
    values = RNG.normal(size=(3, 4, 5)) * 4
    x = make(values, device, requires_grad=True)
    out = A.logsumexp(x, axis=axis, keepdims=keepdims)
    g = RNG.normal(size=tuple(out.shape))
    (out * make(g, device)).sum().backward()
    xr = reference(values, requires_grad=True)
    (torch.logsumexp(xr, dim=axis, keepdim=keepdims) * reference(g)).sum().backward()
    assert_close(x.grad, xr.grad)


@pytest.mark.parametrize("ours, theirs", AXIS_FUNCTIONS, ids=lambda f: getattr(f, "__name__", ""))
def test_zero_dimensional_autograd_matches_torch(ours, theirs, device):
    x = make(1.5, device, requires_grad=True)
    (ours(x, axis=0) * 2.0).backward()
    xr = reference(1.5, requires_grad=True)
    (theirs(xr, axis=0) * 2.0).backward()
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


@pytest.mark.parametrize("keepdims", [False, True])
@pytest.mark.parametrize("axis", [(0, 2), (1, 2), (-1,)])
def test_logsumexp_backward_over_tuple_axes_matches_autograd(axis, keepdims, backend):
    values = RNG.normal(size=(3, 4, 5)) * 4
    out_shape = tuple(torch.logsumexp(reference(values), dim=axis, keepdim=keepdims).shape)
    g = RNG.normal(size=out_shape)
    expected = _vjp(lambda t: torch.logsumexp(t, axis, keepdim=keepdims), values, g)
    mine = A.logsumexp_backward(make(g, backend), make(values, backend), axis=axis,
                                keepdims=keepdims)
    assert_close(mine, expected)


@pytest.mark.parametrize("keepdims, g_shape, expected", [
    (False, (4, 1), r"\(4,\), got \(4, 1\)"), (True, (4,), r"\(4, 1\), got \(4,\)"),
    (False, (), r"\(4,\), got \(\)")])
def test_logsumexp_backward_refuses_a_grad_of_another_shape(keepdims, g_shape, expected, backend):
    message = r"grad must have the shape of logsumexp\(x\), " + expected
    with pytest.raises(ValueError, match=message):
        A.logsumexp_backward(make(np.ones(g_shape), backend), make(RANDOM, backend),
                             keepdims=keepdims)


def test_zero_dimensional_backwards_match_autograd(backend):
    x, g = make(0.7, backend), make(1.3, backend)
    assert_close(A.logsumexp_backward(g, x, axis=0), _vjp(lambda t: torch.logsumexp(t, 0),
                                                          0.7, 1.3))
    assert_close(A.softmax_backward(g, A.softmax(x), beta=2.0),
                 _vjp(lambda t: torch.softmax(2.0 * t, 0), 0.7, 1.3))
    assert_close(A.log_softmax_backward(g, A.log_softmax(x)),
                 _vjp(lambda t: torch.log_softmax(t, 0), 0.7, 1.3))
    for out in (A.logsumexp_backward(g, x), A.softmax_backward(g, A.softmax(x))):
        assert tuple(out.shape) == () and type(out) is type(x)


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
    with pytest.raises(ValueError, match=r"beta must be a finite number > 0"):
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


@pytest.mark.parametrize("f", [A.softmax, A.log_softmax, A.logsumexp])
def test_zero_dimensional_axis_out_of_range(f, backend):
    # a 0-d input has one axis, as in torch: 0 or -1
    with pytest.raises(ValueError, match=r"axis=1 is out of range for an input with 1 dimensions"):
        f(make(1.0, backend), axis=1)


def test_bad_tuples_of_axes(backend):
    x = make(RNG.normal(size=(2, 3, 4)), backend)
    with pytest.raises(ValueError, match=r"axis must name each axis once, got \(0, -3\)"):
        A.logsumexp(x, axis=(0, -3))
    with pytest.raises(ValueError, match=r"axis must name at least one axis, got \(\)"):
        A.logsumexp(x, axis=())
    with pytest.raises(ValueError, match=r"axis=3 is out of range for an input with 3 dimensions"):
        A.logsumexp(x, axis=(0, 3))
    with pytest.raises(TypeError, match=r"axis must be an int, got float"):
        A.logsumexp(x, axis=(0, 1.0))
    with pytest.raises(ValueError, match=r"axis must name each axis once"):
        A.logsumexp_backward(make(np.ones(3), backend), x, axis=(2, 2))
    with pytest.raises(TypeError, match=r"axis must be an int, got tuple"):
        A.softmax(x, axis=(0, 1))  # softmax normalises over one axis, as torch's dim
