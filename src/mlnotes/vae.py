r"""Latent variables: the reparameterisation trick, the Gaussian KL and a small VAE.

A variational autoencoder (VAE) encodes an input :math:`x` into a diagonal
Gaussian :math:`q(z \mid x) = \mathcal{N}(\mu, \operatorname{diag}\sigma^2)` over a
latent code :math:`z`, decodes a sample of :math:`z` back into a distribution
over inputs, and is trained by maximising the evidence lower bound (ELBO)

.. math::
    \log p(x) \ge \mathbb{E}_{q(z \mid x)}[\log p(x \mid z)]
    - \mathrm{KL}\big(q(z \mid x) \,\|\, \mathcal{N}(0, I)\big).

Two pieces make this trainable by gradient descent, and each has its function
here, next to its backward: :func:`reparameterize` writes the sample as
:math:`z = \mu + \sigma \epsilon` so that gradients reach :math:`\mu` and
:math:`\sigma`, and :func:`gaussian_kl` gives the KL term in closed form.
:func:`score_function_gradient` is the other, high-variance way to take the same
gradient, kept for comparison.

The encoder outputs the log-variance :math:`\log \sigma^2` (``log_var``), not
:math:`\sigma`: any real number is a valid ``log_var``, and :math:`\sigma =
e^{\log \sigma^2 / 2}` is always positive.

One body serves NumPy arrays and torch tensors (see :mod:`mlnotes.backend`);
:class:`VAE` is a ``torch.nn.Module`` built from these functions.

Explained in the book: :doc:`/vae`; presented in the deck "Lecture: Variational autoencoders".

Shapes: ``N`` batch, ``D`` features of an input, ``Z`` latent dimensions, ``S``
Monte Carlo samples. The Gaussian's parameters ``mu`` and ``log_var`` have shape
``(..., Z)``; sums over the last axis give one number per distribution.
"""

from __future__ import annotations

import contextlib
import math
from typing import Any

import numpy as np

from . import autograd
from . import nn as mlnn
from .activations import sigmoid, tanh
from .backend import (
    as_generator,
    check_bool,
    check_count,
    check_floating,
    check_model,
    check_number,
    check_same_shape,
    fill_uniform_,
    import_torch,
    is_torch,
    namespace,
    randn,
)
from .losses import binary_cross_entropy_with_logits
from .optim import Adam
from .training import fit

torch = import_torch()
nn = torch.nn

__all__ = [
    "reparameterize",
    "reparameterize_backward",
    "rsample",
    "gaussian_kl",
    "gaussian_kl_backward",
    "gaussian_log_prob",
    "score_function_gradient",
    "bernoulli_log_likelihood",
    "elbo_loss",
    "VAE",
    "NumpyVAE",
    "fit_vae",
]

_REDUCTIONS = ("mean", "sum", "none")


def _check_gaussian(mu: Any, log_var: Any) -> Any:
    """The namespace of ``mu`` and ``log_var``, after checking them as a Gaussian's parameters."""
    xp = namespace(mu, log_var, names=("mu", "log_var"))
    check_floating(mu, "mu")
    check_floating(log_var, "log_var")
    check_same_shape(mu, log_var, ("mu", "log_var"))
    if mu.ndim == 0:
        raise ValueError("mu and log_var must have at least one dimension (the latent axis)")
    if not bool(xp.all(xp.isfinite(log_var))):
        raise ValueError(
            "log_var must be finite: a log-variance of +-inf or NaN has no Gaussian "
            "(check the encoder's output for overflow)"
        )
    return xp


# ---------------------------------------------------------- the reparameterisation trick


