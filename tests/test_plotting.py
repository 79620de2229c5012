"""Figures are readable by every reader (a colour-blind-safe palette, a description each),
and each draws what it says it draws."""

from __future__ import annotations

import ast
import inspect
import itertools
from pathlib import Path

import numpy as np
import pytest
import torch

from mlnotes import plotting

# Machado, Oliveira and Fernandes (2009): full deuteranopia, applied in linear RGB.
DEUTERANOPIA = np.array([
    [0.367322, 0.860646, -0.227968],
    [0.280085, 0.672501, 0.047413],
    [-0.011820, 0.042940, 0.968881],
])


def _linear(hex_colour: str) -> np.ndarray:
    srgb = np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)]) / 255.0
    return np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)


def _lab(linear_rgb: np.ndarray) -> np.ndarray:
    """CIE L*a*b* (D65) of a linear-RGB colour."""
    xyz = np.array([
        [0.4124, 0.3576, 0.1805],
        [0.2126, 0.7152, 0.0722],
        [0.0193, 0.1192, 0.9505],
    ]) @ np.clip(linear_rgb, 0, 1)
    t = xyz / np.array([0.95047, 1.0, 1.08883])
    f = np.where(t > (6 / 29) ** 3, np.cbrt(t), t / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def _closest_pair_as_deuteranope(colours) -> float:
    """The smallest colour difference (CIE76 Delta E) between two colours, as seen
    by a reader without green-sensitive cones."""
    seen = [_lab(DEUTERANOPIA @ _linear(c)) for c in colours]
    return min(float(np.linalg.norm(a - b)) for a, b in itertools.combinations(seen, 2))


def test_palette_stays_apart_for_deuteranopes():
    ours = _closest_pair_as_deuteranope(plotting.COLORS.values())
    # matplotlib's first four default colours (blue, orange, green, red), for contrast:
    # their red and green collapse for a deuteranope
    default = _closest_pair_as_deuteranope(["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728"])
    print(f"closest pair under simulated deuteranopia: ours {ours:.1f}, "
          f"matplotlib's default {default:.1f} (Delta E)")
    assert default < 10  # the check can tell a palette that fails
    assert ours > 20


def _figure_helpers():
    return [name for name, f in inspect.getmembers(plotting, inspect.isfunction)
            if name.endswith("_figure") and not name.startswith("_") and name != "new_figure"
            and f.__module__.startswith(plotting.__name__ + ".")]


def _contrast_on_white(hex_colour: str) -> float:
    luminance = float(np.array([0.2126, 0.7152, 0.0722]) @ _linear(hex_colour))
    return 1.05 / (luminance + 0.05)


@pytest.mark.parametrize("colour", list(plotting.COLORS.values()))
def test_palette_lines_stand_out_from_the_background(colour):
    # WCAG 2.1 1.4.11: graphical objects need 3:1 against what surrounds them
    assert _contrast_on_white(colour) >= 3.0


@pytest.mark.parametrize("name", _figure_helpers())
def test_every_figure_helper_describes_its_figure(name):
    source = inspect.getsource(getattr(plotting, name))
    tree = ast.parse(source.lstrip())
    assigned = [
        node for node in ast.walk(tree)
        if isinstance(node, ast.Assign)
        and any(isinstance(t, ast.Attribute) and t.attr == "alt" for t in node.targets)
    ]
    assert assigned, f"{name} draws a figure but gives it no description (fig.alt)"


def test_every_figure_helper_is_tested_for_what_it_draws():
    # this file, and the families tested in files of their own (test_plotting_<family>.py)
    here = Path(__file__)
    source = "".join(p.read_text() for p in [here, *here.parent.glob(f"{here.stem}_*.py")])
    untested = [name for name in _figure_helpers() if f"plotting.{name}(" not in source]
    assert not untested, f"no test calls {untested}"


def test_description_is_written_into_the_png():
    fig = plotting.temperature_figure([1.0, 2.0, 3.0], betas=(1.0,))
    from io import BytesIO

    from PIL import Image

    with Image.open(BytesIO(fig._repr_png_())) as png:
        text = png.info["Description"]
    assert text == fig.alt
    assert "hardmax" in text and "x = [1. 2. 3.]" in text


def test_a_figure_as_a_deuteranope_sees_it(tmp_path):
    """Draw the soft gate's figure (three palette colours on one axes), simulate
    deuteranopia on its pixels and keep both pictures (_build/screenshots) for the
    notes; its three curves stay apart in the simulated picture."""
    from io import BytesIO

    from PIL import Image

    fig = plotting.soft_gate_figure()
    with Image.open(BytesIO(fig._repr_png_())) as png:
        rgb = np.asarray(png.convert("RGB"), dtype=np.float64) / 255.0
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    seen = np.clip(linear @ DEUTERANOPIA.T, 0, 1)
    srgb = np.where(seen <= 0.0031308, 12.92 * seen, 1.055 * seen ** (1 / 2.4) - 0.055)
    out = Path(__file__).resolve().parents[1] / "_build" / "screenshots"
    out = out if out.parent.is_dir() else tmp_path
    out.mkdir(parents=True, exist_ok=True)
    Image.fromarray((rgb * 255).round().astype(np.uint8)).save(out / "soft-gate.png")
    Image.fromarray((srgb * 255).round().astype(np.uint8)).save(out / "soft-gate-deuteranopia.png")
    # the curves' colours, found in the drawing, as the deuteranope sees them
    curves = [plotting.COLORS[k] for k in ("third", "other", "fourth")]
    found = []
    for c in curves:
        target = np.array([int(c[i:i + 2], 16) for i in (1, 3, 5)]) / 255.0
        mask = np.abs(rgb - target).max(axis=-1) < 2 / 255
        assert mask.sum() > 100, f"{c} is not drawn"
        found.append(seen[mask].mean(axis=0))
    for a, b in itertools.combinations(found, 2):
        assert np.linalg.norm(_lab(a) - _lab(b)) > 20


# ============================================ what each figure draws, family by family
# Each helper is held to what it says it draws: the data on its lines, bars and
# images against a direct computation (NumPy formulas, or torch where the package's
# function is what the figure claims to show), its titles, labels, legends and its
# description, fig.alt.


def _legend(ax):
    return [t.get_text() for t in ax.get_legend().get_texts()]


def _bar_heights(ax):
    return np.array([p.get_height() for p in ax.patches])


def _softmax(x, axis=-1):
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


def test_the_figure_factory():
    fig, axes = plotting.new_figure(2, 3, width=5.0, height=2.0)
    assert isinstance(fig, plotting._figure.Figure) and axes.shape == (2, 3)
    assert tuple(fig.get_size_inches()) == (5.0, 2.0)
    colours = [axes[1, 2].plot([0, 1])[0].get_color() for _ in plotting.COLORS]
    assert colours == list(plotting.COLORS.values())  # lines without a colour take ours
    png = fig._repr_png_()
    assert png[:4] == b"\x89PNG" and b"Description" not in png  # no description: none written


def test_tiles_put_each_image_in_its_cell():
    images = np.arange(5 * 2 * 3, dtype=float).reshape(5, 2, 3)
    mosaic = plotting._figure._tile(images, ncols=2)
    assert mosaic.shape == (3 * 3 - 1, 2 * 4 - 1)
    np.testing.assert_array_equal(mosaic[3:5, 4:7], images[3])  # row 1, column 1
    assert np.isnan(mosaic[2]).all() and np.isnan(mosaic[6:, 4:]).all()  # padding, empty cell


# --------------------------------------------------------------------------- softmax


def test_temperature_figure_draws_softmax_at_each_beta_and_hardmax():
    x, betas = np.array([1.0, 2.0, 0.5]), (0.5, 3.0)
    fig = plotting.temperature_figure(x, betas)
    assert len(fig.axes) == 3
    for ax, beta in zip(fig.axes, betas, strict=False):
        np.testing.assert_allclose(_bar_heights(ax), _softmax(beta * x), rtol=1e-12)
        assert ax.get_title() == rf"$\beta = {beta:g}$"
    np.testing.assert_array_equal(_bar_heights(fig.axes[-1]), [0, 1, 0])
    assert fig.axes[-1].get_title() == "hardmax"
    assert fig.axes[0].get_ylabel() == "probability"
    assert "one panel per beta (0.5, 3)" in fig.alt and "hardmax" in fig.alt


def test_normalisation_figure_draws_both_shares_and_writes_them():
    fig = plotting.normalisation_figure((1.0, 3.0))
    (ax,) = fig.axes
    heights = _bar_heights(ax)
    np.testing.assert_allclose(heights[:2], [0.25, 0.75])
    np.testing.assert_allclose(heights[2:], _softmax(np.array([1.0, 3.0])), rtol=1e-12)
    assert _legend(ax) == ["x / sum(x)", "softmax(x)"]
    assert [t.get_text() for t in ax.texts] == ["0.25", "0.12", "0.75", "0.88"]
    assert [t.get_text() for t in ax.get_xticklabels()] == ["x = 1", "x = 3"]
    assert "softmax" in fig.alt


def test_saturation_figure_draws_the_two_gradient_norms():
    gaps = np.array([0.0, 2.0, 10.0, 25.0])
    fig = plotting.saturation_figure(gaps, k=4)
    (ax,) = fig.axes
    p = _softmax(np.stack([gaps, *[np.zeros_like(gaps)] * 3], axis=1))
    dist = np.linalg.norm(p - np.eye(4)[1], axis=1)  # |p - e_1|
    soft, logsoft = ax.lines
    np.testing.assert_array_equal(soft.get_xdata(), gaps)
    np.testing.assert_allclose(soft.get_ydata(), p[:, 1] * dist, rtol=1e-12)
    np.testing.assert_allclose(logsoft.get_ydata(), dist, rtol=1e-12)
    assert ax.get_yscale() == "log"
    assert _legend(ax) == [r"loss $-p_1$ (softmax)", r"loss $-\log p_1$ (log-softmax)"]
    assert "vanishes" in fig.alt


def test_jacobian_figure_draws_both_jacobians():
    x = np.array([1.0, 2.0, 0.5])
    fig = plotting.jacobian_figure(x)
    ax0, ax1 = fig.axes[:2]
    y, s = _softmax(x), _sigmoid(x)
    np.testing.assert_allclose(ax0.images[0].get_array(), np.diag(y) - np.outer(y, y),
                               rtol=1e-12)
    np.testing.assert_allclose(ax1.images[0].get_array(), np.diag(s * (1 - s)), rtol=1e-12)
    assert [ax0.get_title(), ax1.get_title()] == ["softmax: every input",
                                                  "sigmoid: its own input"]
    assert ax0.get_xlabel() == "input j" and ax0.get_ylabel() == "output k"
    lo, hi = ax0.images[0].get_clim()
    assert lo == -hi  # a symmetric colour scale: 0 is white
    assert "diagonal" in fig.alt


def test_activation_curves_figure_draws_the_functions_and_their_slopes():
    fig = plotting.activation_curves_figure(lim=3.0)
    ax0, ax1 = fig.axes
    x = ax0.lines[0].get_xdata()
    assert x[0] == -3.0 and x[-1] == 3.0
    s, t = _sigmoid(x), np.tanh(x)
    expected = [s, s * (1 - s), t, 1 - t**2]
    for line, y in zip(ax0.lines[:4], expected, strict=True):
        np.testing.assert_allclose(line.get_ydata(), y, rtol=1e-12, atol=1e-15)
    assert _legend(ax0) == [r"$\sigma(x)$", r"$\sigma'(x)$", r"$\tanh(x)$", r"$\tanh'(x)$"]
    np.testing.assert_allclose(ax1.lines[0].get_ydata(), t, rtol=1e-12)
    np.testing.assert_allclose(ax1.lines[1].get_ydata(), 2 * _sigmoid(2 * x) - 1, atol=1e-15)
    assert ax1.get_title() == "tanh is a rescaled sigmoid"
    assert "same curve" in fig.alt


def test_max_family_figure_draws_each_hard_function_and_its_soft_twin():
    fig = plotting.max_family_figure(lim=2.0)
    ax0, ax1 = fig.axes
    a = ax0.lines[0].get_xdata()
    np.testing.assert_array_equal(ax0.lines[0].get_ydata(), np.maximum(a, 0))
    np.testing.assert_allclose(ax0.lines[1].get_ydata(), np.logaddexp(0, a), rtol=1e-12)
    np.testing.assert_array_equal(ax1.lines[0].get_ydata(), (a > 0).astype(float))
    np.testing.assert_allclose(ax1.lines[1].get_ydata(), _sigmoid(a), rtol=1e-12)
    assert ax0.get_title() == "max and its soft version"
    assert ax1.get_title() == "argmax and its soft version"
    assert "sigmoid of a" in fig.alt


def test_bce_graph_figure_writes_the_numbers_of_one_example():
    z, y = 0.8, 1.0
    fig = plotting.bce_graph_figure(z, y)
    a = _sigmoid(z)
    loss = -np.log(a)
    texts = " ".join(t.get_text() for t in fig.axes[0].texts)
    assert f"a = {a:.3f}" in texts and f"L = {loss:.3f}" in texts
    assert f"= {a - y:.3f}" in texts  # dL/dz = a - y
    assert f"= {(a - y) / (a * (1 - a)):.3f}" in texts  # dL/da
    assert f"dL/dz = a - y = {a - y:.3f}" in fig.alt


# ---------------------------------------------------------------------------- losses


def test_regression_losses_figure_draws_both_losses_and_the_best_constants():
    data = np.array([0.7, 0.8, 1.0, 1.2, 10.0])
    fig = plotting.regression_losses_figure(data, lim=2.0)
    ax0, ax1 = fig.axes
    r = ax0.lines[0].get_xdata()
    for line, y in zip(ax0.lines[:4], (r**2, 2 * r, np.abs(r), np.sign(r)), strict=True):
        np.testing.assert_allclose(line.get_ydata(), y, rtol=1e-12)
    assert _legend(ax0) == ["$r^2$", "slope $2r$", "$|r|$", r"slope $\mathrm{sign}(r)$"]
    mse_line, l1_line, mean_line, median_line, ticks = ax1.lines
    c = mse_line.get_xdata()
    mse = ((c[:, None] - data) ** 2).mean(axis=1)
    l1 = np.abs(c[:, None] - data).mean(axis=1)
    np.testing.assert_allclose(mse_line.get_ydata(), mse / mse.max(), rtol=1e-12)
    np.testing.assert_allclose(l1_line.get_ydata(), l1 / l1.max(), rtol=1e-12)
    assert mean_line.get_xdata()[0] == data.mean() and median_line.get_xdata()[0] == 1.0
    np.testing.assert_array_equal(ticks.get_xdata(), data)
    assert _legend(ax1) == ["MSE (scaled)", "L1 (scaled)", f"mean = {data.mean():.2f}",
                            "median = 1.00", "data"]
    assert ax1.get_title() == "best constant for the data" and "median" in fig.alt


def test_nll_curve_figure_draws_the_binomial_nll_and_the_likelihood():
    flips = np.array([1, 0, 1, 1, 1, 0, 1, 1])
    thetas = np.linspace(0.05, 0.95, 19)
    fig = plotting.nll_curve_figure(flips, thetas)
    ax, twin = fig.axes
    k, n = flips.sum(), len(flips)
    nll = -(k * np.log(thetas) + (n - k) * np.log(1 - thetas))
    curve, mle, best = ax.lines
    np.testing.assert_allclose(curve.get_ydata(), nll, rtol=1e-12)
    assert mle.get_xdata()[0] == k / n
    assert best.get_xdata()[0] == thetas[np.argmin(nll)] and best.get_ydata()[0] == nll.min()
    np.testing.assert_allclose(twin.lines[0].get_ydata(), np.exp(-nll), rtol=1e-12)
    assert _legend(ax) == ["NLL($\\theta$) = -log likelihood", "k/n = 0.75", "argmin = 0.75"]
    assert ax.get_ylabel() == "summed NLL" and twin.get_ylabel() == "likelihood"
    assert "k/n" in fig.alt


def test_sigmoid_pitfall_figure_histograms_each_label():
    y = np.array([0, 0, 1, 1, 1])
    outputs = {"loss A": [0.1, 0.62, 0.7, 0.9, 0.97], "loss B": [0.55, 0.6, 0.6, 0.65, 0.7]}
    fig = plotting.sigmoid_pitfall_figure(y, outputs)
    bins = np.linspace(0, 1, 21)
    for ax, (title, a) in zip(fig.axes, outputs.items(), strict=True):
        a = np.asarray(a)
        expected = np.concatenate([np.histogram(a[y == 0], bins)[0],
                                   np.histogram(a[y == 1], bins)[0]])
        np.testing.assert_array_equal(_bar_heights(ax), expected)
        assert ax.get_title() == title and _legend(ax) == ["label y = 0", "label y = 1"]
    assert fig.axes[0].get_ylabel() == "count"
    assert "(loss A, loss B)" in fig.alt


def test_multilabel_figure_marks_who_got_the_whole_label_set():
    X = np.array([[1.0, 1.0], [-1.0, 1.0], [1.0, -1.0], [-1.0, -1.0]])
    Y = (X > 0) * 1.0
    half = Y.copy()
    half[:2] = 1 - half[:2]  # the first two wrong
    fig = plotting.multilabel_figure(X, Y, {"all": Y, "half": half})
    ax_all, ax_half = fig.axes
    assert ax_all.get_title() == "all: 100% right" and ax_half.get_title() == "half: 50% right"
    right, wrong = ax_half.collections
    np.testing.assert_array_equal(right.get_offsets(), X[2:])
    np.testing.assert_array_equal(wrong.get_offsets(), X[:2])
    assert _legend(ax_all) == ["label set right", "label set wrong"]
    assert "fraction right" in fig.alt


def test_ce_graph_figure_writes_the_forward_and_the_gradient():
    z, target = np.array([0.5, 2.0, -1.0]), 2
    fig = plotting.ce_graph_figure(z, target)
    a = _softmax(z)
    loss = -np.log(a[target])
    dz = a - np.eye(3)[target]
    fmt = "[" + ", ".join(f"{v:.2f}" for v in dz) + "]"
    texts = " ".join(t.get_text() for t in fig.axes[0].texts)
    assert "a = [" + ", ".join(f"{v:.2f}" for v in a) + "]" in texts
    assert f"L = {loss:.3f}" in texts and fmt in texts
    assert f"= {-1 / a[target]:.2f}" in texts  # dL/da_y = -1/a_y
    assert f"target class {target}" in fig.alt and fmt in fig.alt


def test_margin_ranking_figure_draws_the_loss_over_the_plane_and_the_difference():
    margin = 0.5
    fig = plotting.margin_ranking_figure(margin=margin, lim=2.0)
    ax0, ax1 = fig.axes[:2]
    s = np.linspace(-2.0, 2.0, 121)
    x1, x2 = np.meshgrid(s, s)
    np.testing.assert_allclose(ax0.images[0].get_array(), np.maximum(0, -(x1 - x2) + margin),
                               rtol=1e-12)
    assert ax0.get_title() == "y = 1, margin = 0.5" and ax0.get_xlabel() == "$x_1$ (should lead)"
    d = ax1.lines[0].get_xdata()
    for line, y in zip(ax1.lines[:2], (1.0, -1.0), strict=True):
        np.testing.assert_allclose(line.get_ydata(), np.maximum(0, -y * d + margin), rtol=1e-12)
    assert _legend(ax1) == ["y = +1", "y = -1"] and ax1.get_title() == "only the difference matters"
    assert "only the difference matters" in fig.alt


# ------------------------------------------------------------------------------ conv


def test_conv_net_figure_draws_the_measured_shapes():
    layers = (("conv", 3, 3, 1), ("pool", 2), ("flatten",), ("linear", 5))
    fig = plotting.conv_net_figure(layers, (1, 8, 8))
    (ax,) = fig.axes
    texts = [t.get_text() for t in ax.texts]
    for shape_text in ("1@8x8", "3@8x8", "3@4x4", "48", "5"):
        assert shape_text in texts
    assert "conv 3x3, pad 1\n+ ReLU" in texts and "max pool 2x2" in texts
    assert fig.alt == ("Diagram of a convolutional network from left to right: input giving "
                       "1x8x8, then conv 3x3, pad 1 + ReLU giving 3x8x8, then max pool 2x2 "
                       "giving 3x4x4, then flatten giving 48, then linear giving 5.")


def test_sobel_figure_draws_the_image_and_torchs_sobel_responses():
    image = np.zeros((8, 8))
    image[2:6, 3:] = 1.0
    fig = plotting.sobel_figure(image)
    gx_kernel = torch.tensor([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]],
                             dtype=torch.float64)
    kernels = torch.stack([gx_kernel, gx_kernel.T])[:, None]  # (2, 1, 3, 3)
    g = torch.nn.functional.conv2d(torch.tensor(image)[None, None], kernels, padding=1)[0]
    g = g.numpy()
    panels = [ax.images[0].get_array() for ax in fig.axes]
    np.testing.assert_array_equal(panels[0], image)
    np.testing.assert_allclose(panels[1], g[0], atol=1e-12)
    np.testing.assert_allclose(panels[2], g[1], atol=1e-12)
    np.testing.assert_allclose(panels[3], np.hypot(g[0], g[1]), atol=1e-12)
    assert [ax.get_title() for ax in fig.axes] == [
        "image", r"$G_x$: vertical edges", r"$G_y$: horizontal edges", "edge magnitude"]
    assert "edge magnitude" in fig.alt


