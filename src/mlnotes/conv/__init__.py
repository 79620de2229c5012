r"""Convolution and pooling: conv1d/conv2d with their backward, max and average pooling, Sobel.

A convolutional layer slides one small filter over the whole input: every output
pixel is the same weighted sum of a :math:`k_H \times k_W` window of input pixels.
Here that sum is computed the way one would say it aloud, *per kernel offset*:
for each tap :math:`(i, j)` of the kernel, take the input shifted by
:math:`(i, j)` (the pixel that this tap sees, for every output position at once),
multiply it by the tap's :math:`C_\text{out} \times C` weight matrix, and add.
The Python loop runs over the :math:`k_H k_W` offsets, never over pixels, so the
work is a handful of large matrix products; on the flattened image a shift is a
single offset, so each shifted input is a slice of one array, read where it lies
(see :func:`conv2d`). :func:`conv2d_naive` keeps the loop over pixels, as the
teaching reference that the tests hold equal to :func:`conv2d` and the book
times against it.

Like ``torch.nn.functional.conv2d``, :func:`conv2d` computes a
*cross-correlation* (the kernel is not flipped); a convolution in the
mathematical sense is :func:`conv2d` with the kernel flipped in both spatial
axes. Pooling summarises each window by its maximum or mean, one pass over each
of the :math:`k_H k_W` strided views of the input, and
:func:`max_pool2d_backward` sends the gradient to the arg-max of each window.

The options are torch's, with its names and rules: ``stride``, ``padding`` (also
``"same"`` and ``"valid"``), ``dilation``, ``groups``; for pooling ``ceil_mode``,
``return_indices``, ``count_include_pad``, ``divisor_override``. One body serves
NumPy arrays and torch tensors (see :mod:`mlnotes.backend`).

Explained in the book: :doc:`/conv`; presented in the deck "Lecture: Convolution".

Shapes: ``x`` is ``(N, C, H, W)`` or unbatched ``(C, H, W)`` (``(N, C, L)`` or
``(C, L)`` for :func:`conv1d`), ``w`` is ``(C_out, C / groups, kH, kW)``, ``b`` is
``(C_out,)``; N batch, C channels, H/W height and width, L length. ``stride``,
``padding`` and ``dilation`` are an int or a pair ``(along H, along W)``.

One family per file, all re-exported here: ``convolution.py`` (conv1d, conv2d and its
backward), ``pooling.py``, ``sobel.py``; ``_geometry.py`` holds the sizes, padding
and strided views they share. The page's experiment, LeNet-5's shapes, is in
:mod:`mlnotes.experiments.conv`.
"""

from __future__ import annotations

from ._geometry import conv_output_size
from .convolution import conv1d, conv2d, conv2d_backward, conv2d_naive, conv2d_tiled
from .pooling import avg_pool2d, max_pool2d, max_pool2d_backward
from .sobel import edge_magnitude, sobel, sobel_kernels

__all__ = [
    "conv_output_size",
    "conv1d",
    "conv2d",
    "conv2d_backward",
    "conv2d_naive",
    "conv2d_tiled",
    "max_pool2d",
    "max_pool2d_backward",
    "avg_pool2d",
    "sobel_kernels",
    "sobel",
    "edge_magnitude",
]
