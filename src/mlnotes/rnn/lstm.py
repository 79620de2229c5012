r"""The LSTM: its gates, one step, the unrolled layer, and a twin of ``torch.nn.LSTM``.

Part of :mod:`mlnotes.rnn`; explained in the book: :doc:`/sequences`.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .. import autograd
from ..activations import _sigmoid
from ..autograd import Tensor
from ..backend import (
    as_generator,
    assign_,
    check_count,
    fill_uniform_,
    import_torch,
    is_torch,
    namespace,
)
from ..nn import Module
from ._common import _affine, _check_sequence, _check_step, _check_weights, _zeros_state

torch = import_torch()


# ------------------------------------------------------------------------- LSTM


def _split_gates(xp: Any, z: Any) -> tuple[Any, Any, Any, Any]:
    # z = x W_ih^T + b_ih + h W_hh^T + b_hh, (..., 4H): the four layers in torch's order
    H = z.shape[-1] // 4
    z = xp.reshape(z, (*z.shape[:-1], 4, H))
    # three gates are sigmoids, one pass over all four rows (the third, g's, goes unused)
    i, f, _, o = xp.unstack(_sigmoid(xp, z), axis=-2)
    # i: input gate, how much of the candidate to write; f: forget gate, how much of the
    # old cell to keep; o: output gate, how much of the cell to show
    g = xp.tanh(z[..., 2, :])  # candidate values, in [-1, 1]
    return i, f, g, o


def _lstm_cell(xp: Any, z: Any, c: Any) -> tuple[Any, Any]:
    """The cell's update from its pre-activation ``z``: the body of :func:`lstm_cell`."""
    i, f, g, o = _split_gates(xp, z)
    # c' = f * c + i * g: the cell state runs along the top, changed only by * and +
    c = f * c + i * g
    # h' = o * tanh(c')
    h = o * xp.tanh(c)
    return h, c


def _lstm_preactivation(x: Any, hc: Any, W_ih: Any, W_hh: Any, b_ih: Any, b_hh: Any):
    # checks one step's arguments; returns z = x W_ih^T + b_ih + h W_hh^T + b_hh, c, xp
    h, c = _unpack_state(hc, "hc")
    xp = namespace(x, h, c, W_ih, W_hh, b_ih, b_hh,
                   names=("x", "h", "c", "W_ih", "W_hh", "b_ih", "b_hh"),
                   optional=("b_ih", "b_hh"))
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
    return _split_gates(xp, z)


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
    return _lstm_cell(xp, z, c)


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
    and applies the cell's update, the same body as :func:`lstm_cell`'s. Same
    result as :func:`lstm_cell` in a loop, with one matrix product per step.

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
                   names=("xs", "h0", "c0", "W_ih", "W_hh", "b_ih", "b_hh"),
                   optional=("h0", "c0", "b_ih", "b_hh"))
    D, H = _check_weights(W_ih, W_hh, b_ih, b_hh, gates=4)
    _check_sequence(xs, D)
    h = _zeros_state(xs, H, xp) if h is None else h
    c = _zeros_state(xs, H, xp) if c is None else c
    _check_step(xs[0], h, D, H, h_name="h0")
    _check_step(xs[0], c, D, H, h_name="c0")
    # hs and cs, stacked: one node of autograd's graph, whose backward is lstm_backward
    states = _lstm_states(xs, h, c, W_ih, W_hh, b_ih, b_hh)
    hs, cs = states[0], states[1]
    return hs, (hs[-1], cs[-1])


def _lstm_states(xs: Any, h0: Any, c0: Any, W_ih: Any, W_hh: Any, b_ih: Any,
                 b_hh: Any) -> Any:
    """The body of :func:`lstm` (arguments checked): ``hs`` and ``cs`` stacked, ``(2, L, ...)``."""
    xp = namespace(xs, h0, c0, W_ih, W_hh, b_ih, b_hh, optional=("b_ih", "b_hh"),
                   names=("xs", "h0", "c0", "W_ih", "W_hh", "b_ih", "b_hh"))
    h, c = h0, c0
    # the input's share of the gates, for all L steps at once: (L, N, 4H)
    b = b_ih if b_hh is None else (b_hh if b_ih is None else b_ih + b_hh)
    # (unstacked into L arrays up front: autograd then joins their gradients once)
    zx = xp.unstack(_affine(xs, W_ih, b), axis=0)
    hs, cs = [], []
    for zx_t in zx:
        # z_t = x_t W_ih^T + b_ih + b_hh + h_{t-1} W_hh^T
        z = zx_t + h @ W_hh.T
        # the cell: (i, f, g, o) from z_t, then c_t and h_t, as in lstm_cell
        h, c = _lstm_cell(xp, z, c)
        hs.append(h)
        cs.append(c)
    return xp.stack([xp.stack(hs, axis=0), xp.stack(cs, axis=0)], axis=0)


