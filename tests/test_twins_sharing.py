"""The parameter-shared transform and its NumPy twin: the same layer, the same training.

:class:`mlnotes.sharing.NumpyTransformedLinear` started from a torch
:class:`~mlnotes.sharing.TransformedLinear`'s ``u`` and trained by the same
:class:`mlnotes.optim.Adam` on :func:`mlnotes.losses.mse_loss` (the page's run) has
torch's loss history in float64, with a tanh network and with weight sharing as
the transform; over the page's run it reaches the page's conclusion.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from test_without_torch import run_without_torch

from mlnotes.activations import tanh
from mlnotes.losses import mse_loss
from mlnotes.optim import Adam
from mlnotes.sharing import NumpyTransformedLinear, TransformedLinear, conv_index, share
from mlnotes.training import fit

rng = np.random.default_rng(0)
A = rng.normal(size=(6, 4))
X_TRAIN = rng.normal(size=(50, 3))
T_TRAIN = rng.normal(size=(50, 2))


def both_histories(torch_layer, twin, x, t, steps=20, lr=0.05):
    twin.load_state_dict(torch_layer.state_dict())
    torch_losses = fit(lambda b: mse_loss(torch_layer(b[0]), b[1]),
                       Adam(torch_layer.parameters(), lr=lr),
                       itertools.repeat((torch.tensor(x), torch.tensor(t)), steps))
    twin_losses = fit(lambda b: mse_loss(twin(b[0]), b[1]), Adam(twin.parameters(), lr=lr),
                      itertools.repeat((x, t), steps))
    return twin_losses, torch_losses


@pytest.mark.parametrize("bias", [False, True])
def test_twin_follows_torch_through_a_tanh_network(bias):
    """The page's transform H(u) = tanh(A u), with and without the free bias."""
    At = torch.tensor(A)
    model = TransformedLinear(3, 2, 4, lambda u: torch.tanh(At @ u), bias=bias,
                              dtype=torch.float64)
    twin = NumpyTransformedLinear(3, 2, 4, lambda u: tanh(A @ u), bias=bias, generator=5)
    twin_losses, torch_losses = both_histories(model, twin, X_TRAIN, T_TRAIN)
    np.testing.assert_allclose(twin_losses, torch_losses, rtol=0, atol=1e-8)
    assert twin_losses[-1] < twin_losses[0]


def test_twin_follows_torch_as_a_convolution():
    """Weight sharing by conv_index: the layer is a conv1d, trained as one."""
    L, K = 8, 3
    index = conv_index(L, K)
    model = TransformedLinear(L, L - K + 1, K, lambda u: share(u, torch.tensor(index)),
                              dtype=torch.float64)
    twin = NumpyTransformedLinear(L, L - K + 1, K, lambda u: share(u, index))
    x, t = rng.normal(size=(20, L)), rng.normal(size=(20, L - K + 1))
    twin_losses, torch_losses = both_histories(model, twin, x, t, lr=0.1)
    np.testing.assert_allclose(twin_losses, torch_losses, rtol=0, atol=1e-8)
    # the trained layer is still a convolution: every row holds the one kernel
    w = twin.weight.data
    for row in range(L - K + 1):
        np.testing.assert_array_equal(w[row, row:row + K], twin.u.data)


def test_initialisation_is_uniform_in_one_over_root_in():
    layer = NumpyTransformedLinear(25, 40, 4000, lambda u: u[:1000], generator=0)
    u = layer.u.data
    assert np.abs(u).max() <= 0.2 and np.abs(layer.bias.data).max() <= 0.2
    assert abs(u.var() - 0.2 ** 2 / 3) < 4 * 0.2 ** 2 * np.sqrt(4 / 45 / u.size)


def test_the_pages_student_learns_the_teachers_weights():
    """The page's run: 600 Adam steps at lr 0.05 on 4 numbers u that write 6 weights."""
    A_page = np.random.default_rng(4).normal(size=(6, 4))

    def H(u):
        return tanh(A_page @ u)

    rng_t = np.random.default_rng(3)
    W_star = H(rng_t.normal(size=4)).reshape(2, 3)
    x = rng_t.normal(size=(200, 3))
    student = NumpyTransformedLinear(3, 2, 4, H, bias=False, generator=1)
    losses = fit(lambda b: mse_loss(student(b), b @ W_star.T), Adam(student.parameters(),
                 lr=0.05), itertools.repeat(x, 600))
    assert losses[-1] < 1e-3 * losses[0]
    assert np.abs(H(student.u.data).reshape(2, 3) - W_star).max() < 0.05


def test_bad_arguments_are_named():
    with pytest.raises(TypeError, match="transform"):
        NumpyTransformedLinear(3, 2, 4, "tanh")
    with pytest.raises(TypeError, match="bias"):
        NumpyTransformedLinear(3, 2, 4, lambda u: u, bias=1)
    with pytest.raises(ValueError, match="num_params"):
        NumpyTransformedLinear(3, 2, 0, lambda u: u)
    layer = NumpyTransformedLinear(3, 2, 4, lambda u: u)  # 4 weights, 6 needed
    with pytest.raises(ValueError, match="out_features \\* in_features = 6"):
        layer(np.zeros((1, 3)))


def test_twin_trains_without_torch():
    out = run_without_torch("""
        import itertools
        import numpy as np
        from mlnotes.losses import mse_loss
        from mlnotes.optim import Adam
        from mlnotes.sharing import NumpyTransformedLinear, conv_index, share
        from mlnotes.training import fit
        rng = np.random.default_rng(0)
        index = conv_index(8, 3)
        teacher = np.array([1.0, -2.0, 0.5])
        x = rng.normal(size=(40, 8))
        t = x @ share(teacher, index).reshape(6, 8).T
        layer = NumpyTransformedLinear(8, 6, 3, lambda u: share(u, index), bias=False)
        losses = fit(lambda b: mse_loss(layer(b[0]), b[1]), Adam(layer.parameters(), lr=0.1),
                     itertools.repeat((x, t), 300))
        print(losses[0], losses[-1], *layer.u.data)
    """)
    first, last, *u = map(float, out.split())
    assert last < 1e-4 * first
    np.testing.assert_allclose(u, [1.0, -2.0, 0.5], atol=1e-2)
