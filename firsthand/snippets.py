"""Share-ready snippets: a story told in a few lines for each platform, within its limit.

Pure functions from an Entry and the Site to Snippets; nothing here reads or writes files.
A snippet is built from the story's own words (quote, summary or title as the hook, the
question at the end), the link with UTM parameters, hashtags and mentions. When it does
not fit, it is shortened in this order: fewer hashtags, the hook cut at a sentence, then
at a word with an ellipsis. It never splits a grapheme, a URL, a hashtag or a mention.
"""

from __future__ import annotations

import re
import unicodedata
import zlib
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import Callable, Mapping
from urllib.parse import quote

import numpy
import regex
from rapidfuzz.distance import Indel

from .enrich import Entry
from .model import Site
from .platforms import (GRAPHEME, HASHTAG, PLATFORMS_BY_ID, URL, Platform, ShareParts,
                        count_hashtags, count_links)
from .problems import Problem

VOICES = ("author", "colleague")
ELLIPSIS = "…"
NO_LINK_LINE = "Full story: link in bio"
MENTION = regex.compile(r"(?<![\w@])@[\w.-]+(?:@[\w-]+(?:\.[\w-]+)+)?")
MIN_HOOK = 50                 # graphemes: a hook cut shorter than this says too little
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

    def text(self, with_link: bool = True) -> str:
        """Join the parts: short paragraphs, the link last."""
        hashtags = " ".join("#" + tag for tag in self.hashtags)
        link = self.link_line if with_link else ""
        if self.voice == "colleague":
            hook = f"“{self.hook}”" if self.hook else ""
            groups = [[self.context], [hook], [self.question], [self.disclosure], [hashtags, link]]
        else:
            groups = [[self.hook], [self.context, self.question], [self.disclosure],
                      [hashtags, link]]
        text = "\n\n".join("\n".join(line for line in group if line)
                           for group in groups if any(group))
        return unicodedata.normalize("NFC", text)


# -- the parts ---------------------------------------------------------------------------


def story_link(site: Site, entry: Entry, platform: str) -> str:
    """The story's absolute URL tagged for per-platform, per-person attribution."""
    utm = dict(site.social.utm)
    params = [("utm_source", platform)]
    params += [(f"utm_{key}", utm.pop(key)) for key in ("medium", "campaign") if key in utm]
    params += [("utm_content", entry.author.id)]
    params += [(f"utm_{key}", value) for key, value in sorted(utm.items())]
    query = "&".join(f"{name}={quote(value, safe='')}" for name, value in params if value)
    return site.absolute(entry.path) + "?" + query


def camel_case(tag: str) -> str:
    """'shift work' -> 'ShiftWork': a hashtag that screen readers read as words."""
    words = regex.findall(r"\w+", tag)
    return "".join(word[:1].upper() + word[1:] for word in words)


def hashtags(site: Site, entry: Entry, platform: Platform) -> tuple[str, ...]:
    """The site's hashtags, then the story's tags, as many as the platform's custom allows."""
    found: dict[str, str] = {}
    for tag in (*site.social.hashtags, *entry.story.tags):
        tag = camel_case(tag)
        if HASHTAG.fullmatch("#" + tag):
            found.setdefault(tag.casefold(), tag)
    return tuple(found.values())[: platform.hashtags]


def handle(platform: Platform, value: str | None) -> str:
    """An @handle as the platform mentions one, or '' where pasted text cannot mention."""
    if not platform.mentions or not value:
        return ""
    value = value.strip()
    return value if value.startswith("@") else "@" + value


def clean(text: str) -> str:
    """One line of text: runs of white space (line breaks too) become one space."""
    return " ".join(text.split())


def first_name(name: str) -> str:
    return name.split()[0] if name.split() else name


def draft(site: Site, entry: Entry, platform: Platform, voice: str) -> Draft:
    """The full-length snippet of one voice, before any shortening."""
    story, author = entry.story, entry.author
    title = clean(story.title)
    hook = clean(story.quote or story.summary or story.title)
    company = handle(platform, site.social.handles.get(platform.id)) or site.company
    question = clean(story.question)
    if voice == "author":
        context = f"I told my story for {company}" + (f": “{title}”" if hook != title else ".")
        short = f"My story for {company}."
    else:
        own = handle(platform, author.handles.get(platform.id))
        who = f"{author.name} ({own})" if own else author.name
        context = f"My colleague {who} wrote " + (f"“{title}” for {company}:" if hook != title
                                                   else f"for {company}:")
        short = f"My colleague {who}, for {company}:"
        question = f"{first_name(author.name)} asks: {question}" if question else ""
    link_line = story_link(site, entry, platform.id) if platform.link != "none" else NO_LINK_LINE
    return Draft(voice, hook, context, question, clean(site.social.disclosure),
                 hashtags(site, entry, platform), link_line, short)


