r"""The experiment of the sequences page: how far back the gradient of an RNN reaches.

- :func:`bptt_gradient_norms`: the gradient that reaches each step of an RNN,
  against its distance from the loss, by :func:`mlnotes.rnn.rnn_backward`;
- :func:`recall_task`: the data set the RNN forgets and the LSTM remembers, a token to
  name through many steps of noise.

Explained in the book: :doc:`/sequences`; presented in the deck "Lecture: Sequences".
"""

from __future__ import annotations

import numpy as np

from ..backend import as_generator, check_count, check_number
from ..rnn import rnn, rnn_backward

__all__ = ["bptt_gradient_norms", "recall_task"]


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


# =========================================================== data set: recall a token


def recall_task(
    n: int,
    length: int,
    n_tokens: int = 4,
    noise: float = 1.5,
    generator: int | np.random.Generator = 0,
    dtype: type = np.float32,
) -> tuple[np.ndarray, np.ndarray]:
    r"""Remember a token seen ``length - 1`` steps earlier, through noise: a long-range task.

    Each sequence opens with one of ``n_tokens`` tokens (one-hot), flagged by a
    marker channel; the token is the label. The ``length - 1`` steps after it
    carry Gaussian noise of standard deviation ``noise`` on the token channels
    (and no marker). A model must store the flagged token, shut out the noise and
    name the token at the end; chance accuracy is ``1 / n_tokens``.

    Explained in the book: :doc:`/sequences` (the RNN forgets, the LSTM remembers).

    Args:
        n: the number of sequences ``N``.
        length: ``L``, the number of steps, at least 1.
        n_tokens: ``K``, the number of tokens to remember (the classes).
        noise: the standard deviation of the noise after the first step.
        generator: an int seed or a ``numpy.random.Generator``.
        dtype: the dtype of the inputs.

    Returns:
        ``(xs, y)``: the inputs ``(L, N, K + 1)`` (channel ``K`` is the marker)
        and the labels ``(N,)``.

    Example:
        >>> xs, y = recall_task(2, 3, n_tokens=2, noise=0.1, generator=0)
        >>> xs.shape, y.tolist()
        ((3, 2, 3), [1, 1])
        >>> xs[0]  # the first step: token 1 and the marker, in both sequences
        array([[0., 1., 1.],
               [0., 1., 1.]], dtype=float32)
        >>> float(xs[1:, :, 2].max())  # no marker after the first step
        0.0
    """
    n, length = check_count(n, "n"), check_count(length, "length")
    n_tokens = check_count(n_tokens, "n_tokens")
    check_number(noise, "noise", low=0.0)
    rng = as_generator(generator)
    y = rng.integers(n_tokens, size=n)
    xs = np.zeros((length, n, n_tokens + 1), dtype=dtype)
    xs[0, np.arange(n), y] = 1
    xs[0, :, n_tokens] = 1  # the marker: remember this one
    xs[1:, :, :n_tokens] = rng.normal(size=(length - 1, n, n_tokens)) * noise
    return xs, y
