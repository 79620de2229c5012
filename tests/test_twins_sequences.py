"""The sequences page's twins: the LSTM's BPTT, NumpyLSTM and the recall models against torch.

``lstm_backward`` is checked against torch's autograd in float64; each NumPy twin starts
from its torch model's weights and its loss history equals torch's to 1e-8 over the
first 20 Adam steps; over the page's whole run the twin reaches the page's conclusion.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from test_without_torch import run_without_torch

from mlnotes.autograd import Tensor
from mlnotes.experiments.sequences import NumpyRecallNet, RecallNet, train_recall
from mlnotes.rnn import LSTM, NumpyLSTM, lstm, lstm_backward, lstm_cell


def _lstm_arrays(batch: tuple[int, ...], L: int = 6, D: int = 3, H: int = 4):
    rng = np.random.default_rng(0)
    return [rng.normal(size=(L, *batch, D)), rng.normal(size=(*batch, H)),
            rng.normal(size=(*batch, H)), rng.normal(size=(4 * H, D)) * 0.5,
            rng.normal(size=(4 * H, H)) * 0.5, rng.normal(size=4 * H), rng.normal(size=4 * H)]


def _torch_lstm_loss(leaves, grad_hs, grad_cs):
    """sum_t <grad_hs[t], h_t> + <grad_cs[t], c_t>, the LSTM written with torch's ops."""
    xs, h, c, W_ih, W_hh, b_ih, b_hh = leaves
    total = 0
    for t in range(xs.shape[0]):
        i, f, g, o = (xs[t] @ W_ih.T + b_ih + h @ W_hh.T + b_hh).chunk(4, dim=-1)
        c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
        h = torch.sigmoid(o) * torch.tanh(c)
        total = total + (h * torch.tensor(grad_hs[t])).sum() + (c * torch.tensor(grad_cs[t])).sum()
    return total


@pytest.mark.parametrize("batch", [(5,), ()], ids=["batched", "unbatched"])
def test_lstm_backward_equals_torch_autograd(batch):
    arrays = _lstm_arrays(batch)
    xs, h0, c0, W_ih, W_hh, b_ih, b_hh = arrays
    hs, cs, hc = [], [], (h0, c0)
    for x in xs:  # the states, step by step, by lstm_cell
        hc = lstm_cell(x, hc, W_ih, W_hh, b_ih, b_hh)
        hs.append(hc[0])
        cs.append(hc[1])
    hs, cs = np.stack(hs), np.stack(cs)
    rng = np.random.default_rng(1)
    grad_hs, grad_cs = rng.normal(size=hs.shape), rng.normal(size=hs.shape)
    leaves = [torch.tensor(a, requires_grad=True) for a in arrays]
    _torch_lstm_loss(leaves, grad_hs, grad_cs).backward()
    grads = lstm_backward(grad_hs, grad_cs, xs, hs, cs, h0, c0, W_ih, W_hh, b_ih, b_hh)
    assert len(grads) == len(leaves)
    for ours, leaf in zip(grads, leaves, strict=True):
        np.testing.assert_allclose(ours, leaf.grad.numpy(), rtol=1e-10, atol=1e-12)


