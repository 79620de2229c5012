r"""The experiment of the sequences page: how far back the gradient of an RNN reaches.

- :func:`bptt_gradient_norms`: the gradient that reaches each step of an RNN,
  against its distance from the loss, by :func:`mlnotes.rnn.rnn_backward`.

Explained in the book: :doc:`/sequences`; presented in the deck "Lecture: Sequences".
"""

from __future__ import annotations

import numpy as np

from ..backend import as_generator, check_count, check_number
from ..rnn import rnn, rnn_backward

__all__ = ["bptt_gradient_norms"]


def bptt_gradient_norms(
    radius: float, length: int = 60, hidden: int = 64,
    generator: int | np.random.Generator = 0,
) -> np.ndarray:
    r"""How much gradient reaches each step of an RNN, against the distance from the loss.

    A tanh RNN with ``W_ih = I`` (the input adds straight into the pre-activation
    :math:`a_t`) and random recurrent weights :math:`W_{hh} \sim \mathcal N(0,
    r^2 / H)`, whose spectral radius is about :math:`r`, reads ``length`` steps of
    noise. The loss is a random projection of the last state; backpropagation
    through time (:func:`rnn_backward`) gives
    :math:`\|\partial \ell / \partial a_{L-d}\|` for every distance :math:`d`. Each
    step back multiplies the gradient by :math:`\mathrm{diag}(1 - h^2)\, W_{hh}^\top`,
    so it shrinks geometrically when :math:`r < 1`, and grows when :math:`r` is well
    above 1 (as long as tanh does not saturate).

    Args:
        radius: :math:`r`, the scale of the recurrent weights.
        length: :math:`L`, the number of steps.
        hidden: :math:`H`, the hidden units.
        generator: an int seed or a ``numpy.random.Generator`` for the weights, the
            inputs and the projection.

    Returns:
        The norms, shape ``(L,)``, indexed by the distance :math:`d = 0, \dots, L - 1`.

    Example:
        >>> small, large = bptt_gradient_norms(0.5), bptt_gradient_norms(3.0)
        >>> bool(small[40] < 1e-12 * small[0]), bool(large[40] > 1e3 * large[0])
        (True, True)
    """
    check_number(radius, "radius", low=0.0)
    length, hidden = check_count(length, "length"), check_count(hidden, "hidden")
    rng = as_generator(generator)
    W_hh = rng.normal(size=(hidden, hidden)) * radius / np.sqrt(hidden)
    W_ih = np.eye(hidden)
    xs = rng.normal(size=(length, 1, hidden)) * 0.5
    hs = rnn(xs, None, W_ih, W_hh)
    grad = np.zeros_like(hs)  # dl/dh_t: only the last state is scored
    grad[-1] = rng.normal(size=(1, hidden)) / np.sqrt(hidden)
    # with W_ih = I, the gradient on x_t is the gradient on the pre-activation a_t
    grad_a = rnn_backward(grad, xs, hs, None, W_ih, W_hh)[0][:, 0]  # (L, H)
    return np.linalg.norm(grad_a, axis=1)[::-1]

