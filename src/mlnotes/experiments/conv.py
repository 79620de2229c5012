r"""The experiment of the convolution page: a whole conv net, built from this package's layers.

:data:`LENET` lists LeNet-5's steps and :func:`conv_net_shapes` runs them on one
random input, reporting the shape after each step: how convolutions keep the
spatial size (with padding) or shrink it, how pooling halves it, and how few
numbers are left for the linear layers at the end. :func:`step_image` and
:func:`photograph` are the images the page convolves.

Explained in the book: :doc:`/conv`; presented in the deck "Lecture: Convolution".
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ..activations import relu
from ..backend import as_generator, check_count
from ..conv import conv2d, max_pool2d

__all__ = ["LENET", "conv_net_shapes", "step_image", "photograph"]


# ============================================================= experiment: LeNet-5's shapes

#: LeNet-5 as (operation, arguments) steps: conv (out channels, kernel, padding) + ReLU,
#: max pool (kernel), flatten, linear (out features) + ReLU but for the last
LENET = (("conv", 6, 5, 2), ("pool", 2), ("conv", 16, 5, 0), ("pool", 2), ("flatten",),
         ("linear", 120), ("linear", 84), ("linear", 10))


def conv_net_shapes(
    layers: Sequence[tuple] = LENET, input_shape: tuple[int, ...] = (1, 28, 28),
    generator: int | np.random.Generator = 0,
) -> list[tuple[str, tuple[int, ...]]]:
    r"""Run a conv net made of mlnotes functions on one random input; list each step's output.

    A ``("conv", C_out, k, p)`` step is :func:`~mlnotes.conv.conv2d` with a
    :math:`k \times k` kernel and padding :math:`p`, then ReLU; its output has
    :math:`H_\text{out} = H + 2p - k + 1` (stride 1). ``("pool", k)`` is
    :func:`~mlnotes.conv.max_pool2d` with a :math:`k \times k` window
    (:math:`H_\text{out} = \lfloor H / k \rfloor`), ``("flatten",)`` joins the
    channels and pixels into one vector, and ``("linear", n)`` is a product with an
    ``(in, n)`` matrix, with ReLU unless it is the last step. Weights and input are
    standard normal draws: only the shapes matter.

    Args:
        layers: the steps, e.g. :data:`LENET`.
        input_shape: ``(C, H, W)`` of the input, without the batch axis.
        generator: an int seed or a ``numpy.random.Generator`` for the input and weights.

    Returns:
        ``[(label, shape), ...]`` starting with the input; shapes exclude the batch axis.

    Example:
        >>> [shape for _, shape in conv_net_shapes()]
        [(1, 28, 28), (6, 28, 28), (6, 14, 14), (16, 10, 10), (16, 5, 5), (400,), (120,), (84,),
         (10,)]
    """
    rng = as_generator(generator)
    x = rng.normal(size=(1, *input_shape))
    out = [("input", tuple(input_shape))]
    for step in layers:
        if step[0] == "conv":
            _, c_out, k, p = step
            w = rng.normal(size=(c_out, x.shape[1], k, k))
            x, label = relu(conv2d(x, w, padding=p)), f"conv {k}x{k}, pad {p} + ReLU"
            label = label.replace(", pad 0", "")
        elif step[0] == "pool":
            x, label = max_pool2d(x, step[1]), f"max pool {step[1]}x{step[1]}"
        elif step[0] == "flatten":
            x, label = x.reshape(x.shape[0], -1), "flatten"  # (1, C * H * W)
        elif step[0] == "linear":
            w = rng.normal(size=(x.shape[1], step[1]))
            last = step is layers[-1]
            x, label = (x @ w, "linear") if last else (relu(x @ w), "linear + ReLU")
        else:
            raise ValueError(f"layers must hold 'conv', 'pool', 'flatten' or 'linear' steps, "
                             f"got {step[0]!r}")
        out.append((label, tuple(x.shape[1:])))
    return out


# ================================================================ the page's images


def step_image(height: int = 12, width: int = 24, column: int = 12) -> np.ndarray:
    r"""A grey image with one vertical edge: 0 left of ``column``, 1 from ``column`` on.

    Returns:
        ``(height, width)`` float64 array.

    Example:
        >>> step_image(2, 4, 2)
        array([[0., 0., 1., 1.],
               [0., 0., 1., 1.]])
    """
    if not 0 < column < width:
        raise ValueError(f"column must lie strictly between 0 and width={width}, got {column}")
    img = np.zeros((height, width))
    img[:, column:] = 1.0
    return img



def photograph(downsample: int = 1) -> np.ndarray:
    r"""Grace Hopper's portrait in grey, from the sample data that ships inside matplotlib.

    Nothing is downloaded: the JPEG is ``matplotlib.cbook.get_sample_data
    ("grace_hopper.jpg")``. Colours become luminance
    :math:`0.299 R + 0.587 G + 0.114 B`, scaled to :math:`[0, 1]`; ``downsample``
    averages blocks of ``downsample x downsample`` pixels.

    Returns:
        ``(600 // downsample, 512 // downsample)`` float64 array in :math:`[0, 1]`.

    Example:
        >>> photograph(4).shape
        (150, 128)
    """
    from matplotlib import cbook, image

    downsample = check_count(downsample, "downsample")
    rgb = image.imread(cbook.get_sample_data("grace_hopper.jpg", asfileobj=False))
    grey = rgb[..., :3].astype(np.float64) @ np.array([0.299, 0.587, 0.114]) / 255.0
    k = downsample
    h, w = grey.shape[0] // k * k, grey.shape[1] // k * k
    return grey[:h, :w].reshape(h // k, k, w // k, k).mean(axis=(1, 3))
