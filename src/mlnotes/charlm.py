r"""A character-level language model: an LSTM that reads text one letter at a time.

A language model gives the probability of the next symbol given the ones before,

.. math::
    p(x_1, \dots, x_T) = \prod_{t} p(x_{t+1} \mid x_1, \dots, x_t),

and a recurrent network fits it in one pass: after reading :math:`x_1, \dots, x_t`
its hidden state :math:`h_t` is a summary of that prefix, and a linear read-out of
:math:`h_t` gives the logits of :math:`x_{t+1}`. Here the symbols are characters.

- :data:`TEXT` is the corpus, a few paragraphs written for this project;
  :func:`vocabulary`, :func:`encode` and :func:`decode` turn text into class indices
  and back.
- :func:`pad_sequences` and :func:`make_batch` put windows of different lengths into
  one rectangular batch, with the lengths and a target of :data:`IGNORE_INDEX` on
  the padding, which :func:`~mlnotes.losses.cross_entropy` skips.
- :class:`CharLSTM` is :class:`mlnotes.rnn.LSTM` with a linear read-out;
  :func:`sequence_loss` is its cross-entropy and :func:`train` fits it with
  :class:`mlnotes.optim.Adam`.
- :func:`next_distribution`, :func:`sample` and :func:`greedy` write with it:
  sampling draws each character from :math:`\mathrm{softmax}(z / T)`, the softmax
  with inverse temperature :math:`\beta = 1/T`.

The text functions take and return NumPy arrays and run without torch; the model
and what uses it need torch.

Explained in the book: :doc:`/sequences` (section "A character-level language
model"); presented in the deck "Lecture: Sequences".

Shapes: ``N`` batch, ``L`` sequence length, ``V`` vocabulary size (the classes),
``H`` hidden units.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from . import nn as mlnn
from .activations import softmax
from .backend import (
    as_generator,
    check_count,
    check_model,
    check_number,
    import_torch,
    is_tensor,
    is_torch,
    to_numpy,
)
from .init import seeded_linear
from .losses import cross_entropy
from .optim import Adam
from .rnn import LSTM, NumpyLSTM
from .training import fit

torch = import_torch()

__all__ = [
    "TEXT",
    "VOCAB",
    "IGNORE_INDEX",
    "vocabulary",
    "encode",
    "decode",
    "unigram_entropy",
    "pad_sequences",
    "make_batch",
    "CharLSTM",
    "NumpyCharLSTM",
    "sequence_loss",
    "train",
    "next_distribution",
    "sample",
    "greedy",
]

#: The corpus: a few paragraphs about sequences and memory, written for mlnotes
#: (lower case, so that the alphabet stays small). 1,641 characters.
TEXT = """\
a sequence is read one step at a time. the network sees a letter, updates its state, \
and waits for the next letter. the state is all it keeps of the past: a few numbers \
that must hold what came before, the start of a word, the word before it, whether a \
line has just begun.

a plain recurrent network multiplies its state by the same matrix at every step, and \
what it saw long ago fades away. the long short-term memory keeps a second state, the \
cell, and changes it only with gates and sums. the forget gate says what to keep. the \
input gate says what to write. the output gate says what to show. with the forget \
gate open, the cell holds a letter for many steps, and the gradient finds its way back.

to learn a language one letter at a time, the model reads a window of the text and \
predicts, at every step, the letter that comes next. the loss is the cross-entropy of \
that guess. at first every letter is equally likely. soon the model learns that a \
space follows a word, that a word starts after a space, that a full stop ends a line. \
later it learns whole words, and which word may follow which.

to write, the model is given a prompt. it reads the prompt step by step, and its state \
now holds the prompt. then it draws the next letter from its softmax, feeds that letter \
back in, and draws again. a low temperature picks the likely letter every time and \
repeats itself. a high temperature picks the unlikely ones too and makes noise. in \
between, the model writes words it has read, in orders it has not.

