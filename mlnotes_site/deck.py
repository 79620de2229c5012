"""Deck behaviour: the lecturer's chalkboard, and what the deck builder gets and publishes.

The chalkboard (reveal.js-plugins' chalkboard plugin) is fetched from npm and verified
by ``make deck-assets`` (see the Makefile) into ``<build>/vendor/deck/chalkboard``,
which the deck builder publishes as ``_static/chalkboard``; conf.py registers it as a
reveal.js plugin and gives its options in ``mlnotes_chalkboard``.

The deck builder (sphinx-revealjs) needs a few things the html builder has by itself:
myst-nb's output priorities, a configuration that stays the same between builds, and a
published reveal.js without the files that would load from CDNs. (The decks' cell outputs
stay outside the site because the Makefile builds the decks beside it, in
``<build>/decks/slides``: myst-nb writes them to the output folder's parent, and the
finished decks are copied into the site.)
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.config import Config
from sphinx.errors import ConfigError

from mlnotes_site import DECK_BUILDERS


def check_chalkboard(app: Sphinx) -> None:
    """Stop a deck build early, with the remedy, when the plugin was not fetched.

    Without it every deck would load a missing script and fail in the browser only.
    """
    if app.builder.name not in DECK_BUILDERS:
        return
    plugin = Path(app.config.mlnotes_deck_assets) / "chalkboard" / "plugin.js"
    if not plugin.is_file():
        raise ConfigError(f"the chalkboard plugin is missing ({plugin}): run `make deck-assets`")


# when this build started, in UTC: the build a deck's saved ink was drawn on
BUILD_ID = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%MZ")


def chalkboard_per_deck(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """Give each deck its own chalkboard storage.

    The plugin keeps drawings in the tab's session storage under one key; decks
    sharing a key would show one lecture's ink on another's slides. The page
    configuration is assigned over the site-wide reveal.js configuration, so it
    carries all of the plugin's options, with the key made from the deck's name.
    The deck's name and build go with it: saved ink names the build it was drawn on
    (slides/_static/mlnotes-ink.js).
    """
    if app.builder.name not in DECK_BUILDERS or "revealjs_page_confs" not in context:
        return
    options = dict(app.config.mlnotes_chalkboard, storage=f"mlnotes-chalkboard:{pagename}")
    context["revealjs_page_confs"] = [
        *context["revealjs_page_confs"],
        json.dumps({"chalkboard": options,
                    "mlnotesInk": {"deck": pagename, "build": BUILD_ID}}),
    ]


def give_decks_the_html_output_order(app: Sphinx, config: Config) -> None:
    """Rank cell outputs on the decks as the html builder ranks them.

    myst-nb has an output priority per builder and none for the deck builders: it
    would drop every figure and result there. The html builder's order is added for
    them (after conf.py's own overrides, which win).
    """
    from myst_nb.core.render import base_render_priority

    html = base_render_priority()["html"]
    config.nb_mime_priority_overrides = [
        *((builder, mime, rank) for builder in DECK_BUILDERS for mime, rank in html.items()),
        *config.nb_mime_priority_overrides,
    ]


def remember_configured_static_path(app: Sphinx, config: Config) -> None:
    """Keep a copy of conf.py's ``revealjs_static_path``, for :func:`keep_configured_static_path`.

    The copy is a configuration value of its own, ``mlnotes_deck_static_path``, that no
    build compares (its rebuild kind is ""), taken before the deck builder changes the list.
    """
    config.mlnotes_deck_static_path = list(config.revealjs_static_path)


def keep_configured_static_path(app: Sphinx) -> None:
    """Give ``revealjs_static_path`` back the value conf.py gave it.

    When the deck builder starts, sphinx-revealjs appends its own folder to that
    list in place and makes it ``html_static_path`` too, where extensions append
    theirs (sphinx-copybutton). ``html_static_path`` keeps that list, so all of them
    are published; but the saved environment would hold a ``revealjs_static_path``
    that differs from conf.py's, every build would see "config changed" and read
    every deck again. Runs after the other extensions' builder-inited hooks.
    """
    if app.builder.name in DECK_BUILDERS:
        app.config.revealjs_static_path = list(app.config.mlnotes_deck_static_path)


def drop_copy_buttons(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """Copy buttons belong to the book; on a slide their script only fails."""
    if app.builder.name not in DECK_BUILDERS or "script_files" not in context:
        return
    context["script_files"] = [
        js for js in context["script_files"]
        if "clipboard" not in str(js) and "copybutton" not in str(js)]
    context["css_files"] = [c for c in context["css_files"] if "copybutton" not in str(c)]


def prune_revealjs(app: Sphinx, exception: Exception | None) -> None:
    """Publish only the reveal.js files the decks use.

    sphinx-revealjs copies all of reveal.js, including themes and a math plugin
    that load fonts and MathJax from CDNs. The decks use none of them, and the
    site must not even reference an outside address, so they are removed.
    """
    if exception is not None or app.builder.name not in DECK_BUILDERS:
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


def setup(app: Sphinx) -> dict:
    app.add_config_value("mlnotes_deck_assets", "", "env", types=(str,))
    app.add_config_value("mlnotes_deck_static_path", [], "", types=(list,))
    app.add_config_value("mlnotes_chalkboard", {}, "html", types=(dict,))
    app.connect("config-inited", give_decks_the_html_output_order)
    app.connect("config-inited", remember_configured_static_path)
    app.connect("builder-inited", check_chalkboard)
    app.connect("builder-inited", keep_configured_static_path, priority=900)
    app.connect("html-page-context", chalkboard_per_deck)
    app.connect("html-page-context", drop_copy_buttons)
    app.connect("build-finished", prune_revealjs)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
