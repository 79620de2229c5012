"""mlnotes.experiments.sequences: the page's experiments against independent references."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from helpers import assert_seeded

from mlnotes.experiments.sequences import bptt_gradient_norms, recall_task

D, H, N, L = 3, 5, 4, 7

# ------------------------------------------------------ experiment: bptt_gradient_norms


@pytest.mark.parametrize("radius", [0.5, 1.5, 3.0])
def test_bptt_gradient_norms_are_torchs_input_gradients(radius):
    L_, H_ = 25, 16
    ours = bptt_gradient_norms(radius, length=L_, hidden=H_, generator=3)
    # the documented construction, drawn in the same order, run by torch.nn.RNN
    rng = np.random.default_rng(3)
    W_hh = rng.normal(size=(H_, H_)) * radius / np.sqrt(H_)
    xs = torch.tensor(rng.normal(size=(L_, 1, H_)) * 0.5, requires_grad=True)
    v = torch.tensor(rng.normal(size=(1, H_)) / np.sqrt(H_))
    net = torch.nn.RNN(H_, H_, bias=False, dtype=torch.float64)
    with torch.no_grad():
        net.weight_ih_l0.copy_(torch.eye(H_))
        net.weight_hh_l0.copy_(torch.tensor(W_hh))
    hs, _ = net(xs)
    (grad,) = torch.autograd.grad((hs[-1] * v).sum(), xs)  # W_ih = I: dl/dx_t = dl/da_t
    theirs = grad[:, 0].norm(dim=1).numpy()[::-1]  # by distance from the loss
    np.testing.assert_allclose(ours, theirs, rtol=1e-10)
    # the last step: dl/da_L = (1 - h_L^2) * v
    h_last = hs[-1].detach().numpy()
    assert ours[0] == pytest.approx(np.linalg.norm((1 - h_last**2) * v.numpy()), rel=1e-12)


def test_bptt_gradient_norms_vanish_and_explode():
    small, large = bptt_gradient_norms(0.5), bptt_gradient_norms(3.0)
    assert small.shape == large.shape == (60,)
    assert small[40] < 1e-12 * small[0] and large[40] > 1e3 * large[0]
    np.testing.assert_array_equal(bptt_gradient_norms(0.9, generator=1),
                                  bptt_gradient_norms(0.9, generator=np.random.default_rng(1)))
    with pytest.raises(ValueError, match="radius must be a finite number >= 0"):
        bptt_gradient_norms(-1.0)


# ------------------------------------------------------------ data set: recall_task


def test_recall_task_draws_from_its_generator_only():
    assert_seeded(recall_task, n=5, length=4)


def test_recall_task_flags_its_token_then_noise():
    xs, y = recall_task(64, 6, n_tokens=4, noise=0.3, generator=0)
    assert xs.shape == (6, 64, 5) and y.shape == (64,)
    np.testing.assert_array_equal(xs[0, :, :4].argmax(axis=1), y)
    np.testing.assert_array_equal(xs[0, :, 4], 1.0)  # the marker flags the first step
    np.testing.assert_array_equal(xs[1:, :, 4], 0.0)
    assert abs(xs[1:, :, :4].std() - 0.3) < 0.05
    quiet, _ = recall_task(8, 3, noise=0.0, generator=0)
    np.testing.assert_array_equal(quiet[1:], 0.0)


def test_recall_task_bad_length():
    with pytest.raises(ValueError, match="length must be"):
        recall_task(2, 0)
