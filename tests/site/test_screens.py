"""The site on the screens its users have: a phone, a laptop, a lecturer's keys, a handout.

A phone reader (390 px, touch) opens the navigation and the page's contents with a
tap; a laptop reader collapses the sidebar; no page of the book or of the API scrolls
sideways at 1,280 or 390 px. A lecturer's one key (ArrowRight, PageDown, Space, or the
on-screen ▶) steps through every slide of every deck in order, and every slide, all its
fragments shown, fits the configured 1280x800, presented and printed. And the smaller
things a reader notices, each with its assertion: search, dark editors, predictions,
what the first Run downloads, the chalkboard's storage, printed buttons.

Sizes are measured in the browser: the extent of what a slide shows (every element,
a scrolling box counted as its own box), in the slide's own pixels.
"""

from __future__ import annotations

import pytest
from sitekit import SCREENSHOTS, book_pages, decks

# ------------------------------------------------------------------ measurements

# The extent of what `root` shows, in the slide's own pixels (the presented deck is
# scaled to the window: the rectangles are divided by reveal.js's scale), relative
# to root's top left corner. What a scrolling box holds counts as the box itself;
# speaker notes, scripts and hidden things do not count.
EXTENT = """([root, scale]) => {
  const base = root.getBoundingClientRect();
  let right = 0, bottom = 0, left = 0, widest = '', tallest = '';
  const walk = (el) => {
    for (const child of el.children) {
      const style = getComputedStyle(child);
      if (style.display === 'none' || style.visibility === 'hidden'
          || child.tagName === 'ASIDE' || child.tagName === 'SCRIPT') continue;
      const r = child.getBoundingClientRect();
      if (r.width > 0 && r.height > 0) {
        const b = (r.bottom - base.top) / scale, rr = (r.right - base.left) / scale;
        const name = child.tagName.toLowerCase() + '.' + String(child.className).slice(0, 40);
        if (b > bottom) { bottom = b; tallest = name; }
        if (rr > right) { right = rr; widest = name; }
        left = Math.min(left, (r.left - base.left) / scale);
      }
      const scrolls = style.overflowX !== 'visible' || style.overflowY !== 'visible';
      if (!scrolls && child.namespaceURI === 'http://www.w3.org/1999/xhtml'
          && !child.tagName.startsWith('MJX')) walk(child);
    }
  };
  walk(root);
  return {right: Math.round(right), bottom: Math.round(bottom), left: Math.round(left),
          widest, tallest};
}"""

SLIDE_W, SLIDE_H = 1280, 800  # conf.py's revealjs_script_conf width and height


def _deck_ready(page) -> None:
    page.wait_for_function("window.Reveal && Reveal.isReady()", timeout=15_000)
    page.evaluate("""async () => {
      if (window.MathJax && MathJax.startup && MathJax.startup.promise) {
        await MathJax.startup.promise;
      }
    }""")


def _images_loaded(page, scope: str) -> None:
    page.wait_for_function(
        f"Array.from(({scope}).querySelectorAll('img')).every(i => i.complete)",
        timeout=15_000)


def _overflow(extent: dict) -> bool:
    return extent["right"] > SLIDE_W or extent["bottom"] > SLIDE_H or extent["left"] < 0


# ------------------------------------------------------------- a phone, a laptop


