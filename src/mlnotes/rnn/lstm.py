r"""The LSTM: its gates, one step, the unrolled layer, and a twin of ``torch.nn.LSTM``.

Part of :mod:`mlnotes.rnn`; explained in the book: :doc:`/sequences`.
"""

from __future__ import annotations

import math
from typing import Any

from ..activations import _sigmoid
from ..backend import (
    as_generator,
    assign_,
    check_count,
    fill_uniform_,
    import_torch,
    is_torch,
    namespace,
)
from ._common import _affine, _check_sequence, _check_step, _check_weights, _zeros_state

torch = import_torch()


# ------------------------------------------------------------------------- LSTM


def _split_gates(xp: Any, z: Any) -> tuple[Any, Any, Any, Any]:
    # z = x W_ih^T + b_ih + h W_hh^T + b_hh, (..., 4H): the four layers in torch's order
    H = z.shape[-1] // 4
    z_i, z_f, z_g, z_o = xp.unstack(xp.reshape(z, (*z.shape[:-1], 4, H)), axis=-2)
    i = _sigmoid(xp, z_i)  # input gate: how much of the candidate to write
    f = _sigmoid(xp, z_f)  # forget gate: how much of the old cell to keep
    g = xp.tanh(z_g)  # candidate values, in [-1, 1]
    o = _sigmoid(xp, z_o)  # output gate: how much of the cell to show
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
    # the input's share of the gates, for all L steps at once: (L, N, 4H)
    b = b_ih if b_hh is None else (b_hh if b_ih is None else b_ih + b_hh)
    # (unstacked into L arrays up front: autograd then joins their gradients once)
    zx = xp.unstack(_affine(xs, W_ih, b), axis=0)
    hs = []
    for zx_t in zx:
        # z_t = x_t W_ih^T + b_ih + b_hh + h_{t-1} W_hh^T
        z = zx_t + h @ W_hh.T
        # the cell: (i, f, g, o) from z_t, then c_t and h_t, as in lstm_cell
        h, c = _lstm_cell(xp, z, c)
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
