"""mlnotes.init: torch.nn.init's values and semantics, bounds and variances statistically.

Statistical tolerances are derived from the sample size, never guessed: for ``n``
independent draws with variance ``s2`` and kurtosis ``kappa``, the sample
variance has standard error ``s2 * sqrt((kappa - 1) / n)`` (kappa = 3 for a
normal, 9/5 for a uniform) and the sample mean ``sqrt(s2 / n)``; we allow
``Z = 6`` standard errors (a two-sided chance of about 2e-9 of a false alarm).
The seeds are fixed, so a run is deterministic; the margins say the checks would
also pass for any other seed, bar that chance.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from helpers import make

from mlnotes import init as I
from mlnotes.backend import to_numpy

Z = 6.0
KURTOSIS = {"uniform": 9 / 5, "normal": 3.0}

# (ours, torch's, keyword arguments, distribution)
INITS = [
    (I.xavier_uniform_, torch.nn.init.xavier_uniform_, {}, "uniform"),
    (I.xavier_uniform_, torch.nn.init.xavier_uniform_, {"gain": 5 / 3}, "uniform"),
    (I.xavier_normal_, torch.nn.init.xavier_normal_, {}, "normal"),
    (I.xavier_normal_, torch.nn.init.xavier_normal_, {"gain": 0.5}, "normal"),
    (I.kaiming_uniform_, torch.nn.init.kaiming_uniform_, {}, "uniform"),
    (I.kaiming_uniform_, torch.nn.init.kaiming_uniform_,
     {"a": math.sqrt(5)}, "uniform"),  # what torch.nn.Linear uses
    (I.kaiming_uniform_, torch.nn.init.kaiming_uniform_,
     {"mode": "fan_out", "nonlinearity": "relu"}, "uniform"),
    (I.kaiming_normal_, torch.nn.init.kaiming_normal_, {"nonlinearity": "relu"}, "normal"),
    (I.kaiming_normal_, torch.nn.init.kaiming_normal_,
     {"a": 0.2, "mode": "fan_out"}, "normal"),
    (I.kaiming_normal_, torch.nn.init.kaiming_normal_, {"nonlinearity": "tanh"}, "normal"),
]
IDS = [f"{ours.__name__}{kw}" for ours, _, kw, _ in INITS]

# a linear weight and conv weights: the receptive field multiplies both fans
SHAPES = [(300, 200), (32, 16, 5), (16, 8, 3, 3)]


def expected_std(shape, kw, ours) -> float:
    """The standard deviation each initialiser promises, written out from the papers."""
    rf = math.prod(shape[2:])
    fan_in, fan_out = shape[1] * rf, shape[0] * rf
    if ours.__name__.startswith("xavier"):
        return kw.get("gain", 1.0) * math.sqrt(2 / (fan_in + fan_out))
    fan = fan_in if kw.get("mode", "fan_in") == "fan_in" else fan_out
    nonlinearity, a = kw.get("nonlinearity", "leaky_relu"), kw.get("a", 0.0)
    gain = {"relu": math.sqrt(2), "tanh": 5 / 3}.get(nonlinearity, math.sqrt(2 / (1 + a * a)))
    return gain / math.sqrt(fan)


def ks_statistic(a: np.ndarray, b: np.ndarray) -> float:
    """The two-sample Kolmogorov-Smirnov statistic: the largest gap between the two CDFs."""
    a, b = np.sort(a), np.sort(b)
    grid = np.concatenate([a, b])
    cdf_a = np.searchsorted(a, grid, side="right") / len(a)
    cdf_b = np.searchsorted(b, grid, side="right") / len(b)
    return float(np.abs(cdf_a - cdf_b).max())


def ks_critical(n: int, m: int, alpha: float = 1e-6) -> float:
    """The asymptotic critical value of the KS statistic at level ``alpha``."""
    c = math.sqrt(-math.log(alpha / 2) / 2)
    return c * math.sqrt((n + m) / (n * m))


# --------------------------------------------------------------------- gain and fans


@pytest.mark.parametrize(
    "name", ["linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d",
             "conv_transpose3d", "sigmoid", "tanh", "relu", "leaky_relu", "selu"],
)
def test_calculate_gain_matches_torch(name):
    assert I.calculate_gain(name) == torch.nn.init.calculate_gain(name)


@pytest.mark.parametrize("slope", [0, 0.01, 0.2, 1, 3.5])
def test_leaky_relu_gain_matches_torch(slope):
    assert I.calculate_gain("leaky_relu", slope) == torch.nn.init.calculate_gain(
        "leaky_relu", slope
    )


@pytest.mark.parametrize("shape", [(3, 5), (5, 3), *SHAPES, (2, 3, 4, 5, 6)])
def test_fans_match_torch(shape, backend):
    w = make(np.empty(shape), backend)
    expected = torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(shape))
    assert I.fan_in_and_fan_out(w) == expected


# ------------------------------------------------------------------- torch's values


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("ours, theirs, kw, _dist", INITS, ids=IDS)
def test_same_values_as_torch_from_the_same_generator(ours, theirs, kw, _dist, shape, device):
    w, expected = torch.empty(shape, device=device), torch.empty(shape, device=device)
    ours(w, **kw, generator=torch.Generator(device=device).manual_seed(7))
    theirs(expected, **kw, generator=torch.Generator(device=device).manual_seed(7))
    torch.testing.assert_close(w, expected, rtol=0, atol=0)


@pytest.mark.parametrize("ours, theirs, kw, _dist", INITS, ids=IDS)
def test_an_int_seeds_a_fresh_generator(ours, theirs, kw, _dist, device):
    w = ours(torch.empty(40, 30, device=device), **kw, generator=3)
    expected = theirs(torch.empty(40, 30, device=device), **kw,
                      generator=torch.Generator(device=device).manual_seed(3))
    torch.testing.assert_close(w, expected, rtol=0, atol=0)


@pytest.mark.parametrize("ours, theirs, kw, dist", INITS, ids=IDS)
def test_numpy_draws_agree_with_torch_in_distribution(ours, theirs, kw, dist):
    # different random streams, the same distribution: a two-sample KS test
    ws = ours(np.empty((200, 100)), **kw, generator=0).ravel()
    wt = theirs(torch.empty(200, 100, dtype=torch.float64),
                **kw, generator=torch.Generator().manual_seed(0)).numpy().ravel()
    d = ks_statistic(ws, wt)
    assert d < ks_critical(len(ws), len(wt)), (d, ks_critical(len(ws), len(wt)))


def test_ks_test_has_power():
    # the same test tells a wrong variance apart: it would catch a mistaken gain
    wrong = I.xavier_normal_(np.empty((200, 100)), gain=1.1, generator=0).ravel()
    right = I.xavier_normal_(np.empty((200, 100)), generator=1).ravel()
    assert ks_statistic(wrong, right) > ks_critical(len(wrong), len(right))


# ------------------------------------------------------------ bounds and variance


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("ours, _theirs, kw, dist", INITS, ids=IDS)
def test_variance_and_mean_as_promised(ours, _theirs, kw, dist, shape, backend):
    w = to_numpy(ours(make(np.empty(shape), backend), **kw, generator=1)).ravel()
    n, s2 = w.size, expected_std(shape, kw, ours) ** 2
    se_var = s2 * math.sqrt((KURTOSIS[dist] - 1) / n)
    assert abs(w.var() - s2) < Z * se_var, (w.var(), s2, se_var)
    assert abs(w.mean()) < Z * math.sqrt(s2 / n)


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize(
    "ours, _theirs, kw, dist", [p for p in INITS if p[3] == "uniform"],
    ids=[i for i, p in zip(IDS, INITS, strict=True) if p[3] == "uniform"],
)
def test_uniform_bounds(ours, _theirs, kw, dist, shape, backend):
    w = np.abs(to_numpy(ours(make(np.empty(shape), backend), **kw, generator=2)))
    bound = math.sqrt(3) * expected_std(shape, kw, ours)
    assert w.max() <= bound
    # and the bound is reached: P(max|w| < b (1 - t)) = (1 - t)^n < e^-20 for t = 20 / n
    assert w.max() > bound * (1 - 20 / w.size)


def test_fills_in_place_and_keeps_dtype(backend):
    for dtype in (np.float32, np.float64):
        w = make(np.zeros((20, 10)), backend, dtype=dtype)
        out = I.kaiming_normal_(w, generator=0)
        assert out is w
        assert out.dtype == make(np.zeros(1), backend, dtype=dtype).dtype
        assert np.all(to_numpy(w) != 0)


def test_a_leaf_that_requires_grad_stays_a_leaf(device):
    w = torch.empty(6, 4, device=device, requires_grad=True)
    I.xavier_uniform_(w, generator=0)
    assert w.is_leaf and w.requires_grad and w.grad_fn is None
    (w * 2).sum().backward()
    torch.testing.assert_close(w.grad, torch.full_like(w, 2.0))


def test_a_generator_advances():
    rng = np.random.default_rng(0)
    a, b = I.xavier_normal_(np.empty((3, 3)), generator=rng), I.xavier_normal_(
        np.empty((3, 3)), generator=rng
    )
    assert not np.array_equal(a, b)
    np.testing.assert_array_equal(a, I.xavier_normal_(np.empty((3, 3)), generator=0))


def test_fan_out_mode_uses_the_output_size():
    w = I.kaiming_normal_(np.empty((50, 2000)), mode="fan_out", nonlinearity="relu", generator=0)
    se = 2 / 50 * math.sqrt(2 / w.size)
    assert abs(w.var() - 2 / 50) < Z * se


def test_zero_element_tensor_is_a_no_op_with_torch_warning(backend):
    w = make(np.empty((0, 3)), backend)
    for f in (I.xavier_uniform_, I.xavier_normal_, I.kaiming_uniform_, I.kaiming_normal_):
        with pytest.warns(UserWarning, match=r"zero-element tensors is a no-op"):
            assert f(w, generator=0) is w


# ------------------------------------------------------------------------ bad input

ALL = [I.xavier_uniform_, I.xavier_normal_, I.kaiming_uniform_, I.kaiming_normal_]


@pytest.mark.parametrize("f", ALL)
def test_randomness_must_be_explicit(f, backend):
    w = make(np.empty((3, 4)), backend)
    with pytest.raises(TypeError, match="missing 1 required keyword-only argument: 'generator'"):
        f(w)
    with pytest.raises(ValueError, match=r"generator must be an int seed or a generator, "
                       r"got None \(mlnotes draws no hidden global randomness\)"):
        f(w, generator=None)


@pytest.mark.parametrize("f", ALL)
def test_wrong_generator_kind(f):
    with pytest.raises(TypeError, match=r"generator must be an int seed or a torch.Generator "
                       r"for torch data, got Generator"):
        f(torch.empty(3, 4), generator=np.random.default_rng(0))
    with pytest.raises(TypeError, match=r"generator must be an int seed or a "
                       r"numpy.random.Generator for NumPy data, got Generator"):
        f(np.empty((3, 4)), generator=torch.Generator())
    with pytest.raises(TypeError, match=r"generator must be an int seed or a "
                       r"numpy.random.Generator for NumPy data, got float"):
        f(np.empty((3, 4)), generator=1.5)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="CUDA is not available on this machine")
def test_generator_on_another_device():
    with pytest.raises(ValueError, match=r"generator is on cpu but the data is on cuda"):
        I.xavier_normal_(torch.empty(3, 4, device="cuda"), generator=torch.Generator())


@pytest.mark.parametrize("f", ALL)
def test_fewer_than_two_dimensions(f, backend):
    with pytest.raises(ValueError, match=r"at least 2 dimensions .* got shape \(5,\)"):
        f(make(np.empty(5), backend), generator=0)


@pytest.mark.parametrize("f", ALL)
def test_integer_weights_and_lists_are_refused(f, backend):
    with pytest.raises(TypeError, match=r"tensor must have a floating-point dtype, got int64"):
        f(make(np.zeros((2, 2)), backend, dtype=np.int64), generator=0)
    with pytest.raises(TypeError, match=r"tensor must be a NumPy array or a torch tensor"):
        f([[0.0, 0.0]], generator=0)


@pytest.mark.parametrize("f", [I.kaiming_uniform_, I.kaiming_normal_])
def test_bad_mode_and_nonlinearity(f):
    with pytest.raises(ValueError, match=r"mode must be 'fan_in' or 'fan_out', got 'fan_avg'"):
        f(np.empty((2, 2)), mode="fan_avg", generator=0)
    with pytest.raises(ValueError, match=r"nonlinearity must be one of .* got 'gelu'"):
        f(np.empty((2, 2)), nonlinearity="gelu", generator=0)
    with pytest.raises(ValueError, match=r"param must be a finite number, got nan"):
        f(np.empty((2, 2)), a=float("nan"), generator=0)


@pytest.mark.parametrize("param, error, message", [
    (True, TypeError, "param must be a real number, got bool"),
    ("0.1", TypeError, "param must be a real number, got str"),
    (float("inf"), ValueError, "param must be a finite number, got inf")])
def test_bad_leaky_relu_slope(param, error, message):
    with pytest.raises(error, match=message):
        I.calculate_gain("leaky_relu", param)


def test_read_only_array_is_refused():
    w = np.empty((2, 2))
    w.flags.writeable = False
    with pytest.raises(ValueError, match=r"read-only"):
        I.xavier_normal_(w, generator=0)