def test_phone_reader_opens_the_navigation_the_contents_and_search(visit):
    v = visit("softmax.html", phone=True)
    page = v.page
    page.wait_for_timeout(300)
    home = page.locator(".bd-header-article a.mlnotes-home")
    assert home.is_visible() and home.get_attribute("href") == "index.html"

    page.locator(".primary-toggle:visible").first.tap()
    nav = page.locator("#pst-primary-sidebar-modal")
    page.wait_for_function("document.querySelector('#pst-primary-sidebar-modal').open")
    link = nav.get_by_role("link", name="Losses")
    assert link.is_visible(), "the tapped ☰ shows no navigation"
    box = link.bounding_box()
    assert 0 <= box["x"] and box["x"] + box["width"] <= 390
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "phone-menu-open.png"))
    page.keyboard.press("Escape")
    page.wait_for_function("!document.querySelector('#pst-primary-sidebar-modal').open")

    page.locator(".secondary-toggle:visible").first.tap()
    page.wait_for_function("document.querySelector('#pst-secondary-sidebar-modal').open")
    contents = page.locator("#pst-secondary-sidebar-modal nav a").first
    assert contents.is_visible(), "the tapped 'On this page' shows no contents"
    page.keyboard.press("Escape")
    page.wait_for_function("!document.querySelector('#pst-secondary-sidebar-modal').open")

    # the next tap, on the search icon, reaches it: no tooltip left over takes it
    search = page.locator(".bd-header-article .search-button:visible").first
    box = search.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    # (once the closed sidebar's fade, a fraction of a second, is over)
    page.wait_for_function(
        "([x, y]) => !!document.elementFromPoint(x, y).closest('.search-button')",
        arg=[x, y], timeout=2_000)
    page.touchscreen.tap(x, y)
    page.wait_for_function("document.querySelector('#pst-search-dialog').open")
    assert page.locator(".tooltip:visible").count() == 0
    v.assert_clean()


def test_laptop_reader_collapses_and_expands_the_sidebar(visit):
    v = visit("softmax.html")
    page = v.page
    toggle = page.locator(".primary-toggle:visible")
    assert toggle.count() == 1
    visible = "getComputedStyle(document.querySelector('#pst-primary-sidebar')).visibility"
    assert page.evaluate(visible) == "visible"
    toggle.click()
    page.wait_for_function(f"{visible} === 'hidden'")
    toggle.click()
    page.wait_for_function(f"{visible} === 'visible'")
    assert not page.evaluate("document.querySelector('#pst-primary-sidebar-modal').open")
    v.assert_clean()


#: every icon of the page: its box, and what its ::before draws in which font
ICONS = """() => [...document.querySelectorAll('i[class*="fa-"]')].map(i => {
  const before = getComputedStyle(i, '::before'), box = i.getBoundingClientRect();
  return {cls: i.className, content: before.content, font: before.fontFamily,
          width: box.width, shown: i.offsetParent !== null}; })"""


def test_icons_are_drawn_by_the_theme_font_without_its_script(visit):
    # the theme's fontawesome.js (1.5 MB, inline SVG icons) is left out of every page
    # (mlnotes_site/templates/static/webpack-macros.html): its stylesheet's web font draws them
    v = visit("softmax.html")
    page = v.page
    scripts = page.evaluate("[...document.scripts].map(s => s.src)")
    assert not [s for s in scripts if "fontawesome" in s], scripts
    page.evaluate("document.fonts.ready")
    icons = page.evaluate(ICONS)
    shown = [i for i in icons if i["shown"]]
    assert len(shown) >= 4, icons  # the menu, search, theme and contents icons at least
    for icon in shown:
        assert icon["content"] not in ("none", "normal", '""'), icon
        assert "Font Awesome" in icon["font"], icon
        assert icon["width"] > 0, icon
    assert page.evaluate("document.fonts.check('900 16px \"Font Awesome 7 Free\"')")
    v.assert_clean()


SIDEWAYS = """() => {
  const d = document.documentElement;
  const wide = [];
  if (d.scrollWidth > d.clientWidth) {
    // name what pushes the page: elements past the right edge, outside any scrolling box
    const inScroller = (el) => {
      for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
        if (getComputedStyle(a).overflowX !== 'visible') return true;
      }
      return false;
    };
    for (const el of document.querySelectorAll('.bd-main *')) {
      const r = el.getBoundingClientRect();
      if (r.right > d.clientWidth + 1 && r.width > 0 && !inScroller(el)) {
        wide.push(el.tagName + '.' + String(el.className).slice(0, 30) + ': '
                  + el.textContent.trim().slice(0, 40));
      }
    }
  }
  return {scrollWidth: d.scrollWidth, clientWidth: d.clientWidth, wide: wide.slice(0, 5)};
}"""


