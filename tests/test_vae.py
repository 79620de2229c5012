"""mlnotes.vae against torch.distributions in float64, Monte Carlo, autograd, bad input."""

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
from torch.distributions import Normal, kl_divergence

from mlnotes import vae as V
from mlnotes.backend import to_numpy
from mlnotes.datasets import strokes

RNG = np.random.default_rng(0)
MU = RNG.normal(size=(5, 3)) * 2
LOG_VAR = RNG.normal(size=(5, 3)) * 2
EPS = RNG.normal(size=(5, 3))
# far from the standard normal, but where float64 and torch's formulas are both exact enough
EXTREME_MU = np.array([[1e3, -1e3, 0.0], [30.0, 0.0, -1e-8]])
EXTREME_LOG_VAR = np.array([[30.0, -30.0, 0.0], [-20.0, 25.0, 1e-12]])


def _kl_reference(mu, log_var):
    """KL(N(mu, sigma^2) || N(0, 1)) by torch.distributions, summed over the last axis."""
    q = Normal(reference(mu), torch.exp(reference(log_var) / 2))
    return kl_divergence(q, Normal(0.0, 1.0)).sum(-1)


# ------------------------------------------------------------------------ forward


@pytest.mark.parametrize("values", [(MU, LOG_VAR), (EXTREME_MU, EXTREME_LOG_VAR)],
                         ids=["random", "extreme"])
def test_gaussian_kl_matches_torch_distributions(values, backend):
    mu, log_var = values
    out = V.gaussian_kl(make(mu, backend), make(log_var, backend))
    assert type(out) is type(make(mu, backend))
    assert tuple(out.shape) == mu.shape[:-1]
    assert_close(out, _kl_reference(mu, log_var), rtol=1e-12, atol=1e-10)


def test_gaussian_kl_matches_monte_carlo():
    # KL = E_q[log q(z) - log p(z)]: the average over many z ~ q, within 5 standard errors
    mu, log_var = np.array([0.5, -1.0, 2.0]), np.array([0.3, -0.8, 0.0])
    z = V.rsample(np.tile(mu, (200_000, 1)), np.tile(log_var, (200_000, 1)),
                  np.random.default_rng(1))
    terms = V.gaussian_log_prob(z, mu, log_var) - V.gaussian_log_prob(z, 0 * mu, 0 * log_var)
    se = terms.std() / np.sqrt(len(terms))
    exact = float(V.gaussian_kl(mu, log_var))
    assert abs(terms.mean() - exact) < 5 * se, (terms.mean(), exact, se)
    assert se < 0.01 * exact  # the test has power: the error bar is small next to the KL


def test_gaussian_log_prob_matches_torch_distributions(backend):
    z = RNG.normal(size=MU.shape)
    out = V.gaussian_log_prob(make(z, backend), make(MU, backend), make(LOG_VAR, backend))
    expected = Normal(reference(MU), torch.exp(reference(LOG_VAR) / 2)).log_prob(reference(z))
    assert_close(out, expected.sum(-1))


@pytest.mark.parametrize("values", [(MU, LOG_VAR), (EXTREME_MU, EXTREME_LOG_VAR)],
                         ids=["random", "extreme"])
def test_reparameterize_matches_torch(values, backend):
    mu, log_var = values
    eps = RNG.normal(size=mu.shape)
    out = V.reparameterize(make(mu, backend), make(log_var, backend), make(eps, backend))
    assert_close(out, reference(mu) + torch.exp(reference(log_var) / 2) * reference(eps),
                 rtol=1e-12, atol=1e-12)


def test_reparameterized_sample_has_the_right_mean_and_variance():
    n = 200_000
    mu, log_var = np.array([1.0, -3.0, 0.0]), np.array([0.0, 2.0, -4.0])
    z = V.rsample(np.tile(mu, (n, 1)), np.tile(log_var, (n, 1)), np.random.default_rng(2))
    var = np.exp(log_var)
    # standard errors: sigma / sqrt(n) for the mean, sigma^2 sqrt(2 / n) for the variance
    assert np.all(np.abs(z.mean(0) - mu) < 5 * np.sqrt(var / n))
    assert np.all(np.abs(z.var(0) - var) < 5 * var * np.sqrt(2 / n))


