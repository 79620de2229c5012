"""The debugging page's MLP and its NumPy twin: the same network, the same training.

The twin (:class:`mlnotes.experiments.debugging.NumpyMLP`) starts from the torch
model's weights, is trained by the same :func:`mlnotes.training.fit` and optimizer,
and its loss history equals torch's in float64. Over the page's runs it reaches the
page's conclusions (asserted here on torch's starting weights; the page asserts them
on the twin's own NumPy-drawn weights).
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
import torch
from test_without_torch import run_without_torch

from mlnotes.activations import softmax
from mlnotes.datasets import spirals
from mlnotes.experiments.debugging import NumpyMLP, mlp
from mlnotes.losses import cross_entropy
from mlnotes.optim import SGD, Adam
from mlnotes.training import fit

X, Y = spirals(100, classes=3, noise=0.2, generator=0)


def pair(width: int = 64, seed: int = 0) -> tuple[torch.nn.Module, NumpyMLP]:
    model = mlp(width, seed).double()
    return model, NumpyMLP(width, seed).load_state_dict(model.state_dict())


def both_histories(opt, steps, loss=cross_entropy, x=X, y=Y, **hyper):
    model, twin = pair()
    xt, yt = torch.tensor(x), torch.tensor(y)
    torch_losses = fit(lambda b: loss(model(b[0]), b[1]), opt(model.parameters(), **hyper),
                       itertools.repeat((xt, yt), steps))
    numpy_losses = fit(lambda b: loss(twin(b[0]), b[1]), opt(twin.parameters(), **hyper),
                       itertools.repeat((x, y), steps))
    return np.array(numpy_losses), np.array(torch_losses), twin


@pytest.mark.parametrize(("opt", "lr"), [(Adam, 0.03), (Adam, 3.0), (SGD, 10.0)],
                         ids=["adam-0.03", "adam-3", "sgd-10"])
def test_twin_follows_torch_for_20_steps(opt, lr):
    """The page's healthy run, its lr 100 times too large, and section 3's divergent SGD."""
    twin_losses, torch_losses, _ = both_histories(opt, 20, lr=lr)
    np.testing.assert_allclose(twin_losses, torch_losses, rtol=0, atol=1e-8)


def test_twin_follows_torch_with_the_double_softmax_bug():
    def buggy(logits, target):
        return cross_entropy(softmax(logits), target)
    twin_losses, torch_losses, _ = both_histories(Adam, 20, loss=buggy, lr=0.03)
    np.testing.assert_allclose(twin_losses, torch_losses, rtol=0, atol=1e-8)


def test_twin_initialises_as_the_page_says():
    """He before the ReLU (variance 2 / fan_in), Xavier after (2 / (fan_in + fan_out))."""
    twin = NumpyMLP(width=4000, seed=3)
    w1, w2 = twin[0].weight.data, twin[2].weight.data
    # the sample variance of n normal draws has relative standard error sqrt(2 / n)
    assert abs(w1.var() / (2 / 2) - 1) < 4 * math.sqrt(2 / w1.size)
    assert abs(w2.var() / (2 / 4003) - 1) < 4 * math.sqrt(2 / w2.size)
    assert not twin[0].bias.data.any() and not twin[2].bias.data.any()
    assert twin[0].weight.dtype == np.float64
    logits = NumpyMLP()(X).data                # small logits: the first loss is near log 3
    assert abs(float(cross_entropy(logits, Y)) - math.log(3)) < 0.15
    torch_model = mlp(width=4000, seed=3)      # the torch model, drawn the same way
    assert abs(torch_model[0].weight.var().item() / (2 / 2) - 1) < 4 * math.sqrt(2 / w1.size)


def test_page_conclusions_hold_on_the_twin():
    """Section 3: the healthy run learns, SGD at lr 10 runs away within a few steps."""
    good, _, _ = both_histories(Adam, 150, lr=0.03)
    assert good[-1] < 0.25 * good[0]
    bad, bad_torch, _ = both_histories(SGD, 10, lr=10.0)
    assert np.argmax(bad > 3 * bad[0]) < 10 and bad.max() > 3 * bad[0]
    assert np.argmax(bad_torch > 3 * bad_torch[0]) == np.argmax(bad > 3 * bad[0])
    # section 2: eight points are memorised; the double softmax cannot pass its floor
    tiny = np.arange(0, 300, 37)[:8]
    plain, _, _ = both_histories(Adam, 150, x=X[tiny], y=Y[tiny], lr=0.05)
    double, _, _ = both_histories(Adam, 150, loss=lambda z, t: cross_entropy(softmax(z), t),
                                  x=X[tiny], y=Y[tiny], lr=0.05)
    floor = math.log((math.e + 2) / math.e)
    assert plain[-1] < 1e-2 and double[-1] > floor - 1e-6


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match="width"):
        NumpyMLP(width=0)
    with pytest.raises(ValueError, match="seed"):
        mlp(seed=-1)


def test_twin_trains_without_torch():
    out = run_without_torch("""
        import itertools
        from mlnotes.datasets import spirals
        from mlnotes.experiments.debugging import NumpyMLP
        from mlnotes.losses import cross_entropy
        from mlnotes.optim import Adam
        from mlnotes.training import fit
        X, y = spirals(100, classes=3, noise=0.2, generator=0)
        model = NumpyMLP(width=64)
        losses = fit(lambda b: cross_entropy(model(b[0]), b[1]),
                     Adam(model.parameters(), lr=0.03), itertools.repeat((X, y), 150))
        print(losses[0], losses[-1])
    """)
    first, last = map(float, out.split())
    assert abs(first - math.log(3)) < 0.15 and last < 0.25 * first
