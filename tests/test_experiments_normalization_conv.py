"""The normalisation page's conv net against torch in float64: forward, gradients, training.

:func:`~mlnotes.experiments.normalization.numpy_conv_net` runs on the package's engine
(:mod:`mlnotes.autograd`, :func:`~mlnotes.conv.conv2d`, :func:`~mlnotes.conv.max_pool2d`,
:class:`~mlnotes.norm.NumpyBatchNorm`). The reference is built of torch's own layers
(``Conv2d``, ``BatchNorm2d``, ``ReLU``, ``MaxPool2d``, ``Linear``) holding the same numbers;
:func:`_torch_run` writes the whole measured training loop out again in torch: the batches,
the noise, SGD, the covariate-shift measure and the landscape probe.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from mlnotes.datasets import strokes
from mlnotes.experiments.normalization import (
    _RandomAffine,
    conv_norm_training,
    gradient_landscape,
    numpy_conv_net,
    stroke_angles,
)
from mlnotes.nn import Linear, Sequential


class _TorchNoise(torch.nn.Module):
    def __init__(self, channels: int):
        super().__init__()
        self.scale, self.shift = torch.ones(channels, dtype=torch.float64), torch.zeros(
            channels, dtype=torch.float64)

    def forward(self, x):
        return x * self.scale[:, None, None] + self.shift[:, None, None]


class _TorchMean(torch.nn.Module):
    def forward(self, x):
        return x.mean(dim=(2, 3))


def _torch_twin(model) -> torch.nn.Sequential:
    """torch's layers with the engine model's numbers, in the same order."""
    layers, noise = [], []
    for layer in model:
        kind = type(layer).__name__
        if kind == "_Conv2d":
            c_out, c_in = layer.weight.shape[:2]
            m = torch.nn.Conv2d(c_in, c_out, 3, padding=1, dtype=torch.float64)
        elif kind == "NumpyBatchNorm":
            m = torch.nn.BatchNorm2d(layer.num_features, track_running_stats=False,
                                     dtype=torch.float64)
        elif kind == "_RandomAffine":
            m = _TorchNoise(layer.scale.shape[0])
            noise.append(m)
        elif kind == "ReLU":
            m = torch.nn.ReLU()
        elif kind == "_MaxPool":
            m = torch.nn.MaxPool2d(2)
        elif kind == "_MeanPool":
            m = _TorchMean()
        else:
            assert isinstance(layer, Linear)
            m = torch.nn.Linear(*layer.weight.shape[::-1], dtype=torch.float64)
        if hasattr(layer, "weight") and layer.weight is not None:
            with torch.no_grad():
                m.weight.copy_(torch.tensor(layer.weight.data))
                m.bias.copy_(torch.tensor(layer.bias.data))
        layers.append(m)
    twin = torch.nn.Sequential(*layers)
    twin.noise = noise
    return twin


def _set_noise(twin, model) -> None:
    engine = [m for m in model if isinstance(m, _RandomAffine)]
    for ours, theirs in zip(engine, twin.noise, strict=True):
        theirs.scale, theirs.shift = torch.tensor(ours.scale), torch.tensor(ours.shift)


# ------------------------------------------------------------------- the data


def test_stroke_angles_bins_the_strokes_angle():
    images, labels = stroke_angles(200, size=10, bins=4, generator=3)
    raw, angles, _ = strokes(200, size=10, generator=3)
    np.testing.assert_array_equal(images[:, 0], raw)
    edges = np.pi * np.array([0.25, 0.5, 0.75])           # [0, pi/4), [pi/4, pi/2), ...
    np.testing.assert_array_equal(labels, np.digitize(angles, edges))
    assert set(labels) == {0, 1, 2, 3}


def test_stroke_angles_refuses_one_bin():
    with pytest.raises(ValueError, match="bins"):
        stroke_angles(4, bins=1)


# --------------------------------------------------- forward and gradients


@pytest.mark.parametrize("norm", ["none", "batch", "noisy"])
def test_conv_net_forward_and_gradients_are_torchs(norm):
    model = numpy_conv_net(norm, channels=5, noise=0.7, generator=2)
    for m in model:
        if isinstance(m, _RandomAffine):
            m.redraw(np.random.default_rng(9))
    twin = _torch_twin(model)
    _set_noise(twin, model)
    X, y = stroke_angles(16, generator=1)
    loss = F.cross_entropy(twin(torch.tensor(X)), torch.tensor(y))
    loss.backward()
    from mlnotes.losses import cross_entropy

    ours = cross_entropy(model(X), y)
    ours.backward()
    np.testing.assert_allclose(float(ours.data), loss.item(), rtol=1e-12)
    names = [n for n, _ in model.named_parameters()]
    assert names == [n for n, _ in twin.named_parameters()]
    for (name, p), q in zip(model.named_parameters(), twin.parameters(), strict=True):
        np.testing.assert_allclose(p.grad, q.grad.numpy(), rtol=1e-9, atol=1e-13, err_msg=name)


def test_conv_net_starts_every_variant_from_the_same_weights():
    plain, bn = numpy_conv_net("none", generator=4), numpy_conv_net("noisy", generator=4)
    convs = [m for m in plain if hasattr(m, "weight")]
    convs_bn = [m for m in bn if type(m).__name__ in ("_Conv2d", "Linear")]
    for a, b in zip(convs, convs_bn, strict=True):
        np.testing.assert_array_equal(a.weight.data, b.weight.data)
    w = convs[1].weight.data                            # He: variance 2 / fan_in = 2 / 72
    assert w.shape == (8, 8, 3, 3) and abs(w.var() * 72 / 2 - 1) < 0.25


@pytest.mark.parametrize("bad, error", [({"norm": "layer"}, ValueError),
                                        ({"channels": 0}, ValueError),
                                        ({"noise": -1.0}, ValueError)])
def test_conv_net_refuses_bad_arguments(bad, error):
    with pytest.raises(error, match=next(iter(bad))):
        numpy_conv_net(**bad)


# --------------------------------------------------------- the landscape


def test_gradient_landscape_is_the_loss_and_gradient_along_minus_g():
    model = numpy_conv_net("batch", channels=4, generator=5)
    X, y = stroke_angles(12, generator=6)
    etas = [0.0, 0.2, 1.0]
    loss_0, losses, changes, g_norm = gradient_landscape(model, X, y, etas)
    twin = _torch_twin(model)
    Xt, yt = torch.tensor(X), torch.tensor(y)
    params = list(twin.parameters())
    g = torch.autograd.grad(F.cross_entropy(twin(Xt), yt), params)
    assert loss_0 == pytest.approx(F.cross_entropy(twin(Xt), yt).item(), rel=1e-12)
    assert g_norm == pytest.approx(torch.sqrt(sum((gi**2).sum() for gi in g)).item(), rel=1e-10)
    for eta, loss, change in zip(etas, losses, changes, strict=True):
        with torch.no_grad():
            moved = [p - eta * gi for p, gi in zip(params, g, strict=True)]
        for p, m in zip(params, moved, strict=True):
            p.data = m
        L = F.cross_entropy(twin(Xt), yt)
        g_eta = torch.autograd.grad(L, params)
        with torch.no_grad():
            for p, m, gi in zip(params, moved, g, strict=True):
                p.data = m + eta * gi
        assert loss == pytest.approx(L.item(), rel=1e-10)
        want = torch.sqrt(sum(((a - b) ** 2).sum() for a, b in zip(g_eta, g, strict=True)))
        assert change == pytest.approx(want.item(), rel=1e-8, abs=1e-14)
    # the parameters are back where they were
    again = gradient_landscape(model, X, y, [0.0])
    assert again[0] == loss_0


@pytest.mark.parametrize("args, error, name", [
    ((np.zeros((2, 3, 8, 8)), np.zeros(2, dtype=int)), ValueError, "X"),
    ((np.zeros((2, 1, 8, 8), dtype=int), np.zeros(2, dtype=int)), TypeError, "X"),
    ((np.zeros((2, 1, 8, 8)), np.zeros(3, dtype=int)), ValueError, "y"),
    ((np.zeros((2, 1, 8, 8)), np.zeros(2)), TypeError, "y"),
])
def test_gradient_landscape_refuses_bad_batches(args, error, name):
    with pytest.raises(error, match=rf"^{name} must"):
        gradient_landscape(numpy_conv_net(channels=2), *args, [0.1])


def test_gradient_landscape_refuses_other_models_and_step_sizes():
    X, y = stroke_angles(4)
    with pytest.raises(TypeError, match="model"):
        gradient_landscape(Sequential(Linear(2, 2, generator=0)), X, y, [0.1])
    for etas in ([-0.1], "0.1", [[0.1]], [np.nan]):
        with pytest.raises((TypeError, ValueError), match="etas"):
            gradient_landscape(numpy_conv_net(channels=2), X, y, etas)


# ------------------------------------------------------- the training run


def _torch_run(norm, steps, lr, batch, channels, noise, every, etas, seed):
    """The measured training loop written out in torch, from the engine model's weights."""
    X, y = stroke_angles(512, generator=seed)
    model = numpy_conv_net(norm, channels, 4, noise, generator=seed)
    twin = _torch_twin(model)
    params = list(twin.parameters())
    Xt, yt = torch.tensor(X), torch.tensor(y)
    conv2 = [m for m in twin if isinstance(m, torch.nn.Conv2d)][1]
    seen = {}
    conv2.register_forward_pre_hook(lambda m, inp: seen.__setitem__("h", inp[0].detach()))
    batches, noise_rng = np.random.default_rng([seed, 1]), np.random.default_rng([seed, 2])
    out = {"loss": [], "shift": [], "loss_range": [], "grad_change": [], "beta": []}
    stats = []

    def loss_grad(idx):
        L = F.cross_entropy(twin(Xt[idx]), yt[idx])
        return L.item(), torch.autograd.grad(L, params)

    for t in range(steps):
        for m in twin.noise:               # the paper's noise: a new scale and shift each step
            m.scale = torch.tensor(np.exp(noise * noise_rng.uniform(-1, 1, channels)))
            m.shift = torch.tensor(noise * noise_rng.uniform(-1, 1, channels))
        with torch.no_grad():
            twin(Xt[:32])
        h = seen["h"]
        stats.append((h.mean(dim=(0, 2, 3)), h.std(dim=(0, 2, 3), unbiased=False),
                      h.std(unbiased=False)))
        idx = torch.tensor(batches.choice(512, size=batch, replace=False))
        L0, g = loss_grad(idx)
        if t % every == 0:
            g_norm = torch.sqrt(sum((gi**2).sum() for gi in g)).item()
            values, changes = [L0], []
            for eta in etas:
                with torch.no_grad():
                    for p, gi in zip(params, g, strict=True):
                        p -= eta * gi
                L, g_eta = loss_grad(idx)
                with torch.no_grad():
                    for p, gi in zip(params, g, strict=True):
                        p += eta * gi
                values.append(L)
                changes.append(torch.sqrt(sum(((a - b) ** 2).sum()
                                              for a, b in zip(g_eta, g, strict=True))).item())
            out["loss_range"].append(max(values) - min(values))
            out["grad_change"].append(max(changes))
            out["beta"].append(max(c / (e * g_norm) for c, e in zip(changes, etas, strict=True)))
        with torch.no_grad():
            for p, gi in zip(params, g, strict=True):
                p -= lr * gi
        out["loss"].append(L0)
    for (m0, s0, spread), (m1, s1, _) in zip(stats, stats[1:], strict=False):
        out["shift"].append((((m1 - m0).abs() + (s1 - s0).abs()).mean() / spread).item())
    return {k: np.array(v) for k, v in out.items()}