def test_pooling_figure_draws_both_images_and_their_max_pools():
    x = np.zeros((4, 4))
    x[0, 0] = 1.0
    shifted = np.roll(x, 1, axis=1)
    fig = plotting.pooling_figure(x, shifted)
    axes = fig.axes  # row by row: image, shifted, their pools
    pool = x.reshape(2, 2, 2, 2).max(axis=(1, 3))
    np.testing.assert_array_equal(axes[0].images[0].get_array(), x)
    np.testing.assert_array_equal(axes[1].images[0].get_array(), shifted)
    np.testing.assert_array_equal(axes[2].images[0].get_array(), pool)
    np.testing.assert_array_equal(axes[3].images[0].get_array(), pool)  # the shift is hidden
    assert [ax.get_title() for ax in axes] == ["image", "shifted by one pixel",
                                               "max pool 2x2", "max pool 2x2"]
    assert "unchanged" in fig.alt


def test_neighbour_figure_scatters_neighbours_and_gives_their_correlation():
    f = np.cumsum(np.random.default_rng(0).normal(size=(30, 30)), axis=1)  # smooth rows
    fig = plotting.neighbour_figure(f, far=5, max_points=200, generator=1)
    for ax, d in zip(fig.axes, (1, 5), strict=True):
        a, b = f[:, :-d].ravel(), f[:, d:].ravel()
        r = np.corrcoef(a, b)[0, 1]
        assert ax.get_title() == f"{d} pixel{'s' if d > 1 else ''} to the right: r = {r:.2f}"
        points = ax.collections[0].get_offsets()
        assert len(points) == 200
        # every point is a pair (value, its neighbour d to the right)
        assert set(map(tuple, np.asarray(points))) <= set(zip(a, b, strict=True))
        assert ax.get_ylabel() == f"output at (r, c + {d})"
    again = plotting.neighbour_figure(f, far=5, max_points=200, generator=1)
    np.testing.assert_array_equal(again.axes[0].collections[0].get_offsets(),
                                  fig.axes[0].collections[0].get_offsets())
    assert "up to 5" in fig.alt


