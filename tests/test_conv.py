"""mlnotes.conv against torch in float64: forward, autograd, backwards, properties, bad input."""

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

from mlnotes import conv as C
from mlnotes.backend import to_numpy

RNG = np.random.default_rng(5)

# torch warns that padding="same" with an even kernel copies its input; so do we, silently
pytestmark = pytest.mark.filterwarnings("ignore:Using padding='same':UserWarning")

# (x shape, w shape, options): square and rectangular inputs and kernels, strides larger
# than the kernel, padding wider than the kernel, pairs and 1-tuples, padding "same" (odd
# and even kernels: torch puts the odd zero at the bottom/right) and "valid", grouped and
# depthwise convolutions, unbatched (C, H, W) inputs.
_BASIC = [
    ((2, 3, 7, 7), (4, 3, 3, 3), 1, 0, 1),
    ((2, 3, 7, 7), (4, 3, 3, 3), 1, 1, 1),
    ((1, 2, 8, 6), (3, 2, 3, 2), 2, 1, 1),
    ((3, 1, 9, 9), (2, 1, 5, 5), 3, 2, 1),
    ((2, 2, 6, 7), (2, 2, 1, 1), 1, 0, 1),
    ((1, 3, 10, 8), (5, 3, 2, 3), (2, 1), (0, 2), 1),
    ((2, 2, 9, 9), (3, 2, 3, 3), 1, 0, 2),
    ((1, 2, 11, 10), (2, 2, 3, 2), (2, 3), (1, 0), (2, 3)),
    ((2, 1, 5, 5), (1, 1, 5, 5), 1, 0, 1),
    ((1, 1, 4, 4), (1, 1, 3, 3), 1, 4, 1),
    ((2, 4, 6, 6), (1, 4, 2, 2), 4, 0, 1),
]
CONV2D_CASES = [(x, w, dict(stride=s, padding=p, dilation=d)) for x, w, s, p, d in _BASIC] + [
    ((2, 3, 7, 6), (4, 3, 3, 3), dict(padding="same")),
    ((1, 2, 7, 8), (3, 2, 4, 2), dict(padding="same")),
    ((1, 2, 9, 9), (2, 2, 3, 2), dict(padding="same", dilation=(2, 3))),
    ((2, 2, 6, 6), (2, 2, 3, 3), dict(padding="valid", stride=2)),
    ((1, 2, 9, 9), (2, 2, 3, 3), dict(stride=(2,), padding=(1,), dilation=(1,))),
    ((2, 4, 7, 7), (6, 2, 3, 3), dict(groups=2)),
    ((2, 3, 8, 8), (3, 1, 3, 3), dict(groups=3, padding=1)),
    ((1, 3, 9, 8), (6, 1, 3, 3), dict(groups=3, stride=2, padding=1)),
    ((2, 6, 11, 10), (4, 3, 3, 2), dict(groups=2, stride=(2, 3), padding=(1, 2),
                                        dilation=(2, 1))),
    ((3, 4, 7, 7), (4, 4, 3, 3), dict(stride=2, padding=1)),
    ((4, 8, 8), (6, 2, 3, 3), dict(groups=2, padding="same")),
    ((1, 9, 9), (2, 1, 2, 2), dict(stride=3, dilation=2, padding=1)),
]
CONV1D_CASES = [(x, w, dict(stride=s, padding=p, dilation=d)) for x, w, s, p, d in [
    ((2, 3, 10), (4, 3, 3), 1, 0, 1),
    ((1, 2, 9), (3, 2, 4), 2, 1, 1),
    ((3, 1, 12), (2, 1, 3), 3, 2, 2),
    ((2, 2, 5), (1, 2, 5), 1, 0, 1),
    ((1, 1, 7), (2, 1, 1), 1, 3, 1),
]] + [
    ((2, 3, 10), (4, 3, 4), dict(padding="same", dilation=2)),
    ((1, 2, 9), (2, 2, 3), dict(padding="valid", stride=(2,))),
    ((2, 4, 11), (4, 1, 3), dict(groups=4, padding=(1,))),
    ((3, 12), (4, 3, 3), dict(stride=2, padding=1)),
]
# (x shape, options) for max_pool2d: stride None = kernel_size; tuples, dilation,
# ceil_mode (a last window that overhangs the padded input), unbatched (C, H, W)
MAX_POOL_CASES = [
    ((2, 3, 8, 8), dict(kernel_size=2)),
    ((1, 2, 7, 9), dict(kernel_size=3, padding=1)),
    ((2, 1, 9, 9), dict(kernel_size=3, stride=2, padding=1)),
    ((1, 2, 6, 7), dict(kernel_size=(2, 3), stride=(1, 2), padding=(1, 0))),
    ((1, 1, 5, 5), dict(kernel_size=5)),
    ((2, 2, 6, 6), dict(kernel_size=2, stride=1)),
    ((1, 2, 9, 10), dict(kernel_size=3, stride=2, dilation=2, padding=1)),
    ((2, 2, 7, 7), dict(kernel_size=2, ceil_mode=True)),
    ((1, 2, 8, 9), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    ((1, 1, 10, 11), dict(kernel_size=(3, 2), stride=(3, 2), dilation=(1, 3), ceil_mode=True)),
    ((3, 6, 7), dict(kernel_size=3, stride=2, padding=1)),
    ((2, 5, 5), dict(kernel_size=2, ceil_mode=True)),
    ((1, 1, 4, 4), dict(kernel_size=5, ceil_mode=True)),
]
# (x shape, options) for avg_pool2d: as above, and what divides each window's sum
AVG_POOL_CASES = [
    ((2, 3, 8, 8), dict(kernel_size=2)),
    ((1, 2, 7, 9), dict(kernel_size=3, padding=1)),
    ((2, 1, 9, 9), dict(kernel_size=3, stride=2, padding=1)),
    ((1, 2, 6, 7), dict(kernel_size=(2, 3), stride=(1, 2), padding=(1, 0))),
    ((2, 2, 6, 6), dict(kernel_size=2, stride=1)),
    ((1, 2, 7, 9), dict(kernel_size=3, padding=1, count_include_pad=False)),
    ((2, 2, 7, 7), dict(kernel_size=2, ceil_mode=True)),
    ((1, 2, 8, 9), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True)),
    ((1, 2, 8, 9), dict(kernel_size=3, stride=2, padding=1, ceil_mode=True,
                        count_include_pad=False)),
    ((1, 2, 6, 6), dict(kernel_size=3, stride=2, padding=1, divisor_override=2)),
    ((1, 1, 7, 7), dict(kernel_size=2, ceil_mode=True, divisor_override=-3)),
    ((3, 6, 7), dict(kernel_size=3, stride=2, padding=1, count_include_pad=False)),
    ((1, 1, 4, 4), dict(kernel_size=(5, 2), ceil_mode=True, count_include_pad=False)),
]


