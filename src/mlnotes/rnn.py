r"""Recurrent networks: the RNN, backpropagation through time, gradient clipping, the LSTM.

A recurrent network reads a sequence one step at a time and carries what it has
seen in a hidden state :math:`h_t`. The same weights are used at every step, so
one small module handles sequences of any length.

- :func:`rnn_cell` is one step of the Elman RNN (a single tanh layer), :func:`rnn`
  unrolls it over a sequence, and :func:`rnn_backward` is backpropagation through
  time written out: the chain rule walked backwards along the unrolled graph.
- :func:`clip_grad_norm` rescales gradients whose joint norm is too large, with the
  semantics of ``torch.nn.utils.clip_grad_norm_``.
- :func:`lstm_gates` and :func:`lstm_cell` are one step of the LSTM, with torch's
  weight layout and gate order (input, forget, candidate, output); :func:`lstm`
  unrolls it, and :class:`LSTM` is a drop-in twin of ``torch.nn.LSTM`` (same
  constructor arguments, parameter names and return values), so a state dict
  loads from one into the other.

The functions take NumPy arrays or torch tensors (see :mod:`mlnotes.backend`);
:class:`LSTM` is a ``torch.nn.Module`` built from them.

Explained in the book: :doc:`/sequences`; presented in the deck "Lecture: Sequences".

Shapes: ``L`` sequence length, ``N`` batch, ``D`` input features, ``H`` hidden
units. A sequence is ``(L, N, D)`` (or ``(L, D)`` unbatched), a hidden state
``(N, H)`` (or ``(H,)``). The RNN's weights are ``W_ih (H, D)``, ``W_hh (H, H)``,
``b_ih, b_hh (H,)``; the LSTM's stack its four gates along the first axis:
``W_ih (4H, D)``, ``W_hh (4H, H)``, ``b_ih, b_hh (4H,)``, as torch does.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .activations import tanh, tanh_backward
from .backend import (
    as_generator,
    assign_,
    check_count,
    check_floating,
    check_number,
    device_of,
    fill_uniform_,
    import_torch,
    is_torch,
    namespace,
)

torch = import_torch()

__all__ = [
    "rnn_cell",
    "rnn",
    "rnn_backward",
    "clip_grad_norm",
    "lstm_gates",
    "lstm_cell",
    "lstm",
    "LSTM",
    "bptt_gradient_norms",
]


# ----------------------------------------------------------------------- checks


def _check_weights(W_ih: Any, W_hh: Any, b_ih: Any, b_hh: Any, gates: int) -> tuple[int, int]:
    """Check the shapes of a recurrent layer's weights; return ``(D, H)``."""
    for name, W in (("W_ih", W_ih), ("W_hh", W_hh)):
        check_floating(W, name)
        if W.ndim != 2:
            raise ValueError(f"{name} must be a matrix (2-D), got shape {tuple(W.shape)}")
    rows, H = W_hh.shape
    if rows != gates * H:
        want = f"({gates} * H, H)" if gates > 1 else "(H, H)"
        raise ValueError(f"W_hh must have shape {want}, got {tuple(W_hh.shape)}")
    if W_ih.shape[0] != gates * H:
        raise ValueError(
            f"W_ih must have {gates * H} rows to match W_hh {tuple(W_hh.shape)}, "
            f"got shape {tuple(W_ih.shape)}"
        )
    for name, b in (("b_ih", b_ih), ("b_hh", b_hh)):
        if b is not None and tuple(b.shape) != (gates * H,):
            raise ValueError(f"{name} must have shape ({gates * H},), got {tuple(b.shape)}")
    return W_ih.shape[1], H


