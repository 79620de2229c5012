"""Hypothesis strategies shared by the test modules (in the style of minitorch's)."""

from __future__ import annotations

import numpy as np
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import array_shapes, arrays

# torch's first call on a thread can be slow: no deadline (see the developers' guide).
settings.register_profile("mlnotes", deadline=None, max_examples=60, derandomize=True)
settings.load_profile("mlnotes")

#: moderate finite floats, where float64 arithmetic is exact enough to compare
small_floats = st.floats(min_value=-50, max_value=50, allow_nan=False, allow_subnormal=False)

#: any finite float64, extremes included
finite_floats = st.floats(
    min_value=-1e4, max_value=1e4, allow_nan=False, allow_infinity=False, allow_subnormal=False
)


def vectors(elements=small_floats, min_size: int = 1, max_size: int = 8):
    """1-D float64 arrays."""
    return arrays(np.float64, st.integers(min_size, max_size), elements=elements)


def matrices(elements=small_floats, max_side: int = 6):
    """2-D float64 arrays, at least 1 x 1."""
    return arrays(np.float64, array_shapes(min_dims=2, max_dims=2, max_side=max_side),
                  elements=elements)


def tensors(elements=small_floats, max_dims: int = 3, max_side: int = 5):
    """float64 arrays of 1 to ``max_dims`` dimensions."""
    return arrays(np.float64, array_shapes(min_dims=1, max_dims=max_dims, max_side=max_side),
                  elements=elements)


def broadcastable(num: int = 2, elements=small_floats, max_dims: int = 3, max_side: int = 4):
    """``num`` float64 arrays whose shapes broadcast together (some axes of length 1 or absent)."""
    from hypothesis.extra.numpy import mutually_broadcastable_shapes

    shapes = mutually_broadcastable_shapes(num_shapes=num, max_dims=max_dims, max_side=max_side)
    return shapes.flatmap(lambda s: st.tuples(*(arrays(np.float64, shape, elements=elements)
                                                for shape in s.input_shapes)))