def _ids(case):
    return "-".join(str(v).replace(" ", "").replace("'", "") for v in case)


def _conv_data(case, bias=True):
    xs, ws = case[0], case[1]
    x, w = RNG.normal(size=xs), RNG.normal(size=ws)
    b = RNG.normal(size=ws[0]) if bias else None
    return x, w, b


def _kw(case):
    return case[2]


# ------------------------------------------------------------------------ forward


@pytest.mark.parametrize("bias", [True, False], ids=["bias", "no-bias"])
@pytest.mark.parametrize("case", CONV2D_CASES, ids=_ids)
def test_conv2d_matches_torch(case, bias, backend):
    x, w, b = _conv_data(case, bias)
    out = C.conv2d(make(x, backend), make(w, backend),
                   None if b is None else make(b, backend), **_kw(case))
    expected = F.conv2d(reference(x), reference(w), None if b is None else reference(b),
                        **_kw(case))
    assert type(out) is type(make(x, backend))
    assert tuple(out.shape) == tuple(expected.shape)
    assert_close(out, expected)


@pytest.mark.parametrize("case", CONV1D_CASES, ids=_ids)
def test_conv1d_matches_torch(case, backend):
    x, w, b = _conv_data(case)
    out = C.conv1d(make(x, backend), make(w, backend), make(b, backend), **_kw(case))
    expected = F.conv1d(reference(x), reference(w), reference(b), **_kw(case))
    assert tuple(out.shape) == tuple(expected.shape)
    assert_close(out, expected)


def test_padding_same_keeps_the_size_and_splits_like_torch(backend):
    # an even kernel needs an odd number of zeros: torch puts the extra one after
    x = RNG.normal(size=(1, 1, 5, 6))
    w = np.zeros((1, 1, 2, 4))
    w[0, 0, 0, 0] = 1.0  # picks the window's first pixel: the output is x shifted
    out = C.conv2d(make(x, backend), make(w, backend), padding="same")
    assert tuple(out.shape) == x.shape
    # d(k - 1) = 1 and 3 zeros: 0 above, 1 below; 1 left, 2 right
    expected = np.zeros_like(x)
    expected[..., :, 1:] = x[..., :, :-1]
    assert_close(out, expected)
    assert_close(out, F.conv2d(reference(x), reference(w), padding="same"))


def test_unbatched_input_is_a_batch_of_one(backend):
    x, w = RNG.normal(size=(3, 8, 8)), RNG.normal(size=(6, 1, 3, 3))
    xb, wb = make(x, backend), make(w, backend)
    assert_close(C.conv2d(xb, wb, groups=3, padding=1),
                 C.conv2d(xb[None], wb, groups=3, padding=1)[0])
    assert_close(C.max_pool2d(xb, 3, 2, 1), C.max_pool2d(xb[None], 3, 2, 1)[0])
    assert_close(C.avg_pool2d(xb, 3, 2, 1), C.avg_pool2d(xb[None], 3, 2, 1)[0])


def test_groups_convolve_each_group_on_its_own(backend):
    """groups=G is G separate convolutions, their outputs stacked along the channels."""
    x, w = RNG.normal(size=(2, 6, 7, 7)), RNG.normal(size=(4, 3, 3, 3))
    xb, wb = make(x, backend), make(w, backend)
    out = C.conv2d(xb, wb, groups=2, padding=1)
    for g in range(2):
        assert_close(out[:, 2 * g:2 * g + 2],
                     C.conv2d(xb[:, 3 * g:3 * g + 3], wb[2 * g:2 * g + 2], padding=1))