def reparameterize(mu: Any, log_var: Any, eps: Any) -> Any:
    r"""A sample of :math:`\mathcal{N}(\mu, \sigma^2)` written as a function of :math:`\mu, \sigma`.

    .. math::
        z = \mu + \sigma \odot \epsilon, \qquad \sigma = e^{\log\sigma^2 / 2},
        \qquad \epsilon \sim \mathcal{N}(0, I)

    The randomness lives in ``eps``, drawn independently of the parameters, so
    :math:`z` is a differentiable function of ``mu`` and ``log_var``: the
    gradient reaches them (see :func:`reparameterize_backward`). Drawing
    :math:`z` directly from :math:`\mathcal{N}(\mu, \sigma^2)` would not let it.

    Properties (tested): for :math:`\epsilon \sim \mathcal{N}(0, I)`, the mean
    of :math:`z` is :math:`\mu` and its variance :math:`\sigma^2`; with
    ``eps = 0``, :math:`z = \mu`.

    Args:
        mu: the mean :math:`\mu`, shape ``(..., Z)``.
        log_var: the log-variance :math:`\log \sigma^2`, same shape as ``mu``, finite.
        eps: standard normal noise :math:`\epsilon`, same shape as ``mu``.

    Returns:
        :math:`z`, same shape, dtype and device as ``mu``.

    Example:
        >>> import numpy as np
        >>> reparameterize(np.array([1.0, 0.0]), np.log(np.array([4.0, 1.0])), np.ones(2))
        array([3., 1.])
    """
    namespace(mu, log_var, eps, names=("mu", "log_var", "eps"))
    xp = _check_gaussian(mu, log_var)
    check_floating(eps, "eps")
    check_same_shape(mu, eps, ("mu", "eps"))
    # sigma = exp(log_var / 2)
    sigma = xp.exp(log_var / 2)
    # z = mu + sigma * eps
    return mu + sigma * eps


def reparameterize_backward(grad: Any, log_var: Any, eps: Any) -> tuple[Any, Any]:
    r"""Backward of :func:`reparameterize`: the pathwise gradient.

    .. math::
        \frac{\partial z}{\partial \mu} = 1, \qquad
        \frac{\partial z}{\partial \log\sigma^2} = \tfrac{1}{2} \sigma \epsilon
        = \tfrac{1}{2} (z - \mu)

    With ``grad`` :math:`= f'(z)` for one sample, the two outputs are that
    sample's *pathwise* (reparameterised) estimate of
    :math:`\nabla_{\mu, \log\sigma^2} \mathbb{E}[f(z)]`; their average over many
    samples is the gradient.

    Args:
        grad: gradient of the loss with respect to ``z``.
        log_var: the ``log_var`` of the forward call.
        eps: the ``eps`` of the forward call.

    Returns:
        ``(grad_mu, grad_log_var)``, each of the shape of ``grad``.

    Example:
        >>> import numpy as np
        >>> reparameterize_backward(np.ones(2), np.log(np.array([4.0, 1.0])), np.ones(2))
        (array([1., 1.]), array([1. , 0.5]))
    """
    xp = namespace(grad, log_var, eps, names=("grad", "log_var", "eps"))
    check_same_shape(grad, log_var, ("grad", "log_var"))
    check_same_shape(grad, eps, ("grad", "eps"))
    # dz/dlog_var = sigma * eps / 2
    return grad, grad * xp.exp(log_var / 2) * eps / 2


reparameterize = autograd.register(reparameterize, reparameterize_backward, wrt=("mu", "log_var"))


def rsample(mu: Any, log_var: Any, generator: Any) -> Any:
    r"""Draw :math:`\epsilon` from ``generator`` and return :func:`reparameterize` of it.

    A convenience: the randomness still comes only from the explicit
    ``generator``, a ``numpy.random.Generator`` for NumPy input and a
    ``torch.Generator`` for torch input (on any device; the noise is moved to
    ``mu``'s device).

    Args:
        mu: the mean, shape ``(..., Z)``.
        log_var: the log-variance, same shape, finite.
        generator: where :math:`\epsilon \sim \mathcal{N}(0, I)` comes from: an int
            seed or a generator of the input's kind (torch's on any device).

    Returns:
        :math:`z = \mu + \sigma\epsilon`, with the gradient flowing to ``mu`` and ``log_var``.

    Example:
        >>> import numpy as np
        >>> z = rsample(np.zeros((1000, 2)), np.zeros((1000, 2)), np.random.default_rng(0))
        >>> z.shape, bool(abs(z.mean()) < 0.1)
        ((1000, 2), True)
    """
    _check_gaussian(mu, log_var)
    g = as_generator(generator, "torch" if is_torch(mu) else "numpy")
    eps = randn(tuple(mu.shape), g, like=mu)  # epsilon ~ N(0, I)
    return reparameterize(mu, log_var, eps)


