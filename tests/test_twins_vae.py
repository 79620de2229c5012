"""The VAE page's twin: NumpyVAE against the torch VAE, and the page's run without torch.

The twin starts from the torch model's weights; with the same batches and noise, in
float64, under the page's optimizer (Adam, learning rate 0.02), its loss history equals
torch's to 1e-8 over 20 steps. Over the page's whole run (30 epochs by ``fit_vae``) the
twin reaches each of the page's conclusions.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from test_without_torch import run_without_torch

from mlnotes.datasets import strokes
from mlnotes.optim import Adam
from mlnotes.training import fit
from mlnotes.vae import VAE, NumpyVAE, fit_vae


@pytest.mark.parametrize("beta", [1.0, 4.0])
def test_vae_twin_follows_torch_for_20_steps(beta):
    images, _, _ = strokes(300, size=12, generator=0)
    x = images.reshape(300, -1)
    model = VAE(144, latent_features=2, hidden_features=64, generator=0).double()
    twin = NumpyVAE(144, latent_features=2, hidden_features=64, generator=1)
    twin.load_state_dict(model.state_dict())
    assert [n for n, _ in twin.named_parameters()] == [n for n, _ in model.named_parameters()]
    rng = np.random.default_rng(0)
    steps = [(rng.choice(300, 50, replace=False), rng.standard_normal((50, 2)))
             for _ in range(20)]
    torch_losses = fit(lambda b: model.loss(torch.tensor(x[b[0]]), eps=torch.tensor(b[1]),
                                            beta=beta),
                       Adam(model.parameters(), lr=2e-2), steps)
    numpy_losses = fit(lambda b: twin.loss(x[b[0]], eps=b[1], beta=beta),
                       Adam(twin.parameters(), lr=2e-2), steps)
    np.testing.assert_allclose(numpy_losses, torch_losses, rtol=0, atol=1e-8)
    assert numpy_losses[-1] < 0.8 * numpy_losses[0]
    for name, p in model.state_dict().items():
        np.testing.assert_allclose(twin.state_dict()[name], p.numpy(), rtol=0, atol=1e-8)
    # the reconstructions of the two trained models agree too
    np.testing.assert_allclose(twin.reconstruct(x[:20]),
                               model.reconstruct(torch.tensor(x[:20])).numpy(), atol=1e-8)


def test_vae_twin_reaches_the_pages_conclusions():
    """The page's run, NumPy only (the twin's own draws, not torch's)."""
    images, angles, _ = strokes(1000, size=12, generator=0)
    x = images.reshape(1000, -1)
    model = NumpyVAE(144, latent_features=2, hidden_features=64, generator=0)
    eps = np.random.default_rng(1).standard_normal((1000, 2))
    before = model.loss(x, eps=eps).item()
    history = fit_vae(model, x, epochs=30, batch_size=100, lr=2e-2, generator=0)
    after = model.loss(x, eps=eps).item()
    assert len(history) == 30 and after < 0.5 * before
    err_model = np.mean((model.reconstruct(x) - x) ** 2)
    assert err_model < 0.6 * np.mean((images - images.mean(axis=0)) ** 2)
    ink_data, ink_samples = x.sum(1).mean(), model.sample(1000, generator=2).sum(1).mean()
    assert abs(ink_samples - ink_data) < 0.2 * ink_data
    codes = model.encode(x)[0].data
    d2 = ((codes[:, None] - codes[None]) ** 2).sum(-1)
    np.fill_diagonal(d2, np.inf)

    def gap(a, b):
        t = np.abs(a - b) % np.pi
        return np.minimum(t, np.pi - t).mean()

    assert gap(angles, angles[d2.argmin(1)]) < 0.25 * gap(angles, np.roll(angles, 1))


def test_the_kl_weight_moves_the_codes_to_the_prior():
    """beta, the page's knob: a heavier KL pulls the codes' spread towards the prior's."""
    images, _, _ = strokes(500, size=12, generator=0)
    x = images.reshape(500, -1)
    spread = {}
    for beta in (0.0, 4.0):
        model = NumpyVAE(144, latent_features=2, hidden_features=32, generator=0)
        fit_vae(model, x, epochs=10, batch_size=100, lr=2e-2, generator=0, beta=beta)
        spread[beta] = float((model.encode(x)[0].data ** 2).mean())
    assert spread[4.0] < spread[0.0]


def test_fit_vae_refuses_mixed_kinds():
    twin = NumpyVAE(4, generator=0)
    with pytest.raises(TypeError, match="data"):
        fit_vae(twin, np.zeros((4, 4), np.float32))
    with pytest.raises(ValueError, match="beta"):
        fit_vae(twin, np.zeros((4, 4)), beta=-1.0)
    with pytest.raises(ValueError, match="NumPy Generator"):
        twin(np.zeros((2, 4)))


def test_vae_twin_trains_without_torch():
    out = run_without_torch("""
        import numpy as np
        from mlnotes import plotting
        from mlnotes.vae import NumpyVAE, fit_vae
        model = NumpyVAE(16, generator=0)
        data = np.random.default_rng(0).random((40, 16))
        history = fit_vae(model, data, epochs=3, batch_size=20)
        plotting.vae_reconstructions_figure(model, data.reshape(-1, 4, 4), n=3)
        plotting.vae_samples_figure(model, n=4, ncols=4)
        plotting.latent_space_figure(model, data.reshape(-1, 4, 4), np.arange(40.0), steps=3)
        print(len(history), history[-1] < history[0])
    """)
    assert out.split() == ["3", "True"]