@pytest.mark.parametrize("case", CONV2D_CASES[:4] + CONV2D_CASES[6:8] + CONV2D_CASES[12:14]
                         + CONV2D_CASES[17:20] + CONV2D_CASES[21:], ids=_ids)
def test_conv2d_naive_equals_conv2d(case, backend):
    x, w, b = _conv_data(case)
    args = make(x, backend), make(w, backend), make(b, backend)
    assert_close(C.conv2d_naive(*args, **_kw(case)), C.conv2d(*args, **_kw(case)))


@pytest.mark.parametrize("tile", [1, 3, (2, 5), 100])
@pytest.mark.parametrize("case", CONV2D_CASES, ids=_ids)
def test_conv2d_tiled_equals_conv2d(case, tile):
    x, w, b = _conv_data(case)
    assert_close(C.conv2d_tiled(x, w, b, tile=tile, **_kw(case)), C.conv2d(x, w, b, **_kw(case)))


@pytest.mark.parametrize("case", MAX_POOL_CASES, ids=_ids)
def test_max_pool2d_matches_torch(case, backend):
    shape, kw = case
    x = RNG.normal(size=shape)
    out = C.max_pool2d(make(x, backend), **kw)
    expected = F.max_pool2d(reference(x), **kw)
    assert tuple(out.shape) == tuple(expected.shape)
    assert_close(out, expected)


@pytest.mark.parametrize("ties", [False, True], ids=["distinct", "ties"])
@pytest.mark.parametrize("case", MAX_POOL_CASES, ids=_ids)
def test_max_pool2d_indices_equal_torchs(case, ties, backend):
    shape, kw = case
    x = _pool_inputs(shape, ties)
    out, indices = C.max_pool2d(make(x, backend), **kw, return_indices=True)
    expected, expected_indices = F.max_pool2d(reference(x), **kw, return_indices=True)
    assert_close(out, expected)
    assert to_numpy(indices).dtype == np.int64
    np.testing.assert_array_equal(to_numpy(indices), expected_indices.numpy())
    # each index points at the value it claims, in the flattened (H * W) plane
    flat = x.reshape(*x.shape[:-2], -1)
    np.testing.assert_array_equal(
        np.take_along_axis(flat, to_numpy(indices).reshape(*flat.shape[:-1], -1), axis=-1),
        to_numpy(out).reshape(*flat.shape[:-1], -1))


@pytest.mark.parametrize("case", AVG_POOL_CASES, ids=_ids)
def test_avg_pool2d_matches_torch(case, backend):
    shape, kw = case
    x = RNG.normal(size=shape)
    out = C.avg_pool2d(make(x, backend), **kw)
    expected = F.avg_pool2d(reference(x), **kw)
    assert tuple(out.shape) == tuple(expected.shape)
    assert_close(out, expected)


def test_every_torch_keyword_is_accepted_at_its_default(backend):
    x = RNG.normal(size=(2, 4, 7, 7))
    w, b = RNG.normal(size=(4, 4, 3, 3)), RNG.normal(size=4)
    xb, wb, bb = make(x, backend), make(w, backend), make(b, backend)
    xr, wr, br = reference(x), reference(w), reference(b)
    for kw in (dict(stride=1, padding=0, dilation=1, groups=1),
               dict(stride=(1, 1), padding=(0, 0), dilation=(1, 1), groups=1)):
        assert_close(C.conv2d(xb, wb, bb, **kw), F.conv2d(xr, wr, br, **kw))
    kw = dict(stride=1, padding=0, dilation=1, groups=1)
    assert_close(C.conv1d(xb[:, :, 0], wb[:, :, 0], None, **kw),
                 F.conv1d(xr[:, :, 0], wr[:, :, 0], None, **kw))
    kw = dict(kernel_size=2, stride=None, padding=0, dilation=1, ceil_mode=False,
              return_indices=False)
    assert_close(C.max_pool2d(xb, **kw), F.max_pool2d(xr, **kw))
    kw = dict(kernel_size=2, stride=None, padding=0, ceil_mode=False, count_include_pad=True,
              divisor_override=None)
    assert_close(C.avg_pool2d(xb, **kw), F.avg_pool2d(xr, **kw))


def test_max_pool2d_propagates_nan_like_torch(backend):
    x = RNG.normal(size=(1, 2, 4, 4))
    x[0, 0, 1, 1] = x[0, 1, 3, 2] = np.nan
    out, indices = C.max_pool2d(make(x, backend), 2, return_indices=True)
    expected, expected_indices = F.max_pool2d(reference(x), 2, return_indices=True)
    np.testing.assert_array_equal(to_numpy(out), expected.numpy())  # NaN where torch has NaN
    np.testing.assert_array_equal(to_numpy(indices), expected_indices.numpy())


