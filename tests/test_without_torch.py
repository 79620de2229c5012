"""Every module imports and its NumPy functions run where torch cannot be imported.

That is the browser (Pyodide has no torch), where live cells import mlnotes. Each
check runs in a fresh interpreter whose import system refuses torch, so it cannot
pass because some other test imported torch first.
"""

from __future__ import annotations

import functools
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src"

BLOCK_TORCH = """
import importlib.abc, sys
class _NoTorch(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "torch" or name.startswith("torch."):
            raise ImportError(f"No module named {name!r}")
sys.meta_path.insert(0, _NoTorch())
"""


def run_without_torch(code: str) -> str:
    script = BLOCK_TORCH + textwrap.dedent(code)
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            env={"PYTHONPATH": str(SRC), "MPLBACKEND": "Agg"}, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_every_module_imports_without_torch():
    out = run_without_torch("""
        import importlib, pkgutil, sys
        import mlnotes
        names = [m.name.removeprefix("mlnotes.")
                 for m in pkgutil.walk_packages(mlnotes.__path__, "mlnotes.")]
        for name in names:
            importlib.import_module("mlnotes." + name)
        assert "torch" not in sys.modules
        print(len(names), sorted(names))
    """)
    count, names = out.split(" ", 1)
    assert int(count) >= 14, out
    for name in ("experiments", "gating", "moe", "norm", "optim", "rnn", "sharing", "vae",
                 "plotting"):
        assert f"'{name}'" in names


def test_numpy_functions_run_without_torch():
    out = run_without_torch("""
        import numpy as np
        from mlnotes import activations, gating, losses, norm, optim, rnn, sharing, vae
        x = np.array([[1.0, 2.0, 3.0]])
        print(activations.softmax(x).sum().round(12))
        print(gating.soft_gate(np.ones(2), np.zeros(2), np.zeros(2)).tolist())
        print(norm.layer_norm(x, (3,)).mean().round(6))
        p, state = np.ones(2), {}
        optim.sgd_step(p, np.ones(2), state, lr=0.5)
        print(p.tolist())
        print(vae.reparameterize(np.zeros(2), np.zeros(2), np.ones(2)).tolist())
    """)
    assert out.split() == ["1.0", "[0.5,", "0.5]", "0.0", "[0.5,", "0.5]", "[1.0,", "1.0]"]


TORCH_ONLY = [
    ("gating.GatedNetwork(None, None, None)", "mlnotes.gating.GatedNetwork"),
    ("moe.MixtureOfExperts(2, 2)", "mlnotes.moe.MixtureOfExperts"),
    ("norm.BatchNorm(3)", "mlnotes.norm.BatchNorm"),
    ("rnn.LSTM(2, 3)", "mlnotes.rnn.lstm.LSTM"),
    ("vae.VAE(4)", "mlnotes.vae.VAE"),
    ("init.seeded_linear(2, 3)", "mlnotes.init.seeded_linear"),
    ("experiments.norm_mlp('batch')", "mlnotes.experiments.normalization.norm_mlp"),
    ("experiments.mlp()", "mlnotes.experiments.debugging.mlp"),
]


@functools.cache
def _torch_only_errors() -> dict[str, str]:
    """What each call of TORCH_ONLY raises without torch, from one fresh interpreter.

    One interpreter for all of them (each call is tried on its own and cannot affect
    the next: torch stays refused): an interpreter per call cost a second each.
    """
    out = run_without_torch(f"""
        import json
        from mlnotes import experiments, gating, init, moe, norm, optim, plotting, rnn, training
        from mlnotes import vae
        errors = {{}}
        for call in {[call for call, _ in TORCH_ONLY]!r}:
            try:
                eval(call)
                errors[call] = "no error"
            except ImportError as err:
                errors[call] = str(err)
        print(json.dumps(errors))
    """)
    return json.loads(out)


@pytest.mark.parametrize("call, name", TORCH_ONLY)
def test_torch_only_names_say_they_need_torch(call, name):
    out = _torch_only_errors()[call]
    assert out.startswith(f"{name} needs torch, which cannot be imported here"), out


MLP_SETUP = """
import numpy as np
rng = np.random.default_rng(0)
X = rng.standard_normal((64, 2))
y = (X[:, 0] * X[:, 1] > 0).astype(np.int64)        # XOR of the signs: needs the hidden layer
start = [rng.standard_normal((2, 16)) * 0.8, np.zeros(16),
         rng.standard_normal((16, 2)) * 0.5, np.zeros(2)]
lr, steps = 0.5, 40
"""


def test_engine_trains_an_mlp_without_torch():
    out = run_without_torch(MLP_SETUP + textwrap.dedent("""
        import sys
        from mlnotes import activations, losses
        from mlnotes.autograd import Tensor
        W1, b1, W2, b2 = params = [Tensor(p.copy(), requires_grad=True) for p in start]
        for step in range(steps):
            logits = activations.tanh(X @ W1 + b1) @ W2 + b2
            loss = losses.cross_entropy(logits, y)
            for p in params:
                p.grad = None
            loss.backward()
            for p in params:                                  # plain gradient descent
                p.data -= lr * p.grad
            print(repr(float(loss.data)))
        assert "torch" not in sys.modules
    """))
    history = [float(v) for v in out.split()]
    assert len(history) == 40 and history[-1] < 0.5 * history[0], history

    # the same network, the same start, trained by torch: the first steps agree
    import numpy as np
    import torch

    scope: dict = {}
    exec(MLP_SETUP, scope)
    W1, b1, W2, b2 = params = [torch.tensor(p, requires_grad=True) for p in scope["start"]]
    X, y = torch.tensor(scope["X"]), torch.tensor(scope["y"])
    reference = []
    for _ in range(10):
        loss = torch.nn.functional.cross_entropy(torch.tanh(X @ W1 + b1) @ W2 + b2, y)
        for p in params:
            p.grad = None
        loss.backward()
        with torch.no_grad():
            for p in params:
                p -= scope["lr"] * p.grad
        reference.append(loss.item())
    np.testing.assert_allclose(history[:10], reference, rtol=1e-12)


def test_a_numpy_model_trains_with_fit_and_adam_without_torch():
    """The browser's path: mlnotes.nn, fit and the optimizers, with torch refused."""
    out = run_without_torch("""
        import itertools
        import numpy as np
        from mlnotes import nn
        from mlnotes.losses import cross_entropy
        from mlnotes.optim import Adam
        from mlnotes.training import fit
        rng = np.random.default_rng(0)
        x = rng.normal(size=(64, 2))
        y = (x[:, 0] * x[:, 1] > 0).astype(np.int64)  # XOR of the signs: needs the hidden layer
        net = nn.Sequential(nn.Linear(2, 16, generator=1), nn.Tanh(),
                            nn.Linear(16, 2, generator=2))
        losses = fit(lambda b: cross_entropy(net(b[0]), b[1]), Adam(net.parameters(), lr=0.05),
                     itertools.repeat((x, y), 200), max_norm=5.0)
        accuracy = float(np.mean(np.argmax(net(x).data, axis=1) == y))
        print(losses[0], losses[-1], accuracy)
    """)
    first, last, accuracy = map(float, out.split())
    assert first > 0.6 and last < 0.2 * first
    assert accuracy > 0.9
