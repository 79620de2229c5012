"""mlnotes.norm against torch in float64: forward, running estimates, gradients, both modes."""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from helpers import assert_close, make, reference
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from strategies import small_floats

from mlnotes import norm as N
from mlnotes.backend import to_numpy

RNG = np.random.default_rng(0)
# (N, C), (N, C, L), (N, C, H, W) with channels of different scales and offsets
SHAPES = [(8, 3), (4, 3, 5), (2, 3, 4, 5)]
SHAPE_IDS = ["NC", "NCL", "NCHW"]


def data(shape, rng=RNG):
    scale = np.array([1.0, 30.0, 1e-3]).reshape((1, 3) + (1,) * (len(shape) - 2))
    return rng.normal(size=shape) * scale + scale * 5


def affine(with_affine):
    if not with_affine:
        return None, None
    return RNG.normal(size=3) + 1, RNG.normal(size=3)


def _opt(v, backend):
    return None if v is None else make(v, backend)


def _ref(v, requires_grad=False):
    return None if v is None else reference(v, requires_grad)


# ---------------------------------------------------------------------- batch norm


@pytest.mark.parametrize("with_affine", [False, True], ids=["plain", "affine"])
@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
@pytest.mark.parametrize("momentum, eps", [(0.1, 1e-5), (0.5, 1e-3), (1.0, 1e-12), (0.0, 1e-5)])
def test_batch_norm_training_matches_torch(shape, with_affine, momentum, eps, backend):
    x, (w, b) = data(shape), affine(with_affine)
    rm0, rv0 = RNG.normal(size=3), RNG.uniform(0.5, 2, size=3)
    rm, rv = make(rm0.copy(), backend), make(rv0.copy(), backend)
    y = N.batch_norm(make(x, backend), rm, rv, _opt(w, backend), _opt(b, backend),
                     training=True, momentum=momentum, eps=eps)
    rm_t, rv_t = reference(rm0), reference(rv0)
    y_t = F.batch_norm(reference(x), rm_t, rv_t, _ref(w), _ref(b),
                       training=True, momentum=momentum, eps=eps)
    assert_close(y, y_t, atol=1e-10)  # eps = 0 divides by a 1e-3 std: atol relative to 1
    assert_close(rm, rm_t)  # updated in place like torch's
    assert_close(rv, rv_t)


@pytest.mark.parametrize("with_affine", [False, True], ids=["plain", "affine"])
@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_batch_norm_eval_matches_torch_and_leaves_the_estimates(shape, with_affine, backend):
    x, (w, b) = data(shape), affine(with_affine)
    rm0, rv0 = RNG.normal(size=3), RNG.uniform(0.5, 2, size=3)
    rm, rv = make(rm0.copy(), backend), make(rv0.copy(), backend)
    y = N.batch_norm(make(x, backend), rm, rv, _opt(w, backend), _opt(b, backend))
    y_t = F.batch_norm(reference(x), reference(rm0), reference(rv0), _ref(w), _ref(b))
    assert_close(y, y_t)
    assert_close(rm, rm0, rtol=0, atol=0)
    assert_close(rv, rv0, rtol=0, atol=0)


def test_batch_norm_training_without_running_estimates(backend):
    x = data((6, 3, 4))
    y = N.batch_norm(make(x, backend), None, None, training=True)
    assert_close(y, F.batch_norm(reference(x), None, None, training=True))


def test_batch_norm_eval_sample_is_independent_of_its_batch(backend):
    x = data((6, 3))
    rm, rv = make(np.zeros(3), backend), make(np.ones(3), backend)
    alone = N.batch_norm(make(x[:1], backend), rm, rv)
    assert_close(alone, to_numpy(N.batch_norm(make(x, backend), rm, rv))[:1])


