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
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}});
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


def test_keyboard_reaches_a_live_cell_with_visible_focus(visit):
    """Tab alone reaches the first live cell's editor, and its focus is visible."""
    v = visit("softmax.html")
    v.page.wait_for_selector("[data-live-cell] .cm-content", timeout=15_000)
    for _ in range(400):
        v.page.keyboard.press("Tab")
        if v.page.evaluate("document.activeElement.classList.contains('cm-content')"):
            break
    else:
        pytest.fail("Tab never reached a live cell's editor")
    outline = v.page.evaluate(
        "getComputedStyle(document.activeElement.closest('.cm-editor')).outlineStyle")
    assert outline not in ("", "none")
    v.page.keyboard.press("Escape")  # Esc leaves the editor for its Run button
    assert v.page.evaluate("document.activeElement.textContent.trim()") == "Run"


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