def lstm_backward(
    grad_hs: Any, grad_cs: Any, xs: Any, hs: Any, cs: Any, h0: Any, c0: Any, W_ih: Any,
    W_hh: Any, b_ih: Any = None, b_hh: Any = None,
) -> tuple[Any, Any, Any, Any, Any, Any, Any]:
    r"""Backpropagation through time for :func:`lstm`: the chain rule along the cell's path.

    With :math:`z_t = x_t W_{ih}^\top + b_{ih} + b_{hh} + h_{t-1} W_{hh}^\top`, the gates
    :math:`(i, f, g, o)` of :math:`z_t`, :math:`c_t = f \odot c_{t-1} + i \odot g` and
    :math:`h_t = o \odot \tanh c_t`, walking back from :math:`t = L` (a bar is the
    gradient of the loss, :math:`\bar h_t` and :math:`\bar c_t` collecting what the
    loss sends to step :math:`t` directly and what step :math:`t + 1` sends back):

    .. math::
        \bar h_t &\mathrel{+}= \bar z_{t+1} W_{hh}, \qquad
        \bar c_t \mathrel{+}= f_{t+1} \odot \bar c_{t+1}
                 + \bar h_t \odot o \odot (1 - \tanh^2 c_t) \\
        \bar o &= \bar h_t \odot \tanh c_t, \quad \bar i = \bar c_t \odot g, \quad
        \bar f = \bar c_t \odot c_{t-1}, \quad \bar g = \bar c_t \odot i \\
        \bar z_t &= \big(\bar i\, i(1 - i),\ \bar f\, f(1 - f),\ \bar g\, (1 - g^2),\
                    \bar o\, o(1 - o)\big)

    and the shared weights collect every step's share: :math:`\bar W_{ih} = \sum_t
    \bar z_t^\top x_t`, :math:`\bar W_{hh} = \sum_t \bar z_t^\top h_{t-1}`,
    :math:`\bar b = \sum_{t,n} \bar z_t`. The cell's own path multiplies its gradient
    only by the forget gates: with :math:`f \approx 1` it reaches far back undiminished.
    The gates are recomputed from the saved states, all steps in one product.

    Args:
        grad_hs: the gradient of the loss with respect to every ``h_t``, shaped like ``hs``.
        grad_cs: the same for every ``c_t`` (zeros where the loss ignores them).
        xs, h0, c0, W_ih, W_hh, b_ih, b_hh: as given to :func:`lstm` (``h0``, ``c0`` arrays).
        hs, cs: the hidden and cell states of every step, ``(L, N, H)`` or ``(L, H)``.

    Returns:
        ``(grad_xs, grad_h0, grad_c0, grad_W_ih, grad_W_hh, grad_b_ih, grad_b_hh)``; the
        two bias gradients are equal (both add to :math:`z_t`).

    Example:
        >>> import numpy as np
        >>> W_ih, W_hh = np.zeros((4, 1)), np.zeros((4, 1))
        >>> b = np.array([-100.0, 100.0, 0.0, 100.0])  # keep the cell, write nothing
        >>> xs, c0 = np.ones((3, 1)), np.array([0.5])
        >>> hs, (h, c) = lstm(xs, (np.zeros(1), c0), W_ih, W_hh, b)
        >>> cs = np.full((3, 1), 0.5)
        >>> grads = lstm_backward(np.zeros((3, 1)), np.array([[0.0], [0.0], [1.0]]),
        ...                       xs, hs, cs, np.zeros(1), c0, W_ih, W_hh, b)
        >>> float(grads[2][0])  # dc_3/dc_0 = f^3 = 1: the cell carries its gradient
        1.0
    """
    xp = namespace(grad_hs, grad_cs, xs, hs, cs, h0, c0, W_ih, W_hh, b_ih, b_hh,
                   optional=("b_ih", "b_hh"), names=("grad_hs", "grad_cs", "xs", "hs", "cs",
                                                     "h0", "c0", "W_ih", "W_hh", "b_ih", "b_hh"))
    D, H = _check_weights(W_ih, W_hh, b_ih, b_hh, gates=4)
    _check_sequence(xs, D)
    for name, a in (("hs", hs), ("cs", cs), ("grad_hs", grad_hs), ("grad_cs", grad_cs)):
        if tuple(a.shape) != (*xs.shape[:-1], H):
            raise ValueError(f"{name} must have shape {(*xs.shape[:-1], H)}, "
                             f"got {tuple(a.shape)}")
    _check_step(xs[0], h0, D, H, h_name="h0")
    _check_step(xs[0], c0, D, H, h_name="c0")
    unbatched = xs.ndim == 2
    if unbatched:  # a batch of one, so that every product below is a matrix product
        grad_hs, grad_cs, xs, hs, cs = (a[:, None] for a in (grad_hs, grad_cs, xs, hs, cs))
        h0, c0 = h0[None], c0[None]
    b = b_ih if b_hh is None else (b_hh if b_ih is None else b_ih + b_hh)
    # every step's h_{t-1} and c_{t-1} are known, so the gates of all steps are
    # recomputed at once: z_t = x_t W_ih^T + b + h_{t-1} W_hh^T
    hs_prev = xp.concat([h0[None], hs[:-1]], axis=0)
    cs_prev = xp.concat([c0[None], cs[:-1]], axis=0)
    i, f, g, o = _split_gates(xp, _affine(xs, W_ih, b) + hs_prev @ W_hh.T)
    tanh_cs = xp.tanh(cs)
    # the local derivatives need no gradient, so they too are computed for all steps at
    # once: h_t = o tanh c_t and c_t = f c_{t-1} + i g, through each gate's own derivative
    dh_dc = o * (1 - tanh_cs**2)
    dh_dzo = tanh_cs * o * (1 - o)
    dc_dzi, dc_dzf, dc_dzg = g * i * (1 - i), cs_prev * f * (1 - f), i * (1 - g**2)
    # the walk back in time carries the gradient only
    grad_zs = [None] * xs.shape[0]
    grad_z_next, grad_c_next = None, None
    for t in reversed(range(xs.shape[0])):
        grad_h = grad_hs[t] if grad_z_next is None else grad_hs[t] + grad_z_next @ W_hh
        grad_c = grad_cs[t] + grad_h * dh_dc[t]
        if grad_c_next is not None:
            grad_c = grad_c + f[t + 1] * grad_c_next
        # the gates' pre-activations, in torch's order i, f, g, o
        grad_z = xp.concat([grad_c * dc_dzi[t], grad_c * dc_dzf[t], grad_c * dc_dzg[t],
                            grad_h * dh_dzo[t]], axis=-1)
        grad_zs[t] = grad_z
        grad_z_next, grad_c_next = grad_z, grad_c
    # the shared weights collect every step's share, sum_t sum_n grad z_tn^T x_tn: with
    # row k of grad_z_rows holding unit k's gradient at every step and sample, (4H, L N),
    # each weight's gradient is one product that sums over t and n at once
    grad_z = xp.stack(grad_zs, axis=0)  # (L, N, 4H)
    grad_z_rows = xp.reshape(xp.permute_dims(grad_z, (2, 0, 1)), (4 * H, -1))
    grad_W_ih = grad_z_rows @ xp.reshape(xs, (-1, D))
    grad_W_hh = grad_z_rows @ xp.reshape(hs_prev, (-1, H))
    grad_b = xp.sum(grad_z, axis=(0, 1))
    grad_xs = grad_z @ W_ih
    grad_h0, grad_c0 = grad_z_next @ W_hh, f[0] * grad_c_next
    if unbatched:
        grad_xs, grad_h0, grad_c0 = grad_xs[:, 0], grad_h0[0], grad_c0[0]
    return grad_xs, grad_h0, grad_c0, grad_W_ih, grad_W_hh, grad_b, grad_b