# ----------------------------------------------------------------- the Gaussian KL


def gaussian_kl(mu: Any, log_var: Any) -> Any:
    r"""KL divergence from a diagonal Gaussian to the standard normal, in closed form.

    .. math::
        \mathrm{KL}\big(\mathcal{N}(\mu, \sigma^2) \,\|\, \mathcal{N}(0, 1)\big)
        = \tfrac{1}{2} \sum_j \big(\sigma_j^2 + \mu_j^2 - 1 - \log \sigma_j^2\big)

    One term per latent dimension, summed over the last axis: the dimensions of
    a diagonal Gaussian are independent, and KL adds over independent parts.
    :math:`\sigma^2 - 1` is computed as ``expm1(log_var)``: near
    :math:`\log\sigma^2 = 0`, ``exp(log_var) - 1 - log_var`` would cancel to
    rounding noise, even a negative "KL".

    Properties (tested): the KL is :math:`\ge 0`, and 0 exactly at
    :math:`\mu = 0, \log\sigma^2 = 0`; it equals torch.distributions'
    ``kl_divergence`` and the Monte Carlo average of
    :math:`\log q(z) - \log p(z)` over samples :math:`z \sim q`.

    Args:
        mu: the mean :math:`\mu`, shape ``(..., Z)``.
        log_var: the log-variance :math:`\log \sigma^2`, same shape, finite.

    Returns:
        The KL of each distribution, shape ``(...)``.

    Example:
        >>> import numpy as np
        >>> gaussian_kl(np.array([[0.0, 0.0], [1.0, 0.0]]), np.zeros((2, 2)))
        array([0. , 0.5])
    """
    xp = _check_gaussian(mu, log_var)
    # KL = 1/2 sum_j (mu_j^2 + (sigma_j^2 - 1) - log sigma_j^2), with sigma^2 - 1 = expm1(log_var)
    return xp.sum(mu * mu + (xp.expm1(log_var) - log_var), axis=-1) / 2


def gaussian_kl_backward(grad: Any, mu: Any, log_var: Any) -> tuple[Any, Any]:
    r"""Backward of :func:`gaussian_kl`.

    .. math::
        \frac{\partial\,\mathrm{KL}}{\partial \mu_j} = \mu_j, \qquad
        \frac{\partial\,\mathrm{KL}}{\partial \log\sigma_j^2} = \tfrac{1}{2}(\sigma_j^2 - 1)

    The KL pulls every mean towards 0 and every variance towards 1.

    Args:
        grad: gradient of the loss with respect to the KL, shape ``(...)``.
        mu: the ``mu`` of the forward call, shape ``(..., Z)``.
        log_var: the ``log_var`` of the forward call.

    Returns:
        ``(grad_mu, grad_log_var)``, each of the shape of ``mu``.

    Example:
        >>> import numpy as np
        >>> gaussian_kl_backward(np.array(1.0), np.array([2.0]), np.array([0.0]))
        (array([2.]), array([0.]))
    """
    xp = namespace(grad, mu, log_var, names=("grad", "mu", "log_var"))
    check_same_shape(mu, log_var, ("mu", "log_var"))
    g = grad[..., None]  # (..., 1): one incoming gradient per distribution
    return g * mu, g * xp.expm1(log_var) / 2


gaussian_kl = autograd.register(gaussian_kl, gaussian_kl_backward, wrt=("mu", "log_var"))


