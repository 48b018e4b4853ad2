"""The sample site in headless Chromium: axe-core at WCAG 2.1 AA, keyboard, print, no JavaScript."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
PHONE = {"width": 375, "height": 667}
DESKTOP = {"width": 1280, "height": 800}
# One of each kind of page, the Japanese story and the bundle story with its photo.
PAGES = ["", "stories/night-shift/", "stories/osaka-first-year/",
         "stories/one-team-seven-time-zones/", "people/", "people/ana-lindqvist/",
         "tags/shift-work/", "teams/", "404.html"]
FOCUSABLE = "a[href], button, input, select, textarea, summary, [tabindex]:not([tabindex='-1'])"


def share_pages(site: Path) -> list[str]:
    """The share kit's pages, when the build makes them: the first and the Japanese one."""
    found = sorted(p.parent.relative_to(site).as_posix() + "/"
                   for p in site.glob("stories/*/share/index.html"))
    return [p for p in found if p.startswith(("stories/night-shift/", "stories/osaka"))] \
        or found[:1]


def axe_violations(page, axe_source: str) -> list[str]:
    page.add_script_tag(content=axe_source)
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})",
                           WCAG_TAGS)
    return [f"{v['id']} ({v['impact']}): {v['help']} at {node['target']}"
            for v in result["violations"] for node in v["nodes"][:3]]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_pages_have_no_axe_violations(browser, axe_source, served_site, sample_site,
                                      scheme, viewport):
    context = browser.new_context(viewport=viewport, color_scheme=scheme)
    page = context.new_page()
    found = []
    try:
        for path in PAGES + share_pages(sample_site):
            response = page.goto(served_site + path)
            assert response.ok, path
            found += [f"{path or 'index'}: {v}" for v in axe_violations(page, axe_source)]
    finally:
        context.close()
    assert not found, "\n".join(found)


def test_axe_reports_a_page_that_fails_wcag(browser, axe_source):
    page = browser.new_page()
    page.set_content("<!doctype html><html><head><title>x</title></head><body>"
                     "<p style='color:#bbb;background:#fff'>faint</p><img src='a.png'></body></html>")
    ids = " ".join(axe_violations(page, axe_source))
    page.close()
    assert "color-contrast" in ids and "image-alt" in ids and "html-has-lang" in ids


def _tab_through(page, limit: int) -> list[dict]:
    """Press Tab until focus comes back round; what got focus, and how it showed."""
    seen = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        info = page.evaluate("""() => {
            const el = document.activeElement;
            if (!el || el === document.body) return null;
            const style = getComputedStyle(el);
            const box = el.getBoundingClientRect();
            return {key: el.getAttribute('data-probe') || el.outerHTML.slice(0, 120),
                    html: el.outerHTML.slice(0, 120), visible: el.matches(':focus-visible'),
                    outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0,
                    shadow: style.boxShadow !== 'none',
                    onscreen: box.width > 0 && box.height > 0 && box.bottom > 0
                              && box.top < innerHeight};
        }""")
        if info is None or (seen and info["key"] == seen[0]["key"]):
            break
        seen.append(info)
    return seen


@pytest.mark.parametrize("path", ["stories/night-shift/", "people/"])
def test_keyboard_reaches_every_link_and_button_and_shows_focus(browser, served_site,
                                                                sample_site, path):
    context = browser.new_context(viewport=DESKTOP)
    page = context.new_page()
    try:
        for one in [path] + (share_pages(sample_site) if path.startswith("stories/") else []):
            page.goto(served_site + one)
            # Each element is known by a mark, not by its markup: the share kit's script
            # fills the sharer list when people.json arrives, which may be while we tab.
            wanted = dict(page.evaluate(f"""() => [...document.querySelectorAll("{FOCUSABLE}")]
                .filter(el => el.getClientRects().length && getComputedStyle(el).visibility
                              !== 'hidden' && !el.disabled)
                .map((el, i) => {{ el.setAttribute('data-probe', 'p' + i);
                                   return ['p' + i, el.outerHTML.slice(0, 120)]; }})"""))
            focused = _tab_through(page, len(wanted) + 5)
            assert focused and "Skip to the content" in focused[0]["html"], one
            keys = {f["key"] for f in focused}
            assert set(wanted) <= keys, (one, [wanted[k] for k in set(wanted) - keys])
            hidden = [f["html"] for f in focused
                      if not (f["visible"] and (f["outline"] or f["shadow"]) and f["onscreen"])]
            assert not hidden, (one, hidden)
    finally:
        context.close()


def test_a_story_prints_without_navigation_or_footer(browser, served_site):
    page = browser.new_page(viewport=DESKTOP)
    page.goto(served_site + "stories/night-shift/")
    page.emulate_media(media="print")
    shown = page.evaluate("""() => Object.fromEntries(
        ['.masthead nav', '.site-footer', '.jobs-cta', '.related', '.skip', 'h1', '.prose']
        .map(s => [s, [...document.querySelectorAll(s)].some(el => el.getClientRects().length
                   && getComputedStyle(el).display !== 'none')]))""")
    colour = page.evaluate("getComputedStyle(document.body).backgroundColor")
    pdf = page.pdf(format="A4")
    page.close()
    assert shown == {".masthead nav": False, ".site-footer": False, ".jobs-cta": False,
                     ".related": False, ".skip": False, "h1": True, ".prose": True}
    assert colour in ("rgb(255, 255, 255)", "rgba(0, 0, 0, 0)")
    assert pdf.startswith(b"%PDF")


def test_a_story_reads_without_javascript(browser, served_site):
    context = browser.new_context(viewport=PHONE, java_script_enabled=False)
    page = context.new_page()
    page.goto(served_site + "stories/night-shift/")
    heading = page.locator("h1").inner_text()
    text = page.locator(".prose").inner_text()
    image = page.locator(".story-image img").evaluate("img => img.complete && img.naturalWidth")
    context.close()
    assert heading == "Night shift, and why I asked for it"
    assert len(text) > 2000 and "What a night looks like" in text
    assert image > 0


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_images_below_the_fold_load_lazily_and_all_have_a_size(browser, served_site,
                                                               viewport):
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    wrong = []
    try:
        for path in PAGES:
            page.goto(served_site + path)
            for img in page.evaluate("""() => [...document.images].map(img => ({
                    src: img.getAttribute('src'), lazy: img.loading === 'lazy',
                    sized: img.hasAttribute('width') && img.hasAttribute('height'),
                    top: img.getBoundingClientRect().top + scrollY,
                    hero: !!img.closest('.story-image')}))"""):
                if not img["sized"]:
                    wrong.append(f"{path}: {img['src']} has no width and height")
                # The story's own photo is what the reader came for: it loads at once.
                if img["top"] > viewport["height"] and not img["lazy"] and not img["hero"]:
                    wrong.append(f"{path}: {img['src']} is below the fold but not lazy")
    finally:
        context.close()
    assert not wrong, "\n".join(wrong)