@pytest.mark.parametrize("phone", [False, True], ids=["1280px", "390px-touch"])
@pytest.mark.parametrize("path", book_pages())
def test_no_page_scrolls_sideways(visit, path, phone):
    v = visit(path, phone=phone)
    width = v.page.evaluate(SIDEWAYS)
    assert width["scrollWidth"] <= width["clientWidth"], width
    if path == "claims.html" and not phone:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        v.page.locator("table.mlnotes-claims").scroll_into_view_if_needed()
        v.page.screenshot(path=str(SCREENSHOTS / "ledger.png"))


def test_a_long_inline_formula_is_not_cut_and_wide_display_math_says_it_scrolls(visit):
    v = visit("softmax.html", phone=True)
    # the exercise's bound: every formula of it can be seen (none clipped by its box)
    clipped = v.page.evaluate("""() => Array.from(document.querySelectorAll('span.math'))
      .filter(s => getComputedStyle(s).overflowX === 'hidden'
                   && s.scrollWidth > s.clientWidth + 1)
      .map(s => s.textContent.slice(0, 50))""")
    assert clipped == []
    # (and its upper bound, "+ log K", is seen whole, not scrolled out of its box)
    bounds = v.page.evaluate("""() => Array.from(document.querySelectorAll('span.math'))
      .filter(s => s.textContent.includes('logsumexp') && s.textContent.endsWith('K'))
      .map(s => [s.scrollWidth <= s.clientWidth + 1,
                 s.getBoundingClientRect().right <= document.documentElement.clientWidth])""")
    assert bounds and all(a and b for a, b in bounds), bounds
    v.page.wait_for_function("document.querySelector('[data-mlnotes-wide]') !== null")
    cues = v.page.evaluate("""() => Array.from(document.querySelectorAll(
        'div.math > mjx-container[data-mlnotes-wide]')).map(m => [
          m.scrollWidth > m.clientWidth,
          getComputedStyle(m.parentElement, '::after').content])""")
    assert cues, "no display formula is wider than a phone: the cue is untested"
    for scrolls, cue in cues:
        assert scrolls and "scrolls" in cue


# --------------------------------------------------------------- the lecturer


@pytest.mark.parametrize("path", decks())
def test_every_slide_fits_when_presented(visit, path):
    v = visit(path)
    page = v.page
    _deck_ready(page)
    slides = page.evaluate("""() => Reveal.getSlides().map(s => {
        const i = Reveal.getIndices(s); return [i.h, i.v || 0]; })""")
    over, tallest = [], (0, None)
    for number, (h, v_) in enumerate(slides, start=1):
        page.evaluate(f"Reveal.slide({h}, {v_}, 999)")  # every fragment shown
        _images_loaded(page, "Reveal.getCurrentSlide()")
        extent = page.evaluate(
            f"(x) => ({EXTENT})([Reveal.getCurrentSlide(), Reveal.getScale()])")
        if _overflow(extent):
            over.append((number, extent))
        tallest = max(tallest, (extent["bottom"], (h, v_)))
    assert over == [], f"slides past {SLIDE_W}x{SLIDE_H}: {over}"
    if path == "slides/gating.html":
        h, v_ = tallest[1]
        page.evaluate(f"Reveal.slide({h}, {v_}, 999)")
        page.wait_for_timeout(300)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "deck-tallest-slide.png"))


@pytest.mark.parametrize("path", decks())
def test_every_slide_fits_in_print(visit, path):
    v = visit(path + "?print-pdf")
    page = v.page
    _deck_ready(page)
    page.wait_for_selector(".pdf-page", state="attached", timeout=15_000)
    _images_loaded(page, "document")
    pages = page.evaluate(f"""() => Array.from(document.querySelectorAll('.pdf-page > section'))
        .map(s => [s.querySelector('h1, h2, h3')?.textContent || '',
                   ({EXTENT})([s, 1])])""")
    assert len(pages) == page.evaluate("Reveal.getTotalSlides()")
    over = [(n, title, e) for n, (title, e) in enumerate(pages, start=1) if _overflow(e)]
    assert over == [], f"printed slides past {SLIDE_W}x{SLIDE_H}: {over}"
    # the handout shows code and output, not the live cells' buttons
    assert page.locator(".mlnotes-live-toolbar button:visible").count() == 0


