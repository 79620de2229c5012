"""The claims ledger: every claim the book makes, where it is stated, shown and proved.

A claim is registered once in ``docs/claims.yml`` (an identifier, one sentence, and
for the 41 claims of the source notes their number). Three kinds of place refer to it:

- a page states it: ``{claim}`softmax.simplex``` in the page's text (a link to the
  claim's row in the ledger);
- a slide shows it: the same role in the deck;
- a cell proves it: ``:claim: softmax.simplex`` in the code cell's options (the cell
  asserts the claim, and the ledger shows its output).

How the pieces travel, with Sphinx's own means only:

- :class:`ClaimsCollector`, an environment collector, keeps per document where it
  states, shows and proves claims (read from the doctree: the role's nodes, and the
  ``cell_metadata`` myst-nb puts on every cell's container), cleared and merged per
  document like Sphinx's own collectors;
- claims are labels, so they travel in the inventories (``objects.inv``): the book's
  ledger labels each row ``claim-<id>``, which a deck links to through intersphinx; a
  deck labels each slide that shows a claim ``shown:<id>@<deck>:<n>``, which the book
  reads from the decks' inventory (the decks are built first);
- the ``{claims-ledger}`` directive leaves a placeholder, which a post-transform
  replaces, once every document is read, with a docutils table whose links Sphinx
  resolves (the pages' from the book itself, the slides' through intersphinx).

A registered claim without a page, a slide or a proving cell is a warning (``-W`` fails
the build), and so is a page that names a claim the register does not have.
"""

from __future__ import annotations

from pathlib import Path

import yaml
from docutils import nodes
from sphinx.addnodes import pending_xref
from sphinx.application import Sphinx
from sphinx.environment.collectors import EnvironmentCollector
from sphinx.ext.intersphinx import (
    InventoryAdapter,
    inventory_exists,
    resolve_reference_in_inventory,
)
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective
from sphinx.util.nodes import make_refnode

from mlnotes_site import DECK_BUILDERS

logger = logging.getLogger(__name__)

LEDGER = "claims"  # the ledger page's docname in the book
BOOK, SLIDES = "book", "slides"  # the inventories (conf.py's intersphinx_mapping)
SHOWN = "shown:"  # the prefix of a deck's labels for the slides that show a claim


class claim_ref(nodes.Inline, nodes.TextElement):
    """A reference to a registered claim, from a page's or a slide's text."""


class claims_ledger(nodes.General, nodes.Element):
    """Where the ledger's table goes; filled once every document has been read."""


def row_label(claim: str) -> str:
    """The label (and the HTML id) of a claim's row in the ledger.

    >>> row_label("softmax.simplex")
    'claim-softmax.simplex'
    """
    return f"claim-{claim}"


def shown_label(claim: str, deck: str, number: int) -> str:
    """The label of the ``number``-th place where the deck ``deck`` shows ``claim``.

    >>> shown_label("softmax.simplex", "softmax", 0)
    'shown:softmax.simplex@softmax:0'
    """
    return f"{SHOWN}{claim}@{deck}:{number}"


def proof_anchor(claim: str) -> str:
    """The HTML id of the cell that proves ``claim``.

    >>> proof_anchor("softmax.simplex")
    'proof-softmax-simplex'
    """
    return f"proof-{claim.replace('.', '-')}"


def load_registry(config) -> dict[str, dict]:
    """The registered claims by identifier, numbered in the file's order."""
    path = Path(config.mlnotes_claims_file)
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return {entry["id"]: {**entry, "number": number}
            for number, entry in enumerate(entries, start=1)}


def claim_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    """``{claim}`id```: a link to the claim's row in the ledger."""
    node = claim_ref(rawtext, "", claim=text.strip())
    node.line = lineno
    return [node], []


