"""Share-ready snippets: a story told in a few lines for each platform, within its limit.

Pure functions from an Entry and the Site to Snippets; nothing here reads or writes files.
A snippet is built from the story's own words (quote, summary or title as the hook, the
question at the end), the link with UTM parameters, hashtags and mentions, framed in the
words of the story's language (PostWords: the catalog's post. keys, i18n/LANG.yaml). When it does
not fit, it is shortened in this order: fewer hashtags, the hook cut at a sentence, then
at a word with an ellipsis. It never splits a grapheme, a URL, a hashtag or a mention.
"""

from __future__ import annotations

import functools
import hashlib
import re
import unicodedata
import zlib
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Callable, Mapping

import numpy
import regex
from rapidfuzz.distance import Indel

from firsthand.content.catalog import Catalog
from firsthand.content.enrich import Entry
from firsthand.content.model import Site
from firsthand.social.platforms import (
    GRAPHEME, HASHTAG, PLATFORMS_BY_ID, URL, Platform, ShareParts, count_hashtags,
    count_links, percent_encoded)
from firsthand.content.problems import Problem

VOICES = ("author", "colleague")
ELLIPSIS = "…"
MENTION = regex.compile(r"(?<![\w@])@[\w.-]+(?:@[\w-]+(?:\.[\w-]+)+)?")
MIN_HOOK = 50                 # graphemes: a hook cut shorter than this says too little
MIN_STUB = 20                 # shorter than this, the hook goes: "“At…”" is nobody's words
# A Chinese character, kana or hangul says about as much as two Latin letters: in these
# minimums each counts twice, so that a Japanese hook of ten characters may stay.
WIDE = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}]")
SENTENCE_END = regex.compile(r"(?<=[.!?…])\s+|(?<=[。！？])")


@dataclass(frozen=True)
class Snippet:
    """One post, ready to paste: counted the way its platform counts."""

    platform: str
    voice: str                 # "author" (first person) or "colleague" (third person)
    text: str
    length: int                # the platform's own count of text
    limit: int
    link: str                  # the story's address with UTM parameters
    share_url: str | None      # None where the platform has no share link

    def as_json(self) -> dict:
        data = {"voice": self.voice, "text": self.text, "length": self.length,
                "limit": self.limit, "link": self.link}
        if self.share_url is not None:
            data["share_url"] = self.share_url
        return data


@dataclass(frozen=True)
class Draft:
    """The parts of a snippet before they are joined; shortening replaces parts."""

    voice: str
    hook: str
    context: str
    question: str
    disclosure: str
    hashtags: tuple[str, ...]
    link_line: str
    short_context: str = ""     # the framing in fewer words, for tight platforms
    link_intro: str = ""        # a few words before the link, where there is room
    quote_marks: tuple[str, str] = ("“", "”")   # the language's, around a colleague's hook

    def text(self, with_link: bool = True) -> str:
        """Join the parts: short paragraphs, the link last."""
        return unicodedata.normalize("NFC", self.joined(with_link))

    def joined(self, with_link: bool = True) -> str:
        """The parts joined, before they are normalized (NFC) into text()."""
        hashtags = " ".join("#" + tag for tag in self.hashtags)
        link = self.link_line if with_link else ""
        if link and self.link_intro:
            link = f"{self.link_intro} {link}"
        if self.voice == "colleague":
            before, after = self.quote_marks
            hook = f"{before}{self.hook}{after}" if self.hook else ""
            paragraphs = (self.context, hook, self.question, self.disclosure,
                          _lines(hashtags, link))
        else:
            paragraphs = (self.hook, _lines(self.context, self.question), self.disclosure,
                          _lines(hashtags, link))
        return "\n\n".join([paragraph for paragraph in paragraphs if paragraph])

    def text_with(self, part: str) -> Callable[[str], str]:
        """text() of the draft with another value of `part`, for values that are not empty:
        the parts around it are joined once, not again for each value tried."""
        marker = "\0"
        before, *after = replace(self, **{part: marker}).joined().split(marker)
        if len(after) != 1:           # a part holds the marker: join each value in full
            return lambda value: replace(self, **{part: value}).text()
        return lambda value: unicodedata.normalize("NFC", before + value + after[0])


def _lines(first: str, second: str) -> str:
    """Two lines of one paragraph, either of which may be empty."""
    return f"{first}\n{second}" if first and second else first or second


# -- the framings ------------------------------------------------------------------------
#
# How a post opens, how it asks the story's question (or invites replies without one), and
# how it introduces the link. Each voice has as many framings as there are platforms, so
# that one person's posts for one story all read differently; which one a platform gets
# depends on the story, the sharer and the platform (see framing_index).


@dataclass(frozen=True)
class Framing:
    titled: str                # the opening, naming the story: {title}, {company}, {who}
    untitled: str              # the opening when the hook already is the title
    short: str                 # the opening in fewer words, for tight platforms
    ask: str                   # how the question is put: {q}, {first}
    invite: str                # the last line when the story asks no question
    link_intro: str            # before the link, on platforms with room for it


FRAMING_COUNT = 9             # framings per voice and language: one for each platform
FRAMING_PARTS = {"titled": "titled", "untitled": "untitled", "short": "short", "ask": "ask",
                 "invite": "invite", "link_intro": "link"}     # field -> catalog key


