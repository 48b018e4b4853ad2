"""Share snippets: counted the way each platform counts, never over its limit."""

from __future__ import annotations

import datetime as dt
import json
import random
import unicodedata
from dataclasses import replace
from urllib.parse import parse_qs, urlsplit

import pytest
import regex
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from twitter_text import parse_tweet

from sites import ROOT, TODAY
from firsthand.content.enrich import make_entry
from firsthand.content.model import PLATFORMS, Person, Site, Social, Story, frozen_map
from firsthand.social.platforms import PLATFORMS_BY_ID, _x_line_length
from firsthand.content.catalog import read_catalogs
from firsthand.content.problems import Problems
from firsthand.social.snippets import (
    compose_snippets, entry_words, near_identical, story_snippets, variant_problems)

THEME_CATALOG = read_catalogs(ROOT, ("en",), Problems())    # the theme's words, English


def composed(site, entry):
    """The entry with its snippets attached, as the build attaches them before the checks."""
    return replace(entry, snippets=compose_snippets(site, entry,
                                                    entry_words(site, entry, THEME_CATALOG)))

# -- counters written here, independently of firsthand.social.platforms -------------------------


def graphemes(text: str) -> int:
    return len(regex.findall(r"\X", text))


def utf16(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def mastodon(text: str) -> int:
    # Mastodon's MENTION_RE (app/models/account.rb), remote part dropped
    text = regex.sub(r"(?<![=/\w@])(@[a-z0-9_]+(?:[a-z0-9_.-]+[a-z0-9_]+)?)@[\w.-]+\w", r"\1",
                     text, flags=regex.IGNORECASE)
    # a link is every URL character up to a space or one no URL holds (< > "), less the
    # sentence's closing punctuation; each counts as 23
    text = regex.sub(r"https?://[^\s<>\"]+?(?=[.,;:!?)\]\"'”’…]*([\s<>\"]|$))", "x" * 23, text)
    return graphemes(text)


def bluesky(text: str) -> int:
    # the official app posts each link as host + path, the path cut to 13 and "..." when it
    # is longer than 15 (social-app's toShortUrl); written here for simple ASCII links
    def short(match):
        link, rest = match.group(1), match.group(2)
        host, _, path = link.split("://", 1)[1].partition("/")
        path = "/" + path if path or link.endswith("/") else ""
        path = "" if path == "/" else path
        return (host.lower() + (path[:13] + "..." if len(path) > 15 else path)) + rest
    return graphemes(regex.sub(r"(?:^|(?<=\s))(https?://\S+?)([.,;:!?]?)(?=\s|$)", short, text))


def threads(text: str) -> int:
    return sum(len(g.encode()) if regex.search(r"\p{Extended_Pictographic}|\p{RI}|\uFE0F|\u20E3", g)
               else 1 for g in regex.findall(r"\X", text))


COUNTERS = {
    "x": lambda text: parse_tweet(text).weightedLength,
    "bluesky": bluesky, "mastodon": mastodon, "threads": threads,
    "linkedin": utf16, "facebook": utf16, "instagram": utf16, "whatsapp": utf16, "email": utf16,
}


def every_snippet(document: dict):
    for story in document["stories"]:
        for platform, main in story["snippets"].items():
            for snippet in [main, *main["variants"]]:
                yield story, platform, snippet


@pytest.fixture(scope="module")
def sample(sample) -> dict:
    """The snippets.json of the sample site (built once for the run, tests/conftest.py)."""
    assert " error:" not in sample.built.err
    text = (sample.out / "snippets.json").read_text(encoding="utf-8")
    document = json.loads(text)
    # written a story at a time, yet exactly as json.dumps would write the whole
    assert text == json.dumps(document, ensure_ascii=False, indent=1) + "\n"
    return document


def test_every_sample_snippet_is_counted_as_its_platform_counts(sample):
    seen = set()
    for story, platform, snippet in every_snippet(sample):
        text = snippet["text"]
        assert snippet["length"] == COUNTERS[platform](text), (story["slug"], platform, text)
        assert snippet["length"] <= snippet["limit"] == PLATFORMS_BY_ID[platform].limit
        written = (story["slug"], platform, snippet["voice"]) == (
            "coming-back-after-parental-leave", "x", "author")     # share.x: may use it all
        if snippet["limit"] < 1000 and not written:      # room left to make it one's own
            assert snippet["length"] <= snippet["limit"] - 20, (story["slug"], platform)
        if platform == "bluesky":
            assert len(text.encode("utf-8")) <= 3000
        seen.add((platform, snippet["voice"]))
    assert seen == {(p, v) for p in PLATFORMS for v in ("author", "colleague")}


def test_sample_snippets_json_has_the_documented_shape(sample):
    assert sample["site"] == {"title": "Life at Lumenfold",
                              "base_url": "https://careers.lumenfold.example/"}
    slugs = [story["slug"] for story in sample["stories"]]
    assert "night-shift" in slugs
    night = next(s for s in sample["stories"]
                 if s["slug"] == "night-shift" and "/ja/" not in s["url"])
    assert night["url"] == "https://careers.lumenfold.example/stories/night-shift/"
    assert night["lang"] == "en"
    told_twice = {s["lang"] for s in sample["stories"] if s["slug"] == "night-shift"}
    assert told_twice == {"en", "ja"}          # a story and its translation, told apart
    assert night["author"] == {"id": "ana-lindqvist", "name": "Ana Lindqvist"}
    assert list(night["snippets"]) == list(PLATFORMS)
    x = night["snippets"]["x"]
    assert {"text", "length", "limit", "link", "share_url", "variants"} <= set(x)
    assert [v["voice"] for v in x["variants"]] == ["colleague"] * 3
    assert "share_url" not in night["snippets"]["instagram"]
    assert night["snippets"]["mastodon"]["share_url"].startswith(
        "https://share.joinmastodon.org/?text=")
    # share.instagram: false in the parental-leave story
    leave = next(s for s in sample["stories"] if s["slug"] == "coming-back-after-parental-leave")
    assert "instagram" not in leave["snippets"]


def test_links_carry_utm_parameters_for_platform_and_person(sample):
    for story, platform, snippet in every_snippet(sample):
        link = urlsplit(snippet["link"])
        assert f"{link.scheme}://{link.netloc}{link.path}" == story["url"]
        assert parse_qs(link.query, strict_parsing=True) == {
            "utm_source": [platform], "utm_medium": ["social"],
            "utm_campaign": ["employee-stories"], "utm_content": [story["author"]["id"]]}
        if platform == "instagram":          # in the story's language (the sample's ja one)
            assert "http" not in snippet["text"]
            assert snippet["text"].endswith(("Full story: link in bio",
                                             "全文はプロフィールのリンクから"))
        else:
            assert snippet["text"].endswith(snippet["link"])


def test_share_links_decode_to_exactly_the_text_and_link(sample):
    for story, platform, snippet in every_snippet(sample):
        text, link, url = snippet["text"], snippet["link"], snippet.get("share_url")
        if platform == "instagram":
            assert url is None
            continue
        parts = urlsplit(url)
        query = parse_qs(parts.query, strict_parsing=True, keep_blank_values=True)
        assert all(len(values) == 1 for values in query.values())
        query = {key: values[0] for key, values in query.items()}
        if platform == "x":
            assert url.startswith("https://x.com/intent/tweet?")
            assert set(query) == {"text", "url"} and query["url"] == link
            assert query["text"] + "\n\n" + query["url"] == text
        elif platform == "threads":
            assert url.startswith("https://www.threads.com/intent/post?")
            assert query["url"] == link and set(query) <= {"text", "url", "tag"}
            tag = "\n\n#" + query["tag"] if "tag" in query else ""
            assert query["text"] + tag + "\n" * (2 - bool(tag)) + link == text
        elif platform in ("bluesky", "whatsapp", "mastodon"):
            assert set(query) == {"text"} and query["text"] == text
        elif platform == "linkedin":
            assert query == {"url": link}
        elif platform == "facebook":
            assert query == {"u": link}
        elif platform == "email":
            assert url.startswith("mailto:?") and "+" not in url
            assert query["subject"] == story["title"]
            assert query["body"] == text.replace("\n", "\r\n")


def test_every_snippet_carries_the_disclosure_and_camel_case_hashtags(sample):
    for story, platform, snippet in every_snippet(sample):
        # site.yaml's one disclosure is English; the Japanese stories say it in Japanese
        japanese = "/ja/stories/" in story["url"]
        disclosure = "Lumenfold で働いています" if japanese else "I work at Lumenfold"
        assert disclosure in snippet["text"]
        tags = regex.findall(r"(?<!\w)#(\w+)", snippet["text"])
        assert len(tags) <= PLATFORMS_BY_ID[platform].hashtags
        # CamelCase where the script has case (交代勤務 has none)
        assert not any(tag[0].islower() for tag in tags), tags
    night = next(s for s in sample["stories"]
                 if s["slug"] == "night-shift" and "/ja/" not in s["url"])
    assert "#LifeAtLumenfold #ShiftWork #Flexibility" in night["snippets"]["linkedin"]["text"]


def test_voices_first_person_and_colleague_naming_the_author(sample):
    night = next(s for s in sample["stories"]
                 if s["slug"] == "night-shift" and "/ja/" not in s["url"])
    mastodon_post = night["snippets"]["mastodon"]
    assert mastodon_post["text"].startswith("At 04:00 the warehouse")
    colleagues = [v["text"] for v in mastodon_post["variants"]]
    assert all("Ana Lindqvist (@ana_lindqvist@mastodon.nu)" in text for text in colleagues)
    assert any("@lumenfold@social.lumenfold.example" in text for text in colleagues)
    assert any("Have you ever chosen the shift" in text for text in colleagues)
    assert len(set(colleagues)) == 3


def test_each_platform_of_a_story_gets_its_own_framing(sample):
    for story in sample["stories"]:
        authors = [main["text"] for main in story["snippets"].values()]
        openings = [text.split("\n\n")[1] for text in authors if text.count("\n\n") > 1]
        assert len(set(openings)) == len(openings), (story["slug"], openings)


def test_no_story_of_the_sample_offers_two_nearly_identical_posts(sample):
    # the check `check` runs: the posts one person gets for different platforms, and those
    # different people get for one platform, are under 90 % the same, word for word
    site = _sample_library()
    assert [p.message for e in site.entries if e.published
            for p in variant_problems(site.site, composed(site.site, e))] == []


def _sample_library():
    from pathlib import Path
    from firsthand.content.enrich import enrich
    from firsthand.content.load import load
    from firsthand.content.problems import Problems
    problems = Problems()
    return enrich(load(Path(ROOT), problems), problems, dt.date.fromisoformat(TODAY))


# -- overrides, errors and the command ---------------------------------------------------

SITE = """\
title: "Life at Testco"
company: Testco
base_url: https://careers.testco.example/
social:
  hashtags: [LifeAtTestco]
  handles: {x: testco}
  utm: {campaign: stories, medium: social}
  disclosure: "I work at Testco"
"""


def test_an_override_is_used_as_written_with_the_link_added(make_site):
    site = make_site(site=SITE)
    site.story("2026-02-10-night-shift.md", extra="""\
        share:
          x: "Nights at the dock, in my own words."
          instagram: false
        """)
    run = site.build()
    assert run.code == 0, run.err
    story = json.loads((site.out / "snippets.json").read_text())["stories"][0]
    x = story["snippets"]["x"]
    assert x["text"] == ("Nights at the dock, in my own words.\n\nI work at Testco\n\n"
                         "https://careers.testco.example/stories/night-shift/?utm_source=x"
                         "&utm_medium=social&utm_campaign=stories&utm_content=ana")
    assert x["length"] == parse_tweet(x["text"]).weightedLength
    assert all("Ana Lindqvist" in v["text"] and v["text"].endswith(v["link"])
               for v in x["variants"])
    assert "instagram" not in story["snippets"]


def test_an_override_that_cannot_fit_is_an_error_at_its_line(make_site):
    site = make_site(site=SITE)
    site.story("2026-02-10-night-shift.md", extra="""\
        share:
          linkedin: "Fine here."
          x: "%s"
        """ % ("Far too long for X. " * 20))
    run = site.build()
    assert run.code == 1
    assert ("stories/2026-02-10-night-shift.md:4: error: 'share.x' does not fit on X: "
            in run.err), run.err
    assert not site.out.exists()


def test_near_identical_snippets_are_a_warning(make_site):
    site = make_site(site=SITE)
    quote = 'quote: "The dock at four in the morning is the quietest place I know."\n'
    site.story("2026-02-10-night-shift.md", extra=quote)
    site.story("2026-02-11-night-shift-again.md", title="A night on the dock", extra=quote)
    run = site.run("check")
    assert run.code == 0
    warnings = [line for line in run.out.splitlines() if "the same as" in line]
    assert len(warnings) == 1, run.out
    assert warnings[0].startswith("stories/2026-02-11-night-shift-again.md:2: warning: the "
                                  "snippets for LinkedIn, X, Facebook")
    assert "the same as those of stories/2026-02-10-night-shift.md" in warnings[0]


def test_near_identical_japanese_snippets_are_compared_character_by_character(make_site):
    # Japanese has no spaces between words: split at spaces, a post is a few long "words",
    # and one changed character made two posts look wholly different.
    site = make_site(site=SITE)
    post = ("朝四時の倉庫は、私が知っている中でいちばん静かな場所です。フォークリフトの音も無線の声も"
            "止まって、港の向こうから少しずつ空が明るくなっていきます。{}")
    own = "lang: ja\nshare:\n  linkedin: \"{}\"\n"
    site.story("2026-02-10-night-shift.md", title="倉庫の夜", extra=own.format(post.format("本当に")))
    site.story("2026-02-11-night-again.md", title="倉庫の朝",
               extra=own.format(post.format("ほんとうに")))
    site.story("2026-02-12-other.md", title="大阪での一年目",
               extra=own.format("電話の向こうにある冷蔵庫の音を、今でも覚えています。あの一年で、"
                                "聞くことがいちばん大事な仕事だと知りました。"))
    run = site.run("check")
    assert run.code == 0, run.err
    warnings = [line for line in run.out.splitlines() if "the same as" in line]
    assert len(warnings) == 1, run.out
    assert "snippets for LinkedIn are" in warnings[0]      # the two stories, one warning
    assert "2026-02-11-night-again.md" in warnings[0] and "2026-02-10-night-shift.md" in warnings[0]


def test_snippets_command_prints_counts(make_site):
    site = make_site(site=SITE)
    run = site.run("snippets", "night-shift", "--platform", "bluesky")
    assert run.code == 0, run.err
    assert run.out.startswith("== Bluesky, author: ")
    assert "== Bluesky, colleague: " in run.out
    assert "I work at Testco" in run.out


def test_snippets_command_unknown_slug_suggests_and_unknown_platform_is_usage(make_site):
    site = make_site(site=SITE)
    run = site.run("snippets", "night-shif")
    assert run.code == 1
    assert "no story with the slug 'night-shif'; did you mean 'night-shift'?" in run.err
    run = site.run("snippets", "night-shift", "--platform", "myspace")
    assert run.code == 2
    assert "invalid choice: 'myspace'" in run.err


# -- any story, in any script ------------------------------------------------------------

PIECES = ["a", "Z", "é", "e\u0301", "ñ", "ß", "日", "本", "語", "。", "ع", "ر", "ب", "ي", "\u064b",
          "👩\u200d👩\u200d👧", "🇸🇪", "👍🏽", "❤\ufe0f", "\u200d", " ", " ", "  ", ".", "!", "?",
          "#", "#tag", "@", "@ana", "@ana@example.org", "https://example.com/a?b=c", "—", "\n"]
words = st.lists(st.sampled_from(PIECES) | st.characters(exclude_categories=("Cs", "Co", "Cn")),
                 max_size=120).map("".join)

SITE_MODEL = Site(
    title="Life at Testco", company="Testco", base_url="https://careers.testco.example/",
    social=Social(platforms=PLATFORMS, hashtags=("LifeAtTestco",),
                  handles=frozen_map({"x": "testco", "mastodon": "@testco@social.example",
                                      "bluesky": "testco.bsky.social", "threads": "testco",
                                      "instagram": "testco"}),
                  utm=frozen_map({"campaign": "stories", "medium": "social"}),
                  disclosure="I work at Testco"))
PERSON = Person(id="ana", name="Ana Lindqvist", role="Shift Lead", path="people/ana.yaml",
                handles=frozen_map({"x": "ana", "mastodon": "@ana@mastodon.example"}))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=words.filter(lambda t: t.strip()), summary=words, quote=words, question=words,
       tags=st.lists(words.filter(lambda t: t.strip()), max_size=4))
