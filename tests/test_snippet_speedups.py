"""The shortcuts that make snippets fast give exactly what plain, exact counting gives.

Each counter is held to the plain way of counting (twitter-text's own parse for X, every
grapheme found by \\X, the whole text at once, the URL pattern as first written), and a
story's posts, composed with every shortcut, to the same posts composed the plain way:
the counters plain, nothing remembered, the shortening as first written (below).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import re
import unicodedata
from dataclasses import replace
from urllib.parse import quote

import pytest
import regex
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from twitter_text import parse_tweet

from sites import ROOT
from firsthand.content.catalog import read_catalogs
from firsthand.content.enrich import make_entry
from firsthand.content.model import PLATFORMS, Person, Site, Social, Story, frozen_map
from firsthand.content.problems import Problems
from firsthand.social import platforms, snippets
from firsthand.social.platforms import PLATFORMS_BY_ID
from firsthand.social.snippets import (
    MIN_HOOK, MIN_STUB, compose_snippets, entry_words, sharer_snippets, snippet_problems)

THEME_CATALOG = read_catalogs(ROOT, ("en", "ja", "ar"), Problems())

# -- the plain way -----------------------------------------------------------------------

# The URL pattern as first written: lazily, looking ahead at each character.
PLAIN_URL = regex.compile(r"https?://[^\s<>\"]+?(?=[.,;:!?)\]'\"”’…]*(?:[\s<>\"]|$))")


def plain_graphemes(text: str) -> int:
    return len(regex.findall(r"\X", text))


@functools.lru_cache(maxsize=None)       # twitter-text is slow; it is a pure function
def tweet_length(line: str) -> int:
    return parse_tweet(line).weightedLength if line else 0


def plain_x(text: str) -> int:
    text = re.sub(r"\r\n|\r", "\n", unicodedata.normalize("NFC", text))
    return sum(tweet_length(line) for line in text.split("\n")) + text.count("\n")


def plain_mastodon(text: str) -> int:
    text = platforms.REMOTE_MENTION.sub(r"\1", text)
    return plain_graphemes(PLAIN_URL.sub("x" * 23, text))


def plain_threads(text: str) -> int:
    return sum(len(g.encode("utf-8")) if platforms.EMOJI.search(g) else 1
               for g in regex.findall(r"\X", text))


def plain_bluesky(text: str) -> int:
    return plain_graphemes(platforms.BLUESKY_LINK.sub(
        lambda m: platforms._bluesky_shortened(m.group()), text))


def plain_links(text: str) -> int:
    return len(PLAIN_URL.findall(text))


PLAIN_COUNTS = {"x": plain_x, "mastodon": plain_mastodon, "threads": plain_threads,
                "bluesky": plain_bluesky}


def plain_text(draft) -> str:
    """Draft.text as first written."""
    hashtags = " ".join("#" + tag for tag in draft.hashtags)
    link = draft.link_line
    if link and draft.link_intro:
        link = f"{draft.link_intro} {link}"
    if draft.voice == "colleague":
        before, after = draft.quote_marks
        hook = f"{before}{draft.hook}{after}" if draft.hook else ""
        groups = [[draft.context], [hook], [draft.question], [draft.disclosure], [hashtags, link]]
    else:
        groups = [[draft.hook], [draft.context, draft.question], [draft.disclosure],
                  [hashtags, link]]
    text = "\n\n".join("\n".join(line for line in group if line)
                       for group in groups if any(group))
    return unicodedata.normalize("NFC", text)


def plain_fit(platform, full, limit=None):
    """snippets.fit as first written: each candidate a new draft, joined and counted whole."""
    budget = platform.budget if limit is None else limit

    def fits(candidate) -> bool:
        return platform.fits(plain_text(candidate), budget)

    if full.link_intro and not fits(full):
        full = replace(full, link_intro="")
    for count in range(len(full.hashtags), -1, -1):
        candidate = replace(full, hashtags=full.hashtags[:count])
        if fits(candidate):
            return candidate
    current = replace(full, hashtags=())
    shorter_framing = [lambda d: replace(d, context=d.short_context),
                       lambda d: replace(d, question="")]
    base = current
    for step in range(len(shorter_framing) + 1):
        if step:
            base = shorter_framing[step - 1](base)
        last = step == len(shorter_framing)
        shorter = plain_shorten(base, "hook", fits, minimum=MIN_STUB if last else MIN_HOOK)
        if shorter is not None:
            return shorter
    current = replace(base, hook="")
    for part in ("question", "context"):
        shorter = plain_shorten(current, part, fits)
        if shorter is not None:
            return shorter
        current = replace(current, **{part: ""})
    return current if fits(current) else None


def plain_shorten(current, part, fits, minimum=1):
    text = getattr(current, part)
    if not text:
        return None
    for candidate in [text, *reversed(snippets.sentence_cuts(text))]:
        if fits(replace(current, **{part: candidate})):
            return replace(current, **{part: candidate})
    enough = snippets._end_of_first(text, minimum)
    for cuts in (snippets.word_cuts(text), snippets.grapheme_cuts(text)):
        cuts = [end for end in cuts if end >= enough]
        best = snippets._longest(
            cuts, lambda end: fits(replace(current, **{part: snippets._cut(text, end)})))
        if best is not None:
            return replace(current, **{part: snippets._cut(text, best)})
    return None


@contextlib.contextmanager
def plain_way():
    """Compose as first written: plain counters, the first URL pattern, urllib's quote,
    the plain shortening, and nothing remembered."""
    with pytest.MonkeyPatch.context() as patch:
        for module in (platforms, snippets):
            for name, value in list(vars(module).items()):
                if hasattr(value, "cache_clear") and hasattr(value, "__wrapped__"):
                    patch.setattr(module, name, value.__wrapped__)
        for module in (platforms, snippets):
            patch.setattr(module, "URL", PLAIN_URL)
            patch.setattr(module, "percent_encoded", lambda value: quote(value, safe=""))
        patch.setattr(platforms, "count_links", plain_links)
        patch.setattr(platforms, "graphemes", plain_graphemes)
        patch.setattr(snippets, "fit", plain_fit)
        for name, count in PLAIN_COUNTS.items():
            patch.setitem(PLATFORMS_BY_ID, name, replace(PLATFORMS_BY_ID[name], count=count))
        yield


# -- what the texts are made of ----------------------------------------------------------

PIECES = ["a", "Z", "é", "e\u0301", "ñ", "ß", "日", "本", "語", "。", "、", "「", "」", "ع", "ر",
          "\u064b", "한", "\u1100\u1161", "क", "\u094d", "ष", "\u093f", "👩\u200d👩\u200d👧",
          "🇸🇪", "🇸", "👍🏽", "❤\ufe0f", "1\ufe0f\u20e3", "#\u20e3", "©", "™", "\u200d", "\u200b",
          " ", " ", "  ", ".", "..", "!", "?", ",", "…", "“", "”", "‘", "’", "—", "(", ")", "<",
          "\"", "'", "#", "#tag", "#Shift_Work", "@", "@ana", "@ana@example.org", "e.g.",
          "example.com", "a.b", "1.5", "x.рф", "日本.jp", "t.co/abc",
          "https://example.com/a?b=c", "http://a.example/x_(y)", "HTTPS://EXAMPLE.ORG/Path.",
          "https://例え.jp/x", "https://a.example/" + "p" * 30, "\n", "\r", "\r\n", "\t"]
SENTENCES = st.lists(st.sampled_from(["Webu toma nupemaro wise", "lacero tete", "gasutema",
                                      "volu rece dawagi viwale.", "Wude!", "荷物は大丈夫か。",
                                      "مرحبا بكم.", "Is it?", "—", "https://a.example/b."]),
                     max_size=40).map(" ".join)
TEXT = st.lists(st.sampled_from(PIECES) | st.characters(exclude_categories=("Cs", "Co", "Cn")),
                max_size=150).map("".join) | SENTENCES


@settings(max_examples=400, deadline=None)
@given(TEXT)
@example("a\r\nb")
@example("\u1100\u1161\u11a8")
@example("🇸🇪🇸")
def test_graphemes_are_counted_as_regex_finds_them(text):
    assert platforms.graphemes(text) == plain_graphemes(text)


# One code point of each class that joins no neighbour (UAX #29: Other, an emoji, CR, LF,
# Control, a Hangul LV and LVT syllable): any two of them are two graphemes, but CR LF.
SEPARATE = ["a", "日", "©", "👍", "\r", "\n", "\x07", "가", "각", "\u200b"]


def test_every_code_point_that_may_join_a_neighbour_is_searched_for():
    joining = [chr(point) for point in range(0x110000)
               if not 0xD800 <= point <= 0xDFFF and platforms.JOINING.match(chr(point))]
    assert len(joining) > 1000 and all(platforms.MAY_JOIN.match(c) for c in joining)


def test_code_points_that_join_nothing_are_a_grapheme_each():
    for first in SEPARATE:
        assert not platforms.JOINING.search(first)
        for second in SEPARATE:
            expected = 1 if first + second == "\r\n" else 2
            assert plain_graphemes(first + second) == expected, (first, second)


@settings(max_examples=500, deadline=None)
@given(TEXT.map(lambda text: text.replace("\n", " ")))
@example("x.рф and 1.5 or a.b")
@example("https://t.co/abcdefghij see")
@example("©️ and © and 1\ufe0f\u20e3")
@example("e.g… “quoted”.")
def test_x_lines_are_weighed_as_twitter_text_weighs_them(line):
    assert platforms._x_line_length.__wrapped__(line) == tweet_length(
        unicodedata.normalize("NFC", line))


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_x_counts_as_twitter_text_line_by_line(text):
    assert platforms.x_length.__wrapped__(text) == plain_x(text)


def test_every_code_point_of_twitter_texts_emoji_that_may_follow_or_stand_alone_is_an_emoji():
    from twitter_text.regexp.emoji import emoji_list
    for emoji in emoji_list:
        points = [chr(int(point, 16)) for point in emoji.codepoint.split()]
        # a lone code point, or any after the first: one of them is in every match
        for point in points if len(points) == 1 else points[1:]:
            assert platforms.X_EMOJI.match(point), (emoji.name, hex(ord(point)))
    assert not any(platforms.X_EMOJI.match(chr(point)) for point in range(128))


@settings(max_examples=400, deadline=None)
@given(TEXT)
@example("see https://a.example/x).\nand https://b.example/…")
@example("https://a.example/x<")
@example("https://...")
def test_each_count_by_lines_is_the_count_of_the_whole_text(text):
    assert platforms.mastodon_length.__wrapped__(text) == plain_mastodon(text)
    assert platforms.threads_length.__wrapped__(text) == plain_threads(text)
    assert platforms.bluesky_length.__wrapped__(text) == plain_bluesky(text)
    assert platforms.count_links(text) == plain_links(text)
    assert [m.span() for m in platforms.URL.finditer(text)] == \
        [m.span() for m in PLAIN_URL.finditer(text)]


@settings(max_examples=300, deadline=None)
@given(TEXT)
def test_percent_encoding_is_urllibs(text):
    assert platforms.percent_encoded(text) == quote(text, safe="")


# -- a story's posts: with every shortcut, and the plain way ------------------------------

SITE = Site(
    title="Life at Testco", company="Testco", base_url="https://careers.testco.example/",
    social=Social(platforms=PLATFORMS, hashtags=("LifeAtTestco",),
                  handles=frozen_map({"x": "testco", "mastodon": "@testco@social.example",
                                      "bluesky": "testco.bsky.social", "threads": "testco",
                                      "instagram": "testco"}),
                  utm=frozen_map({"campaign": "stories", "medium": "social"}),
                  disclosure="I work at Testco"))
PERSON = Person(id="ana", name="Ana Lindqvist", role="Shift Lead", path="people/ana.yaml",
                handles=frozen_map({"x": "ana", "mastodon": "@ana@mastodon.example",
                                    "bluesky": "ana.bsky.social"}))


def story_entry(title, summary, quote_, question, tags, lang, share):
    story = Story(path="stories/x.md", slug="x", title=title.strip() or "T", author="ana",
                  date=dt.date(2026, 1, 1), body="Hello.", body_line=5, summary=summary.strip(),
                  quote=quote_.strip(), question=question.strip(), lang=lang,
                  tags=tuple(t.strip() for t in tags if t.strip()),
                  share=frozen_map(share))
    return make_entry(SITE, story, PERSON, "<p>Hello.</p>", True)


def composed_both_ways(entry):
    words = entry_words(SITE, entry, THEME_CATALOG)
    fast = compose_snippets(SITE, entry, words)
    with plain_way():
        plain = compose_snippets(SITE, entry, words)
    return fast, plain


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(title=TEXT, summary=TEXT, quote_=TEXT, question=TEXT,
       tags=st.lists(TEXT, max_size=4), lang=st.sampled_from(["", "ja", "ar"]),
       share=st.dictionaries(st.sampled_from(PLATFORMS), TEXT | st.just(False), max_size=2))
def test_a_storys_posts_are_the_plain_ways(title, summary, quote_, question, tags, lang,
                                            share):
    entry = story_entry(title, summary, quote_, question, tags, lang, share)
    fast, plain = composed_both_ways(entry)
    assert dict(fast) == dict(plain)
    attached = replace(entry, snippets=fast)
    problems = snippet_problems(SITE, attached, THEME_CATALOG)
    with plain_way():
        assert snippet_problems(SITE, replace(entry, snippets=plain), THEME_CATALOG) == problems
        plain_kit = sharer_snippets(SITE, replace(entry, snippets=plain), "someone-else")
    assert sharer_snippets(SITE, attached, "someone-else") == plain_kit


LONG = ("At 04:00 the warehouse is the quietest place I know. The forklifts sleep, the "
        "radio hums, and the first trucks come in from the harbour. I chose nights because "
        "of my daughter, and I stayed for the people: we look after each other. "
        "Read more at https://example.com/nights.")


@pytest.mark.parametrize("words", [
    LONG, LONG.replace(" ", ""), "荷物は大丈夫か。" * 40, "مرحبا بكم في المستودع. " * 20 + ".",
    "👍🏽 " * 150 + "!", "#Tag @ana@example.org https://a.example/" + "x" * 300],
    ids=["english", "no-spaces", "japanese", "arabic", "emoji", "one-long-url"])
def test_long_hooks_are_cut_as_the_plain_way_cuts_them(words):
    entry = story_entry("The night shift", words, words, "Have you ever chosen the shift?",
                        ["shift work", "Flexibility"], "", {})
    fast, plain = composed_both_ways(entry)
    assert dict(fast) == dict(plain)
    assert words not in fast["x"][0].text and words in fast["linkedin"][0].text   # cut on X
