"""The site's own Sphinx extension: how the book and the decks are built and read.

build.py (kernel, execution cache, preview, failed builds, notebook downloads), deck.py
(the chalkboard and the deck builder), live/ (live cells and exercises), figures.py (alt
text), claims.py (the claims ledger).
"""