@example(title="a", summary="", quote="", question="https://example.com/a?b=c<", tags=[])
def test_any_story_yields_snippets_within_every_limit(title, summary, quote, question, tags):
    story = Story(path="stories/x.md", slug="x", title=title.strip(), author="ana",
                  date=dt.date(2026, 1, 1), body="Hello.", body_line=5, summary=summary.strip(),
                  quote=quote.strip(), question=question.strip(),
                  tags=tuple(t.strip() for t in tags))
    entry = make_entry(SITE_MODEL, story, PERSON, "<p>Hello.</p>", True)
    found = story_snippets(SITE_MODEL, entry, THEME_CATALOG)
    source = unicodedata.normalize("NFC", " ".join(" ".join(f.split()) for f in
                                                   (title, summary, quote, question)))
    assert set(found) == set(PLATFORMS)
    for platform, snippets in found.items():
        assert [s.voice for s in snippets] == ["author", "colleague", "colleague", "colleague"]
        for snippet in snippets:
            assert snippet.length == PLATFORMS_BY_ID[platform].count(snippet.text)
            assert snippet.length <= PLATFORMS_BY_ID[platform].budget
            if platform != "bluesky":     # held to the app's rule in the browser, below
                assert snippet.length == COUNTERS[platform](snippet.text)
            assert PLATFORMS_BY_ID[platform].fits(snippet.text)
            assert "I work at Testco" in snippet.text
            if platform != "instagram":
                assert snippet.text.endswith(snippet.link)
            # never a URL or a hashtag cut in two: each is the link, or whole in the story
            for url in regex.findall(r"https?://\S+", snippet.text):
                assert url == snippet.link or url.rstrip(".,;:!?)]\"'”’…") in source, url