def _check_step(x: Any, h: Any, D: int, H: int, h_name: str = "h") -> None:
    """Check one step's input ``x`` (N, D) or (D,) and state ``h`` (N, H) or (H,)."""
    check_floating(x, "x")
    if x.ndim not in (1, 2):
        raise ValueError(f"x must have shape (N, D) or (D,), got {tuple(x.shape)}")
    if x.shape[-1] != D:
        raise ValueError(f"x has {x.shape[-1]} features but W_ih expects D={D}")
    if tuple(h.shape) != (*x.shape[:-1], H):
        raise ValueError(
            f"{h_name} must have shape {(*x.shape[:-1], H)} (batch of x, hidden size of "
            f"the weights H={H}), got {tuple(h.shape)}"
        )


def _check_sequence(xs: Any, D: int) -> None:
    check_floating(xs, "xs")
    if xs.ndim not in (2, 3):
        raise ValueError(
            f"xs must be a sequence of shape (L, N, D) or (L, D), got {tuple(xs.shape)}"
        )
    if xs.shape[0] < 1:
        raise ValueError("xs must have at least one time step, got L=0")
    if xs.shape[-1] != D:
        raise ValueError(f"xs has {xs.shape[-1]} features but W_ih expects D={D}")


def _zeros_state(xs: Any, H: int, xp: Any) -> Any:
    return xp.zeros((*xs.shape[1:-1], H), dtype=xs.dtype, device=device_of(xs))


def _affine(x: Any, W: Any, b: Any) -> Any:
    # x W^T + b, the layer's pre-activation
    out = x @ W.T
    return out if b is None else out + b


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
            requires grad is a parameter: its ``.grad`` is clipped (skipped if
            ``None``). Any other array (a NumPy array, a tensor without
            ``requires_grad``) is a gradient and is scaled itself.
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
        if is_torch(p) and p.requires_grad:
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
        if is_torch(g):
            with torch.no_grad():
                g.mul_(factor)
        else:
            g *= factor
    return total


# ------------------------------------------------------------------------- LSTM


def _sigmoid(x: Any, xp: Any) -> Any:
    # sigma(x) = (1 + tanh(x / 2)) / 2, the identity tanh(x) = 2 sigma(2x) - 1 read backwards.
    # It never overflows and costs one primitive: this runs four times per step in the LSTM's
    # loop, where activations.sigmoid (exact to the last bit in the far tail, but with its
    # branches and checks) would make the loop several times slower. Both agree to 1e-16.
    return 0.5 + 0.5 * xp.tanh(0.5 * x)


def _split_gates(z: Any, xp: Any) -> tuple[Any, Any, Any, Any]:
    # z = x W_ih^T + b_ih + h W_hh^T + b_hh, (..., 4H): the four layers in torch's order
    H = z.shape[-1] // 4
    z_i, z_f, z_g, z_o = xp.unstack(xp.reshape(z, (*z.shape[:-1], 4, H)), axis=-2)
    i = _sigmoid(z_i, xp)  # input gate: how much of the candidate to write
    f = _sigmoid(z_f, xp)  # forget gate: how much of the old cell to keep
    g = xp.tanh(z_g)  # candidate values, in [-1, 1]
    o = _sigmoid(z_o, xp)  # output gate: how much of the cell to show
    return i, f, g, o


def _lstm_step(z: Any, c: Any, xp: Any) -> tuple[Any, Any]:
    i, f, g, o = _split_gates(z, xp)
    # c' = f * c + i * g: the cell state runs along the top, changed only by * and +
    c = f * c + i * g
    # h' = o * tanh(c')
    h = o * xp.tanh(c)
    return h, c


def _lstm_preactivation(x: Any, hc: Any, W_ih: Any, W_hh: Any, b_ih: Any, b_hh: Any):
    # checks one step's arguments; returns z = x W_ih^T + b_ih + h W_hh^T + b_hh, c, xp
    h, c = _unpack_state(hc, "hc")
    xp = namespace(x, h, c, W_ih, W_hh, b_ih, b_hh,
                   names=("x", "h", "c", "W_ih", "W_hh", "b_ih", "b_hh"))
    D, H = _check_weights(W_ih, W_hh, b_ih, b_hh, gates=4)
    _check_step(x, h, D, H)
    _check_step(x, c, D, H, h_name="c")
    return _affine(x, W_ih, b_ih) + _affine(h, W_hh, b_hh), c, xp