class ClaimsLedgerDirective(SphinxDirective):
    """``{claims-ledger}``: the table of every registered claim (filled after reading)."""

    has_content = False

    def run(self) -> list[nodes.Node]:
        # the rows are the register's: read the page again when the register changes
        self.env.note_dependency(self.config.mlnotes_claims_file)
        return [claims_ledger("")]


def _section(node: nodes.Node, deck: bool = False) -> tuple[str, str]:
    """The id and title of the section that holds ``node`` (a slide, in a deck).

    A page's section carries all its ids as anchors; sphinx-revealjs gives a slide
    only its last id (MyST's heading anchor), so a link to a slide must use that one.
    """
    parent = node.parent
    while parent is not None and not isinstance(parent, nodes.section):
        parent = parent.parent
    if parent is None or not parent["ids"]:
        return "", ""
    title = parent.next_node(nodes.title)
    return parent["ids"][-1 if deck else 0], title.astext() if title else ""


def _printed(cell: nodes.container) -> str:
    """What a proving cell printed (a figure's text stand-in left out: its image is shown)."""
    return "\n".join(
        block.astext() for output in cell.findall(nodes.container)
        if output.get("nb_element") == "cell_code_output"
        for block in output.findall(nodes.literal_block)
        if not block.astext().startswith("<_NotebookFigure"))


class ClaimsCollector(EnvironmentCollector):
    """Where each document states, shows and proves claims, kept per document.

    ``ClaimsCollector.places(env)`` maps a docname to ``{"stated": [...], "proofs":
    [...]}``; a deck's places also become labels of the slides (:func:`shown_label`),
    and the ledger's page labels every row (:func:`row_label`).
    """

    @staticmethod
    def places(env) -> dict[str, dict]:
        """Every document's places, by docname."""
        if not hasattr(env, "mlnotes_claims"):
            env.mlnotes_claims = {}
        return env.mlnotes_claims

    def clear_doc(self, app: Sphinx, env, docname: str) -> None:
        self.places(env).pop(docname, None)

    def merge_other(self, app: Sphinx, env, docnames: set[str], other) -> None:
        theirs = self.places(other)
        self.places(env).update({doc: theirs[doc] for doc in docnames if doc in theirs})

    def process_doc(self, app: Sphinx, doctree: nodes.document) -> None:
        env = app.env
        docname = env.docname
        deck = app.builder.name in DECK_BUILDERS
        std = env.get_domain("std")
        registry = load_registry(app.config)
        stated, proofs = [], []
        for ref in doctree.findall(claim_ref):
            if ref["claim"] not in registry:
                logger.warning("{claim} names %r, which docs/claims.yml does not register",
                               ref["claim"], location=ref, type="mlnotes", subtype="claims")
                continue
            section, title = _section(ref, deck=deck)
            if deck:  # a slide is addressed as <deck>.html#/<its id> (reveal.js)
                label = shown_label(ref["claim"], docname, len(stated))
                std.anonlabels[label] = docname, f"/{section}"
                std.labels[label] = docname, f"/{section}", title
            stated.append({"claim": ref["claim"], "section": section, "title": title})
        for cell in doctree.findall(nodes.container):
            if cell.get("nb_element") != "cell_code":
                continue
            claims = cell.get("cell_metadata", {}).get("claim") or []
            for claim in [claims] if isinstance(claims, str) else claims:
                if claim not in registry:
                    logger.warning("a cell proves %r, which docs/claims.yml does not register",
                                   claim, location=cell, type="mlnotes", subtype="claims")
                    continue
                cell["ids"].append(proof_anchor(claim))
                section, title = _section(cell)
                proofs.append({"claim": claim, "anchor": proof_anchor(claim),
                               "output": _printed(cell), "section": section, "title": title})
        if any(True for _ in doctree.findall(claims_ledger)):
            for claim, entry in registry.items():
                std.anonlabels[row_label(claim)] = docname, row_label(claim)
                std.labels[row_label(claim)] = docname, row_label(claim), entry["claim"]
        if stated or proofs:
            env.note_dependency(app.config.mlnotes_claims_file)  # the numbers in the links
            self.places(env)[docname] = {"stated": stated, "proofs": proofs}

    def get_updated_docs(self, app: Sphinx, env) -> list[str]:
        """The ledger shows every page and deck: write it again on every build of the book."""
        if app.builder.name in DECK_BUILDERS or LEDGER not in env.all_docs:
            return []
        return [LEDGER]


