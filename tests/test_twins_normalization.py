"""The normalisation MLP's NumPy twin against its torch model: same start, same losses.

:func:`~mlnotes.experiments.normalization.numpy_norm_mlp` (``mlnotes.nn`` with
:class:`~mlnotes.norm.NumpyBatchNorm` / :class:`~mlnotes.norm.NumpyLayerNorm`) starts
from :func:`~mlnotes.experiments.normalization.norm_mlp`'s weights and is trained
by the page's optimizer (SGD on the scaled gradient, rate 0.1) on the page's data:
its loss history equals torch's in float64, its running statistics too, and over
the page's whole run batch norm wins, as the page asserts.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from test_without_torch import run_without_torch

from mlnotes.datasets import spirals
from mlnotes.experiments.normalization import (
    _ScaledSGD,
    norm_mlp,
    norm_training_losses,
    numpy_norm_mlp,
)
from mlnotes.losses import cross_entropy
from mlnotes.norm import BatchNorm, LayerNorm, NumpyBatchNorm, NumpyLayerNorm
from mlnotes.training import fit


def _twin_of(model: torch.nn.Sequential, norm: str, depth: int, width: int):
    twin = numpy_norm_mlp(norm, depth, width, generator=123)   # other weights ...
    params = dict(twin.named_parameters())
    twin.load_state_dict({k: v for k, v in model.state_dict().items() if k in params})
    for k, layer in enumerate(model):                          # ... then the torch model's
        if isinstance(layer, BatchNorm):
            np.testing.assert_array_equal(twin[k].running_mean, layer.running_mean.numpy())
            np.testing.assert_array_equal(twin[k].running_var, layer.running_var.numpy())
    return twin


def _train(model, batch, steps: int) -> np.ndarray:
    """The page's run: ``steps`` steps of SGD on the scaled gradient, rate 0.1; the losses."""
    return np.array(fit(lambda b: cross_entropy(model(b[0]), b[1]),
                        _ScaledSGD(model.parameters(), 0.1), itertools.repeat(batch, steps)))


def _both(norm: str, depth: int, steps: int):
    X, y = spirals(100, classes=3, generator=0)
    model = norm_mlp(norm, depth=depth, width=32, generator=0)
    twin = _twin_of(model, norm, depth, 32)
    data = (torch.tensor(X), torch.tensor(y))
    theirs = _train(model, data, steps)
    ours = _train(twin, (X, y), steps)
    return model, twin, (X, data[0]), ours, theirs


@pytest.mark.parametrize("norm", ["none", "batch", "layer"])
def test_twin_follows_torch_for_20_steps(norm):
    """8 blocks of width 32, the page's data, rate and optimizer: equal to 1e-8 for 20 steps.

    The page's 12 blocks with batch norm are chaotic at this rate: a last-bit
    difference grows about 2.75x a step, so the twin leaves 1e-8 near step 18.
    That is rounding, not the twin: torch against itself, one weight moved by
    one ulp, drifts the same way (see the next test).
    """
    model, twin, (X, Xt), ours, theirs = _both(norm, 8, 20)
    np.testing.assert_allclose(ours, theirs, rtol=0, atol=1e-8)
    assert ours[-1] != ours[0]
    for name, p in model.state_dict().items():     # parameters and running statistics
        k, attr = name.split(".")
        value = getattr(twin[int(k)], attr)
        value = value.data if name in dict(twin.named_parameters()) else value
        np.testing.assert_allclose(value, p.numpy(), rtol=0, atol=1e-8)
    # evaluation mode: the running estimates normalise, one sample alone as in a batch
    model.eval(), twin.eval()
    np.testing.assert_allclose(twin(X[:1]).data, model(Xt[:1]).detach().numpy(),
                               rtol=0, atol=1e-8)


def _torch_losses(depth: int, steps: int, *, nudge: bool = False) -> np.ndarray:
    """The torch model's losses on the page's run; ``nudge`` moves one weight by one ulp."""
    model = norm_mlp("batch", depth=depth, width=32, generator=0)
    if nudge:
        with torch.no_grad():
            model[0].weight[0, 0] = np.nextafter(model[0].weight[0, 0].item(), 1.0)
    return _train(model, tuple(torch.tensor(a) for a in spirals(100, classes=3, generator=0)),
                  steps)


def _growth_per_step(drift: np.ndarray) -> float:
    """The factor a difference grows by in one step: the slope of log(drift) over the steps.

    Steps where the two runs agree to the last bit (drift 0) are left out of the fit.
    """
    steps = np.flatnonzero(drift > 0)
    return float(np.exp(np.polyfit(steps, np.log(drift[steps]), 1)[0]))


