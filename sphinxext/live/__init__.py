"""Live cells: code cells a reader edits and runs in the browser (Pyodide, no server).

An author tags a code cell ``live`` (``:tags: [live]``). At build time it executes
like every other cell, so the page shows its output. This extension then embeds
the cell's source next to it, and the page's setup code (the cells tagged
``live-setup``: its imports and data, NumPy only) once per page; ``mlnotes-live.js``
turns each live cell into an editor with Run and Reset, and runs the setup and
the cell in a Web Worker on the first Run.

The Python runtime itself (Pyodide, its verified wheels, and wheels of mlnotes
and array-api-compat) is assembled by ``tools/pyodide_assets.py`` (``make
live-assets``) into ``<build>/live/site/pyodide`` and published once, with the
book, as ``_static/pyodide/``; the decks, under ``slides/``, use the book's copy.
"""

from __future__ import annotations

import json
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.errors import ConfigError
from sphinx.util import logging

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
LIVE, SETUP = "live", "live-setup"
DECK_BUILDERS = ("revealjs", "dirrevealjs")


def _json_script(payload, attribute: str, value: str) -> nodes.raw:
    """A ``<script type="application/json">`` holding ``payload``, safe inside HTML."""
    text = json.dumps(payload).replace("</", "<\\/")
    attrs = f' {attribute}="{value}"'
    html = f'<script type="application/json"{attrs}>{text}</script>'
    return nodes.raw("", html, format="html")


def _notebook_cells(app: Sphinx, docname: str) -> list | None:
    """The cells of a MyST text notebook, as myst-nb reads them (same indices)."""
    path = Path(app.env.doc2path(docname))
    if path.suffix != ".md":
        return None
    text = path.read_text(encoding="utf-8")
    if "file_format: mystnb" not in text:
        return None
    from myst_nb.core.read import read_myst_markdown_notebook

    return read_myst_markdown_notebook(text, path=str(path)).cells


def _tags(cell) -> list[str]:
    return list(cell.get("metadata", {}).get("tags", []))


def mark_live_cells(app: Sphinx, doctree: nodes.document) -> None:
    """Embed each live cell's source beside it, and the page's setup code once.

    The browser needs the exact source (the Reset button restores it, and a
    hidden setup cell has no visible code to read), so it is stored as JSON in
    the page rather than scraped from the highlighted HTML.
    """
    docname = app.env.docname
    cells = _notebook_cells(app, docname)
    if cells is None:
        return
    live = [i for i, c in enumerate(cells) if c.cell_type == "code" and LIVE in _tags(c)]
    setup = [c.source for c in cells if c.cell_type == "code" and SETUP in _tags(c)]
    if not live:
        if setup:
            logger.warning("cells tagged %r but no live cell", SETUP, location=docname)
        return
    found = set()
    for node in doctree.findall(nodes.container):
        if node.get("nb_element") != "cell_code" or node.get("cell_index") not in live:
            continue
        index = node["cell_index"]
        if not any(child.get("nb_element") == "cell_code_source" for child in node.children):
            logger.warning("live cell %d hides its code (remove-input): a reader cannot "
                           "edit it", index, location=node)
        node.append(_json_script({"code": cells[index].source}, "class", "mlnotes-live-source"))
        found.add(index)
    for index in sorted(set(live) - found):
        logger.warning("live cell %d was not rendered (removed by its tags?)", index,
                       location=docname)
    doctree.append(_json_script(setup, "id", "mlnotes-live-setup"))
    app.env.metadata[docname]["mlnotes_live_cells"] = len(found)


def add_live_assets(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """Load the editor and the live-cell script only on pages that have live cells."""
    if not app.env.metadata.get(pagename, {}).get("mlnotes_live_cells"):
        return
    deck = app.builder.name in DECK_BUILDERS
    # the runtime is published once, in the book's _static; a deck reaches it from
    # slides/_static/ (the URL is relative to the script)
    pyodide = "../../_static/pyodide/" if deck else "pyodide/"
    app.add_css_file("mlnotes-live.css")
    app.add_js_file("mlnotes-editor.js")
    app.add_js_file("mlnotes-live.js", **{"data-pyodide": pyodide})


def check_assets(app: Sphinx) -> None:
    """Refuse to build without the editor bundle and the Python runtime."""
    missing = [str(p) for p in (Path(app.config.mlnotes_live_assets) / "static" /
                                "mlnotes-editor.js",
                                Path(app.config.mlnotes_live_assets) / "site" / "pyodide" /
                                "mlnotes-live.json") if not p.is_file()]
    if missing:
        raise ConfigError(
            f"live cells need {', '.join(missing)}: run `make live-assets` "
            "(it bundles the editor and assembles the verified Python runtime)"
        )


def setup(app: Sphinx) -> dict:
    app.add_config_value("mlnotes_live_assets", "", "env", types=(str,))
    app.connect("builder-inited", check_assets)
    app.connect("doctree-read", mark_live_cells)
    app.connect("html-page-context", add_live_assets)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
