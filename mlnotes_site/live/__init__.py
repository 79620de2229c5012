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

**Long cells, for authors.** What a live cell prints appears while it runs (whole
lines, at most ten messages a second), and its Run button becomes Stop: Stop (or
Esc in the editor, then Enter) ends the worker and starts a fresh Python, whose
namespace the page's setup rebuilds on the next Run; the lines printed so far stay,
marked as stopped. A cell that trains can also show its figure growing: update the
figure's artists, then call

    ``mlnotes.plotting.redraw(fig, key=None) -> bool``

every few steps (a frame is a PNG rendered in the browser: a tenth of a second or
more, so not every step), and end the cell with ``fig`` as usual::

    from mlnotes.plotting import new_figure, redraw
    fig, ax = new_figure()
    line, = ax.plot([], [])
    for step in range(steps):
        ...                                   # one training step
        if step % 20 == 0:
            line.set_data(range(len(losses)), losses)
            ax.relim(); ax.autoscale_view()
            redraw(fig)                       # the page replaces the previous frame
    fig                                       # the build shows this, once

In the browser each call replaces the figure's previous frame in the cell's output
(``key`` names the frame when a cell redraws two figures); in the build's Jupyter
kernel, a script or the tests it does nothing and returns False, so the page's
static output is the final figure only and stays deterministic. The cell's output
in the browser ends as the build's (the frames give way to the final outputs).

**The reader's work.** Each edit of a live cell or an exercise is saved in the
browser's local storage (key ``mlnotes-solved:edits``: page path from the site's
root, then a hash of the cell's original code), put back on the next visit with the
note "your edit, saved in this browser"; Reset returns to the page's code and
forgets the edit. A book page with live cells offers Export (a JSON file of the
solved exercises and edited cells of all pages) and Import. A Check that runs for
more than 10 seconds is stopped the same way as Stop, with its reason; what the
reader's functions print while checked (``check_cell``'s ``grade["prints"]``) is
shown above the verdict. Nothing leaves the browser.
"""

from __future__ import annotations

import json
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import directives
from sphinx.application import Sphinx
from sphinx.errors import ConfigError
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from mlnotes_site import DECK_BUILDERS

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
LIVE, SETUP = "live", "live-setup"
EXERCISE, SOLUTION = "exercise", "exercise-solution"
# where a browser remembers the solved exercises (local storage): given to both scripts
SOLVED_KEY = "mlnotes-solved"
# the live cells' service worker, published at the book's root (write_service_worker)
SERVICE_WORKER = "mlnotes-sw.js"


def _json_script(payload, attribute: str, value: str) -> nodes.raw:
    """A ``<script type="application/json">`` holding ``payload``, safe inside HTML."""
    text = json.dumps(payload).replace("</", "<\\/")
    attrs = f' {attribute}="{value}"'
    html = f'<script type="application/json"{attrs}>{text}</script>'
    return nodes.raw("", html, format="html")


def _code_cells(doctree: nodes.document) -> list[nodes.container]:
    """The code cells myst-nb rendered, in order, with ``cell_index`` and ``cell_metadata``."""
    return [node for node in doctree.findall(nodes.container)
            if node.get("nb_element") == "cell_code"]


def _tags(cell: nodes.container) -> list[str]:
    return list(cell.get("cell_metadata", {}).get("tags", []))


def _source(cell: nodes.container) -> str | None:
    """A cell's code as the page shows it; None when the page hides it (remove-input)."""
    for child in cell.children:
        if child.get("nb_element") == "cell_code_source":
            block = next(child.findall(nodes.literal_block), None)
            return block.astext() if block is not None else None
    return None


def _setup_code(app: Sphinx, docname: str) -> list[str]:
    """The sources of the page's ``live-setup`` cells, in order.

    A deck removes its setup cells from the slides (``remove-cell``), so myst-nb renders
    no container for them; they are read from the notebook myst-nb wrote for this
    document (every cell, as executed) in its output folder.
    """
    import nbformat

    path = Path(app.env.mystnb_config.output_folder) / f"{docname}.ipynb"
    if not path.is_file():
        return []
    notebook = nbformat.read(path, as_version=4)
    return [cell.source for cell in notebook.cells
            if cell.cell_type == "code" and SETUP in cell.get("metadata", {}).get("tags", [])]


def _raw(html: str) -> nodes.raw:
    return nodes.raw("", html, format="html")