def test_only_published_stories_have_snippets_in_snippets_json(make_site):
    site = make_site(site=SITE)
    site.story("2026-02-11-a-draft.md", title="Still a draft", extra="draft: true\n")
    site.story("2027-01-01-the-future.md", title="Not yet", date="2027-01-01")
    run = site.build("--drafts")
    assert run.code == 0, run.err
    document = json.loads((site.out / "snippets.json").read_text())
    assert [story["slug"] for story in document["stories"]] == ["night-shift"]
    assert (site.out / "stories/a-draft/share/index.html").exists()     # previews still work
    run = site.build("--base-url", "https://example.org/", today="2025-01-01")
    assert run.code == 0, run.err                       # nothing published yet
    text = (site.out / "snippets.json").read_text()
    assert text == json.dumps(json.loads(text), ensure_ascii=False, indent=1) + "\n"
    assert json.loads(text)["stories"] == []


def test_a_story_like_several_others_gets_one_warning(make_site):
    site = make_site(site=SITE)
    quote = 'quote: "The dock at four in the morning is the quietest place I know."\n'
    for day in (10, 11, 12):
        site.story(f"2026-02-{day}-dock-{day}.md", extra=quote)
    site.story("2026-02-13-other.md", title="Selling heat pumps in three languages",
               extra='quote: "Every customer asks the same first question, in any language."\n')
    run = site.run("check")
    assert run.code == 0, run.out
    warnings = [line for line in run.out.splitlines() if "the same as" in line]
    assert [w.split(":")[0] for w in warnings] == ["stories/2026-02-11-dock-11.md",
                                                   "stories/2026-02-12-dock-12.md"], run.out
    assert "(and 1 more)" in warnings[1] and "(and" not in warnings[0]