def _lstm_states_backward(grad: Any, xs: Any, h0: Any, c0: Any, W_ih: Any, W_hh: Any,
                          b_ih: Any, b_hh: Any, states: Any) -> tuple[Any, ...]:
    # the registered node's backward: its output is (hs, cs) stacked, so is its gradient
    return lstm_backward(grad[0], grad[1], xs, states[0], states[1], h0, c0, W_ih, W_hh,
                         b_ih, b_hh)


# the layer is one node of autograd's graph (with both biases; without, the body's graph)
_lstm_states = autograd.register(
    _lstm_states, _lstm_states_backward, output="states",
    wrt=("xs", "h0", "c0", "W_ih", "W_hh", "b_ih", "b_hh"),
    when=lambda a: a["b_ih"] is not None and a["b_hh"] is not None)


def _swap01(x: Any) -> Any:
    # (A, B, ...) -> (B, A, ...), in x's own namespace
    return namespace(x).permute_dims(x, (1, 0, *range(2, x.ndim)))


class _LSTMLayers:
    """The body :class:`LSTM` and :class:`NumpyLSTM` share: checks, forward, description."""

    _torch = True  # whether the model's inputs and parameters are torch tensors

    def layer_weights(self, k: int) -> tuple[Any, Any, Any, Any]:
        """``(W_ih, W_hh, b_ih, b_hh)`` of layer ``k`` (biases ``None`` if ``bias=False``)."""
        get = lambda name: getattr(self, f"{name}_l{k}", None)  # noqa: E731
        return get("weight_ih"), get("weight_hh"), get("bias_ih"), get("bias_hh")

    def _check_input(self, input: Any, hx: Any) -> tuple[Any, Any, bool]:
        """Check ``forward``'s arguments; return ``(xs, states, unbatched)``.

        ``xs`` is the input as ``(L, N, D)``, ``states`` ``None`` or a list of each
        layer's ``(h_0, c_0)``, each ``(N, H)``, and ``unbatched`` says the input came
        as one sequence ``(L, D)``.
        """
        if is_torch(input) != self._torch or not hasattr(input, "ndim"):
            kind = "a torch tensor" if self._torch else "a NumPy array or an autograd Tensor"
            raise TypeError(f"input must be {kind}, got {type(input).__name__}")
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
        xs = input[:, None] if unbatched else input
        if self.batch_first and not unbatched:
            xs = _swap01(xs)  # (N, L, D) -> (L, N, D)
        if hx is None:
            return xs, None, unbatched
        h0, c0 = _unpack_state(hx, "hx")
        want = (self.num_layers, *(() if unbatched else (xs.shape[1],)), self.hidden_size)
        for name, s in (("h_0", h0), ("c_0", c0)):
            if tuple(s.shape) != want:
                raise ValueError(f"{name} must have shape (num_layers, N, H) = {want}, "
                                 f"got {tuple(s.shape)}")
        if unbatched:
            h0, c0 = h0[:, None], c0[:, None]
        return xs, [(h0[k], c0[k]) for k in range(self.num_layers)], unbatched

    def forward(self, input: Any, hx: tuple[Any, Any] | None = None) -> tuple[Any, tuple[Any, Any]]:
        xs, states, unbatched = self._check_input(input, hx)  # xs: (L, N, D)
        h_n, c_n = [], []
        for k in range(self.num_layers):
            # layer k reads the hidden states of layer k - 1 as its input sequence
            xs, (h, c) = lstm(xs, None if states is None else states[k], *self.layer_weights(k))
            h_n.append(h)
            c_n.append(c)
        xp = namespace(self.layer_weights(0)[1])
        h_n, c_n = xp.stack(h_n), xp.stack(c_n)
        if unbatched:
            return xs[:, 0], (h_n[:, 0], c_n[:, 0])
        if self.batch_first:
            xs = _swap01(xs)
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


