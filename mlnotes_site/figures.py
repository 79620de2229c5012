"""Figures: every image a cell draws carries a text alternative (WCAG 1.1.1).

The figure helpers of :mod:`mlnotes.plotting` describe what they draw
(``fig.alt``), and the description travels inside the PNG the notebook stores (its
``Description`` text chunk). myst-nb renders a cell's image without alt text, so
this reads the chunk back and sets it as the image's ``alt``, on pages and slides
alike. A cell image without a description is a warning, so ``-W`` fails the build.
"""

from __future__ import annotations

from pathlib import Path

from docutils import nodes
from PIL import Image
from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)


def _image_file(app: Sphinx, docname: str, uri: str) -> Path:
    # myst-nb gives "/<path relative to the source folder>" for the files it writes
    if uri.startswith("/"):
        return Path(app.srcdir, uri.lstrip("/"))
    return Path(app.srcdir, docname).parent / uri


def describe_cell_images(app: Sphinx, doctree: nodes.document) -> None:
    """Set each cell output image's alt text from the description inside the PNG."""
    docname = app.env.docname
    for container in doctree.findall(nodes.container):
        if container.get("nb_element") != "cell_code_output":
            continue
        for image in container.findall(nodes.image):
            path = _image_file(app, docname, image["uri"])
            description = ""
            if path.suffix == ".png" and path.is_file():
                with Image.open(path) as png:
                    description = png.info.get("Description", "")
            if description:
                image["alt"] = description
            else:
                logger.warning(
                    "a cell draws a figure without a description (alt text): give the "
                    "figure helper a `fig.alt`", location=image)


def setup(app: Sphinx) -> dict:
    app.connect("doctree-read", describe_cell_images)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
