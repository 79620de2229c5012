r"""The experiment of the sequences page: how far back the gradient of an RNN reaches.

- :func:`bptt_gradient_norms`: the gradient that reaches each step of an RNN,
  against its distance from the loss, by :func:`mlnotes.rnn.rnn_backward`;
- :func:`recall_task`: the data set the RNN forgets and the LSTM remembers, a token to
  name through many steps of noise;
- :class:`RecallNet` (torch) and its NumPy twin :class:`NumpyRecallNet`: an RNN or an
  LSTM with a linear read-out of its last state, and :func:`train_recall`, which
  trains either kind on the recall task.

Explained in the book: :doc:`/sequences`; presented in the deck "Lecture: Sequences".
"""

from __future__ import annotations

import contextlib
import math
from typing import Any

import numpy as np

from .. import nn
from ..autograd import Tensor
from ..backend import (
    as_generator,
    check_bool,
    check_count,
    check_model,
    check_number,
    fill_uniform_,
    import_torch,
    is_torch,
    to_numpy,
)
from ..losses import cross_entropy
from ..optim import Adam
from ..rnn import LSTM, NumpyLSTM, rnn, rnn_backward
from ..training import fit

torch = import_torch()

__all__ = ["bptt_gradient_norms", "recall_task", "RecallNet", "NumpyRecallNet", "train_recall"]


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


# ============================================= the recall models and their training


class _RecallForward:
    """The forward :class:`RecallNet` and :class:`NumpyRecallNet` share."""

    def forward(self, xs: Any) -> Any:
        if self.cell == "rnn":
            # the package's rnn: one node of autograd's graph, backward rnn_backward
            h = rnn(xs, None, self.weight_ih_l0, self.weight_hh_l0, self.bias_ih_l0,
                    self.bias_hh_l0)[-1]
        else:
            h = self.lstm(xs)[1][0][0]  # h_n of the one layer: the last state
        return h @ self.weight_out.T  # the read-out's logits, (N, K)


def _check_cell(cell: Any, hidden: Any, n_tokens: Any, forget_bias: Any) -> None:
    if not isinstance(cell, str) or cell not in ("rnn", "lstm"):
        raise ValueError(f"cell must be 'rnn' or 'lstm', got {cell!r}")
    check_count(hidden, "hidden")
    check_count(n_tokens, "n_tokens")
    check_number(forget_bias, "forget_bias", low=0.0)


def _recall_shapes(cell: str, hidden: int, n_tokens: int) -> dict[str, tuple[int, ...]]:
    # the recurrent layer's parameters (torch.nn.RNN's names) and the read-out's
    H, D = hidden, n_tokens + 1
    shapes = ({"weight_ih_l0": (H, D), "weight_hh_l0": (H, H), "bias_ih_l0": (H,),
               "bias_hh_l0": (H,)} if cell == "rnn" else {})
    return {**shapes, "weight_out": (n_tokens, H)}


class RecallNet(_RecallForward, torch.nn.Module):
    r"""An RNN or an LSTM that reads a sequence, and a linear read-out of its last state.

    The model of the sequences page's recall lesson: the logits of the ``K`` tokens
    are :math:`h_L W_\text{out}^\top`. Every weight is drawn from
    :math:`U(-1/\sqrt{H}, 1/\sqrt{H})`, torch's default for recurrent layers. For the
    LSTM, ``forget_bias`` is added to the forget gate's bias and taken from the input
    gate's (the "chrono" start: the cell begins by keeping what it holds).

    Parameters: for ``"rnn"``, ``weight_ih_l0 (H, K+1)``, ``weight_hh_l0 (H, H)``,
    ``bias_ih_l0``, ``bias_hh_l0`` (``torch.nn.RNN``'s names); for ``"lstm"``, an
    :class:`mlnotes.rnn.LSTM` ``lstm``; then ``weight_out (K, H)``.

    Args:
        cell: ``"rnn"`` or ``"lstm"``.
        hidden: :math:`H`.
        n_tokens: :math:`K`, the tokens of :func:`recall_task`.
        forget_bias: the LSTM's forget/input gate offset (0 for torch's start).
        generator: an int seed or a ``torch.Generator`` for the initial weights.

    Example:
        >>> import torch
        >>> model = RecallNet("lstm", hidden=8, generator=0)
        >>> xs, y = recall_task(3, 5, generator=0)
        >>> model(torch.from_numpy(xs)).shape
        torch.Size([3, 4])
    """

    def __init__(self, cell: str, hidden: int = 32, n_tokens: int = 4,
                 forget_bias: float = 4.0, generator: Any = 0) -> None:
        _check_cell(cell, hidden, n_tokens, forget_bias)
        super().__init__()
        self.cell = cell
        gen = as_generator(generator, "torch")
        bound = 1.0 / math.sqrt(hidden)
        if cell == "lstm":
            self.lstm = LSTM(n_tokens + 1, hidden, generator=gen)
        for name, shape in _recall_shapes(cell, hidden, n_tokens).items():
            self.register_parameter(name, torch.nn.Parameter(
                fill_uniform_(torch.empty(shape), -bound, bound, gen)))
        if cell == "lstm":
            with torch.no_grad():
                self.lstm.bias_hh_l0[hidden:2 * hidden] += forget_bias  # forget gate
                self.lstm.bias_hh_l0[:hidden] -= forget_bias  # input gate