@pytest.mark.parametrize("with_affine", [False, True], ids=["plain", "affine"])
@pytest.mark.parametrize("training", [True, False], ids=["train", "eval"])
@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
def test_batch_norm_autograd_matches_torch(shape, training, with_affine, device):
    x, (w, b) = data(shape), affine(with_affine)
    g = RNG.normal(size=shape)
    rm0, rv0 = RNG.normal(size=3), RNG.uniform(0.5, 2, size=3)
    ours = [make(x, device, requires_grad=True)] + [
        None if v is None else make(v, device, requires_grad=True) for v in (w, b)
    ]
    theirs = [reference(x, True), _ref(w, True), _ref(b, True)]
    y = N.batch_norm(ours[0], make(rm0, device), make(rv0, device), ours[1], ours[2], training)
    (y * make(g, device)).sum().backward()
    y_t = F.batch_norm(theirs[0], reference(rm0), reference(rv0), theirs[1], theirs[2], training)
    (y_t * reference(g)).sum().backward()
    for a, e in zip(ours, theirs, strict=True):
        if a is not None:
            assert_close(a.grad, e.grad, atol=1e-9)


@pytest.mark.parametrize("with_affine", [False, True], ids=["plain", "affine"])
@pytest.mark.parametrize("shape", SHAPES, ids=SHAPE_IDS)
@pytest.mark.parametrize("eps", [1e-5, 0.1])
def test_batch_norm_backward_matches_autograd(shape, with_affine, eps, backend):
    x, (w, b) = data(shape), affine(with_affine)
    g = RNG.normal(size=shape)
    xr, wr, br = reference(x, True), reference(w if w is not None else np.ones(3), True), \
        reference(b if b is not None else np.zeros(3), True)
    y = F.batch_norm(xr, None, None, wr, br, training=True, eps=eps)
    (y * reference(g)).sum().backward()
    gx, gw, gb = N.batch_norm_backward(make(g, backend), make(x, backend), _opt(w, backend),
                                       eps=eps)
    assert_close(gx, xr.grad, atol=1e-9)
    assert_close(gw, wr.grad)
    assert_close(gb, br.grad)


def test_float32_agrees_with_torch_float32(device):
    x = torch.tensor(data((16, 3, 7)), dtype=torch.float32, device=device)
    rm, rv = torch.zeros(3, device=device), torch.ones(3, device=device)
    rm_t, rv_t = rm.clone(), rv.clone()
    y = N.batch_norm(x, rm, rv, training=True)
    y_t = F.batch_norm(x, rm_t, rv_t, training=True)
    assert y.dtype == torch.float32 and y.device == x.device
    torch.testing.assert_close(y, y_t)
    torch.testing.assert_close(rv, rv_t)
    torch.testing.assert_close(N.layer_norm(x, (3, 7)), F.layer_norm(x, (3, 7)))


# ---------------------------------------------------------------------- layer norm


@pytest.mark.parametrize("normalized_shape", [5, (5,), (4, 5), (3, 4, 5)])
@pytest.mark.parametrize("with_affine", [False, True], ids=["plain", "affine"])
@pytest.mark.parametrize("eps", [1e-5, 0.0])
def test_layer_norm_matches_torch(normalized_shape, with_affine, eps, backend):
    x = RNG.normal(size=(2, 3, 4, 5)) * 7 + 3
    ns = (normalized_shape,) if isinstance(normalized_shape, int) else normalized_shape
    w = RNG.normal(size=ns) if with_affine else None
    b = RNG.normal(size=ns) if with_affine else None
    y = N.layer_norm(make(x, backend), normalized_shape, _opt(w, backend), _opt(b, backend),
                     eps=eps)
    assert_close(y, F.layer_norm(reference(x), ns, _ref(w), _ref(b), eps=eps))


AFFINE_PARTS = {"neither": (False, False), "weight": (True, False), "bias": (False, True),
                "both": (True, True)}


@pytest.mark.parametrize("parts", AFFINE_PARTS.values(), ids=AFFINE_PARTS.keys())
@pytest.mark.parametrize("normalized_shape", [5, (4, 5), np.int64(5)], ids=str)
def test_layer_norm_with_either_affine_part_matches_torch(normalized_shape, parts, backend):
    # weight and bias are each optional, as in torch (None: no scale, no shift)
    x = RNG.normal(size=(2, 3, 4, 5)) * 3 - 1
    ns = (int(normalized_shape),) if np.ndim(normalized_shape) == 0 else normalized_shape
    w = RNG.normal(size=ns) if parts[0] else None
    b = RNG.normal(size=ns) if parts[1] else None
    y = N.layer_norm(make(x, backend), normalized_shape, weight=_opt(w, backend),
                     bias=_opt(b, backend))
    assert_close(y, F.layer_norm(reference(x), ns, weight=_ref(w), bias=_ref(b)))