memory is what the present keeps of the past. a sequence model is good when it keeps \
the right part of it, and forgets the rest.
"""

#: The target that :func:`make_batch` puts on padding and the loss skips: torch's
#: default ``ignore_index``.
IGNORE_INDEX = -100


# ------------------------------------------------------------------- the alphabet


def vocabulary(text: str) -> str:
    r"""The distinct characters of ``text``, sorted: character ``vocab[k]`` is class ``k``.

    Example:
        >>> vocabulary("banana")
        'abn'
    """
    if not isinstance(text, str) or not text:
        raise ValueError(f"text must be a non-empty str, got {text!r}")
    return "".join(sorted(set(text)))


#: The vocabulary of :data:`TEXT`.
VOCAB = vocabulary(TEXT)


def _encode(text: str, vocab: str, name: str) -> np.ndarray:
    if not isinstance(text, str):
        raise TypeError(f"{name} must be a str, got {type(text).__name__}")
    index = {ch: k for k, ch in enumerate(vocab)}
    unknown = sorted(set(text) - set(index))
    if unknown:
        raise ValueError(f"{name} has characters outside the vocabulary: {''.join(unknown)!r}")
    return np.array([index[ch] for ch in text], dtype=np.int64)


def encode(text: str, vocab: str = VOCAB) -> np.ndarray:
    r"""The class index of every character of ``text``: a 1-D ``int64`` array.

    Args:
        text: a string whose characters are all in ``vocab``.
        vocab: the alphabet (:func:`vocabulary`); :data:`VOCAB` by default.

    Returns:
        ``ids`` of shape ``(len(text),)``, with ``vocab[ids[t]] == text[t]``.

    Raises:
        ValueError: ``text`` has a character that ``vocab`` lacks (they are named).

    Example:
        >>> encode("nab", vocab="abn").tolist()
        [2, 0, 1]
        >>> decode(encode("a step at a time")) == "a step at a time"
        True
    """
    return _encode(text, vocab, "text")


def decode(ids: Any, vocab: str = VOCAB) -> str:
    r"""The text of a sequence of class indices: :func:`encode` undone.

    Args:
        ids: integer class indices, a 1-D array or list (a torch tensor too).
        vocab: the alphabet; :data:`VOCAB` by default.

    Example:
        >>> decode([2, 0, 1], vocab="abn")
        'nab'
    """
    ids = to_numpy(ids) if hasattr(ids, "shape") else np.asarray(ids)
    if ids.ndim != 1 or (ids.size and not np.issubdtype(ids.dtype, np.integer)):
        raise ValueError(f"ids must be a 1-D sequence of integers, got shape {ids.shape} "
                         f"and dtype {ids.dtype}")
    if ids.size and (ids.min() < 0 or ids.max() >= len(vocab)):
        raise ValueError(f"ids must lie in [0, {len(vocab)}), got {ids.min()}..{ids.max()}")
    return "".join(vocab[k] for k in ids.tolist())


def unigram_entropy(ids: Any, vocab_size: int | None = None) -> float:
    r"""The entropy of the characters' frequencies, in nats: the best loss without context.

    .. math::
        H = -\sum_k p_k \log p_k, \qquad p_k = \frac{\#\{t : x_t = k\}}{T}

    A model that ignores the past can do no better than predicting these
    frequencies at every step, so its cross-entropy on the text is at least
    :math:`H`. A loss below :math:`H` is what the context bought.

    Args:
        ids: the encoded text, 1-D integer.
        vocab_size: ``V`` (unused classes have :math:`p_k = 0` and add nothing).

    Example:
        >>> round(unigram_entropy(encode("abab", "ab")), 4)  # log 2
        0.6931
    """
    ids = np.asarray(ids)
    if ids.ndim != 1 or ids.size == 0:
        raise ValueError(f"ids must be a non-empty 1-D array, got shape {ids.shape}")
    # bincount wants intp, 32 bits in the browser's WebAssembly: cast, not a safe cast
    counts = np.bincount(np.asarray(ids).astype(np.intp), minlength=vocab_size or 0)
    p = counts[counts > 0] / ids.size
    # H = -sum_k p_k log p_k
    return float(-(p * np.log(p)).sum())


# ---------------------------------------------------------------------- batching


def pad_sequences(seqs: Sequence[Any], value: int = 0) -> tuple[np.ndarray, np.ndarray]:
    r"""Stack 1-D sequences of different lengths into one ``(N, L)`` array, padded at the end.

    ``L`` is the longest length; a shorter row is filled with ``value`` after its
    last element. The lengths say which entries are real:
    ``mask = np.arange(L) < lengths[:, None]``.

    Args:
        seqs: a list of ``N`` 1-D integer arrays (or lists), at least one.
        value: what the padding holds.

    Returns:
        ``(padded, lengths)``: ``int64`` arrays of shapes ``(N, L)`` and ``(N,)``.

    Example:
        >>> padded, lengths = pad_sequences([[5, 6, 7], [8]], value=-100)
        >>> padded.tolist(), lengths.tolist()
        ([[5, 6, 7], [8, -100, -100]], [3, 1])
    """
    if not isinstance(seqs, (list, tuple)):
        raise TypeError(f"seqs must be a list of 1-D integer sequences, got {type(seqs).__name__}")
    if not seqs:
        raise ValueError("seqs must hold at least one sequence, got none")
    seqs = [np.asarray(s) for s in seqs]
    for k, s in enumerate(seqs):
        if s.ndim != 1:
            raise ValueError(f"seqs[{k}] must be 1-D, got shape {s.shape}")
        if s.size and (s.dtype == bool or not np.issubdtype(s.dtype, np.integer)):
            raise TypeError(f"seqs[{k}] must hold integers, got dtype {s.dtype}")
    lengths = np.array([len(s) for s in seqs], dtype=np.int64)
    padded = np.full((len(seqs), int(lengths.max())), value, dtype=np.int64)
    for row, s in zip(padded, seqs, strict=True):
        row[: len(s)] = s
    return padded, lengths


def make_batch(
    ids: Any,
    batch_size: int,
    min_length: int,
    max_length: int,
    generator: int | np.random.Generator = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    r"""Windows of random lengths from ``ids``, as inputs and next-character targets.

    Each of the ``N`` windows gets a length :math:`L_n` drawn uniformly from
    ``[min_length, max_length]`` and a uniform start :math:`s_n`; its input is
    :math:`x_{s_n}, \dots, x_{s_n + L_n - 1}` and its target the same window
    one character later. Inputs are padded with 0 (a real class: the padding
    comes after the real steps, so a recurrent network has read them all before
    it meets it) and targets with :data:`IGNORE_INDEX`, so the loss counts the
    real steps only.

    Args:
        ids: the encoded text, 1-D, longer than ``max_length``.
        batch_size: ``N``.
        min_length: the shortest window, at least 1.
        max_length: the longest window, at least ``min_length``.
        generator: an int seed or a ``numpy.random.Generator``.

    Returns:
        ``(inputs, targets, lengths)``: ``int64`` arrays ``(N, L)``, ``(N, L)``
        and ``(N,)``, with ``L = lengths.max()``.

    Example:
        >>> ids = encode("abcdefgh", "abcdefgh")
        >>> x, y, lengths = make_batch(ids, 2, 2, 4, generator=0)
        >>> x.shape == y.shape == (2, lengths.max())
        True
        >>> bool(((y == IGNORE_INDEX) == (np.arange(x.shape[1]) >= lengths[:, None])).all())
        True
    """
    ids = np.asarray(ids)
    if ids.ndim != 1 or not np.issubdtype(ids.dtype, np.integer):
        raise ValueError(f"ids must be a 1-D integer array, got shape {ids.shape} "
                         f"and dtype {ids.dtype}")
    N = check_count(batch_size, "batch_size")
    min_length = check_count(min_length, "min_length")
    max_length = check_count(max_length, "max_length")
    if max_length < min_length:
        raise ValueError(f"max_length must be at least min_length={min_length}, "
                         f"got {max_length}")
    if len(ids) <= max_length:
        raise ValueError(f"ids must be longer than max_length={max_length}, got {len(ids)}")
    rng = as_generator(generator)
    lengths = rng.integers(min_length, max_length + 1, size=N)
    # a window of l inputs needs l + 1 characters: s + l <= len(ids) - 1
    starts = rng.integers(0, len(ids) - lengths)
    inputs, _ = pad_sequences([ids[s: s + n] for s, n in zip(starts, lengths, strict=True)])
    targets, lengths = pad_sequences(
        [ids[s + 1: s + n + 1] for s, n in zip(starts, lengths, strict=True)], IGNORE_INDEX)
    return inputs, targets, lengths


# -------------------------------------------------------------------------- model


class _CharLSTMBody:
    """The forward :class:`CharLSTM` and :class:`NumpyCharLSTM` share."""

    _torch = True  # whether the parameters are torch tensors (else autograd Tensors)

    def _ids(self, ids: Any) -> Any:
        # the ids in the model's kind: a torch tensor on its device, or a NumPy array
        if self._torch:
            return torch.as_tensor(ids, device=self.readout.weight.device)
        return np.asarray(ids.data if is_tensor(ids) else ids)

    def forward(self, ids: Any, state: tuple[Any, Any] | None = None
                ) -> tuple[Any, tuple[Any, Any]]:
        ids = self._ids(ids)
        integer = (ids.dtype in (torch.int64, torch.int32) if self._torch
                   else np.issubdtype(ids.dtype, np.integer))
        if ids.ndim != 2 or not integer or ids.shape[1] < 1:
            raise ValueError(f"ids must be integer class indices of shape (N, L), L >= 1, "
                             f"got shape {tuple(ids.shape)} and dtype {ids.dtype}")
        if ids.shape[0] and (ids.min() < 0 or ids.max() >= self.vocab_size):
            raise ValueError(f"ids must lie in [0, {self.vocab_size}), "
                             f"got {int(ids.min())}..{int(ids.max())}")
        dtype = self.readout.weight.dtype
        if self._torch:
            x = torch.nn.functional.one_hot(ids.long(), self.vocab_size).to(dtype)  # (N, L, V)
        else:
            x = np.eye(self.vocab_size, dtype=dtype)[ids]  # (N, L, V), one-hot rows
        hs, state = self.lstm(x, state)  # (N, L, H)
        # z_t = h_t W_out^T + b_out
        return self.readout(hs), state  # (N, L, V)


class CharLSTM(_CharLSTMBody, torch.nn.Module):
    r"""An LSTM over one-hot characters with a linear read-out of the next character's logits.

    .. math::
        h_t = \mathrm{LSTM}(\mathrm{onehot}(x_t), h_{t-1}), \qquad
        z_t = h_t W_{out}^\top + b_{out} \in \R^{V}, \qquad
        p(x_{t+1} \mid x_{\le t}) = \mathrm{softmax}(z_t)

    The one-hot input times the LSTM's :math:`W_{ih}` picks one column of it: a
    learnt embedding of each character, with no separate table.

    Args:
        vocab_size: ``V``, the number of characters.
        hidden_size: ``H``.
        generator: an int seed or a ``torch.Generator`` for the initial weights
            (torch's initialisation, drawn from it).
        dtype: the parameters' dtype (float32 by default).

    Returns (of ``forward(ids, state=None)``):
        ``(logits, state)``: ``(N, L, V)`` logits for the character after each
        step, and the LSTM's last ``(h, c)``, each ``(1, N, H)``, to continue
        reading from.

    Example:
        >>> import torch
        >>> model = CharLSTM(vocab_size=5, hidden_size=8, generator=0)
        >>> logits, (h, c) = model(torch.tensor([[0, 1, 2], [3, 4, 0]]))
        >>> tuple(logits.shape), tuple(h.shape)
        ((2, 3, 5), (1, 2, 8))
    """

    def __init__(self, vocab_size: int, hidden_size: int = 64,
                 generator: int | torch.Generator = 0, dtype: torch.dtype | None = None):
        super().__init__()
        self.vocab_size = check_count(vocab_size, "vocab_size")
        hidden_size = check_count(hidden_size, "hidden_size")
        g = as_generator(generator, "torch")
        self.lstm = LSTM(self.vocab_size, hidden_size, batch_first=True, dtype=dtype,
                         generator=g)
        self.readout = seeded_linear(hidden_size, self.vocab_size, g, dtype)


class NumpyCharLSTM(_CharLSTMBody, mlnn.Module):
    r"""The NumPy twin of :class:`CharLSTM`: the same layers, names and forward, over Tensors.

    A :class:`mlnotes.rnn.NumpyLSTM` (``batch_first``) and an :class:`mlnotes.nn.Linear`
    read-out, named as :class:`CharLSTM`'s, so
    ``NumpyCharLSTM(V).load_state_dict(char_lstm.state_dict())`` starts it from a torch
    model's weights. The one-hot input is a row of the identity: ``np.eye(V)[ids]``.

    Args:
        vocab_size, hidden_size: as in :class:`CharLSTM`.
        generator: an int seed or a ``numpy.random.Generator`` for the initial weights.
        dtype: the parameters' dtype.

    Example:
        >>> model = NumpyCharLSTM(vocab_size=5, hidden_size=8, generator=0)
        >>> logits, (h, c) = model(np.array([[0, 1, 2], [3, 4, 0]]))
        >>> logits.shape, h.shape
        ((2, 3, 5), (1, 2, 8))
    """

    _torch = False

    def __init__(self, vocab_size: int, hidden_size: int = 64, generator: Any = 0,
                 dtype: Any = np.float64) -> None:
        self.vocab_size = check_count(vocab_size, "vocab_size")
        hidden_size = check_count(hidden_size, "hidden_size")
        rng = as_generator(generator)
        self.lstm = NumpyLSTM(self.vocab_size, hidden_size, batch_first=True, generator=rng,
                              dtype=dtype)
        self.readout = mlnn.Linear(hidden_size, self.vocab_size, generator=rng, dtype=dtype)


def _as_ids(ids: Any, name: str) -> np.ndarray:
    """``ids`` (NumPy or torch) as a NumPy array of token ids, or a ``TypeError`` naming it."""
    try:
        ids = to_numpy(ids) if is_torch(ids) else np.asarray(ids)
    except (RuntimeError, TypeError, ValueError):
        raise TypeError(f"{name} must be an array of token ids, got {type(ids).__name__}") from None
    if not np.issubdtype(ids.dtype, np.integer):
        raise TypeError(f"{name} must hold integer token ids, got {ids.dtype}")
    return ids


def sequence_loss(model: Any, inputs: Any, targets: Any) -> Any:
    r"""The mean cross-entropy of the next-character predictions over the real (unpadded) steps.

    .. math::
        \ell = -\frac{1}{\sum_n L_n} \sum_{n} \sum_{t < L_n}
               \log \mathrm{softmax}(z_{n,t})_{y_{n,t}}

    with :math:`L_n` the real length of window :math:`n`.

    Targets equal to :data:`IGNORE_INDEX` (the padding of :func:`make_batch`) are
    skipped by :func:`~mlnotes.losses.cross_entropy`, in the sum and in the count.

    Args:
        model: a :class:`CharLSTM` or its twin :class:`NumpyCharLSTM`.
        inputs: ``(N, L)`` class indices (NumPy or torch).
        targets: ``(N, L)`` class indices or :data:`IGNORE_INDEX`.

    Returns:
        The loss, a 0-d tensor of the model's kind (with its graph, for ``backward``).

    Example:
        >>> model = NumpyCharLSTM(vocab_size=3, hidden_size=4)
        >>> x, y = np.array([[0, 1, 2]]), np.array([[1, 2, 0]])
        >>> y_pad = np.array([[1, 2, 0, IGNORE_INDEX]])  # a padded step, skipped
        >>> x_pad = np.array([[0, 1, 2, 0]])
        >>> bool(sequence_loss(model, x, y) == sequence_loss(model, x_pad, y_pad))
        True
    """
    check_model(model)
    inputs, targets = _as_ids(inputs, "inputs"), _as_ids(targets, "targets")
    if tuple(inputs.shape) != tuple(targets.shape):
        raise ValueError(f"inputs and targets must have the same shape, got "
                         f"{tuple(inputs.shape)} and {tuple(targets.shape)}")
    on_torch = is_torch(next(iter(model.parameters())))
    logits, _ = model(torch.from_numpy(inputs) if on_torch else inputs)  # (N, L, V)
    V = logits.shape[-1]
    # every step of every window is one classification: (N L, V) logits, (N L,) targets
    targets = targets.reshape(-1).astype(np.int64)
    if on_torch:
        targets = torch.from_numpy(targets).to(logits.device)
    return cross_entropy(logits.reshape(-1, V), targets, ignore_index=IGNORE_INDEX)


def train(
    model: Any,
    ids: Any,
    steps: int = 300,
    batch_size: int = 16,
    min_length: int = 16,
    max_length: int = 48,
    lr: float = 0.02,
    max_norm: float = 1.0,
    generator: int | np.random.Generator = 0,
    on_step: Callable[[list[float]], Any] | None = None,
) -> list[float]:
    r"""Fit ``model`` to ``ids`` with Adam on :func:`sequence_loss`; return the loss of each step.

    Each step draws a fresh :func:`make_batch` of windows of different lengths,
    backpropagates through time, clips the gradients' joint norm to ``max_norm``
    (:func:`mlnotes.optim.clip_grad_norm`) and takes one :class:`mlnotes.optim.Adam`
    step: the loop of :func:`mlnotes.training.fit`.

    Args:
        model: a :class:`CharLSTM` or its twin :class:`NumpyCharLSTM` (trained in place).
        ids: the encoded text.
        steps: the number of Adam steps.
        batch_size, min_length, max_length: as in :func:`make_batch`.
        lr: Adam's learning rate.
        max_norm: the largest gradient norm a step uses.
        generator: an int seed or a ``numpy.random.Generator`` for the batches.
        on_step: called after each step with the losses so far, as in
            :func:`mlnotes.training.fit` (to print progress or redraw a curve).

    Returns:
        The training loss before each step, in nats per character.

    Example:
        >>> ids = encode("abcabcabcabc", "abc")
        >>> model = NumpyCharLSTM(vocab_size=3, hidden_size=8)
        >>> losses = train(model, ids, steps=40, batch_size=4, min_length=2, max_length=5)
        >>> losses[-1] < 0.5 * losses[0]  # a cycle is easy to predict
        True
    """
    check_model(model)
    steps = check_count(steps, "steps")
    rng = as_generator(generator)

    # a fresh batch for every step, drawn as the loop reaches it: (inputs, targets, lengths)
    batches = (make_batch(ids, batch_size, min_length, max_length, rng) for _ in range(steps))
    return fit(lambda batch: sequence_loss(model, batch[0], batch[1]),
               Adam(model.parameters(), lr=lr), batches, max_norm=max_norm, on_step=on_step)


# ------------------------------------------------------------------------ writing






def _read(model: Any, prompt: str, vocab: str) -> tuple[np.ndarray, Any]:
    """Read ``prompt``; return the logits after its last character ``(V,)`` and the state."""
    if not isinstance(prompt, str) or not prompt:
        raise ValueError(f"prompt must be a non-empty str, got {prompt!r}")
    logits, state = _step(model, _encode(prompt, vocab, "prompt")[None], None)  # (1, L)
    return logits, state


def _step(model: Any, ids: np.ndarray, state: Any) -> tuple[np.ndarray, Any]:
    """Feed ``ids`` ``(1, L)`` to either kind of model, outside autograd; the last logits
    as float64 NumPy and the new state (detached: generating needs no gradients)."""
    if isinstance(model, mlnn.Module):  # the NumPy twin: its Tensors, without history
        logits, (h, c) = model(ids, state)
        return to_numpy(logits[0, -1]).astype(np.float64), (h.detach(), c.detach())
    with torch.no_grad():
        logits, state = model(torch.from_numpy(ids), state)
    return to_numpy(logits[0, -1]).astype(np.float64), state


def next_distribution(model: Any, prompt: str, temperature: float = 1.0,
                      vocab: str = VOCAB) -> np.ndarray:
    r"""The model's distribution of the character after ``prompt``, at a temperature.

    .. math::
        p = \mathrm{softmax}(z / T) = \mathrm{softmax}(\beta z), \qquad \beta = 1/T

    Args:
        model: a :class:`CharLSTM` or its twin :class:`NumpyCharLSTM`.
        prompt: the text read first, at least one character.
        temperature: :math:`T > 0`; 1 is the model's own distribution, smaller is
            sharper (towards the argmax), larger flatter (towards uniform).
        vocab: the alphabet the model was trained on.

    Returns:
        Probabilities of shape ``(V,)``, float64 NumPy.

    Example:
        >>> model = NumpyCharLSTM(len(VOCAB), generator=0)
        >>> p = next_distribution(model, "the cell")
        >>> p.shape == (len(VOCAB),), round(float(p.sum()), 6)
        (True, 1.0)
    """
    check_model(model)
    beta = 1.0 / check_number(temperature, "temperature", low=0.0, low_open=True)
    logits, _ = _read(model, prompt, vocab)
    # p = softmax(z / T), the softmax with inverse temperature beta = 1/T
    return softmax(logits, beta=beta)


def sample(model: Any, prompt: str, length: int, temperature: float = 1.0,
           generator: int | np.random.Generator = 0, vocab: str = VOCAB) -> str:
    r"""Write ``length`` characters after ``prompt``, each drawn from :math:`\mathrm{softmax}(z/T)`.

    The model reads the prompt; then, ``length`` times, it draws the next
    character from its distribution at temperature :math:`T` (inverse
    temperature :math:`\beta = 1/T` of :func:`~mlnotes.activations.softmax`),
    and reads that character to update its state. A draw is the inverse of the
    cumulative distribution at a uniform number :math:`u`:
    :math:`k = \min\{k : \sum_{j \le k} p_j > u\}`.

    As :math:`T \to 0` the distribution tends to the one-hot argmax and the
    sample to :func:`greedy`'s text; as :math:`T` grows it tends to uniform.

    Args:
        model: a :class:`CharLSTM` or its twin :class:`NumpyCharLSTM`.
        prompt: the text read first, at least one character; any length.
        length: how many characters to write (0 gives ``""``).
        temperature: :math:`T > 0`.
        generator: an int seed or a ``numpy.random.Generator`` for the draws.
        vocab: the alphabet the model was trained on.

    Returns:
        The ``length`` characters written (without the prompt).

    Raises:
        ValueError: ``temperature`` is not positive and finite, ``length`` is
            negative, or ``prompt`` is empty or has a character outside ``vocab``.

    Example:
        >>> model = NumpyCharLSTM(len(VOCAB), generator=0)
        >>> text = sample(model, "a step", length=12, temperature=0.8, generator=1)
        >>> len(text), text == sample(model, "a step", 12, 0.8, generator=1)
        (12, True)
    """
    check_model(model)
    beta = 1.0 / check_number(temperature, "temperature", low=0.0, low_open=True)
    length = check_number(length, "length", low=0, integer=True)
    rng = as_generator(generator)
    logits, state = _read(model, prompt, vocab)
    out = []
    for _ in range(length):
        # p = softmax(beta z), beta = 1/T
        p = softmax(logits, beta=beta)
        # k = the first index whose cumulative probability exceeds u ~ U[0, 1)
        cdf = np.cumsum(p)
        k = min(int(np.searchsorted(cdf, rng.random() * cdf[-1], side="right")), len(p) - 1)
        out.append(k)
        logits, state = _step(model, np.array([[k]]), state)
    return decode(out, vocab)


def greedy(model: Any, prompt: str, length: int, vocab: str = VOCAB) -> str:
    r"""Write ``length`` characters after ``prompt``, each the most likely one: :math:`T \to 0`.

    .. math::
        x_{t+1} = \arg\max_k z_{t,k}

    Args:
        model: a :class:`CharLSTM` or its twin :class:`NumpyCharLSTM`.
        prompt: the text read first, at least one character.
        length: how many characters to write.
        vocab: the alphabet the model was trained on.

    Returns:
        The ``length`` characters written (without the prompt).

    Example:
        >>> model = NumpyCharLSTM(len(VOCAB), generator=0)
        >>> greedy(model, "memory", 20) == sample(model, "memory", 20, temperature=1e-6)
        True
    """
    check_model(model)
    length = check_number(length, "length", low=0, integer=True)
    logits, state = _read(model, prompt, vocab)
    out = []
    for _ in range(length):
        # x_{t+1} = argmax_k z_k
        k = int(np.argmax(logits))
        out.append(k)
        logits, state = _step(model, np.array([[k]]), state)
    return decode(out, vocab)
