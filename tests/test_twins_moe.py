"""The mixture of experts and its NumPy twin: one forward, the same training, the same numbers.

:class:`mlnotes.moe.NumpyMixtureOfExperts` started from a torch
:class:`~mlnotes.moe.MixtureOfExperts`'s weights and trained by the same
:func:`mlnotes.moe.fit_classifier` (full-batch Adam, the page's optimizer) has torch's
loss history in float64; over the page's run it reaches the page's conclusions.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from test_without_torch import run_without_torch

from mlnotes import nn
from mlnotes.experiments.architectures import two_regions
from mlnotes.moe import MixtureOfExperts, NumpyMixtureOfExperts, fit_classifier
from mlnotes.plotting import moe_regions_figure

X, Y, _ = two_regions(400, generator=0)


def pair(num_experts: int) -> tuple[MixtureOfExperts, NumpyMixtureOfExperts]:
    model = MixtureOfExperts(2, 2, num_experts=num_experts, generator=0, dtype=torch.float64)
    twin = NumpyMixtureOfExperts(2, 2, num_experts=num_experts, generator=1)
    return model, twin.load_state_dict(model.state_dict())


def test_parameter_names_are_torchs():
    model, twin = pair(3)
    assert [n for n, _ in twin.named_parameters()] == list(model.state_dict())


@pytest.mark.parametrize(("num_experts", "lr"), [(1, 0.1), (2, 0.1), (3, 0.05)])
def test_twin_follows_torch_for_20_steps(num_experts, lr):
    model, twin = pair(num_experts)
    torch_losses = fit_classifier(model, torch.tensor(X), torch.tensor(Y), steps=20, lr=lr)
    twin_losses = fit_classifier(twin, X, Y, steps=20, lr=lr)
    np.testing.assert_allclose(twin_losses, torch_losses, rtol=0, atol=1e-8)
    for name, p in model.state_dict().items():
        np.testing.assert_allclose(twin.state_dict()[name], p.numpy(), rtol=0, atol=1e-8)
    probs = twin(X)[1].data
    np.testing.assert_allclose(probs, model(torch.tensor(X))[1].detach().numpy(), atol=1e-8)


def test_the_pages_conclusions_hold_on_the_twin():
    """150 steps at lr 0.1: one line is near chance, two linear experts are right nearly
    everywhere, each expert right in its own region only."""
    single = NumpyMixtureOfExperts(2, 2, num_experts=1, generator=0)
    mixture = NumpyMixtureOfExperts(2, 2, num_experts=2, generator=0)
    fit_classifier(single, X, Y, steps=150, lr=0.1)
    fit_classifier(mixture, X, Y, steps=150, lr=0.1)
    acc_single = np.mean(single(X)[0].data.argmax(-1) == Y)
    acc_mixture = np.mean(mixture(X)[0].data.argmax(-1) == Y)
    assert acc_single < 0.8 < 0.95 < acc_mixture
    claimed = mixture(X)[1].data.argmax(-1)
    decisions = mixture.expert_outputs(X).data.argmax(-1)
    for e in range(2):
        mine = claimed == e
        assert np.mean(decisions[mine, e] == Y[mine]) > 0.9
        assert np.mean(decisions[:, e] == Y) < 0.8
    assert len(moe_regions_figure(mixture, X, Y, single=single).axes) == 2


def test_bad_parts_are_named():
    with pytest.raises(ValueError, match="num_experts = 2"):
        NumpyMixtureOfExperts(2, 2, experts=[nn.Linear(2, 2, generator=0)])
    with pytest.raises(TypeError, match=r"experts\[1\]"):
        NumpyMixtureOfExperts(2, 2, experts=[nn.Linear(2, 2, generator=0),
                                             torch.nn.Linear(2, 2)])
    with pytest.raises(TypeError, match="gater"):
        NumpyMixtureOfExperts(2, 2, gater=lambda x: x)
    with pytest.raises(TypeError, match="dtype"):  # checked at fit_classifier's door
        fit_classifier(NumpyMixtureOfExperts(2, 2), X.astype(np.float32), Y, steps=1)


def test_twin_trains_without_torch():
    out = run_without_torch("""
        import numpy as np
        from mlnotes.experiments.architectures import two_regions
        from mlnotes.moe import NumpyMixtureOfExperts, fit_classifier
        from mlnotes.plotting import moe_regions_figure
        X, y, _ = two_regions(400, generator=0)
        mixture = NumpyMixtureOfExperts(2, 2, num_experts=2, generator=0)
        losses = fit_classifier(mixture, X, y, steps=150, lr=0.1)
        moe_regions_figure(mixture, X, y)
        print(losses[0], losses[-1], np.mean(mixture(X)[0].data.argmax(-1) == y))
    """)
    first, last, accuracy = map(float, out.split())
    assert last < 0.1 * first and accuracy > 0.95
