"""The char-RNN's twin: NumpyCharLSTM against CharLSTM, trained by charlm.train.

The batches of ``charlm.train`` come from a NumPy generator whatever the model's kind,
so the twin, started from the torch model's weights, sees the very same windows; in
float64, with the page's optimizer (Adam, learning rate 0.02, gradients clipped to norm
1), its loss history equals torch's to 1e-8 over 20 steps.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from test_without_torch import run_without_torch

from mlnotes import charlm
from mlnotes.charlm import VOCAB, CharLSTM, NumpyCharLSTM, encode


def test_char_twin_follows_torch_for_20_steps():
    ids = encode(charlm.TEXT)
    model = CharLSTM(len(VOCAB), hidden_size=32, generator=0, dtype=torch.float64)
    twin = NumpyCharLSTM(len(VOCAB), hidden_size=32, generator=1)
    twin.load_state_dict(model.state_dict())
    assert sorted(n for n, _ in twin.named_parameters()) == sorted(model.state_dict())
    kw = dict(steps=20, batch_size=8, min_length=8, max_length=24, lr=0.02, generator=0)
    torch_losses = charlm.train(model, ids, **kw)
    numpy_losses = charlm.train(twin, ids, **kw)
    np.testing.assert_allclose(numpy_losses, torch_losses, rtol=0, atol=1e-8)
    assert numpy_losses[-1] < numpy_losses[0]
    # the whole text's loss, read as one sequence, after training
    text_t = charlm.sequence_loss(model, ids[None, :-1], ids[None, 1:]).item()
    text_n = charlm.sequence_loss(twin, ids[None, :-1], ids[None, 1:]).item()
    assert abs(text_n - text_t) < 1e-8


def test_char_twin_forward_checks_its_ids():
    twin = NumpyCharLSTM(5, hidden_size=4)
    with pytest.raises(ValueError, match="ids must lie in"):
        twin(np.array([[0, 5]]))
    with pytest.raises(ValueError, match="integer class indices"):
        twin(np.array([[0.0, 1.0]]))
    with pytest.raises(TypeError, match="targets must hold integer"):
        charlm.sequence_loss(twin, np.array([[0, 1]]), np.array([[0.5, 1.0]]))


def test_char_twin_trains_without_torch():
    out = run_without_torch("""
        from mlnotes import charlm
        ids = charlm.encode("abcabcabcabcabc", "abc")
        model = charlm.NumpyCharLSTM(3, hidden_size=8)
        losses = charlm.train(model, ids, steps=40, batch_size=4, min_length=2, max_length=5)
        print(losses[-1] < 0.5 * losses[0])
    """)
    assert out.split() == ["True"]


def test_generation_is_the_same_for_the_twin_and_its_torch_model():
    """next_distribution, sample and greedy read either kind: from one set of weights, the
    same distribution (float32 logits, to rounding) and the same text."""
    from mlnotes import charlm as C

    torch_model = C.CharLSTM(len(C.VOCAB), hidden_size=16, generator=3)
    twin = C.NumpyCharLSTM(len(C.VOCAB), hidden_size=16, generator=0)
    twin.load_state_dict(torch_model.state_dict())
    p_torch = C.next_distribution(torch_model, "the cell", temperature=0.7)
    p_twin = C.next_distribution(twin, "the cell", temperature=0.7)
    np.testing.assert_allclose(p_twin, p_torch, rtol=1e-5, atol=1e-7)
    assert C.greedy(twin, "a sequence", 30) == C.greedy(torch_model, "a sequence", 30)
    assert C.sample(twin, "memory", 30, generator=4) == C.sample(torch_model, "memory", 30,
                                                                generator=4)
