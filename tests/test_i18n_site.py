"""A site in English, Japanese and Arabic, as its readers and crawlers meet it."""

from __future__ import annotations

import re
import string
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import feedparser
import pytest
import yaml

from firsthand.commands.serve import not_found_page
from sites import ROOT
from test_search import AXE_JS, WCAG_TAGS, serving

SITE = """\
title: "Life at Testco"
company: Testco
base_url: https://careers.testco.example/
languages: [en, ja, ar]
jobs_url: https://jobs.testco.example/
"""
STORY = """\
---
title: "{title}"
author: {author}
date: 2026-02-10
tags: [{tags}]
{extra}---
{body}
"""
EN = STORY.format(title="A night on the dock", author="ana", tags="shift work", extra="",
                  body="The first truck comes at four.")
JA = STORY.format(title="港の夜", author="ana", tags="夜勤", extra="",
                  body="最初のトラックは四時に来ます。")
AR = STORY.format(title="ليلة على الرصيف", author="ana", tags="", extra="",
                  body="تصل الشاحنة الأولى في الرابعة.")
OTHER = STORY.format(title="Only in English", author="ana", tags="vans", extra="",
                     body="Just English.").replace("2026-02-10", "2026-01-05")
PEOPLE = {"ana": "name: Ana Lindqvist\nrole: Shift Lead\nteam: Operations\n",
          "bo": "name: Bo Berg\nrole: Driver\n"}
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
XHTML = "{http://www.w3.org/1999/xhtml}"


def three_languages(make_site, **changes):
    stories = {"2026-02-10-night-shift.md": EN, "2026-02-10-night-shift.ja.md": JA,
               "2026-02-10-night-shift.ar.md": AR, "2026-01-05-only-english.md": OTHER}
    stories.update(changes)
    return make_site(site=SITE, people=PEOPLE, stories={k: v for k, v in stories.items() if v})


@pytest.fixture
def built(make_site):
    site = three_languages(make_site)
    run = site.build()
    assert run.code == 0, run.err
    assert "warning" not in run.err, run.err
    return site


class Links(HTMLParser):
    """<html lang dir>, and the hreflang alternates and canonical of a page."""

    def __init__(self):
        super().__init__()
        self.html, self.alternates, self.canonical = {}, {}, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.html = attrs
        if tag == "link" and attrs.get("rel") == "alternate" and "hreflang" in attrs:
            self.alternates[attrs["hreflang"]] = attrs["href"]
        if tag == "link" and attrs.get("rel") == "canonical":
            self.canonical = attrs["href"]


def links(html: str) -> Links:
    parser = Links()
    parser.feed(html)
    return parser


def test_the_japanese_page_is_japanese_from_its_navigation_to_its_date(built):
    html = built.page("ja/stories/night-shift/")
    assert links(html).html["lang"] == "ja"
    nav = re.search(r'<nav aria-label="メイン">(.*?)</nav>', html, re.S).group(1)
    assert ">ストーリー</a>" in nav and ">人</a>" in nav and ">チーム</a>" in nav
    assert '<time datetime="2026-02-10">2026年2月10日</time>' in html
    assert "分で読めます" in html and "min read" not in html
    assert "港の夜" in html
    # the English page keeps the theme's day-first English date
    assert '<time datetime="2026-02-10">10 February 2026</time>' in built.page("stories/night-shift/")


def test_each_language_has_its_own_home_archive_people_and_tags(built):
    home = built.page("ja/")
    assert "港の夜" in home and "Only in English" not in home and "A night on the dock" not in home
    english = built.page("")
    assert "A night on the dock" in english and "港の夜" not in english
    assert "Only in English" in built.page("archive/")
    assert "2026年2月" in built.page("ja/archive/")
    assert "港の夜" in built.page("ja/people/ana/")
    assert "港の夜" in built.page("ja/tags/")  or "夜勤" in built.page("ja/tags/")
    assert "A night on the dock" in built.page("tags/shift-work/")
    assert not (built.out / "ja" / "tags" / "shift-work").exists()
    assert not (built.out / "ja" / "stories" / "only-english").exists()


def test_the_arabic_page_reads_right_to_left(built):
    html = built.page("ar/stories/night-shift/")
    page = links(html)
    assert page.html == {"lang": "ar", "dir": "rtl"}
    assert "القصص" in html                       # the navigation, in Arabic


def test_each_language_has_a_not_found_page_that_serve_shows_under_it(built):
    ja, ar = built.page("ja/404.html"), built.page("ar/404.html")
    catalog = yaml.safe_load((ROOT / "i18n" / "ja.yaml").read_text(encoding="utf-8"))
    assert links(ja).html["lang"] == "ja"
    assert f"<h1>{catalog['not_found']['heading']}</h1>" in ja and "港の夜" in ja
    assert links(ar).html == {"lang": "ar", "dir": "rtl"}
    assert links(built.page("404.html")).html["lang"] == "en"
    files = {"404.html": b"en", "ja/404.html": b"ja"}
    assert not_found_page(files, "/ja/stories/gone/") == "ja/404.html"
    assert not_found_page(files, "/ja/gone") == "ja/404.html"
    assert not_found_page(files, "/japan/gone/") == "404.html"
    assert not_found_page(files, "/gone/") == "404.html"


