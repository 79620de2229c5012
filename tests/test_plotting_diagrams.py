"""The architectures' block diagrams draw the architecture's parts and its wiring.

Each diagram names its boxes, nodes and arrows (matplotlib ``gid``); the tests read
that structure back from the drawn artists and hold it to the architecture written
out independently here (the bilinear layer's two inputs, the mixture's E experts,
a sharing index's copies, a convolution's windows), then measure the drawing: every
arrow starts on its source's outline and ends on its target's, every label sits
inside its box, no two blocks overlap, and the alt text names the parts.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from matplotlib.patches import Circle, FancyArrowPatch

from mlnotes import plotting


def _structure(fig):
    """``(blocks, arrows)``: the named patches of the diagram, split into blocks and arrows."""
    (ax,) = fig.axes
    blocks = {p.get_gid(): p for p in ax.patches
              if p.get_gid() and not isinstance(p, FancyArrowPatch)}
    arrows = {p.get_gid(): p for p in ax.patches if isinstance(p, FancyArrowPatch)}
    return blocks, arrows


def _edges(fig) -> set[tuple[str, str]]:
    return {tuple(name.split("->")) for name in _structure(fig)[1]}


def _check_drawing(fig) -> None:
    """Measured on the rendered figure, in pixels: arrows join the blocks they are
    named for, labels fit their boxes, blocks do not overlap, text is legible."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    (ax,) = fig.axes
    canvas = FigureCanvasAgg(fig)  # the figure has no pyplot canvas: render with Agg
    canvas.draw()
    renderer = canvas.get_renderer()
    blocks, arrows = _structure(fig)
    extents = {name: p.get_window_extent(renderer) for name, p in blocks.items()}
    for name, arrow in arrows.items():
        src, dst = name.split("->")
        path = arrow.get_path()  # in display coordinates once drawn
        start = ax.transData.transform(arrow._posA_posB[0])
        end = ax.transData.transform(arrow._posA_posB[1])
        assert len(path.vertices) >= 2
        for point, block in ((start, src), (end, dst)):
            if isinstance(blocks[block], Circle):  # a node: on its circle, in pixels
                centre = ax.transData.transform(blocks[block].center)
                radius = extents[block].width / 2
                assert abs(np.hypot(*(point - centre)) - radius) < 2, \
                    f"{name} does not end on the outline of {block}"
                continue
            box = extents[block].padded(2)  # pixels of slack for the outline's width
            assert box.contains(*point), f"{name} does not touch {block}"
            inner = extents[block].padded(-6)
            assert not inner.contains(*point), f"{name} starts or ends inside {block}"
    for text in ax.texts:
        assert text.get_fontsize() >= 9, text.get_text()
        if text.get_gid() in blocks:
            assert extents[text.get_gid()].padded(1).contains(
                *text.get_window_extent(renderer).min) and extents[text.get_gid()].padded(
                1).contains(*text.get_window_extent(renderer).max), \
                f"label {text.get_text()!r} spills out of its box"
    for (a, ea), (b, eb) in itertools.combinations(extents.items(), 2):
        assert not ea.overlaps(eb), f"{a} and {b} overlap"
    # nothing drawn is cut off by the figure's edge
    figure_box = fig.bbox
    for artist in [*ax.patches, *ax.texts]:
        e = artist.get_window_extent(renderer)
        assert figure_box.padded(1).contains(*e.min) and figure_box.padded(1).contains(*e.max)


def test_multiplicative_module_lets_z_write_the_weights_that_x_meets():
    fig = plotting.multiplicative_module_figure()
    blocks, _ = _structure(fig)
    assert set(blocks) == {"x", "z", "W", "product", "y"}
    # z reaches the product only through the weights W; x meets them there
    assert _edges(fig) == {("z", "W"), ("W", "product"), ("x", "product"), ("product", "y")}
    labels = {t.get_gid(): t.get_text() for t in fig.axes[0].texts if t.get_gid() in blocks}
    assert "W_{ijk}" in labels["W"] and "z_k" in labels["W"]
    assert labels["product"] == r"$\otimes$"
    _check_drawing(fig)
    for part in ("z", "x", "W_ijk", "w_ij", "product node", "y_i"):
        assert part in fig.alt


@pytest.mark.parametrize("E", [1, 2, 3, 4])
def test_mixture_of_experts_weights_each_expert_by_the_gater_and_sums(E):
    fig = plotting.mixture_of_experts_figure(E)
    expected = {("x", "g"), ("g", "softmax"), ("sum", "y")}
    for e in range(E):
        expected |= {("x", f"f_{e}"), (f"f_{e}", f"product_{e}"),
                     ("softmax", f"product_{e}"), (f"product_{e}", "sum")}
    assert _edges(fig) == expected
    blocks, _ = _structure(fig)
    assert {f"f_{e}" for e in range(E)} < set(blocks) and f"f_{E}" not in blocks
    assert fig.axes[0].texts and any(t.get_text() == r"$\Sigma$" for t in fig.axes[0].texts)
    _check_drawing(fig)
    assert f"mixture of {E} experts" in fig.alt
    for part in [f"f_{e}" for e in range(E)] + ["gater g", "softmax", "p_e", "sum node"]:
        assert part in fig.alt