# ------------------------------------------------------------------------------- vae


def test_gradient_estimators_figure_draws_both_histograms_and_the_truth():
    rng = np.random.default_rng(0)
    pathwise, score = rng.normal(size=300), 5 * rng.normal(size=300)
    fig = plotting.gradient_estimators_figure(pathwise, score, 0.25)
    (ax,) = fig.axes
    lo, hi = np.percentile(score, [1, 99])
    bins = np.linspace(min(lo, pathwise.min()), max(hi, pathwise.max()), 81)
    heights = _bar_heights(ax)
    expected = np.concatenate([np.histogram(score, bins, density=True)[0],
                               np.histogram(pathwise, bins, density=True)[0]])
    np.testing.assert_allclose(heights, expected, rtol=1e-12)
    assert ax.lines[0].get_xdata()[0] == 0.25
    assert _legend(ax) == [f"score function: variance {score.var():.3g}",
                           f"pathwise: variance {pathwise.var():.3g}", "true gradient 0.25"]
    assert "both variances" in fig.alt


@pytest.fixture(scope="module")
def vae_model():
    from mlnotes.vae import VAE

    return VAE(16, hidden_features=8, generator=0)


def test_vae_reconstructions_figure_draws_the_data_over_the_reconstructions(vae_model):
    images = np.random.default_rng(1).random((5, 4, 4))
    fig = plotting.vae_reconstructions_figure(vae_model, images, n=3)
    top, bottom = fig.axes
    recon = vae_model.reconstruct(torch.tensor(images[:3].reshape(3, -1), dtype=torch.float32))
    tiles = plotting._figure._tile
    np.testing.assert_allclose(top.images[0].get_array(), tiles(images[:3], 3))
    np.testing.assert_allclose(bottom.images[0].get_array(),
                               tiles(recon.numpy().reshape(3, 4, 4), 3), rtol=1e-6)
    assert [top.get_title(), bottom.get_title()] == ["data", "reconstruction"]
    assert "reconstructions" in fig.alt


