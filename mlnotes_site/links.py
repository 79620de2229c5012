"""Links between the book and the decks: sphinx.ext.intersphinx, on local inventories.

A page links to its deck with ``{external+slides:doc}`the deck: softmax <softmax>```;
a deck links to its page with ``{external+book:doc}`the page: softmax <softmax>``` and
to the API with ``{external+book:py:obj}`mlnotes.activations.softmax```. conf.py's
``intersphinx_mapping`` names each build's ``objects.inv`` as a local file (never a
URL) with a base URL relative to the other build, so the links are relative and work
from ``file://`` as over http. An unknown target is a warning: ``-W`` fails the build.

The order of the builds: the book comes after the decks (its claims ledger reads
what the decks show), so it reads the decks' own inventory. The decks need the
book's inventory before the book exists: the ``inventory`` builder below writes it
from a pass over the book that runs no cell and writes no page (``make inventory``,
into ``<build>/inventory/book``; it keeps its own saved environment, so a rebuild reads
only the changed pages). Titles, labels and API entries do not depend on cell outputs:
the Makefile turns execution off for that pass (``-D nb_execution_mode=off``, checked by
:func:`check_no_cell_runs`), and its notebooks go to ``<build>/inventory/jupyter_execute``
(myst-nb writes a build's notebooks beside its output folder), not to the book's, whose
executed notebooks the book publishes.

Sphinx re-reads a page when its source changes, not when the other build's inventory
does; :func:`reread_on_inventory_change` reads again the pages that link into an
inventory that changed, so that a link whose target went away fails the next build.

Autosummary's API pages keep the names they always had: ``api/<module>.html``.
"""

from __future__ import annotations

import hashlib
import pkgutil
from pathlib import Path
from urllib.parse import quote

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.builders import Builder
from sphinx.builders.html import INVENTORY_FILENAME
from sphinx.config import Config
from sphinx.errors import ConfigError
from sphinx.util.inventory import InventoryFile


class InventoryBuilder(Builder):
    """Read the sources, write nothing but ``objects.inv``, as the html builder would.

    Writing no page (and so resolving no reference) makes it quick, and lets it run
    before the other build exists. Its target URIs are the html builder's
    (``<docname>.html``), so the decks' links point at the book's pages and anchors.
    """

    name = "inventory"
    format = ""  # Sphinx's word for "writes no document"
    epilog = "The inventory is %(outdir)s/" + INVENTORY_FILENAME
    allow_parallel = True

    def get_outdated_docs(self) -> str:
        """Every build writes the inventory; the pages read are the changed ones."""
        return "the inventory"

    def get_target_uri(self, docname: str, typ: str | None = None) -> str:
        """A page's URL as the html builder writes it."""
        return quote(docname) + ".html"

    def prepare_writing(self, docnames) -> None:
        """Nothing to prepare: no page is written."""

    def write_documents(self, docnames) -> None:
        """Write no page: only the inventory is wanted."""

    def write_doc(self, docname: str, doctree: nodes.document) -> None:
        """Never called (``write_documents`` writes nothing); required by Builder."""

    def finish(self) -> None:
        """Write ``objects.inv`` from the environment: pages, labels, API entries."""
        InventoryFile.dump(Path(self.outdir) / INVENTORY_FILENAME, self.env, self)


def check_no_cell_runs(app: Sphinx) -> None:
    """Stop the inventory pass before it runs a cell: it wants titles and labels only."""
    if app.builder.name == InventoryBuilder.name and app.config.nb_execution_mode != "off":
        raise ConfigError("the inventory pass runs no cell: pass -D nb_execution_mode=off "
                          "(as `make inventory` does)")


def record_links_into_inventories(app: Sphinx, doctree: nodes.document) -> None:
    """Note which inventories this document links into, for :func:`reread_on_inventory_change`."""
    names = {node["inventory"] for node in doctree.findall(addnodes.pending_xref)
             if node.get("intersphinx") and node.get("inventory")}
    if names:
        app.env.metadata[app.env.docname]["mlnotes_links_into"] = sorted(names)


def _inventory_digests(app: Sphinx) -> dict[str, str]:
    """The hash of each inventory intersphinx reads (the first of its files that exists)."""
    digests = {}
    for name, (_uri, locations) in app.config.intersphinx_mapping.values():
        for location in locations:
            path = Path(app.srcdir, location) if location else None
            if path is not None and path.is_file():
                digests[name] = hashlib.sha256(path.read_bytes()).hexdigest()
                break
    return digests


def reread_on_inventory_change(app: Sphinx, env, added, changed, removed) -> list[str]:
    """Read again the documents that link into an inventory that changed since the last build.

    Links into another build are resolved when a page is written, and an unchanged
    page is not written again: without this, a deck could keep a link to a page
    that the book no longer has, and the build would not say so.
    """
    now = _inventory_digests(app)
    before = getattr(env, "mlnotes_inventory_digests", {})
    env.mlnotes_inventory_digests = now
    moved = {name for name in now.keys() | before.keys() if now.get(name) != before.get(name)}
    return sorted(doc for doc, meta in env.metadata.items()
                  if doc not in removed and moved & set(meta.get("mlnotes_links_into", ())))


def name_api_pages_after_modules(app: Sphinx, config: Config) -> None:
    """Autosummary's page for ``mlnotes.<module>`` is ``api/<module>``, as it always was.

    Autosummary names a generated page after the object's full name; pages, decks
    and readers' bookmarks link to ``api/activations.html#mlnotes.activations.softmax``.
    Every top-level module of the package (``mlnotes_package``) keeps its short name;
    which modules have a page is docs/api.md's list.
    """
    package = Path(config.mlnotes_package)
    short = {f"{package.name}.{module.name}": module.name
             for module in pkgutil.iter_modules([str(package)])}
    config.autosummary_filename_map = {**short, **config.autosummary_filename_map}


def setup(app: Sphinx) -> dict:
    app.setup_extension("sphinx.ext.intersphinx")
    app.setup_extension("sphinx.ext.autosummary")
    app.setup_extension("mlnotes_site.build")  # mlnotes_package
    app.add_builder(InventoryBuilder)
    app.connect("config-inited", name_api_pages_after_modules)
    app.connect("builder-inited", check_no_cell_runs)
    app.connect("doctree-read", record_links_into_inventories)
    app.connect("env-get-outdated", reread_on_inventory_change)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