@pytest.mark.parametrize("parts", AFFINE_PARTS.values(), ids=AFFINE_PARTS.keys())
def test_layer_norm_with_either_affine_part_autograd_matches_torch(parts, device):
    x, g = RNG.normal(size=(3, 4, 5)) * 4, RNG.normal(size=(3, 4, 5))
    w = RNG.normal(size=(4, 5)) if parts[0] else None
    b = RNG.normal(size=(4, 5)) if parts[1] else None
    ours = [make(x, device, requires_grad=True)] + [
        None if v is None else make(v, device, requires_grad=True) for v in (w, b)]
    theirs = [reference(x, True), _ref(w, True), _ref(b, True)]
    (N.layer_norm(ours[0], (4, 5), ours[1], ours[2]) * make(g, device)).sum().backward()
    (F.layer_norm(theirs[0], (4, 5), theirs[1], theirs[2]) * reference(g)).sum().backward()
    for a, e in zip(ours, theirs, strict=True):
        if a is not None:
            assert_close(a.grad, e.grad, atol=1e-10)


@pytest.mark.parametrize("kwargs", [{"elementwise_affine": False}, {"bias": False}], ids=str)
def test_layer_norm_module_without_affine_parts_matches_torch(kwargs):
    ours = N.LayerNorm((4, 5), dtype=torch.float64, **kwargs)
    ref = torch.nn.LayerNorm((4, 5), dtype=torch.float64, **kwargs)
    assert set(ours.state_dict()) == set(ref.state_dict())
    x = RNG.normal(size=(3, 4, 5))
    assert_close(ours(reference(x)), ref(reference(x)))


@pytest.mark.parametrize("normalized_shape", [(5,), (4, 5)])
def test_layer_norm_autograd_matches_torch(normalized_shape, device):
    x = RNG.normal(size=(3, 4, 5)) * 4
    w, b = RNG.normal(size=normalized_shape), RNG.normal(size=normalized_shape)
    g = RNG.normal(size=x.shape)
    ours = [make(v, device, requires_grad=True) for v in (x, w, b)]
    theirs = [reference(v, True) for v in (x, w, b)]
    (N.layer_norm(*ours[:1], normalized_shape, *ours[1:]) * make(g, device)).sum().backward()
    (F.layer_norm(theirs[0], normalized_shape, *theirs[1:]) * reference(g)).sum().backward()
    for a, e in zip(ours, theirs, strict=True):
        assert_close(a.grad, e.grad, atol=1e-10)


# ------------------------------------------------------------------------- modules


@pytest.mark.parametrize("shape, theirs", [((8, 3), torch.nn.BatchNorm1d),
                                           ((4, 3, 5), torch.nn.BatchNorm1d),
                                           ((2, 3, 4, 5), torch.nn.BatchNorm2d)])
def test_batch_norm_module_matches_torch_over_steps(shape, theirs, device):
    ours = N.BatchNorm(3, momentum=0.3, dtype=torch.float64, device=device)
    ref = theirs(3, momentum=0.3, dtype=torch.float64)
    assert set(ours.state_dict()) == set(ref.state_dict())
    for step in range(4):
        x = data(shape, np.random.default_rng(step))
        assert_close(ours(make(x, device)), ref(reference(x)))
    assert int(ours.num_batches_tracked) == 4 == int(ref.num_batches_tracked)
    ours.eval(), ref.eval()
    x = data(shape)
    assert_close(ours(make(x, device)), ref(reference(x)))
    assert_close(ours.running_var, ref.running_var)