def gaussian_log_prob(z: Any, mu: Any, log_var: Any) -> Any:
    r"""Log-density of a diagonal Gaussian at ``z``, summed over the last axis.

    .. math::
        \log \mathcal{N}(z; \mu, \sigma^2)
        = -\tfrac{1}{2} \sum_j \Big(\log 2\pi + \log \sigma_j^2
        + \frac{(z_j - \mu_j)^2}{\sigma_j^2}\Big)

    Args:
        z: points, shape ``(..., Z)`` (broadcast against ``mu``).
        mu: the mean, shape ``(..., Z)``.
        log_var: the log-variance, same shape as ``mu``.

    Returns:
        :math:`\log q(z)`, shape ``(...)``.

    Example:
        >>> import numpy as np
        >>> float(gaussian_log_prob(np.zeros(1), np.zeros(1), np.zeros(1)))  # -log(2 pi) / 2
        -0.9189385332046727
    """
    xp = _check_gaussian(mu, log_var)
    namespace(z, mu, names=("z", "mu"))
    check_floating(z, "z")
    try:
        np.broadcast_shapes(tuple(z.shape), tuple(mu.shape))
    except ValueError:
        raise ValueError(f"z must broadcast against mu, got shapes {tuple(z.shape)} and "
                         f"{tuple(mu.shape)}") from None
    # (z - mu)^2 / sigma^2, with exp(-log_var) so that no division by 0 is possible
    d2 = (z - mu) ** 2 * xp.exp(-log_var)
    return -xp.sum(math.log(2 * math.pi) + log_var + d2, axis=-1) / 2


def score_function_gradient(f_z: Any, z: Any, mu: Any, log_var: Any) -> tuple[Any, Any]:
    r"""Per-sample score-function (REINFORCE) estimates of :math:`\nabla \mathbb{E}_q[f(z)]`.

    .. math::
        \nabla_\theta\, \mathbb{E}_{q_\theta}[f(z)]
        = \mathbb{E}_{q_\theta}\big[f(z)\, \nabla_\theta \log q_\theta(z)\big],
        \qquad
        \frac{\partial \log q}{\partial \mu_j} = \frac{z_j - \mu_j}{\sigma_j^2}, \quad
        \frac{\partial \log q}{\partial \log\sigma_j^2}
        = \tfrac{1}{2}\Big(\frac{(z_j - \mu_j)^2}{\sigma_j^2} - 1\Big)

    It needs only the values :math:`f(z)`, not :math:`f'`, so it works for
    any :math:`f`; but each sample's estimate is scaled by the whole
    :math:`f(z)`, which makes it far noisier than the pathwise estimate
    (:func:`reparameterize_backward` applied to :math:`f'(z)`).

    Args:
        f_z: :math:`f(z)` for each sample, shape ``(...)``.
        z: the samples, shape ``(..., Z)``, drawn from :math:`\mathcal{N}(\mu, \sigma^2)`.
        mu: the mean, broadcastable to ``z``.
        log_var: the log-variance, same shape as ``mu``.

    Returns:
        ``(grad_mu, grad_log_var)`` per sample, each of the shape of ``z``;
        their averages over the samples estimate the gradient.

    Example:
        >>> import numpy as np
        >>> score_function_gradient(np.array(2.0), np.array([1.0]), np.zeros(1), np.zeros(1))
        (array([2.]), array([0.]))
    """
    xp = _check_gaussian(mu, log_var)
    namespace(f_z, z, mu, names=("f_z", "z", "mu"))
    f = f_z[..., None]  # (..., 1): one value of f per sample
    # d log q / d mu = (z - mu) / sigma^2
    dmu = (z - mu) * xp.exp(-log_var)
    # d log q / d log_var = ((z - mu)^2 / sigma^2 - 1) / 2
    dlv = ((z - mu) ** 2 * xp.exp(-log_var) - 1) / 2
    return f * dmu, f * dlv


# ------------------------------------------------------------------------ the ELBO