def test_a_switcher_links_each_version_in_its_own_name(built):
    html = built.page("stories/night-shift/")
    switcher = re.search(r'<nav class="languages"[^>]*>(.*?)</nav>', html, re.S).group(1)
    assert '<a href="../../ja/stories/night-shift/" hreflang="ja" lang="ja">日本語</a>' in switcher
    assert '<a href="../../ar/stories/night-shift/" hreflang="ar" lang="ar">العربية</a>' in switcher
    assert 'class="languages"' not in built.page("stories/only-english/")


def test_hreflang_links_are_reciprocal_and_have_an_x_default(built):
    pages = {}
    for file in built.out.rglob("index.html"):
        if "/share/" in file.as_posix():
            continue
        page = links(file.read_text(encoding="utf-8"))
        pages[page.canonical] = page
    with_alternates = [p for p in pages.values() if p.alternates]
    assert len(with_alternates) > 10
    for page in with_alternates:
        assert page.alternates.pop("x-default") in pages
        assert page.canonical in page.alternates.values()
        for lang, href in page.alternates.items():
            other = pages[href]
            assert other.html["lang"] == lang or lang in other.alternates
            assert {k: v for k, v in other.alternates.items() if k != "x-default"} \
                == page.alternates, href
    story = pages["https://careers.testco.example/ja/stories/night-shift/"]
    assert story.alternates["en"] == "https://careers.testco.example/stories/night-shift/"


def test_each_language_has_a_feed_with_its_own_stories(built):
    feeds = {lang: feedparser.parse((built.out / path).read_bytes())
             for lang, path in (("en", "feed.xml"), ("ja", "ja/feed.xml"), ("ar", "ar/feed.xml"))}
    for lang, feed in feeds.items():
        assert not feed.bozo, (lang, feed.bozo_exception)
        assert feed.feed.language == lang
    assert [e.title for e in feeds["en"].entries] == ["A night on the dock", "Only in English"]
    assert [e.title for e in feeds["ja"].entries] == ["港の夜"]
    assert [e.link for e in feeds["ar"].entries] == \
        ["https://careers.testco.example/ar/stories/night-shift/"]


def test_the_sitemap_lists_every_language_with_valid_alternates(built):
    root = ET.fromstring((built.out / "sitemap.xml").read_bytes())
    urls = {}
    for url in root.iter(f"{SITEMAP}url"):
        urls[url.find(f"{SITEMAP}loc").text] = {
            link.get("hreflang"): link.get("href") for link in url.iter(f"{XHTML}link")}
    assert "https://careers.testco.example/ja/stories/night-shift/" in urls
    assert "https://careers.testco.example/ar/people/" in urls
    for loc, alternates in urls.items():
        if not alternates:
            continue
        assert alternates.pop("x-default") in urls
        assert loc in alternates.values()
        for lang, href in alternates.items():
            assert href in urls, href
            assert {k: v for k, v in urls[href].items() if k != "x-default"} == alternates


