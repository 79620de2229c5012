r"""The experiment of the initialisation page: the signal through a deep network.

- :data:`INIT_SCHEMES`: the initialisations compared;
- :func:`deep_forward`: one deep tanh or ReLU network's activations, layer by layer;
- :func:`init_variances`: their variances, for every scheme.

Explained in the book: :doc:`/init`.
"""

from __future__ import annotations

import copy

import numpy as np

from ..activations import relu, tanh
from ..backend import as_generator, check_count, fill_normal_
from ..init import calculate_gain, kaiming_normal_, xavier_normal_

__all__ = ["INIT_SCHEMES", "deep_forward", "init_variances"]


#: the weight initialisations compared on the page :doc:`/init`
INIT_SCHEMES = {
    "small": r"naive $\mathcal{N}(0, 0.01^2)$",
    "large": r"naive $\mathcal{N}(0, 1)$",
    "xavier": "Xavier (gain 1)",
    "xavier_tanh": "Xavier (gain 5/3)",
    "he": "He (gain $\\sqrt{2}$)",
}


def deep_forward(
    scheme: str, activation: str = "tanh", depth: int = 50, width: int = 512,
    batch: int = 64, generator: int | np.random.Generator = 0,
) -> list[np.ndarray]:
    r"""Push a standard-normal batch through ``depth`` square layers; return every activation.

    Layer :math:`l` computes :math:`h_l = f(W_l h_{l-1})` with no bias, ``f`` =
    ``"tanh"`` or ``"relu"`` (from :mod:`mlnotes.activations`) and :math:`W_l`
    of shape ``(width, width)`` drawn by ``scheme`` (the keys of :data:`INIT_SCHEMES`):
    ``"small"`` (:math:`\mathcal N(0, 0.01^2)`), ``"large"`` (:math:`\mathcal N(0, 1)`),
    ``"xavier"`` (:func:`xavier_normal_`), ``"xavier_tanh"`` (the same with
    ``gain=calculate_gain("tanh")``) or ``"he"`` (:func:`kaiming_normal_` for ReLU).
    Each layer multiplies the second moment of the signal by about

    .. math::
        n_\text{in}\, \sigma_W^2 \cdot \frac{\mathbb{E}[f(z)^2]}{\mathrm{Var}(z)},

    and a scheme keeps the signal alive through many layers when that factor is 1.

    Args:
        scheme: how to draw the weights, a key of :data:`INIT_SCHEMES`.
        activation: ``"tanh"`` or ``"relu"``.
        depth: the number of layers.
        width: the units of every layer (``fan_in = fan_out = width``).
        batch: the number of inputs pushed through together.
        generator: an int seed or a ``numpy.random.Generator`` for the inputs and weights.

    Returns:
        ``[h_1, ..., h_depth]``, each ``(batch, width)``.

    Example:
        >>> hs = deep_forward("he", "relu", depth=3, width=8, batch=4)
        >>> len(hs), hs[-1].shape
        (3, (4, 8))
    """
    if not isinstance(scheme, str) or scheme not in INIT_SCHEMES:
        raise ValueError(f"scheme must be one of {', '.join(INIT_SCHEMES)}, got {scheme!r}")
    if activation not in ("tanh", "relu"):
        raise ValueError(f"activation must be 'tanh' or 'relu', got {activation!r}")
    depth, width, batch = (check_count(n, name) for n, name in
                           ((depth, "depth"), (width, "width"), (batch, "batch")))
    f = tanh if activation == "tanh" else relu
    rng = as_generator(generator)
    h = fill_normal_(np.empty((batch, width)), 0.0, 1.0, rng)
    out = []
    for _ in range(depth):
        W = np.empty((width, width))
        if scheme == "small":
            fill_normal_(W, 0.0, 0.01, rng)
        elif scheme == "large":
            fill_normal_(W, 0.0, 1.0, rng)
        elif scheme == "xavier":
            xavier_normal_(W, generator=rng)
        elif scheme == "xavier_tanh":
            xavier_normal_(W, gain=calculate_gain("tanh"), generator=rng)
        else:
            kaiming_normal_(W, nonlinearity="relu", generator=rng)
        h = f(h @ W.T)  # (batch, width): z = W h for every sample, then f
        out.append(h)
    return out


def init_variances(
    depth: int = 50, width: int = 512, batch: int = 64,
    generator: int | np.random.Generator = 0,
) -> dict[str, dict[str, np.ndarray]]:
    r"""The variance of every layer's activations, for each scheme in a tanh and a ReLU network.

    Runs :func:`deep_forward` for every scheme that suits each activation, all from
    the same state of ``generator``, so that every network sees the same input
    batch, and returns :math:`\mathrm{Var}(h_l)` over the batch and the units.

    Args:
        depth, width, batch: as in :func:`deep_forward`.
        generator: an int seed or a ``numpy.random.Generator``; every network starts
            from a copy of its state (a given generator is left as it was).

    Returns:
        ``{"tanh": {scheme: variances}, "relu": {scheme: variances}}``, each
        array of length ``depth``; tanh gets ``small, large, xavier,
        xavier_tanh`` and ReLU ``small, large, xavier, he``.

    Example:
        >>> v = init_variances(depth=4, width=16, batch=8)
        >>> sorted(v["relu"]), len(v["tanh"]["xavier"])
        (['he', 'large', 'small', 'xavier'], 4)
    """
    start = as_generator(generator)
    schemes = {"tanh": ("small", "large", "xavier", "xavier_tanh"),
               "relu": ("small", "large", "xavier", "he")}
    return {
        act: {s: np.array([h.var() for h in
                           deep_forward(s, act, depth, width, batch, copy.deepcopy(start))])
              for s in names}
        for act, names in schemes.items()
    }

