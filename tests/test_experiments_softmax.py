"""mlnotes.experiments.softmax: the page's experiments against independent references."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from mlnotes.experiments.softmax import saturation_gradients

# ----------------------------------------------------- experiment: saturation_gradients


@pytest.mark.parametrize("k", [2, 3, 5])
def test_saturation_gradients_are_autograds_norms(k):
    gaps = np.array([0.0, 1.0, 5.0, 20.0, 30.0])
    soft, logsoft = saturation_gradients(gaps, k)
    x = torch.zeros(len(gaps), k, dtype=torch.float64)
    x[:, 0] = torch.tensor(gaps)
    for loss, ours in ((lambda z: -torch.softmax(z, 1)[:, 1], soft),
                       (lambda z: -torch.log_softmax(z, 1)[:, 1], logsoft)):
        z = x.clone().requires_grad_()
        (grad,) = torch.autograd.grad(loss(z).sum(), z)
        np.testing.assert_allclose(ours, grad.norm(dim=1).numpy(), rtol=1e-12, atol=1e-300)


def test_saturation_gradients_closed_forms():
    # with p = softmax(g, 0, 0): |d(-p_1)/dx| = p_1 |p - e_1| and |d(-log p_1)/dx| = |p - e_1|
    gaps = np.linspace(0, 30, 7)
    soft, logsoft = saturation_gradients(gaps)
    e = np.exp(np.stack([gaps, np.zeros_like(gaps), np.zeros_like(gaps)], axis=1) - gaps[:, None])
    p = e / e.sum(axis=1, keepdims=True)
    dist = np.linalg.norm(p - np.array([0.0, 1.0, 0.0]), axis=1)
    np.testing.assert_allclose(logsoft, dist, rtol=1e-12)
    np.testing.assert_allclose(soft, p[:, 1] * dist, rtol=1e-12)
    assert soft[-1] < 1e-12 and abs(logsoft[-1] - np.sqrt(2)) < 1e-12  # vanished; not


def test_saturation_gradients_needs_two_classes():
    with pytest.raises(ValueError, match="k must be an int >= 2, got 1"):
        saturation_gradients(np.zeros(2), k=1)


def test_saturation_gradients_checks_its_gaps():
    soft, logsoft = saturation_gradients([0, 20])  # a list of ints is gaps too
    np.testing.assert_array_equal(soft, saturation_gradients(np.array([0.0, 20.0]))[0])
    with pytest.raises(TypeError, match="gaps must be an array of real numbers, got dtype object"):
        saturation_gradients(None)
    with pytest.raises(TypeError, match="gaps must be an array of real numbers, got dtype <U"):
        saturation_gradients("0 5 10")
    with pytest.raises(ValueError, match=r"gaps must have shape \(G,\), got \(\)"):
        saturation_gradients(np.array(5.0))