def _known_exercises() -> set[str]:
    from mlnotes import exercises

    return set(exercises.registry())


def mark_exercises(app: Sphinx, docname: str, cells: list[nodes.container]) -> None:
    """Group each checked exercise's starter and worked solution into one element.

    The starter (tags ``live`` and ``exercise``) and the solution (tag
    ``exercise-solution``) name the same ``:exercise:`` id. Between an opening
    ``<div data-exercise="id">`` and its closing tag come the starter (the live cell
    that gets a Check button) and the solution folded in a ``<details>``. Whatever
    would leave an exercise unchecked is a warning, so ``-W`` fails the build: a
    missing solution, a solution that does not end by running its checks, an id
    that no module of :mod:`mlnotes.exercises` defines.
    """
    starters, solutions = {}, {}
    for cell in cells:
        tags = _tags(cell)
        if EXERCISE not in tags and SOLUTION not in tags:
            continue
        ex_id = cell["cell_metadata"].get("exercise")
        if not ex_id:
            logger.warning("cell %d is tagged as an exercise but names none "
                           "(add `:exercise: <page>.<name>`)", cell["cell_index"],
                           location=cell)
            continue
        if EXERCISE in tags:
            if LIVE not in tags:
                logger.warning("exercise %s: its starter cell must be tagged live too",
                               ex_id, location=cell)
            starters[ex_id] = cell
        else:
            if f'check("{ex_id}"' not in (_source(cell) or ""):
                logger.warning('exercise %s: the worked solution must end with '
                               'check("%s", globals()), so the build grades it',
                               ex_id, ex_id, location=cell)
            solutions[ex_id] = cell
    if not starters and not solutions:
        return
    known = _known_exercises()
    for ex_id in sorted(set(starters) ^ set(solutions)):
        logger.warning("exercise %s has a %s but no %s", ex_id,
                       *(("starter", "worked solution") if ex_id in starters
                         else ("worked solution", "starter")), location=docname)
    for ex_id in sorted(set(starters) - known):
        logger.warning("exercise %s has no checks in mlnotes.exercises", ex_id,
                       location=docname)
    ids = []
    for ex_id, start in starters.items():
        end = solutions.get(ex_id)
        if end is None:
            continue
        if start.parent is not end.parent or end["cell_index"] < start["cell_index"]:
            logger.warning("exercise %s: put the worked solution right after its starter, "
                           "in the same section", ex_id, location=docname)
            continue
        parent = start.parent
        parent.insert(parent.index(start), _raw(
            f'<div class="mlnotes-exercise" data-exercise="{ex_id}">'))
        parent.insert(parent.index(end), _raw(
            '<details class="mlnotes-solution"><summary>Worked solution '
            "(it runs the same checks)</summary>"))
        parent.insert(parent.index(end) + 1, _raw("</details></div>"))
        ids.append(ex_id)
    app.env.metadata[docname]["mlnotes_exercises"] = ids


def mark_live_cells(app: Sphinx, doctree: nodes.document) -> None:
    """Embed each live cell's source beside it, and the page's setup code once.

    The browser needs the exact source (the Reset button restores it, and a
    hidden setup cell has no visible code to read), so it is stored as JSON in
    the page rather than scraped from the highlighted HTML. The cells are the
    containers myst-nb rendered, with their metadata (``cell_metadata``).
    """
    docname = app.env.docname
    cells = _code_cells(doctree)
    live = [cell for cell in cells if LIVE in _tags(cell)]
    if not live:
        if any(SETUP in _tags(cell) for cell in cells):
            logger.warning("cells tagged %r but no live cell", SETUP, location=docname)
        mark_exercises(app, docname, cells)
        return
    shown = 0
    for cell in live:
        source = _source(cell)
        if source is None:
            logger.warning("live cell %d hides its code (remove-input): a reader cannot "
                           "edit it", cell["cell_index"], location=cell)
            continue
        cell.append(_json_script({"code": source}, "class", "mlnotes-live-source"))
        shown += 1
    # inside the first live cell, not at the end of the page: on a deck, anything
    # after the last slide would be taken by reveal.js for one more slide
    live[0].append(_json_script(_setup_code(app, docname), "id", "mlnotes-live-setup"))
    app.env.metadata[docname]["mlnotes_live_cells"] = shown
    mark_exercises(app, docname, cells)