@pytest.mark.parametrize("bad, error", [(0, ValueError), (5, ValueError), (2.0, TypeError)])
def test_mixture_of_experts_rejects_a_count_it_cannot_draw(bad, error):
    with pytest.raises(error, match="num_experts"):
        plotting.mixture_of_experts_figure(bad)


def test_parameter_transform_runs_forward_through_h_and_backward_as_dashed_gradients():
    fig = plotting.parameter_transform_figure()
    blocks, arrows = _structure(fig)
    assert set(blocks) == {"u", "H", "w", "x", "G", "L"}
    forward = {("u", "H"), ("H", "w"), ("w", "G"), ("x", "G"), ("G", "L")}
    backward = {("L", "w"), ("w", "u")}
    assert _edges(fig) == forward | backward
    for name, arrow in arrows.items():
        dashed = arrow.get_linestyle() != "-"
        assert dashed == (tuple(name.split("->")) in backward), name
    _check_drawing(fig)
    for part in ("H", "w = H(u)", "G(x; w)", "loss L", "dL/du", "dL/dw"):
        assert part in fig.alt


@pytest.mark.parametrize("index", [(0, 1, 2, 2, 1, 0), (0, 0, 0), (1, -1, 0, 1, 3)])
def test_weight_sharing_draws_one_arrow_per_copy(index):
    fig = plotting.weight_sharing_figure(index)
    # written out: w_i copies u_index[i], and a -1 copies nothing
    expected = {(f"u_{m}", f"w_{i}") for i, m in enumerate(index) if m >= 0}
    assert _edges(fig) == expected
    blocks, arrows = _structure(fig)
    assert set(blocks) == ({f"u_{m}" for m in range(max(index) + 1)}
                           | {f"w_{i}" for i in range(len(index))})
    # the copies of one parameter share its colour, and different parameters differ
    colour = {name.split("->")[0]: tuple(a.get_edgecolor()) for name, a in arrows.items()}
    for name, a in arrows.items():
        assert tuple(a.get_edgecolor()) == colour[name.split("->")[0]]
    assert len(set(colour.values())) == len(colour)
    _check_drawing(fig)
    for m in range(max(index) + 1):
        copies = [f"w_{i}" for i, k in enumerate(index) if k == m]
        assert f"u_{m} to " + (", ".join(copies) or "no weight") in fig.alt
    assert ("index -1" in fig.alt) == (-1 in index)


def test_weight_sharing_rejects_an_index_past_num_params():
    with pytest.raises(ValueError, match="index"):
        plotting.weight_sharing_figure([0, 3], num_params=2)


@pytest.mark.parametrize("L, K", [(8, 3), (5, 2), (6, 4)])
def test_motif_detector_scores_every_window_with_the_same_weights_then_takes_the_max(L, K):
    fig = plotting.motif_detector_figure(L, K)
    T = L - K + 1
    windows = {(f"x_{t + k}", f"s_{t}") for t in range(T) for k in range(K)}
    assert _edges(fig) == windows | {(f"s_{t}", "max") for t in range(T)} | {("max", "d")}
    _, arrows = _structure(fig)
    # the k-th input of every window carries the same weight w_k: one colour per k
    colour_of_k = {}
    for t, k in itertools.product(range(T), range(K)):
        c = tuple(arrows[f"x_{t + k}->s_{t}"].get_edgecolor())
        assert colour_of_k.setdefault(k, c) == c
    assert len(set(colour_of_k.values())) == K
    _check_drawing(fig)
    assert f"{T} scores" in fig.alt and f"same {K} weights" in fig.alt and "max" in fig.alt


@pytest.mark.parametrize("L, K", [(4, 4), (11, 3), (8, 5)])
def test_motif_detector_rejects_sizes_it_cannot_draw(L, K):
    with pytest.raises(ValueError, match="length|kernel_size"):
        plotting.motif_detector_figure(L, K)


@pytest.mark.parametrize("draw", [
    plotting.multiplicative_module_figure, plotting.mixture_of_experts_figure,
    plotting.parameter_transform_figure, plotting.weight_sharing_figure,
    plotting.motif_detector_figure])
def test_diagram_fits_a_slide_and_carries_its_description(draw):
    from io import BytesIO

    from PIL import Image

    fig = draw()
    with Image.open(BytesIO(fig._repr_png_())) as png:
        assert png.info["Description"] == fig.alt
        w, h = png.size
    # the deck shows a cell's image at most 400 px high; text at 11 pt and 144 dpi is
    # 22 px, so a diagram up to 540 px high keeps its labels above 16 px on a slide
    assert h <= 540 and w <= 1280