def test_the_same_override_on_one_platform_of_two_different_stories_is_found():
    # Enough stories that the disclosure, the hashtags and the author's name are common
    # words, not the rare ones that pick the pairs worth comparing; each story's own
    # words are long and different, and only X's override is the same in two of them.
    vocabulary = [f"w{n}" for n in range(5000)]
    chance = random.Random(7)
    override = ("Come and see what a night at our dock is like: the forklifts, the radio, "
                "the coffee and the sunrise over the harbour.")
    entries = []
    for n in range(80):
        story = Story(path=f"stories/s{n}.md", slug=f"s{n}", author="ana",
                      title=" ".join(chance.sample(vocabulary, 8)),
                      date=dt.date(2026, 1, 1) - dt.timedelta(days=n), body="Hello.",
                      body_line=5, summary=" ".join(chance.sample(vocabulary, 40)),
                      quote=" ".join(chance.sample(vocabulary, 20)),
                      share=frozen_map({"x": override}) if n in (10, 50) else frozen_map())
        entries.append(composed(SITE_MODEL,
                                make_entry(SITE_MODEL, story, PERSON, "<p>Hello.</p>", True)))
    problems = near_identical(SITE_MODEL, entries)
    assert [(p.path, p.message.split(" are ")[0]) for p in problems] == [
        ("stories/s10.md", "the snippets for X")]
    assert "the same as those of stories/s50.md" in problems[0].message


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E)
               | st.sampled_from("‘’“”–—…©®#\ufe0f\u20e3"), max_size=120))
