"""mlnotes.nn and the optimizers on Tensors: a NumPy model trained like its torch twin.

The twin starts from the torch model's weights (``load_state_dict``), runs the same
package functions, is trained by the same :func:`mlnotes.training.fit` and
:mod:`mlnotes.optim` optimizer, and its loss history equals torch's in float64.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

from mlnotes import nn
from mlnotes.autograd import Tensor
from mlnotes.losses import cross_entropy, mse_loss
from mlnotes.optim import SGD, Adam, AdamW, RMSprop
from mlnotes.training import fit

OPTIMIZERS = [
    (SGD, dict(lr=0.1, momentum=0.9)),
    (RMSprop, dict(lr=0.01)),
    (Adam, dict(lr=0.01)),
    (AdamW, dict(lr=0.01, weight_decay=0.1)),
]


def torch_mlp(seed: int) -> torch.nn.Sequential:
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(3, 8), torch.nn.Tanh(), torch.nn.Linear(8, 4),
                               torch.nn.ReLU(), torch.nn.Linear(4, 3)).double()


def numpy_mlp() -> nn.Sequential:
    return nn.Sequential(nn.Linear(3, 8, generator=1), nn.Tanh(), nn.Linear(8, 4, generator=2),
                         nn.ReLU(), nn.Linear(4, 3, generator=3))


@pytest.mark.parametrize(("opt", "hyper"), OPTIMIZERS, ids=lambda o: getattr(o, "__name__", ""))
def test_twin_follows_torch_for_20_steps(opt, hyper):
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(16, 3)), rng.integers(0, 3, size=16)
    model = torch_mlp(0)
    twin = numpy_mlp().load_state_dict(model.state_dict())
    xt, yt = torch.tensor(x), torch.tensor(y)
    torch_losses = fit(lambda b: cross_entropy(model(b[0]), b[1]),
                       opt(model.parameters(), **hyper), itertools.repeat((xt, yt), 20))
    numpy_losses = fit(lambda b: cross_entropy(twin(b[0]), b[1]),
                       opt(twin.parameters(), **hyper), itertools.repeat((x, y), 20))
    np.testing.assert_allclose(numpy_losses, torch_losses, rtol=0, atol=1e-8)
    assert numpy_losses[-1] < numpy_losses[0]
    for name, p in model.state_dict().items():
        np.testing.assert_allclose(twin.state_dict()[name], p.numpy(), rtol=0, atol=1e-8)


def test_twin_follows_torch_with_clipping_and_minibatches():
    rng = np.random.default_rng(1)
    x, y = rng.normal(size=(40, 3)), rng.normal(size=(40, 3))
    batches = [(x[i:i + 8], y[i:i + 8]) for i in range(0, 40, 8)] * 4
    model = torch_mlp(1)
    twin = numpy_mlp().load_state_dict(model.state_dict())
    torch_losses = fit(lambda b: mse_loss(model(torch.tensor(b[0])), torch.tensor(b[1])),
                       SGD(model.parameters(), lr=0.5), batches, max_norm=0.3)
    numpy_losses = fit(lambda b: mse_loss(twin(b[0]), b[1]), SGD(twin.parameters(), lr=0.5),
                       batches, max_norm=0.3)
    np.testing.assert_allclose(numpy_losses, torch_losses, rtol=0, atol=1e-8)


def test_parameter_names_match_torch_and_load_checks_them():
    model = torch_mlp(0)
    twin = numpy_mlp()
    assert [n for n, _ in twin.named_parameters()] == list(model.state_dict())
    state = model.state_dict()
    with pytest.raises(ValueError, match="missing.*'4.bias'"):
        twin.load_state_dict({k: v for k, v in state.items() if k != "4.bias"})
    with pytest.raises(ValueError, match="shape"):
        twin.load_state_dict({**state, "0.weight": torch.zeros(2, 2)})
    with pytest.raises(TypeError, match="state_dict"):
        twin.load_state_dict([1, 2])


def test_linear_initialises_as_torch_does():
    """torch's nn.Linear draws weight and bias from U(-1/sqrt(n_in), 1/sqrt(n_in))."""
    layer = nn.Linear(25, 400, generator=0)
    bound = 1 / 5
    for p in (layer.weight.data, layer.bias.data):
        assert p.min() >= -bound and p.max() <= bound
    # uniform on [-b, b]: mean 0, variance b^2/3 (10,000 draws: 4 standard errors)
    w = layer.weight.data.ravel()
    assert abs(w.mean()) < 4 * bound / np.sqrt(3 * w.size)
    assert abs(w.var() - bound**2 / 3) < 4 * bound**2 * np.sqrt(4 / 45 / w.size)
    with pytest.raises(ValueError, match="generator"):
        nn.Linear(2, 2, generator=None)


def test_a_shared_parameter_is_listed_once_and_gets_both_gradients():
    layer = nn.Linear(2, 2, generator=0)
    net = nn.Sequential(layer, nn.Tanh(), layer)
    assert len(list(net.parameters())) == 2
    x = np.ones((1, 2))
    net(x).sum().backward()
    # d/dW of sum(W tanh(W x + b) + b): both uses of W contribute
    w, b = layer.weight.data, layer.bias.data
    h = np.tanh(x @ w.T + b)
    direct = np.ones((1, 2)).T @ h
    through = ((np.ones((1, 2)) @ w) * (1 - h**2)).T @ x
    np.testing.assert_allclose(layer.weight.grad, direct + through, rtol=1e-12)


def test_optimizer_refuses_what_it_cannot_train():
    with pytest.raises(ValueError, match="does not require grad"):
        SGD([Tensor(np.ones(2))], lr=0.1)
    with pytest.raises(TypeError, match=r"params\[0\]"):
        SGD([np.ones(2)], lr=0.1)
    with pytest.raises(ValueError, match="more than once"):
        w = Tensor(np.ones(2), requires_grad=True)
        SGD([w, w], lr=0.1)
    with pytest.raises(ValueError, match="empty"):
        Adam([], lr=0.1)


def test_state_dict_round_trip_continues_the_same_trajectory():
    rng = np.random.default_rng(2)
    x, y = rng.normal(size=(8, 3)), rng.integers(0, 3, size=8)
    a, b = numpy_mlp(), numpy_mlp()
    opt_a = Adam(a.parameters(), lr=0.05)
    fit(lambda _: cross_entropy(a(x), y), opt_a, range(3))
    b.load_state_dict(a.state_dict())
    opt_b = Adam(b.parameters(), lr=0.05)
    opt_b.load_state_dict(opt_a.state_dict())
    la = fit(lambda _: cross_entropy(a(x), y), opt_a, range(3))
    lb = fit(lambda _: cross_entropy(b(x), y), opt_b, range(3))
    assert la == lb


def test_train_and_eval_reach_every_submodule():
    net = numpy_mlp().eval()
    assert not any(m.training for m in net.modules())
    assert all(m.training for m in net.train().modules())