def test_batch_norm_module_loads_torchs_state_dict():
    ref = torch.nn.BatchNorm1d(3, dtype=torch.float64)
    ref(reference(data((8, 3))))
    with torch.no_grad():
        ref.weight.uniform_(0.5, 2.0), ref.bias.normal_()
    ours = N.BatchNorm(3, dtype=torch.float64)
    ours.load_state_dict(ref.state_dict())
    ours.eval(), ref.eval()
    x = reference(data((8, 3)))
    assert_close(ours(x), ref(x))


def test_batch_norm_module_without_running_stats_uses_batch_in_eval():
    ours = N.BatchNorm(3, affine=False, track_running_stats=False, dtype=torch.float64).eval()
    ref = torch.nn.BatchNorm1d(3, affine=False, track_running_stats=False,
                               dtype=torch.float64).eval()
    x = reference(data((8, 3)))
    assert_close(ours(x), ref(x))
    assert list(ours.parameters()) == []


def test_layer_norm_module_matches_torch(device):
    ours = N.LayerNorm((4, 5), dtype=torch.float64, device=device)
    ref = torch.nn.LayerNorm((4, 5), dtype=torch.float64)
    assert set(ours.state_dict()) == set(ref.state_dict())
    x = RNG.normal(size=(3, 4, 5))
    assert_close(ours(make(x, device)), ref(reference(x)))
    assert N.LayerNorm(4, bias=False).bias is None


# ---------------------------------------------------------- properties (docstrings)

batches = arrays(np.float64, st.tuples(st.integers(2, 6), st.integers(1, 4), st.integers(1, 3)),
                 elements=small_floats)


@given(batches)
def test_batch_norm_standardises_each_channel(x):
    eps = 1e-5
    y = N.batch_norm(x, None, None, training=True, eps=eps)
    var = x.var(axis=(0, 2))
    np.testing.assert_allclose(y.mean(axis=(0, 2)), 0.0, atol=1e-9)
    np.testing.assert_allclose(y.var(axis=(0, 2)), var / (var + eps), rtol=1e-9, atol=1e-12)


@given(batches)
def test_layer_norm_standardises_each_sample(x):
    eps = 1e-5
    y = N.layer_norm(x, x.shape[1:], eps=eps)
    var = x.var(axis=(1, 2))
    np.testing.assert_allclose(y.mean(axis=(1, 2)), 0.0, atol=1e-9)
    np.testing.assert_allclose(y.var(axis=(1, 2)), var / (var + eps), rtol=1e-9, atol=1e-12)


@given(arrays(np.float64, (3, 6), elements=small_floats), st.floats(-100, 100),
       st.floats(0.01, 100))
def test_layer_norm_is_shift_and_scale_invariant(x, shift, scale):
    if np.any(x.std(axis=1) < 1e-3):
        return  # a (nearly) constant sample has no scale to remove
    np.testing.assert_allclose(N.layer_norm(scale * x + shift, 6, eps=0.0),
                               N.layer_norm(x, 6, eps=0.0), atol=1e-8)


# ------------------------------------------------------------------------ bad input


def test_batch_norm_bad_arguments(backend):
    x = make(data((4, 3)), backend)
    rm, rv = make(np.zeros(3), backend), make(np.ones(3), backend)
    with pytest.raises(ValueError, match=r"momentum must be a finite number in \[0, 1\], got 1.5"):
        N.batch_norm(x, rm, rv, training=True, momentum=1.5)
    with pytest.raises(TypeError, match=r"momentum must be a real number, got NoneType"):
        N.batch_norm(x, rm, rv, training=True, momentum=None)
    with pytest.raises(ValueError, match=r"eps must be a finite number >= 0, got -1"):
        N.batch_norm(x, rm, rv, eps=-1.0)
    with pytest.raises(ValueError, match=r"eps must be positive when training, got 0.0"):
        N.batch_norm(x, rm, rv, training=True, eps=0.0)
    with pytest.raises(ValueError, match=r"running_var must have shape \(3,\), one entry per"):
        N.batch_norm(x, rm, make(np.ones(4), backend))
    with pytest.raises(ValueError, match=r"weight must have shape \(3,\)"):
        N.batch_norm(x, rm, rv, weight=make(np.ones((1, 3)), backend))
    with pytest.raises(ValueError, match=r"running_mean and running_var are needed when "
                                         r"training=False"):
        N.batch_norm(x, None, None)
    with pytest.raises(ValueError, match=r"input must have at least 2 dimensions"):
        N.batch_norm(make(np.ones(3), backend), rm, rv)
    with pytest.raises(ValueError, match=r"more than 1 value per channel when training"):
        N.batch_norm(make(np.ones((1, 3)), backend), rm, rv, training=True)
    with pytest.raises(TypeError, match=r"input must have a floating-point dtype, got int64"):
        N.batch_norm(make(np.ones((2, 3)), backend, dtype=np.int64), rm, rv)