@dataclass(frozen=True)
class PostWords:
    """What a post says around the story's own words, in one language: the framings of
    each voice (the catalog's post. keys) and the site's disclosure and hashtags for that
    language. Tuples only, so that it travels to a worker as it is."""

    lang: str
    author: tuple[Framing, ...]
    colleague: tuple[Framing, ...]
    quote_marks: tuple[str, str]     # around the story's words in a colleague's post
    inner_marks: tuple[str, str]     # what quote marks in those words become (「」 -> 『』)
    who: str                         # the writer with their handle: {name}, {handle}
    no_link: str                     # instead of the link, where links are not clickable
    disclosure: str                  # "" when the site asks for none
    hashtags: tuple[str, ...]

    def framings(self, voice: str) -> tuple[Framing, ...]:
        return self.author if voice == "author" else self.colleague

    @functools.cached_property
    def digest(self) -> str:
        """Of every word, for cache keys (made once: every story in the language shares it)."""
        return hashlib.sha256(repr(self).encode("utf-8")).hexdigest()


def post_language(site: Site, entry: Entry) -> str:
    """The language a story's posts are written in: the story's, else the site's."""
    return entry.lang or entry.story.lang or site.language


def post_words(site: Site, catalog: Catalog, lang: str) -> PostWords:
    """The words of posts in lang, from the catalog (a key it lacks in lang comes from the
    default language: the catalog warned about it when it was read)."""
    def framing(voice: str, number: int) -> Framing:
        return Framing(**{name: catalog.text(lang, f"post.{voice}.{number}.{key}")
                          for name, key in FRAMING_PARTS.items()})

    before, _, after = catalog.text(lang, "post.quoted").partition("{text}")
    inner_before, _, inner_after = catalog.text(lang, "post.quoted_inner").partition("{text}")
    return PostWords(
        lang=lang,
        author=tuple(framing("author", n) for n in range(1, FRAMING_COUNT + 1)),
        colleague=tuple(framing("colleague", n) for n in range(1, FRAMING_COUNT + 1)),
        quote_marks=(before, after), inner_marks=(inner_before, inner_after),
        who=catalog.text(lang, "post.who"),
        no_link=catalog.text(lang, "post.link_in_bio"),
        disclosure=disclosure(site, catalog, lang), hashtags=site.social.hashtags_in(lang))


def disclosure(site: Site, catalog: Catalog, lang: str) -> str:
    """The site's disclosure in lang: the site's own words for that language (a single
    text is in the site's language), else the catalog's; none when the site asks for none."""
    social = site.social
    for candidate in (lang, lang.split("-")[0]):
        if candidate in social.disclosures:
            return clean(social.disclosures[candidate])
    if social.disclosure and base_language(lang) == base_language(site.language):
        return clean(social.disclosure)
    if not (social.disclosure or social.disclosures):
        return ""
    return clean(catalog.text(lang, "post.disclosure", company=site.company))


def base_language(lang: str) -> str:
    """'pt' for pt-BR: the language without its region or script."""
    return lang.split("-")[0].casefold()


SLOTS = 3                     # a colleague's framings per platform that the kit offers
PLATFORM_ORDER = ("linkedin", "x", "facebook", "instagram", "threads", "mastodon", "bluesky",
                  "whatsapp", "email")
# A colleague's post is fitted as if the sharer's id in its link were this long, so that it
# still fits when the kit puts a real sharer's id there (a longer id eats into the 20 units
# of headroom, never past the limit, up to 44 characters).
SHARER_ID_ROOM = 24


@functools.lru_cache(maxsize=1024)
def fnv1a(text: str) -> int:
    """FNV-1a, 32 bits, of the UTF-8 bytes: small enough to write again in static/share.js."""
    value = 0x811C9DC5
    for byte in text.encode("utf-8"):
        value = ((value ^ byte) * 0x01000193) & 0xFFFFFFFF
    return value


def sharer_slot(slug: str, sharer: str) -> int:
    """Which of a platform's colleague framings a sharer gets (static/share.js: slotOf)."""
    return fnv1a(f"{slug}\n{sharer}") % SLOTS


def framing_index(words: str, voice: str, platform: str, slot: int = 0,
                  count: int = FRAMING_COUNT) -> int:
    """Distinct for each platform of one story and voice, moved on by the sharer's slot.

    The story's own words pick where to start, not its slug: two stories that say the same
    get the same framings, so that the near-identical check still sees them alike."""
    position = PLATFORM_ORDER.index(platform) if platform in PLATFORM_ORDER else 0
    stride = count // SLOTS
    return (fnv1a(f"{words}\n{voice}") + position + slot * stride) % count


# -- the parts ---------------------------------------------------------------------------


def story_link(site: Site, entry: Entry, platform: str, sharer: str | None = None) -> str:
    """The story's absolute URL tagged for per-platform, per-sharer attribution."""
    utm = dict(site.social.utm)
    params = [("utm_source", platform)]
    params += [(f"utm_{key}", utm.pop(key)) for key in ("medium", "campaign") if key in utm]
    params += [("utm_content", sharer or entry.author.id)]
    params += [(f"utm_{key}", value) for key, value in sorted(utm.items())]
    query = "&".join(f"{name}={percent_encoded(value)}" for name, value in params if value)
    return site.absolute(entry.path) + "?" + query


