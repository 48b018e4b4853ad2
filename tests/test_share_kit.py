"""The share kit page, the picture cards, and the Copy button in a real browser."""

from __future__ import annotations

import functools
import html
import http.server
import io
import json
import re
import shutil
import threading
import urllib.parse
from pathlib import Path

import pytest
import yaml
from PIL import Image

from firsthand.output import fingerprint
from firsthand.output.store import FOLDER, VERSION, Store
from firsthand.social.cards import CardText, draw_card, font_chain, missing_glyphs, png
from sites import QuietServer, SiteFolder, site_folder

SITE = """\
title: "Life at Testco"
company: Testco
base_url: https://careers.testco.example/
brand_color: "#7a1f5c"
social:
  hashtags: [LifeAtTestco]
  handles: {x: testco, mastodon: "@testco@social.example"}
  utm: {campaign: stories, medium: social}
  disclosure: "I work at Testco"
"""
ROOT = Path(__file__).resolve().parents[1]
QUOTE = 'quote: "At 04:00 the dock is the quietest place I know. Nothing hides there."\n'


def build_one_story(root) -> SiteFolder:
    site = site_folder(root, site=SITE)
    site.story("2026-02-10-night-shift.md", extra=QUOTE)
    run = site.build()
    assert run.code == 0, run.err
    return site


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A one-story site, built once for the tests that only read it."""
    return build_one_story(tmp_path_factory.mktemp("kit") / "src")


@pytest.fixture
def own_built(tmp_path):
    """The same site for a test that changes it or its cache."""
    return build_one_story(tmp_path / "src")


def snippets_of(site) -> dict:
    return json.loads((site.out / "snippets.json").read_text())["stories"][0]["snippets"]


def test_share_kit_shows_every_snippet_without_javascript(built):
    page = built.page("stories/night-shift/share/")
    snippets = snippets_of(built)
    for platform, main in snippets.items():
        ids = ["author", "colleague", "colleague-2", "colleague-3"]
        for id, snippet in zip(ids, [main, *main["variants"]]):
            found = re.search(rf'<textarea id="snippet-{platform}-{id}"[^>]*readonly'
                              rf'[^>]*>(.*?)</textarea>', page, re.S)
            assert found, platform
            assert html.unescape(found.group(1)) == snippet["text"]
            assert f'{snippet["length"]}</span> of {snippet["limit"]} characters' in page
            if "share_url" in snippet:
                assert f'href="{html.escape(snippet["share_url"])}"' in page
    assert len(re.findall(r'class="share-copy[" ]', page)) == 4 * len(snippets)
    assert 'aria-live="polite"' in page
    assert 'href="../../../stories/night-shift/og.png" download' in page
    assert 'href="../../../stories/night-shift/instagram.png" download' in page
    assert "data-mastodon-form" in page


def test_story_page_links_to_its_share_kit_and_previews_with_og_png(built):
    page = built.page("stories/night-shift/")
    assert 'href="../../stories/night-shift/share/"' in page
    assert ('<meta property="og:image" content="https://careers.testco.example/stories/'
            'night-shift/og.png">') in page
    assert '<meta property="og:image:width" content="1200">' in page
    assert '<meta property="og:image:height" content="630">' in page


def test_cards_have_their_sizes_and_the_brand_colour(built):
    og = Image.open(built.out / "stories/night-shift/og.png")
    assert og.size == (1200, 630)
    assert og.convert("RGB").getpixel((5, 5)) == (0x7a, 0x1f, 0x5c)
    portrait = Image.open(built.out / "stories/night-shift/instagram.png")
    assert portrait.size == (1080, 1350)


def test_an_unchanged_story_reuses_its_cached_card(own_built):
    cards = own_built.root / FOLDER / f"v{VERSION}" / "cards"
    # og.png and instagram.png, each kept as a file, which the site's file is a link to
    cached = sorted(p for p in cards.rglob("*.file"))
    assert len(cached) == 2
    assert len([p for p in cards.rglob("*") if p.is_file()]) == 4     # and their .ref
    og = own_built.out / "stories/night-shift/og.png"
    assert og.stat().st_ino in {p.stat().st_ino for p in cached}
    marker = io.BytesIO()
    Image.new("RGB", (1200, 630), (1, 2, 3)).save(marker, format="PNG")
    store = Store(own_built.root / FOLDER)
    for entry in cached:                                       # what a re-draw would replace
        store.put_file("cards", entry.parent.name + entry.stem, marker.getvalue())
    # the record of an unchanged site would skip the build (its files are old enough)
    (own_built.root / FOLDER / fingerprint.RECORD).unlink(missing_ok=True)
    assert own_built.build().code == 0
    assert (own_built.out / "stories/night-shift/og.png").read_bytes() == marker.getvalue()
    own_built.story("2026-02-10-night-shift.md", title="A different title", extra=QUOTE)
    assert own_built.build().code == 0
    assert (own_built.out / "stories/night-shift/og.png").read_bytes() != marker.getvalue()
    assert len(list(cards.rglob("*.file"))) == 4


def test_the_same_input_gives_the_same_cards(own_built, tmp_path):
    first = own_built.snapshot()
    shutil.rmtree(own_built.root / ".firsthand-cache")
    assert own_built.build().code == 0
    assert own_built.snapshot() == first


def _fonts_for(*needles: str) -> bool:
    names = " ".join(path.name for path, _ in font_chain("bold"))
    return all(needle in names for needle in needles)


@pytest.mark.skipif(not _fonts_for("NotoSans-", "CJK", "Arabic"),
                    reason="needs Debian's fonts-noto-core and fonts-noto-cjk (.ci/run installs them)")
@pytest.mark.parametrize("title", [
    "Chennai to Göteborg: Ærø, Łódź, São Paulo, Ğ, ő",
    "大阪での一年目：電話の向こうにある冷蔵庫",
    "بيع التبريد بثلاث لغات: الثقة قبل السعر",
])
def test_sample_scripts_render_without_missing_glyph_boxes(title):
    assert missing_glyphs(title) == []
    card = CardText(title, "Aiko Tanaka", "Customer Support Specialist", "Lumenfold", "#0b6e4f",
                    "AT")
    assert Image.open(io.BytesIO(draw_card(card, "og"))).size == (1200, 630)


def test_long_titles_shrink_and_stay_on_the_card():
    long = CardText("Word " * 80, "Ana Lindqvist", "Shift Lead", "Testco", "#0b6e4f", "AL")
    short = CardText("Nights", "Ana Lindqvist", "Shift Lead", "Testco", "#0b6e4f", "AL")
    for kind, size in (("og", (1200, 630)), ("instagram", (1080, 1350))):
        assert Image.open(io.BytesIO(draw_card(long, kind))).size == size
        assert draw_card(long, kind) != draw_card(short, kind)


# -- the Copy button in Chromium ---------------------------------------------------------


@pytest.mark.browser
@pytest.mark.parametrize("size", [(1, 1), (1200, 630), (37, 1350)])
def test_card_png_decodes_to_exactly_the_drawn_pixels(size):
    drawn = Image.effect_noise(size, 80).convert("RGB")
    with Image.open(io.BytesIO(png(drawn))) as read:
        read.load()                    # Pillow checks every chunk's CRC as it reads
        assert (read.format, read.mode, read.size) == ("PNG", "RGB", size)
        assert read.tobytes() == drawn.tobytes()


def test_copy_button_puts_the_exact_text_on_the_clipboard(built, browser):
    handler = functools.partial(_QuietHandler, directory=str(built.out))
    server = QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    mastodon = snippets_of(built)["mastodon"]
    context = browser.new_context()
    try:
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=origin)
        page = context.new_page()
        page.goto(f"{origin}/stories/night-shift/share/#share-mastodon")
        page.click("#share-mastodon [data-other-voice]")        # the colleague's post
        page.click('[data-copy="snippet-mastodon-colleague"]')
        page.wait_for_function(
            "document.querySelector('[data-share-status]').textContent === 'Copied'")
        assert page.evaluate("navigator.clipboard.readText()") == mastodon["variants"][0]["text"]
        # Mastodon: the reader's server, asked once and remembered
        page.fill("#mastodon-server", "https://Mastodon.Example/")
        page.click("[data-mastodon-form] button")
        link = page.get_attribute('[data-mastodon-share="snippet-mastodon-author"]', "href")
        assert link.startswith("https://mastodon.example/share?text=")
        assert urllib.parse.parse_qs(urllib.parse.urlsplit(link).query) == {
            "text": [mastodon["text"]]}
        page.reload()
        assert page.input_value("#mastodon-server") == "mastodon.example"
    finally:
        context.close()
        server.shutdown()
        server.server_close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


# -- the kit in Chromium: sharer, copy-then-open, panels on a phone, keyboard ------------

PEOPLE = {
    "ana": "name: Ana Lindqvist\nrole: Shift Lead\nhandles: {mastodon: \"@ana@mastodon.example\"}\n",
    "zoe-tremblay": "name: Zoé Tremblay\nrole: Data Analyst\n",
    "sven": "name: Sven Åkesson\nrole: Apprentice\n",
    "left": "name: Left Already\nrole: Driver\nactive: false\n",
}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def kit(tmp_path_factory):
    """A small site with three people who may share, served over HTTP; built once for the
    tests below, which read it (each browser test in a new context of its own)."""
    site = site_folder(tmp_path_factory.mktemp("kit") / "src", site=SITE, people=PEOPLE)
    site.story("2026-02-10-night-shift.md", extra=QUOTE + 'question: "Have you ever worked nights?"\n')
    run = site.build()
    assert run.code == 0, run.err
    handler = functools.partial(_QuietHandler, directory=str(site.out))
    server = QuietServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    site.origin = f"http://127.0.0.1:{server.server_address[1]}"
    site.kit_url = f"{site.origin}/stories/night-shift/share/"
    yield site
    server.shutdown()
    server.server_close()


def _library(site):
    import datetime as dt
    from firsthand.content.enrich import enrich
    from firsthand.content.load import load
    from firsthand.content.problems import Problems
    problems = Problems()
    return enrich(load(site.root, problems), problems, dt.date(2026, 3, 1))


def _visible_posts(page) -> dict:
    """{platform: (text of the main post, href of its main link)} as the page shows them."""
    return page.evaluate("""() => {
        const found = {};
        document.querySelectorAll('[data-panel] [data-post][data-role="main"]').forEach(post => {
            const link = post.querySelector('[data-share-link]');
            found[post.closest('[data-panel]').dataset.panel] = [
                post.querySelector('textarea').value, link ? link.href : null,
                +post.querySelector('[data-length]').textContent];
        });
        return found;
    }""")


@pytest.mark.browser
def test_people_json_lists_who_may_share(kit):
    people = json.loads((kit.out / "share/people.json").read_text())
    assert {p["id"] for p in people} == {"ana", "zoe-tremblay", "sven"}      # not who left


@pytest.mark.browser
def test_copy_then_open_copies_exactly_the_post_and_opens_the_composer(kit, browser):
    linkedin = snippets_of(kit)["linkedin"]
    context = browser.new_context()
    opened = []
    context.route("https://www.linkedin.com/**", lambda route: (
        opened.append(route.request.url),
        route.fulfill(status=200, content_type="text/html", body="<title>LinkedIn</title>")))
    try:
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=kit.origin)
        page = context.new_page()
        page.goto(kit.kit_url + "#share-linkedin")
        button = page.locator("#share-linkedin [data-role=main] [data-copy-open]")
        assert button.inner_text() == "Copy the post and open LinkedIn"
        with context.expect_page() as popup:
            button.click()
        popup.value.wait_for_load_state()
        assert opened == [linkedin["share_url"]]
        assert page.evaluate("navigator.clipboard.readText()") == linkedin["text"]
        assert button.inner_text() == "Post copied: paste it into LinkedIn"
        assert page.inner_text("[data-share-status]") == "Post copied: paste it into LinkedIn"
    finally:
        context.close()


def test_without_javascript_every_share_link_is_a_real_link(kit):
    page = kit.page("stories/night-shift/share/")
    snippets = snippets_of(kit)
    for platform, main in snippets.items():
        if "share_url" in main:
            assert f'href="{html.escape(main["share_url"])}"' in page, platform
    assert "share.joinmastodon.org/?text=" in page
    assert "https://www.threads.com/intent/post?" in page
    # where the share link takes only the URL, the page says to copy the post first
    assert "LinkedIn’s share link takes only the link: copy the post above first" in page
    for name in snippets:                            # a jump link to every panel
        assert f'href="#share-{name}"' in page and f'id="share-{name}"' in page
    assert 'href="#share-pictures"' in page


@pytest.mark.browser
def test_choosing_a_sharer_changes_every_link_and_matches_snippets_as(kit, browser):
    from firsthand.social.snippets import sharer_snippets
    library = _library(kit)
    entry = library.by_slug["night-shift"]
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(kit.kit_url)
        page.wait_for_selector("#kit-sharer option[value=sven]", state="attached")
        for sharer in ("sven", "zoe-tremblay", "ana"):
            page.select_option("#kit-sharer", sharer)
            # every post and every link on the page carries the sharer's id
            values = page.eval_on_selector_all("textarea", "all => all.map(a => a.value)")
            hrefs = page.eval_on_selector_all("a[href]", "all => all.map(a => a.href)")
            tagged = [v for v in values + hrefs if "utm_content" in v]
            assert len(tagged) > 30
            for value in tagged:
                contents = re.findall(r"utm_content(?:=|%3D)([a-z0-9-]+)", value)
                assert contents and set(contents) == {sharer}, value
            # and the posts are those `snippets --as` prints
            expected = sharer_snippets(library.site, entry, sharer, library.catalog)
            shown = _visible_posts(page)
            assert set(shown) == set(expected)
            for name, (text, href, length) in shown.items():
                assert text == expected[name][0].text, (sharer, name)
                assert length == expected[name][0].length, (sharer, name)
                assert href == expected[name][0].share_url, (sharer, name)
        # remembered: a new visit shows the last choice
        page.select_option("#kit-sharer", "zoe-tremblay")
        page.reload()
        page.wait_for_function("document.querySelector('#kit-sharer').value === 'zoe-tremblay'")
    finally:
        context.close()


def test_two_colleagues_get_different_posts_and_the_command_prints_them(kit):
    first = kit.run("snippets", "night-shift", "--as", "sven", "--platform", "linkedin")
    second = kit.run("snippets", "night-shift", "--as", "zoe-tremblay", "--platform", "linkedin")
    assert first.code == second.code == 0, first.err + second.err
    assert "utm_content=sven" in first.out and "utm_content=zoe-tremblay" in second.out
    assert "== LinkedIn, colleague: " in first.out and "Ana Lindqvist" in first.out
    strip = lambda out: re.sub(r"utm_content(=|%3D)[a-z-]+", "", out)
    assert strip(first.out) != strip(second.out)
    mine = kit.run("snippets", "night-shift", "--as", "ana", "--platform", "linkedin")
    assert mine.out.startswith("== LinkedIn, author: ")
    wrong = kit.run("snippets", "night-shift", "--as", "zoe")
    assert wrong.code == 1
    assert "no person with the id 'zoe' in people/; did you mean 'zoe-tremblay'?" in wrong.err


@pytest.mark.browser
def test_each_panel_with_its_main_button_fits_a_phone_screen(kit, browser):
    context = browser.new_context(viewport=PHONE, device_scale_factor=1)
    try:
        page = context.new_page()
        page.goto(kit.kit_url)
        names = page.eval_on_selector_all("[data-panel-link]", "all => all.map(a => a.dataset.panelLink)")
        assert len(names) == 10
        for sharer in ("ana", "sven"):
            page.wait_for_selector("#kit-sharer option[value=sven]", state="attached")
            page.select_option("#kit-sharer", sharer)
            for name in names:
                page.click(f"[data-panel-link={name}]")
                panel = page.locator(f"#share-{name}")
                box = panel.bounding_box()
                assert box["height"] <= PHONE["height"], (sharer, name, box)
                assert box["width"] <= PHONE["width"], (sharer, name, box)
                assert page.locator("[data-panel]:not([hidden])").count() == 1
                main = panel.locator("[data-role=main] .share-main, .kit-pictures a").first
                button = main.bounding_box()
                assert box["y"] <= button["y"] and button["y"] + button["height"] <= box["y"] + box["height"]
    finally:
        context.close()


@pytest.mark.browser
def test_the_kit_works_from_the_keyboard(kit, browser):
    context = browser.new_context()
    try:
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=kit.origin)
        page = context.new_page()
        page.goto(kit.kit_url)
        page.focus("[data-panel-link=bluesky]")
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "share-bluesky-title"
        assert page.is_visible("#share-bluesky") and not page.is_visible("#share-linkedin")
        # the next stops: the post, its main link, Copy
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.id") == "snippet-bluesky-author"
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.dataset.shareLink") == ""
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.dataset.copy") == "snippet-bluesky-author"
        page.keyboard.press("Enter")
        page.wait_for_function("document.querySelector('[data-share-status]').textContent === 'Copied'")
        bluesky = snippets_of(kit)["bluesky"]
        assert page.evaluate("navigator.clipboard.readText()") == bluesky["text"]
        # the colleague's post is one key press away
        toggle = page.locator("#share-bluesky [data-other-voice]")
        toggle.focus()
        assert toggle.inner_text() == "Show a colleague’s post"
        page.keyboard.press("Enter")
        assert page.is_visible("#snippet-bluesky-colleague")
        assert toggle.get_attribute("aria-expanded") == "true"
    finally:
        context.close()


def test_story_page_has_visitor_share_links_in_no_ones_voice(kit):
    page = kit.page("stories/night-shift/")
    box = page[page.index('class="visitor-share"'):]
    box = box[: box.index("</section>")]
    links = [html.unescape(h) for h in re.findall(r'href="([^"]+)"', box)]
    assert len(links) == 8                                   # every platform but Instagram
    for link in links:
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(link).query)
        text = " ".join(v for values in query.values() for v in values)
        assert "I work at" not in text and "colleague" not in text
        assert "utm_medium=share" in text and "utm_content" not in text, link
    x = next(l for l in links if l.startswith("https://x.com/"))
    query = urllib.parse.parse_qs(urllib.parse.urlsplit(x).query)
    assert query["text"] == ["A night on the dock"]                          # the title
    assert query["url"][0].startswith("https://careers.testco.example/stories/night-shift/?")


@pytest.mark.browser
def test_the_kit_speaks_the_page_language_in_what_its_script_says(sample_site, browser):
    """The sample's Japanese share kit: what share.js writes comes from i18n/ja.yaml."""
    ja = yaml.safe_load((ROOT / "i18n" / "ja.yaml").read_text(encoding="utf-8"))["kit"]
    handler = functools.partial(_QuietHandler, directory=str(sample_site))
    server = QuietServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    context = browser.new_context()
    try:
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=origin)
        page = context.new_page()
        page.goto(f"{origin}/ja/stories/osaka-first-year/share/#share-linkedin")
        button = page.locator("#share-linkedin [data-role=main] [data-copy-open]")
        assert button.inner_text() == ja["copy_open"].format(platform="LinkedIn")
        toggle = page.locator("#share-linkedin [data-other-voice]")
        assert toggle.inner_text() == ja["show_colleague"]
        toggle.click()
        assert toggle.inner_text() == ja["hide_other"]
        page.click("#share-linkedin [data-role=main] [data-copy]")
        page.wait_for_function("want => document.querySelector('[data-share-status]')"
                               ".textContent === want", arg=ja["copied"])
        assert not re.search(r"[A-Za-z]{4,}", ja["copied"] + ja["hide_other"])
        alt = page.get_attribute('meta[property="og:image:alt"]', "content")
        assert "Aiko Tanaka" in alt and "a story by" not in alt
    finally:
        context.close()
        server.shutdown()
        server.server_close()
