"""mlnotes.experiments.conv: the page's experiments against independent references."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from mlnotes.experiments.conv import LENET, conv_net_shapes, photograph, step_image

# ------------------------------------------------------------ experiment: conv_net_shapes


def _torch_net(layers, channels):
    """The same steps as torch's own layers."""
    modules, c = [], channels
    for step in layers:
        if step[0] == "conv":
            modules += [torch.nn.Conv2d(c, step[1], step[2], padding=step[3]), torch.nn.ReLU()]
            c = step[1]
        elif step[0] == "pool":
            modules.append(torch.nn.MaxPool2d(step[1]))
        elif step[0] == "flatten":
            modules.append(torch.nn.Flatten())
        else:
            modules.append(torch.nn.LazyLinear(step[1]))
    return modules


@pytest.mark.parametrize("layers, input_shape", [
    (LENET, (1, 28, 28)),
    ((("conv", 4, 3, 1), ("pool", 2), ("conv", 8, 3, 0), ("pool", 3), ("flatten",),
      ("linear", 5)), (3, 17, 20)),
])
def test_conv_net_shapes_are_torchs(layers, input_shape):
    ours = conv_net_shapes(layers, input_shape, generator=1)
    modules = _torch_net(layers, input_shape[0])
    x = torch.zeros(1, *input_shape)
    theirs = [tuple(input_shape)]
    for m in modules:
        x = m(x)
        if not isinstance(m, torch.nn.ReLU):  # ReLU is part of the step before it
            theirs.append(tuple(x.shape[1:]))
    assert [shape for _, shape in ours] == theirs
    assert ours[0][0] == "input" and ours[-1][0] == "linear"


def test_conv_net_shapes_labels_and_activations():
    shapes = conv_net_shapes()
    assert [label for label, _ in shapes] == [
        "input", "conv 5x5, pad 2 + ReLU", "max pool 2x2", "conv 5x5 + ReLU", "max pool 2x2",
        "flatten", "linear + ReLU", "linear + ReLU", "linear"]
    assert conv_net_shapes(generator=np.random.default_rng(0)) == shapes


def test_conv_net_shapes_unknown_step():
    with pytest.raises(ValueError, match="layers must hold 'conv', 'pool', 'flatten' or "
                                         "'linear' steps, got 'dense'"):
        conv_net_shapes((("dense", 3),))


# ------------------------------------------------------------ the page's images


def test_step_image_and_photograph():
    img = step_image(4, 6, column=2)
    np.testing.assert_array_equal(img, np.repeat([[0, 0, 1, 1, 1, 1.0]], 4, axis=0))
    photo = photograph(downsample=4)
    assert photo.shape == (150, 128) and photo.dtype == np.float64
    assert 0 <= photo.min() and photo.max() <= 1 and photo.std() > 0.1
