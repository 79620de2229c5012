r"""mlnotes: deep learning from first principles, every concept implemented once.

Each module is one concept family, written against the array API standard so
that the same code runs on NumPy arrays and torch tensors (see
:mod:`mlnotes.backend`). The book's pages and the lecture decks import these
functions; they never paste code.

Importing the package imports none of its modules: ``from mlnotes import losses``
loads what it names, so a reader in the browser (no torch) or a page that needs
one family pays only for that family, and ``mlnotes.plotting`` (matplotlib) is
never loaded behind anyone's back.
"""

__version__ = "0.1.0"
