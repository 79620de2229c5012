"""Compile the browser's Python to bytecode, inside Pyodide itself (run by pyodide_compile.mjs).

Pyodide's standard library and wheels hold only ``.py`` files, so every cold start in
the reader's browser compiles a few hundred modules before the first cell runs.
This script runs *inside* Pyodide (its Python is 3.12, whose bytecode the host's
Python cannot write) and writes, for each input archive, a copy that also holds the
bytecode of each ``.py`` file:

- the standard library and the third-party wheels (numpy, matplotlib, ...) get
  ``<module>.pyc`` *in place of* each ``<module>.py``, as Pyodide's own compiled
  packages do: the bytecode is all the browser needs of them, and it is smaller than
  source plus bytecode (a traceback through them shows no source line);
- the wheels the live cells' tracebacks point into (mlnotes) keep their sources and
  get ``__pycache__/<module>.cpython-312.pyc`` beside each module, so a reader's
  traceback still shows the package's lines.

The bytecode is *unchecked-hash* (PEP 552): the interpreter uses it without
comparing it with the source's timestamp, which unpacking does not preserve. Each
code object carries the path the module has in the browser, so tracebacks name the
real files.

matplotlib's wheel also gets a correct ``fontlist.json``: the official one is stamped
for another matplotlib version, so matplotlib rebuilt its font cache on every cold
start. Importing ``matplotlib.font_manager`` here (from the official wheel, loaded
before this script runs) writes the correct one, which replaces the stale file.

Inputs: the globals ``jobs`` (a list of ``[kind, source path, target path]``, kind
``"stdlib"``, ``"wheel"`` (sources replaced) or ``"wheel+source"``), set by the
caller; paths are in Pyodide's file system.
"""

import importlib.util
import io
import marshal  # noqa: F401 - used through importlib's helper
import zipfile
from importlib._bootstrap_external import _code_to_hash_pyc
from pathlib import Path

SITE = "/lib/python3.12/site-packages/"
STDLIB = "/lib/python312.zip/"
TAG = "cpython-312"
FIXED_TIME = (2024, 1, 1, 0, 0, 0)  # every entry's date: the archives do not depend on when


def bytecode(source: bytes, path: str) -> bytes | None:
    """Unchecked-hash bytecode of ``source`` for the module at ``path`` (None: not Python)."""
    try:
        code = compile(source, path, "exec", dont_inherit=True)
    except SyntaxError:  # a test data file or a template, not a module: keep the source only
        return None
    return bytes(_code_to_hash_pyc(code, importlib.util.source_hash(source), checked=False))


def fontlist() -> bytes:
    """The font list matplotlib writes for its own version, once it has built it here."""
    import matplotlib.font_manager  # noqa: F401 - importing writes the list

    return (Path(SITE) / "matplotlib" / "fontlist.json").read_bytes()


def rewrite(kind: str, source: str, target: str, fonts: bytes | None) -> int:
    """Copy ``source`` to ``target`` with bytecode added; return how many modules were compiled."""
    compiled = 0
    out = io.BytesIO()
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        entries = []
        for info in zin.infolist():
            if info.is_dir():
                continue
            data = zin.read(info)
            if info.filename == "matplotlib/fontlist.json" and fonts:
                data = fonts
            pyc = None
            if info.filename.endswith(".py"):
                where = (STDLIB if kind == "stdlib" else SITE) + info.filename
                pyc = bytecode(data, where)
            if pyc is None:  # not a module: kept as it is
                entries.append((info.filename, data))
                continue
            compiled += 1
            if kind == "wheel+source":
                folder, _, name = info.filename.rpartition("/")
                cache = (folder + "/" if folder else "") + f"__pycache__/{name[:-3]}.{TAG}.pyc"
                entries += [(info.filename, data), (cache, pyc)]
            else:
                entries.append((info.filename[:-3] + ".pyc", pyc))
        for name, data in sorted(entries):
            zout.writestr(zipfile.ZipInfo(name, FIXED_TIME), data,
                          compress_type=zipfile.ZIP_DEFLATED)
    Path(target).parent.mkdir(parents=True, exist_ok=True)
    Path(target).write_bytes(out.getvalue())
    return compiled


def main(jobs: list) -> dict:
    fonts = fontlist() if any("matplotlib-" in Path(src).name for _, src, _ in jobs) else None
    return {Path(target).name: rewrite(kind, src, target, fonts) for kind, src, target in jobs}


result = main([list(job) for job in jobs])  # noqa: F821 - set by the caller
