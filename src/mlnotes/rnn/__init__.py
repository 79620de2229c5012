r"""Recurrent networks: the RNN, backpropagation through time, gradient clipping, the LSTM.

A recurrent network reads a sequence one step at a time and carries what it has
seen in a hidden state :math:`h_t`. The same weights are used at every step, so
one small module handles sequences of any length.

- :func:`rnn_cell` is one step of the Elman RNN (a single tanh layer), :func:`rnn`
  unrolls it over a sequence, and :func:`rnn_backward` is backpropagation through
  time written out: the chain rule walked backwards along the unrolled graph.
- Gradient clipping, which BPTT often needs, is :func:`mlnotes.optim.clip_grad_norm`.
- :func:`lstm_gates` and :func:`lstm_cell` are one step of the LSTM, with torch's
  weight layout and gate order (input, forget, candidate, output); :func:`lstm`
  unrolls it, and :class:`LSTM` is a drop-in twin of ``torch.nn.LSTM`` (same
  constructor arguments, parameter names and return values), so a state dict
  loads from one into the other.

The functions take NumPy arrays or torch tensors (see :mod:`mlnotes.backend`);
:class:`LSTM` is a ``torch.nn.Module`` built from them.

Explained in the book: :doc:`/sequences`; presented in the deck "Lecture: Sequences".
The page's experiment is in :mod:`mlnotes.experiments.sequences`.

Shapes: ``L`` sequence length, ``N`` batch, ``D`` input features, ``H`` hidden
units. A sequence is ``(L, N, D)`` (or ``(L, D)`` unbatched), a hidden state
``(N, H)`` (or ``(H,)``). The RNN's weights are ``W_ih (H, D)``, ``W_hh (H, H)``,
``b_ih, b_hh (H,)``; the LSTM's stack its four gates along the first axis:
``W_ih (4H, D)``, ``W_hh (4H, H)``, ``b_ih, b_hh (4H,)``, as torch does.

One family per file, all re-exported here: ``elman.py`` (the RNN, BPTT),
``lstm.py``; ``_common.py`` holds the checks they share.
"""

from __future__ import annotations

from .elman import rnn, rnn_backward, rnn_cell
from .lstm import LSTM, NumpyLSTM, lstm, lstm_backward, lstm_cell, lstm_gates

__all__ = [
    "rnn_cell",
    "rnn",
    "rnn_backward",
    "lstm_gates",
    "lstm_cell",
    "lstm",
    "lstm_backward",
    "LSTM",
    "NumpyLSTM",
]
