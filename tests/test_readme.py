"""README's layout names every part of the package and of the site's extension.

A new module that the layout does not mention fails here, so the README stays a
true map of the tree.
"""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _layout() -> str:
    text = (ROOT / "README.md").read_text()
    section = text.split("\n## Layout\n", 1)[1]
    return re.search(r"```\n(.*?)\n```", section, re.S).group(1)


def _entries(folder: Path) -> list[str]:
    """The modules (``name.py``) and packages (``name/``) directly in ``folder``."""
    names = [p.name for p in folder.glob("*.py") if p.name != "__init__.py"]
    names += [p.name + "/" for p in folder.iterdir()
              if p.is_dir() and (p / "__init__.py").is_file()]
    return sorted(names)


def test_layout_names_every_module_of_the_package():
    layout = _layout()
    missing = [n for n in _entries(ROOT / "src" / "mlnotes") if n not in layout]
    assert not missing, f"README's layout does not mention {missing}"


def test_layout_names_every_part_of_the_sites_extension():
    layout = _layout()
    missing = [n.removesuffix("/") for n in _entries(ROOT / "mlnotes_site")
               if n.removesuffix("/") not in layout]
    assert not missing, f"README's layout does not mention mlnotes_site's {missing}"


def test_layout_names_every_top_level_folder():
    layout = _layout()
    folders = [p.name + "/" for p in ROOT.iterdir() if p.is_dir()
               and not p.name.startswith((".", "_")) and p.name != "node_modules"]
    missing = [f for f in folders if f not in layout and f + "mlnotes/" not in layout]
    assert not missing, f"README's layout does not mention {missing}"