TAG_WORD = regex.compile(r"\w+")


def camel_case(tag: str) -> str:
    """'shift work' -> 'ShiftWork': a hashtag that screen readers read as words."""
    words = TAG_WORD.findall(tag)
    return "".join(word[:1].upper() + word[1:] for word in words)


def hashtags(words: PostWords, entry: Entry, platform: Platform) -> tuple[str, ...]:
    """The site's hashtags (for the post's language), then the story's tags, as many as
    the platform's custom allows."""
    return all_hashtags((*words.hashtags, *entry.story.tags))[: platform.hashtags]


@functools.lru_cache(maxsize=256)
def all_hashtags(tags: tuple[str, ...]) -> tuple[str, ...]:
    """The tags as hashtags, each once (made once a story, though every post asks)."""
    found: dict[str, str] = {}
    for tag in tags:
        tag = camel_case(tag)
        if HASHTAG.fullmatch("#" + tag):
            found.setdefault(tag.casefold(), tag)
    return tuple(found.values())


def handle(platform: Platform, value: str | None) -> str:
    """An @handle as the platform mentions one, or '' where pasted text cannot mention."""
    if not platform.mentions or not value:
        return ""
    value = value.strip()
    return value if value.startswith("@") else "@" + value


def clean(text: str) -> str:
    """One line of text: runs of white space (line breaks too) become one space."""
    return " ".join(text.split())


def requoted(text: str, words: PostWords) -> str:
    """The story's words as a colleague quotes them: their own quote marks become the
    language's inner ones (「荷物は大丈夫か」 inside 「…」 becomes 『荷物は大丈夫か』)."""
    for mark, inner in zip(words.quote_marks, words.inner_marks):
        mark, inner = mark.strip(), inner.strip()
        if mark and mark != inner:
            text = text.replace(mark, inner)
    return text


@functools.lru_cache(maxsize=256)
def story_hooks(quote: str, summary: str, title: str) -> tuple[str, ...]:
    """What a post may lead with: the author leads with the quote; colleagues' framings
    take turns with the story's words too (quote, summary, title), so that two of them
    post different texts. (Asked for each post: made once a story.)"""
    return tuple(dict.fromkeys(clean(t) for t in (quote, summary, title) if clean(t)))


def first_name(name: str) -> str:
    return name.split()[0] if name.split() else name


def draft(site: Site, entry: Entry, platform: Platform, voice: str, words: PostWords,
          slot: int = 0, link: str | None = None) -> Draft:
    """The full-length snippet of one voice in one framing, in the words of its language,
    before any shortening."""
    story, author = entry.story, entry.author
    title = clean(story.title)
    hooks = story_hooks(story.quote, story.summary, story.title)
    hook = hooks[slot % len(hooks)] if voice == "colleague" and hooks else \
        (hooks[0] if hooks else "")
    framings = words.framings(voice)
    framing = framings[framing_index(hooks[0] if hooks else "", voice, platform.id, slot,
                                     len(framings))]
    own = handle(platform, author.handles.get(platform.id))
    places = {"company": handle(platform, site.social.handles.get(platform.id)) or site.company,
              "title": title, "first": first_name(author.name),
              "who": words.who.format(name=author.name, handle=own) if own else author.name}
    question = clean(story.question)
    ask = framing.ask.format(q=question, **places) if question else \
        framing.invite.format(**places)
    context = (framing.titled if hook != title else framing.untitled).format(**places)
    link_line = link or story_link(site, entry, platform.id)
    if platform.link == "none":
        link_line = words.no_link
    intro = framing.link_intro.format(**places) if platform.budget >= 1000 \
        and platform.link == "text" else ""
    if voice == "colleague":
        hook = requoted(hook, words)
    return Draft(voice, hook, context, ask, words.disclosure,
                 hashtags(words, entry, platform), link_line, framing.short.format(**places),
                 intro, words.quote_marks)


# -- shortening --------------------------------------------------------------------------


def fit(platform: Platform, full: Draft, limit: int | None = None) -> Draft | None:
    """The longest version of the draft that the platform accepts within `limit` (by
    default its budget: the limit less room to personalise), or None."""
    budget = platform.budget if limit is None else limit

    def fits_text(text: str) -> bool:
        return platform.fits(text, budget)

    def fits(candidate: Draft) -> bool:
        return fits_text(candidate.text())

    if fits(full):
        return full
    if full.link_intro:
        full = replace(full, link_intro="")
        if fits(full):
            return full
    current = full
    for count in range(len(full.hashtags) - 1, -1, -1):     # all of them did not fit
        current = replace(full, hashtags=full.hashtags[:count])
        if fits(current):
            return current
    # Now without hashtags (the last tried, or full, which had none). The hook is the
    # story's own words: rather than cut it to a stub, the framing gives way first, then
    # the question (which the post would rather end with).
    shorter_framing = [lambda d: replace(d, context=d.short_context),
                       lambda d: replace(d, question="")]
    base = current
    for step in range(len(shorter_framing) + 1):
        if step:
            base = shorter_framing[step - 1](base)
        last = step == len(shorter_framing)
        shorter = shorten_part(base, "hook", fits_text,
                               minimum=MIN_STUB if last else MIN_HOOK)
        if shorter is not None:
            return shorter
    current = replace(base, hook="")
    for part in ("question", "context"):
        shorter = shorten_part(current, part, fits_text)
        if shorter is not None:
            return shorter
        current = replace(current, **{part: ""})
    return current if fits(current) else None