def test_vae_samples_figure_draws_the_decoded_draws_of_its_generator(vae_model):
    fig = plotting.vae_samples_figure(vae_model, n=6, generator=3, ncols=3)
    (ax,) = fig.axes
    x = vae_model.sample(6, torch.Generator().manual_seed(3)).numpy().reshape(6, 4, 4)
    np.testing.assert_allclose(ax.images[0].get_array(), plotting._figure._tile(x, 3))
    assert ax.get_title() == r"samples: $z \sim \mathcal{N}(0, I)$, decoded"
    assert "random points" in fig.alt


def test_latent_space_figure_draws_the_codes_and_the_decoded_grid():
    from mlnotes.vae import VAE

    model = VAE(9, latent_features=2, hidden_features=8, generator=2)
    images = np.random.default_rng(2).random((7, 3, 3))
    fig = plotting.latent_space_figure(model, images, np.arange(7.0), label="index", lim=1.0,
                                       steps=3)
    ax0, ax1 = fig.axes[:2]
    with torch.no_grad():
        mu, _ = model.encode(torch.tensor(images.reshape(7, -1), dtype=torch.float32))
        grid = [[a, b] for b in (1.0, 0.0, -1.0) for a in (-1.0, 0.0, 1.0)]  # top row first
        decoded = torch.sigmoid(model.decode(torch.tensor(grid, dtype=torch.float32)))
    np.testing.assert_allclose(ax0.collections[0].get_offsets(), mu.numpy(), rtol=1e-6)
    np.testing.assert_array_equal(ax0.collections[0].get_array(), np.arange(7.0))
    np.testing.assert_allclose(ax1.images[0].get_array(),
                               plotting._figure._tile(decoded.numpy().reshape(9, 3, 3), 3),
                               rtol=1e-5, atol=1e-7)
    assert ax0.get_title() == "codes of the data"
    assert ax1.get_title() == r"decoded grid, $z \in [-1, 1]^2$"
    assert "coloured by index" in fig.alt


