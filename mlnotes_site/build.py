"""How a build runs: its kernel, its execution cache, the preview, and what it publishes.

conf.py states the settings; the hooks that act on them live here:

- the notebooks run in this virtual environment's kernel (checked before anything runs);
- their outputs are cached by jupyter-cache in a folder named after the package's
  fingerprint, which is a configuration value: when the package changes, Sphinx reads
  every page again and the pages run against a fresh cache;
- ``make preview PAGE=softmax`` (``mlnotes_only``) builds one page and its deck;
- the book offers each executed page as a notebook to download.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ConfigError


def check_kernel(app: Sphinx, config: Config) -> None:
    """Stop before any cell runs when the ``python3`` kernel is not this interpreter.

    A kernel from elsewhere (a user-wide kernelspec, another virtual environment)
    would run the pages against another mlnotes or none, and fail late and obscurely.
    The Makefile installs the kernelspec into the virtual environment and puts it
    first on JUPYTER_PATH.
    """
    from jupyter_client.kernelspec import KernelSpecManager

    spec = KernelSpecManager().get_kernel_spec("python3")
    exe = Path(spec.argv[0])
    if exe.name.startswith("python") and not exe.is_absolute():
        return  # the built-in spec runs "python" from PATH, i.e. this environment
    if Path(os.path.realpath(exe)).parent != Path(os.path.realpath(sys.executable)).parent:
        raise ConfigError(
            f"the python3 Jupyter kernel runs {exe}, not this interpreter "
            f"({sys.executable}); run `make install` to register the right one"
        )


def check_mathjax(app: Sphinx) -> None:
    """Refuse to build without the local MathJax, with the remedy; drop an older copy.

    Formulas must render from the build itself (no CDN); without the file every
    page would load a missing script and show raw TeX. Each builder publishes only
    its own static folders (the book ``html_static_path``, the decks
    ``revealjs_static_path``), so the bundle must be in one of those.

    The published ``_static/mathjax`` is removed before the builder copies it again:
    Sphinx never deletes a static file it no longer copies, and the folder's files
    change with the bundle (CommonHTML's fonts in the book, one SVG file in the decks).
    """
    config = app.config
    if "revealjs" in app.builder.name:  # revealjs, singlerevealjs, dirrevealjs
        paths = config.revealjs_static_path
    elif app.builder.format == "html":
        paths = config.html_static_path
    else:
        return  # no page is written (the link inventory pass)
    static = [Path(app.confdir, p) for p in paths]
    if not any((p / config.mathjax_path).is_file() for p in static if p.is_dir()):
        raise ConfigError(
            f"MathJax is missing ({config.mathjax_path} in no static path of the "
            f"{app.builder.name} builder): run `make math-assets` (after `npm ci`), so that "
            "formulas render with no network"
        )
    shutil.rmtree(Path(app.outdir) / "_static" / "mathjax", ignore_errors=True)


def package_fingerprint(config: Config) -> str:
    """A hash of the package's source (``mlnotes_package``): the pages' outputs depend on it.

    It is the default of ``mlnotes_package_fingerprint``, a configuration value that
    rebuilds the environment: a changed package makes Sphinx read every page again.
    """
    digest = hashlib.sha256()
    package = Path(config.mlnotes_package)
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package.parent).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def use_the_package_cache(app: Sphinx, config: Config) -> None:
    """Cache executed notebooks in ``<mlnotes_execution_cache>/<package fingerprint>``.

    jupyter-cache keys a notebook on its own cells only, but the outputs also depend
    on mlnotes: a cache per package version means that a page never shows results of
    an older package. The caches of other versions are removed (a changed package
    runs every page again anyway).
    """
    root = Path(config.mlnotes_execution_cache)
    fingerprint = config.mlnotes_package_fingerprint
    config.nb_execution_cache_path = str(root / fingerprint)
    for old in root.glob("*"):
        if old.is_dir() and old.name != fingerprint:
            shutil.rmtree(old, ignore_errors=True)


def restrict_to_preview(app: Sphinx, config: Config) -> None:
    """``make preview PAGE=a,b``: only those pages and decks, the indexes and the API.

    The other sources are excluded, so a preview builds in seconds. Links to what
    is left out cannot resolve there: those warnings are silenced in a preview (the
    full build checks them).
    """
    if not config.mlnotes_only:
        return
    keep = {"index", "api", *config.mlnotes_only}
    srcdir = Path(app.srcdir)
    config.exclude_patterns = [
        *config.exclude_patterns,
        *sorted(p.name for p in srcdir.glob("*.md") if p.stem not in keep),
    ]
    config.suppress_warnings = [
        *config.suppress_warnings,
        "toc.excluded", "toc.not_readable", "toc.not_included", "ref.doc", "myst.xref_missing",
    ]


def drop_old_source_pages(app: Sphinx) -> None:
    """Remove the highlighted-source pages (viewcode's ``_modules/``) of earlier builds.

    Sphinx never deletes an output it no longer writes, so after a module moves (the
    package's ``plotting.py`` became ``plotting/``) its old source page would stay
    in an incremental build, linking to API anchors that are gone. viewcode writes
    every page again from the current modules, so starting from none costs little.
    """
    if app.builder.name == "html":
        shutil.rmtree(Path(app.outdir) / "_modules", ignore_errors=True)


def offer_notebook_download(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """Let a reader download each executed page as a Jupyter notebook (.ipynb).

    myst-nb keeps the executed notebook of every page in <build>/jupyter_execute;
    it is published next to the page's source, and the book theme's download menu
    offers it (the theme shows an .ipynb entry when ``ipynb_source`` is set).

    A page whose cells come from the execution cache (it was re-read, its cells
    unchanged) is written there without its outputs (myst-nb 1.4 writes the notebook
    it parsed, not the one it merged with the cache), so the outputs are merged from
    the cache again here: the download always carries what the page shows.
    """
    if app.builder.name != "html" or doctree is None:
        return
    executed = Path(app.env.mystnb_config.output_folder) / f"{pagename}.ipynb"
    if not executed.is_file():
        return  # not a notebook page (the index, the API reference)
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(_with_cached_outputs(executed, app.env.mystnb_config.execution_cache_path))
    context["ipynb_source"] = f"{pagename}.ipynb"


def _with_cached_outputs(path: Path, cache_path: str) -> str:
    """The notebook at ``path``, its outputs merged from the execution cache if it has one."""
    import nbformat
    from jupyter_cache import get_cache

    notebook = nbformat.read(path, as_version=4)
    try:
        _, notebook = get_cache(cache_path).merge_match_into_notebook(notebook)
    except KeyError:
        pass  # not in the cache (executed outside it): the file is complete as it is
    return nbformat.writes(notebook)


def setup(app: Sphinx) -> dict:
    app.add_config_value("mlnotes_package", "", "env", types=(str,))
    app.add_config_value("mlnotes_package_fingerprint", package_fingerprint, "env", types=(str,))
    app.add_config_value("mlnotes_execution_cache", "", "", types=(str,))
    app.add_config_value("mlnotes_only", [], "env", types=(list,))
    app.connect("config-inited", check_kernel)
    app.connect("config-inited", use_the_package_cache)
    app.connect("config-inited", restrict_to_preview)
    app.connect("builder-inited", check_mathjax)
    app.connect("builder-inited", drop_old_source_pages)
    app.connect("html-page-context", offer_notebook_download, priority=400)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