def shorten_part(current: Draft, part: str, fits: Callable[[str], bool],
                 minimum: int = 1) -> Draft | None:
    """The draft with `part` cut at a sentence, else at a word with an ellipsis, keeping at
    least `minimum` graphemes of it; or None. `fits` is asked of the draft's text."""
    text = getattr(current, part)
    if not text:
        return None
    text_with = current.text_with(part)      # every value tried below is not empty
    for candidate in [text, *reversed(sentence_cuts(text))]:
        if fits(text_with(candidate)):
            return replace(current, **{part: candidate})
    enough = _end_of_first(text, minimum)
    for cuts in (word_cuts(text), grapheme_cuts(text)):
        cuts = [end for end in cuts if end >= enough]
        best = _longest(cuts, lambda end: fits(text_with(_cut(text, end))))
        if best is not None:
            return replace(current, **{part: _cut(text, best)})
    return None


@functools.lru_cache(maxsize=256)
def _end_of_first(text: str, minimum: int) -> int:
    """Where the first `minimum` graphemes of text end (a wide one counts two), or its end."""
    seen = 0
    for match in GRAPHEME.finditer(text):
        seen += 2 if WIDE.match(match.group()) else 1
        if seen >= minimum:
            return match.end()
    return len(text)


def _longest(cuts: list[int], fits: Callable[[int], bool]) -> int | None:
    """The largest cut that fits (counts grow with the cut), by binary search."""
    low, high, best = 0, len(cuts) - 1, None
    while low <= high:
        middle = (low + high) // 2
        if fits(cuts[middle]):
            best, low = cuts[middle], middle + 1
        else:
            high = middle - 1
    return best


@functools.lru_cache(maxsize=1024)
def _cut(text: str, end: int) -> str:
    """Text up to `end` and an ellipsis; a URL keeps every character and a space before it,
    since an ellipsis glued to a URL would become part of the link."""
    kept = text[:end].rstrip()
    if any(match.end() == len(kept) for match in URL.finditer(kept)):
        return kept + " " + ELLIPSIS
    return kept.rstrip(" ,;:–—-(“\"'、，،؛「『«„‚‹") + ELLIPSIS


# The cuts are pure functions of the text, remembered: one story's hook is cut on each
# platform, for each voice.
@functools.lru_cache(maxsize=256)
def _boundaries(text: str) -> frozenset[int]:
    """Grapheme boundaries that are not inside a URL, a hashtag or a mention."""
    ends, position = set(), 0
    for cluster in GRAPHEME.findall(text):
        position += len(cluster)
        ends.add(position)
    for pattern in (URL, HASHTAG, MENTION):
        for match in pattern.finditer(text):
            ends -= set(range(match.start() + 1, match.end()))
    return frozenset(ends)


@functools.lru_cache(maxsize=256)
def sentence_cuts(text: str) -> tuple[str, ...]:
    """Every shorter run of whole sentences from the start, shortest first."""
    allowed = _boundaries(text)
    cuts = []
    for match in SENTENCE_END.finditer(text):
        end = match.start()
        if 0 < end < len(text) and end in allowed and text[:end].strip():
            cuts.append(text[:end].rstrip())
    return tuple(dict.fromkeys(cuts))


@functools.lru_cache(maxsize=256)
def word_cuts(text: str) -> tuple[int, ...]:
    """Positions before a space where the text may be cut, in order."""
    allowed = _boundaries(text)
    return tuple(m.start() for m in re.finditer(r"\s+", text)
                 if m.start() in allowed and text[:m.start()].strip())


@functools.lru_cache(maxsize=256)
def grapheme_cuts(text: str) -> tuple[int, ...]:
    """Any grapheme boundary (for scripts written without spaces), in order."""
    return tuple(sorted(end for end in _boundaries(text) if 0 < end < len(text)))


# -- snippets ----------------------------------------------------------------------------


def override(site: Site, entry: Entry, platform: Platform, text: str,
             words: PostWords, link: str | None = None) -> str:
    """A writer's own text, as written; the link and the disclosure added where missing."""
    text = unicodedata.normalize("NFC", text.strip())
    disclosure = words.disclosure
    if disclosure and disclosure.casefold() not in text.casefold():
        text += "\n\n" + disclosure
    if platform.link != "none":
        text += "\n\n" + (link or story_link(site, entry, platform.id))
    return unicodedata.normalize("NFC", text)


def make_snippet(site: Site, entry: Entry, platform: Platform, voice: str,
                 text: str, link: str | None = None) -> Snippet:
    link = link or story_link(site, entry, platform.id)
    body = text[: -len(link)].rstrip() if platform.link != "none" and text.endswith(link) \
        else text
    parts = ShareParts(body=body, link=link, text=text, subject=clean(entry.story.title))
    return Snippet(platform.id, voice, text, platform.count(text), platform.limit, link,
                   platform.share(parts) if platform.share else None)


