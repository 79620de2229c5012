r"""The Elman RNN: one tanh step, unrolled; backpropagation through time; gradient clipping.

Part of :mod:`mlnotes.rnn`; explained in the book: :doc:`/sequences`.
"""

from __future__ import annotations

from typing import Any

from .. import autograd
from ..activations import tanh, tanh_backward
from ..backend import (
    device_of,
    namespace,
)
from ._common import _affine, _check_sequence, _check_step, _check_weights, _zeros_state

# -------------------------------------------------------------------------- RNN


def rnn_cell(
    x: Any, h: Any, W_ih: Any, W_hh: Any, b_ih: Any = None, b_hh: Any = None
) -> Any:
    r"""One step of the Elman RNN: a single tanh layer fed the input and the last state.

    .. math::
        h' = \tanh(x W_{ih}^\top + b_{ih} + h W_{hh}^\top + b_{hh})

    The same as ``torch.nn.RNNCell`` (``nonlinearity="tanh"``), whose weights
    ``weight_ih, weight_hh, bias_ih, bias_hh`` are ``W_ih, W_hh, b_ih, b_hh``.

    Args:
        x: the input, ``(N, D)`` or ``(D,)``.
        h: the previous hidden state, ``(N, H)`` or ``(H,)``.
        W_ih: input-to-hidden weights, ``(H, D)``.
        W_hh: hidden-to-hidden (recurrent) weights, ``(H, H)``.
        b_ih: input bias ``(H,)`` or ``None``.
        b_hh: recurrent bias ``(H,)`` or ``None``.

    Returns:
        The new hidden state :math:`h'`, shaped like ``h``.

    Example:
        >>> import numpy as np
        >>> W_ih, W_hh = np.eye(2), 0.5 * np.eye(2)
        >>> rnn_cell(np.array([1.0, 0.0]), np.array([0.0, 2.0]), W_ih, W_hh).round(4)
        array([0.7616, 0.7616])
    """
    namespace(x, h, W_ih, W_hh, b_ih, b_hh, names=("x", "h", "W_ih", "W_hh", "b_ih", "b_hh"),
              optional=("b_ih", "b_hh"))
    D, H = _check_weights(W_ih, W_hh, b_ih, b_hh, gates=1)
    _check_step(x, h, D, H)
    # h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh)
    return tanh(_affine(x, W_ih, b_ih) + _affine(h, W_hh, b_hh))


def rnn(
    xs: Any, h0: Any, W_ih: Any, W_hh: Any, b_ih: Any = None, b_hh: Any = None
) -> Any:
    r"""The RNN unrolled over a sequence: :func:`rnn_cell`'s update applied at every step.

    .. math::
        h_t = \tanh(x_t W_{ih}^\top + b_{ih} + h_{t-1} W_{hh}^\top + b_{hh}),
        \qquad t = 1, \dots, L

    The weights are shared by every step, so the same function reads a sequence
    of any length :math:`L`. The input's share :math:`x_t W_{ih}^\top + b_{ih}`
    does not depend on the state, so it is computed for all steps in one matrix
    product before the loop. The result equals :func:`rnn_cell` in a loop and the
    ``output`` of a one-layer ``torch.nn.RNN``; its last row is ``h_n``.

    Args:
        xs: the sequence, ``(L, N, D)`` or ``(L, D)``.
        h0: the initial state :math:`h_0`, ``(N, H)`` or ``(H,)``; ``None`` for zeros.
        W_ih, W_hh, b_ih, b_hh: as in :func:`rnn_cell`.

    Returns:
        ``hs``, the hidden states :math:`h_1, \dots, h_L` stacked: ``(L, N, H)`` or ``(L, H)``.

    Example:
        >>> import numpy as np
        >>> xs = np.ones((3, 1))  # L = 3 steps of one feature
        >>> rnn(xs, None, np.ones((1, 1)), np.zeros((1, 1))).round(4).ravel()
        array([0.7616, 0.7616, 0.7616])
    """
    xp = namespace(xs, h0, W_ih, W_hh, b_ih, b_hh,
                   names=("xs", "h0", "W_ih", "W_hh", "b_ih", "b_hh"),
                   optional=("h0", "b_ih", "b_hh"))
    D, H = _check_weights(W_ih, W_hh, b_ih, b_hh, gates=1)
    _check_sequence(xs, D)
    h = _zeros_state(xs, H, xp) if h0 is None else h0
    _check_step(xs[0], h, D, H, h_name="h0")
    # the input's share x_t W_ih^T + b_ih for all steps in one product, unstacked into L
    # arrays up front (autograd then joins their gradients once); checks were done above
    zx = xp.unstack(_affine(xs, W_ih, b_ih), axis=0)
    hs = []
    for zx_t in zx:
        # h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh), rnn_cell's update
        h = xp.tanh(zx_t + _affine(h, W_hh, b_hh))
        hs.append(h)
    return xp.stack(hs, axis=0)