class NumpyRecallNet(_RecallForward, nn.Module):
    r"""The NumPy twin of :class:`RecallNet`: the same forward and parameter names, over Tensors.

    ``NumpyRecallNet(...).load_state_dict(recall_net.state_dict())`` starts it from the
    torch model's weights. Drawn from a NumPy generator, its initial weights follow
    the same law as :class:`RecallNet`'s (not the same numbers).

    Args:
        cell, hidden, n_tokens, forget_bias: as in :class:`RecallNet`.
        generator: an int seed or a ``numpy.random.Generator``.
        dtype: the parameters' dtype.

    Example:
        >>> model = NumpyRecallNet("rnn", hidden=8, generator=0)
        >>> xs, y = recall_task(3, 5, generator=0, dtype=np.float64)
        >>> model(xs).shape
        (3, 4)
        >>> [name for name, _ in model.named_parameters()][-1]
        'weight_out'
    """

    def __init__(self, cell: str, hidden: int = 32, n_tokens: int = 4,
                 forget_bias: float = 4.0, generator: Any = 0, dtype: Any = np.float64) -> None:
        _check_cell(cell, hidden, n_tokens, forget_bias)
        self.cell = cell
        rng = as_generator(generator)
        bound = 1.0 / math.sqrt(hidden)
        if cell == "lstm":
            self.lstm = NumpyLSTM(n_tokens + 1, hidden, generator=rng, dtype=dtype)
            self.lstm.bias_hh_l0.data[hidden:2 * hidden] += forget_bias
            self.lstm.bias_hh_l0.data[:hidden] -= forget_bias
        for name, shape in _recall_shapes(cell, hidden, n_tokens).items():
            setattr(self, name, Tensor(rng.uniform(-bound, bound, shape).astype(dtype),
                                       requires_grad=True))


def train_recall(
    model: Any, steps: int = 100, lr: float = 0.03, length: int = 50, batch_size: int = 64,
    seed: int = 0, test_size: int = 300, every: int = 20, verbose: bool = False,
) -> dict[str, list[float]]:
    r"""Train a recall model (torch or NumPy twin) by Adam on fresh batches of the recall task.

    Step ``t`` draws ``batch_size`` sequences of ``length`` steps from seed
    ``1000 * seed + t`` and takes one :class:`mlnotes.optim.Adam` step on the
    cross-entropy of the model's logits (by :func:`mlnotes.training.fit`). Every
    ``every`` steps the accuracy on a fixed test set of ``test_size`` sequences (seed
    10 000) is measured. The data is given in the model's kind and dtype, so a
    :class:`RecallNet` and its twin, started from the same weights, see the same numbers.

    Args:
        model: a :class:`RecallNet` or :class:`NumpyRecallNet` (anything mapping
            ``(L, N, K + 1)`` sequences to ``(N, K)`` logits).
        steps, lr: the number of Adam steps and their learning rate.
        length, batch_size: :math:`L` and the batch of each step.
        seed: the data's seed.
        test_size, every: the test set's size and how often it is scored.
        verbose: print a line with the loss and the test accuracy every ``every`` steps.

    Returns:
        ``{"loss": [one float per step], "accuracy": [one per `every` steps]}``.

    Example:
        >>> model = NumpyRecallNet("lstm", hidden=8, generator=0)
        >>> history = train_recall(model, steps=4, length=5, every=2, verbose=True)
        step 2: loss 1.385, test accuracy 0.33
        step 4: loss 1.385, test accuracy 0.39
        >>> len(history["loss"]), len(history["accuracy"])
        (4, 2)
    """
    check_model(model)
    steps, length = check_count(steps, "steps"), check_count(length, "length")
    batch_size, test_size = check_count(batch_size, "batch_size"), check_count(test_size,
                                                                               "test_size")
    every = check_count(every, "every")
    check_number(lr, "lr", low=0.0)
    check_number(seed, "seed", low=0, integer=True)
    check_bool(verbose, "verbose")
    param = next(iter(model.parameters()))
    on_torch = is_torch(param)
    n_tokens = model(_in_kind(recall_task(1, 1)[0], param)).shape[-1]

    def data(xs: np.ndarray, y: np.ndarray) -> tuple[Any, Any]:
        return _in_kind(xs, param), (torch.from_numpy(y) if on_torch else y)

    x_test, y_test = recall_task(test_size, length, n_tokens, generator=10_000)
    x_test = _in_kind(x_test, param)
    optimizer = Adam(model.parameters(), lr=lr)
    history: dict[str, list[float]] = {"loss": [], "accuracy": []}
    for start in range(0, steps, every):
        batches = (data(*recall_task(batch_size, length, n_tokens, generator=1000 * seed + t))
                   for t in range(start, min(start + every, steps)))
        history["loss"] += fit(lambda b: cross_entropy(model(b[0]), b[1]), optimizer, batches)
        if start + every <= steps:
            with torch.no_grad() if on_torch else contextlib.nullcontext():
                logits = to_numpy(model(x_test))
            history["accuracy"].append(float(np.mean(logits.argmax(1) == y_test)))
            if verbose:
                print(f"step {start + every}: loss {history['loss'][-1]:.3f}, "
                      f"test accuracy {history['accuracy'][-1]:.2f}")
    return history


def _in_kind(xs: np.ndarray, param: Any) -> Any:
    # the inputs as the model's parameters are: a torch tensor or an array, same dtype
    if is_torch(param):
        return torch.from_numpy(xs).to(param.dtype)
    return xs.astype(param.dtype)
