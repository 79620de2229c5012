r"""Figures of making training work: initialisation, normalisation, optimizers, loss curves.

They serve the pages :doc:`/init`, :doc:`/normalization`, :doc:`/optimizers` and
:doc:`/debugging`, and the deck "Lecture: Making training work" that presents all
four. A figure draws; the experiments it draws when given no data live with their
concept (:func:`mlnotes.experiments.init_variances`,
:func:`mlnotes.experiments.norm_training_losses`, :func:`mlnotes.experiments.conv_norm_training`,
:func:`mlnotes.experiments.selection_experiment`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from matplotlib.figure import Figure

from ..backend import as_generator, check_bool, check_count, check_number
from ..experiments.init import INIT_SCHEMES, init_variances
from ..experiments.normalization import conv_norm_training, norm_training_losses
from ..norm import batch_norm, layer_norm
from ._figure import COLORS, _check_array, _check_arrays, _check_dict, new_figure


def init_variance_figure(variances: dict[str, dict[str, np.ndarray]] | None = None,
                         **kwargs: int) -> Figure:
    r"""Activation variance against depth, log scale: a tanh network and a ReLU network.

    Args:
        variances: the output of :func:`mlnotes.experiments.init_variances` (computed with
            ``kwargs`` when ``None``): ``{activation: {scheme: variances}}``, two activations,
            schemes among the keys of ``mlnotes.experiments.INIT_SCHEMES``.

    Example:
        >>> len(init_variance_figure(depth=3, width=8, batch=4).axes)
        2
    """

    if variances is None:
        variances = init_variances(**kwargs)
    elif len(_check_dict(variances, "variances", "{activation: {scheme: curve}}")) != 2:
        raise ValueError(f"variances must hold two activations, got {list(variances)}")
    for act, curves in variances.items():  # one panel per activation, one line per scheme
        if not set(_check_arrays(curves, f"variances[{act!r}]", 1, finite=False)) <= set(
                INIT_SCHEMES):
            raise ValueError(f"variances[{act!r}] must be keyed by schemes among "
                             f"{list(INIT_SCHEMES)}, got {list(curves)}")
    colors = {"small": COLORS["fourth"], "large": COLORS["other"], "xavier": COLORS["third"],
              "xavier_tanh": COLORS["ours"], "he": COLORS["ours"]}
    fig, axes = new_figure(1, 2, width=9.0, height=3.6)
    for ax, (act, curves) in zip(axes, variances.items(), strict=True):
        for scheme, v in curves.items():
            layers = np.arange(1, len(v) + 1)
            ax.semilogy(layers, v, label=INIT_SCHEMES[scheme], color=colors[scheme], lw=2)
        ax.set_title(f"{act} network, width {kwargs.get('width', 512)}")
        ax.set_xlabel("layer")
        ax.set_ylim(1e-30, 1e30)
        ax.axhline(1.0, color="grey", lw=0.5)
        ax.legend(fontsize=8, loc="lower right")
    axes[0].set_ylabel("variance of the activations")
    fig.alt = (
        "Log-scale variance of the activations against layer, one panel per activation "
        "function and one line per initialisation scheme, showing which schemes keep the "
        "variance level through the layers and which let it shrink or grow."
    )
    return fig


def normalisation_axes_figure(generator: int | np.random.Generator = 0) -> Figure:
    r"""Which numbers share a mean: a batch as it is, after batch norm, after layer norm.

    A batch of 6 samples (rows) with 5 features (columns) of very different
    offsets and scales, then :func:`~mlnotes.norm.batch_norm` (each column
    standardised) and :func:`~mlnotes.norm.layer_norm` (each row standardised).

    Args:
        generator: an int seed or a ``numpy.random.Generator`` for the batch.

    Example:
        >>> len(normalisation_axes_figure().axes)
        6
    """

    rng = as_generator(generator)
    x = rng.normal(size=(6, 5)) * np.array([0.5, 1.0, 2.0, 4.0, 8.0]) + np.arange(5) * 3.0
    panels = [("input x", x),
              ("batch norm: each column", batch_norm(x, None, None, training=True)),
              ("layer norm: each row", layer_norm(x, 5))]
    fig, axes = new_figure(1, 3, width=10.0, height=3.2)
    for ax, (title, v) in zip(axes, panels, strict=True):
        lim = np.abs(v).max()
        im = ax.imshow(v, cmap="RdBu_r", vmin=-lim, vmax=lim)
        for (i, j), val in np.ndenumerate(v):
            ax.text(j, i, f"{val:.1f}", ha="center", va="center", fontsize=7)
        ax.set_title(title)
        ax.set_xlabel("feature")
        ax.set_xticks(range(5))
        ax.set_yticks(range(6))
        fig.colorbar(im, ax=ax, shrink=0.8)
    axes[0].set_ylabel("sample")
    fig.alt = (
        "Three heat maps of a batch of 6 samples (rows) by 5 features (columns), values "
        "written in each cell: the input, whose columns have very different offsets and "
        "scales; after batch norm, each column standardised; after layer norm, each row "
        "standardised."
    )
    return fig


def norm_training_figure(losses: dict[str, np.ndarray] | None = None, **kwargs: Any) -> Figure:
    r"""Training loss against step for the models of
    :func:`mlnotes.experiments.norm_training_losses`.

    Args:
        losses: ``{norm: losses}``, ``norm`` among ``"none"``, ``"batch"`` and ``"layer"``
            (run by :func:`~mlnotes.experiments.norm_training_losses` with ``kwargs`` when
            ``None``).

    Example:
        >>> len(norm_training_figure({"none": np.ones(3)}).axes)
        1
    """

    names = {"none": "no normalisation", "batch": "batch norm", "layer": "layer norm"}
    if losses is None:
        losses = norm_training_losses(**kwargs)
    elif not set(_check_arrays(losses, "losses", 1, finite=False)) <= set(names):
        raise ValueError(f"losses must be keyed by {list(names)}, got {list(losses)}")
    colors = {"none": COLORS["other"], "batch": COLORS["ours"], "layer": COLORS["third"]}
    fig, ax = new_figure(width=6.0, height=3.4)
    for norm, curve in losses.items():
        ax.plot(np.arange(len(curve)), curve, label=names[norm], color=colors[norm], lw=2)
    ax.set_xlabel("gradient step")
    ax.set_ylabel("training loss (cross-entropy)")
    ax.set_ylim(0, None)
    ax.legend()
    fig.alt = (
        "Training loss (cross-entropy) against gradient step for the same deep network " + ", "
        .join(names[n] for n in losses) + "."
    )
    return fig


_CONV_NAMES = {"none": "no normalisation", "batch": "batch norm",
               "noisy": "batch norm + random shift"}


def conv_norm_figure(runs: dict[str, dict[str, np.ndarray]] | None = None,
                     **kwargs: Any) -> Figure:
    r"""The conv net of :func:`mlnotes.experiments.conv_norm_training`: its training loss
    (left) and the covariate shift of its second convolution's input (right), per step.

    Given no ``runs``, it runs the experiment with ``kwargs``.

    Example:
        >>> runs = {"none": {"loss": np.ones(3), "shift": np.full(2, 0.1)}}
        >>> len(conv_norm_figure(runs).axes)
        2
    """
    runs = conv_norm_training(**kwargs) if runs is None else runs
    colors = {"none": COLORS["other"], "batch": COLORS["ours"], "noisy": COLORS["third"]}
    styles = {"none": "-", "batch": "-", "noisy": "--"}
    fig, (ax0, ax1) = new_figure(ncols=2, width=9.0, height=3.4)
    for norm, run in runs.items():
        kw = {"label": _CONV_NAMES[norm], "color": colors[norm], "ls": styles[norm], "lw": 1.5}
        ax0.plot(np.arange(len(run["loss"])), run["loss"], **kw)
        ax1.plot(np.arange(1, len(run["shift"]) + 1), run["shift"], **kw)
    ax0.set_xlabel("SGD step")
    ax0.set_ylabel("minibatch loss (cross-entropy)")
    ax0.set_ylim(0, None)
    ax0.set_title("training loss")
    ax1.set_xlabel("SGD step")
    ax1.set_ylabel("shift of the 2nd conv's input")
    ax1.set_yscale("log")
    ax1.set_title("covariate shift, step to step")
    ax0.legend()
    fig.alt = (
        "Two panels against SGD step for the same small conv net with "
        + ", ".join(_CONV_NAMES[n] for n in runs)
        + ": left the minibatch training loss, right (log scale) how far the input "
        "distribution of the second convolution moves in one step."
    )
    return fig


def optimizer_paths_figure(H: np.ndarray, paths: dict, tol: float | None = None,
                           show_steps: int = 80) -> Figure:
    r"""Optimizer trajectories on the contours of :math:`f(x) = \frac12 x^\top H x`, and f per step.

    Left: the first ``show_steps`` points of each path over the level sets of
    ``f``. Right: :math:`f(x_t)` against the step :math:`t` (log scale), with
    the tolerance ``tol`` as a dashed line.

    Args:
        H: the 2 x 2 Hessian (see :func:`mlnotes.experiments.ravine_hessian`).
        paths: ``{label: points}``, each ``(T + 1, 2)`` from
            :func:`mlnotes.optim.trajectory`.
        tol: optional tolerance to draw on the right.
        show_steps: how many steps of each path to draw on the left.

    Example:
        >>> from mlnotes.optim import sgd_step, trajectory
        >>> H = np.diag([1.0, 10.0])
        >>> path = trajectory(sgd_step, lambda x: H @ x, [-3.0, 1.0], 20, lr=0.1)
        >>> len(optimizer_paths_figure(H, {"SGD": path}).axes)
        2
    """
    H = _check_array(H, "H", 2, "(2, 2)")
    if H.shape != (2, 2):
        raise ValueError(f"H must be a 2 x 2 Hessian, got shape {H.shape}")
    paths = _check_arrays(paths, "paths", 2, "(T + 1, 2)")
    if any(p.shape[1] != 2 for p in paths.values()):
        raise ValueError(f"paths must hold (T + 1, 2) points, got shapes "
                         f"{ {k: p.shape for k, p in paths.items()} }")
    tol = None if tol is None else check_number(tol, "tol", 0.0, low_open=True)
    show_steps = check_count(show_steps, "show_steps")
    fig, (ax0, ax1) = new_figure(1, 2, width=10.0, height=3.8)
    reach = max(np.abs(p).max() for p in paths.values()) * 1.1
    u = np.linspace(-reach, reach, 201)
    U, V = np.meshgrid(u, u / 2)
    F = 0.5 * (H[0, 0] * U**2 + (H[0, 1] + H[1, 0]) * U * V + H[1, 1] * V**2)
    ax0.contour(U, V, F, levels=np.geomspace(max(F.min(), 1e-3), F.max(), 14),
                colors="grey", linewidths=0.6)
    colors = list(COLORS.values())
    for (label, path), color in zip(paths.items(), colors * 2, strict=False):
        p = np.asarray(path)[: show_steps + 1]
        ax0.plot(p[:, 0], p[:, 1], ".-", ms=3, lw=1, label=label, color=color)
        values = 0.5 * np.einsum("ti,ij,tj->t", path, H, path)
        ax1.semilogy(values, label=label, color=color)
    ax0.plot(0, 0, "k*", ms=10)
    ax0.set_xlim(-reach, reach)
    ax0.set_ylim(-reach / 2, reach / 2)
    ax0.set_title(f"the first {show_steps} steps")
    ax0.legend(fontsize=8, loc="lower right")
    if tol is not None:
        ax1.axhline(tol, color="k", ls="--", lw=0.8, label="tolerance")
    ax1.set_xlabel("step t")
    ax1.set_ylabel(r"$f(x_t)$")
    ax1.set_title("loss per step")
    ax1.legend(fontsize=8)
    fig.alt = (
        "Left: the first steps of each optimizer on the contours of a quadratic. Right: the "
        "loss per step on a log scale, one line per optimizer."
    )
    return fig


def loss_curves_figure(histories: dict, logy: bool = True) -> Figure:
    r"""Training curves: the loss after each step for each run in ``histories``.

    Args:
        histories: ``{label: losses}``, one 1-D sequence per run; a run stopped when its
            loss stopped being finite may end in NaN or infinity (not drawn).
        logy: whether the loss axis is logarithmic.

    Example:
        >>> len(loss_curves_figure({"run": [1.0, 0.5, 0.2]}).axes)
        1
    """
    histories = _check_arrays(histories, "histories", 1, "(steps,)", finite=False)
    logy = check_bool(logy, "logy")
    fig, ax = new_figure(width=6.4, height=3.2)
    for (label, values), color in zip(histories.items(), list(COLORS.values()) * 2,
                                      strict=False):
        ax.plot(np.arange(1, len(values) + 1), values, label=label, color=color)
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel("step")
    ax.set_ylabel("training loss")
    ax.legend(fontsize=8)
    fig.alt = (
        "Training loss against step, one line per run: " + ", ".join(str(k) for k in histories)
        + "."
    )
    return fig


def selection_figure(val: np.ndarray, test: np.ndarray) -> Figure:
    r"""Validation against test accuracy of every setting; the validation winner marked.

    ``val`` is one validation draw (``(n_settings,)``), ``test`` the fresh test
    accuracies. Points above the diagonal look better on validation than
    they are.

    Example:
        >>> len(selection_figure(np.array([0.5, 0.7]), np.array([0.6, 0.6])).axes)
        1
    """
    val, test = _check_array(val, "val", 1, "(n_settings,)"), _check_array(test, "test", 1)
    if test.shape != val.shape:
        raise ValueError(f"val and test must have one accuracy per setting each, got shapes "
                         f"{val.shape} and {test.shape}")
    fig, ax = new_figure(width=4.8, height=4.0)
    ax.scatter(test, val, s=12, color=COLORS["ours"], alpha=0.7, label="one setting")
    best = int(np.argmax(val))
    ax.scatter(test[best], val[best], s=120, marker="*", color=COLORS["other"],
               label=f"chosen: val {val[best]:.2f}, test {test[best]:.2f}", zorder=3)
    lo, hi = min(val.min(), test.min()) - 0.02, max(val.max(), test.max()) + 0.02
    ax.plot([lo, hi], [lo, hi], "k--", lw=0.8, label="val = test")
    ax.set_xlabel("test accuracy (fresh data)")
    ax.set_ylabel("validation accuracy")
    ax.legend(fontsize=8, loc="upper left")
    fig.alt = (
        f"Scatter of validation accuracy against test accuracy for {len(val)} settings, with "
        "the diagonal val = test; points above it look better on validation than they are. "
        "The setting chosen for its best validation score (star) has validation accuracy "
        f"{val[best]:.2f} and test accuracy {test[best]:.2f}."
    )
    return fig

