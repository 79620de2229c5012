"""Checks of the exercises on the VAE page (:doc:`/vae`)."""

from __future__ import annotations

import numpy as np

from ..vae import gaussian_kl, reparameterize
from . import exercise, fail

_MU = np.array([[0.5, -1.0, 2.0], [0.0, 0.3, -0.7]])
_LOG_VAR = np.array([[0.3, -0.8, 0.0], [1.2, -2.0, 0.5]])

# -------------------------------------------------------- the reparameterised sample

sample = exercise("vae.reparameterize", "sample_z")


@sample.check("z = mu + sigma * eps, with sigma = exp(log_var / 2)")
def _z(f):
    eps = np.random.default_rng(1).normal(size=_MU.shape)
    got = np.asarray(f(_MU, _LOG_VAR, eps), dtype=float)
    want = reparameterize(_MU, _LOG_VAR, eps)
    if got.shape != want.shape:
        fail(f"your z has shape {got.shape}; it has the shape of mu, {want.shape}")
    if np.allclose(got, _MU + np.exp(_LOG_VAR) * eps):
        fail("you scale eps by the variance exp(log_var); scale it by the standard "
             "deviation exp(log_var / 2)")
    if not np.allclose(got, want, atol=1e-12):
        fail(f"z[0] should be {np.round(want[0], 4).tolist()}, yours is "
             f"{np.round(got[0], 4).tolist()}")


@sample.check("eps = 0 gives the mean")
def _mean(f):
    got = np.asarray(f(_MU, _LOG_VAR, np.zeros_like(_MU)), dtype=float)
    if not np.allclose(got, _MU):
        fail("with eps = 0 the sample must be mu itself: the noise is the only random part")


sample.plant("variance for std", "import numpy as np\n"
             "def sample_z(mu, log_var, eps):\n    return mu + np.exp(log_var) * eps\n",
             "standard deviation")
sample.plant("log-variance as std", "def sample_z(mu, log_var, eps):\n"
             "    return mu + log_var * eps\n", "should be")

# -------------------------------------------------------------------- the Gaussian KL

kl = exercise("vae.kl", "kl_to_standard_normal")


@kl.check("one KL per distribution, summed over the latent dimensions")
def _kl_shape(f):
    got = np.asarray(f(_MU, _LOG_VAR))
    if got.shape != (2,):
        fail(f"for 2 distributions over 3 latent dimensions return 2 numbers; yours has "
             f"shape {got.shape} (sum over the last axis)")


@kl.check("matches the closed form")
def _kl_values(f):
    got = np.asarray(f(_MU, _LOG_VAR), dtype=float)
    want = gaussian_kl(_MU, _LOG_VAR)
    if np.allclose(got, 2 * want):
        fail("your KL is twice the right one: the closed form has a factor 1/2")
    if np.allclose(got, -want):
        fail("your KL is negative; a KL divergence is never below 0 (check the signs)")
    if not np.allclose(got, want, rtol=1e-9):
        fail(f"you return {np.round(got, 4).tolist()}, expected {np.round(want, 4).tolist()}"
             ": 0.5 * sum(exp(log_var) + mu^2 - 1 - log_var)")


@kl.check("zero for the standard normal itself")
def _kl_zero(f):
    got = np.asarray(f(np.zeros((1, 3)), np.zeros((1, 3))), dtype=float)
    if not np.allclose(got, 0.0, atol=1e-12):
        fail(f"KL(N(0, 1) || N(0, 1)) must be 0; you return {got.tolist()}")


kl.plant("no one half", "import numpy as np\n"
         "def kl_to_standard_normal(mu, log_var):\n"
         "    return (np.exp(log_var) + mu ** 2 - 1 - log_var).sum(axis=-1)\n",
         "factor 1/2")
kl.plant("sign error", "import numpy as np\n"
         "def kl_to_standard_normal(mu, log_var):\n"
         "    return -0.5 * (np.exp(log_var) + mu ** 2 - 1 - log_var).sum(axis=-1)\n",
         "negative")