def rnn_backward(
    grad: Any, xs: Any, hs: Any, h0: Any, W_ih: Any, W_hh: Any
) -> tuple[Any, Any, Any, Any, Any, Any]:
    r"""Backpropagation through time for :func:`rnn`: the chain rule along the unrolled graph.

    Write :math:`a_t = x_t W_{ih}^\top + b_{ih} + h_{t-1} W_{hh}^\top + b_{hh}` and
    :math:`h_t = \tanh(a_t)`. The loss reaches :math:`h_t` directly (``grad[t]``)
    and through :math:`h_{t+1}`, so walking backwards from :math:`t = L`:

    .. math::
        \delta_t &= \frac{\partial \ell}{\partial h_t}
                  = g_t + \frac{\partial \ell}{\partial a_{t+1}} W_{hh},
        \qquad \frac{\partial \ell}{\partial a_t} = \delta_t \odot (1 - h_t^2) \\
        \frac{\partial \ell}{\partial W_{ih}} &= \sum_t
            \Big(\frac{\partial \ell}{\partial a_t}\Big)^\top x_t,
        \quad
        \frac{\partial \ell}{\partial W_{hh}} = \sum_t
            \Big(\frac{\partial \ell}{\partial a_t}\Big)^\top h_{t-1},
        \quad
        \frac{\partial \ell}{\partial b} = \sum_t \sum_n \frac{\partial \ell}{\partial a_t}

    The shared weights collect a contribution from every step. The gradient that
    reaches step :math:`t` from step :math:`T` has passed through
    :math:`T - t` factors :math:`\mathrm{diag}(1 - h^2)\, W_{hh}`: it vanishes or
    explodes with the distance (see the book).

    Args:
        grad: :math:`g_t`, the gradient of the loss with respect to each output
            :math:`h_t`, shaped like ``hs`` (zeros where the loss ignores a step).
        xs: the input sequence given to :func:`rnn`.
        hs: the hidden states :func:`rnn` returned.
        h0: the initial state given to :func:`rnn` (``None`` for zeros).
        W_ih: as given to :func:`rnn`.
        W_hh: as given to :func:`rnn`.

    Returns:
        ``(grad_xs, grad_h0, grad_W_ih, grad_W_hh, grad_b_ih, grad_b_hh)``, in the
        order of :func:`rnn`'s inputs. The two bias gradients are equal (both
        biases add to :math:`a_t`); they are returned even if ``rnn`` had no bias.

    Example:
        >>> import numpy as np
        >>> xs, W_ih, W_hh = np.ones((2, 1)), np.ones((1, 1)), np.ones((1, 1))
        >>> hs = rnn(xs, None, W_ih, W_hh)
        >>> grads = rnn_backward(np.array([[0.0], [1.0]]), xs, hs, None, W_ih, W_hh)
        >>> grads[0].round(4).ravel()  # d h_2 / d x_1 is smaller: it passed one more tanh
        array([0.0468, 0.1114])
    """
    xp = namespace(grad, xs, hs, h0, W_ih, W_hh,
                   names=("grad", "xs", "hs", "h0", "W_ih", "W_hh"), optional=("h0",))
    D, H = _check_weights(W_ih, W_hh, None, None, gates=1)
    _check_sequence(xs, D)
    if tuple(hs.shape) != (*xs.shape[:-1], H):
        raise ValueError(f"hs must have shape {(*xs.shape[:-1], H)}, got {tuple(hs.shape)}")
    if tuple(grad.shape) != tuple(hs.shape):
        raise ValueError(f"grad must be shaped like hs {tuple(hs.shape)}, "
                         f"got {tuple(grad.shape)}")
    if h0 is None:
        h0 = _zeros_state(xs, H, xp)
    _check_step(xs[0], h0, D, H, h_name="h0")
    unbatched = xs.ndim == 2
    if unbatched:  # a batch of one, so that every product below is a matrix product
        grad, xs, hs, h0 = grad[:, None], xs[:, None], hs[:, None], h0[None]

    grad_W_ih, grad_W_hh = xp.zeros_like(W_ih), xp.zeros_like(W_hh)
    grad_b = xp.zeros((H,), dtype=W_hh.dtype, device=device_of(W_hh))
    grad_as = [None] * xs.shape[0]
    grad_a_next = None  # dl/da_{t+1}; nothing comes from beyond the last step
    for t in reversed(range(xs.shape[0])):
        h_prev = hs[t - 1] if t > 0 else h0
        # delta_t = g_t + dl/da_{t+1} W_hh
        delta = grad[t] if grad_a_next is None else grad[t] + grad_a_next @ W_hh
        # dl/da_t = delta_t * (1 - h_t^2)
        grad_a = tanh_backward(delta, hs[t])
        # the shared weights collect every step's share
        grad_W_ih = grad_W_ih + grad_a.T @ xs[t]
        grad_W_hh = grad_W_hh + grad_a.T @ h_prev
        grad_b = grad_b + xp.sum(grad_a, axis=0)
        grad_as[t] = grad_a
        grad_a_next = grad_a
    # dl/dx_t = dl/da_t W_ih for all steps at once; dl/dh_0 = dl/da_1 W_hh
    grad_xs = xp.stack(grad_as, axis=0) @ W_ih
    grad_h0 = grad_a_next @ W_hh
    if unbatched:
        grad_xs, grad_h0 = grad_xs[:, 0], grad_h0[0]
    return grad_xs, grad_h0, grad_W_ih, grad_W_hh, grad_b, grad_b


rnn = autograd.register(rnn, rnn_backward, wrt=("xs", "h0", "W_ih", "W_hh", "b_ih", "b_hh"),
                        output="hs")


