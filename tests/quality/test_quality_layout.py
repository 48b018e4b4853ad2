"""The theme keeps its promises in Chromium: faces at their sizes, nothing wider than the
screen, nothing under the header, the navigation on one row on a phone."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

WIDTHS = [320, 390, 1280]
PAGES = ["", "stories/night-shift/", "stories/osaka-first-year/", "people/",
         "people/ana-lindqvist/", "teams/", "tags/", "tags/shift-work/", "archive/",
         "stories/night-shift/share/", "404.html"]


@pytest.fixture(scope="module")
def pages(browser, served_site):
    """open(width) -> a page at that width; closed at the end."""
    contexts = []

    def open_at(width: int):
        context = browser.new_context(viewport={"width": width, "height": 800})
        contexts.append(context)
        return context.new_page()

    yield open_at
    for context in contexts:
        context.close()


def rendered_size(page, selector: str) -> list[dict]:
    return page.eval_on_selector_all(selector, """els => els.map(e => {
        const r = e.getBoundingClientRect();
        return {width: r.width, height: r.height, complete: e.complete !== false,
                natural: e.naturalWidth || 0};
    })""")


@pytest.mark.parametrize("width", WIDTHS)
def test_nothing_is_wider_than_the_screen(pages, served_site, width):
    page = pages(width)
    wide = []
    for path in PAGES:
        assert page.goto(served_site + path).ok, path
        found = page.evaluate("""() => {
            const limit = document.documentElement.clientWidth;
            const out = [];
            if (document.documentElement.scrollWidth > limit) out.push('document ' + document.documentElement.scrollWidth);
            for (const e of document.querySelectorAll('body *')) {
                const r = e.getBoundingClientRect();
                if (r.width === 0 || r.height === 0) continue;
                let clipped = false;
                for (let p = e.parentElement; p && p !== document.body; p = p.parentElement) {
                    const style = getComputedStyle(p);
                    if (style.overflowX !== 'visible' || style.overflow === 'hidden') { clipped = true; break; }
                }
                // wholly off-screen on purpose (the skip link until it has focus) is not overflow
                if (!clipped && r.right > 0 && (r.right > limit + 1 || r.left < -1))
                    out.push(e.tagName.toLowerCase() + '.' + e.className + ' ' + Math.round(r.left) + '..' + Math.round(r.right));
            }
            return out.slice(0, 5);
        }""")
        wide += [f"{path or 'index'} at {width}px: {item}" for item in found]
    assert not wide, "\n".join(wide)


@pytest.mark.parametrize("width", [390, 1280])
def test_faces_are_shown_at_the_promised_sizes(pages, served_site, width):
    page = pages(width)
    page.goto(served_site)
    faces = rendered_size(page, ".card .card-face")
    assert faces and all(f["width"] >= 96 and f["height"] >= 96 for f in faces), faces
    page.goto(served_site + "stories/night-shift/")
    byline = rendered_size(page, ".story-person .avatar")
    title = page.eval_on_selector("h1", "e => e.getBoundingClientRect().height")
    assert len(byline) == 1 and byline[0]["width"] >= (144 if width > 600 else 112), byline
    assert byline[0]["height"] >= title * 0.9 or byline[0]["width"] >= 144
    cover = rendered_size(page, ".related .card-cover, .story-image img")
    assert cover, "the night-shift photo shows on its page"
    page.goto(served_site + "tags/shift-work/")
    covers = rendered_size(page, ".card-cover")
    assert covers and all(c["width"] > 200 for c in covers), covers     # the story's picture


def test_pronouns_are_smaller_than_the_name(pages, served_site):
    page = pages(1280)
    page.goto(served_site + "stories/night-shift/")
    name, pronouns = page.eval_on_selector(".byline-name", """e => [
        parseFloat(getComputedStyle(e.querySelector('a')).fontSize),
        parseFloat(getComputedStyle(e.querySelector('.pronouns')).fontSize)]""")
    assert pronouns <= name * 0.7, (name, pronouns)


@pytest.mark.parametrize("width", WIDTHS)
def test_nothing_starts_under_the_header(pages, served_site, width):
    page = pages(width)
    for path in PAGES:
        page.goto(served_site + path)
        gap = page.evaluate("""() => {
            const header = document.querySelector('.masthead').getBoundingClientRect();
            const main = document.querySelector('main');
            let first = null;
            for (const e of main.querySelectorAll('h1, .breadcrumb, .hero, .story-person')) {
                const r = e.getBoundingClientRect();
                if (r.height > 0 && (first === null || r.top < first)) first = r.top;
            }
            return first - header.bottom;
        }""")
        assert gap >= 0, (path, width, gap)
        if "share" not in path and path:          # the home page's hero starts at the rule
            assert gap >= 24, (path, width, gap)  # one rhythm: room under the header rule


@pytest.mark.parametrize("width", [390, 1280])
def test_navigation_is_one_row(pages, served_site, width):
    page = pages(width)
    page.goto(served_site)
    tops = page.eval_on_selector_all(".masthead nav li", "els => els.map(e => e.getBoundingClientRect().top)")
    # Stories, People, Teams, Topics, the search box and Jobs, all on one row
    assert len(tops) == 6 and max(tops) - min(tops) < 2, tops
    fits = page.eval_on_selector(".masthead nav", "e => e.scrollWidth <= e.clientWidth + 1")
    assert fits, "every item is visible without scrolling the menu"
