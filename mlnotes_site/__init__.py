"""The site's own Sphinx extension: how the book and the decks are built, linked and read.

build.py (kernel, execution cache, preview, failed builds, notebook downloads), links.py
(the book's inventory pass, links between the builds, API page names), deck.py (the
chalkboard and the deck builder), live/ (live cells and exercises), figures.py (alt
text), claims.py (the claims ledger).
"""
