"""Helpers shared by the unit tests: the backends, array makers, the float64 reference.

(Kept out of conftest.py so that test modules can import them by a name of their
own: tests/site has a conftest.py too, and two modules named conftest collide.)
"""

from __future__ import annotations

import numpy as np
import pytest
import strategies  # noqa: F401  (loads the hypothesis profile: deadline=None)
import torch

from mlnotes.backend import to_numpy

# The backends a test runs on: NumPy, torch on the CPU, torch on CUDA. A missing
# GPU shows up in the report as a skip with its reason, never silently.
BACKENDS = [
    pytest.param("numpy", id="numpy"),
    pytest.param("cpu", id="torch-cpu"),
    pytest.param(
        "cuda",
        id="torch-cuda",
        marks=pytest.mark.skipif(
            not torch.cuda.is_available(), reason="CUDA is not available on this machine"
        ),
    ),
]

TORCH_DEVICES = [p for p in BACKENDS if p.values[0] != "numpy"]


def make(values, backend: str, dtype=np.float64, requires_grad: bool = False):
    """``values`` as an array of ``backend`` ('numpy', or a torch device)."""
    a = np.asarray(values, dtype=dtype)
    if backend == "numpy":
        return a
    t = torch.tensor(a, device=backend)
    return t.requires_grad_(requires_grad) if requires_grad else t


def reference(values, requires_grad: bool = False) -> torch.Tensor:
    """The float64 CPU torch tensor used as the independent reference."""
    t = torch.tensor(to_numpy(values), dtype=torch.float64)
    return t.requires_grad_(requires_grad) if requires_grad else t


def assert_close(actual, expected, rtol: float = 1e-12, atol: float = 1e-12) -> None:
    """Compare any mix of NumPy arrays and tensors after moving both to NumPy."""
    np.testing.assert_allclose(to_numpy(actual), to_numpy(expected), rtol=rtol, atol=atol)


def assert_seeded(f, **kw) -> None:
    """A toy data set ``f(**kw, generator=...)`` draws from its generator and nothing else.

    The same int seed gives the same data, another seed other data, an int seeds
    ``default_rng`` and a ``numpy.random.Generator`` moves on between calls; a missing
    or wrong ``generator`` is refused by name (no hidden global randomness).
    """
    a, b = f(**kw, generator=3), f(**kw, generator=3)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_array_equal(x, y)
    c = f(**kw, generator=4)
    assert any(not np.array_equal(x, y) for x, y in zip(a, c, strict=True))
    rng = np.random.default_rng(3)
    first = f(**kw, generator=rng)
    for x, y in zip(first, a, strict=True):  # an int seeds default_rng
        np.testing.assert_array_equal(x, y)
    second = f(**kw, generator=rng)
    assert any(not np.array_equal(x, y) for x, y in zip(first, second, strict=True))
    with pytest.raises(ValueError, match="generator must be an int seed or a generator"):
        f(**kw, generator=None)
    with pytest.raises(TypeError, match="numpy.random.Generator for NumPy data, got float"):
        f(**kw, generator=1.5)