WALK = """() => {
  const i = Reveal.getIndices();
  return [[i.h, i.v || 0, i.f === undefined ? -1 : i.f],
          Reveal.isLastSlide() && !Reveal.availableFragments().next];
}"""  # where the deck stands (slide, sub-slide, fragment), and whether it is at its end


@pytest.mark.parametrize("key", ["ArrowRight", "PageDown", "Space", "the ▶ control"])
@pytest.mark.parametrize("path", decks())
def test_one_key_steps_through_every_slide_in_order(visit, path, key):
    v = visit(path)
    page = v.page
    _deck_ready(page)
    order = page.evaluate("""() => Reveal.getSlides().map(s => {
        const i = Reveal.getIndices(s); return [i.h, i.v || 0]; })""")
    if key == "the ▶ control":
        # the mouse pressed where the control is drawn (it stays in its corner), so the
        # press reaches whatever is on top there, as a lecturer's click would
        box = page.locator(".reveal .controls .navigate-right").bounding_box()
        centre = (box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    step, last = page.evaluate(WALK)
    seen = [step]
    for _ in range(40 * len(order)):
        if last:
            break
        if key == "the ▶ control":
            page.mouse.click(*centre)
        else:
            page.keyboard.press(key)
        step, last = page.evaluate(WALK)
        assert step > seen[-1], f"{key} went from {seen[-1]} to {step}"
        seen.append(step)
    visited = []
    for h, v_, _f in seen:
        if not visited or visited[-1] != [h, v_]:
            visited.append([h, v_])
    assert visited == order, f"{key} showed {len(visited)} of {len(order)} slides"


def test_controls_are_not_covered_and_sub_slides_look_like_slides(visit):
    v = visit("slides/training.html")
    page = v.page
    _deck_ready(page)
    page.evaluate("Reveal.slide(3, 0)")  # a stack: ◀ and ▶ (and ▼ if shown) are enabled
    page.wait_for_timeout(300)
    covered = page.evaluate("""() => Array.from(document.querySelectorAll('.controls button'))
      .filter(b => getComputedStyle(b).display !== 'none' && b.classList.contains('enabled'))
      .filter(b => {
        const r = b.getBoundingClientRect();
        const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        return !b.contains(top);
      }).map(b => b.className)""")
    assert covered == []
    # the slide-number badge and every shown control lie apart
    apart = page.evaluate("""() => {
      const n = document.querySelector('.slide-number').getBoundingClientRect();
      return Array.from(document.querySelectorAll('.controls button'))
        .filter(b => getComputedStyle(b).display !== 'none')
        .every(b => { const r = b.getBoundingClientRect();
          return r.right <= n.left || r.left >= n.right
                 || r.bottom <= n.top || r.top >= n.bottom; });
    }""")
    assert apart
    titles = page.evaluate("""() => {
      const look = (e) => { const s = getComputedStyle(e); return [s.fontSize, s.textAlign]; };
      const sub = document.querySelector('.slides > section > section:nth-child(2) > h3');
      const main = document.querySelector('.slides > section > section:first-child > h2');
      return [look(main), look(sub)];
    }""")
    assert titles[0] == titles[1] and titles[1][1] == "center", titles


def test_the_presenting_slide_lists_the_keys_and_the_chalkboard(visit):
    v = visit("slides/index.html")
    _deck_ready(v.page)
    text = v.page.evaluate("""() => Reveal.getSlides()
        .find(s => s.querySelector('h2')?.textContent.trim().startsWith('Presenting'))
        .textContent""")
    for key in ("→", "Space", "PageDown", "▶", "←", "S", "F", "Esc", "?",
                "Chalkboard", "C", "B", "X", "Y", "right-drag", "Del", "?print-pdf"):
        assert key in text, f"{key!r} missing from the Presenting slide"


def test_chalkboard_loads_without_a_storage_warning(browser, server):
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    messages = []
    page.on("console", lambda m: messages.append(m.text))
    page.goto(server + "slides/softmax.html")
    page.wait_for_function("window.Reveal && Reveal.isReady() && window.RevealChalkboard")
    page.wait_for_timeout(300)
    context.close()
    assert not [m for m in messages if "storage" in m.lower()], messages


# ------------------------------------------------------------ the smaller things


def test_live_output_on_a_slide_is_as_large_as_its_code(visit):
    v = visit("slides/softmax.html")
    _deck_ready(v.page)
    sizes = v.page.evaluate("""() => {
      const cell = document.querySelector('[data-live-cell]');
      const out = cell.querySelector('.mlnotes-live-output');
      const pre = document.createElement('pre');  // what a Run writes there
      pre.className = 'mlnotes-live-text';
      pre.textContent = 'output';
      out.append(pre);
      out.hidden = false;
      const code = document.querySelector('.reveal .cell:not([data-live-cell]) .cell_input pre');
      const size = (e) => parseFloat(getComputedStyle(e).fontSize);
      return [size(pre), size(code)];
    }""")
    assert sizes[0] == pytest.approx(sizes[1]), sizes


def test_editors_are_dark_in_the_dark_theme(visit):
    v = visit("softmax.html", color_scheme="dark")
    v.page.wait_for_selector("[data-live-cell] .cm-editor")
    assert v.page.evaluate("document.documentElement.dataset.theme") == "dark"
    colours = v.page.evaluate("""() => {
      const rgb = (c) => c.match(/\\d+(\\.\\d+)?/g).slice(0, 3).map(Number);
      const lum = (c) => { const [r, g, b] = rgb(c).map(x => { x /= 255;
        return x <= 0.03928 ? x / 12.92 : ((x + 0.055) / 1.055) ** 2.4; });
        return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
      const e = document.querySelector('[data-live-cell] .cm-editor');
      const s = getComputedStyle(e);
      return [lum(s.backgroundColor), lum(s.color)];
    }""")
    background, text = colours
    assert background < 0.05, f"the editor's background has luminance {background:.2f}"
    assert (text + 0.05) / (background + 0.05) >= 4.5


def test_a_prediction_shows_no_answer_before_run(visit):
    v = visit("gating.html", via="file")
    cells = v.page.locator(".cell.tag_predict")
    assert cells.count() >= 2
    for k in range(cells.count()):
        assert not cells.nth(k).locator(".cell_output").is_visible()
    # from a file, where Python cannot start, Run shows the build's answer instead
    cells.nth(0).get_by_role("button", name="Run").click()
    assert cells.nth(0).locator(".cell_output").is_visible()
    v.assert_clean()


def test_run_says_what_it_downloads_first(visit):
    v = visit("softmax.html")
    run = v.page.locator("[data-live-cell] .mlnotes-live-run").first
    assert "MB" in run.get_attribute("title")
    v.page.route("**/mlnotes-live.json*", lambda r: None)  # held: Python never arrives
    run.click()
    status = v.page.locator("[data-live-cell] .mlnotes-live-status").first
    v.page.wait_for_function("(e) => e.textContent.includes('MB')", arg=status.element_handle())
    assert "Starting Python" in status.inner_text()


def test_one_search_box_on_a_laptop(visit):
    v = visit("softmax.html")
    boxes = v.page.locator(".search-button-field:visible, .search-button:visible")
    assert boxes.count() == 1
    v.assert_clean()


def test_search_ranks_the_page_first_and_its_snippets_are_text(visit):
    v = visit("search.html?q=softmax")
    page = v.page
    page.wait_for_selector("#search-results li a", timeout=15_000)
    page.wait_for_function("document.querySelectorAll('#search-results li p.context').length > 2",
                           timeout=15_000)
    first = page.eval_on_selector("#search-results li a", "a => a.href")
    assert first.split("?")[0].split("#")[0].endswith("/softmax.html"), first
    snippets = page.eval_on_selector_all("#search-results li p.context",
                                         "ps => ps.map(p => p.textContent)")
    for text in snippets:
        assert "System Settings" not in text and "Light Dark" not in text, text
        assert "\\(" not in text and "\\frac" not in text and "\\mathrm" not in text, text
    v.assert_clean()


def test_printed_pages_show_no_live_buttons(visit):
    v = visit("softmax.html")
    assert v.page.locator(".mlnotes-live-toolbar button:visible").count() > 0
    v.page.emulate_media(media="print")
    assert v.page.locator(".mlnotes-live-toolbar button:visible").count() == 0