def _paragraph(*children: nodes.Node, classes: list[str] | None = None) -> nodes.paragraph:
    return nodes.paragraph("", "", *children, classes=classes or [])


def _shorten(text: str, lines: int = 8) -> str:
    parts = text.strip().splitlines()
    return "\n".join(parts[:lines] + (["…"] if len(parts) > lines else []))


class ClaimsPostTransform(SphinxPostTransform):
    """Turn each claim reference into its link, and the ledger's placeholder into its table.

    Runs before Sphinx resolves references (priority 10) and intersphinx's roles (9):
    the links it makes are finished reference nodes.
    """

    default_priority = 8

    def run(self, **kwargs) -> None:
        registry = load_registry(self.config)
        for ref in list(self.document.findall(claim_ref)):
            ref.replace_self(self._claim_link(ref["claim"], registry.get(ref["claim"]), ref))
        for placeholder in list(self.document.findall(claims_ledger)):
            placeholder.replace_self(self._ledger(registry))

    def _claim_link(self, claim: str, entry: dict | None, ref: claim_ref) -> nodes.Node:
        """``[claim N]``, linked to the claim's row, its sentence as the link's title."""
        if entry is None:
            return nodes.Text(claim)  # warned about when the document was read
        text = nodes.Text(f"[claim {entry['number']}]")
        if self.app.builder.name in DECK_BUILDERS:  # the ledger is in the book
            link = self._external_link(BOOK, row_label(claim), text)
        else:
            found = self.env.get_domain("std").labels.get(row_label(claim))
            link = found and make_refnode(self.app.builder, self.env.docname, found[0],
                                          found[1], text)
        if link is None:
            logger.warning("claim %r: no row of the ledger to link to", claim, location=ref,
                           type="mlnotes", subtype="claims")
            return text
        link["classes"].append("mlnotes-claim")
        link["reftitle"] = entry["claim"]
        return link

    def _slides(self) -> dict[str, list[tuple[str, str]]]:
        """The decks' labels of the slides that show each claim: label and display name."""
        labels = InventoryAdapter(self.env).named_inventory.get(SLIDES, {}).get("std:label", {})
        shown: dict[str, list[tuple[str, str, int]]] = {}
        for label, item in labels.items():
            if label.startswith(SHOWN):
                claim, _, place = label.removeprefix(SHOWN).rpartition("@")
                deck, _, number = place.rpartition(":")
                shown.setdefault(claim, []).append((deck, int(number), label, item.display_name))
        return {claim: [(label, f"{deck}: {title}") for deck, _, label, title in sorted(places)]
                for claim, places in shown.items()}

    def _external_link(self, inventory: str, label: str, text: nodes.Text) -> nodes.Node | None:
        """A link to ``label`` in the other build's inventory, as intersphinx makes it."""
        if not inventory_exists(self.env, inventory):
            return None
        xref = pending_xref("", refdomain="std", reftype="ref", refexplicit=True,
                            reftarget=label, refdoc=self.env.docname)
        return resolve_reference_in_inventory(self.env, inventory, xref, text)

    def _link_to_slide(self, label: str, text: str) -> nodes.Node:
        link = self._external_link(SLIDES, label, nodes.Text(text))
        if link is None:
            return nodes.Text(text)
        link.attributes.pop("reftitle", None)  # intersphinx's "(in mlnotes)": the same site
        return link

    def _link_to_page(self, docname: str, anchor: str, text: str) -> nodes.Node:
        return make_refnode(self.app.builder, self.env.docname, docname, anchor,
                            nodes.Text(text))

    def _ledger(self, registry: dict[str, dict]) -> list[nodes.Node]:
        """The summary line and the table: one row per registered claim."""
        places = ClaimsCollector.places(self.env)
        slides = self._slides()
        if not slides:
            logger.warning("the decks' inventory shows no claim: build the decks first "
                           "(make slides), so the ledger can link to their slides",
                           location=(self.env.docname, None), type="mlnotes", subtype="claims")
        headers = ["#", "claim", "stated on the page", "shown on the slide",
                   "proved by the cell (its output)"]
        tgroup = nodes.tgroup(cols=len(headers))
        tgroup.extend(nodes.colspec(colwidth=1) for _ in headers)
        tgroup += nodes.thead("", nodes.row("", *(
            nodes.entry("", _paragraph(nodes.Text(h))) for h in headers)))
        body = nodes.tbody()
        tgroup += body
        complete = 0
        for claim, entry in registry.items():
            stated = [(doc, place) for doc, found in sorted(places.items()) if doc != LEDGER
                      for place in found["stated"] if place["claim"] == claim]
            proofs = [(doc, proof) for doc, found in sorted(places.items())
                      for proof in found["proofs"] if proof["claim"] == claim]
            shown = slides.get(claim, [])
            missing = [what for what, have in (("page that states it", stated),
                                               ("slide that shows it", shown),
                                               ("cell that proves it", proofs)) if not have]
            if missing:
                logger.warning("claim %r has no %s", claim, " and no ".join(missing),
                               location=(self.env.docname, None),
                               type="mlnotes", subtype="claims")
            else:
                complete += 1
            the_claim = [_paragraph(nodes.strong("", entry["claim"])),
                         _paragraph(nodes.literal("", claim))]
            if entry.get("seed"):
                the_claim[1] += [nodes.Text(" "), nodes.inline(
                    "", f"(source claim {entry['seed']})", classes=["mlnotes-claim-seed"])]
            pages = [_paragraph(self._link_to_page(doc, p["section"], f"{doc}: {p['title']}"))
                     for doc, p in stated]
            decks = [_paragraph(self._link_to_slide(label, text)) for label, text in shown]
            cells = []
            for doc, proof in proofs:
                cells.append(_paragraph(self._link_to_page(
                    doc, proof["anchor"], f"{doc}: {proof['title']}")))
                if proof["output"]:
                    printed = _shorten(proof["output"])
                    cells.append(nodes.literal_block(printed, printed, language="text"))
            row = nodes.row(ids=[row_label(claim)])
            for content in ([_paragraph(nodes.Text(str(entry["number"])))], the_claim,
                            pages, decks, cells):
                row += nodes.entry("", *(content or [_paragraph(nodes.Text("—"))]))
            body += row
        summary = _paragraph(nodes.Text(
            f"{len(registry)} claims; {complete} with a page that states it, a slide that "
            "shows it and a cell that proves it."), classes=["mlnotes-claims-summary"])
        table = nodes.table("", nodes.title("", "Every claim, where it is stated, shown and "
                                                "proved"), tgroup,
                            ids=["claims-table"], classes=["mlnotes-claims", "colwidths-auto"])
        return [summary, table]


def setup(app: Sphinx) -> dict:
    app.setup_extension("sphinx.ext.intersphinx")
    app.add_config_value("mlnotes_claims_file", "", "env", types=(str,))
    app.add_node(claim_ref)
    app.add_node(claims_ledger)
    app.add_role("claim", claim_role)
    app.add_directive("claims-ledger", ClaimsLedgerDirective)
    app.add_env_collector(ClaimsCollector)
    app.add_post_transform(ClaimsPostTransform)
    return {"version": "2", "parallel_read_safe": True, "parallel_write_safe": True}
