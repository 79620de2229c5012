"""The losses page's linear layer trained by the engine against torch: same start, same losses.

:func:`~mlnotes.experiments.losses.fit_linear` with ``kind="numpy"`` trains
:class:`~mlnotes.autograd.Tensor` parameters through the package's backward
functions; torch's autograd from the same start, with the same SGD, must give the
same loss history (to 1e-8 over 20 steps, float64) and the page's conclusions.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from test_without_torch import run_without_torch

from mlnotes import losses as L
from mlnotes.activations import sigmoid, softmax
from mlnotes.autograd import log
from mlnotes.backend import randn
from mlnotes.experiments.losses import fit_linear, multilabel_signs


def _torch_losses(X, Y, loss, steps, lr, seed):
    """Plain torch from the start fit_linear draws for kind="numpy": the loss before each step."""
    K = Y.shape[1] if Y.ndim == 2 else int(Y.max()) + 1
    W = torch.tensor(0.1 * randn((X.shape[1], K), np.random.default_rng(seed), like=X),
                     requires_grad=True)
    b = torch.zeros(K, dtype=torch.float64, requires_grad=True)
    Xt, Yt, out = torch.tensor(X), torch.tensor(Y), []
    for _ in range(steps):
        value = loss(Xt @ W + b, Yt)
        gW, gb = torch.autograd.grad(value, (W, b))
        with torch.no_grad():
            W -= lr * gW
            b -= lr * gb
        out.append(value.item())
    return np.array(out), W.detach().numpy()


def _engine_losses(X, Y, loss, steps, lr, seed):
    """fit_linear's loss history: record each loss it computes."""
    seen = []

    def recording(z, y):
        value = loss(z, y)
        seen.append(float(value.data))
        return value

    W, _ = fit_linear(X, Y, recording, steps=steps, lr=lr, generator=seed)
    return np.array(seen), W


@pytest.mark.parametrize(("ours", "theirs", "labels"), [
    (L.cross_entropy, F.cross_entropy, True),
    (L.binary_cross_entropy_with_logits, F.binary_cross_entropy_with_logits, False),
    (lambda z, y: (-y * log(sigmoid(z))).mean(),                 # the page's -y ln a
     lambda z, y: (-y * torch.log(torch.sigmoid(z))).mean(), False),
])
def test_engine_follows_torch_for_20_steps(ours, theirs, labels):
    X, Y = multilabel_signs(80, generator=0)
    Y = Y[:, 0].astype(np.int64) if labels else Y[:, :1]
    got, W = _engine_losses(X, Y, ours, 20, 1.0, seed=0)
    want, W_ref = _torch_losses(X, Y, theirs, 20, 1.0, seed=0)
    np.testing.assert_allclose(got, want, rtol=0, atol=1e-8)
    np.testing.assert_allclose(W, W_ref, rtol=0, atol=1e-8)
    assert got[-1] < got[0]


def test_the_pages_conclusions_hold_on_the_engine():
    """The page's 300 steps: -y ln a calls every point positive; BCE separates; sigmoids
    get multi-label sets right where softmax cannot."""
    X, Y = multilabel_signs(80, generator=0)
    y = Y[:, :1]
    W, b = fit_linear(X, y, lambda z, y: (-y * log(sigmoid(z))).mean(), steps=300)
    a_plain = sigmoid(X @ W + b)[:, 0]
    W, b = fit_linear(X, y, L.binary_cross_entropy_with_logits, steps=300)
    a_bce = sigmoid(X @ W + b)[:, 0]
    acc = lambda a: np.mean((a > 0.5) == (y[:, 0] == 1))  # noqa: E731
    assert a_plain.min() > 0.5 and acc(a_plain) == y.mean()
    assert acc(a_bce) == 1.0
    W, b = fit_linear(X, Y, lambda z, Y: L.binary_cross_entropy(softmax(z), Y), steps=300)
    soft = np.all((softmax(X @ W + b) > 0.5) == Y, axis=1)
    W, b = fit_linear(X, Y, L.binary_cross_entropy_with_logits, steps=300)
    sig = np.all((sigmoid(X @ W + b) > 0.5) == Y, axis=1)
    assert sig.mean() == 1.0 and soft.mean() <= 0.5 + 1e-12


def test_fit_linear_trains_without_torch():
    out = run_without_torch("""
        import sys
        from mlnotes.experiments.losses import fit_linear, multilabel_signs
        from mlnotes.losses import binary_cross_entropy_with_logits
        X, Y = multilabel_signs(40, generator=0)
        W, b = fit_linear(X, Y, binary_cross_entropy_with_logits, steps=50)
        assert "torch" not in sys.modules
        print(W.shape, float(((X @ W + b > 0) == (Y == 1)).mean()))
    """)
    assert out.split()[-1] == "1.0", out
    with pytest.raises(ValueError, match="kind must be 'numpy' or 'torch'"):
        fit_linear(np.ones((2, 1)), np.array([0, 1]), L.cross_entropy, kind="jax")
