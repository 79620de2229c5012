"""mlnotes.experiments.init: the page's experiments against independent references."""

from __future__ import annotations

import math

import numpy as np
import pytest

from mlnotes import init as I
from mlnotes.experiments.init import deep_forward, init_variances

Z = 6.0


# ------------------------------------------------ experiment: deep_forward, init_variances

# each scheme's weight variance sigma_W^2 for square layers of width n:
# gain^2 / fan_in for Xavier (fan_in = fan_out) and He
WIDTH, BATCH, DEPTH = 256, 64, 20
SIGMA2 = {"small": 1e-4, "large": 1.0, "xavier": 1 / WIDTH, "xavier_tanh": (5 / 3) ** 2 / WIDTH,
          "he": 2 / WIDTH}


def _tanh_second_moment(s2: float) -> float:
    """E[tanh(z)^2] for z ~ N(0, s2), by Gauss-Hermite quadrature."""
    x, w = np.polynomial.hermite_e.hermegauss(200)
    return float((w * np.tanh(math.sqrt(s2) * x) ** 2).sum() / w.sum())


@pytest.fixture(scope="module")
def variances():
    return init_variances(depth=DEPTH, width=WIDTH, batch=BATCH, generator=0)


def test_first_layer_variance_is_the_closed_form(variances):
    # z = W h_0 with h_0 ~ N(0, I): Var(z) = n sigma_W^2; then Var(tanh z) = E[tanh(z)^2],
    # Var(relu z) = Var(z) (1/2 - 1/(2 pi)). The sample variance of B n values that share
    # B inputs has a relative standard error of about sqrt(2/(B n)) from the values and as
    # much from the inputs' norms: allow Z of their sum
    tol = Z * math.sqrt(4 / (BATCH * WIDTH))
    for act, curves in variances.items():
        for scheme, v in curves.items():
            s2 = WIDTH * SIGMA2[scheme]
            expected = _tanh_second_moment(s2) if act == "tanh" else s2 * (0.5 - 0.5 / math.pi)
            assert v[0] == pytest.approx(expected, rel=tol), (act, scheme)


@pytest.mark.parametrize("act, scheme", [("relu", "small"), ("relu", "large"), ("relu", "xavier"),
                                         ("relu", "he"), ("tanh", "small")])
def test_each_layer_multiplies_the_variance_by_n_sigma2(variances, act, scheme):
    # a layer multiplies the variance by n sigma_W^2 times what f keeps of the second moment:
    # 1/2 for ReLU, 1 for tanh near 0 (the small scheme keeps it there). He's factor is
    # gain^2 = 2 times 1/2: exactly 1. The mean log-factor over the layers is a random walk's
    # end over its length: each layer's log-factor has a standard deviation of about
    # sqrt(4 / n)
    factor = WIDTH * SIGMA2[scheme] * (0.5 if act == "relu" else 1.0)
    mean_log = np.mean(np.diff(np.log(variances[act][scheme])))
    tol = Z * math.sqrt(4 / WIDTH) / math.sqrt(DEPTH - 1)
    assert abs(mean_log - math.log(factor)) < tol


def test_tanh_keeps_the_variance_below_one_and_xavier_tanh_above_xavier(variances):
    t = variances["tanh"]
    assert np.all(t["large"] < 1) and t["large"][-1] > 0.9  # saturated at +-1
    assert np.all(t["xavier_tanh"] > t["xavier"])           # the gain makes up for tanh
    assert t["small"][-1] < 1e-30                           # vanished


def test_deep_forward_is_seeded_and_every_network_sees_the_same_input():
    g = np.random.default_rng(7)
    state = g.bit_generator.state
    v = init_variances(depth=2, width=8, batch=4, generator=g)
    assert g.bit_generator.state == state  # copies were drawn from, not g
    again = init_variances(depth=2, width=8, batch=4, generator=7)
    for act in v:
        for scheme in v[act]:
            np.testing.assert_array_equal(v[act][scheme], again[act][scheme])
    # the same first draws: the input batch, then the first weights
    a = deep_forward("xavier", "relu", depth=1, width=8, batch=4, generator=3)[0]
    rng = np.random.default_rng(3)
    h0 = rng.normal(size=(4, 8))
    W = I.xavier_normal_(np.empty((8, 8)), generator=rng)
    np.testing.assert_array_equal(a, np.maximum(h0 @ W.T, 0))


def test_deep_forward_bad_arguments():
    with pytest.raises(ValueError, match="scheme must be one of small, large, xavier, "
                                         "xavier_tanh, he, got 'kaiming'"):
        deep_forward("kaiming")
    with pytest.raises(ValueError, match="activation must be 'tanh' or 'relu', got 'gelu'"):
        deep_forward("he", "gelu")
    with pytest.raises(ValueError, match=r"scheme must be one of .*, got \['he'\]"):
        deep_forward(["he"])  # a list cannot be looked up in INIT_SCHEMES: said, not raised raw
    with pytest.raises(ValueError, match="depth must be at least 1, got 0"):
        deep_forward("he", "relu", depth=0)