def test_codes_figure_draws_each_set_on_shared_axes_with_the_prior_circle():
    rng = np.random.default_rng(3)
    wide, narrow = 5 * rng.normal(size=(40, 2)), 0.5 * rng.normal(size=(40, 2))
    fig = plotting.codes_figure({"autoencoder": wide, "VAE": narrow}, np.arange(40.0),
                                label="index", radius=2.0)
    ax0, ax1 = fig.axes[:2]
    np.testing.assert_array_equal(ax0.collections[0].get_offsets(), wide)
    np.testing.assert_array_equal(ax1.collections[0].get_offsets(), narrow)
    np.testing.assert_array_equal(ax1.collections[0].get_array(), np.arange(40.0))
    for ax in (ax0, ax1):  # the dashed circle: every point at distance 2 from the origin
        circle = ax.lines[0].get_xydata()
        np.testing.assert_allclose(np.hypot(circle[:, 0], circle[:, 1]), 2.0, rtol=1e-12)
        # both panels span the widest set, so the two scatters compare by eye
        assert ax.get_xlim() == ax0.get_xlim() and ax.get_ylim() == ax0.get_ylim()
    assert ax0.get_xlim()[1] >= np.abs(wide).max()
    share = np.mean(np.hypot(wide[:, 0], wide[:, 1]) > 2)
    assert ax0.get_title() == f"autoencoder: {share:.0%} of codes outside r = 2"
    assert ax1.get_title() == "VAE: 0% of codes outside r = 2"
    assert "coloured by index" in fig.alt and "86%" in fig.alt   # 1 - exp(-2) of N(0, I)
    with pytest.raises(ValueError, match="codes"):
        plotting.codes_figure({"a": wide[:3]}, np.arange(40.0))
    with pytest.raises(TypeError, match="codes"):
        plotting.codes_figure([wide], np.arange(40.0))


# -------------------------------------------- training: init, normalisation, optimizers


def test_init_variance_figure_draws_the_variances_it_is_given():
    from mlnotes.experiments.init import INIT_SCHEMES

    variances = {"tanh": {"small": 0.1 ** np.arange(1, 6), "xavier": np.full(5, 0.4)},
                 "relu": {"he": np.full(5, 0.7), "large": 100.0 ** np.arange(1, 6)}}
    fig = plotting.init_variance_figure(variances, width=64)
    for ax, (act, curves) in zip(fig.axes, variances.items(), strict=True):
        assert ax.get_title() == f"{act} network, width 64" and ax.get_yscale() == "log"
        for line, (scheme, v) in zip(ax.lines, curves.items(), strict=False):
            np.testing.assert_array_equal(line.get_xdata(), np.arange(1, 6))
            np.testing.assert_array_equal(line.get_ydata(), v)
            assert line.get_label() == INIT_SCHEMES[scheme]
    assert fig.axes[0].get_ylabel() == "variance of the activations"
    assert "one line per initialisation scheme" in fig.alt


def test_init_variance_figure_runs_the_init_experiment_when_given_no_data():
    from mlnotes.experiments.init import init_variances

    fig = plotting.init_variance_figure(depth=3, width=8, batch=4)
    expected = init_variances(depth=3, width=8, batch=4)
    for ax, curves in zip(fig.axes, expected.values(), strict=True):
        for line, v in zip(ax.lines, curves.values(), strict=False):
            np.testing.assert_array_equal(line.get_ydata(), v)
    assert fig.axes[0].get_title() == "tanh network, width 8"


def test_normalisation_axes_figure_standardises_columns_then_rows():
    fig = plotting.normalisation_axes_figure(generator=3)
    x, bn, ln = (ax.images[0].get_array() for ax in fig.axes[:3])  # then their colorbars
    rng = np.random.default_rng(3)
    expected = rng.normal(size=(6, 5)) * np.array([0.5, 1.0, 2.0, 4.0, 8.0]) + np.arange(5) * 3.0
    np.testing.assert_array_equal(x, expected)
    eps = 1e-5  # batch norm and layer norm's default
    np.testing.assert_allclose(bn, (x - x.mean(0)) / np.sqrt(x.var(0) + eps), rtol=1e-12)
    np.testing.assert_allclose(
        ln, (x - x.mean(1, keepdims=True)) / np.sqrt(x.var(1, keepdims=True) + eps), rtol=1e-12)
    assert [ax.get_title() for ax in fig.axes[:3]] == [
        "input x", "batch norm: each column", "layer norm: each row"]
    assert [t.get_text() for t in fig.axes[0].texts][:2] == [f"{x[0, 0]:.1f}", f"{x[0, 1]:.1f}"]
    assert "each row standardised" in fig.alt


