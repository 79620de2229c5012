"""Fixtures of the unit tests: every backend the package runs on (see helpers.py)."""

from __future__ import annotations

import pytest
from helpers import BACKENDS, TORCH_DEVICES


@pytest.fixture(params=BACKENDS)
def backend(request):
    """'numpy', 'cpu' or 'cuda' (skipped, with the reason, where there is no GPU)."""
    return request.param


@pytest.fixture(params=TORCH_DEVICES)
def device(request):
    """A torch device: 'cpu', and 'cuda' where present."""
    return request.param