def bernoulli_log_likelihood(logits: Any, target: Any) -> Any:
    r"""Log-likelihood of ``target`` under independent Bernoullis with ``logits``.

    .. math::
        \log p(x \mid a) = \sum_j x_j \log \sigma(a_j) + (1 - x_j) \log(1 - \sigma(a_j))
        = \sum_j x_j a_j - \log(1 + e^{a_j})

    It is minus :func:`~mlnotes.losses.binary_cross_entropy_with_logits`
    (``reduction="none"``), summed over the last axis: the loss is computed
    from the logits, so large logits neither overflow nor lose the gradient.
    Targets may lie anywhere in :math:`[0, 1]` (grey pixels).

    Args:
        logits: the decoder's logits :math:`a`, shape ``(..., D)``.
        target: the input :math:`x`, same shape, values in :math:`[0, 1]`.

    Returns:
        :math:`\log p(x \mid a)`, shape ``(...)``.

    Example:
        >>> import numpy as np
        >>> float(bernoulli_log_likelihood(np.zeros(2), np.array([1.0, 0.0])))  # 2 log(1/2)
        -1.3862943611198906
    """
    xp = namespace(logits, target, names=("logits", "target"))
    # log p(x | a) = -sum_j BCE(a_j, x_j)
    return -xp.sum(binary_cross_entropy_with_logits(logits, target, reduction="none"), axis=-1)


def elbo_loss(
    logits: Any, target: Any, mu: Any, log_var: Any, beta: float = 1.0, reduction: str = "mean"
) -> Any:
    r"""The negative ELBO of a VAE with a Bernoulli decoder: reconstruction plus KL.

    .. math::
        \mathcal{L}(x) = -\log p(x \mid z) + \beta\,
        \mathrm{KL}\big(\mathcal{N}(\mu, \sigma^2) \,\|\, \mathcal{N}(0, I)\big),
        \qquad z = \mu + \sigma\epsilon

    With one sample :math:`z` per input and binary targets (pixels 0 or 1) this
    is an unbiased estimate of :math:`-\mathrm{ELBO}` (for :math:`\beta = 1`),
    an upper bound on :math:`-\log p(x)` in nats. For targets strictly between 0
    and 1 (grey pixels) the Bernoulli term is a binary cross-entropy but not a
    normalised log-likelihood, so the value is a training loss and bounds no
    :math:`-\log p(x)`. :math:`\beta \ne 1` gives the :math:`\beta`-VAE.

    Args:
        logits: the decoder's logits for :math:`z`, shape ``(N, D)``.
        target: the inputs :math:`x`, shape ``(N, D)``, values in :math:`[0, 1]`.
        mu: the encoder's mean, shape ``(N, Z)``.
        log_var: the encoder's log-variance, shape ``(N, Z)``.
        beta: weight of the KL term, :math:`\ge 0`.
        reduction: ``"mean"`` (over the batch), ``"sum"`` or ``"none"``.

    Returns:
        The loss: a scalar, or shape ``(N,)`` for ``reduction="none"``.

    Example:
        >>> import numpy as np
        >>> float(elbo_loss(np.zeros((1, 2)), np.ones((1, 2)), np.zeros((1, 3)), np.zeros((1, 3))))
        1.3862943611198906
    """
    if reduction not in _REDUCTIONS:
        raise ValueError(f"reduction must be one of {_REDUCTIONS}, got {reduction!r}")
    check_number(beta, "beta", low=0.0)
    xp = namespace(logits, target, mu, log_var, names=("logits", "target", "mu", "log_var"))
    if tuple(logits.shape[:-1]) != tuple(mu.shape[:-1]):
        raise ValueError(
            "logits and mu must have the same batch shape, "
            f"got {tuple(logits.shape)} and {tuple(mu.shape)}"
        )
    # -ELBO = -log p(x | z) + beta * KL(q(z | x) || p(z))
    loss = -bernoulli_log_likelihood(logits, target) + beta * gaussian_kl(mu, log_var)
    if reduction == "mean":
        return xp.mean(loss)
    if reduction == "sum":
        return xp.sum(loss)
    return loss


# ----------------------------------------------------------------------- the model


