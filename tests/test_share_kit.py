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

import pytest
from PIL import Image

from firsthand.cache import Cache
from firsthand.cards import CardText, draw_card, font_chain, missing_glyphs, png

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
QUOTE = 'quote: "At 04:00 the dock is the quietest place I know. Nothing hides there."\n'


@pytest.fixture
def built(make_site):
    site = make_site(site=SITE)
    site.story("2026-02-10-night-shift.md", extra=QUOTE)
    run = site.build()
    assert run.code == 0, run.err
    return site


def snippets_of(site) -> dict:
    return json.loads((site.out / "snippets.json").read_text())["stories"][0]["snippets"]


def test_share_kit_shows_every_snippet_without_javascript(built):
    page = built.page("stories/night-shift/share/")
    snippets = snippets_of(built)
    for platform, main in snippets.items():
        for snippet in [main, *main["variants"]]:
            found = re.search(rf'<textarea id="snippet-{platform}-{snippet["voice"]}"[^>]*readonly'
                              rf'[^>]*>(.*?)</textarea>', page, re.S)
            assert found, platform
            assert html.unescape(found.group(1)) == snippet["text"]
            assert f'{snippet["length"]}</span> of {snippet["limit"]} characters' in page
            if "share_url" in snippet:
                assert f'href="{html.escape(snippet["share_url"])}"' in page
    assert page.count('class="share-copy"') == 2 * len(snippets)
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


def test_an_unchanged_story_reuses_its_cached_card(built):
    cards = built.root / ".firsthand-cache" / "cards"
    cached = sorted(p for p in cards.rglob("*") if p.is_file())
    assert len(cached) == 2                                    # og.png and instagram.png
    marker = io.BytesIO()
    Image.new("RGB", (1200, 630), (1, 2, 3)).save(marker, format="PNG")
    store = Cache(built.root / ".firsthand-cache")
    for entry in cached:                                       # what a re-draw would replace
        store.put("cards", entry.parent.name + entry.name, marker.getvalue())
    # without site/, the build cannot stop early as "nothing changed" (which it may when the
    # first build took longer than fingerprint.SETTLE_SECONDS), so the cards are looked up
    shutil.rmtree(built.out)
    assert built.build().code == 0
    assert (built.out / "stories/night-shift/og.png").read_bytes() == marker.getvalue()
    built.story("2026-02-10-night-shift.md", title="A different title", extra=QUOTE)
    assert built.build().code == 0
    assert (built.out / "stories/night-shift/og.png").read_bytes() != marker.getvalue()
    assert len([p for p in cards.rglob("*") if p.is_file()]) == 4


def test_the_same_input_gives_the_same_cards(built, tmp_path):
    first = built.snapshot()
    shutil.rmtree(built.root / ".firsthand-cache")
    assert built.build().code == 0
    assert built.snapshot() == first


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
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    mastodon = snippets_of(built)["mastodon"]
    context = browser.new_context()
    try:
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=origin)
        page = context.new_page()
        page.goto(f"{origin}/stories/night-shift/share/")
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
