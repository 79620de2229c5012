"""Every page can be downloaded as a notebook that runs top to bottom on its own."""

from __future__ import annotations

import sys

import nbformat
import pytest
from nbclient import NotebookClient
from sitekit import ROOT, SITE, book_pages, parsed

sys.path.insert(0, str(ROOT))
from mlnotes_site.outputs import ipc_kernel_manager  # noqa: E402


def downloadable() -> list[tuple[str, str]]:
    """(page, notebook) for every page whose download menu offers an .ipynb."""
    pairs = []
    for page in book_pages():
        offer = parsed(SITE / page).find(href=lambda h: h and h.endswith(".ipynb"))
        if offer:
            pairs.append((page, offer["href"]))
    return pairs


def test_every_executed_page_offers_its_notebook(site):
    offered = {page for page, _ in downloadable()}
    executed = {p for p in book_pages()
                if parsed(site / p).select_one("div.cell.docutils.container")}
    assert executed, "no executed page found"
    assert executed <= offered, f"pages without a notebook download: {executed - offered}"


@pytest.mark.parametrize(("page", "link"), downloadable())
def test_downloaded_notebook_carries_the_pages_outputs(site, page, link):
    """The download shows what the page shows, also when its cells came from the cache."""
    nb = nbformat.read(site / link, as_version=4)
    with_output = sum(bool(c.outputs) for c in nb.cells if c.cell_type == "code")
    shown = len(parsed(site / page).select("div.cell_output"))
    assert with_output == shown, f"{link}: {with_output} cells with outputs, the page shows {shown}"


@pytest.mark.parametrize(("page", "link"), downloadable())
def test_downloaded_notebook_runs_top_to_bottom(site, tmp_path, page, link):
    nb = nbformat.read(site / link, as_version=4)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code, f"{link} has no code"
    for cell in code:  # start from a clean notebook, as a student would
        cell.outputs, cell.execution_count = [], None
    # run in an empty folder: the notebook may rely on mlnotes, nothing else
    # over IPC, as the build runs them: tests in parallel race for no TCP port
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={
        "metadata": {"path": str(tmp_path)}}, kernel_manager_class=ipc_kernel_manager()).execute()
    errors = [o for c in code for o in c.outputs if o.output_type == "error"]
    assert errors == []
    assert any(c.outputs for c in code)
