r"""Figures of the VAE page and its deck: gradient estimators, reconstructions, samples, codes.

Explained in the book: :doc:`/vae`; presented in the deck "Lecture: Variational
autoencoders".
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
from matplotlib.figure import Figure

from ..activations import sigmoid
from ..backend import check_count, check_model, check_number, to_numpy
from ._figure import COLORS, _check_array, _check_arrays, _show_images, new_figure

if TYPE_CHECKING:
    from ..vae import VAE


def gradient_estimators_figure(pathwise: np.ndarray, score: np.ndarray, true: float
                               ) -> Figure:
    r"""Histograms of per-sample gradient estimates: pathwise against score function.

    Both estimators average to the ``true`` gradient; the figure shows how far
    single samples stray from it. The score-function histogram is clipped to
    its 1st to 99th percentiles (its tails reach further still).

    Args:
        pathwise: per-sample pathwise estimates (:func:`mlnotes.vae.reparameterize_backward`).
        score: per-sample score-function estimates (:func:`mlnotes.vae.score_function_gradient`).
        true: the exact gradient.

    Example:
        >>> rng = np.random.default_rng(0)
        >>> len(gradient_estimators_figure(rng.normal(size=99), 9 * rng.normal(size=99), 0).axes)
        1
    """
    pathwise, score = _check_array(pathwise, "pathwise", 1), _check_array(score, "score", 1)
    true = check_number(true, "true")
    lo, hi = np.percentile(score, [1, 99])
    lo, hi = min(lo, pathwise.min()), max(hi, pathwise.max())
    bins = np.linspace(lo, hi, 81)
    fig, ax = new_figure(width=6.4, height=3.2)
    ax.hist(score, bins=bins, density=True, alpha=0.6, color=COLORS["other"],
            label=f"score function: variance {score.var():.3g}")
    ax.hist(pathwise, bins=bins, density=True, alpha=0.6, color=COLORS["ours"],
            label=f"pathwise: variance {pathwise.var():.3g}")
    ax.axvline(true, color="black", lw=1.5, ls="--", label=f"true gradient {true:.3g}")
    ax.set_xlabel("one sample's estimate of the gradient")
    ax.set_ylabel("density")
    ax.legend(fontsize=8)
    fig.alt = (
        "Histograms of single-sample gradient estimates: the pathwise (reparameterisation) "
        "estimates cluster tightly around the true gradient, the score-function estimates "
        "spread widely; the legend gives both variances."
    )
    return fig


def _check_images(model: Any, images: Any) -> np.ndarray:
    """``images`` as a float64 ``(N, h, w)`` array of ``h * w`` = the model's inputs, or raise."""
    images = _check_array(images, "images", 3, "(N, h, w)")
    if images.shape[1] * images.shape[2] != model.in_features:
        raise ValueError(f"images must have h * w = the model's in_features "
                         f"({model.in_features}) pixels, got shape {images.shape}")
    return images


def vae_reconstructions_figure(model: VAE, images: np.ndarray, n: int = 10) -> Figure:
    r"""``n`` input images above the VAE's reconstructions of them (decoded at :math:`z = \mu`).

    Example:
        >>> from mlnotes.vae import NumpyVAE
        >>> model = NumpyVAE(16, generator=0)
        >>> len(vae_reconstructions_figure(model, np.zeros((3, 4, 4)), n=3).axes)
        2
    """
    check_model(model)
    images = _check_images(model, images)[:check_count(n, "n")]
    side = images.shape[1:]
    x = model.as_input(images.reshape(len(images), -1))
    recon = to_numpy(model.reconstruct(x)).reshape(-1, *side)
    fig, (ax0, ax1) = new_figure(2, 1, width=0.65 * len(images) + 0.4, height=2.0)
    _show_images(ax0, images, len(images), "data")
    _show_images(ax1, recon, len(images), "reconstruction")
    fig.alt = (
        "Two rows of small images: test images on top and the VAE's reconstructions of them "
        "below."
    )
    return fig


