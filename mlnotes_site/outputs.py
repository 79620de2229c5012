"""The same page every time: printed output that does not depend on the kernel's timing.

Two things about how the notebooks run could change a page from one build to the next:

- **Split prints.** A kernel sends what a cell prints in chunks, flushed on a timer, so a
  busy kernel can cut one ``print`` in two (``"loss 0.1"`` then ``"3\\n"``). myst-nb's
  own merging (``nb_merge_streams``) strips each later chunk and adds a line break, so
  the cut became a line break in the page, and only when the machine was busy. Here the
  chunks are joined exactly as they were printed (conf.py turns myst-nb's merging off):
  the text a page shows is the text the cell printed, however it was chunked.
- **Kernels racing for ports.** A kernel's TCP ports are chosen free by the build, then
  bound by the kernel a moment later; a second build on the same machine can take a
  port in between, and the kernel dies ("Kernel died before replying"). The kernels
  here talk over IPC (Unix sockets named after their connection file), which needs no
  port and so cannot race.
"""

from __future__ import annotations

import functools
import re

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.config import Config

STREAMS = ("stream", "stderr")  # the classes myst-nb gives stdout's and stderr's blocks
_CARRIAGE_RETURN = re.compile(r".*\r(?=[^\n])")  # a line overwritten by what follows \r
_BACKSPACE = re.compile(r"[^\n]\x08")  # a character erased by a backspace


def join_stream(chunks: list[str]) -> str:
    r"""The text a stream shows: its chunks joined exactly, with ``\r`` and ``\b`` applied.

    A line that a carriage return sends back to its start shows only what was written
    over it (a progress counter shows its last value); trailing blank space is dropped
    and the text ends with one line break, as a notebook shows it.

    >>> join_stream(["loss 0.1", "3\n", "done\n"])
    'loss 0.13\ndone\n'
    >>> join_stream(["step 1\rstep 2\rstep 3\n"])
    'step 3\n'
    """
    text = "".join(chunks)
    previous = None
    while previous != text:
        previous, text = text, _BACKSPACE.sub("", text)
    return _CARRIAGE_RETURN.sub("", text).rstrip() + "\n"


def _stream_kind(node: nodes.Node) -> str | None:
    if isinstance(node, nodes.literal_block) and "output" in node["classes"]:
        return next((kind for kind in STREAMS if kind in node["classes"]), None)
    return None


def merge_printed_output(app: Sphinx, doctree: nodes.document) -> None:
    """Join each cell's printed chunks into one block per stream, exactly as printed.

    As a notebook reader shows a cell: one block for stdout where its first chunk was,
    one for stderr; and stdout before stderr when the two come together, since the
    kernel flushes them independently and their order between two displays is a
    matter of timing.
    """
    for output in doctree.findall(nodes.container):
        if output.get("nb_element") != "cell_code_output":
            continue
        first: dict[str, nodes.literal_block] = {}
        chunks: dict[str, list[str]] = {}
        for child in list(output.children):
            kind = _stream_kind(child)
            if kind is None:
                continue
            chunks.setdefault(kind, []).append(child.astext())
            if kind in first:
                output.remove(child)
            else:
                first[kind] = child
        for kind, block in first.items():
            text = join_stream(chunks[kind])
            block.children = []
            block += nodes.Text(text)
            block.rawsource = text
        if len(first) == 2:
            out, err = first["stream"], first["stderr"]
            at = output.index(err)
            if output.index(out) == at + 1:
                output.remove(out)
                output.insert(at, out)


@functools.cache  # one class, shared by the build and the tests that run notebooks
def ipc_kernel_manager():
    """jupyter_client's kernel manager, talking to its kernel over IPC at a path of its own."""
    import os
    import tempfile
    import uuid

    from jupyter_client.manager import AsyncKernelManager
    from traitlets import CaselessStrEnum, default

    class IPCKernelManager(AsyncKernelManager):
        transport = CaselessStrEnum(["tcp", "ipc"], default_value="ipc", config=True)

        @default("ip")
        def _unique_socket_path(self) -> str:
            # the sockets are <ip>-1 ... <ip>-5: a name no other kernel has, anywhere
            return os.path.join(tempfile.gettempdir(), f"mlnotes-kernel-{uuid.uuid4().hex}")

    return IPCKernelManager


def kernels_over_ipc(app: Sphinx, config: Config) -> None:
    """Start the notebooks' kernels over IPC, each at a socket path of its own: no port race.

    nbclient makes each kernel's manager from its ``kernel_manager_class`` setting, whose
    default is ``jupyter_client.AsyncKernelManager``, looked up when a notebook starts;
    myst-nb and jupyter-cache create the client themselves and pass it no configuration.
    So that default is replaced here by the same manager with the IPC transport, in this
    build's process only (the one documented patch of a library in the site's extension).
    """
    if config.mlnotes_kernel_transport != "ipc":
        return
    import jupyter_client

    jupyter_client.AsyncKernelManager = ipc_kernel_manager()


def setup(app: Sphinx) -> dict:
    app.add_config_value("mlnotes_kernel_transport", "ipc", "", types=(str,))
    app.connect("config-inited", kernels_over_ipc)
    app.connect("doctree-read", merge_printed_output, priority=400)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