def platform_snippets(site: Site, entry: Entry, platform: Platform,
                      words: PostWords) -> list[Snippet]:
    """The author's snippet first, then a colleague's in each of the kit's framings (the
    first is the one without a chosen sharer); none when the story opts out."""
    chosen = entry.story.share.get(platform.id)
    if chosen is False:
        return []
    snippets = []
    link = story_link(site, entry, platform.id)
    own = override(site, entry, platform, chosen, words, link) if isinstance(chosen, str) \
        else None
    if own is not None and platform.fits(own):
        snippets.append(make_snippet(site, entry, platform, "author", own, link))
    else:
        shortened = fit(platform, draft(site, entry, platform, "author", words, link=link))
        if shortened is not None:
            snippets.append(make_snippet(site, entry, platform, "author", shortened.text(),
                                         link))
    roomy = story_link(site, entry, platform.id, "x" * max(SHARER_ID_ROOM, len(entry.author.id)))
    for slot in range(SLOTS):
        shortened = fit(platform, draft(site, entry, platform, "colleague", words, slot, roomy))
        if shortened is not None:
            snippets.append(make_snippet(site, entry, platform, "colleague",
                                         shortened.text().replace(roomy, link), link))
    return snippets


def for_sharer(site: Site, entry: Entry, snippet: Snippet, sharer: str) -> Snippet:
    """The snippet with the sharer's id in its link, wherever the link appears (the kit
    does the same in static/share.js: withSharer)."""
    link = story_link(site, entry, snippet.platform, sharer)
    share_url = snippet.share_url
    if share_url is not None:
        share_url = share_url.replace(percent_encoded(snippet.link), percent_encoded(link))
    text = snippet.text.replace(snippet.link, link)
    return replace(snippet, text=text, link=link, share_url=share_url,
                   length=PLATFORMS_BY_ID[snippet.platform].count(text))


def sharer_snippets(site: Site, entry: Entry, sharer: str,
                    catalog: Catalog | None = None) -> dict[str, tuple[Snippet, ...]]:
    """What the share kit offers one person: for the author, their own post and then a
    colleague's; for anyone else, the colleague's post in the framing that person gets,
    then the author's. Every link carries the sharer's id."""
    chosen = {}
    for name, found in story_snippets(site, entry, catalog).items():
        authors = [s for s in found if s.voice == "author"]
        colleagues = [s for s in found if s.voice == "colleague"]
        if sharer == entry.author.id:
            ordered = authors + colleagues[:1]
        else:
            slot = sharer_slot(entry.slug, sharer)
            ordered = colleagues[slot % len(colleagues):][:1] + authors if colleagues \
                else authors
        chosen[name] = tuple(for_sharer(site, entry, s, sharer) for s in ordered)
    return chosen


def story_snippets(site: Site, entry: Entry,
                   catalog: Catalog | None = None) -> Mapping[str, tuple[Snippet, ...]]:
    """Every platform the site uses, in its order: {platform id: (author, colleague)}.

    The build composes them once and attaches them to the entry (entry.snippets), where
    checks, the share kit and snippets.json find them; an entry without them is composed
    here, in the words of the catalog."""
    if entry.snippets is not None:
        return entry.snippets
    if catalog is None:
        raise ValueError(f"the snippets of {entry.story.path} are not composed yet, and "
                         "composing them needs the catalog (library.catalog)")
    return compose_snippets(site, entry, entry_words(site, entry, catalog))


def entry_words(site: Site, entry: Entry, catalog: Catalog) -> PostWords:
    """The words of a story's posts: in its language, from the catalog."""
    return post_words(site, catalog, post_language(site, entry))


def each_entry_words(site: Site, entries, catalog: Catalog) -> list[PostWords]:
    """entry_words of each entry, made once per language."""
    made: dict[str, PostWords] = {}
    for entry in entries:
        lang = post_language(site, entry)
        if lang not in made:
            made[lang] = post_words(site, catalog, lang)
    return [made[post_language(site, entry)] for entry in entries]


def compose_snippets(site: Site, entry: Entry,
                     words: PostWords) -> Mapping[str, tuple[Snippet, ...]]:
    result = {}
    for name in site.social.platforms:
        snippets = platform_snippets(site, entry, PLATFORMS_BY_ID[name], words)
        if snippets:
            result[name] = tuple(snippets)
    return MappingProxyType(result)


def snippet_inputs(site: Site, entry: Entry, words: PostWords) -> list:
    """Everything in the site, the story and its language's words that compose_snippets
    reads, for a cache key."""
    story, author = entry.story, entry.author
    return [site.social, site.company, site.absolute(entry.path), story.title, story.quote,
            story.summary, story.question, story.tags, story.share, author.id, author.name,
            author.handles, words.digest]


def snippet_problems(site: Site, entry: Entry, catalog: Catalog) -> list[Problem]:
    """Overrides that do not fit, and platforms where even the shortest snippet cannot fit."""
    story, problems = entry.story, []
    words = made = None              # made when first needed: most stories override nothing
    for name in site.social.platforms:
        platform = PLATFORMS_BY_ID[name]
        chosen = story.share.get(name)
        if isinstance(chosen, str):
            if words is None:
                words = entry_words(site, entry, catalog)
            text = override(site, entry, platform, chosen, words)
            if not platform.fits(text):
                problems.append(Problem(
                    story.path, story.line_of(f"share.{name}"),
                    f"'share.{name}' does not fit on {platform.name}: {why_not(platform, text)}"
                    f" (with the link and disclosure added); shorten it"))
        if made is None:
            made = story_snippets(site, entry, catalog)
        if chosen is not False and {s.voice for s in made.get(name, ())} != set(VOICES):
            problems.append(Problem(
                "site.yaml", 1, f"no snippet for {story.path} fits on {platform.name}, even "
                "without hashtags and with the story's words cut: shorten "
                "'social.disclosure' or the company's handle", "error", "snippets"))
    return problems


