"""Figures are readable by every reader: a colour-blind-safe palette, a description each."""

from __future__ import annotations

import ast
import inspect
import itertools

import numpy as np
import pytest

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
    from pathlib import Path

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