def test_norm_training_figure_draws_the_curves_it_is_given_or_runs_the_experiment():
    losses = {"none": np.array([1.0, 0.9, 0.95]), "batch": np.array([1.0, 0.5, 0.2])}
    fig = plotting.norm_training_figure(losses)
    (ax,) = fig.axes
    for line, curve in zip(ax.lines, losses.values(), strict=True):
        np.testing.assert_array_equal(line.get_xdata(), np.arange(3))
        np.testing.assert_array_equal(line.get_ydata(), curve)
    assert _legend(ax) == ["no normalisation", "batch norm"]
    assert ax.get_ylabel() == "training loss (cross-entropy)"
    assert fig.alt.endswith("no normalisation, batch norm.")
    from mlnotes.experiments.normalization import norm_training_losses

    run = plotting.norm_training_figure(norms=("layer",), depth=2, width=4, steps=3)
    np.testing.assert_array_equal(run.axes[0].lines[0].get_ydata(),
                                  norm_training_losses(("layer",), depth=2, width=4,
                                                       steps=3)["layer"])


def test_optimizer_paths_figure_draws_each_path_and_its_loss():
    from mlnotes.optim import sgd_step, trajectory

    H = np.array([[1.0, 0.2], [0.2, 8.0]])
    paths = {"slow": trajectory(sgd_step, lambda x: H @ x, [-3.0, 1.0], 30, lr=0.02),
             "fast": trajectory(sgd_step, lambda x: H @ x, [-3.0, 1.0], 30, lr=0.2)}
    fig = plotting.optimizer_paths_figure(H, paths, tol=1e-3, show_steps=10)
    ax0, ax1 = fig.axes
    for line, loss, (label, path) in zip(ax0.lines, ax1.lines, paths.items(), strict=False):
        np.testing.assert_array_equal(line.get_xdata(), path[:11, 0])
        np.testing.assert_array_equal(line.get_ydata(), path[:11, 1])
        np.testing.assert_allclose(loss.get_ydata(), [0.5 * p @ H @ p for p in path],
                                   rtol=1e-12)
        assert line.get_label() == loss.get_label() == label
    assert ax1.lines[-1].get_ydata()[0] == 1e-3  # the tolerance
    assert ax0.get_title() == "the first 10 steps" and ax1.get_yscale() == "log"
    assert _legend(ax1) == ["slow", "fast", "tolerance"]
    assert "one line per optimizer" in fig.alt


def test_loss_curves_figure_draws_each_run_from_step_one():
    histories = {"Adam": [2.0, 1.0, 0.5, 0.4], "SGD": [2.0, 1.9]}
    fig = plotting.loss_curves_figure(histories, logy=False)
    (ax,) = fig.axes
    for line, values in zip(ax.lines, histories.values(), strict=True):
        np.testing.assert_array_equal(line.get_xdata(), np.arange(1, len(values) + 1))
        np.testing.assert_array_equal(line.get_ydata(), values)
    assert ax.get_yscale() == "linear" and _legend(ax) == ["Adam", "SGD"]
    assert plotting.loss_curves_figure(histories).axes[0].get_yscale() == "log"
    assert fig.alt == "Training loss against step, one line per run: Adam, SGD."


def test_selection_figure_marks_the_validation_winner():
    val, test = np.array([0.5, 0.8, 0.6]), np.array([0.55, 0.6, 0.65])
    fig = plotting.selection_figure(val, test)
    (ax,) = fig.axes
    settings, chosen = ax.collections
    np.testing.assert_array_equal(settings.get_offsets(), np.stack([test, val], axis=1))
    np.testing.assert_array_equal(chosen.get_offsets(), [[0.6, 0.8]])
    np.testing.assert_allclose(ax.lines[0].get_xdata(), ax.lines[0].get_ydata())  # val = test
    assert _legend(ax) == ["one setting", "chosen: val 0.80, test 0.60", "val = test"]
    assert "validation accuracy 0.80 and test accuracy 0.60" in fig.alt


# ------------------------------------------------------------ gating and architectures


def test_soft_gate_figure_draws_the_gate_and_its_three_partials():
    x, y = 2.0, -0.5
    fig = plotting.soft_gate_figure(x, y, lim=4.0)
    ax0, ax1 = fig.axes
    r = ax0.lines[0].get_xdata()
    s = _sigmoid(r)
    np.testing.assert_allclose(ax0.lines[0].get_ydata(), x * s + y * (1 - s), rtol=1e-12)
    assert ax0.lines[1].get_ydata()[0] == x and ax0.lines[2].get_ydata()[0] == y
    for line, expected in zip(ax1.lines, (s, 1 - s, (x - y) * s * (1 - s)), strict=True):
        np.testing.assert_allclose(line.get_ydata(), expected, rtol=1e-12, atol=1e-15)
    assert _legend(ax0) == ["f(x, y, r)", "x = 2", "y = -0.5"]
    assert ax1.get_title() == "the gate routes the gradient" and "sigma'(r)" in fig.alt


