"""The claims ledger: every claim the book makes, where it is stated, shown and proved.

A claim is registered once in ``docs/claims.yml`` (an identifier, one sentence, and
for the 41 claims of the source notes their number). Three kinds of place refer to it:

- a page states it: ``{claim}`softmax.simplex``` in the page's text (a link to the
  claim's row in the ledger);
- a slide shows it: the same role in the deck;
- a cell proves it: ``:claim: softmax.simplex`` in the code cell's options (the cell
  asserts the claim, and the ledger shows its output).

The deck build records where each claim is shown (``claims.json`` beside its saved
environment); the book build, run after it, assembles ``claims.html`` from the
``{claims-ledger}`` directive, and warns (so ``-W`` fails the build) when a
registered claim has no page, no slide or no proving cell, or when a page names a
claim that is not registered.
"""

from __future__ import annotations

import html
import json
from pathlib import Path

import yaml
from docutils import nodes
from docutils.parsers.rst import Directive
from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

DECK_BUILDERS = ("revealjs", "dirrevealjs")
LEDGER = "claims"  # the ledger page's docname in the book


class claim_ref(nodes.Inline, nodes.TextElement):
    """A reference to a registered claim, from a page's or a slide's text."""


class claims_ledger(nodes.General, nodes.Element):
    """Where the ledger's table goes; filled once every page has been read."""


def load_registry(app: Sphinx) -> dict[str, dict]:
    """The registered claims by identifier, numbered in the file's order."""
    path = Path(app.config.mlnotes_claims_file)
    entries = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    registry: dict[str, dict] = {}
    for number, entry in enumerate(entries, start=1):
        registry[entry["id"]] = {**entry, "number": number}
    return registry


def claim_role(name, rawtext, text, lineno, inliner, options=None, content=None):
    """``{claim}`id```: a link to the claim's row in the ledger."""
    node = claim_ref(rawtext, "", claim=text.strip())
    node.line = lineno
    return [node], []


class ClaimsLedgerDirective(Directive):
    """``{claims-ledger}``: the table of every registered claim."""

    has_content = False

    def run(self):
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


def _places(env) -> dict:
    if not hasattr(env, "mlnotes_claims"):
        env.mlnotes_claims = {}
    return env.mlnotes_claims


def collect_claims(app: Sphinx, doctree: nodes.document) -> None:
    """Record where this document states, shows and proves claims."""
    from mlnotes_site.live import _notebook_cells

    registry = load_registry(app)
    docname = app.env.docname
    found = {"refs": [], "proofs": []}
    for ref in doctree.findall(claim_ref):
        if ref["claim"] not in registry:
            logger.warning("{claim} names %r, which docs/claims.yml does not register",
                           ref["claim"], location=ref, type="mlnotes", subtype="claims")
            continue
        section, title = _section(ref, deck=app.builder.name in DECK_BUILDERS)
        found["refs"].append({"claim": ref["claim"], "section": section, "title": title})
    cells = _notebook_cells(app, docname) or []
    for container in doctree.findall(nodes.container):
        if container.get("nb_element") != "cell_code":
            continue
        index = container.get("cell_index")
        claims = cells[index].get("metadata", {}).get("claim") if index is not None else None
        if not claims:
            continue
        for claim in [claims] if isinstance(claims, str) else claims:
            if claim not in registry:
                logger.warning("a cell proves %r, which docs/claims.yml does not register",
                               claim, location=container, type="mlnotes", subtype="claims")
                continue
            anchor = f"proof-{claim.replace('.', '-')}"
            container["ids"].append(anchor)
            output = "\n".join(
                child.astext() for child in container.findall(nodes.literal_block)
                if any(p.get("nb_element") == "cell_code_output" for p in _ancestors(child))
                # a figure's text stand-in (its image is what the page shows)
                and not child.astext().startswith("<_NotebookFigure"))
            section, title = _section(container)
            found["proofs"].append({"claim": claim, "anchor": anchor, "output": output,
                                    "section": section, "title": title})
    _places(app.env)[docname] = found


def _ancestors(node):
    parent = node.parent
    while parent is not None:
        yield parent
        parent = parent.parent


def purge_doc(app: Sphinx, env, docname: str) -> None:
    _places(env).pop(docname, None)


def merge_docs(app: Sphinx, env, docnames, other) -> None:
    _places(env).update({d: v for d, v in _places(other).items() if d in docnames})


def ledger_always_rebuilt(app: Sphinx, env, added, changed, removed) -> list[str]:
    """The ledger depends on every page and deck: read it again on every build."""
    if app.builder.name in DECK_BUILDERS or LEDGER not in env.found_docs:
        return []
    return [LEDGER]


def _slides_file(app: Sphinx) -> Path:
    # <build>/doctrees/slides/claims.json, written by the deck build beside its
    # environment; the book's environment is in <build>/doctrees/book
    return Path(app.doctreedir).parent / "slides" / "claims.json"


def write_slide_places(app: Sphinx, exception) -> None:
    """After a deck build, save where each claim is shown, for the book's ledger."""
    if exception is not None or app.builder.name not in DECK_BUILDERS:
        return
    shown: dict[str, list] = {}
    for deck, found in sorted(_places(app.env).items()):
        for ref in found["refs"]:
            shown.setdefault(ref["claim"], []).append(
                {"deck": deck, "slide": ref["section"], "title": ref["title"]})
    _slides_file(app).write_text(json.dumps(shown, indent=1, sort_keys=True))


