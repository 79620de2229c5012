"""Checks of the exercises on the VAE page (:doc:`/vae`)."""

from __future__ import annotations

import numpy as np

from ..vae import gaussian_kl, reparameterize
from . import _answer, _fresh, _shown, exercise, fail


def _cases():
    rng, draw = np.random.default_rng(8), _fresh()
    n, d = (int(a) for a in draw.integers(1, 7, size=2))
    return [(np.array([[0.5, -1.0, 2.0], [0.0, 0.3, -0.7]]),
             np.array([[0.3, -0.8, 0.0], [1.2, -2.0, 0.5]])),
            (rng.normal(size=(4, 5)), 2 * rng.normal(size=(4, 5))),
            (rng.normal(size=(1, 2)), np.array([[3.0, -4.0]])),
            (draw.normal(size=(n, d)), 2 * draw.normal(size=(n, d)))]


# -------------------------------------------------------- the reparameterised sample

sample = exercise("vae.reparameterize", "sample_z")


@sample.check("z = mu + sigma * eps, with sigma = exp(log_var / 2)")
def _z(f):
    for mu, log_var in _cases():
        eps = _fresh().normal(size=mu.shape)
        got = np.asarray(f(mu, log_var, eps), dtype=float)
        want = reparameterize(mu, log_var, eps)
        if got.shape != want.shape:
            fail(f"for mu of shape {mu.shape} your z has shape {got.shape}; it has the "
                 "shape of mu")
        if np.allclose(got, want, rtol=1e-12, atol=1e-12):
            continue
        if np.allclose(got, mu + np.exp(log_var) * eps):
            fail("you scale eps by the variance exp(log_var); scale it by the standard "
                 "deviation exp(log_var / 2)")
        if np.allclose(got, mu + eps):
            fail("your sample does not depend on log_var: the noise must be scaled by the "
                 "standard deviation")
        i = int(np.abs(got - want).max(axis=-1).argmax())
        yours, expected = _shown(got[i], want[i])
        fail(f"for mu of shape {mu.shape}, row {i} of z should be {expected}, yours is {yours}")


@sample.check("eps = 0 gives the mean")
def _mean(f):
    for mu, log_var in _cases():
        got = np.asarray(f(mu, log_var, np.zeros_like(mu)), dtype=float)
        if got.shape != mu.shape or not np.allclose(got, mu, rtol=1e-12, atol=1e-12):
            fail("with eps = 0 the sample must be mu itself: the noise is the only random part")


_SZ = "import numpy as np\ndef sample_z(mu, log_var, eps):\n"
sample.plant("variance for std", _SZ + "    return mu + np.exp(log_var) * eps\n",
             "standard deviation")
sample.plant("log-variance as std", _SZ + "    return mu + log_var * eps\n", "should be")
sample.plant("log_var ignored", _SZ + "    return mu + eps\n", "does not depend on log_var")
sample.plant("hard-coded shape", _SZ + "    return mu + np.exp(log_var / 2) * eps[:2, :3]\n",
             "raised ValueError")
sample.plant("in place", _SZ + "    eps *= np.exp(log_var / 2)\n    return mu + eps\n",
             "changed its input `eps`")

# -------------------------------------------------------------------- the Gaussian KL

kl = exercise("vae.kl", "kl_to_standard_normal")


@kl.check("one KL per distribution, summed over the latent dimensions")
def _kl_shape(f):
    for mu, log_var in _cases():
        got = np.asarray(f(mu, log_var))
        if got.shape != (len(mu),):
            fail(f"for {len(mu)} distributions over {mu.shape[1]} latent dimensions return "
                 f"{len(mu)} numbers; yours has shape {got.shape} (sum over the last axis)")


@kl.check("matches the closed form")
def _kl_values(f):
    for mu, log_var in _cases():
        got, tol = _answer(f(mu, log_var), 1e-9)
        want = gaussian_kl(mu, log_var)
        if got.shape != want.shape:
            fail(f"your KL has shape {got.shape}, not {want.shape}")
        if np.allclose(got, want, rtol=tol, atol=tol * 1e-3):
            continue
        if np.allclose(got, 2 * want):
            fail("your KL is twice the right one: the closed form has a factor 1/2")
        if np.allclose(got, -want):
            fail("your KL is negative; a KL divergence is never below 0 (check the signs)")
        if np.allclose(got, want / mu.shape[1]):
            fail("you average over the latent dimensions; the KL of independent dimensions "
                 "is their sum")
        i = int(np.abs(got - want).argmax())
        yours, expected = _shown(got[i], want[i])
        fail(f"for row {i} you return {yours}, expected {expected}")


@kl.check("zero for the standard normal itself")
def _kl_zero(f):
    rng = _fresh()  # a fresh shape at each Check (zeros have no other freedom)
    for n, d in ((2, 3), (int(rng.integers(1, 200)), int(rng.integers(4, 200)))):
        got = np.asarray(f(np.zeros((n, d)), np.zeros((n, d))), dtype=float)
        if not np.allclose(got, 0.0, atol=1e-12):
            fail(f"KL(N(0, 1) || N(0, 1)) must be 0; you return {got.tolist()}")


_KL = "import numpy as np\ndef kl_to_standard_normal(mu, log_var):\n"
kl.plant("no one half", _KL + "    return (np.exp(log_var) + mu ** 2 - 1 - log_var).sum(axis=-1)\n",
         "factor 1/2")
kl.plant("sign error", _KL +
         "    return -0.5 * (np.exp(log_var) + mu ** 2 - 1 - log_var).sum(axis=-1)\n", "negative")
kl.plant("mean over the dimensions", _KL +
         "    return 0.5 * (np.exp(log_var) + mu ** 2 - 1 - log_var).mean(axis=-1)\n",
         "is their sum")
kl.plant("log-variance as variance", _KL +
         "    return 0.5 * (log_var + mu ** 2 - 1 - np.log(np.abs(log_var))).sum(axis=-1)\n",
         "expected")
kl.plant("in place", _KL + "    np.exp(log_var, out=log_var)\n"
         "    return 0.5 * (log_var + mu ** 2 - 1 - np.log(log_var)).sum(axis=-1)\n",
         "changed its input `log_var`")