def test_the_ascii_shortcut_counts_as_twitter_text_does(line):
    assert _x_line_length(line) == (parse_tweet(line).weightedLength if line else 0)


# -- Bluesky: links counted as the official app posts them --------------------------------

# social-app's rule (src/lib/strings/url-helpers.ts, toShortUrl), written again here in
# JavaScript so that Chromium's own URL parser does the parsing, as the app's does.
TO_SHORT_URL = """urls => urls.map(url => {
    let parsed;
    try { parsed = new URL(url); } catch (e) { return url; }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return url;
    const path = (parsed.pathname === '/' ? '' : parsed.pathname) + parsed.search + parsed.hash;
    return path.length > 15 ? parsed.host + path.slice(0, 13) + '...' : parsed.host + path;
})"""
HOST = st.from_regex(r"[a-zA-Z0-9]{1,12}(\.[a-zA-Z0-9-]{1,10}){0,3}\.[a-z]{2,6}", fullmatch=True)
PATH = st.from_regex(r"(/[A-Za-z0-9\-._~!$&'()*+,;=:@%]{0,12}){0,4}/?(\?[A-Za-z0-9=&_.-]{0,30})?"
                     r"(#[A-Za-z0-9]{0,10})?", fullmatch=True)
ANY_PATH = st.text(st.characters(exclude_categories=("Cs", "Zs", "Zl", "Zp", "Cc")), max_size=30)