# -- shortening --------------------------------------------------------------------------


def fit(platform: Platform, full: Draft) -> Draft | None:
    """The longest version of the draft that the platform accepts, or None."""
    def fits(candidate: Draft) -> bool:
        return platform.fits(candidate.text())

    for count in range(len(full.hashtags), -1, -1):
        candidate = replace(full, hashtags=full.hashtags[:count])
        if fits(candidate):
            return candidate
    current = replace(full, hashtags=())
    # The hook is the story's own words: rather than cut it to a stub, the framing gives
    # way first (the colleague's always names the author and the company).
    shorter_framing = (
        [lambda d: replace(d, context=d.short_context), lambda d: replace(d, question="")]
        if full.voice == "author" else
        [lambda d: replace(d, question=""), lambda d: replace(d, context=d.short_context)])
    base = current
    for step in range(len(shorter_framing) + 1):
        if step:
            base = shorter_framing[step - 1](base)
        last = step == len(shorter_framing)
        shorter = shorten_part(base, "hook", fits, minimum=1 if last else MIN_HOOK)
        if shorter is not None:
            return shorter
    current = replace(base, hook="")
    current = replace(current, hook="")
    for part in ("question", "context"):
        shorter = shorten_part(current, part, fits)
        if shorter is not None:
            return shorter
        current = replace(current, **{part: ""})
    return current if fits(current) else None


def shorten_part(current: Draft, part: str, fits: Callable[[Draft], bool],
                 minimum: int = 1) -> Draft | None:
    """The draft with `part` cut at a sentence, else at a word with an ellipsis, keeping at
    least `minimum` graphemes of it; or None."""
    text = getattr(current, part)
    if not text:
        return None
    for candidate in [text, *reversed(sentence_cuts(text))]:
        if fits(replace(current, **{part: candidate})):
            return replace(current, **{part: candidate})
    ends = [match.end() for match in GRAPHEME.finditer(text)]
    enough = ends[min(minimum, len(ends)) - 1]     # where the first `minimum` graphemes end
    for cuts in (word_cuts(text), grapheme_cuts(text)):
        cuts = [end for end in cuts if end >= enough]
        best = _longest(cuts, lambda end: fits(replace(current, **{part: _cut(text, end)})))
        if best is not None:
            return replace(current, **{part: _cut(text, best)})
    return None


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


def _cut(text: str, end: int) -> str:
    """Text up to `end` and an ellipsis; a URL keeps every character and a space before it,
    since an ellipsis glued to a URL would become part of the link."""
    kept = text[:end].rstrip()
    if any(match.end() == len(kept) for match in URL.finditer(kept)):
        return kept + " " + ELLIPSIS
    return kept.rstrip(" ,;:–—-(“\"'") + ELLIPSIS


def _boundaries(text: str) -> set[int]:
    """Grapheme boundaries that are not inside a URL, a hashtag or a mention."""
    ends, position = set(), 0
    for cluster in GRAPHEME.findall(text):
        position += len(cluster)
        ends.add(position)
    for pattern in (URL, HASHTAG, MENTION):
        for match in pattern.finditer(text):
            ends -= set(range(match.start() + 1, match.end()))
    return ends


def sentence_cuts(text: str) -> list[str]:
    """Every shorter run of whole sentences from the start, shortest first."""
    allowed = _boundaries(text)
    cuts = []
    for match in SENTENCE_END.finditer(text):
        end = match.start()
        if 0 < end < len(text) and end in allowed and text[:end].strip():
            cuts.append(text[:end].rstrip())
    return list(dict.fromkeys(cuts))


def word_cuts(text: str) -> list[int]:
    """Positions before a space where the text may be cut, in order."""
    allowed = _boundaries(text)
    return [m.start() for m in re.finditer(r"\s+", text)
            if m.start() in allowed and text[:m.start()].strip()]