def _link(href: str, text: str) -> str:
    return f'<a href="{html.escape(href)}">{html.escape(text)}</a>'


def fill_ledger(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """Replace the ledger directive with its table; warn for each incomplete claim."""
    if app.builder.name in DECK_BUILDERS:
        for ref in list(doctree.findall(claim_ref)):
            _render_ref(app, ref, docname, prefix="../")
        return
    for ref in list(doctree.findall(claim_ref)):
        _render_ref(app, ref, docname, prefix="")
    tables = list(doctree.findall(claims_ledger))
    if not tables:
        return
    registry = load_registry(app)
    places = _places(app.env)
    slides_file = _slides_file(app)
    shown = json.loads(slides_file.read_text()) if slides_file.is_file() else {}
    if not slides_file.is_file():
        logger.warning("the decks have not been built (%s is missing): build them first "
                       "(make slides), so the ledger can link to their slides", slides_file,
                       type="mlnotes", subtype="claims")
    rows = []
    complete = 0
    for claim, entry in registry.items():
        stated = [(d, r) for d, f in sorted(places.items()) for r in f["refs"]
                  if r["claim"] == claim and d != LEDGER]
        proofs = [(d, p) for d, f in sorted(places.items()) for p in f["proofs"]
                  if p["claim"] == claim]
        slides = shown.get(claim, [])
        missing = [what for what, have in (("a page that states it", stated),
                                           ("a slide that shows it", slides),
                                           ("a cell that proves it", proofs)) if not have]
        if missing:
            logger.warning("claim %r has no %s", claim, " and no ".join(
                m.removeprefix("a ") for m in missing), location=(docname, None),
                type="mlnotes", subtype="claims")
        else:
            complete += 1
        page_links = "<br>".join(
            _link(f"{d}.html#{r['section']}", f"{d}: {r['title']}") for d, r in stated)
        slide_links = "<br>".join(
            _link(f"slides/{s['deck']}.html#/{s['slide']}", f"{s['deck']}: {s['title']}")
            for s in slides)
        proof_cells = ""
        for d, p in proofs:
            link = _link(f"{d}.html#{p['anchor']}", f"{d}: {p['title']}")
            shown_output = f"<pre>{html.escape(_shorten(p['output']))}</pre>" if p["output"] else ""
            proof_cells += f"<div>{link}{shown_output}</div>"
        seed = f" <span class=\"mlnotes-claim-seed\">(source claim {entry['seed']})</span>" \
            if entry.get("seed") else ""
        rows.append(
            f'<tr id="claim-{html.escape(claim)}"><td>{entry["number"]}</td>'
            f"<td><strong>{html.escape(entry['claim'])}</strong><br>"
            f"<code>{html.escape(claim)}</code>{seed}</td>"
            f"<td>{page_links or '—'}</td><td>{slide_links or '—'}</td>"
            f"<td>{proof_cells or '—'}</td></tr>")
    summary = (f'<p class="mlnotes-claims-summary">{len(registry)} claims; {complete} with a '
               "page that states it, a slide that shows it and a cell that proves it.</p>")
    table = ('<table class="mlnotes-claims table"><caption>Every claim, where it is stated, '
             "shown and proved</caption><thead><tr><th scope=\"col\">#</th>"
             "<th scope=\"col\">claim</th><th scope=\"col\">stated on the page</th>"
             "<th scope=\"col\">shown on the slide</th><th scope=\"col\">proved by the cell "
             "(its output)</th></tr></thead><tbody>" + "".join(rows) + "</tbody></table>")
    for node in tables:
        node.replace_self(nodes.raw("", summary + table, format="html"))


def _shorten(text: str, lines: int = 8) -> str:
    parts = text.strip().splitlines()
    return "\n".join(parts[:lines] + (["…"] if len(parts) > lines else []))


def _render_ref(app: Sphinx, ref: claim_ref, docname: str, prefix: str) -> None:
    registry = load_registry(app)
    entry = registry.get(ref["claim"])
    up = "../" * docname.count("/")
    if entry is None:
        ref.replace_self(nodes.Text(ref["claim"]))
        return
    href = f"{up}{prefix}{LEDGER}.html#claim-{ref['claim']}"
    label = f"claim {entry['number']}"
    ref.replace_self(nodes.raw(
        "", f'<a class="mlnotes-claim" href="{html.escape(href)}" '
            f'title="{html.escape(entry["claim"])}">[{label}]</a>', format="html"))


def setup(app: Sphinx) -> dict:
    app.add_config_value("mlnotes_claims_file", "", "env", types=(str,))
    app.add_node(claim_ref)
    app.add_node(claims_ledger)
    app.add_role("claim", claim_role)
    app.add_directive("claims-ledger", ClaimsLedgerDirective)
    app.connect("doctree-read", collect_claims)
    app.connect("env-purge-doc", purge_doc)
    app.connect("env-merge-info", merge_docs)
    app.connect("env-get-outdated", ledger_always_rebuilt)
    app.connect("doctree-resolved", fill_ledger)
    app.connect("build-finished", write_slide_places)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
