r"""The Elman RNN: one tanh step, unrolled; backpropagation through time; gradient clipping.

Part of :mod:`mlnotes.rnn`; explained in the book: :doc:`/sequences`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import autograd
from ..activations import tanh, tanh_backward
from ..backend import (
    as_generator,
    assign_,
    check_count,
    check_number,
    device_of,
    is_tensor,
    is_torch,
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
    namespace(x, h, W_ih, W_hh, b_ih, b_hh, names=("x", "h", "W_ih", "W_hh", "b_ih", "b_hh"))
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
                   names=("xs", "h0", "W_ih", "W_hh", "b_ih", "b_hh"))
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
                   names=("grad", "xs", "hs", "h0", "W_ih", "W_hh"))
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


# --------------------------------------------------------------------- clipping


def clip_grad_norm(
    grads_or_params: Any,
    max_norm: float,
    norm_type: float = 2.0,
    error_if_nonfinite: bool = False,
) -> Any:
    r"""Rescale gradients in place so that their joint norm is at most ``max_norm``.

    .. math::
        \|g\| = \Big(\sum_k \|g_k\|_p^p\Big)^{1/p}, \qquad
        g_k \leftarrow g_k \cdot \min\Big(1, \frac{\text{max\_norm}}{\|g\| + 10^{-6}}\Big)

    The norm is taken over all gradients together, as if they were one vector,
    so clipping shrinks every gradient by the same factor and keeps the
    direction of the step. These are the semantics of
    ``torch.nn.utils.clip_grad_norm_``, value for value (the :math:`10^{-6}` too).

    Args:
        grads_or_params: one array or an iterable of them. A torch tensor that
            requires grad is a parameter (an :class:`mlnotes.autograd.Tensor` too):
            its ``.grad`` is clipped (skipped if ``None``). Any other array (a NumPy
            array, a tensor without ``requires_grad``) is a gradient and is scaled itself.
        max_norm: the largest norm allowed, a positive number.
        norm_type: :math:`p`, a positive number or ``float("inf")`` (the largest
            absolute entry).
        error_if_nonfinite: raise if the total norm is ``nan`` or ``inf`` instead
            of scaling by it (torch's default, ``False``, scales).

    Returns:
        The total norm :math:`\|g\|` *before* clipping, a 0-d array of the
        gradients' kind (``0.0`` if there are no gradients).

    Example:
        >>> import numpy as np
        >>> grads = [np.array([3.0]), np.array([4.0])]  # joint norm 5
        >>> float(clip_grad_norm(grads, max_norm=1.0))
        5.0
        >>> np.round(np.concatenate(grads), 6)
        array([0.6, 0.8])
    """
    if max_norm != math.inf:  # infinity: measure the norm, clip nothing (as torch)
        check_number(max_norm, "max_norm", low=0.0, low_open=True)
    if norm_type != math.inf:  # the largest entry's size: the one infinite norm
        check_number(norm_type, "norm_type", low=0.0, low_open=True)
    items = [grads_or_params] if hasattr(grads_or_params, "shape") else list(grads_or_params)
    grads = []
    for k, p in enumerate(items):
        if (is_torch(p) or is_tensor(p)) and p.requires_grad:  # a parameter: clip its .grad
            if p.grad is not None:
                grads.append(p.grad)
        else:
            namespace(p, names=(f"grads_or_params[{k}]",))
            grads.append(p)
    if not grads:
        return 0.0
    xp = namespace(*grads, names=tuple(f"gradient {k}" for k in range(len(grads))))
    norm_type = float(norm_type)
    # ||g|| = || (||g_1||, ..., ||g_K||) ||, the norm of the per-array norms
    norms = xp.stack([xp.linalg.vector_norm(g, ord=norm_type) for g in grads])
    total = xp.linalg.vector_norm(norms, ord=norm_type)
    if error_if_nonfinite and not bool(xp.isfinite(total)):
        raise RuntimeError(
            f"the total norm of order {norm_type} of the gradients is {float(total)}; "
            "set error_if_nonfinite=False to scale by it anyway"
        )
    # factor = min(1, max_norm / (||g|| + 1e-6)), applied in place to every gradient
    factor = xp.clip(max_norm / (total + 1e-6), max=1.0)
    for g in grads:
        assign_(g, g * factor)
    return total



# ================================= experiment: how far back does the gradient reach?


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