def grapheme_cuts(text: str) -> list[int]:
    """Any grapheme boundary (for scripts written without spaces), in order."""
    return sorted(end for end in _boundaries(text) if 0 < end < len(text))


# -- snippets ----------------------------------------------------------------------------


def override(site: Site, entry: Entry, platform: Platform, text: str) -> str:
    """A writer's own text, as written; the link and the disclosure added where missing."""
    text = unicodedata.normalize("NFC", text.strip())
    disclosure = clean(site.social.disclosure)
    if disclosure and disclosure.casefold() not in text.casefold():
        text += "\n\n" + disclosure
    if platform.link != "none":
        text += "\n\n" + story_link(site, entry, platform.id)
    return unicodedata.normalize("NFC", text)


def make_snippet(site: Site, entry: Entry, platform: Platform, voice: str,
                 text: str) -> Snippet:
    link = story_link(site, entry, platform.id)
    body = text[: -len(link)].rstrip() if platform.link != "none" and text.endswith(link) \
        else text
    parts = ShareParts(body=body, link=link, text=text, subject=clean(entry.story.title))
    return Snippet(platform.id, voice, text, platform.count(text), platform.limit, link,
                   platform.share(parts) if platform.share else None)


def platform_snippets(site: Site, entry: Entry, platform: Platform) -> list[Snippet]:
    """The author's snippet first, then a colleague's; none when the story opts out."""
    chosen = entry.story.share.get(platform.id)
    if chosen is False:
        return []
    snippets = []
    for voice in VOICES:
        if voice == "author" and isinstance(chosen, str):
            text = override(site, entry, platform, chosen)
            if platform.fits(text):
                snippets.append(make_snippet(site, entry, platform, voice, text))
                continue
        shortened = fit(platform, draft(site, entry, platform, voice))
        if shortened is not None:
            snippets.append(make_snippet(site, entry, platform, voice, shortened.text()))
    return snippets


def story_snippets(site: Site, entry: Entry) -> Mapping[str, tuple[Snippet, ...]]:
    """Every platform the site uses, in its order: {platform id: (author, colleague)}.

    The build composes them once and attaches them to the entry (entry.snippets), where
    checks, the share kit and snippets.json find them; an entry without them is composed
    here."""
    if entry.snippets is not None:
        return entry.snippets
    return compose_snippets(site, entry)


def compose_snippets(site: Site, entry: Entry) -> Mapping[str, tuple[Snippet, ...]]:
    result = {}
    for name in site.social.platforms:
        snippets = platform_snippets(site, entry, PLATFORMS_BY_ID[name])
        if snippets:
            result[name] = tuple(snippets)
    return MappingProxyType(result)


def snippet_inputs(site: Site, entry: Entry) -> list:
    """Everything in the site and the story that compose_snippets reads, for a cache key."""
    story, author = entry.story, entry.author
    return [site.social, site.company, site.absolute(entry.path), story.title, story.quote,
            story.summary, story.question, story.tags, story.share, author.id, author.name,
            author.handles]


