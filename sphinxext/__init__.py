"""The site's own Sphinx extensions (live cells)."""