@pytest.mark.browser
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(simple=st.lists(st.tuples(st.sampled_from(["http", "https", "HTTPS"]), HOST, PATH),
                       min_size=1, max_size=40),
       odd=st.lists(st.tuples(HOST, ANY_PATH), max_size=20))
# found by hypothesis in CI: 20 code points but 19 graphemes, which the app percent-encodes to 20
@example(simple=[("https", "0.aa", "/x")], odd=[("0.aa", "xynCW\U0001d188\U000e50d1")])
def test_bluesky_links_shorten_as_the_official_app_shortens_them(browser_page, simple, odd):
    from firsthand.social.platforms import bluesky_short_url
    urls = [f"{scheme}://{host}{path}" for scheme, host, path in simple]
    strange = [f"https://{host}/{path}" for host, path in odd]
    shortened = browser_page.evaluate(TO_SHORT_URL, urls + strange)
    for url, app in zip(urls, shortened):
        if regex.search(r"/\.\.?(?:[/?#]|$)", url):   # a dot segment: the parser removes it
            assert graphemes(bluesky_short_url(url)) >= graphemes(app), (url, app)
        else:
            assert bluesky_short_url(url) == app, url
    for url, app in zip(strange, shortened[len(urls):]):
        # a link the parser rewrites: never counted shorter than the app shows it
        assert graphemes(bluesky_short_url(url)) >= graphemes(app), (url, app)