def lstm_gates(
    x: Any, hc: tuple[Any, Any], W_ih: Any, W_hh: Any, b_ih: Any = None, b_hh: Any = None
) -> tuple[Any, Any, Any, Any]:
    r"""The four layers of an LSTM step: input gate, forget gate, candidate, output gate.

    .. math::
        \begin{pmatrix} i \\ f \\ g \\ o \end{pmatrix} =
        \begin{pmatrix} \sigma \\ \sigma \\ \tanh \\ \sigma \end{pmatrix}
        \big(x W_{ih}^\top + b_{ih} + h W_{hh}^\top + b_{hh}\big)

    The rows of ``W_ih`` (and ``W_hh``, ``b_ih``, ``b_hh``) are the four layers'
    weights stacked in torch's order: rows ``0:H`` give :math:`i`, ``H:2H``
    :math:`f`, ``2H:3H`` :math:`g`, ``3H:4H`` :math:`o`.

    Args:
        x, hc, W_ih, W_hh, b_ih, b_hh: as in :func:`lstm_cell`.

    Returns:
        ``(i, f, g, o)``, each shaped like ``h``. The gates lie in :math:`(0, 1)`,
        the candidate in :math:`(-1, 1)`.

    Example:
        >>> import numpy as np
        >>> W_ih, W_hh = np.zeros((4, 1)), np.zeros((4, 1))
        >>> b = np.array([0.0, 100.0, 1.0, -100.0])  # forget gate open, output closed
        >>> [v.round(4).item() for v in lstm_gates(np.ones(1), (np.zeros(1),) * 2, W_ih, W_hh, b)]
        [0.5, 1.0, 0.7616, 0.0]
    """
    z, _, xp = _lstm_preactivation(x, hc, W_ih, W_hh, b_ih, b_hh)
    return _split_gates(z, xp)


def lstm_cell(
    x: Any, hc: tuple[Any, Any], W_ih: Any, W_hh: Any, b_ih: Any = None, b_hh: Any = None
) -> tuple[Any, Any]:
    r"""One step of the LSTM, as ``torch.nn.LSTMCell`` computes it.

    .. math::
        c' &= f \odot c + i \odot g \\
        h' &= o \odot \tanh(c')

    with the gates :math:`i, f, o` and the candidate :math:`g` of :func:`lstm_gates`.
    The cell state :math:`c` is changed only by a product with the forget gate
    and a sum: with :math:`f \approx 1` and :math:`i \approx 0` it carries its
    content, and its gradient, across many steps unchanged.

    Args:
        x: the input, ``(N, D)`` or ``(D,)``.
        hc: ``(h, c)``, the previous hidden and cell states, each ``(N, H)`` or ``(H,)``.
        W_ih: input weights of the four layers, ``(4H, D)`` (torch's ``weight_ih``).
        W_hh: recurrent weights, ``(4H, H)`` (torch's ``weight_hh``).
        b_ih: ``(4H,)`` or ``None``.
        b_hh: ``(4H,)`` or ``None``.

    Returns:
        ``(h', c')``, shaped like ``h``.

    Example:
        >>> import numpy as np
        >>> W_ih, W_hh = np.zeros((4, 1)), np.zeros((4, 1))
        >>> b = np.array([-100.0, 100.0, 0.0, 100.0])  # keep the cell, write nothing
        >>> h, c = lstm_cell(np.ones(1), (np.zeros(1), np.array([0.5])), W_ih, W_hh, b)
        >>> float(c[0]), round(float(h[0]), 4)  # c unchanged, h = tanh(c)
        (0.5, 0.4621)
    """
    z, c, xp = _lstm_preactivation(x, hc, W_ih, W_hh, b_ih, b_hh)
    return _lstm_step(z, c, xp)