def test_batch_norm_refuses_mixed_backends():
    with pytest.raises(TypeError, match=r"cannot mix NumPy arrays and torch tensors"):
        N.batch_norm(np.ones((2, 3)), torch.zeros(3), torch.ones(3))
    with pytest.raises(TypeError, match=r"input must be a NumPy array or a torch tensor"):
        N.batch_norm([[1.0, 2.0]], None, None, training=True)


def test_batch_norm_backward_bad_arguments():
    with pytest.raises(ValueError, match=r"grad and input must have the same shape"):
        N.batch_norm_backward(np.ones((2, 3)), np.ones((3, 3)))
    with pytest.raises(ValueError, match=r"input must have at least 2 dimensions"):
        N.batch_norm_backward(np.ones(3), np.ones(3))


def test_layer_norm_bad_arguments(backend):
    x = make(RNG.normal(size=(2, 3, 4)), backend)
    with pytest.raises(ValueError, match=r"normalized_shape \(3,\) must be the trailing shape"):
        N.layer_norm(x, 3)
    with pytest.raises(ValueError, match=r"must be the trailing shape of input"):
        N.layer_norm(x, (1, 2, 3, 4))
    with pytest.raises(ValueError, match=r"normalized_shape must be an int or a non-empty tuple"):
        N.layer_norm(x, ())
    with pytest.raises(ValueError, match=r"normalized_shape must be an int or a non-empty tuple"):
        N.layer_norm(x, 4.0)
    with pytest.raises(ValueError, match=r"weight must have shape \(4,\), got \(3,\)"):
        N.layer_norm(x, 4, weight=make(np.ones(3), backend))
    with pytest.raises(ValueError, match=r"bias must have shape \(4,\), got \(1, 4\)"):
        N.layer_norm(x, 4, weight=None, bias=make(np.ones((1, 4)), backend))
    with pytest.raises(ValueError, match=r"normalized_shape must be an int or a non-empty tuple"):
        N.layer_norm(x, True)
    with pytest.raises(ValueError, match=r"eps must be a finite number >= 0"):
        N.layer_norm(x, 4, eps=-1e-5)
    with pytest.raises(TypeError, match=r"input must have a floating-point dtype"):
        N.layer_norm(make(np.ones((2, 4)), backend, dtype=np.int64), 4)


def test_module_bad_arguments():
    with pytest.raises(ValueError, match=r"num_features must be at least 1, got 0"):
        N.BatchNorm(0)
    with pytest.raises(ValueError, match=r"momentum must be a finite number in \[0, 1\]"):
        N.BatchNorm(3, momentum=-0.1)


@pytest.mark.parametrize("layer", [N.LayerNorm, N.NumpyLayerNorm])
@pytest.mark.parametrize("bad", [None, 0, 1.5, True, "4", (4, 0), np.ones(2)], ids=repr)
def test_layer_norm_modules_refuse_a_bad_normalized_shape(layer, bad):
    with pytest.raises(ValueError, match=r"normalized_shape must be a positive int or a tuple "
                                         r"of them, got"):
        layer(bad)


def test_layer_norm_modules_take_an_int_or_a_tuple():
    # NumPy's ints too (LayerNorm took only Python's: tuple(np.int64(4)) failed)
    for layer in (N.LayerNorm, N.NumpyLayerNorm):
        assert layer(np.int64(4)).normalized_shape == (4,)
        assert layer([3, 4]).normalized_shape == (3, 4)
        assert tuple(layer(torch.Size([3, 4])).weight.shape) == (3, 4)
