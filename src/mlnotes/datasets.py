r"""Small toy data sets, generated from a seed: nothing is ever downloaded.

Each generator takes an explicit ``seed`` (or a ``numpy.random.Generator``) and
returns NumPy arrays; pages convert them to tensors where they train a model.

Explained in the book: each page that uses a data set says how it is made.
"""

from __future__ import annotations

import numpy as np

__all__ = ["rng_from"]


def rng_from(seed: int | np.random.Generator) -> np.random.Generator:
    r"""A NumPy generator from a seed, or the generator itself.

    Example:
        >>> rng_from(0).integers(10)
        np.int64(8)
    """
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        kind = type(seed).__name__
        raise TypeError(f"seed must be an int or a numpy.random.Generator, got {kind}")
    return np.random.default_rng(seed)


# ======================================================= data sets of other pages
# (each page family adds its generators below, in a section of its own)