def _unpack_state(hc: Any, name: str) -> tuple[Any, Any]:
    if not isinstance(hc, (tuple, list)) or len(hc) != 2:
        raise TypeError(f"{name} must be a pair (h, c), got {type(hc).__name__}")
    return hc[0], hc[1]


def lstm(
    xs: Any,
    hc: tuple[Any, Any] | None,
    W_ih: Any,
    W_hh: Any,
    b_ih: Any = None,
    b_hh: Any = None,
) -> tuple[Any, tuple[Any, Any]]:
    r"""One LSTM layer unrolled over a sequence: :func:`lstm_cell` at every step.

    The input's share of the gates, :math:`x_t W_{ih}^\top + b_{ih} + b_{hh}`,
    does not depend on the state, so it is computed for all steps in one matrix
    product before the loop; each step then adds :math:`h_{t-1} W_{hh}^\top`
    and applies the cell's update. Same result as :func:`lstm_cell` in a loop,
    with one matrix product per step.

    Each step also takes a single :math:`\tanh` for all four layers. Since
    :math:`\sigma(z) = (1 + \tanh(z/2))/2`, halve the gates' rows of the
    pre-activation (once, in the weights, before the loop); then
    :math:`t = \tanh` of the whole ``(N, 4H)`` block is the candidate :math:`g`
    as it is, and :math:`(1 + t)/2` each gate. A step is a loop body of few,
    whole-block operations, which is what its time (and its backward's) goes to.

    Args:
        xs: the sequence, ``(L, N, D)`` or ``(L, D)``.
        hc: ``(h0, c0)``, each ``(N, H)`` or ``(H,)``; ``None`` for zeros.
        W_ih, W_hh, b_ih, b_hh: as in :func:`lstm_cell`.

    Returns:
        ``(hs, (h_n, c_n))``: the hidden states of every step ``(L, N, H)`` (or
        ``(L, H)``) and the last hidden and cell states, as ``torch.nn.LSTM``
        returns them for one layer (without its leading layer axis).

    Example:
        >>> import numpy as np
        >>> W_ih, W_hh = np.zeros((4, 1)), np.zeros((4, 1))
        >>> b = np.array([100.0, 100.0, 1.0, 100.0])  # write g = tanh(1) each step, keep all
        >>> hs, (h, c) = lstm(np.zeros((3, 1)), None, W_ih, W_hh, b)
        >>> c.round(4)  # the cell counts: 3 * tanh(1)
        array([2.2848])
    """
    if hc is None:
        h, c = None, None
    else:
        h, c = _unpack_state(hc, "hc")
    xp = namespace(xs, h, c, W_ih, W_hh, b_ih, b_hh,
                   names=("xs", "h0", "c0", "W_ih", "W_hh", "b_ih", "b_hh"))
    D, H = _check_weights(W_ih, W_hh, b_ih, b_hh, gates=4)
    _check_sequence(xs, D)
    h = _zeros_state(xs, H, xp) if h is None else h
    c = _zeros_state(xs, H, xp) if c is None else c
    _check_step(xs[0], h, D, H, h_name="h0")
    _check_step(xs[0], c, D, H, h_name="c0")
    # sigma(z) = (1 + tanh(z / 2)) / 2: with `half` (1/2 on the rows of i, f, o, 1 on g's)
    # tanh(half * z) is g on g's rows, and half * tanh(half * z) + shift is every layer
    like = {"dtype": xs.dtype, "device": device_of(xs)}
    half = xp.reshape(xp.broadcast_to(xp.asarray([[0.5], [0.5], [1.0], [0.5]], **like),
                                      (4, H)), (4 * H,))
    shift = 1.0 - half  # 1/2 on the gates' rows, 0 on the candidate's
    # the input's share of the gates, for all L steps at once, halved: (L, N, 4H)
    b = b_ih if b_hh is None else (b_hh if b_ih is None else b_ih + b_hh)
    # (unstacked into L arrays up front: autograd then joins their gradients once)
    zx = xp.unstack(_affine(xs, W_ih, b) * half, axis=0)
    W_hh_T = W_hh.T * half  # (H, 4H), its gate columns halved
    hs = []
    for zx_t in zx:
        # z_t = x_t W_ih^T + b_ih + b_hh + h_{t-1} W_hh^T, gate rows halved; then
        # (i, f, g, o) = (sigma(z_i), sigma(z_f), tanh(z_g), sigma(z_o)) in one tanh
        a = xp.tanh(zx_t + h @ W_hh_T) * half + shift
        i, f, g, o = xp.unstack(xp.reshape(a, (*a.shape[:-1], 4, H)), axis=-2)
        # c' = f * c + i * g;  h' = o * tanh(c'), as in lstm_cell
        c = f * c + i * g
        h = o * xp.tanh(c)
        hs.append(h)
    return xp.stack(hs, axis=0), (h, c)