class _VAEBody:
    """The body :class:`VAE` and :class:`NumpyVAE` share: encoder, decoder, loss, sampling."""

    _torch = True  # whether the parameters are torch tensors (else autograd Tensors)

    def as_input(self, x: Any) -> Any:
        r"""``x`` (an array) as the model's inputs: a torch tensor or an array of its dtype."""
        dtype = self.dec.weight.dtype
        if self._torch:
            return torch.as_tensor(x, dtype=dtype, device=self.dec.weight.device)
        return np.asarray(x, dtype=dtype)

    def _no_grad(self) -> Any:
        # torch records nothing inside no_grad; the NumPy twin's results are read as .data
        return torch.no_grad() if self._torch else contextlib.nullcontext()

    def _value(self, t: Any) -> Any:
        return t if self._torch else t.data

    def encode(self, x: Any) -> tuple[Any, Any]:
        r"""The parameters ``(mu, log_var)`` of :math:`q(z \mid x)`, each ``(N, Z)``."""
        h = tanh(self.enc(x))
        return self.enc_mu(h), self.enc_log_var(h)

    def decode(self, z: Any) -> Any:
        r"""The logits of :math:`p(x \mid z)`, shape ``(N, D)``."""
        return self.dec_out(tanh(self.dec(z)))

    def forward(self, x: Any, eps: Any = None, generator: Any = None) -> tuple[Any, Any, Any]:
        r"""Encode, sample one :math:`z` per input by :func:`reparameterize`, decode.

        Args:
            x: inputs, ``(N, D)``.
            eps: the noise, ``(N, Z)``; or give ``generator`` to draw it.
            generator: a generator (``torch.Generator`` for :class:`VAE`, NumPy's for
                :class:`NumpyVAE`) that draws ``eps`` when it is not given.

        Returns:
            ``(logits, mu, log_var)``.
        """
        if x.ndim != 2 or x.shape[1] != self.in_features:
            raise ValueError(f"x must have shape (N, {self.in_features}), got {tuple(x.shape)}")
        mu, log_var = self.encode(x)
        if eps is None:
            if generator is None:
                kind = "torch.Generator" if self._torch else "NumPy Generator"
                raise ValueError(f"pass the noise eps or a {kind} to draw it from")
            z = rsample(mu, log_var, generator)
        else:
            z = reparameterize(mu, log_var, eps)
        return self.decode(z), mu, log_var

    def loss(self, x: Any, eps: Any = None, generator: Any = None, beta: float = 1.0) -> Any:
        r"""The batch mean of :func:`elbo_loss`: -ELBO for binary inputs, a loss for grey ones."""
        logits, mu, log_var = self(x, eps=eps, generator=generator)
        return elbo_loss(logits, x, mu, log_var, beta=beta)

    def reconstruct(self, x: Any) -> Any:
        r"""The decoder's mean :math:`\sigma(a)` at :math:`z = \mu(x)`, shape ``(N, D)``."""
        with self._no_grad():
            mu, _ = self.encode(x)
            return self._value(sigmoid(self.decode(mu)))

    def sample(self, n: int, generator: Any) -> Any:
        r"""``n`` new inputs: :math:`z \sim \mathcal{N}(0, I)`, decoded to :math:`\sigma(a)`."""
        g = as_generator(generator, "torch" if self._torch else "numpy")
        with self._no_grad():
            z = randn((n, self.latent_features), g, like=self.dec.weight)
            return self._value(sigmoid(self.decode(z)))