def test_pool_stride_defaults_to_kernel_size(backend):
    x = make(RNG.normal(size=(1, 1, 6, 6)), backend)
    assert tuple(C.max_pool2d(x, 3).shape) == (1, 1, 2, 2)
    assert_close(C.avg_pool2d(x, 3), C.avg_pool2d(x, 3, stride=3))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_and_device_are_kept(dtype, backend):
    x = make(RNG.normal(size=(1, 2, 6, 6)), backend, dtype=dtype)
    w = make(RNG.normal(size=(3, 2, 3, 3)), backend, dtype=dtype)
    g = make(np.ones((1, 3, 4, 4)), backend, dtype=dtype)
    outs = [C.conv2d(x, w), *C.conv2d_backward(g, x, w), C.max_pool2d(x, 2),
            C.conv2d(x, w[:2, :1], groups=2, padding="same"),
            C.avg_pool2d(x, 2), C.max_pool2d_backward(make(np.ones((1, 2, 3, 3)), backend,
                                                           dtype=dtype), x, 2),
            C.edge_magnitude(x[:, :1]), C.sobel_kernels(like=x)]
    for out in outs:
        assert out.dtype == x.dtype
        if backend != "numpy":
            assert out.device == x.device
    indices = C.max_pool2d(x, 2, return_indices=True)[1]
    assert to_numpy(indices).dtype == np.int64
    if backend != "numpy":
        assert indices.device == x.device


def test_float32_agrees_with_torch_float32(device):
    x = torch.tensor(RNG.normal(size=(2, 4, 9, 9)), dtype=torch.float32, device=device)
    w = torch.tensor(RNG.normal(size=(4, 2, 3, 3)), dtype=torch.float32, device=device)
    torch.testing.assert_close(C.conv2d(x, w, stride=2, padding=1, groups=2),
                               F.conv2d(x, w, stride=2, padding=1, groups=2))
    torch.testing.assert_close(C.conv2d(x, w[:, :1].repeat(1, 4, 1, 1), padding="same"),
                               F.conv2d(x, w[:, :1].repeat(1, 4, 1, 1), padding="same"))


# ----------------------------------------------------------------------- gradients


def _torch_grads(case, x, w, b, g):
    xr, wr, br = (reference(a, requires_grad=True) for a in (x, w, b))
    (F.conv2d(xr, wr, br, **_kw(case)) * reference(g)).sum().backward()
    return xr.grad, wr.grad, br.grad


@pytest.mark.parametrize("case", CONV2D_CASES, ids=_ids)
def test_conv2d_autograd_matches_torch(case, device):
    x, w, b = _conv_data(case)
    ours = [make(a, device, requires_grad=True) for a in (x, w, b)]
    out = C.conv2d(*ours, **_kw(case))
    g = RNG.normal(size=tuple(out.shape))
    (out * make(g, device)).sum().backward()
    for a, expected in zip(ours, _torch_grads(case, x, w, b, g), strict=True):
        assert_close(a.grad, expected)


@pytest.mark.parametrize("case", CONV2D_CASES, ids=_ids)
def test_conv2d_backward_matches_autograd(case, backend):
    x, w, b = _conv_data(case)
    out_shape = tuple(F.conv2d(reference(x), reference(w), **_kw(case)).shape)
    g = RNG.normal(size=out_shape)
    grads = C.conv2d_backward(make(g, backend), make(x, backend), make(w, backend),
                              **_kw(case))
    for ours, expected in zip(grads, _torch_grads(case, x, w, b, g), strict=True):
        assert tuple(ours.shape) == tuple(expected.shape)
        assert_close(ours, expected)


def test_conv2d_backward_takes_grad_first_by_name():
    x, w = RNG.normal(size=(1, 2, 5, 5)), RNG.normal(size=(3, 2, 3, 3))
    g = RNG.normal(size=(1, 3, 3, 3))
    by_name = C.conv2d_backward(grad=g, x=x, w=w)
    for a, b in zip(by_name, C.conv2d_backward(g, x, w), strict=True):
        assert_close(a, b)


@pytest.mark.parametrize("case", CONV1D_CASES, ids=_ids)
def test_conv1d_autograd_matches_torch(case, device):
    x, w, b = _conv_data(case)
    ours = [make(a, device, requires_grad=True) for a in (x, w, b)]
    out = C.conv1d(*ours, **_kw(case))
    g = RNG.normal(size=tuple(out.shape))
    (out * make(g, device)).sum().backward()
    refs = [reference(a, requires_grad=True) for a in (x, w, b)]
    (F.conv1d(*refs, **_kw(case)) * reference(g)).sum().backward()
    for a, r in zip(ours, refs, strict=True):
        assert_close(a.grad, r.grad)


def _pool_inputs(shape, ties):
    # ties: few distinct values, so windows often hold several equal maxima
    return RNG.integers(0, 3, size=shape).astype(np.float64) if ties else RNG.normal(size=shape)


@pytest.mark.parametrize("ties", [False, True], ids=["distinct", "ties"])
@pytest.mark.parametrize("case", MAX_POOL_CASES, ids=_ids)
def test_max_pool2d_backward_matches_autograd(case, ties, backend):
    shape, kw = case
    x = _pool_inputs(shape, ties)
    xr = reference(x, requires_grad=True)
    out = F.max_pool2d(xr, **kw)
    g = RNG.normal(size=tuple(out.shape))
    (out * reference(g)).sum().backward()
    assert_close(C.max_pool2d_backward(make(g, backend), make(x, backend), **kw), xr.grad)


POOLS = {"max": (C.max_pool2d, F.max_pool2d), "avg": (C.avg_pool2d, F.avg_pool2d)}
POOL_GRAD_CASES = ([pytest.param("max", c, id="max-" + _ids(c)) for c in MAX_POOL_CASES]
                   + [pytest.param("avg", c, id="avg-" + _ids(c)) for c in AVG_POOL_CASES])