def add_live_assets(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """Load the editor and the live-cell script only on pages that have live cells.

    The book's front page gets the list of each page's exercises instead, and a
    small script that shows, beside each page in the contents, how many of them
    this browser has solved.
    """
    if pagename == app.config.root_doc and app.builder.name not in DECK_BUILDERS:
        pages = {doc: meta["mlnotes_exercises"] for doc, meta in app.env.metadata.items()
                 if meta.get("mlnotes_exercises")}
        if pages:
            app.add_css_file("mlnotes-live.css")
            app.add_js_file(None, type="application/json", id="mlnotes-exercise-pages",
                            body=json.dumps(pages))
            app.add_js_file("mlnotes-progress.js", **{"data-store": SOLVED_KEY})
    if not app.env.metadata.get(pagename, {}).get("mlnotes_live_cells"):
        return
    deck = app.builder.name in DECK_BUILDERS
    # the runtime is published once, in the book's _static; a deck reaches it from
    # slides/_static/ (the URL is relative to the script)
    pyodide = "../../_static/pyodide/" if deck else "pyodide/"
    if not deck:  # the decks list it in conf.py's revealjs_css_files
        app.add_css_file("mlnotes-live.css")
    app.add_js_file("mlnotes-editor.js")
    # what the first Run downloads, said on the Run button before it is pressed
    manifest = Path(app.config.mlnotes_live_assets) / "site" / "pyodide" / "mlnotes-live.json"
    size = json.loads(manifest.read_text(encoding="utf-8")).get("bytes", 0)
    # the service worker at the book's root, relative to this script (_static/ or
    # slides/_static/); a deck built on its own (a preview) has none beside it
    sw = "../../" + SERVICE_WORKER if deck else "../" + SERVICE_WORKER
    app.add_js_file("mlnotes-live.js", **{"data-pyodide": pyodide, "data-bytes": str(size),
                                          "data-sw": sw,
                                          "data-store": SOLVED_KEY})


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


class solution_node(nodes.General, nodes.Element):
    """A worked solution, folded: ``<details>`` closed until the reader opens it."""


def visit_solution(self, node: solution_node) -> None:
    self.body.append('<details class="mlnotes-solution">'
                     f'<summary>{self.encode(node["title"])}</summary>')


def depart_solution(self, node: solution_node) -> None:
    self.body.append("</details>")


class SolutionDirective(SphinxDirective):
    """``:::{solution}`` ... ``:::``: a worked solution to a derivation, folded.

    The content is ordinary MyST (text, math, code); the optional argument
    replaces the summary line "Worked solution".
    """

    has_content = True
    optional_arguments = 1
    final_argument_whitespace = True
    option_spec = {"class": directives.class_option}

    def run(self) -> list[nodes.Node]:
        node = solution_node(title=self.arguments[0] if self.arguments else "Worked solution")
        self.set_source_info(node)
        node.extend(self.parse_content_to_nodes())
        return [node]


def write_service_worker(app: Sphinx, exception: Exception | None) -> None:
    """Publish the live cells' service worker at the book's root, versioned by this build.

    Its scope is the folder it is served from, so at the root it keeps the runtime for
    the book's pages and the decks (``slides/``) alike. The version is a hash of what
    it caches that a build can change (our lock, which names every runtime file by its
    SHA-256, the worker and the cell runner), so a new build replaces the cache and an
    unchanged one keeps it.
    """
    if exception is not None or app.builder.name != "html":
        return
    import hashlib

    parts = [Path(app.config.mlnotes_live_assets) / "site" / "pyodide" / "mlnotes-lock.json",
             STATIC / "mlnotes-live-worker.js", STATIC / "mlnotes_live.py",
             HERE / "sw" / SERVICE_WORKER]
    digest = hashlib.sha256(b"".join(p.read_bytes() for p in parts)).hexdigest()[:16]
    source = (HERE / "sw" / SERVICE_WORKER).read_text(encoding="utf-8")
    (Path(app.outdir) / SERVICE_WORKER).write_text(
        source.replace("__MLNOTES_VERSION__", digest), encoding="utf-8")


def setup(app: Sphinx) -> dict:
    app.add_node(solution_node, html=(visit_solution, depart_solution))
    app.add_directive("solution", SolutionDirective)
    app.add_config_value("mlnotes_live_assets", "", "env", types=(str,))
    app.connect("builder-inited", check_assets)
    app.connect("doctree-read", mark_live_cells)
    app.connect("html-page-context", add_live_assets)
    app.connect("build-finished", write_service_worker)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