def vae_samples_figure(model: VAE, n: int = 32, generator: Any = 0,
                       ncols: int = 16, side: int | None = None) -> Figure:
    r"""``n`` new images from the VAE: :math:`z \sim \mathcal{N}(0, I)`, decoded.

    Args:
        model: the trained :class:`~mlnotes.vae.VAE`.
        n: the number of images.
        generator: an int seed or a generator (torch's for a ``VAE``, NumPy's for its twin)
            for the draws of :math:`z`
            (:meth:`mlnotes.vae.VAE.sample`).
        ncols: images per row.
        side: the images' side (default: the square root of the model's inputs).

    Example:
        >>> from mlnotes.vae import NumpyVAE
        >>> len(vae_samples_figure(NumpyVAE(16, generator=0), n=4, ncols=4).axes)
        1
    """
    check_model(model)
    side = side or int(round(np.sqrt(model.in_features)))
    x = to_numpy(model.sample(n, generator))
    fig, ax = new_figure(width=0.5 * ncols + 0.3, height=0.5 * -(-n // ncols) + 0.5)
    title = r"samples: $z \sim \mathcal{N}(0, I)$, decoded"
    _show_images(ax, x.reshape(n, side, side), ncols, title)
    fig.alt = "A grid of images decoded from random points of the VAE's latent space."
    return fig


def latent_space_figure(model: VAE, images: np.ndarray, color: np.ndarray, label: str = "angle",
                        lim: float = 2.5, steps: int = 11) -> Figure:
    r"""The 2-D latent space: codes of the data (left), and images decoded from a grid (right).

    Left: :math:`\mu(x)` of each image, coloured by ``color`` (a true factor
    of the data, which the VAE was never told). Right: the decoder's image for
    each :math:`z` of a ``steps`` x ``steps`` grid over :math:`[-l, l]^2`.

    Args:
        model: a trained VAE (or its NumPy twin) with a 2-D latent space.
        images: ``(N, side, side)`` images, ``side ** 2`` the model's ``in_features``.
        color: ``(N,)``, a number per image.
        label: the colour bar's label.
        lim: the grid's half-width :math:`l`.
        steps: the grid's points per side.

    Example:
        >>> from mlnotes.vae import NumpyVAE
        >>> model = NumpyVAE(16, generator=0)
        >>> fig = latent_space_figure(model, np.zeros((3, 4, 4)), np.arange(3.0), steps=3)
        >>> len(fig.axes)
        3
    """
    check_model(model)
    if model.latent_features != 2:
        raise ValueError(f"model must have a 2-D latent space, got {model.latent_features}")
    images, color = _check_images(model, images), _check_array(color, "color", 1, "(N,)")
    if len(color) != len(images):
        raise ValueError(f"color must have one number per image ({len(images)}), got "
                         f"{len(color)}")
    lim, steps = check_number(lim, "lim", 0.0, low_open=True), check_count(steps, "steps")
    side = images.shape[1]
    mu = to_numpy(model.encode(model.as_input(images.reshape(len(images), -1)))[0])
    grid = np.linspace(-lim, lim, steps)
    zz = np.array([[a, b] for b in grid[::-1] for a in grid])  # rows from top: z2 falls
    decoded = to_numpy(sigmoid(model.decode(model.as_input(zz))))
    fig, (ax0, ax1) = new_figure(1, 2, width=8.8, height=4.0)
    points = ax0.scatter(mu[:, 0], mu[:, 1], c=color, cmap="twilight", s=5)
    fig.colorbar(points, ax=ax0, label=label, shrink=0.85)
    ax0.set_xlim(-lim - 0.5, lim + 0.5)
    ax0.set_ylim(-lim - 0.5, lim + 0.5)
    ax0.set_aspect("equal")
    ax0.set_xlabel(r"$\mu_1$")
    ax0.set_ylabel(r"$\mu_2$")
    ax0.set_title("codes of the data", fontsize=10)
    _show_images(ax1, decoded.reshape(-1, side, side), steps,
                 rf"decoded grid, $z \in [-{lim:g}, {lim:g}]^2$")
    fig.alt = (
"Left: the VAE's codes (mu_1, mu_2) of the data, coloured by " + label +
        ", a factor of the data the VAE was never told. Right: the images the decoder makes "
        "from a grid of latent points."
    )
    return fig


def codes_figure(codes: dict[str, np.ndarray], color: np.ndarray, label: str = "angle",
                 radius: float = 2.0) -> Figure:
    r"""Sets of 2-D codes side by side, on shared axes, with the prior's circle of ``radius``.

    One panel per entry of ``codes`` (``{title: (N, 2) array}``, e.g. an autoencoder's
    codes and a VAE's mean codes of the same data), each point coloured by ``color`` (a
    factor of the data, ``(N,)``). The dashed circle of radius :math:`r` holds
    :math:`1 - e^{-r^2/2}` of the prior :math:`\mathcal{N}(0, I)`'s mass (86 % for
    :math:`r = 2`); each panel's title gives the share of its codes outside it.

    Example:
        >>> fig = codes_figure({"wide": np.array([[3.0, 0.0], [0.0, 1.0]]),
        ...                     "narrow": np.array([[0.5, 0.0], [0.0, 1.0]])}, np.arange(2.0))
        >>> [ax.get_title() for ax in fig.axes[:2]]
        ['wide: 50% of codes outside r = 2', 'narrow: 0% of codes outside r = 2']
    """
    arrays = {str(title): c for title, c in _check_arrays(codes, "codes", 2, "(N, 2)").items()}
    color = _check_array(color, "color", 1, "(N,)")
    if any(c.shape != (len(color), 2) for c in arrays.values()):
        raise ValueError(f"codes must hold one (N, 2) array per title, N = {len(color)} codes "
                         f"(one per color), got {({t: c.shape for t, c in arrays.items()})}")
    radius = check_number(radius, "radius", 0.0, low_open=True)
    lim = max(radius, *(np.abs(c).max() for c in arrays.values())) * 1.08
    fig, axes = new_figure(1, len(arrays), width=4.0 * len(arrays) + 0.8, height=4.0)
    axes = np.atleast_1d(axes)
    angle = np.linspace(0, 2 * np.pi, 200)
    for ax, (title, c) in zip(axes, arrays.items(), strict=True):
        points = ax.scatter(c[:, 0], c[:, 1], c=color, cmap="twilight", s=5)
        ax.plot(radius * np.cos(angle), radius * np.sin(angle), "--", color=COLORS["other"],
                lw=1.2)
        outside = np.mean(np.hypot(c[:, 0], c[:, 1]) > radius)
        ax.set_title(f"{title}: {outside:.0%} of codes outside r = {radius:g}", fontsize=10)
        ax.set_xlim(-lim, lim)
        ax.set_ylim(-lim, lim)
        ax.set_aspect("equal")
        ax.set_xlabel(r"$z_1$")
        ax.set_ylabel(r"$z_2$")
    fig.colorbar(points, ax=list(axes), label=label, shrink=0.85)
    fig.alt = (
        "Codes of the data, one panel each for " + ", ".join(arrays) + ", on the same axes, "
        "coloured by " + label + ", with a dashed circle of radius " + f"{radius:g}" +
        " around the origin where the prior N(0, I) puts "
        f"{1 - np.exp(-radius ** 2 / 2):.0%} of its mass; each title gives the share of "
        "codes outside the circle."
    )
    return fig
