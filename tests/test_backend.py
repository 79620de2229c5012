"""mlnotes.backend: namespaces, argument checks, randomness and in-place updates.

Each helper is checked against what it stands for: NumPy's or torch's own call
(the same draws from the same generator state, the same fused update), a closed
form, or the exact message a reader sees.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from helpers import make

from mlnotes import backend as B

# ----------------------------------------------------------------------- namespaces


def test_namespace_follows_the_input(backend):
    xp = B.namespace(make(np.zeros(2), backend), None, 3.0, names=("x", "b", "grad"),
                     optional=("b",), scalars=("grad",))
    assert xp.__name__.endswith("numpy" if backend == "numpy" else "torch")


def test_namespace_refuses_mixed_and_foreign_inputs():
    with pytest.raises(TypeError, match="cannot mix NumPy arrays and torch tensors"):
        B.namespace(np.zeros(1), torch.zeros(1))
    with pytest.raises(TypeError, match="x must be a NumPy array or a torch tensor, got list"):
        B.namespace([1.0], names=("x",))
    with pytest.raises(TypeError, match=r"arrays\[1\] must be a NumPy array or a torch tensor, "
                                        r"got NoneType"):
        B.namespace(np.zeros(1), None)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="CUDA is not available on this machine")
def test_namespace_refuses_two_devices():
    with pytest.raises(ValueError, match="device"):
        B.namespace(torch.zeros(1), torch.zeros(1, device="cuda"))


def test_is_torch_device_of_and_to_numpy(device):
    t = torch.arange(3.0, device=device, requires_grad=True)
    assert B.is_torch(t) and not B.is_torch(np.zeros(1)) and not B.is_torch(1.0)
    assert B.device_of(t).type == device and B.device_of(np.zeros(1)) == "cpu"
    out = B.to_numpy(t)
    assert isinstance(out, np.ndarray) and out.tolist() == [0.0, 1.0, 2.0]
    assert not B.stop_gradient(t).requires_grad and t.requires_grad
    with pytest.raises(TypeError, match="x must be a NumPy array or a torch tensor, got list"):
        B.device_of([1.0])


# -------------------------------------------------------------------- argument checks


def test_check_floating_axis_count_and_shape():
    B.check_floating(np.zeros(1, np.float32), "x")
    with pytest.raises(TypeError, match="x must have a floating-point dtype, got int64"):
        B.check_floating(torch.zeros(1, dtype=torch.int64), "x")
    assert B.check_axis(-1, 3) == 2 and B.check_axis(np.int64(1), 2) == 1
    with pytest.raises(ValueError, match="axis=-4 is out of range for an input with 3"):
        B.check_axis(-4, 3)
    with pytest.raises(TypeError, match="axis must be an int, got float"):
        B.check_axis(1.0, 3)
    assert B.check_count(np.int32(4), "n") == 4
    with pytest.raises(TypeError, match="n must be an int, got bool"):
        B.check_count(True, "n")
    with pytest.raises(TypeError, match="ndim must be an int, got NoneType"):
        B.check_axis(0, None)
    with pytest.raises(ValueError, match="ndim must be an int >= 0, got -1"):
        B.check_axis(0, -1)
    B.check_same_shape(np.zeros((2, 3)), torch.zeros(2, 3), ("a", "b"))
    with pytest.raises(ValueError, match=r"a and b must have the same shape, got \(2,\) and "):
        B.check_same_shape(np.zeros(2), np.zeros(3), ("a", "b"))
    with pytest.raises(TypeError, match="b must be a NumPy array or a torch tensor, got list"):
        B.check_same_shape(np.zeros(2), [0.0, 0.0], ("a", "b"))


@pytest.mark.parametrize("value, kwargs, expected", [
    (0.5, {}, 0.5),
    (np.float32(0.25), {"low": 0.0}, 0.25),
    (3, {"low": 0.0}, 3.0),
    (0.0, {"low": 0.0}, 0.0),
    (1.0, {"low": 0.0, "high": 1.0}, 1.0),
    (np.int64(7), {"integer": True, "low": 0}, 7),
])
def test_check_number_accepts_and_converts(value, kwargs, expected):
    out = B.check_number(value, "v", **kwargs)
    assert out == expected and type(out) is type(expected)


@pytest.mark.parametrize("value, kwargs, error, message", [
    ("1", {}, TypeError, "v must be a real number, got str"),
    (True, {}, TypeError, "v must be a real number, got bool"),
    (None, {}, TypeError, "v must be a real number, got NoneType"),
    (1.5, {"integer": True}, TypeError, "v must be an int, got float"),
    (float("nan"), {}, ValueError, "v must be a finite number, got nan"),
    (float("inf"), {"low": 0.0}, ValueError, "v must be a finite number >= 0, got inf"),
    (-0.1, {"low": 0.0}, ValueError, "v must be a finite number >= 0, got -0.1"),
    (0.0, {"low": 0.0, "low_open": True}, ValueError, "v must be a finite number > 0, got 0.0"),
    (1.0, {"low": 0.0, "high": 1.0, "high_open": True}, ValueError,
     r"v must be a finite number in \[0, 1\), got 1.0"),
    (2.0, {"high": 1.0}, ValueError, "v must be a finite number <= 1, got 2.0"),
    (-1, {"low": 0, "integer": True}, ValueError, "v must be an int >= 0, got -1"),
])
def test_check_number_refuses_with_one_message_style(value, kwargs, error, message):
    with pytest.raises(error, match=message):
        B.check_number(value, "v", **kwargs)


def test_check_bool():
    assert B.check_bool(np.bool_(True), "flag") is True
    with pytest.raises(TypeError, match="flag must be True or False, got 0"):
        B.check_bool(0, "flag")


# ----------------------------------------------------------------------- randomness


def test_a_seed_is_a_fresh_generator_of_the_datas_kind():
    a, b = B.as_generator(5), B.as_generator(5)
    assert a is not b and a.random() == b.random() == np.random.default_rng(5).random()
    t = B.as_generator(5, "torch")
    assert isinstance(t, torch.Generator) and t.device.type == "cpu"
    assert torch.equal(torch.rand(3, generator=t),
                       torch.rand(3, generator=torch.Generator().manual_seed(5)))
    assert isinstance(B.as_generator(np.int64(2), like=torch.zeros(1)), torch.Generator)


def test_a_generator_is_used_as_it_is():
    rng, gen = np.random.default_rng(0), torch.Generator()
    assert B.as_generator(rng) is rng
    assert B.as_generator(gen, "torch") is gen
    assert B.as_generator(gen, like=torch.zeros(1)) is gen


@pytest.mark.parametrize("generator, like, error, message", [
    (None, "numpy", ValueError, "generator must be an int seed or a generator, got None"),
    (True, "numpy", TypeError, "for NumPy data, got bool"),
    (1.0, "torch", TypeError, "generator must be an int seed or a torch.Generator for torch "
                              "data, got float"),
    (np.random.default_rng(0), "torch", TypeError, "torch.Generator for torch data"),
    (torch.Generator(), np.zeros(2), TypeError, "numpy.random.Generator for NumPy data"),
])
def test_as_generator_refuses(generator, like, error, message):
    with pytest.raises(error, match=message):
        B.as_generator(generator, like)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="CUDA is not available on this machine")
def test_a_generator_must_be_on_the_arrays_device():
    with pytest.raises(ValueError, match="generator is on cpu but the data is on cuda"):
        B.as_generator(torch.Generator(), like=torch.zeros(1, device="cuda"))
    assert B.as_generator(3, like=torch.zeros(1, device="cuda")).device.type == "cuda"


def test_draws_equal_the_libraries_own(backend):
    like = make(np.zeros(1), backend, dtype=np.float32)
    g1, g2 = B.as_generator(11, like), B.as_generator(11, like)
    n, u = B.randn((4, 3), g1, like), B.rand((5,), g1, like)
    assert n.dtype == like.dtype and u.dtype == like.dtype and tuple(n.shape) == (4, 3)
    if backend == "numpy":
        np.testing.assert_array_equal(n, g2.standard_normal((4, 3)).astype(np.float32))
        np.testing.assert_array_equal(u, g2.random(5).astype(np.float32))
    else:
        assert n.device == like.device
        assert torch.equal(n, torch.randn(4, 3, generator=g2, device=like.device))
        assert torch.equal(u, torch.rand(5, generator=g2, device=like.device))


def test_draws_on_the_generators_device_land_on_the_datas(device):
    like = torch.zeros(1, dtype=torch.float64, device=device)
    z = B.randn((2,), B.as_generator(0, "torch"), like)
    assert z.device == like.device and z.dtype == torch.float64
    assert torch.equal(z.cpu(), torch.randn(2, generator=torch.Generator().manual_seed(0),
                                            dtype=torch.float64))


@pytest.mark.parametrize("shape, generator, like, error, message", [
    ((2,), 0, None, TypeError, "like must be a NumPy array or a torch tensor, got NoneType"),
    ("ab", 0, np.zeros(1), TypeError, "shape must be a tuple of non-negative ints, got 'ab'"),
    ((2, -1), 0, np.zeros(1), TypeError, r"shape must be a tuple of non-negative ints, got \(2,"),
    ((2,), None, np.zeros(1), ValueError, "generator must be an int seed or a generator"),
    ((2,), np.random.default_rng(0), torch.zeros(1), TypeError,
     r"torch.Generator for torch data, got Generator \(like is a torch tensor\)"),
])
def test_draws_refuse(shape, generator, like, error, message):
    for draw in (B.randn, B.rand):
        with pytest.raises(error, match=message):
            draw(shape, generator, like)


def test_rand_and_randn_have_their_moments():
    rng = np.random.default_rng(1)
    like = np.zeros(1)
    u, n = B.rand((200_000,), rng, like), B.randn((200_000,), rng, like)
    assert 0 <= u.min() and u.max() < 1
    # standard errors: sqrt(1/12 / n) ~ 6.5e-4 for the mean of U(0, 1), 2.2e-3 for N's mean
    assert abs(u.mean() - 0.5) < 5 * 6.5e-4 and abs(n.mean()) < 5 * 2.2e-3
    assert abs(n.var() - 1) < 5 * math.sqrt(2 / 200_000)


def test_fills_are_in_place_and_equal_torchs(device):
    w = torch.empty(30, 20, device=device, requires_grad=True)
    out = B.fill_uniform_(w, -0.5, 0.5, torch.Generator(device=device).manual_seed(4))
    assert out is w and w.requires_grad and float(w.detach().abs().max()) <= 0.5
    expected = torch.empty(30, 20, device=device).uniform_(
        -0.5, 0.5, generator=torch.Generator(device=device).manual_seed(4))
    assert torch.equal(w.detach(), expected)
    B.fill_normal_(w, 1.0, 2.0, torch.Generator(device=device).manual_seed(4))
    expected.normal_(1.0, 2.0, generator=torch.Generator(device=device).manual_seed(4))
    assert torch.equal(w.detach(), expected)


def test_fills_of_an_array_are_numpys_draws():
    w = np.empty((3, 4))
    assert B.fill_uniform_(w, -1, 1, np.random.default_rng(2)) is w
    np.testing.assert_array_equal(w, np.random.default_rng(2).uniform(-1, 1, (3, 4)))
    B.fill_normal_(w, 0.0, 3.0, np.random.default_rng(2))
    np.testing.assert_array_equal(w, np.random.default_rng(2).normal(0.0, 3.0, (3, 4)))


@pytest.mark.parametrize("x, a, b, generator, error, message", [
    ([0.0], 0.0, 1.0, 0, TypeError, "x must be a NumPy array or a torch tensor, got list"),
    (np.zeros(2), "0", 1.0, 0, TypeError, "must be a real number, got str"),
    (np.zeros(2), 0.0, math.inf, 0, ValueError, "must be a finite number( >= 0)?, got inf"),
    (np.zeros(2), 0.0, 1.0, None, ValueError, "generator must be an int seed or a generator"),
    (torch.zeros(2), 0.0, 1.0, np.random.default_rng(0), TypeError,
     r"torch.Generator for torch data, got Generator \(x is a torch tensor\)"),
])
def test_fills_refuse(x, a, b, generator, error, message):
    for fill in (B.fill_uniform_, B.fill_normal_):
        with pytest.raises(error, match=message):
            fill(x, a, b, generator)
    with pytest.raises(ValueError, match="std must be a finite number >= 0, got -1.0"):
        B.fill_normal_(np.zeros(2), 0.0, -1.0, 0)


# ---------------------------------------------------------------- in-place updates


def test_assign_writes_a_leaf_outside_autograd(backend):
    x = make(np.ones(3), backend, requires_grad=backend != "numpy")
    out = B.assign_(x, make(np.array([1.0, 2.0, 3.0]), backend))
    assert out is x and B.to_numpy(x).tolist() == [1.0, 2.0, 3.0]
    if backend != "numpy":
        assert x.grad_fn is None and x.requires_grad


@pytest.mark.parametrize("x, value, error, message", [
    (None, np.zeros(2), TypeError, "x must be a NumPy array or a torch tensor, got NoneType"),
    (np.zeros(2), None, TypeError, "value must be a NumPy array or a torch tensor, got NoneType"),
    (np.zeros(2), np.zeros(3), ValueError, r"x and value must have the same shape, got \(2,\)"),
    (torch.zeros(2), np.zeros(2), TypeError, "cannot mix NumPy arrays and torch tensors: x is "
                                             "Tensor, value is ndarray"),
])
def test_assign_refuses(x, value, error, message):
    with pytest.raises(error, match=message):
        B.assign_(x, value)