def snippet_problems(site: Site, entry: Entry) -> list[Problem]:
    """Overrides that do not fit, and platforms where even the shortest snippet cannot fit."""
    story, problems = entry.story, []
    for name in site.social.platforms:
        platform = PLATFORMS_BY_ID[name]
        chosen = story.share.get(name)
        if isinstance(chosen, str):
            text = override(site, entry, platform, chosen)
            if not platform.fits(text):
                problems.append(Problem(
                    story.path, story.line_of(f"share.{name}"),
                    f"'share.{name}' does not fit on {platform.name}: {why_not(platform, text)}"
                    f" (with the link and disclosure added); shorten it"))
        made = story_snippets(site, entry).get(name, ())
        if chosen is not False and len(made) < len(VOICES):
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
    snippets = {}
    for name, found in story_snippets(site, entry).items():
        main = found[0].as_json()
        main["variants"] = [s.as_json() for s in found[1:]]
        snippets[name] = main
    return {"slug": entry.slug, "url": site.absolute(entry.path), "title": entry.title,
            "author": {"id": entry.author.id, "name": entry.author.name},
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


def near_identical(site: Site, entries, threshold: float = 0.9) -> list[Problem]:
    """Warn where two stories' snippets for a platform read almost the same (word by word,
    the link left out): one warning per story, on the newer one of each pair, naming the
    most alike older story (entries come newest first)."""
    words: list[dict[str, list[str]]] = []
    texts: list[tuple[int, list[str]]] = []          # (story, words) of each distinct text
    for index, entry in enumerate(entries):
        found = {name: tuple(snippets[0].text.replace(snippets[0].link, " ").casefold()
                             .split()) for name, snippets in story_snippets(site, entry).items()}
        words.append(found)
        texts.extend((index, list(text)) for text in dict.fromkeys(found.values()))
    alike: dict[int, list[tuple[float, int, list[str]]]] = {}
    for newer, older in sorted(_candidates(texts)):
        found = [(name, _similarity(text, words[older][name], threshold))
                 for name, text in words[newer].items() if name in words[older]]
        found = [(name, ratio) for name, ratio in found if ratio > threshold]
        if found:
            alike.setdefault(newer, []).append(
                (max(r for _, r in found), older, [name for name, _ in found]))
    problems = []
    for newer, matches in sorted(alike.items()):
        ratio, older, names = max(matches, key=lambda m: (m[0], -m[1]))
        story = entries[newer].story
        more = f" (and {len(matches) - 1} more)" if len(matches) > 1 else ""
        line = story.line_of("quote") if story.quote else story.line_of("title")
        problems.append(Problem(
            story.path, line,
            f"the snippets for {', '.join(PLATFORMS_BY_ID[n].name for n in names)} are "
            f"{ratio:.0%} the same as those of {entries[older].story.path}{more}; people who "
            "follow both will see a repeat: vary the quote or summary, or write your own "
            "under 'share:'", "warning", "snippets"))
    return problems


def _candidates(texts: list[tuple[int, list[str]]]) -> set[tuple[int, int]]:
    """(newer, older) pairs of stories with a text whose sketches agree on a band."""
    shingles = [{zlib.crc32(" ".join(text[i:i + 2]).encode()) for i in
                 range(max(1, len(text) - 1))} for _, text in texts]
    stories: dict[int, set[int]] = {}
    for (story, _), found in zip(texts, shingles):
        for shingle in found:
            stories.setdefault(shingle, set()).add(story)
    kept = []
    for found in shingles:
        rare = [s for s in found if len(stories[s]) <= COMMON_PAIR]
        kept.append(rare or list(found))    # a text of common words only is sketched whole
    if not kept:
        return set()
    sketches = _sketch(kept)
    owners = numpy.array([story for story, _ in texts])
    pairs = set()
    for band in range(SKETCH_BANDS):
        rows = sketches[:, band * SKETCH_ROWS:(band + 1) * SKETCH_ROWS]
        keys = (rows * _SEEDS[0, :SKETCH_ROWS]).sum(axis=1)   # equal rows, equal keys
        order = numpy.argsort(keys, kind="stable")
        ordered = keys[order]
        starts = numpy.flatnonzero(numpy.concatenate(([True], ordered[1:] != ordered[:-1])))
        ends = numpy.append(starts[1:], len(order))
        for start, end in zip(starts[ends - starts > 1], ends[ends - starts > 1]):
            members = sorted(set(owners[order[start:end]].tolist()))
            pairs.update((a, b) for n, a in enumerate(members) for b in members[n + 1:])
    return pairs


def _sketch(shingles: list[list[int]]) -> numpy.ndarray:
    """The MinHash sketch of each set of shingle hashes, one row each."""
    lengths = numpy.array([len(s) for s in shingles])
    flat = numpy.fromiter((h for s in shingles for h in s), dtype=numpy.uint64,
                          count=int(lengths.sum()))
    starts = numpy.concatenate(([0], numpy.cumsum(lengths)[:-1]))
    multiply, add = _SEEDS
    sketches = numpy.empty((len(shingles), multiply.size), dtype=numpy.uint64)
    step = max(1, 2_000_000 // multiply.size)          # shingles hashed at once
    first = 0
    while first < len(shingles):
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


def describe_snippets(site: Site, entry: Entry, names) -> str:
    """The snippets of one story as terminal text: a header with the count, then the post."""
    out = []
    for name in names:
        snippets = story_snippets(site, entry).get(name, ())
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