def why_not(platform: Platform, text: str) -> str:
    """Say which of the platform's limits a text breaks."""
    reasons = []
    length = platform.count(text)
    if length > platform.limit:
        reasons.append(f"{length} characters as {platform.name} counts them, "
                       f"{length - platform.limit} over its limit of {platform.limit}")
    if platform.max_bytes is not None and len(text.encode("utf-8")) > platform.max_bytes:
        reasons.append(f"{len(text.encode('utf-8'))} bytes, over its limit of "
                       f"{platform.max_bytes}")
    if platform.max_links is not None and count_links(text) > platform.max_links:
        reasons.append(f"{count_links(text)} links, more than {platform.max_links}")
    if platform.max_hashtags is not None and count_hashtags(text) > platform.max_hashtags:
        reasons.append(f"{count_hashtags(text)} hashtags, more than {platform.max_hashtags}")
    return "; ".join(reasons)


def snippets_document(site: Site, entries) -> dict:
    """snippets.json: every snippet of every published story (DESIGN.md, section 5)."""
    return {"site": site_document(site),
            "stories": [story_document(site, entry) for entry in entries if entry.published]}


def site_document(site: Site) -> dict:
    return {"title": site.title, "base_url": site.base_url}


def story_document(site: Site, entry: Entry) -> dict:
    """One story's item of snippets.json: the author's voice, the others as variants."""
    return Documented.of(site, entry).document()


@dataclass(frozen=True)
class Documented:
    """All that a story's item of snippets.json is made of: its key is a digest of this,
    so an edit the item does not show (a body, a tag) leaves the file as it is."""

    slug: str
    url: str
    title: str
    lang: str
    author_id: str
    author_name: str
    snippets: Mapping[str, tuple[Snippet, ...]]

    @classmethod
    def of(cls, site: Site, entry: Entry) -> "Documented":
        return cls(entry.slug, site.absolute(entry.path), entry.title,
                   post_language(site, entry), entry.author.id, entry.author.name,
                   story_snippets(site, entry))

    def document(self) -> dict:
        snippets = {}
        for name, found in self.snippets.items():
            main = found[0].as_json()
            main["variants"] = [s.as_json() for s in found[1:]]
            snippets[name] = main
        return {"slug": self.slug, "url": self.url, "title": self.title, "lang": self.lang,
                "author": {"id": self.author_id, "name": self.author_name},
                "snippets": snippets}


# Near-identical snippets are found without comparing every pair of stories. Each
# snippet's word pairs are sketched (MinHash: the least of SKETCH_ROWS * SKETCH_BANDS
# hashes of them), and two stories are compared only when all the rows of one band of
# their sketches are equal (locality-sensitive hashing): likely when their texts share
# most word pairs, unlikely when they share few. Word pairs that many stories use (the
# framing, the disclosure, a company's recurring sentences) are left out of the sketch,
# so that they do not make every pair a candidate. Texts 90 % alike share about two
# thirds of their word pairs even when every tenth word differs: such a pair is found
# with a probability above 99 %, a pair sharing a tenth of them below 1 %.
COMMON_PAIR = 64              # word pairs in more stories than this are not sketched
SKETCH_ROWS, SKETCH_BANDS = 4, 24
_SEEDS = numpy.random.default_rng(12).integers(1, 2**63, size=(2, SKETCH_ROWS * SKETCH_BANDS),
                                                dtype=numpy.uint64) | numpy.uint64(1)


def near_identical_inputs(entries) -> list:
    """Everything of the entries that near_identical reads, for a cache key."""
    return [(e.story.path, e.story.quote, e.story.lines, e.snippets) for e in entries]


def near_identical(site: Site, entries, threshold: float = 0.9,
                   common: int = COMMON_PAIR) -> list[Problem]:
    """Warn where two stories' snippets for a platform read almost the same (word by word,
    the link left out): one warning per story, on the newer one of each pair, naming the
    most alike older story (entries come newest first). `common`: COMMON_PAIR (a test
    makes word pairs common in fewer stories). social/alike.py finds the same, keeping
    what it found between builds."""
    words = [snippet_words(site, entry) for entry in entries]
    texts = [(index, list(text)) for index, found in enumerate(words)
             for text in dict.fromkeys(found.values())]    # (story, words) of each distinct text
    alike: dict[int, list[tuple[float, int, list[str]]]] = {}
    for newer, older in sorted(_candidates(texts, common)):
        found = alike_platforms(words[newer], words[older], threshold)
        if found:
            alike.setdefault(newer, []).append((max(found.values()), older, list(found)))
    return alike_problems(entries, alike)