class VAE(_VAEBody, nn.Module):
    r"""A small variational autoencoder: an MLP encoder and an MLP decoder.

    .. math::
        h = \tanh(W_1 x + b_1), \quad \mu = W_\mu h + b_\mu, \quad
        \log\sigma^2 = W_\sigma h + b_\sigma

        z = \mu + \sigma \epsilon, \quad a = W_3 \tanh(W_2 z + b_2) + b_3

    The decoder outputs the logits :math:`a` of a Bernoulli per input feature;
    :math:`\sigma(a)` is the reconstruction. Training minimises
    :func:`elbo_loss`.

    Args:
        in_features: :math:`D`, the size of a (flattened) input.
        latent_features: :math:`Z`, the size of the code (2 lets you draw it).
        hidden_features: the width of both hidden layers.
        generator: an int seed or a ``torch.Generator`` for the initial weights (uniform
            in :math:`\pm 1/\sqrt{\text{fan-in}}`, torch's default for ``nn.Linear``); no
            global random state is used.

    Shapes: input ``(N, D)``; ``mu``, ``log_var``, ``z`` ``(N, Z)``; logits ``(N, D)``.

    Example:
        >>> import torch
        >>> model = VAE(4, latent_features=2, generator=0)
        >>> x = torch.rand(3, 4, generator=torch.Generator().manual_seed(0))
        >>> logits, mu, log_var = model(x, eps=torch.zeros(3, 2))
        >>> logits.shape, mu.shape
        (torch.Size([3, 4]), torch.Size([3, 2]))
    """

    def __init__(
        self, in_features: int, latent_features: int = 2, hidden_features: int = 64,
        generator: int | torch.Generator = 0,
    ) -> None:
        super().__init__()
        for name, value in (("in_features", in_features), ("latent_features", latent_features),
                            ("hidden_features", hidden_features)):
            check_count(value, name)
        self.in_features, self.latent_features = in_features, latent_features
        D, Z, H = in_features, latent_features, hidden_features
        # skip_init: the weights are set below from our own generator, not the global one
        self.enc = nn.utils.skip_init(nn.Linear, D, H)
        self.enc_mu = nn.utils.skip_init(nn.Linear, H, Z)
        self.enc_log_var = nn.utils.skip_init(nn.Linear, H, Z)
        self.dec = nn.utils.skip_init(nn.Linear, Z, H)
        self.dec_out = nn.utils.skip_init(nn.Linear, H, D)
        g = as_generator(generator, "torch")
        for layer in (self.enc, self.enc_mu, self.enc_log_var, self.dec, self.dec_out):
            bound = 1 / math.sqrt(layer.in_features)
            fill_uniform_(layer.weight, -bound, bound, g)
            fill_uniform_(layer.bias, -bound, bound, g)


class NumpyVAE(_VAEBody, mlnn.Module):
    r"""The NumPy twin of :class:`VAE`: the same layers, names and methods, over Tensors.

    Built from :class:`mlnotes.nn.Linear` layers named as :class:`VAE`'s (``enc``,
    ``enc_mu``, ``enc_log_var``, ``dec``, ``dec_out``), so
    ``NumpyVAE(...).load_state_dict(vae.state_dict())`` starts it from a torch VAE's
    weights; :func:`reparameterize` and :func:`gaussian_kl` are nodes of the graph
    whose backward is the package's. Inputs are NumPy arrays (``as_input`` makes
    them); ``reconstruct`` and ``sample`` return arrays, and generators are NumPy's.

    Args:
        in_features, latent_features, hidden_features: as in :class:`VAE`.
        generator: an int seed or a ``numpy.random.Generator`` for the initial
            weights (the same law as :class:`VAE`'s, not the same numbers).
        dtype: the parameters' dtype.

    Example:
        >>> import numpy as np
        >>> model = NumpyVAE(4, latent_features=2, generator=0)
        >>> x = np.random.default_rng(0).random((3, 4))
        >>> logits, mu, log_var = model(x, eps=np.zeros((3, 2)))
        >>> logits.shape, mu.shape
        ((3, 4), (3, 2))
        >>> model.loss(x, eps=np.zeros((3, 2))).backward()
        >>> model.enc.weight.grad.shape
        (64, 4)
    """

    _torch = False

    def __init__(self, in_features: int, latent_features: int = 2, hidden_features: int = 64,
                 generator: Any = 0, dtype: Any = np.float64) -> None:
        for name, value in (("in_features", in_features), ("latent_features", latent_features),
                            ("hidden_features", hidden_features)):
            check_count(value, name)
        self.in_features, self.latent_features = in_features, latent_features
        D, Z, H = in_features, latent_features, hidden_features
        rng = as_generator(generator)
        self.enc = mlnn.Linear(D, H, generator=rng, dtype=dtype)
        self.enc_mu = mlnn.Linear(H, Z, generator=rng, dtype=dtype)
        self.enc_log_var = mlnn.Linear(H, Z, generator=rng, dtype=dtype)
        self.dec = mlnn.Linear(Z, H, generator=rng, dtype=dtype)
        self.dec_out = mlnn.Linear(H, D, generator=rng, dtype=dtype)