@pytest.fixture(scope="module")
def browser_page(browser):
    page = browser.new_page()
    yield page
    page.close()


def test_bluesky_counts_the_text_the_app_posts():
    from firsthand.social.platforms import bluesky_length
    link = "https://careers.testco.example/stories/night-shift/?utm_source=bluesky&utm_content=a"
    # "careers.testco.example" + "/stories/nigh" + "..."
    assert bluesky_length(link) == 22 + 13 + 3
    assert bluesky_length(f"Read it ({link}).") == len("Read it (") + 38 + 2
    assert bluesky_length("no link at careers.testco.example/stories") == 41
    assert bluesky_length("https://a.example/short") == len("a.example/short")


# -- nothing a story says can add a share parameter ---------------------------------------

HOSTILE = ("Nights & days?&url=https://evil.example/#tag=evil\\n%0Atext=x "
           "+%2B javascript:alert(1) #Shift&Work")


def test_no_story_field_can_add_a_share_parameter(make_site):
    site = make_site(site=SITE)
    site.story("2026-02-10-night-shift.md", title=HOSTILE.replace('"', ""),
               tags='"a&b=c", "d#e"', extra=(
                   f'quote: "{HOSTILE}"\nquestion: "{HOSTILE}?"\nsummary: "{HOSTILE}"\n'))
    run = site.build()
    assert run.code == 0, run.err
    story = json.loads((site.out / "snippets.json").read_text())["stories"][0]
    allowed = {"x": {"text", "url"}, "threads": {"text", "url", "tag"}, "bluesky": {"text"},
               "mastodon": {"text"}, "whatsapp": {"text"}, "linkedin": {"url"},
               "facebook": {"u"}, "email": {"subject", "body"}}
    for platform, main in story["snippets"].items():
        for snippet in [main, *main["variants"]]:
            if "share_url" not in snippet:
                continue
            parts = urlsplit(snippet["share_url"])
            query = parse_qs(parts.query, strict_parsing=True, keep_blank_values=True)
            assert set(query) <= allowed[platform] and all(len(v) == 1 for v in query.values())
            assert not parts.fragment and "evil.example" not in parts.netloc
            if "url" in query or "u" in query:
                assert (query.get("url") or query["u"])[0] == snippet["link"]
            if "text" in query and platform not in ("x", "threads"):
                assert query["text"][0] == snippet["text"]
