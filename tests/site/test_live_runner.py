"""The browser's runner (mlnotes_live.py) in CPython: streaming, redrawn frames, Check's prints.

No built site needed: the module the worker imports inside Pyodide is imported here
from the source tree, and its ``emit`` is a list's append.
"""

from __future__ import annotations

import base64
import importlib.util
import io
import json
import sys
import time

import numpy as np
import pytest

from mlnotes.plotting import new_figure, redraw

RUNNER = __import__("pathlib").Path(__file__).resolve().parents[2] / \
    "mlnotes_site" / "live" / "static" / "mlnotes_live.py"


@pytest.fixture(scope="module")
def live():
    spec = importlib.util.spec_from_file_location("mlnotes_live", RUNNER)
    module = importlib.util.module_from_spec(spec)
    sys.modules["mlnotes_live"] = module  # where redraw looks for it, as in Pyodide
    spec.loader.exec_module(module)
    yield module
    del sys.modules["mlnotes_live"]


def _messages(sent):
    return [json.loads(m) for m in sent]


def test_streamed_text_is_the_cells_text_and_comes_while_it_runs(live):
    sent, times = [], []

    def emit(message):
        sent.append(message)
        times.append(time.monotonic())

    code = "import time\nfor i in range(3):\n    print('step', i)\n    time.sleep(0.25)\n" \
           "print('end', end='')"
    t0 = time.monotonic()
    out = live.run_cell(code, {}, emit=emit)
    t1 = time.monotonic()
    streams = [m for m in _messages(sent) if m["type"] == "stream"]
    assert "".join(m["text"] for m in streams) == out["outputs"][0]["text"] == \
        "step 0\nstep 1\nstep 2\nend"
    # each line left as it was printed (0.25 s apart), not all at the end
    assert [m["text"] for m in streams[:3]] == ["step 0\n", "step 1\n", "step 2\n"]
    assert times[0] - t0 < 0.2 and t1 - times[2] > 0.2
    # the same outputs as without streaming
    assert live.run_cell(code, {}) == out


def test_a_loop_of_ten_thousand_prints_is_batched(live):
    sent = []
    out = live.run_cell("for i in range(10_000):\n    print(i)", {}, emit=sent.append)
    text = "".join(m["text"] for m in _messages(sent))
    assert text == out["outputs"][0]["text"] == "".join(f"{i}\n" for i in range(10_000))
    assert len(sent) < 50, f"{len(sent)} messages for one quick loop"


def test_stderr_and_a_traceback_stream_and_end_as_the_build_shows_them(live):
    sent = []
    code = "import sys\nprint('a')\nprint('b', file=sys.stderr)\n1 / 0"
    out = live.run_cell(code, {}, emit=sent.append)
    assert "".join(m["text"] for m in _messages(sent)) == "a\nb\n"
    assert [o["type"] for o in out["outputs"]] == ["text", "error"]
    assert out["outputs"][0]["text"] == "a\nb\n" and not out["ok"]


def _pixels(png_b64):
    from PIL import Image

    with Image.open(io.BytesIO(base64.b64decode(png_b64))) as im:
        return np.asarray(im.convert("RGB"))


def test_redraw_sends_each_frame_of_the_figure_and_the_cell_still_ends_with_it(live):
    sent = []
    code = """
fig, ax = new_figure(width=3, height=2)
fig.alt = "loss so far"
line, = ax.plot([], [])
ax.set_xlim(0, 4); ax.set_ylim(0, 4)
for step in range(4):
    line.set_data(range(step + 1), range(step + 1))
    print('step', step)
    redraw(fig)
fig
"""
    out = live.run_cell(code, {"new_figure": new_figure, "redraw": redraw}, emit=sent.append)
    messages = _messages(sent)
    assert [m["type"] for m in messages] == ["stream", "frame"] * 4
    frames = [m for m in messages if m["type"] == "frame"]
    assert len({m["key"] for m in frames}) == 1 and frames[0]["alt"] == "loss so far"
    # each frame is the figure as drawn so far: the line grows, frame by frame
    drawn = [int((_pixels(m["png"]) < 200).any(axis=2).sum()) for m in frames]
    assert drawn == sorted(drawn) and drawn[0] < drawn[-1]
    # the last frame is the picture the cell ends with (the build's image)
    final = [o for o in out["outputs"] if o["type"] == "image"]
    assert len(final) == 1
    np.testing.assert_array_equal(_pixels(final[0]["png"]), _pixels(frames[-1]["png"]))
    # without a page listening, the cell shows the same and redraw returns False
    quiet = live.run_cell(code + "\nredraw(fig)", {"new_figure": new_figure,
                                                   "redraw": redraw})
    assert quiet["outputs"][0] == out["outputs"][0]
    assert live.frame_sink is None
    fig, _ = new_figure()
    assert redraw(fig) is False


def test_two_figures_keep_a_frame_each(live):
    sent = []
    code = ("a, _ = new_figure()\nb, _ = new_figure()\n"
            "redraw(a)\nredraw(b)\nredraw(a, key='loss')\nredraw(a, key='loss')")
    live.run_cell(code, {"new_figure": new_figure, "redraw": redraw}, emit=sent.append)
    keys = [m["key"] for m in _messages(sent)]
    assert len(keys) == 4 and keys[0] != keys[1] and keys[2] == keys[3] == "loss"


def test_redraw_refuses_what_is_not_a_figure():
    with pytest.raises(TypeError, match="fig must be a matplotlib figure"):
        redraw(np.zeros(3))
    fig, _ = new_figure()
    with pytest.raises(TypeError, match="key must be a str"):
        redraw(fig, key=3)


def test_check_cell_shows_what_the_readers_function_printed_while_checked(live):
    solution = ("import numpy as np\nprint('defined')\n"
                "def stable_softmax(x):\n    print('called with', np.shape(x))\n"
                "    z = x - x.max(axis=-1, keepdims=True)\n    e = np.exp(z)\n"
                "    return e / e.sum(axis=-1, keepdims=True)\n")
    sent = []
    result = live.check_cell(solution, {}, "softmax.stable", emit=sent.append)
    assert result["outputs"][0]["text"] == "defined\n"
    assert result["grade"]["passed"], result["grade"]["summary"]
    prints = result["grade"]["prints"]
    # the checks called the function at least once each; every call printed a line
    calls = prints.splitlines()
    assert len(calls) >= 2 and all(c.startswith("called with (") for c in calls), prints
    # what was printed while checked streamed too, after the cell's own line
    assert "".join(json.loads(m)["text"] for m in sent) == "defined\n" + prints
    raised = live.check_cell("1 / 0", {}, "softmax.stable")
    assert raised["grade"]["prints"] == "" and not raised["grade"]["passed"]
