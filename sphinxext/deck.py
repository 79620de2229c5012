"""Deck behaviour: the lecturer's chalkboard (reveal.js-plugins' chalkboard plugin).

The plugin itself is fetched from npm and verified by ``make deck-assets`` (see the
Makefile) into ``<build>/vendor/deck/chalkboard``, which the deck builder publishes as
``_static/chalkboard``; conf.py registers it as a reveal.js plugin and gives its
options in ``mlnotes_chalkboard``.
"""

from __future__ import annotations

import json
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ConfigError

DECK_BUILDERS = ("revealjs", "dirrevealjs")


def check_chalkboard(app: Sphinx) -> None:
    """Stop a deck build early, with the remedy, when the plugin was not fetched.

    Without it every deck would load a missing script and fail in the browser only.
    """
    if app.builder.name not in DECK_BUILDERS:
        return
    plugin = Path(app.config.mlnotes_deck_assets) / "chalkboard" / "plugin.js"
    if not plugin.is_file():
        raise ConfigError(f"the chalkboard plugin is missing ({plugin}): run `make deck-assets`")


def chalkboard_per_deck(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """Give each deck its own chalkboard storage.

    The plugin keeps drawings in the tab's session storage under one key; decks
    sharing a key would show one lecture's ink on another's slides. The page
    configuration is assigned over the site-wide reveal.js configuration, so it
    carries all of the plugin's options, with the key made from the deck's name.
    """
    if app.builder.name not in DECK_BUILDERS or "revealjs_page_confs" not in context:
        return
    options = dict(app.config.mlnotes_chalkboard, storage=f"mlnotes-chalkboard:{pagename}")
    context["revealjs_page_confs"] = [
        *context["revealjs_page_confs"],
        json.dumps({"chalkboard": options}),
    ]


def setup(app: Sphinx) -> dict:
    app.add_config_value("mlnotes_deck_assets", "", "env", types=(str,))
    app.add_config_value("mlnotes_chalkboard", {}, "html", types=(dict,))
    app.connect("builder-inited", check_chalkboard)
    app.connect("html-page-context", chalkboard_per_deck)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