def test_lstm_on_tensors_backpropagates_as_torch():
    """Through the engine: lstm is one node whose backward is lstm_backward."""
    arrays = _lstm_arrays((5,))
    tensors = [Tensor(a, requires_grad=True) for a in arrays]
    xs, h0, c0, *weights = tensors
    hs, (h_n, c_n) = lstm(xs, (h0, c0), *weights)
    assert hs._op == "getitem" and hs._parents[0]._op == "_lstm_states"
    rng = np.random.default_rng(2)
    g_hs, g_c = rng.normal(size=hs.shape), rng.normal(size=c_n.shape)
    ((hs * g_hs).sum() + (c_n * g_c).sum() + h_n.sum()).backward()
    leaves = [torch.tensor(a, requires_grad=True) for a in arrays]
    g_cs = np.zeros_like(g_hs)
    g_cs[-1] = g_c
    g_hs_all = g_hs.copy()
    g_hs_all[-1] += 1.0
    _torch_lstm_loss(leaves, g_hs_all, g_cs).backward()
    for ours, leaf in zip(tensors, leaves, strict=True):
        np.testing.assert_allclose(ours.grad, leaf.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("batch_first", [False, True])
def test_numpy_lstm_loads_torch_weights_and_computes_the_same(batch_first):
    args = dict(input_size=3, hidden_size=5, num_layers=2, batch_first=batch_first)
    ours = LSTM(**args, generator=0).double()
    theirs = torch.nn.LSTM(**args).double()
    theirs.load_state_dict(ours.state_dict())
    twin = NumpyLSTM(**args, generator=1).load_state_dict(ours.state_dict())
    assert [n for n, _ in twin.named_parameters()] == list(theirs.state_dict())
    x = np.random.default_rng(3).normal(size=(4, 7, 3))
    out_t, (h_t, c_t) = theirs(torch.tensor(x))
    out, (h, c) = twin(x)
    for a, b in ((out, out_t), (h, h_t), (c, c_t)):
        np.testing.assert_allclose(a.data, b.detach().numpy(), rtol=1e-12, atol=1e-14)
    # gradients of every weight, through both layers, equal torch's
    (out_t.sum() + c_t.sum()).backward()
    (out.sum() + c.sum()).backward()
    for name, p in theirs.named_parameters():
        np.testing.assert_allclose(getattr(twin, name).grad, p.grad.numpy(), rtol=1e-10,
                                   atol=1e-12)
    with pytest.raises(TypeError, match="input must be a NumPy array"):
        twin(torch.tensor(x))
    with pytest.raises(TypeError, match="input must be a torch tensor"):
        ours(x)


@pytest.mark.parametrize("cell", ["rnn", "lstm"])
def test_recall_twin_follows_torch_for_20_steps(cell):
    """Adam, the page's learning rate and task, float64: equal loss histories to 1e-8.

    The weights are not compared to 1e-8: Adam divides each step by the root of the
    gradient's second moment, so where the RNN's gradient from the far past has vanished
    to ~1e-10 the rounding of the two backward passes moves a weight by ~1e-8 (measured:
    2.4e-8 in ``weight_ih_l0`` after 20 steps) while every loss agrees to 1e-8.
    """
    model = RecallNet(cell, generator=0).double()
    twin = NumpyRecallNet(cell, generator=1).load_state_dict(model.state_dict())
    kw = dict(steps=20, every=10, test_size=50)
    torch_history, numpy_history = train_recall(model, **kw), train_recall(twin, **kw)
    np.testing.assert_allclose(numpy_history["loss"], torch_history["loss"], rtol=0, atol=1e-8)
    assert numpy_history["accuracy"] == torch_history["accuracy"]
    assert numpy_history["loss"][-1] != numpy_history["loss"][0]  # it did train


def test_recall_twins_reach_the_pages_conclusion():
    """The page's run (100 steps, L = 50), NumPy only: the RNN forgets, the LSTM recalls.

    The twins start from NumPy's draws, not torch's: the conclusion, not the numbers, is
    what must carry over.
    """
    rnn_acc = train_recall(NumpyRecallNet("rnn", generator=0))["accuracy"][-1]
    lstm_acc = train_recall(NumpyRecallNet("lstm", generator=0))["accuracy"][-1]
    assert rnn_acc < 0.5
    assert lstm_acc > 0.9


def test_recall_twin_trains_without_torch():
    out = run_without_torch("""
        from mlnotes.experiments.sequences import NumpyRecallNet, train_recall
        history = train_recall(NumpyRecallNet("lstm", hidden=8), steps=4, length=5, every=2)
        print(len(history["loss"]), len(history["accuracy"]))
    """)
    assert out.split() == ["4", "2"]


def test_recall_net_refuses_bad_input():
    with pytest.raises(ValueError, match="cell"):
        NumpyRecallNet("gru")
    with pytest.raises(TypeError, match="model"):
        train_recall(np.zeros(3))
    with pytest.raises(ValueError, match="steps"):
        train_recall(NumpyRecallNet("rnn", hidden=4), steps=0)
