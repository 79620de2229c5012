"""WCAG 2.1 level AA, checked by axe-core over every page and every deck.

axe-core (npm, `package.json`'s devDependencies) is injected into each page as it
loads from the test server; it runs the WCAG 2.0 and 2.1 A and AA rules. A page or
deck passes with no critical and no serious violation; the moderate and minor ones
are printed (run pytest with -s to see them). The book is audited in its light and
its dark theme (the reader's system preference picks one); each deck as presented
and in its print view, where every slide is laid out at once, so every slide is
audited without walking the deck.
"""

from __future__ import annotations

import pytest
from sitekit import ROOT, book_pages, decks

AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

RUN_AXE = """async (tags) => {
  if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
    await MathJax.startup.promise;
  }
  await new Promise(r => setTimeout(r, 300));  // the site's own repairs run on load
  // resultTypes: the violations come back in full; of the rules that pass, axe keeps one
  // node each instead of every node it checked (a fifth of the audit's time, same verdict)
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags},
                                          resultTypes: ['violations']});
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => n.target.join(' ')),
  }));
}"""


def _audit(v) -> list[dict]:
    if not AXE.is_file():
        pytest.fail(f"axe-core is missing ({AXE}): run `make install`", pytrace=False)
    v.page.add_script_tag(path=str(AXE))
    return v.page.evaluate(RUN_AXE, WCAG_AA)


def _check(path: str, violations: list[dict]) -> None:
    bad = [x for x in violations if x["impact"] in ("critical", "serious")]
    for x in violations:
        if x not in bad:
            print(f"{path}: {x['impact']} {x['id']} ({len(x['nodes'])} nodes): {x['help']}")
    assert bad == [], "\n".join(
        f"{x['impact']} {x['id']}: {x['help']} at {x['nodes'][:5]}" for x in bad)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("path", book_pages())
def test_book_page_meets_wcag_aa(visit, path, scheme):
    v = visit(path, color_scheme=scheme)
    if scheme == "dark":  # the theme follows the system's preference
        assert v.page.evaluate("document.documentElement.dataset.theme") == "dark"
    _check(f"{path} ({scheme})", _audit(v))


def test_the_audit_sees_what_it_must_refuse(visit):
    """Pale text and an image without a description, put into a page, fail the audit."""
    v = visit("index.html")
    v.page.evaluate("""() => {
      const p = document.createElement('p');
      p.textContent = 'pale grey words on white';
      p.style.cssText = 'color: #d0d0d0; background: #ffffff';
      const img = document.createElement('img');
      img.src = 'data:image/gif;base64,R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7';
      document.querySelector('main').append(p, img);
    }""")
    violations = _audit(v)
    found = {x["id"]: x["impact"] for x in violations}
    assert found.get("color-contrast") == "serious" and found.get("image-alt") == "critical", found
    with pytest.raises(AssertionError, match="color-contrast"):
        _check("index.html with faults", violations)


@pytest.mark.parametrize("view", ["", "?print-pdf"])
@pytest.mark.parametrize("path", decks())
def test_deck_meets_wcag_aa(visit, path, view):
    v = visit(path + view)
    v.page.wait_for_function("window.Reveal && Reveal.isReady()", timeout=15_000)
    _check(path + view, _audit(v))


def test_deck_viewport_allows_zoom(visit):
    v = visit("slides/softmax.html")
    contents = v.page.evaluate(
        "Array.from(document.querySelectorAll('meta[name=viewport]'), m => m.content)")
    assert contents
    for content in contents:
        assert "user-scalable=no" not in content and "maximum-scale" not in content


def test_every_cell_figure_has_a_description(visit):
    v = visit("softmax.html")
    alts = v.page.eval_on_selector_all("div.cell_output img", "is => is.map(i => i.alt)")
    assert len(alts) >= 6
    assert all(len(a) > 40 and not a.endswith(".png") for a in alts), alts


FOCUSED = """() => {
  const e = document.activeElement;
  const style = getComputedStyle(e);
  const box = e.closest('.cm-editor') ? getComputedStyle(e.closest('.cm-editor')) : style;
  const visible = (style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0)
    || (box.outlineStyle !== 'none' && parseFloat(box.outlineWidth) > 0)
    || style.boxShadow !== 'none';
  let kind = null;
  if (e.classList.contains('search-button__button')) kind = 'search';
  else if (e.classList.contains('theme-switch-button')) kind = 'theme switch';
  else if (e.classList.contains('cm-content')) kind = 'live editor';
  else if (e.classList.contains('mlnotes-live-run')) kind = 'Run';
  else if (e.classList.contains('mlnotes-live-check')) kind = 'Check';
  else if (e.matches('.mlnotes-solution > summary')) kind = 'solution';
  return {kind, visible};
}"""


def test_keyboard_alone_reaches_every_control_with_visible_focus(visit):
    """Tab through a page with live cells and exercises: search, the theme switch, an
    editor, Run, Check and a folded solution are reached, each with a visible focus."""
    v = visit("softmax.html")
    v.page.wait_for_selector("[data-live-cell] .cm-content", timeout=15_000)
    reached: dict[str, bool] = {}
    wanted = {"search", "theme switch", "live editor", "Run", "Check", "solution"}
    for _ in range(600):
        v.page.keyboard.press("Tab")
        seen = [v.page.evaluate(FOCUSED)]
        if seen[0]["kind"] == "live editor":
            # CodeMirror marks its focus (class cm-focused) a moment after the event
            v.page.wait_for_function("document.activeElement.closest('.cm-focused')")
            seen[0] = v.page.evaluate(FOCUSED)
            v.page.keyboard.press("Escape")  # Esc leaves the editor for its Run button
            seen.append(v.page.evaluate(FOCUSED))
            assert seen[-1]["kind"] == "Run"
        for focus in seen:
            if focus["kind"]:
                reached[focus["kind"]] = reached.get(focus["kind"], True) and focus["visible"]
        if wanted <= reached.keys():
            break
    assert wanted <= reached.keys(), f"never reached by Tab: {wanted - reached.keys()}"
    assert all(reached.values()), f"focus not visible on: {reached}"


def test_decks_respect_reduced_motion(browser, server):
    context = browser.new_context(reduced_motion="reduce")
    try:
        page = context.new_page()
        page.goto(server + "slides/softmax.html")
        page.wait_for_function("window.Reveal && Reveal.isReady()", timeout=15_000)
        assert page.evaluate("Reveal.getConfig().transition") == "none"
        page.evaluate("Reveal.slide(1)")
        fragment = page.query_selector(".reveal .slides .fragment")
        if fragment:
            assert fragment.evaluate("f => getComputedStyle(f).transitionDuration") == "0s"
    finally:
        context.close()


@pytest.mark.parametrize("path", ["softmax.html", "slides/softmax.html"])
def test_formulas_carry_mathml_for_screen_readers(visit, path):
    """MathJax's assistive MathML: each rendered formula has a hidden MathML copy."""
    v = visit(path)
    counts = v.page.evaluate("""async () => {
      await MathJax.startup.promise;
      const all = document.querySelectorAll('mjx-container');
      const mml = document.querySelectorAll('mjx-container > mjx-assistive-mml > math');
      return [all.length, mml.length];
    }""")
    assert counts[0] >= 20 and counts[0] == counts[1], counts