def test_the_pages_12_block_batch_norm_net_is_chaotic_for_twin_and_torch_alike():
    """A last-bit difference grows about 2.75x a step in 12 blocks (over 2 asserted), not in 8.

    What is asserted is the rate, which is the network's: the size a one-ulp nudge
    reaches by step 20 depends on the CPU's rounding (3.8e-8 on an AMD EPYC with
    AVX-512, more elsewhere), so a floor on that size fails by machine, not by model.
    """
    _, _, _, ours, theirs = _both("batch", 12, 20)
    np.testing.assert_allclose(ours[:15], theirs[:15], rtol=0, atol=1e-8)
    torch_drift = np.abs(_torch_losses(12, 20, nudge=True) - theirs)
    twin_drift = np.abs(ours - theirs)
    growth = _growth_per_step(torch_drift), _growth_per_step(twin_drift)
    assert min(growth) > 2, growth                      # torch against itself, and the twin
    assert twin_drift[-1] < 100 * torch_drift[-1], (twin_drift[-1], torch_drift[-1])
    # the 8-block net of the test above is not chaotic: the same nudge stays at rounding
    calm = np.abs(_torch_losses(8, 20, nudge=True) - _torch_losses(8, 20))
    assert _growth_per_step(calm) < 1.5 and calm.max() < 1e-14, calm


def test_batch_norm_twin_counts_batches_and_uses_running_statistics_in_eval():
    rng = np.random.default_rng(0)
    x = rng.normal(3.0, 2.0, size=(64, 4))
    bn, ref = NumpyBatchNorm(4, momentum=0.5), torch.nn.BatchNorm1d(4, momentum=0.5).double()
    for _ in range(3):
        np.testing.assert_allclose(bn(x).data, ref(torch.tensor(x)).detach().numpy(), atol=1e-12)
    assert int(bn.num_batches_tracked) == 3
    np.testing.assert_allclose(bn.running_var, ref.running_var.numpy(), rtol=1e-14)
    bn.eval(), ref.eval()
    np.testing.assert_allclose(bn(x[:1]).data, ref(torch.tensor(x[:1])).detach().numpy(),
                               atol=1e-12)
    assert int(bn.num_batches_tracked) == 3                      # evaluation counts nothing
    with pytest.raises(ValueError, match="num_features"):
        NumpyBatchNorm(0)
    with pytest.raises(TypeError, match="affine"):
        NumpyBatchNorm(2, affine=1)


def test_layer_norm_twin_gradients_equal_torch():
    rng = np.random.default_rng(1)
    x, g = rng.normal(size=(5, 6)), rng.normal(size=(5, 6))
    ln, ref = NumpyLayerNorm(6), torch.nn.LayerNorm(6).double()
    ln.weight.data[...] = rng.normal(size=6)
    with torch.no_grad():
        ref.weight.copy_(torch.tensor(ln.weight.data))
    (ln(x) * g).sum().backward()
    (ref(torch.tensor(x)) * torch.tensor(g)).sum().backward()
    np.testing.assert_allclose(ln.weight.grad, ref.weight.grad.numpy(), rtol=1e-10)
    np.testing.assert_allclose(ln.bias.grad, ref.bias.grad.numpy(), rtol=1e-10)
    assert isinstance(LayerNorm(6), torch.nn.Module)
    with pytest.raises(ValueError, match="normalized_shape"):
        NumpyLayerNorm(0)


def test_twins_reach_the_pages_conclusion():
    """The page's run (12 layers, 60 steps, rate 0.1) on the twins: batch norm wins by 4x."""
    losses = norm_training_losses(("none", "batch"), depth=12, width=32, steps=60, lr=0.1)
    assert losses["none"][0] == pytest.approx(losses["batch"][0], rel=0.5)  # similar starts
    assert losses["batch"][-5:].mean() < losses["none"][-5:].mean() / 4


def test_twin_trains_without_torch():
    out = run_without_torch("""
        import sys
        from mlnotes.experiments.normalization import norm_training_losses
        losses = norm_training_losses(("batch", "layer"), depth=3, width=8, steps=10)
        assert "torch" not in sys.modules
        print(*(round(float(v[-1] / v[0]), 6) for v in losses.values()))
    """)
    ratios = [float(v) for v in out.split()]
    assert len(ratios) == 2 and all(r < 1 for r in ratios), out
    with pytest.raises(ValueError, match="kind must be 'numpy' or 'torch'"):
        norm_training_losses(kind="jax")
