r"""mlnotes: deep learning from first principles, every concept implemented once.

Each module is one concept family, written against the array API standard so
that the same code runs on NumPy arrays and torch tensors (see
:mod:`mlnotes.backend`). The book's pages and the lecture decks import these
functions; they never paste code.
"""

from . import activations, backend, datasets

# mlnotes.plotting needs matplotlib and is imported on its own:
# ``from mlnotes import plotting``.
__all__ = ["activations", "backend", "datasets"]
__version__ = "0.1.0"