class LSTM(torch.nn.Module):
    r"""A multi-layer LSTM, a drop-in twin of ``torch.nn.LSTM``, built from :func:`lstm`.

    Layer :math:`k` reads the hidden states of layer :math:`k - 1` (layer 0 reads
    the input) and runs :func:`lstm` with its own weights.

    The constructor arguments, parameter names and shapes, and return values are
    ``torch.nn.LSTM``'s: ``weight_ih_l{k}`` ``(4H, D)`` (``(4H, H)`` above layer
    0), ``weight_hh_l{k}`` ``(4H, H)``, ``bias_ih_l{k}``, ``bias_hh_l{k}``
    ``(4H,)``, gates in the order i, f, g, o. A state dict therefore loads from
    one into the other. Not supported: ``dropout``, ``bidirectional``, ``proj_size``.

    Args:
        input_size: ``D``, the features of each input step.
        hidden_size: ``H``.
        num_layers: how many LSTM layers are stacked.
        bias: whether the layers have the biases ``b_ih`` and ``b_hh``.
        batch_first: inputs and outputs are ``(N, L, ·)`` instead of ``(L, N, ·)``
            (the states ``h``, ``c`` are ``(num_layers, N, H)`` either way).
        device, dtype: where and in what precision the parameters are created.
        generator: a ``torch.Generator`` or an int seed that the initial weights
            are drawn from: uniform on :math:`[-1/\sqrt{H}, 1/\sqrt{H}]`, as torch
            draws them (torch's global generator is never used).

    Shapes of :meth:`forward`: ``input`` ``(L, N, D)`` (``(N, L, D)`` if
    ``batch_first``, ``(L, D)`` unbatched); ``hx = (h_0, c_0)`` each
    ``(num_layers, N, H)`` (``(num_layers, H)`` unbatched), zeros if ``None``.
    Returns ``output, (h_n, c_n)``: the last layer's hidden states ``(L, N, H)``
    and the last step's states of every layer.

    Example:
        >>> import torch
        >>> model = LSTM(3, 5, num_layers=2, batch_first=True, generator=0)
        >>> output, (h_n, c_n) = model(torch.zeros(4, 7, 3))
        >>> tuple(output.shape), tuple(h_n.shape)
        ((4, 7, 5), (2, 4, 5))
        >>> twin = torch.nn.LSTM(3, 5, num_layers=2, batch_first=True)
        >>> twin.load_state_dict(model.state_dict())
        <All keys matched successfully>
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        device: Any = None,
        dtype: Any = None,
        generator: torch.Generator | int = 0,
    ) -> None:
        super().__init__()
        for name, value in (("input_size", input_size), ("hidden_size", hidden_size),
                            ("num_layers", num_layers)):
            check_count(value, name)
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias, self.batch_first = bool(bias), bool(batch_first)
        factory = {"device": device, "dtype": dtype}
        H = hidden_size
        for k in range(num_layers):
            D = input_size if k == 0 else H
            self.register_parameter(f"weight_ih_l{k}",
                                    torch.nn.Parameter(torch.empty(4 * H, D, **factory)))
            self.register_parameter(f"weight_hh_l{k}",
                                    torch.nn.Parameter(torch.empty(4 * H, H, **factory)))
            if bias:
                self.register_parameter(f"bias_ih_l{k}",
                                        torch.nn.Parameter(torch.empty(4 * H, **factory)))
                self.register_parameter(f"bias_hh_l{k}",
                                        torch.nn.Parameter(torch.empty(4 * H, **factory)))
        self.reset_parameters(generator)

    def reset_parameters(self, generator: torch.Generator | int = 0) -> None:
        r"""Draw every parameter from :math:`U(-1/\sqrt{H}, 1/\sqrt{H})`, as torch does."""
        g = as_generator(generator, "torch")
        bound = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            # draw on the CPU from the CPU generator, then move: same weights everywhere
            assign_(p, fill_uniform_(torch.empty(p.shape, dtype=p.dtype), -bound, bound, g))

    def layer_weights(self, k: int) -> tuple[Any, Any, Any, Any]:
        """``(W_ih, W_hh, b_ih, b_hh)`` of layer ``k`` (biases ``None`` if ``bias=False``)."""
        get = lambda name: getattr(self, f"{name}_l{k}", None)  # noqa: E731
        return get("weight_ih"), get("weight_hh"), get("bias_ih"), get("bias_hh")

    def _check_input(self, input: torch.Tensor, hx: Any) -> tuple[Any, Any, bool]:
        """Check ``forward``'s arguments; return ``(xs, states, unbatched)``.

        ``xs`` is the input as ``(L, N, D)``, ``states`` ``None`` or a list of each
        layer's ``(h_0, c_0)``, each ``(N, H)``, and ``unbatched`` says the input came
        as one sequence ``(L, D)``.
        """
        if not is_torch(input):
            raise TypeError(f"input must be a torch tensor, got {type(input).__name__}")
        if input.ndim not in (2, 3):
            layout = "(N, L, D)" if self.batch_first else "(L, N, D)"
            raise ValueError(
                f"input must be a sequence of shape {layout} or (L, D), got {tuple(input.shape)}"
            )
        if input.shape[-1] != self.input_size:
            raise ValueError(
                f"input has {input.shape[-1]} features but input_size={self.input_size}"
            )
        unbatched = input.ndim == 2
        xs = input.unsqueeze(1) if unbatched else input
        if self.batch_first and not unbatched:
            xs = xs.transpose(0, 1)  # (N, L, D) -> (L, N, D)
        if hx is None:
            return xs, None, unbatched
        h0, c0 = _unpack_state(hx, "hx")
        want = (self.num_layers, *(() if unbatched else (xs.shape[1],)), self.hidden_size)
        for name, s in (("h_0", h0), ("c_0", c0)):
            if tuple(s.shape) != want:
                raise ValueError(f"{name} must have shape (num_layers, N, H) = {want}, "
                                 f"got {tuple(s.shape)}")
        if unbatched:
            h0, c0 = h0.unsqueeze(1), c0.unsqueeze(1)
        return xs, [(h0[k], c0[k]) for k in range(self.num_layers)], unbatched

    def forward(
        self, input: torch.Tensor, hx: tuple[torch.Tensor, torch.Tensor] | None = None
    ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        xs, states, unbatched = self._check_input(input, hx)  # xs: (L, N, D)
        h_n, c_n = [], []
        for k in range(self.num_layers):
            # layer k reads the hidden states of layer k - 1 as its input sequence
            xs, (h, c) = lstm(xs, None if states is None else states[k], *self.layer_weights(k))
            h_n.append(h)
            c_n.append(c)
        h_n, c_n = torch.stack(h_n), torch.stack(c_n)
        if unbatched:
            return xs[:, 0], (h_n[:, 0], c_n[:, 0])
        if self.batch_first:
            xs = xs.transpose(0, 1)
        return xs, (h_n, c_n)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if not self.bias:
            s += ", bias=False"
        if self.batch_first:
            s += ", batch_first=True"
        return s


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
