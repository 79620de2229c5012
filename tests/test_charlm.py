"""mlnotes.charlm: the alphabet, padded batches, the model's loss, training and sampling."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import given
from hypothesis import strategies as st

from mlnotes import charlm as C
from mlnotes.activations import softmax

V = len(C.VOCAB)


@pytest.fixture(scope="module")
def trained():
    """A small model fitted briefly to the corpus (a few seconds)."""
    model = C.CharLSTM(V, hidden_size=32, generator=0)
    losses = C.train(model, C.encode(C.TEXT), steps=80, batch_size=8, generator=0)
    return model, losses


# ------------------------------------------------------------------- the alphabet


def test_corpus_is_small_and_its_vocabulary_is_its_characters():
    assert len(C.TEXT) == 1_641  # as the comment beside TEXT says
    assert C.VOCAB == "".join(sorted(set(C.TEXT)))
    assert C.TEXT.isascii() and C.TEXT == C.TEXT.lower()


@given(st.text(alphabet=C.VOCAB, max_size=60))
def test_decode_undoes_encode(text):
    ids = C.encode(text)
    assert ids.dtype == np.int64 and ids.shape == (len(text),)
    assert C.decode(ids) == text
    assert C.decode(torch.from_numpy(ids)) == text


def test_encode_gives_the_index_in_the_vocabulary():
    assert C.encode("nab", vocab="abn").tolist() == [2, 0, 1]
    assert all(C.VOCAB[k] == ch for k, ch in zip(C.encode(C.TEXT), C.TEXT, strict=True))


def test_encode_names_unknown_characters():
    with pytest.raises(ValueError, match=r"text has characters outside the vocabulary: '!Q'"):
        C.encode("Quiet!")
    with pytest.raises(TypeError, match="text must be a str"):
        C.encode(["a"])


@pytest.mark.parametrize("ids", [[V], [-1], [[0, 1]], [0.5]])
def test_decode_rejects_bad_ids(ids):
    with pytest.raises(ValueError, match="ids must"):
        C.decode(ids)


def test_vocabulary_rejects_empty_text():
    with pytest.raises(ValueError, match="text must be a non-empty str"):
        C.vocabulary("")


def test_unigram_entropy():
    assert C.unigram_entropy(np.zeros(5, dtype=int)) == 0.0
    assert math.isclose(C.unigram_entropy(np.arange(8)), math.log(8))
    ids = C.encode(C.TEXT)
    p = np.bincount(ids) / len(ids)
    p = p[p > 0]
    assert math.isclose(C.unigram_entropy(ids), -(p * np.log(p)).sum())
    assert 0 < C.unigram_entropy(ids) < math.log(V)  # letters are not equally common
    with pytest.raises(ValueError, match="ids must be a non-empty 1-D array"):
        C.unigram_entropy(np.array([], dtype=int))


# ---------------------------------------------------------------------- batching


def test_pad_sequences():
    padded, lengths = C.pad_sequences([[1, 2], [3, 4, 5, 6], [7]], value=-1)
    assert padded.tolist() == [[1, 2, -1, -1], [3, 4, 5, 6], [7, -1, -1, -1]]
    assert lengths.tolist() == [2, 4, 1]
    assert padded.dtype == lengths.dtype == np.int64
    with pytest.raises(ValueError, match="seqs must hold at least one sequence"):
        C.pad_sequences([])
    with pytest.raises(ValueError, match=r"seqs\[1\] must be 1-D"):
        C.pad_sequences([[1], [[2]]])
    assert C.pad_sequences([[1], []])[0].tolist() == [[1], [0]]  # an empty row is padding only
    with pytest.raises(TypeError, match="seqs must be a list of 1-D integer sequences, got str"):
        C.pad_sequences("abc")
    with pytest.raises(TypeError, match=r"seqs\[0\] must hold integers, got dtype float64"):
        C.pad_sequences([[1.5, 2.0]])  # was truncated to [1, 2] without a word


def test_make_batch_windows_and_targets():
    ids = C.encode(C.TEXT)
    x, y, lengths = C.make_batch(ids, 64, 3, 9, generator=0)
    assert x.shape == y.shape == (64, lengths.max())
    assert lengths.min() >= 3 and lengths.max() <= 9 and len(set(lengths.tolist())) > 1
    real = np.arange(x.shape[1]) < lengths[:, None]
    assert np.all((y == C.IGNORE_INDEX) == ~real)    # the padding's targets, only there
    assert np.all(x[~real] == 0)
    for row_x, row_y, n in zip(x, y, lengths, strict=True):
        assert np.array_equal(row_y[: n - 1], row_x[1:n])  # the target is the next character
        assert C.decode(row_x[:n]) + C.decode(row_y[n - 1: n]) in C.TEXT


def test_make_batch_is_reproducible_from_its_generator():
    ids = C.encode(C.TEXT)
    a = C.make_batch(ids, 8, 2, 20, generator=5)
    b = C.make_batch(ids, 8, 2, 20, generator=np.random.default_rng(5))
    for u, v in zip(a, b, strict=True):
        assert np.array_equal(u, v)
    rng = np.random.default_rng(5)
    first, second = C.make_batch(ids, 8, 2, 20, rng), C.make_batch(ids, 8, 2, 20, rng)
    assert not np.array_equal(first[2], second[2]) or not np.array_equal(first[0], second[0])


@pytest.mark.parametrize("args, message", [
    ((0, 2, 4), "batch_size must be at least 1"),
    ((2, 0, 4), "min_length must be at least 1"),
    ((2, 5, 4), "max_length must be at least min_length=5"),
    ((2, 2, 20), "ids must be longer than max_length=20"),
])
def test_make_batch_checks_its_arguments(args, message):
    with pytest.raises(ValueError, match=message):
        C.make_batch(np.arange(10), *args)


# ------------------------------------------------------------------------- model


def test_model_shapes_and_seeded_weights():
    model = C.CharLSTM(V, hidden_size=16, generator=3)
    logits, (h, c) = model(torch.zeros(2, 5, dtype=torch.int64))
    assert logits.shape == (2, 5, V) and h.shape == c.shape == (1, 2, 16)
    again = C.CharLSTM(V, hidden_size=16, generator=torch.Generator().manual_seed(3))
    for (name, p), q in zip(model.state_dict().items(), again.state_dict().values(),
                            strict=True):
        assert torch.equal(p, q), name
    assert not torch.equal(model.readout.weight, C.CharLSTM(V, 16, generator=4).readout.weight)


def test_model_continues_from_its_state():
    # reading "the ce" then "ll" from the state is reading "the cell" at once
    model = C.CharLSTM(V, hidden_size=16)
    ids = torch.from_numpy(C.encode("the cell"))[None]
    whole, _ = model(ids)
    first, state = model(ids[:, :6])
    rest, _ = model(ids[:, 6:], state)
    torch.testing.assert_close(torch.cat([first, rest], dim=1), whole)


def test_model_checks_its_input():
    model = C.CharLSTM(V, hidden_size=4)
    with pytest.raises(ValueError, match=r"ids must be integer class indices of shape \(N, L\)"):
        model(torch.zeros(3, dtype=torch.int64))
    with pytest.raises(ValueError, match=r"ids must lie in \[0, "):
        model(torch.tensor([[V]]))
    with pytest.raises(ValueError, match="hidden_size must be at least 1"):
        C.CharLSTM(V, hidden_size=0)


def test_padding_is_ignored_by_the_loss():
    model = C.CharLSTM(V, hidden_size=16)
    windows = [C.encode(w) for w in ("a sequence is", "the", "memory keeps a")]
    x, lengths = C.pad_sequences([w[:-1] for w in windows])
    y, _ = C.pad_sequences([w[1:] for w in windows], C.IGNORE_INDEX)
    padded = C.sequence_loss(model, x, y)
    # the mean over the real steps: each window alone, weighted by its length
    alone = [C.sequence_loss(model, w[None, :-1], w[None, 1:]) for w in windows]
    expect = sum(loss * n for loss, n in zip(alone, lengths, strict=True)) / lengths.sum()
    torch.testing.assert_close(padded, expect)
    # what the padded inputs hold changes nothing
    x_other = np.where(np.arange(x.shape[1]) < lengths[:, None], x, V - 1)
    torch.testing.assert_close(C.sequence_loss(model, x_other, y), padded)
    # and it is torch's cross-entropy with ignore_index
    logits, _ = model(torch.from_numpy(x))
    ref = torch.nn.functional.cross_entropy(logits.reshape(-1, V),
                                            torch.from_numpy(y).reshape(-1), ignore_index=-100)
    torch.testing.assert_close(padded, ref)


def test_sequence_loss_checks_shapes():
    with pytest.raises(ValueError, match="inputs and targets must have the same shape"):
        C.sequence_loss(C.CharLSTM(V, 4), np.zeros((1, 3), int), np.zeros((1, 2), int))


def test_training_loss_falls_below_the_unigram_entropy(trained):
    model, losses = trained
    assert np.mean(losses[:5]) > 0.9 * math.log(V)  # it starts near uniform guessing
    ids = C.encode(C.TEXT)
    with torch.no_grad():
        loss = float(C.sequence_loss(model, ids[None, :-1], ids[None, 1:]))
    assert loss < 0.85 * C.unigram_entropy(ids)     # context buys something already
    assert np.mean(losses[-10:]) < 0.75 * np.mean(losses[:5])


def test_training_is_reproducible():
    ids = C.encode(C.TEXT)
    runs = []
    for _ in range(2):
        model = C.CharLSTM(V, hidden_size=8, generator=1)
        runs.append(C.train(model, ids, steps=5, batch_size=4, generator=2))
    assert runs[0] == runs[1]


# -------------------------------------------------------------------------- writing


def test_next_distribution_is_the_softmax_at_beta_one_over_t(trained):
    model, _ = trained
    with torch.no_grad():
        logits = model(torch.from_numpy(C.encode("the state"))[None])[0][0, -1].double()
    for T in (0.3, 1.0, 2.5):
        p = C.next_distribution(model, "the state", temperature=T)
        assert p.shape == (V,) and math.isclose(p.sum(), 1.0)
        np.testing.assert_allclose(p, torch.softmax(logits / T, -1).numpy(), rtol=1e-10)
        np.testing.assert_allclose(p, softmax(logits, beta=1 / T).numpy(), rtol=1e-12)


def test_higher_temperature_has_higher_entropy(trained):
    model, _ = trained
    entropy = []
    for T in (0.1, 0.5, 1.0, 2.0, 10.0):
        p = C.next_distribution(model, "a plain recurrent ", temperature=T)
        entropy.append(float(-(p[p > 0] * np.log(p[p > 0])).sum()))
    assert np.all(np.diff(entropy) > 0)
    assert entropy[-1] < math.log(V) and entropy[-1] > 0.9 * math.log(V)  # towards uniform


@pytest.mark.parametrize("untrained", [False, True], ids=["trained", "untrained"])
def test_sampling_as_temperature_goes_to_zero_is_greedy(trained, untrained):
    model = C.CharLSTM(V, 16) if untrained else trained[0]
    for prompt in ("a", "the forget gate "):
        expect = C.greedy(model, prompt, 40)
        assert C.sample(model, prompt, 40, temperature=1e-6, generator=7) == expect


def test_greedy_takes_the_argmax(trained):
    model, _ = trained
    text = C.greedy(model, "memory", 5)
    for k in range(5):
        p = C.next_distribution(model, "memory" + text[:k])
        assert C.VOCAB[int(np.argmax(p))] == text[k]


def test_sample_is_reproducible_from_its_generator(trained):
    model, _ = trained
    a = C.sample(model, "the ", 50, temperature=1.5, generator=3)
    assert a == C.sample(model, "the ", 50, temperature=1.5, generator=np.random.default_rng(3))
    assert a != C.sample(model, "the ", 50, temperature=1.5, generator=4)
    rng = np.random.default_rng(3)
    assert C.sample(model, "the ", 50, 1.5, rng) == a
    assert C.sample(model, "the ", 50, 1.5, rng) != a  # the generator moved on


def test_sample_draws_from_the_distribution(trained):
    model, _ = trained
    T = 1.5
    p = C.next_distribution(model, "the c", temperature=T)
    rng = np.random.default_rng(0)
    draws = C.encode("".join(C.sample(model, "the c", 1, T, rng) for _ in range(2000)))
    freq = np.bincount(draws, minlength=V) / len(draws)
    # within about four standard errors of p, for every character
    assert np.all(np.abs(freq - p) <= 4 * np.sqrt(p * (1 - p) / len(draws)) + 1e-3)


@pytest.mark.parametrize("prompt, length", [("a", 0), ("a", 1), ("memory", 17),
                                            (C.TEXT[:300], 40)])
def test_variable_prompt_and_output_lengths(trained, prompt, length):
    model, _ = trained
    text = C.sample(model, prompt, length, temperature=0.8, generator=0)
    assert isinstance(text, str) and len(text) == length and set(text) <= set(C.VOCAB)
    assert len(C.greedy(model, prompt, length)) == length


@pytest.mark.parametrize("temperature", [0, 0.0, -1.0, float("inf"), float("nan")])
def test_temperature_must_be_positive_and_finite(trained, temperature):
    model, _ = trained
    with pytest.raises(ValueError, match="temperature must be a finite number > 0"):
        C.sample(model, "a", 3, temperature=temperature)
    with pytest.raises(ValueError, match="temperature must be a finite number > 0"):
        C.next_distribution(model, "a", temperature=temperature)


def test_sampling_arguments_are_checked(trained):
    model, _ = trained
    with pytest.raises(TypeError, match="temperature must be a real number"):
        C.sample(model, "a", 3, temperature="hot")
    with pytest.raises(ValueError, match="prompt must be a non-empty str"):
        C.sample(model, "", 3)
    with pytest.raises(ValueError, match="prompt has characters outside the vocabulary: 'A'"):
        C.greedy(model, "A sequence", 3)
    with pytest.raises(ValueError, match="length must be an int >= 0, got -1"):
        C.sample(model, "a", -1)
    with pytest.raises(TypeError, match="generator must be an int seed or a torch.Generator"):
        C.CharLSTM(V, 4, generator="seed")


def test_model_on_a_device(device):
    model = C.CharLSTM(V, hidden_size=8).to(device)
    ids = C.encode(C.TEXT)
    losses = C.train(model, ids, steps=3, batch_size=2, min_length=2, max_length=6)
    assert len(losses) == 3 and all(math.isfinite(v) for v in losses)
    assert len(C.sample(model, "the", 5, generator=0)) == 5
    assert C.greedy(model, "the", 5) == C.sample(model, "the", 5, 1e-6)


def test_text_functions_run_without_torch():
    # the browser has no torch: the corpus, the alphabet and the batches still work there
    from test_without_torch import run_without_torch

    out = run_without_torch("""
        import doctest, sys
        from mlnotes import charlm as C
        for name in ("vocabulary", "encode", "decode", "unigram_entropy", "pad_sequences",
                     "make_batch"):
            doctest.run_docstring_examples(getattr(C, name), vars(C), name=name,
                                           optionflags=doctest.ELLIPSIS)
        x, y, lengths = C.make_batch(C.encode(C.TEXT), 4, 3, 9, generator=0)
        print(C.decode(C.encode(C.TEXT)) == C.TEXT, x.shape == y.shape, "torch" in sys.modules)
        try:
            C.CharLSTM(5)
        except ImportError as e:
            print("needs torch:", "mlnotes.charlm.CharLSTM" in str(e))
        # the twin writes text without torch, the same text for the same seed
        model = C.NumpyCharLSTM(len(C.VOCAB), hidden_size=8, generator=0)
        print(C.sample(model, "a", 12, generator=1) == C.sample(model, "a", 12, generator=1),
              C.greedy(model, "the", 5) == C.sample(model, "the", 5, temperature=1e-6))
    """)
    assert "Failed example" not in out, out
    assert out.split("\n")[-4:-1] == ["True True False", "needs torch: True",
                                     "True True"], out
