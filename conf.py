"""One Sphinx configuration for the book and the lecture decks.

    sphinx-build -b html     -c . docs   _build/html          (the book)
    sphinx-build -b revealjs -c . slides _build/html/slides   (the decks)

The Makefile runs both. Both builds execute their MyST-NB notebooks through one
jupyter-cache (outside the published folder), and both serve every asset from the
build itself: MathJax comes from ``node_modules`` (``npm ci``), reveal.js from the
sphinx-revealjs package, fonts from the themes. Nothing is fetched from a network.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
from pathlib import Path

from docutils import nodes
from sphinx.errors import ConfigError

ROOT = Path(__file__).resolve().parent
# where builds and caches go: `make BUILD=...` passes its folder here
BUILD = Path(os.environ.get("MLNOTES_BUILD", ROOT / "_build")).resolve()

# --------------------------------------------------------------------------- project

project = "mlnotes"
author = "the mlnotes authors"
copyright = "2026, the mlnotes authors"
release = "0.1.0"

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.mathjax",
    "sphinx.ext.viewcode",
    "sphinx_copybutton",
    "sphinx_revealjs",
    "sphinxext.live",
    "sphinxext.deck",
    "sphinxext.figures",
    "sphinxext.claims",
]
exclude_patterns = ["_build", "jupyter_execute", "**.ipynb_checkpoints", "README.md"]
nitpicky = False
suppress_warnings = ["mystnb.unknown_mime_type"]

# ------------------------------------------------------------------------ execution

# The kernel is this interpreter, the one that has mlnotes installed: the Makefile
# installs a "python3" kernelspec into the virtual environment, and putting the
# environment's share/jupyter first makes jupyter find that one before any other.
_venv_jupyter = Path(sys.prefix) / "share" / "jupyter"
os.environ["JUPYTER_PATH"] = os.pathsep.join(
    [str(_venv_jupyter), *filter(None, [os.environ.get("JUPYTER_PATH")])]
)
os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")
# The pages train tiny models, where a second torch thread costs more in
# synchronisation than it saves (measured 10x slower on a busy 2-core machine):
# the notebook kernels use one thread unless the caller says otherwise.
os.environ.setdefault("OMP_NUM_THREADS", "1")
# Pages import mlnotes from this checkout even if the editable install is stale.
os.environ["PYTHONPATH"] = os.pathsep.join(
    [str(ROOT / "src"), *filter(None, [os.environ.get("PYTHONPATH")])]
)
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))  # the site's own extension: sphinxext/


def _check_kernel() -> None:
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


_check_kernel()



def _package_fingerprint() -> str:
    """A hash of the package's source: the pages' outputs depend on it."""
    digest = hashlib.sha256()
    for path in sorted((ROOT / "src" / "mlnotes").rglob("*.py")):
        digest.update(path.relative_to(ROOT).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


# jupyter-cache keys an executed notebook on its own cells only. The outputs also
# depend on mlnotes, so the cache lives in a folder named after the package's
# fingerprint: changing the package starts a fresh cache (and _rerun_on_package_change
# below makes Sphinx re-read every page), so a page never shows stale results.
FINGERPRINT = _package_fingerprint()
_CACHE_ROOT = BUILD / ".jupyter_cache"
nb_execution_mode = "cache"
nb_execution_cache_path = str(_CACHE_ROOT / FINGERPRINT)

# `make preview PAGE=name` builds the index, the API page and one page + deck into
# _build/preview/<name>, with a cache of its own, so that several pages can be
# worked on at once without touching the full build.
_ONLY = [name for name in os.environ.get("MLNOTES_ONLY", "").split(",") if name]
if _ONLY:
    _keep = {"index", "api", *_ONLY}
    exclude_patterns += sorted(
        {p.name for folder in ("docs", "slides") for p in (ROOT / folder).glob("*.md")}
        - {f"{name}.md" for name in _keep}
    )
    _CACHE_ROOT = BUILD / "preview" / "-".join(_ONLY) / ".jupyter_cache"
    nb_execution_cache_path = str(_CACHE_ROOT / FINGERPRINT)
    # links to pages left out of a preview are checked by the full build
    suppress_warnings += ["toc.excluded", "toc.not_readable", "toc.not_included", "ref.doc",
                          "myst.xref_missing"]
nb_execution_timeout = 240  # seconds per cell
nb_execution_raise_on_error = True
nb_execution_show_tb = True
nb_merge_streams = True
nb_kernel_rgx_aliases = {".*": "python3"}

# myst-nb has no output priority for the revealjs builder and would drop figures
# and results there: give it the html builder's order.
_MIME_ORDER = [
    "application/vnd.jupyter.widget-view+json",
    "application/javascript",
    "text/html",
    "image/svg+xml",
    "image/png",
    "image/jpeg",
    "text/markdown",
    "text/latex",
    "text/plain",
]
nb_mime_priority_overrides = [
    (builder, mime, rank * 10)
    for builder in ("revealjs", "dirrevealjs")
    for rank, mime in enumerate(_MIME_ORDER)
]

myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence", "deflist", "substitution"]
myst_heading_anchors = 3

# ----------------------------------------------------------------------------- math

_MATHJAX = ROOT / "node_modules" / "mathjax" / "es5" / "tex-svg-full.js"
if not _MATHJAX.is_file():
    raise ConfigError(
        f"MathJax is missing ({_MATHJAX}): run `make install` (it runs `npm ci`), "
        "so that formulas render from the build, with no network"
    )
mathjax_path = _MATHJAX.name  # served from _static/ in both builds
mathjax3_config = {
    "svg": {"fontCache": "global"},
    "options": {"enableMenu": False},
    "tex": {"macros": {"R": "\\mathbb{R}"}},
}

# ------------------------------------------------------------------------- claims

# The ledger's register; docs/claims.md assembles the ledger (sphinxext/claims.py).
mlnotes_claims_file = str(ROOT / "docs" / "claims.yml")

# ----------------------------------------------------------------------- live cells

# Cells tagged `live` are editable and run in the reader's browser (sphinxext/live).
# `make live-assets` puts the editor bundle in <build>/live/static and the Python
# runtime in <build>/live/site/pyodide, published once as the book's _static/pyodide.
_LIVE = BUILD / "live"
mlnotes_live_assets = str(_LIVE)
_LIVE_STATIC = ["sphinxext/live/static", str(_LIVE / "static")]

# ---------------------------------------------------------------------------- the book

html_theme = "sphinx_book_theme"
html_title = "mlnotes"
html_static_path = ["docs/_static", str(_MATHJAX), *_LIVE_STATIC, str(_LIVE / "site")]
html_css_files = ["mlnotes.css"]
html_js_files = ["mlnotes.js"]
# the search button with a name that includes its visible text (WCAG 2.5.3)
templates_path = ["sphinxext/templates"]
html_theme_options = {
    "use_download_button": True,
    "use_fullscreen_button": False,
    "show_toc_level": 2,
    "navigation_with_keys": False,
}
html_context = {"default_mode": "auto"}
html_last_updated_fmt = None
html_show_sourcelink = True
html_copy_source = True

autodoc_member_order = "bysource"
autodoc_typehints = "description"
napoleon_google_docstring = True
napoleon_numpy_docstring = False

copybutton_prompt_text = r">>> |\.\.\. "
copybutton_prompt_is_regexp = True

# --------------------------------------------------------------------------- the decks

revealjs_html_theme = "revealjs-basic"
revealjs_style_theme = "white"
# `make deck-assets` fetches reveal.js-plugins' chalkboard into <build>/vendor/deck;
# it is published as the decks' _static/chalkboard (sphinxext/deck.py).
_DECK_VENDOR = BUILD / "vendor" / "deck"
mlnotes_deck_assets = str(_DECK_VENDOR)
_REVEALJS_STATIC = ["slides/_static", str(_MATHJAX), *_LIVE_STATIC, str(_DECK_VENDOR)]
revealjs_static_path = list(_REVEALJS_STATIC)
revealjs_css_files = ["pygments.css", "chalkboard/style.css", "mlnotes-deck.css"]
revealjs_js_files = ["mlnotes-deck.js"]
revealjs_script_conf = {
    "hash": True,
    "slideNumber": "c/t",
    "controls": True,
    "progress": True,
    "center": False,
    "width": 1280,
    "height": 800,
    "margin": 0.04,
    "transition": "none",
    "pdfMaxPagesPerSlide": 1,
    "pdfSeparateFragments": False,
    # sphinx-revealjs adds this key itself; stating it keeps the config unchanged
    # between builds (a changed config would make every deck be read again)
    "scrollActivationWidth": None,
}
revealjs_script_plugins = [
    {"name": "RevealNotes", "src": "revealjs/plugin/notes/notes.js"},
    {"name": "RevealSearch", "src": "revealjs/plugin/search/search.js"},
    {"name": "RevealChalkboard", "src": "chalkboard/plugin.js"},
]
# The lecturer's board: C draws on the slide, B opens a blank whiteboard, X/Y change
# the pen, right-drag erases, Del clears (all listed in the deck's help, "?").
# Drawings stay with their slide, kept per deck in the tab's session storage.
mlnotes_chalkboard = {
    "theme": "whiteboard",
    "boardmarkerWidth": 4,
}
revealjs_use_section_ids = True

# -------------------------------------------------------------- links between builds


def _split_title(text: str) -> tuple[str | None, str]:
    if text.endswith(">") and "<" in text:
        title, target = text[:-1].split("<", 1)
        return title.strip(), target.strip()
    return None, text.strip()


def _make_role(kind: str):
    """Roles that link a page to its deck and a deck to its page or API entry.

    ``{deck}`softmax``` on a book page links to ``slides/softmax.html``;
    ``{page}`softmax``` and ``{apiref}`mlnotes.activations.softmax``` on a deck link
    back into the book (pages link to the API with ``{py:func}`` as usual). The
    target's source must exist, or the build warns (and ``-W`` fails it), so a
    renamed page cannot leave a dead link behind.
    """

    def role(name, rawtext, text, lineno, inliner, options=None, content=None):
        env = inliner.document.settings.env
        title, target = _split_title(text)
        up = "../" * env.docname.count("/")
        if kind == "deck":
            source = ROOT / "slides" / f"{target}.md"
            uri = f"{up}slides/{target}.html"
            title = title or f"the deck: {target}"
        elif kind == "page":
            source = ROOT / "docs" / f"{target}.md"
            uri = f"{up}../{target}.html"
            title = title or f"the page: {target}"
        else:  # apiref: mlnotes.<module>[.<name>], documented on docs/api/<module>.md
            parts = target.split(".")
            module = parts[1] if len(parts) > 1 else ""
            source = ROOT / "docs" / "api" / f"{module}.md"
            anchor = f"#{target}" if len(parts) > 2 else f"#module-{target}"
            uri = f"{up}../api/{module}.html{anchor}"
            title = title or target
        if not source.is_file():
            msg = inliner.reporter.warning(
                f"{{{name}}} target {target!r} has no source at {source.relative_to(ROOT)}",
                line=lineno,
            )
            return [inliner.problematic(rawtext, rawtext, msg)], [msg]
        node = nodes.reference(rawtext, title, refuri=uri, classes=[f"mlnotes-{kind}"])
        return [node], []

    return role


def _deck_outputs_outside_site(app) -> None:
    # myst-nb writes cell outputs to <outdir>/../jupyter_execute, which for the
    # decks (_build/html/slides) would be inside the published site.
    if app.builder.name in ("revealjs", "dirrevealjs"):
        folder = BUILD / "jupyter_execute_slides"
        app.env.mystnb_config = app.env.mystnb_config.copy(output_folder=str(folder))
        # sphinx-revealjs appends its own folder to revealjs_static_path in place
        # (html_static_path keeps that list). Restoring the configured value keeps
        # the saved environment's config equal to conf.py's, or every build would
        # see "config changed" and read every deck again.
        app.config.revealjs_static_path = list(_REVEALJS_STATIC)


def _deck_page_context(app, pagename, templatename, context, doctree) -> None:
    # Copy buttons belong to the book; on a slide their script only fails.
    if app.builder.name in ("revealjs", "dirrevealjs") and "script_files" in context:
        context["script_files"] = [
            js for js in context["script_files"] if "clipboard" not in str(js)
            and "copybutton" not in str(js)
        ]
        context["css_files"] = [c for c in context["css_files"] if "copybutton" not in str(c)]


def _stamp_path(app) -> Path:
    return Path(app.doctreedir) / "mlnotes-package.fingerprint"


def _rerun_on_package_change(app, env, added, changed, removed):
    """Re-read every document when the package changed since the last good build."""
    stamp = _stamp_path(app)
    if stamp.is_file() and stamp.read_text() == FINGERPRINT:
        return []
    for old in _CACHE_ROOT.glob("*"):  # caches of earlier package versions
        if old.is_dir() and old.name != FINGERPRINT:
            shutil.rmtree(old, ignore_errors=True)
    return sorted(env.found_docs - added - removed)


def _after_build(app, exception) -> None:
    """Remember a clean build; after a failed one, forget the environment.

    Sphinx reports a page's warnings only when it reads the page, so after a
    failed build an unchanged page would pass silently next time. Dropping the
    saved environment makes the next build read (and judge) every page again.
    """
    if exception is None and getattr(app, "_warncount", 0) == 0:
        _stamp_path(app).write_text(FINGERPRINT)
    else:
        _stamp_path(app).unlink(missing_ok=True)
        (Path(app.doctreedir) / "environment.pickle").unlink(missing_ok=True)


def _prune_deck_assets(app, exception) -> None:
    """Publish only the reveal.js files the decks use.

    sphinx-revealjs copies all of reveal.js, including themes and a math plugin
    that load fonts and MathJax from CDNs. The decks use none of them, and the
    site must not even reference an outside address, so they are removed.
    """
    if exception is not None or app.builder.name not in ("revealjs", "dirrevealjs"):
        return
    base = Path(app.outdir) / "_static" / "revealjs"
    keep = (
        "LICENSE",
        "dist/reveal.js",
        "dist/reveal.css",
        "dist/reset.css",
        f"dist/theme/{app.config.revealjs_style_theme}.css",
        "dist/theme/fonts/source-sans-pro/",
        *(p["src"].removeprefix("revealjs/") for p in app.config.revealjs_script_plugins),
    )
    for path in sorted(base.rglob("*"), reverse=True):
        rel = path.relative_to(base).as_posix()
        if path.is_file() and not rel.startswith(keep):
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()


def _offer_notebook_download(app, pagename, templatename, context, doctree) -> None:
    """Let a reader download each executed page as a Jupyter notebook (.ipynb).

    myst-nb keeps the executed notebook of every page in <build>/jupyter_execute;
    it is published next to the page's source, and the book theme's download
    menu offers it (the theme shows an .ipynb entry when ``ipynb_source`` is set).
    """
    if app.builder.name != "html" or doctree is None:
        return
    executed = Path(app.outdir).parent / "jupyter_execute" / f"{pagename}.ipynb"
    if not executed.is_file():
        return  # not a notebook page (the index, the API reference)
    target = Path(app.outdir) / "_sources" / f"{pagename}.ipynb"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(executed, target)
    context["ipynb_source"] = f"{pagename}.ipynb"


def setup(app):
    app.connect("html-page-context", _offer_notebook_download, priority=400)
    app.connect("build-finished", _prune_deck_assets)
    app.connect("env-get-outdated", _rerun_on_package_change)
    app.connect("build-finished", _after_build)
    app.connect("html-page-context", _deck_page_context)
    app.connect("builder-inited", _deck_outputs_outside_site, priority=900)
    app.add_role("deck", _make_role("deck"))
    app.add_role("page", _make_role("page"))
    app.add_role("apiref", _make_role("apiref"))