@pytest.mark.parametrize("norm", ["none", "batch", "noisy"])
def test_conv_norm_training_is_the_measured_loop_in_torch(norm):
    """20 steps, rate 0.6, every record equal to the torch loop's to 1e-8."""
    kw = dict(steps=20, lr=0.6, batch=16, channels=4, noise=0.5, every=5, etas=(0.3, 0.6))
    ours = conv_norm_training((norm,), **kw, generator=1)[norm]
    theirs = _torch_run(norm, **kw, seed=1)
    for key in theirs:
        assert ours[key].shape == theirs[key].shape, key
        np.testing.assert_allclose(ours[key], theirs[key], rtol=1e-8, atol=1e-12, err_msg=key)
    assert ours["loss"][-5:].mean() < ours["loss"][:5].mean()      # and it learns


def test_conv_norm_training_refuses_bad_arguments():
    with pytest.raises(ValueError, match="norms"):
        conv_norm_training(("layer",), steps=1)
    with pytest.raises(ValueError, match="etas"):
        conv_norm_training(("none",), steps=1, etas=(0.0,))
    with pytest.raises(ValueError, match="steps"):
        conv_norm_training(("none",), steps=0)


def test_the_smoothness_probe_changes_nothing_it_does_not_record():
    kw = dict(steps=6, batch=8, channels=3)
    probed = conv_norm_training(("batch", "noisy"), every=2, **kw)
    plain = conv_norm_training(("batch", "noisy"), **kw)
    for norm in plain:
        for key in ("loss", "shift"):
            np.testing.assert_array_equal(probed[norm][key], plain[norm][key])
        assert probed[norm]["beta"].shape == (3,) and plain[norm]["beta"].shape == (0,)
