"""One Sphinx configuration for the book and the lecture decks: settings only.

The Makefile runs three builds, in this order, and gives the notebook kernels their
environment (threads, matplotlib backend, kernelspec, PYTHONPATH):

    sphinx-build -b inventory -c . docs   <build>/inventory/book  the book's objects.inv, no cell
    sphinx-build -b revealjs  -c . slides <build>/decks/slides    the decks (copied to html/slides)
    sphinx-build -b html      -c . docs   <build>/html            the book

What acts on these settings is the site's own extension, mlnotes_site/ (each hook says why
it exists; named after the project, since ``sphinxext`` is the namespace package that PyPI's
Sphinx extensions install into). Nothing comes from a network: MathJax from
``node_modules`` (``npm ci``), reveal.js from sphinx-revealjs, fonts from the themes, links
from local inventories.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))  # the site's own extension: mlnotes_site/
# where the builds and caches go, and the fetched assets: `make BUILD=... ASSETS=...`
BUILD = Path(os.environ.get("MLNOTES_BUILD", ROOT / "_build")).resolve()
ASSETS = Path(os.environ.get("MLNOTES_ASSETS", BUILD)).resolve()

project = "mlnotes"
author = "the mlnotes authors"
copyright = "2026, the mlnotes authors"
release = "0.1.0"

extensions = [
    "myst_nb", "sphinx.ext.autodoc", "sphinx.ext.autosummary", "sphinx.ext.intersphinx",
    "sphinx.ext.napoleon", "sphinx.ext.mathjax", "sphinx.ext.viewcode",
    "sphinx_copybutton", "sphinx_revealjs",
    "mlnotes_site.build",  # kernel, execution cache, preview, downloads
    "mlnotes_site.outputs",  # the same page every time: exact printed text, kernels over IPC
    "mlnotes_site.links",  # the book's inventory pass, links between builds, API page names
    "mlnotes_site.live", "mlnotes_site.deck", "mlnotes_site.figures", "mlnotes_site.claims",
]
exclude_patterns = ["_build", "jupyter_execute", "**.ipynb_checkpoints", "README.md"]
nitpicky = False
suppress_warnings = ["mystnb.unknown_mime_type"]
# `make preview PAGE=a,b`: only those pages and decks, with the indexes and the API
mlnotes_only = [name for name in os.environ.get("MLNOTES_ONLY", "").split(",") if name]

# Every cell runs at build time (a failing cell fails the build), cached by
# jupyter-cache in <mlnotes_execution_cache>/<fingerprint of mlnotes_package>.
mlnotes_package = str(ROOT / "src" / "mlnotes")
mlnotes_execution_cache = str(BUILD / ".jupyter_cache")
nb_execution_mode = "cache"
nb_execution_timeout = 240  # seconds per cell
nb_execution_raise_on_error = True
nb_execution_show_tb = True
# printed chunks are joined exactly by mlnotes_site/outputs.py: myst-nb's own merging turns
# a print that a busy kernel split in two into two lines
nb_merge_streams = False
nb_kernel_rgx_aliases = {".*": "python3"}
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist", "substitution"]
myst_heading_anchors = 3

# Links between the builds read the other build's inventory from a local file: the decks
# the book's inventory pass, the book the decks' build. Until a build has run, the empty
# inventory stands in for it (a link into it is then a missing target).
_EMPTY_INVENTORY = str(ROOT / "mlnotes_site" / "empty-objects.inv")
intersphinx_mapping = {
    "book": ("../", (str(BUILD / "inventory" / "book" / "objects.inv"), _EMPTY_INVENTORY)),
    "slides": ("slides/", (str(BUILD / "decks" / "slides" / "objects.inv"), _EMPTY_INVENTORY)),
}
intersphinx_disabled_reftypes = ["*"]  # only the explicit {external+...} roles

# The API pages: docs/api.md lists the modules, autosummary writes their pages into
# docs/api/ (not committed) from mlnotes_site/templates/autosummary/module.rst.
autosummary_generate = True
# module data documented without its value: a whole text would fill the page
autosummary_context = {"no_value": {"mlnotes.charlm": ["TEXT"]}}
autodoc_member_order = "bysource"
autodoc_typehints = "description"
napoleon_google_docstring = True
napoleon_numpy_docstring = False

# Math, served from _static/mathjax in both builds (mlnotes_site/build.py checks it is
# there), each from its own folder that `make math-assets` fills: the book's holds
# MathJax's CommonHTML bundle, the TeX extensions it loads on demand and its fonts
# (<assets>/vendor/math/book/mathjax); the decks' holds the all-in-one SVG bundle
# (<assets>/vendor/math/deck/mathjax; the Makefile builds the decks with
# -D mathjax_path=mathjax/tex-svg-full.js). MathJax finds the extensions and fonts beside
# its own script, from a server and from file:// alike.
_MATH_BOOK = str(ASSETS / "vendor" / "math" / "book")
_MATH_DECK = str(ASSETS / "vendor" / "math" / "deck")
mathjax_path = "mathjax/tex-chtml.js"
# (the "svg" options are the decks'; the book's CommonHTML output ignores them)
mathjax3_config = {"svg": {"fontCache": "global"}, "options": {"enableMenu": False},
                   "tex": {"macros": {"R": "\\mathbb{R}"}}}

# The ledger's register; docs/claims.md assembles the ledger (mlnotes_site/claims.py).
mlnotes_claims_file = str(ROOT / "docs" / "claims.yml")

# Live cells (mlnotes_site/live): `make live-assets` puts the editor bundle in
# <assets>/live/static and the browser's Python in <assets>/live/site/pyodide, published
# once, as the book's _static/pyodide.
mlnotes_live_assets = str(ASSETS / "live")
_LIVE_STATIC = ["mlnotes_site/live/static", str(ASSETS / "live" / "static")]

# ---------------------------------------------------------------------------- the book

html_theme = "sphinx_book_theme"
html_title = "mlnotes"
# The site's icon (a sigmoid), named by every page and deck: without one a browser asks
# for /favicon.ico, which a static host answers with a 404 in the console.
html_favicon = "docs/_static/favicon.svg"
html_static_path = ["docs/_static", _MATH_BOOK, *_LIVE_STATIC, str(ASSETS / "live" / "site")]
html_css_files = ["mlnotes.css"]
html_js_files = ["mlnotes.js"]
# the search button with a name that includes its visible text (WCAG 2.5.3), and the
# API pages' template (absolute: autosummary reads it from docs/, the theme from here)
templates_path = [str(ROOT / "mlnotes_site" / "templates")]
html_theme_options = {"use_download_button": True, "use_fullscreen_button": False,
                      "show_toc_level": 2, "navigation_with_keys": False}
html_context = {"default_mode": "auto"}
html_last_updated_fmt = None
html_show_sourcelink = True
html_copy_source = True
copybutton_prompt_text = r">>> |\.\.\. "
copybutton_prompt_is_regexp = True

# --------------------------------------------------------------------------- the decks

revealjs_html_theme = "revealjs-basic"
revealjs_style_theme = "white"
# `make deck-assets` fetches reveal.js-plugins' chalkboard into <assets>/vendor/deck;
# it is published as the decks' _static/chalkboard (mlnotes_site/deck.py).
mlnotes_deck_assets = str(ASSETS / "vendor" / "deck")
revealjs_static_path = ["slides/_static", _MATH_DECK, *_LIVE_STATIC, mlnotes_deck_assets]
# mlnotes-live.css on every deck: added per page (as the book does), a deck got it only
# when the deck written before it had live cells (architectures and losses had none)
revealjs_css_files = ["pygments.css", "chalkboard/style.css", "mlnotes-live.css",
                      "mlnotes-deck.css", "mlnotes-ink.css"]
revealjs_js_files = ["mlnotes-deck.js", "mlnotes-ink.js"]
revealjs_script_conf = {
    "hash": True, "slideNumber": "c/t", "controls": True, "progress": True,
    "center": False, "width": 1280, "height": 800, "margin": 0.04, "transition": "none",
    "pdfMaxPagesPerSlide": 1, "pdfSeparateFragments": False,
    # ArrowRight, the on-screen next control, PageDown and Space all step through every
    # slide, vertical sub-slides included, in order: a lecturer pressing the one key they
    # know sees the whole deck (the default skipped each stack's sub-slides on ArrowRight)
    "navigationMode": "linear",
    # sphinx-revealjs adds this key itself; stating it keeps the config unchanged
    # between builds (a changed config would make every deck be read again)
    "scrollActivationWidth": None,
}
revealjs_script_plugins = [
    {"name": "RevealNotes", "src": "revealjs/plugin/notes/notes.js"},
    {"name": "RevealSearch", "src": "revealjs/plugin/search/search.js"},
    {"name": "RevealChalkboard", "src": "chalkboard/plugin.js"},
]
# The lecturer's board: C draws on the slide, B opens a blank whiteboard, X/Y change
# the pen, right-drag erases, Del clears (all listed in the deck's help, "?").
# Drawings stay with their slide, kept per deck in the tab's session storage;
# slides/_static/mlnotes-ink.js adds U/R (undo, redo), D (save the ink to a file, in
# place of the plugin's own download) and I (load it back), and prints the ink.
mlnotes_chalkboard = {"theme": "whiteboard", "boardmarkerWidth": 4}
revealjs_use_section_ids = True