@pytest.mark.parametrize("ties", [False, True], ids=["distinct", "ties"])
@pytest.mark.parametrize(("pool", "case"), POOL_GRAD_CASES)
def test_pooling_autograd_matches_torch(pool, case, ties, device):
    (shape, kw), (ours, theirs) = case, POOLS[pool]
    x = _pool_inputs(shape, ties)
    xo, xr = make(x, device, requires_grad=True), reference(x, requires_grad=True)
    out = ours(xo, **kw)
    g = RNG.normal(size=tuple(out.shape))
    (out * make(g, device)).sum().backward()
    (theirs(xr, **kw) * reference(g)).sum().backward()
    assert_close(xo.grad, xr.grad)


def test_max_pool_gradient_goes_to_the_argmax_only(backend):
    x = np.array([[[[1.0, 9.0, 2.0, 2.0], [3.0, 4.0, 2.0, 2.0]]]])
    grad = C.max_pool2d_backward(make([[[[5.0, 7.0]]]], backend), make(x, backend), 2)
    # the 9 takes all of its window's gradient; of four tied 2s the first (row-major) wins
    assert_close(grad, [[[[0.0, 5.0, 7.0, 0.0], [0.0, 0.0, 0.0, 0.0]]]])


# ----------------------------------------------------------------------------- Sobel


