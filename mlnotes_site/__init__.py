"""The site's own Sphinx extension: how the book and the decks are built, linked and read.

build.py (kernel, execution cache, preview, notebook downloads), outputs.py (exact printed
text, kernels over IPC), links.py (the book's inventory pass, links between the builds, API
page names), deck.py (the chalkboard and the deck builder), live/ (live cells and
exercises), figures.py (alt text), claims.py (the claims ledger).

Named after the project: ``sphinxext`` is the namespace package that PyPI's Sphinx
extensions (sphinxext-opengraph, sphinxext-rediraffe) install into, and a folder of that
name would hide them.
"""

# sphinx-revealjs's builders: the decks. Every hook that treats a deck differently asks this.
DECK_BUILDERS = ("revealjs", "dirrevealjs")