def fit_vae(
    model: Any, data: Any, epochs: int = 30, batch_size: int = 100, lr: float = 2e-2,
    generator: Any = 0, beta: float = 1.0, verbose: bool = False,
) -> list[float]:
    r"""Train ``model`` on ``data`` with Adam, minimising :func:`elbo_loss`.

    Adam is :class:`mlnotes.optim.Adam` (torch's defaults and update); each epoch's
    steps are :func:`mlnotes.training.fit`'s loop.

    Shuffling and the noise :math:`\epsilon` come from one generator of the data's
    kind (``generator``, an int seed, a ``torch.Generator`` on ``data``'s device for a
    :class:`VAE`, a NumPy ``Generator`` for a :class:`NumpyVAE`), so a run is
    reproducible.

    Args:
        model: the :class:`VAE` or :class:`NumpyVAE` to train (in place).
        data: the inputs, ``(N, D)``, values in :math:`[0, 1]`: a torch tensor for a
            :class:`VAE`, a NumPy array for its twin, of the model's dtype.
        epochs: passes over the data.
        batch_size: inputs per step.
        lr: Adam's learning rate.
        generator: an int seed or a generator for the shuffling and the noise.
        beta: the weight of the KL term in :func:`elbo_loss` (1: the ELBO).
        verbose: print each epoch's loss (a few lines: every ``epochs // 5`` epochs).

    Returns:
        The mean negative ELBO of each epoch (nats per input).

    Example:
        >>> import torch
        >>> model = VAE(4, generator=0)
        >>> losses = fit_vae(model, torch.rand(32, 4, generator=torch.Generator().manual_seed(0)),
        ...                  epochs=3, batch_size=16)
        >>> len(losses)
        3

        The NumPy twin trains the same way, on an array:

        >>> import numpy as np
        >>> twin = NumpyVAE(4, generator=0)
        >>> data = np.random.default_rng(0).random((32, 4))
        >>> losses = fit_vae(twin, data, epochs=4, batch_size=16, verbose=True)
        epoch 1: -ELBO 2.93
        epoch 2: -ELBO 2.89
        epoch 3: -ELBO 3.00
        epoch 4: -ELBO 2.85
    """
    check_floating(data, "data")
    check_number(beta, "beta", low=0.0)
    check_bool(verbose, "verbose")
    check_model(model, inputs=data, inputs_name="data")
    if data.ndim != 2 or data.shape[0] == 0:
        raise ValueError(f"data must have shape (N, D), got {tuple(data.shape)}")
    if not bool(((data >= 0) & (data <= 1)).all()):  # NaN fails both: refused too
        raise ValueError(f"data must lie in [0, 1] (no NaN), got values from "
                         f"{float(data.min())} to {float(data.max())}")
    g = as_generator(generator, like=data)
    opt = Adam(model.parameters(), lr=lr)
    history: list[float] = []
    try:
        model.train()
        for epoch in range(epochs):
            history.append(_epoch(model, data, opt, batch_size, g, beta))
            if verbose and (epoch + 1) % max(1, epochs // 5) == 0:
                print(f"epoch {epoch + 1}: -ELBO {history[-1]:.2f}")
    finally:
        model.eval()
    return history


def _epoch(model: Any, data: Any, opt: Any, batch_size: int, g: Any, beta: float) -> float:
    """One pass over ``data`` in a random order; the mean loss over it."""
    n = data.shape[0]
    if is_torch(data):
        order = torch.randperm(n, generator=g, device=data.device)
    else:
        order = g.permutation(n)
    batches = [order[start:start + batch_size] for start in range(0, n, batch_size)]
    losses = fit(lambda batch: model.loss(data[batch], generator=g, beta=beta), opt, batches)
    total = 0.0
    for loss, batch in zip(losses, batches, strict=True):  # weighted by the batch's size
        total += loss * len(batch)
    return total / n