def snippet_words(site: Site, entry: Entry) -> dict[str, tuple[str, ...]]:
    """What near_identical compares of a story: the words of each platform's first post,
    the link left out."""
    return {name: words_of(snippets[0].text.replace(snippets[0].link, " "))
            for name, snippets in story_snippets(site, entry).items()}


def alike_platforms(words: Mapping[str, list], other: Mapping[str, list],
                    threshold: float) -> dict[str, float]:
    """{platform: how alike}, in the order of `words`, where both stories' posts for a
    platform are more alike than the threshold."""
    found = {name: _similarity(text, other[name], threshold)
             for name, text in words.items() if name in other}
    return {name: ratio for name, ratio in found.items() if ratio > threshold}


def alike_problems(entries, alike: Mapping[int, list[tuple[float, int, list[str]]]]
                   ) -> list[Problem]:
    """The warnings of near_identical: {newer: [(ratio, older, platforms)]}, by index."""
    problems = []
    for newer, matches in sorted(alike.items()):
        ratio, older, names = max(matches, key=lambda m: (m[0], -m[1]))
        problems.append(alike_problem(entries, newer, ratio, older, names, len(matches)))
    return problems


def alike_problem(entries, newer: int, ratio: float, older: int, names: list[str],
                  matches: int) -> Problem:
    """The warning on entries[newer], as alike as `ratio` on the platforms `names` to the
    most alike of `matches` older stories, entries[older]."""
    story = entries[newer].story
    more = f" (and {matches - 1} more)" if matches > 1 else ""
    line = story.line_of("quote") if story.quote else story.line_of("title")
    return Problem(
        story.path, line,
        f"the snippets for {', '.join(PLATFORMS_BY_ID[n].name for n in names)} are "
        f"{ratio:.0%} the same as those of {entries[older].story.path}{more}; people who "
        "follow both will see a repeat: vary the quote or summary, or write your own "
        "under 'share:'", "warning", "snippets")


# Scripts written without spaces between words: each character is compared as a word.
UNSPACED = r"\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}\p{Thai}\p{Lao}\p{Khmer}\p{Myanmar}"
WORD = regex.compile(rf"[{UNSPACED}]|[^\s{UNSPACED}]+")


def words_of(text: str) -> tuple[str, ...]:
    """The words the near-identical check compares: split at spaces, and each character
    of Japanese, Chinese, Korean, Thai... (written without spaces) a word of its own."""
    return tuple(WORD.findall(text.casefold()))


def shingles_of(text) -> set[int]:
    """A text's word pairs, hashed (a text of one word or none is one "pair")."""
    return {zlib.crc32(" ".join(text[i:i + 2]).encode()) for i in range(max(1, len(text) - 1))}


def kept_shingles(found: set[int], stories: Mapping[int, int], common: int) -> list[int]:
    """The shingles of a text that its sketch is made of: those in at most `common` stories
    (`stories`: shingle -> in how many); a text of common word pairs only is sketched whole."""
    return [s for s in found if stories[s] <= common] or list(found)


def _candidates(texts: list[tuple[int, list[str]]],
                common: int = COMMON_PAIR) -> set[tuple[int, int]]:
    """(newer, older) pairs of stories with a text whose sketches agree on a band."""
    shingles = [shingles_of(text) for _, text in texts]
    stories: dict[int, set[int]] = {}
    for (story, _), found in zip(texts, shingles):
        for shingle in found:
            stories.setdefault(shingle, set()).add(story)
    counts = {shingle: len(found) for shingle, found in stories.items()}
    kept = [kept_shingles(found, counts, common) for found in shingles]
    if not kept:
        return set()
    keys = band_keys(sketch(kept))
    owners = numpy.array([story for story, _ in texts])
    pairs = set()
    for band in range(SKETCH_BANDS):
        for members in buckets(keys[:, band], owners):
            pairs.update((a, b) for n, a in enumerate(members) for b in members[n + 1:])
    return pairs


def band_keys(sketches: numpy.ndarray) -> numpy.ndarray:
    """One key of each band of each sketch: equal rows, equal keys (texts x bands)."""
    rows = sketches.reshape(len(sketches), SKETCH_BANDS, SKETCH_ROWS)
    return (rows * _SEEDS[0, :SKETCH_ROWS]).sum(axis=2, dtype=numpy.uint64)


def buckets(keys: numpy.ndarray, owners: numpy.ndarray) -> list[list[int]]:
    """The owners (sorted, each once) of the texts of each key that more than one text has."""
    order = numpy.argsort(keys, kind="stable")
    ordered = keys[order]
    starts = numpy.flatnonzero(numpy.concatenate(([True], ordered[1:] != ordered[:-1])))
    ends = numpy.append(starts[1:], len(order))
    return [sorted(set(owners[order[start:end]].tolist()))
            for start, end in zip(starts[ends - starts > 1], ends[ends - starts > 1])]


def sketch(shingles: list[list[int]]) -> numpy.ndarray:
    """The MinHash sketch of each set of shingle hashes, one row each."""
    lengths = numpy.array([len(s) for s in shingles], numpy.int64)
    flat = numpy.fromiter((h for s in shingles for h in s), dtype=numpy.uint64,
                          count=int(lengths.sum()))
    return sketch_flat(flat, lengths)