def test_sobel_kernels_and_responses(backend):
    w = C.sobel_kernels()
    np.testing.assert_array_equal(w[0, 0], [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    np.testing.assert_array_equal(w[1, 0], w[0, 0].T)
    assert w.sum(axis=(2, 3)).tolist() == [[0.0], [0.0]]
    img = RNG.random(size=(2, 1, 8, 9))
    assert_close(C.sobel(make(img, backend)), F.conv2d(reference(img), reference(w), padding=1))
    g = F.conv2d(reference(img), reference(w), padding=1)
    assert_close(C.edge_magnitude(make(img, backend)), torch.linalg.vector_norm(g, dim=1,
                                                                               keepdim=True))


def test_edge_magnitude_peaks_on_a_step(backend):
    step = np.zeros((1, 1, 6, 10))
    step[..., 5:] = 1.0
    mag = to_numpy(C.edge_magnitude(make(step, backend), padding=0))[0, 0]
    # full windows 0..7; those straddling the step between columns 4 and 5 are 3 and 4
    assert mag[:, [3, 4]].min() == 4.0
    assert np.all(mag[:, [0, 1, 2, 5, 6, 7]] == 0.0)
    np.testing.assert_array_equal(to_numpy(C.sobel(make(step, backend), padding=0))[0, 1], 0.0)


def test_edge_magnitude_gradient_is_finite_on_flat_images(device):
    x = torch.zeros((1, 1, 5, 5), dtype=torch.float64, device=device, requires_grad=True)
    C.edge_magnitude(x).sum().backward()
    assert torch.isfinite(x.grad).all()
    x = torch.tensor(RNG.random(size=(1, 1, 6, 6)), device=device, requires_grad=True)
    C.edge_magnitude(x).sum().backward()
    xr = reference(x.detach(), requires_grad=True)
    torch.linalg.vector_norm(F.conv2d(xr, reference(C.sobel_kernels()), padding=1), dim=1
                             ).sum().backward()
    assert_close(x.grad, xr.grad)


# ----------------------------------------------------------------------- properties

images = arrays(np.float64, st.tuples(st.integers(1, 2), st.integers(1, 3), st.integers(5, 9),
                                      st.integers(5, 9)), elements=small_floats)


@given(x=images, k=st.integers(1, 3), dr=st.integers(0, 2), dc=st.integers(0, 2))
def test_conv_is_shift_equivariant(x, k, dr, dc):
    """Shifting the input by (dr, dc) shifts the output by (dr, dc) (stride 1, valid part)."""
    w = np.ones((2, x.shape[1], k, k)) + np.arange(k * k).reshape(k, k)
    y = C.conv2d(x, w)
    shifted = C.conv2d(x[:, :, dr:, dc:], w)
    assert_close(shifted, y[:, :, dr:, dc:], rtol=1e-10, atol=1e-9)


@given(h=st.integers(1, 9), w=st.integers(1, 9), kh=st.integers(1, 5), kw=st.integers(1, 5),
       d=st.integers(1, 3))
def test_padding_same_keeps_the_size(h, w, kh, kw, d):
    """padding="same" adds d(k - 1) zeros per axis: the output is as large as the input."""
    x, wt = np.ones((1, 2, h, w)), np.ones((3, 2, kh, kw))
    assert C.conv2d(x, wt, padding="same", dilation=d).shape == (1, 3, h, w)
    assert C.conv2d_backward(np.ones((1, 3, h, w)), x, wt, padding="same",
                             dilation=d)[0].shape == x.shape


@given(x=images, k=st.integers(1, 3), m=st.integers(1, 2))
def test_depthwise_separable_is_a_factored_full_conv(x, k, m):
    """groups=C then a 1x1 conv equals one full conv with weights p[o, c] * d[c, i, j]."""
    c = x.shape[1]
    depthwise, pointwise = RNG.normal(size=(c * m, 1, k, k)), RNG.normal(size=(2, c * m, 1, 1))
    separable = C.conv2d(C.conv2d(x, depthwise, groups=c), pointwise)
    # each channel's m filters: output o of the pair sees channel c through d[c*m + r] p[o, c*m + r]
    d = depthwise[:, 0].reshape(c, m, k, k)
    p = pointwise[:, :, 0, 0].reshape(2, c, m)
    full = np.einsum("ocr,crij->ocij", p, d)
    assert_close(separable, C.conv2d(x, full), rtol=1e-9, atol=1e-9)


@given(x=images, a=small_floats)
def test_conv_is_linear_in_x(x, a):
    """conv2d(a x + x') = a conv2d(x) + conv2d(x')."""
    w = RNG.normal(size=(2, x.shape[1], 2, 2))
    x2 = RNG.normal(size=x.shape)
    assert_close(C.conv2d(a * x + x2, w), a * C.conv2d(x, w) + C.conv2d(x2, w),
                 rtol=1e-9, atol=1e-9)


@given(x=arrays(np.float64, st.integers(4, 20), elements=small_floats),
       v=arrays(np.float64, st.integers(1, 4), elements=small_floats))
def test_flipped_kernel_gives_true_convolution(x, v):
    """conv1d is a cross-correlation: with the kernel flipped it is np.convolve."""
    out = C.conv1d(x[None, None], np.flip(v)[None, None].copy())[0, 0]
    assert_close(out, np.convolve(x, v, mode="valid"), rtol=1e-9, atol=1e-9)


@given(x=images, k=st.integers(1, 3))
def test_avg_pool_is_a_constant_conv_and_below_max_pool(x, k):
    """avg_pool2d is conv2d with kernel 1/k^2 per channel; it never exceeds max_pool2d."""
    c = x.shape[1]
    w = np.eye(c)[:, :, None, None] * np.full((k, k), 1 / k**2)
    avg = C.avg_pool2d(x, k)
    assert_close(avg, C.conv2d(x, w, stride=k), rtol=1e-9, atol=1e-9)
    assert np.all(C.max_pool2d(x, k) >= avg - 1e-9)


# ------------------------------------------------------------------------ bad input


def test_bad_input_is_named():
    x, w = np.zeros((1, 3, 5, 5)), np.zeros((2, 3, 3, 3))
    with pytest.raises(ValueError, match=r"x has 2 channels .* w expects 3"):
        C.conv2d(np.zeros((1, 2, 5, 5)), w)
    with pytest.raises(ValueError, match=r"kernel spans 7 x 7 .* larger than the padded input"):
        C.conv2d(x, np.zeros((2, 3, 3, 3)), dilation=3)
    with pytest.raises(ValueError, match=r"larger than the padded input 4 x 4"):
        C.conv2d(np.zeros((1, 3, 2, 2)), np.zeros((2, 3, 5, 5)), padding=1)
    with pytest.raises(ValueError, match="stride must be positive, got 0"):
        C.conv2d(x, w, stride=0)
    with pytest.raises(ValueError, match="stride must be positive, got -1"):
        C.conv2d(x, w, stride=(1, -1))
    with pytest.raises(ValueError, match="padding must be non-negative, got -1"):
        C.conv2d(x, w, padding=-1)
    with pytest.raises(ValueError, match="dilation must be positive, got 0"):
        C.conv2d(x, w, dilation=0)
    with pytest.raises(TypeError, match="stride must be an int, got 1.5"):
        C.conv2d(x, w, stride=1.5)
    with pytest.raises(TypeError, match="stride must be an int, got True"):
        C.conv2d(x, w, stride=True)
    with pytest.raises(TypeError, match="padding must be an int or a pair of ints"):
        C.conv2d(x, w, padding=(1, 1, 1))
    with pytest.raises(ValueError, match=r"x must have 4 dimensions \(N, C, H, W\) or 3 "
                                         r"\(C, H, W\), got shape \(5, 5\)"):
        C.conv2d(np.zeros((5, 5)), w)
    with pytest.raises(ValueError, match=r"w must have 4 dimensions \(C_out, C / groups, kH"):
        C.conv2d(x, np.zeros((3, 3, 3)))
    with pytest.raises(ValueError, match=r"b must have shape \(C_out,\) = \(2,\), got \(3,\)"):
        C.conv2d(x, w, np.zeros(3))
    with pytest.raises(TypeError, match="x must have a floating-point dtype, got int64"):
        C.conv2d(np.zeros((1, 3, 5, 5), dtype=np.int64), w)
    with pytest.raises(TypeError, match="cannot mix NumPy arrays and torch tensors"):
        C.conv2d(x, torch.zeros(2, 3, 3, 3, dtype=torch.float64))
    with pytest.raises(ValueError, match=r"grad must have the output's shape \(1, 2, 3, 3\)"):
        C.conv2d_backward(np.zeros((1, 2, 5, 5)), x, w)
    # an empty batch x is legal, and then grad must be empty too: the message says whose shape
    with pytest.raises(ValueError, match=r"shape \(0, 2, 3, 3\) \(that of conv2d\(x, w\) with "
                                         r"these options\), got \(1, 2, 3, 3\)"):
        C.conv2d_backward(np.zeros((1, 2, 3, 3)), x[:0], w)
    with pytest.raises(ValueError, match=r"grad must have the output's shape \(2, 3, 3\)"):
        C.conv2d_backward(np.zeros((1, 2, 3, 3)), x[0], w)
    # the backward finds one namespace for grad, x and w: each is named when it does not fit
    with pytest.raises(TypeError, match="grad must be a NumPy array or a torch tensor, got list"):
        C.conv2d_backward([[0.0]], x, w)
    with pytest.raises(TypeError, match="grad must be a NumPy array or a torch tensor, got NoneT"):
        C.conv2d_backward(None, x, w)
    with pytest.raises(TypeError, match="cannot mix NumPy arrays and torch tensors: x is numpy"
                                        r"\.ndarray, w is numpy\.ndarray, grad is torch\.Tensor"):
        C.conv2d_backward(torch.zeros(1, 2, 3, 3, dtype=torch.float64), x, w)


def test_bad_options_are_named_never_nan():
    """torch's rules for padding="same", groups, padding strings: a ValueError naming the
    argument (torch raises RuntimeError), never an output of NaN or an IndexError."""
    x, w = np.ones((1, 4, 6, 6)), np.ones((2, 4, 3, 3))
    with pytest.raises(ValueError, match=r"padding='same' needs stride 1 .* got stride \(2, 2\)"):
        C.conv2d(x, w, stride=2, padding="same")
    with pytest.raises(ValueError, match=r"padding must be 'same', 'valid', an int or a pair"):
        C.conv2d(x, w, padding="full")
    with pytest.raises(ValueError, match=r"groups=3 must divide the input channels, but x "
                                         r"has C = 4"):
        C.conv2d(x, np.ones((3, 1, 3, 3)), groups=3)
    with pytest.raises(ValueError, match=r"groups=2 must divide the output channels, but w "
                                         r"has C_out = 3"):
        C.conv2d(x, np.ones((3, 2, 3, 3)), groups=2)
    with pytest.raises(ValueError, match=r"x has 4 channels .* but w expects 6 \(w.shape\[1\] = "
                                         r"3 per group, groups=2\)"):
        C.conv2d(x, np.ones((4, 3, 3, 3)), groups=2)
    with pytest.raises(ValueError, match="groups must be positive, got 0"):
        C.conv2d(x, w, groups=0)
    with pytest.raises(TypeError, match="groups must be an int, got 2.0"):
        C.conv2d(x, w, groups=2.0)
    with pytest.raises(ValueError, match="padding must be non-negative, got -2"):
        C.conv2d_backward(np.zeros((1, 2, 4, 4)), x, w, padding=(0, -2))
    with pytest.raises(ValueError, match=r"groups=2 must divide the output channels"):
        C.conv2d_backward(np.zeros((1, 3, 4, 4)), x, np.ones((3, 2, 3, 3)), groups=2)
    for bad in (dict(stride=0), dict(padding=-1), dict(dilation=0), dict(padding="same",
                                                                         stride=3)):
        with pytest.raises(ValueError, match=next(iter(bad)) if "padding" not in bad
                           or bad["padding"] != "same" else "padding='same'"):
            C.conv2d(torch.ones(1, 4, 6, 6), torch.ones(2, 4, 3, 3), **bad)


def test_bad_conv1d_input_is_named():
    x, w = np.zeros((1, 2, 6)), np.zeros((1, 2, 3))
    with pytest.raises(ValueError, match=r"x must have 3 dimensions \(N, C, L\) or 2 \(C, L\)"):
        C.conv1d(np.zeros((6,)), w)
    with pytest.raises(ValueError, match=r"w must have 3 dimensions \(C_out, C / groups, k\)"):
        C.conv1d(x, np.zeros((1, 2, 1, 3)))
    with pytest.raises(ValueError, match=r"x has 2 channels .* w expects 1"):
        C.conv1d(x, np.zeros((1, 1, 3)))
    with pytest.raises(TypeError, match=r"padding must be an int or a 1-tuple, got \(1, 1\)"):
        C.conv1d(x, w, padding=(1, 1))
    with pytest.raises(ValueError, match="stride must be positive, got 0"):
        C.conv1d(x, w, stride=0)
    with pytest.raises(ValueError, match=r"kernel spans 1 x 9 .* padded input 1 x 8"):
        C.conv1d(x, np.zeros((1, 2, 9)), padding=1)
    with pytest.raises(ValueError, match="padding='same' needs stride 1"):
        C.conv1d(x, w, stride=2, padding="same")
    with pytest.raises(ValueError, match="groups=2 must divide the output channels"):
        C.conv1d(x, np.zeros((1, 1, 3)), groups=2)


def test_bad_pooling_input_is_named():
    x = np.zeros((1, 1, 4, 4))
    with pytest.raises(ValueError, match="kernel_size must be positive, got 0"):
        C.max_pool2d(x, 0)
    with pytest.raises(ValueError, match="stride must be positive, got 0"):
        C.avg_pool2d(x, 2, stride=0)
    with pytest.raises(ValueError, match="stride must be positive, got 0"):
        C.max_pool2d(x, 2, stride=(1, 0))
    with pytest.raises(ValueError, match="padding must be non-negative, got -1"):
        C.max_pool2d(x, 2, padding=-1)
    with pytest.raises(ValueError, match="padding must be non-negative, got -1"):
        C.avg_pool2d(x, 2, padding=(0, -1))
    with pytest.raises(ValueError, match="dilation must be positive, got 0"):
        C.max_pool2d(x, 2, dilation=0)
    # torch: "pad should be at most half of effective kernel size"
    with pytest.raises(ValueError, match="padding must be at most half of kernel_size"):
        C.max_pool2d(x, 2, padding=2)
    with pytest.raises(ValueError, match="padding must be at most half of kernel_size"):
        C.avg_pool2d(x, (3, 2), padding=(1, 2))
    with pytest.raises(ValueError, match="padding must be at most half of kernel_size"):
        C.max_pool2d_backward(np.zeros((1, 1, 3, 3)), x, 3, padding=2, dilation=2)
    with pytest.raises(ValueError, match=r"kernel spans 5 x 5 .* padded input 4 x 4"):
        C.avg_pool2d(x, 5)
    with pytest.raises(ValueError, match=r"kernel spans 5 x 5 .* padded input 4 x 4"):
        C.max_pool2d(x, 5, stride=1, ceil_mode=True)
    with pytest.raises(ValueError, match=r"kernel spans 7 x 7 \(kernel_size \(3, 3\), "
                                         r"dilation \(3, 3\)\)"):
        C.max_pool2d(x, 3, dilation=3, padding=1)
    with pytest.raises(ValueError, match=r"x must have 4 dimensions \(N, C, H, W\) or 3"):
        C.max_pool2d(np.zeros((4, 4)), 2)
    with pytest.raises(ValueError, match=r"grad must have the output's shape \(1, 1, 2, 2\)"):
        C.max_pool2d_backward(np.zeros((1, 1, 4, 4)), x, 2)
    with pytest.raises(ValueError, match=r"\(that of max_pool2d\(x, kernel_size\) with these "
                                         r"options\), got \(1, 1, 2, 2\)"):
        C.max_pool2d_backward(np.zeros((1, 1, 2, 2)), x, 1)
    with pytest.raises(ValueError, match=r"grad must have the output's shape \(1, 3, 3\)"):
        C.max_pool2d_backward(np.zeros((1, 2, 2)), x[0], 2, ceil_mode=True, stride=1)
    with pytest.raises(ValueError, match="divisor_override must be a nonzero int or None, got 0"):
        C.avg_pool2d(x, 2, divisor_override=0)
    with pytest.raises(TypeError, match="divisor_override must be an int, got float"):
        C.avg_pool2d(x, 2, divisor_override=2.5)
    with pytest.raises(TypeError, match="ceil_mode must be True or False, got 'yes'"):
        C.max_pool2d(x, 2, ceil_mode="yes")
    with pytest.raises(TypeError, match="return_indices must be True or False, got 1"):
        C.max_pool2d(x, 2, return_indices=1)
    with pytest.raises(TypeError, match="count_include_pad must be True or False, got None"):
        C.avg_pool2d(x, 2, count_include_pad=None)
    with pytest.raises(ValueError, match=r"x must have one \(grey\) channel, got x.shape\[1\] = 3"):
        C.sobel(np.zeros((1, 3, 4, 4)))
    with pytest.raises(ValueError, match="tile must be positive, got 0"):
        C.conv2d_tiled(x, np.zeros((1, 1, 2, 2)), tile=0)


@pytest.mark.parametrize("ceil_mode", [False, True])
@pytest.mark.parametrize("size", [1, 2, 3, 5])
def test_pooling_at_the_limits_is_finite_and_like_torch(size, ceil_mode):
    """The largest padding and dilation allowed, on tiny inputs: torch's output or a named
    ValueError where torch refuses; never NaN, never an index error."""
    for k, s, p, d in [(2, 2, 1, 1), (3, 1, 1, 2), (3, 3, 1, 1), (2, 3, 1, 2)]:
        x = RNG.normal(size=(1, 2, size, size + 1))
        kw = dict(kernel_size=k, stride=s, padding=p, ceil_mode=ceil_mode)
        try:
            expected = F.max_pool2d(reference(x), **kw, dilation=d)
        except RuntimeError:
            with pytest.raises(ValueError, match="kernel spans"):
                C.max_pool2d(x, **kw, dilation=d)
            continue
        out = C.max_pool2d(x, **kw, dilation=d)
        assert_close(out, expected)
        avg = C.avg_pool2d(x, **kw)
        assert np.isfinite(avg).all()
        assert_close(avg, F.avg_pool2d(reference(x), **kw))
        assert_close(C.avg_pool2d(x, **kw, count_include_pad=False),
                     F.avg_pool2d(reference(x), **kw, count_include_pad=False))


def test_conv_output_size_matches_torch():
    for h, k, s, p, d in [(28, 5, 1, 0, 1), (28, 5, 1, 2, 1), (9, 3, 2, 1, 2), (7, 2, 3, 0, 1)]:
        y = F.conv2d(torch.zeros(1, 1, h, h), torch.zeros(1, 1, k, k), stride=s, padding=p,
                     dilation=d)
        assert C.conv_output_size(h, k, s, p, d) == y.shape[-1]