class LSTM(_LSTMLayers, torch.nn.Module):
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



class NumpyLSTM(_LSTMLayers, Module):
    r"""The NumPy twin of :class:`LSTM`: the same layers, parameters and forward, over Tensors.

    Its parameters are :class:`mlnotes.autograd.Tensor` s named as ``torch.nn.LSTM``'s
    (``weight_ih_l0``, ...), so ``NumpyLSTM(...).load_state_dict(torch_lstm.state_dict())``
    starts it from a torch LSTM's weights; the forward is :class:`LSTM`'s, and each
    layer is one node of the graph whose backward is :func:`lstm_backward`. Inputs are
    NumPy arrays or Tensors.

    Args:
        input_size, hidden_size, num_layers, bias, batch_first: as in :class:`LSTM`.
        generator: a NumPy ``Generator`` or an int seed for the initial weights,
            uniform on :math:`[-1/\sqrt{H}, 1/\sqrt{H}]` (the same law as torch's, not
            the same numbers).
        dtype: the parameters' dtype.

    Example:
        >>> import numpy as np
        >>> model = NumpyLSTM(3, 5, num_layers=2, generator=0)
        >>> output, (h_n, c_n) = model(np.zeros((7, 4, 3)))
        >>> output.shape, h_n.shape
        ((7, 4, 5), (2, 4, 5))
        >>> output.sum().backward()
        >>> model.weight_hh_l1.grad.shape
        (20, 5)
    """

    _torch = False

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, *,
                 generator: Any = 0, dtype: Any = np.float64) -> None:
        for name, value in (("input_size", input_size), ("hidden_size", hidden_size),
                            ("num_layers", num_layers)):
            check_count(value, name)
        self.input_size, self.hidden_size, self.num_layers = input_size, hidden_size, num_layers
        self.bias, self.batch_first = bool(bias), bool(batch_first)
        rng = as_generator(generator)
        H, bound = hidden_size, 1.0 / math.sqrt(hidden_size)
        for k in range(num_layers):
            shapes = {"weight_ih": (4 * H, input_size if k == 0 else H),
                      "weight_hh": (4 * H, H)}
            if bias:
                shapes.update(bias_ih=(4 * H,), bias_hh=(4 * H,))
            for name, shape in shapes.items():
                setattr(self, f"{name}_l{k}", Tensor(
                    rng.uniform(-bound, bound, shape).astype(dtype), requires_grad=True))

    def __repr__(self) -> str:
        return f"NumpyLSTM({self.extra_repr()})"