def test_rsample_on_torch_is_seeded_and_kept_on_device(device):
    mu = torch.zeros(4, 2, dtype=torch.float32, device=device)
    a = V.rsample(mu, mu, torch.Generator().manual_seed(0))
    b = V.rsample(mu, mu, torch.Generator().manual_seed(0))
    assert a.device == mu.device and a.dtype == torch.float32
    torch.testing.assert_close(a, b)


@pytest.mark.parametrize("logits", [RNG.normal(size=(4, 6)) * 3,
                                    np.array([[1e4, -1e4, 0.0], [800.0, -800.0, 40.0]])],
                         ids=["random", "extreme"])
def test_bernoulli_log_likelihood_matches_bce_with_logits(logits, backend):
    target = RNG.uniform(size=logits.shape)
    out = V.bernoulli_log_likelihood(make(logits, backend), make(target, backend))
    expected = -F.binary_cross_entropy_with_logits(reference(logits), reference(target),
                                                   reduction="none").sum(-1)
    assert np.all(np.isfinite(to_numpy(out)))
    assert_close(out, expected, rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("beta", [1.0, 0.0, 4.0])
def test_elbo_loss_is_reconstruction_plus_beta_kl(reduction, beta, backend):
    logits, target = RNG.normal(size=(5, 6)), RNG.uniform(size=(5, 6))
    out = V.elbo_loss(make(logits, backend), make(target, backend), make(MU, backend),
                      make(LOG_VAR, backend), beta=beta, reduction=reduction)
    per = F.binary_cross_entropy_with_logits(reference(logits), reference(target),
                                             reduction="none").sum(-1)
    per = per + beta * _kl_reference(MU, LOG_VAR)
    expected = {"mean": per.mean(), "sum": per.sum(), "none": per}[reduction]
    assert_close(out, expected)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_and_device_are_kept(dtype, backend):
    mu, log_var, eps = (make(a, backend, dtype=dtype) for a in (MU, LOG_VAR, EPS))
    for out in (V.reparameterize(mu, log_var, eps), V.gaussian_kl(mu, log_var),
                V.gaussian_log_prob(eps, mu, log_var)):
        assert out.dtype == mu.dtype
        if backend != "numpy":
            assert out.device == mu.device


# ----------------------------------------------------------------------- gradients


def test_gradients_reach_mu_and_log_var_as_in_torch(device):
    mu, log_var = make(MU, device, requires_grad=True), make(LOG_VAR, device, requires_grad=True)
    g = RNG.normal(size=MU.shape)
    z = V.reparameterize(mu, log_var, make(EPS, device))
    ((z * make(g, device)).sum() + V.gaussian_kl(mu, log_var).sum()).backward()
    mur, lvr = reference(MU, requires_grad=True), reference(LOG_VAR, requires_grad=True)
    # torch's own reparameterised sample: Normal.rsample is loc + scale * eps
    zr = mur + torch.exp(lvr / 2) * reference(EPS)
    ((zr * reference(g)).sum() + _kl_reference_grad(mur, lvr).sum()).backward()
    assert_close(mu.grad, mur.grad)
    assert_close(log_var.grad, lvr.grad)


def _kl_reference_grad(mu, log_var):
    return kl_divergence(Normal(mu, torch.exp(log_var / 2)), Normal(0.0, 1.0)).sum(-1)


def test_sampling_without_the_trick_blocks_the_gradient():
    # the lesson of the page: torch's Normal(mu, sigma).sample() is cut from the graph,
    # torch.normal passes a zero gradient, the reparameterised sample a true one
    mu, log_var = torch.zeros(3, requires_grad=True), torch.zeros(3, requires_grad=True)
    assert not Normal(mu, torch.exp(log_var / 2)).sample().requires_grad
    torch.normal(mu, torch.exp(log_var / 2)).sum().backward()
    assert torch.all(mu.grad == 0) and torch.all(log_var.grad == 0)
    V.reparameterize(mu, log_var, torch.ones(3)).sum().backward()
    assert torch.all(mu.grad == 1) and torch.all(log_var.grad == 0.5)


def _vjp(f, args, g):
    """Gradients of sum(f(*args) * g) by torch.autograd in float64."""
    ts = [reference(a, requires_grad=True) for a in args]
    (f(*ts) * reference(g)).sum().backward()
    return [t.grad for t in ts]


@pytest.mark.parametrize("values", [(MU, LOG_VAR), (EXTREME_MU, EXTREME_LOG_VAR)],
                         ids=["random", "extreme"])
def test_explicit_backwards_match_autograd(values, backend):
    mu, log_var = values
    eps, g = RNG.normal(size=mu.shape), RNG.normal(size=mu.shape)
    gmu, glv = V.reparameterize_backward(make(g, backend), make(log_var, backend),
                                         make(eps, backend))
    emu, elv = _vjp(lambda m, lv: m + torch.exp(lv / 2) * reference(eps), (mu, log_var), g)
    assert_close(gmu, emu)
    assert_close(glv, elv, rtol=1e-12, atol=1e-9)
    gk = RNG.normal(size=mu.shape[:-1])
    gmu, glv = V.gaussian_kl_backward(make(gk, backend), make(mu, backend), make(log_var, backend))
    emu, elv = _vjp(_kl_reference_grad, (mu, log_var), gk)
    assert_close(gmu, emu)
    assert_close(glv, elv, rtol=1e-12, atol=1e-9)


def test_score_function_is_f_times_the_gradient_of_log_q(backend):
    z, f = RNG.normal(size=MU.shape), RNG.normal(size=MU.shape[:-1])
    gmu, glv = V.score_function_gradient(make(f, backend), make(z, backend), make(MU, backend),
                                         make(LOG_VAR, backend))
    mur, lvr = reference(MU, requires_grad=True), reference(LOG_VAR, requires_grad=True)
    # each row has its own parameters, so row i of the gradient is f_i * grad log q_i
    Normal(mur, torch.exp(lvr / 2)).log_prob(reference(z)).sum(-1).backward(reference(f))
    assert_close(gmu, mur.grad)
    assert_close(glv, lvr.grad)


def test_both_estimators_are_unbiased_and_pathwise_has_far_lower_variance():
    # d/dmu E[f(z)] for f(z) = sum_j (z_j - 1)^2, z ~ N(mu, sigma^2) in 8 dimensions:
    # exactly 2 (mu - 1) for mu and sigma^2 for log_var
    n, mu, log_var = 50_000, np.linspace(-1, 1, 8), np.full(8, -0.5)
    eps = np.random.default_rng(3).standard_normal((n, 8))
    z = V.reparameterize(np.tile(mu, (n, 1)), np.tile(log_var, (n, 1)), eps)
    f, df = np.sum((z - 1) ** 2, axis=-1), 2 * (z - 1)
    path = V.reparameterize_backward(df, np.tile(log_var, (n, 1)), eps)
    score = V.score_function_gradient(f, z, mu, log_var)
    for k, exact in enumerate((2 * (mu - 1), np.exp(log_var))):
        for e in (path[k], score[k]):
            se = e.std(axis=0) / np.sqrt(n)
            assert np.all(np.abs(e.mean(axis=0) - exact) < 5 * se)
        assert np.all(score[k].var(axis=0) > 10 * path[k].var(axis=0))


# ---------------------------------------------------------- properties (docstrings)

latent = arrays(np.float64, st.integers(1, 6), elements=small_floats.filter(lambda v: abs(v) < 20))


@given(latent, latent)
def test_kl_is_non_negative_and_zero_only_at_the_standard_normal(mu, log_var):
    n = min(len(mu), len(log_var))
    mu, log_var = mu[:n], log_var[:n]
    kl = V.gaussian_kl(mu, log_var)
    assert kl >= 0
    assert V.gaussian_kl(0 * mu, 0 * log_var) == 0
    # additive over independent dimensions
    np.testing.assert_allclose(kl, sum(V.gaussian_kl(mu[j:j + 1], log_var[j:j + 1])
                                       for j in range(n)), rtol=1e-12, atol=1e-12)


@given(latent)
def test_zero_noise_gives_the_mean(mu):
    np.testing.assert_array_equal(V.reparameterize(mu, -mu, 0 * mu), mu)


# ---------------------------------------------------------------------------- model


def _data(n=400, size=8):
    images, _, _ = strokes(n, size=size, generator=0)
    return torch.tensor(images.reshape(n, -1), dtype=torch.float32)


def test_vae_training_improves_the_elbo():
    x = _data(n=400, size=12)
    model = V.VAE(x.shape[1], latent_features=2, hidden_features=32, generator=0)
    eps = torch.randn(x.shape[0], 2, generator=torch.Generator().manual_seed(9))
    with torch.no_grad():
        before = model.loss(x, eps=eps).item()
    history = V.fit_vae(model, x, epochs=20, batch_size=50, lr=2e-2, generator=0)
    with torch.no_grad():
        after = model.loss(x, eps=eps).item()
    assert after < 0.6 * before, (before, after)  # measured: 102.7 -> 34.0 nats
    assert history[-1] < history[0]
    # the KL term is in use: the code carries information about x
    mu, log_var = model.encode(x)
    assert V.gaussian_kl(mu, log_var).mean().item() > 1.0  # measured: 2.6 nats


def test_training_is_reproducible_and_leaves_global_state_alone():
    x = _data(n=100)
    state, threads = torch.random.get_rng_state(), torch.get_num_threads()
    runs = []
    for _ in range(2):
        model = V.VAE(x.shape[1], hidden_features=16, generator=1)
        runs.append(V.fit_vae(model, x, epochs=2, batch_size=50, generator=4))
    assert runs[0] == runs[1]
    assert torch.equal(torch.random.get_rng_state(), state)
    assert torch.get_num_threads() == threads
    other = V.VAE(x.shape[1], hidden_features=16, generator=2)
    assert not torch.equal(other.enc.weight, model.enc.weight)


def test_vae_runs_on_device_in_float64(device):
    x = _data(n=50).double().to(device)
    model = V.VAE(x.shape[1], hidden_features=16, generator=0).double().to(device)
    g = torch.Generator(device=device).manual_seed(0)
    logits, mu, log_var = model(x, generator=g)
    assert logits.shape == x.shape and mu.shape == (50, 2) and logits.device == x.device
    history = V.fit_vae(model, x, epochs=2, batch_size=25)
    assert all(np.isfinite(history))
    assert model.sample(3, g).shape == (3, x.shape[1])
    assert model.reconstruct(x).shape == x.shape


def test_strokes_are_seeded_images_in_unit_range():
    a, angles, offsets = strokes(20, size=10, generator=5)
    b, _, _ = strokes(20, size=10, generator=5)
    np.testing.assert_array_equal(a, b)
    assert a.shape == (20, 10, 10) and angles.shape == offsets.shape == (20,)
    assert a.min() == 0 and a.max() <= 1 and np.all(a.max(axis=(1, 2)) > 0.5)
    assert np.all((angles >= 0) & (angles < np.pi))
    assert not np.array_equal(a, strokes(20, size=10, generator=6)[0])


# ------------------------------------------------------------------------ bad input


@pytest.mark.parametrize("f", [V.gaussian_kl, lambda m, lv: V.reparameterize(m, lv, m)],
                         ids=["gaussian_kl", "reparameterize"])
def test_different_shapes_are_refused(f, backend):
    with pytest.raises(ValueError, match=r"mu and log_var must have the same shape, "
                                         r"got \(5, 3\) and \(5, 2\)"):
        f(make(MU, backend), make(LOG_VAR[:, :2], backend))


@pytest.mark.parametrize("bad", [np.inf, -np.inf, np.nan])
@pytest.mark.parametrize("f", [V.gaussian_kl, lambda m, lv: V.reparameterize(m, lv, m)],
                         ids=["gaussian_kl", "reparameterize"])
def test_non_finite_log_var_is_refused(f, bad, backend):
    log_var = LOG_VAR.copy()
    log_var[1, 2] = bad
    with pytest.raises(ValueError, match=r"log_var must be finite"):
        f(make(MU, backend), make(log_var, backend))


def test_other_bad_input(backend):
    mu, lv = make(MU, backend), make(LOG_VAR, backend)
    with pytest.raises(ValueError, match=r"mu and eps must have the same shape"):
        V.reparameterize(mu, lv, make(EPS[:2], backend))
    with pytest.raises(TypeError, match=r"log_var must have a floating-point dtype, got int64"):
        V.gaussian_kl(mu, make(np.ones((5, 3)), backend, dtype=np.int64))
    with pytest.raises(ValueError, match=r"at least one dimension"):
        V.gaussian_kl(make(1.0, backend), make(0.0, backend))
    with pytest.raises(ValueError, match=r"reduction must be one of"):
        V.elbo_loss(mu, mu, mu, lv, reduction="avg")
    with pytest.raises(ValueError, match=r"beta must be a finite number >= 0"):
        V.elbo_loss(mu, mu, mu, lv, beta=-1.0)
    with pytest.raises(ValueError, match=r"logits and target must have the same shape"):
        V.bernoulli_log_likelihood(mu, make(EPS[:2], backend))
    with pytest.raises(TypeError, match=r"generator must be a"):
        V.rsample(mu, lv, generator="0")
    with pytest.raises(ValueError, match=r"z must broadcast against mu, got shapes \(0,\) and "
                                         r"\(5, 3\)"):
        V.gaussian_log_prob(make(np.zeros(0), backend), mu, lv)
    # z broadcasts: several samples of z against one mean
    several = V.gaussian_log_prob(make(np.zeros((2, 5, 3)), backend), mu, lv)
    assert tuple(several.shape) == (2, 5)


def test_mixed_backends_and_lists_are_refused():
    with pytest.raises(TypeError, match=r"cannot mix NumPy arrays and torch tensors"):
        V.gaussian_kl(MU, torch.tensor(LOG_VAR))
    with pytest.raises(TypeError, match=r"mu must be a NumPy array or a torch tensor, got list"):
        V.gaussian_kl([0.0], LOG_VAR[0, :1])


def test_bad_model_input():
    with pytest.raises(ValueError, match=r"latent_features must be at least 1, got 0"):
        V.VAE(4, latent_features=0)
    model = V.VAE(4, generator=0)
    with pytest.raises(ValueError, match=r"x must have shape \(N, 4\), got \(2, 3\)"):
        model(torch.zeros(2, 3), eps=torch.zeros(2, 2))
    with pytest.raises(ValueError, match=r"pass the noise eps or a torch.Generator"):
        model(torch.zeros(2, 4))
    # fit_vae's data are Bernoulli means: refused at the door outside [0, 1] (NaN too), where
    # the loss would refuse the batch as its "target"
    for bad in (2.0, float("nan")):
        with pytest.raises(ValueError, match=r"data must lie in \[0, 1\] \(no NaN\)"):
            V.fit_vae(model, torch.full((4, 4), bad), epochs=1, batch_size=2)
    with pytest.raises(ValueError, match=r"n must be at least 1, got 0"):
        strokes(0)
    with pytest.raises(ValueError, match=r"size must be an int >= 4"):
        strokes(3, size=2)