@pytest.mark.browser
def test_the_arabic_page_passes_axe_in_chromium(browser, built):
    if not AXE_JS.exists():
        pytest.skip("needs axe-core: npm install --no-save --prefix tests/.node axe-core@4")
    found = []
    with serving(built.out) as root:
        for path in ("ar/stories/night-shift/", "ar/"):
            for width in (390, 1280):
                context = browser.new_context(viewport={"width": width, "height": 800})
                page = context.new_page()
                page.goto(root + path)
                assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
                page.add_script_tag(content=AXE_JS.read_text(encoding="utf-8"))
                result = page.evaluate(
                    "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_TAGS)
                found += [f"{path} {width}px {v['id']}: {v['help']} at {n['target']}"
                          for v in result["violations"] for n in v["nodes"][:3]]
                context.close()
    assert not found, "\n".join(found)


def test_a_translation_of_an_unpublished_story_is_unpublished(make_site):
    draft = EN.replace("---\n", "---\ndraft: true\n", 1)
    site = three_languages(make_site, **{"2026-02-10-night-shift.md": draft})
    assert site.build().code == 0
    assert not (site.out / "ja" / "stories" / "night-shift").exists()
    assert "港の夜" not in site.page("ja/feed.xml")


def test_a_translation_shares_the_original_picture_choices(make_site):
    original = EN.replace("---\n", "---\nshare: {instagram: false}\n", 1)
    site = three_languages(make_site, **{"2026-02-10-night-shift.md": original})
    assert site.build().code == 0
    assert "share-instagram" not in site.page("ja/stories/night-shift/share/")
    assert "share-x" in site.page("ja/stories/night-shift/share/")


def test_translation_mistakes_are_errors_at_file_and_line(make_site):
    by_bo = JA.replace("author: ana", "author: bo")
    second_ja = JA.replace("港の夜", "港の夜（別版）")
    german = STORY.format(title="Eine Nacht", author="ana", tags="", extra="", body="Hallo.")
    site = three_languages(make_site, **{
        "2026-02-10-night-shift.ja.md": by_bo,
        "night-shift/index.ar.md": None,
        "2026-02-10-night-shift.de.md": german})
    site.write("stories/2026-02-11-night-shift.ar.md", AR)
    site.write("stories/2026-02-12-night-shift.md",
               EN.replace("---\n", "---\nlang: ar\ntranslation_key: night-shift\n", 1))
    run = site.build()
    assert run.code == 1
    assert "stories/2026-02-10-night-shift.ja.md:3: error: a translation is told by the author " \
           "of its original: stories/2026-02-10-night-shift.md is by 'ana', this one says 'bo'" \
        in run.err
    assert re.search(r"stories/2026-02-1\d-night-shift(\.ar)?\.md:\d+: error: "
                     r"stories/2026-02-1\d-night-shift(\.ar)?\.md already tells this story in 'ar'",
                     run.err), run.err
    assert "stories/2026-02-10-night-shift.de.md:1: error: this translation is in 'de', which " \
           "is not one of the site's languages; add it to site.yaml (languages: [en, ja, ar, de])" \
        in run.err
    assert "Traceback" not in run.err
    assert not site.out.exists()


def test_languages_and_language_must_agree(make_site):
    site = make_site(site=SITE + "language: ja\n")
    run = site.build()
    assert run.code == 1
    assert "site.yaml:6: error: 'language' says 'ja' but 'languages' starts with 'en'" in run.err
    site.write("site.yaml", SITE.replace("[en, ja, ar]", "[en, j@, en]"))
    run = site.build()
    assert 'site.yaml:4: error: each of \'languages\' must be a language code' in run.err


def test_a_site_catalog_wins_and_an_edit_renders_the_page_again(built):
    built.write("i18n/ja.yaml", 'nav:\n  people: "メンバー"\n')
    assert built.build().code == 0
    assert ">メンバー</a>" in built.page("ja/")
    assert ">People</a>" in built.page("")


# -- the shipped catalogs ----------------------------------------------------------------

SHIPPED = ("en", "de", "fr", "es", "pt", "sv", "pl", "ja", "ar")


def flatten(document: dict, prefix: str = "") -> dict:
    found = {}
    for name, value in document.items():
        if isinstance(value, dict) and not set(value) <= {"zero", "one", "two", "few", "many",
                                                          "other"}:
            found.update(flatten(value, f"{prefix}{name}."))
        else:
            found[f"{prefix}{name}"] = value
    return found


def places(value) -> set[str]:
    forms = value.values() if isinstance(value, dict) else [value]
    return {name for form in forms for _, name, _, _ in string.Formatter().parse(form) if name}


FRAMING_PLACES = {"company", "title", "first", "who", "q"}


@pytest.mark.parametrize("lang", SHIPPED)
def test_every_shipped_catalog_has_every_key_with_the_same_places(lang):
    english = flatten(yaml.safe_load((ROOT / "i18n" / "en.yaml").read_text(encoding="utf-8")))
    words = flatten(yaml.safe_load((ROOT / "i18n" / f"{lang}.yaml").read_text(encoding="utf-8")))
    assert sorted(words) == sorted(english)
    for key, value in english.items():
        theirs = places(words[key])
        if key.startswith(("post.author.", "post.colleague.")):
            # a framing is given every place (snippets.py): a language may name the writer
            # by first name where English says {who}, but says the title and the question
            # wherever English does
            assert theirs <= FRAMING_PLACES, key
            assert places(value) & {"title", "q"} <= theirs, key
            continue
        # a plural form may say the number in words ("قصتان", "one story") instead of {count}
        assert theirs - {"count"} == places(value) - {"count"} or theirs == places(value), key
        if isinstance(value, dict):
            assert "other" in words[key], key


def test_a_language_home_pages_through_its_own_stories(make_site):
    second = JA.replace("港の夜", "朝の港").replace("2026-02-10", "2026-03-01")
    site = three_languages(make_site, **{"2026-03-01-morning.ja.md": second,
                                         "2026-03-01-morning.md": EN.replace(
                                             "2026-02-10", "2026-03-01")})
    site.write("site.yaml", SITE + "per_page: 1\n")
    assert site.build().code == 0
    page_two = site.page("ja/page/2/")
    assert "港の夜" in page_two and "朝の港" not in page_two
    newer = re.search(r'<a rel="prev" href="([^"]+)"', page_two).group(1)
    assert newer == "../../../ja/"
    assert re.search(r'<a rel="next" href="([^"]+)"', site.page("ja/")).group(1) == "../ja/page/2/"
    # the Arabic home has one story, so one page: its page 2 is no alternate of the others
    assert 'hreflang="ar"' not in page_two
    assert not (site.out / "ar" / "page" / "2").exists()