def sketch_flat(flat: numpy.ndarray, lengths: numpy.ndarray) -> numpy.ndarray:
    """sketch() of the sets of shingle hashes laid end to end in `flat`, `lengths` long
    (none empty)."""
    flat = flat.astype(numpy.uint64, copy=False)
    starts = numpy.concatenate(([0], numpy.cumsum(lengths)[:-1])).astype(numpy.int64)
    multiply, add = _SEEDS
    sketches = numpy.empty((len(lengths), multiply.size), dtype=numpy.uint64)
    step = max(1, 2_000_000 // multiply.size)          # shingles hashed at once
    first = 0
    while first < len(lengths):
        last = int(numpy.searchsorted(starts, starts[first] + step, side="right"))
        last = max(last, first + 1)
        low, high = starts[first], starts[last - 1] + lengths[last - 1]
        hashed = (flat[low:high, None] * multiply + add) >> numpy.uint64(32)
        sketches[first:last] = numpy.minimum.reduceat(hashed, starts[first:last] - low, axis=0)
        first = last
    return sketches


def _similarity(a, b, threshold: float) -> float:
    """How alike two word lists are, 0 to 1: twice the words in common, in order, over
    all words (difflib's ratio, by a faster matcher); 0 when below the threshold."""
    if 2 * min(len(a), len(b)) / (len(a) + len(b) or 1) <= threshold:
        return 0.0
    return Indel.normalized_similarity(a, b, score_cutoff=threshold)


def visitor_links(site: Site, entry: Entry) -> list[tuple[str, str]]:
    """The story page's share links for readers, in no one's voice: the title and the link
    (utm_medium=share), for each of the site's platforms that has a share link."""
    links = []
    for name in site.social.platforms:
        platform = PLATFORMS_BY_ID[name]
        if platform.share is None or entry.story.share.get(name) is False:
            continue
        params = [("utm_source", name), ("utm_medium", "share")]
        if site.social.utm.get("campaign"):
            params.append(("utm_campaign", site.social.utm["campaign"]))
        link = site.absolute(entry.path) + "?" + "&".join(
            f"{key}={percent_encoded(value)}" for key, value in params)
        title = clean(entry.story.title)
        parts = ShareParts(body=title, link=link, text=f"{title}\n\n{link}", subject=title)
        links.append((platform.name, platform.share(parts)))
    return links


def variant_problems(site: Site, entry: Entry, threshold: float = 0.9) -> list[Problem]:
    """Warn where two of one story's generated posts that could meet read almost the same
    (word by word, the link left out: near_identical's measure): the posts one person gets
    for different platforms, and the posts different people get for one platform."""
    story, posts = entry.story, []
    for name, found in story_snippets(site, entry).items():
        colleagues = 0
        for snippet in found:
            if snippet.voice == "author" and isinstance(story.share.get(name), str):
                continue                       # the writer's own words, not a framing
            colleagues += snippet.voice == "colleague"
            who = "author" if snippet.voice == "author" else f"colleague {colleagues}"
            words = snippet.text.replace(snippet.link, " ").casefold().split()
            posts.append((name, who, words))
    alike = []
    for i, (name, who, words) in enumerate(posts):
        for other, other_who, other_words in posts[i + 1:]:
            if name != other and who != other_who:
                continue                       # no one is offered both
            shorter, both = min(len(words), len(other_words)), len(words) + len(other_words)
            if 2 * shorter / (both or 1) <= threshold:
                continue                       # _similarity's own first test: not alike
            ratio = _similarity(words, other_words, threshold)
            if ratio >= threshold:
                alike.append((ratio, _post_name(name, who), _post_name(other, other_who)))
    if not alike:
        return []
    ratio, first, second = max(alike)
    more = f" (and {len(alike) - 1} more pairs)" if len(alike) > 1 else ""
    line = story.line_of("quote") if story.quote else story.line_of("title")
    return [Problem(story.path, line,
                    f"two of this story's posts, {first} and {second}, are {ratio:.0%} the "
                    f"same{more}; people who share it would post nearly one text: write "
                    "your own under 'share:' for one of the platforms", "warning", "snippets")]


def _post_name(platform: str, who: str) -> str:
    """'LinkedIn, the author's post' or 'X, colleague's post 2'."""
    name = PLATFORMS_BY_ID[platform].name
    if who == "author":
        return f"{name}, the author's post"
    return f"{name}, colleague's post {who.split()[-1]}"


def describe_snippets(site: Site, entry: Entry, names, sharer: str | None = None,
                      catalog: Catalog | None = None) -> str:
    """The snippets of one story as terminal text: a header with the count, then the post.
    With a sharer, the posts the share kit offers that person, their id in every link."""
    made = sharer_snippets(site, entry, sharer, catalog) if sharer else \
        story_snippets(site, entry, catalog)
    out = []
    for name in names:
        snippets = made.get(name, ())
        platform = PLATFORMS_BY_ID[name]
        if not snippets:
            why = "share: false in the story" if entry.story.share.get(name) is False \
                else "not in social.platforms of site.yaml"
            out.append(f"== {platform.name}: no snippet ({why})\n")
        for snippet in snippets:
            out.append(f"== {platform.name}, {snippet.voice}: {snippet.length}/{snippet.limit}")
            out.append(snippet.text)
            if snippet.share_url:
                out.append(f"-- share: {snippet.share_url}")
            out.append("")
    return "\n".join(out)
