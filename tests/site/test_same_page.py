"""The same page every time: printed text as printed, and builds that do not race.

Two small MyST notebooks, built with the site's own extension (mlnotes_site/outputs.py)
by two sphinx-build processes at the same time, in two folders, as two clones on one
machine would be built. A cell's print is split on purpose (an explicit flush between
its halves), as a busy kernel splits it by chance: the page must show the line whole.
Each cell reports the transport its kernel was started with: IPC, which needs no TCP
port, so the two builds cannot race for one.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sitekit import ROOT, html

sys.path.insert(0, str(ROOT))
from mlnotes_site.outputs import join_stream, merge_printed_output  # noqa: E402

NOTEBOOK = """\
---
file_format: mystnb
kernelspec:
  name: python3
  display_name: Python 3
---

# Page {n}

```{{code-cell}} python3
import json, sys
from ipykernel import get_connection_info

sys.stdout.write("loss 0.1")
sys.stdout.flush()  # the print leaves in two chunks, as a busy kernel may send it
print("23 after step", {n})
print("transport:", json.loads(get_connection_info())["transport"])
```

```{{code-cell}} python3
import warnings
for step in range(3):
    print("step", step, end=" ", flush=True)
print()
warnings.warn("a warning on stderr")
print("done")
```
"""

CONF = """\
import sys
sys.path.insert(0, {root!r})
extensions = ["myst_nb", "mlnotes_site.outputs"]
nb_execution_mode = "force"
nb_execution_raise_on_error = True
nb_merge_streams = False
exclude_patterns = ["_build"]
"""


def _project(folder: Path) -> Path:
    folder.mkdir()
    (folder / "conf.py").write_text(CONF.format(root=str(ROOT)))
    (folder / "index.md").write_text("# Index\n\n```{toctree}\npage1\npage2\n```\n")
    for n in (1, 2):
        (folder / f"page{n}.md").write_text(NOTEBOOK.format(n=n))
    return folder


def _printed(page: Path) -> list[str]:
    return [pre.get_text() for pre in html(page).select(".cell_output pre")]


def test_two_builds_at_once_both_succeed_and_show_each_print_whole(tmp_path):
    projects = [_project(tmp_path / name) for name in ("clone-a", "clone-b")]
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    builds = [subprocess.Popen([sys.executable, "-m", "sphinx", "-W", "-q", "-b", "html",
                                str(p), str(p / "_build")], env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True) for p in projects]
    logs = [b.communicate(timeout=300)[0] for b in builds]
    for build, log in zip(builds, logs, strict=True):
        assert build.returncode == 0, log
        assert "Kernel died" not in log and "over TCP" not in log, log
    for project in projects:
        for n in (1, 2):
            printed = _printed(project / "_build" / f"page{n}.html")
            assert printed[0] == f"loss 0.123 after step {n}\ntransport: ipc\n"
            assert printed[1] == "step 0 step 1 step 2 \ndone\n"  # stdout whole, then stderr
            assert "a warning on stderr" in printed[2]


def _cell_output(*blocks) -> tuple:
    from docutils import nodes
    from docutils.utils import new_document

    doc = new_document("test")
    output = nodes.container(nb_element="cell_code_output")
    for kind, text in blocks:
        block = nodes.literal_block(text, text)
        block["classes"] += ["output", kind]
        output += block
    doc += output
    return doc, output


def test_split_chunks_are_joined_exactly_stdout_first():
    doc, output = _cell_output(("stderr", "warn\n"), ("stream", "x ="), ("stream", " 1\n"),
                               ("stream", "y = 2\n"))
    merge_printed_output(None, doc)
    assert [(b["classes"][-1], b.astext()) for b in output.children] == [
        ("stream", "x = 1\ny = 2\n"), ("stderr", "warn\n")]


def test_a_stream_is_shown_as_a_notebook_shows_it():
    assert join_stream(["a", "b\n", "\n\n"]) == "ab\n"
    assert join_stream(["10%\r", "50%\r", "100%\n"]) == "100%\n"
    assert join_stream(["ab\x08\x08cd\n"]) == "cd\n"


@pytest.mark.parametrize("chunks", [["a b c\n"], ["a", " b c\n"], ["a ", "b c\n"],
                                    ["a b", " ", "c", "\n"]])
def test_however_a_print_is_chunked_the_page_is_the_same(chunks):
    doc, output = _cell_output(*(("stream", c) for c in chunks))
    merge_printed_output(None, doc)
    assert [b.astext() for b in output.children] == ["a b c\n"]


def test_the_site_turns_myst_nbs_merging_off():
    conf = (ROOT / "conf.py").read_text()
    assert "nb_merge_streams = False" in conf and '"mlnotes_site.outputs"' in conf