def test_gated_network_figure_draws_the_branches_the_output_and_the_gate():
    from mlnotes.gating import GatedNetwork
    from mlnotes.init import seeded_linear

    gate, xb, yb = (seeded_linear(1, 1, generator=k) for k in range(3))

    net = GatedNetwork(gate, xb, yb)
    u = torch.linspace(-2, 2, 9)[:, None]
    target = u.abs()
    fig = plotting.gated_network_figure(net, u, target)
    ax0, ax1 = fig.axes
    with torch.no_grad():
        s = torch.sigmoid(gate(u))
        expected = [target, xb(u), yb(u), s * xb(u) + (1 - s) * yb(u)]
    for line, e in zip(ax0.lines, expected, strict=True):
        np.testing.assert_array_equal(line.get_xdata(), u[:, 0].numpy())
        np.testing.assert_allclose(line.get_ydata(), e[:, 0].numpy(), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(ax1.lines[0].get_ydata(), s[:, 0].numpy(), rtol=1e-6)
    np.testing.assert_allclose(ax1.lines[1].get_ydata(), 1 - s[:, 0].numpy(), rtol=1e-6)
    assert _legend(ax0) == ["target", "x-branch", "y-branch", "gated output"]
    assert ax1.get_title() == "the learned gate" and "each branch fits one side" in fig.alt


def test_soft_switch_figure_draws_the_weights_and_the_mixed_output():
    x1, x2 = (1.0, 2.0, -1.0), (-1.0, 0.5, 3.0)
    fig = plotting.soft_switch_figure(x1, x2, lim=3.0)
    ax0, ax1 = fig.axes
    z = ax0.lines[0].get_xdata()
    a0 = 1 / (1 + np.exp(-2 * z))  # softmax([z, -z])_0
    np.testing.assert_allclose(ax0.lines[0].get_ydata(), a0, rtol=1e-12)
    np.testing.assert_allclose(ax0.lines[1].get_ydata(), 1 - a0, rtol=1e-12, atol=1e-15)
    outputs = [line for line in ax1.lines if line.get_label().startswith("output")]
    for d, line in enumerate(outputs):
        np.testing.assert_allclose(line.get_ydata(), a0 * x1[d] + (1 - a0) * x2[d], rtol=1e-12)
    assert _legend(ax1) == ["output[0]", "output[1]", "output[2]"]
    assert ax0.get_title() == r"$a = \mathrm{softmax}([z, -z])$"
    assert "moves from one input to the other" in fig.alt


def test_attention_figure_draws_the_masked_softmax_of_the_scores():
    rng = np.random.default_rng(0)
    q, k = rng.normal(size=(3, 4)), rng.normal(size=(5, 4))
    mask = np.tril(np.ones((3, 5), dtype=bool))
    fig = plotting.attention_figure(q, k, mask=mask, title="causal")
    ax = fig.axes[0]
    scores = np.where(mask, q @ k.T / 2.0, -np.inf)  # sqrt(E) = 2
    w = _softmax(scores, axis=1)
    np.testing.assert_allclose(ax.images[0].get_array(), w, rtol=1e-12)
    assert [t.get_text() for t in ax.texts] == [f"{v:.2f}" for v in w.ravel()]
    assert ax.get_title() == "causal" and ax.get_xlabel() == "key j"
    assert fig.alt.endswith("each row sums to 1, masked entries are zero.")
    assert plotting.attention_figure(q, k).alt.endswith("each row sums to 1.")


def test_moe_regions_figure_shades_each_experts_region_and_reports_accuracy():
    from mlnotes.moe import MixtureOfExperts, seeded_linear

    moe = MixtureOfExperts(2, 2, num_experts=3, generator=0, dtype=torch.float64)
    rng = np.random.default_rng(0)
    X, y = rng.normal(size=(40, 2)), rng.integers(0, 2, size=40)
    single = seeded_linear(2, 2, generator=5, dtype=torch.float64)
    fig = plotting.moe_regions_figure(moe, X, y, single=single, lim=2.0)
    ax0, ax1 = fig.axes
    g = np.linspace(-2.0, 2.0, 161)
    G1, G2 = np.meshgrid(g, g)
    with torch.no_grad():
        _, p = moe(torch.tensor(np.stack([G1.ravel(), G2.ravel()], axis=1)))
        logits, _ = moe(torch.tensor(X))
        single_logits = single(torch.tensor(X))
    np.testing.assert_array_equal(ax0.images[0].get_array(),
                                  p.argmax(-1).numpy().reshape(G1.shape))
    acc = np.mean(logits.argmax(-1).numpy() == y)
    single_acc = np.mean(single_logits.argmax(-1).numpy() == y)
    assert ax0.get_title() == f"mixture of experts: accuracy {acc:.0%}"
    assert ax1.get_title() == f"one linear model: accuracy {single_acc:.0%}"
    assert not ax1.images  # regions only for the mixture
    class0, class1 = ax0.collections[-2:]
    np.testing.assert_array_equal(class0.get_offsets(), X[y == 0])
    np.testing.assert_array_equal(class1.get_offsets(), X[y == 1])
    assert _legend(ax0) == ["class 0", "class 1"] and "which expert the" in fig.alt


def test_motif_figure_draws_the_sequences_and_the_detectors_scores():
    x, motif = np.sin(np.arange(16.0)) * 0.3, np.array([1.0, -2.0, 1.5])
    fig = plotting.motif_figure(x, motif, [2, 9])
    for ax, pos in zip(fig.axes, (2, 9), strict=True):
        seq = x.copy()
        seq[pos:pos + 3] = motif
        scores = np.correlate(seq, motif, mode="valid")  # the detector at every position
        np.testing.assert_array_equal(ax.lines[0].get_ydata(), seq)
        scale = np.abs(seq).max() / np.abs(scores).max()
        np.testing.assert_allclose(ax.lines[1].get_ydata(), scores * scale, rtol=1e-12)
        best = int(np.argmax(scores))
        assert ax.texts[0].get_text() == f"max = {scores[best]:.2f}\nat t = {best}"
        assert best == pos
    assert fig.axes[-1].get_xlabel() == "position t" and "same in every row" in fig.alt


def test_weight_matrices_figure_shows_each_matrix_on_one_colour_scale():
    mats = [np.array([[1.0, -2.0], [0.5, 0.0]]), np.arange(6.0).reshape(2, 3)]
    fig = plotting.weight_matrices_figure(mats, ["tied", "conv"])
    for ax, m, title in zip(fig.axes[:2], mats, ("tied", "conv"), strict=True):
        np.testing.assert_array_equal(ax.images[0].get_array(), m)
        assert ax.get_title() == title and ax.images[0].get_clim() == (-5.0, 5.0)
    assert "(tied, conv)" in fig.alt


# ------------------------------------------------------------------------- sequences


def test_gradient_distance_figure_draws_bptts_norms_per_radius():
    from mlnotes.experiments.sequences import bptt_gradient_norms

    fig = plotting.gradient_distance_figure(radii=(0.5, 2.0), length=15, generator=4)
    (ax,) = fig.axes
    for line, r in zip(ax.lines, (0.5, 2.0), strict=True):
        np.testing.assert_array_equal(line.get_ydata(),
                                      bptt_gradient_norms(r, length=15, generator=4))
        np.testing.assert_array_equal(line.get_xdata(), np.arange(15))
    assert _legend(ax) == ["spectral radius 0.5", "spectral radius 2"]
    assert ax.get_yscale() == "log" and ax.get_ylabel() == r"$\|\partial \ell / \partial a_{L-d}\|$"
    assert "one line per spectral radius" in fig.alt


def test_recall_training_figure_draws_loss_and_accuracy_against_steps():
    h = {"RNN": {"loss": [1.4, 1.3, 1.2, 1.0], "accuracy": [0.3, 0.5]},
         "LSTM": {"loss": [1.4, 0.9, 0.4, 0.1], "accuracy": [0.6, 1.0]}}
    fig = plotting.recall_training_figure(h, chance=0.25)
    ax0, ax1 = fig.axes
    for k, run in enumerate(h.values()):
        np.testing.assert_array_equal(ax0.lines[k].get_xdata(), [1, 2, 3, 4])
        np.testing.assert_array_equal(ax0.lines[k].get_ydata(), run["loss"])
        np.testing.assert_array_equal(ax1.lines[k].get_xdata(), [2.0, 4.0])  # spread evenly
        np.testing.assert_array_equal(ax1.lines[k].get_ydata(), run["accuracy"])
    assert ax0.lines[-1].get_ydata()[0] == pytest.approx(np.log(4))  # chance: -log(1/4)
    assert ax1.lines[-1].get_ydata()[0] == 0.25
    assert _legend(ax0) == _legend(ax1) == ["RNN", "LSTM", "chance"]
    assert ax1.get_ylabel() == "test accuracy" and "(RNN, LSTM)" in fig.alt


def test_lstm_cell_figure_labels_the_gates_with_their_values():
    values = {"i": 0.25, "f": 0.9, "g": -0.5, "o": 0.75, "c_prev": 1.0, "c": 0.775, "h": 0.49}
    texts = [t.get_text() for t in plotting.lstm_cell_figure(values).axes[0].texts]
    for name in "ifgo":
        assert f"${name}$ = {values[name]:.2f}" in texts
    assert "$c_{t-1}$ = 1.00" in texts and "$c_t$ = 0.78" in texts and "$h_t$ = 0.49" in texts
    bare = plotting.lstm_cell_figure()
    assert "$f$" in [t.get_text() for t in bare.axes[0].texts]
    assert "forget gate" in bare.alt


def test_lstm_gates_figure_draws_the_gates_and_cell_state_along_the_sequence():
    from mlnotes.rnn import LSTM

    model = LSTM(2, 3, generator=0)
    xs = np.random.default_rng(0).normal(size=(6, 2, 2))
    fig = plotting.lstm_gates_figure(model, xs, sample=1)
    # the reference: the LSTM equations in NumPy, with torch's weights and gate order
    W_ih, W_hh, b_ih, b_hh = (p.detach().double().numpy() for p in (
        model.weight_ih_l0, model.weight_hh_l0, model.bias_ih_l0, model.bias_hh_l0))
    b = b_ih + b_hh
    h = c = np.zeros(3)
    trace = {name: [] for name in "ifgoc"}
    for x in xs[:, 1]:
        pre = W_ih @ x + W_hh @ h + b
        i, f, o = (_sigmoid(pre[k * 3:(k + 1) * 3]) for k in (0, 1, 3))
        g = np.tanh(pre[6:9])
        c = f * c + i * g
        h = o * np.tanh(c)
        for name, v in zip("ifgoc", (i, f, g, o, c), strict=True):
            trace[name].append(v)
    maps = fig.axes[:5]
    for ax, name in zip(maps, "ifgoc", strict=True):
        np.testing.assert_allclose(ax.images[0].get_array(), np.array(trace[name]).T,
                                   rtol=1e-10, atol=1e-12)
    assert [ax.get_title() for ax in maps] == ["input gate i", "forget gate f", "candidate g",
                                               "output gate o", "cell state c"]
    assert maps[0].images[0].get_clim() == (0, 1) and maps[0].get_xlabel() == "step t"
    # and torch's LSTM ends in the same cell state
    ref = torch.nn.LSTM(2, 3, dtype=torch.float64)
    ref.load_state_dict({k: v.double() for k, v in model.state_dict().items()})
    _, (_, c_n) = ref(torch.tensor(xs))
    np.testing.assert_allclose(maps[4].images[0].get_array()[:, -1], c_n[0, 1].detach().numpy(),
                               rtol=1e-10)
    assert "forget and output gates" in fig.alt


def test_graph_figure_draws_the_engines_graph_with_the_leaves_gradients():
    from mlnotes.activations import sigmoid
    from mlnotes.autograd import Tensor

    w, b = Tensor(0.8, requires_grad=True), Tensor(-0.5, requires_grad=True)
    loss = (sigmoid(w * 1.5 + b) - 1.0) ** 2
    loss.backward()
    fig = plotting.graph_figure(loss, {"w": w, "b": b})
    texts = [t.get_text() for t in fig.axes[0].texts]
    # one box per node: the two leaves, then each operation in the order it ran
    for name in ("w", "b", "multiply", "add", "sigmoid", "subtract", "pow"):
        assert name in texts, name
    # the gradients printed under the leaves are the chain rule's, by hand
    a = 1 / (1 + np.exp(-(0.8 * 1.5 - 0.5)))
    dz = 2 * (a - 1.0) * a * (1 - a)
    assert f"grad {dz * 1.5:.3g}" in texts and f"grad {dz:.3g}" in texts
    assert f"{(a - 1.0) ** 2:.3g}" in texts                     # the loss's value
    # the description lists every edge; columns follow the topological depth
    assert "w -> multiply, multiply -> add, b -> add, add -> sigmoid" in fig.alt
    assert fig.alt.startswith("Computation graph of 7 nodes")
    xs = {t.get_text(): t.get_position()[0] for t in fig.axes[0].texts}
    assert xs["w"] < xs["multiply"] < xs["add"] < xs["sigmoid"] < xs["subtract"] < xs["pow"]
    assert xs["b"] == xs["multiply"]                            # one column before its user
    with pytest.raises(TypeError, match="output must be a Tensor"):
        plotting.graph_figure(np.ones(2))


def test_alignment_figure_draws_the_weights_it_is_given_with_the_tokens():
    w = np.array([[0.9, 0.1, 0.0], [0.2, 0.3, 0.5]])
    fig = plotting.alignment_figure(w, ["le", "chat"], ["the", "black", "cat"])
    ax = fig.axes[0]
    np.testing.assert_array_equal(ax.images[0].get_array(), w)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["the", "black", "cat"]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["le", "chat"]
    assert sorted(t.get_text() for t in ax.texts) == sorted(f"{v:.2f}" for v in w.ravel())
    assert "le reads the" in fig.alt and "chat reads cat" in fig.alt
    with pytest.raises(ValueError, match="weights must have shape"):
        plotting.alignment_figure(w.T, ["le", "chat"], ["the", "black", "cat"])


def test_positional_encoding_figure_shows_the_encoding_itself():
    from mlnotes.attention import positional_encoding

    P = positional_encoding(12, 6)
    fig = plotting.positional_encoding_figure(P)
    np.testing.assert_array_equal(fig.axes[0].images[0].get_array(), P)
    assert "12 positions" in fig.alt and "6 features" in fig.alt
    with pytest.raises(ValueError, match="2-D"):
        plotting.positional_encoding_figure(P[0])
