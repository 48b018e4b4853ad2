"""Derive what the pages need from the loaded content: pure functions, no disk."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import defaultdict
from dataclasses import replace
from pathlib import Path

from firsthand.content.guidelines import lapse_consent
from firsthand.content.load import IMAGE_SUFFIXES, slugify
from firsthand.content.markup import (
    bound_problems, count_words, plain_text, render_markdown)
from firsthand.content.model import (
    FACE_WIDTHS, Alternate, Content, Entry, Image, Library, Person, Profile, Site, Story, Term,
    frozen_map)
from firsthand.content.day import today  # noqa: F401  (enrich.today, for its callers)
from firsthand.content.problems import Problems

WORDS_PER_MINUTE = 220
RTL_LANGUAGES = {"ar", "he", "fa", "ur", "ps", "yi", "dv", "ckb", "sd", "ug"}
RELATED = 3
EXCERPT = 240                 # characters of a story's excerpt on cards
FEED_SIZE = 20


def is_published(story: Story, people: dict, on: dt.date) -> bool:
    """Published = not a draft, not dated in the future, written by an active person."""
    author = people.get(story.author)
    return (not story.draft and story.date <= on and author is not None and author.active)


def enrich(content: Content, problems: Problems, on: dt.date, drafts: bool = False,
           rendered: dict | None = None, stats: dict | None = None) -> Library:
    """Build the Library from the content: which stories show, and everything derived."""
    content = lapse_consent(content, on)
    site, people = content.site, content.people
    shown = shown_stories(content, on, drafts)
    rendered = rendered if rendered is not None else {}
    stats = stats if stats is not None else {}       # html -> text_stats(html)
    entries = []
    for story in shown:
        html = rendered.get(story.body)
        if html is None:
            html = story_html(story, problems)
            if html is None:
                continue
            rendered[story.body] = html
        if html not in stats:
            stats[html] = text_stats(html)
        entries.append(make_entry(site, story, people[story.author], html,
                                  is_published(story, people, on), stats[html]))
    languages = site.published_languages
    editions, images, told = {}, [], []
    for lang in languages:
        mine = [e for e in entries if e.language == lang] if len(languages) > 1 else entries
        mine, profiles, teams, tags = _edition(mine, people, site.prefix(lang), problems)
        editions[lang] = (profiles, teams, tags)
        told.extend(mine)
        images.extend(p.photo for p in profiles if p.photo)
    order = {story.path: index for index, story in enumerate(shown)}
    told = _with_alternates(site, sorted(told, key=lambda e: order[e.story.path]))
    # one slug may be taken in every language: the default language's story answers to it
    by_slug = {e.slug: e for e in sorted(told, key=lambda e: e.language == site.language)}
    images = [e.image for e in told if e.image] + images
    for entry in told:
        images.extend(_bundle_images(entry))
    profiles, teams, tags = editions.pop(site.language)
    return Library(site=site, entries=tuple(told), profiles=profiles, teams=teams, tags=tags,
                   images=tuple(_unique_images(images)), drafts=drafts, on=on, by_slug=by_slug,
                   catalog=content.catalog,
                   editions=frozen_map(editions if len(languages) > 1 else {}))


def _edition(entries: list[Entry], people, prefix: str, problems: Problems):
    """One language's entries (with their terms and related stories), people, teams, tags."""
    teams = _terms("teams", entries, lambda e: [e.team] if e.team else [], problems, prefix)
    tags = _terms("tags", entries, lambda e: list(e.story.tags), problems, prefix)
    # An entry names its team and tags (their pages list the entries), so that what a
    # story page shows of a term does not change with every other story of that term.
    # (one object per term: digested once however many stories name it)
    team_of = {}
    for term in teams:
        named = replace(term, entries=())
        team_of.update((entry.team, named) for entry in term.entries)
    tags_of = {}
    for term in tags:
        named = replace(term, entries=())
        for entry in term.entries:
            tags_of.setdefault(entry.slug, []).append(named)
    entries = [replace(e, team_term=team_of.get(e.team),
                       tags=tuple(sorted(tags_of.get(e.slug, ()), key=lambda t: t.name.lower())))
               for e in entries]
    entries = _with_related(entries)
    by_slug = {e.slug: e for e in entries}
    teams = tuple(replace(t, entries=tuple(by_slug[e.slug] for e in t.entries)) for t in teams)
    tags = tuple(replace(t, entries=tuple(by_slug[e.slug] for e in t.entries)) for t in tags)
    return entries, _profiles(people, entries, prefix), teams, tags


def _with_alternates(site: Site, entries: list[Entry]) -> list[Entry]:
    """Each story told in several languages names all of its versions, in the site's order."""
    groups: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        groups[entry.story.translation_key].append(entry)
    rank = {lang: index for index, lang in enumerate(site.published_languages)}
    alternates = {}
    for group in groups.values():
        if len(group) > 1:
            versions = tuple(Alternate(e.language, e.path, e.title) for e in
                             sorted(group, key=lambda e: rank.get(e.language, len(rank))))
            alternates.update({e.story.path: versions for e in group})
    return [replace(e, alternates=alternates[e.story.path]) if e.story.path in alternates
            else e for e in entries]


def shown_stories(content: Content, on: dt.date, drafts: bool = False) -> list[Story]:
    """The stories that get pages, newest first; a translation only with its original."""
    people = content.people
    originals = {s.path: s for s in content.stories if not s.original}
    shown = [s for s in content.stories
             if s.author in people and (drafts or is_published(s, people, on) and (
                 not s.original or s.original in originals
                 and is_published(originals[s.original], people, on)))]
    shown.sort(key=lambda s: (s.date, s.slug), reverse=True)
    return shown


def story_html(story: Story, problems: Problems) -> str | None:
    """Render a story's Markdown, or report why it cannot be rendered safely."""
    bounds = bound_problems(story.body)
    for offset, message in bounds:
        problems.error(story.path, story.body_line + offset, message)
    return None if bounds else render_markdown(story.body)


def text_stats(html: str) -> tuple[int, str]:
    """A story's word count and its opening text (its first paragraph, shortened)."""
    text = plain_text(html)
    first = re.search(r"<p>(.*?)</p>", html, re.S)
    return count_words(text), shorten(plain_text(first.group(1)) if first else text, EXCERPT)


def make_entry(site: Site, story: Story, author: Person, html: str, published: bool,
               stats: tuple[int, str] | None = None) -> Entry:
    """Derive one story's page data (stats: text_stats(html), when already known)."""
    words, opening = stats or text_stats(html)
    excerpt = shorten(story.summary or opening, EXCERPT)
    lang = story.lang
    image = None
    if story.image is not None:
        image = Image(story.image, _image_out(site, story, story.image), story.image_alt)
    return Entry(
        story=story, author=author, html=html,
        path=f"{site.prefix(story.language)}stories/{story.slug}/",
        excerpt=excerpt, description=shorten(story.summary or excerpt, 160), words=words,
        minutes=max(1, round(words / WORDS_PER_MINUTE)), team=story.team or author.team,
        location=story.location or author.location, lang=lang,
        dir="rtl" if lang.split("-")[0].lower() in RTL_LANGUAGES else "ltr",
        published=published, image=image,
    )


def shorten(text: str, limit: int) -> str:
    """Cut text at a word boundary to at most `limit` characters, with an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2:]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.-–—") + "…"


def _image_out(site: Site, story: Story, source: Path) -> str:
    """Pictures from static/ keep their place; any other goes beside the story's page."""
    relative = source.relative_to(site.source)
    if relative.parts[0] == "static":
        return relative.as_posix()
    return f"{site.prefix(story.language)}stories/{story.slug}/{source.name}"


def _bundle_images(entry: Entry) -> list[Image]:
    bundle = entry.story.bundle
    if bundle is None:
        return []
    return [Image(file, f"{entry.path}{file.name}") for file in sorted(bundle.iterdir())
            if file.suffix.lower() in IMAGE_SUFFIXES and file.is_file()
            and not file.is_symlink()]


def _unique_images(images: list[Image]) -> list[Image]:
    seen = {}
    for image in images:
        seen.setdefault(image.path, image)
    return sorted(seen.values(), key=lambda i: i.path)


def term_slug(name: str) -> str:
    """A URL-safe slug for a tag or team; names without ASCII letters get a stable hash."""
    return slugify(name) or "t-" + hashlib.sha1(name.lower().encode()).hexdigest()[:8]


def _terms(kind: str, entries: list[Entry], names_of, problems: Problems,
           prefix: str = "") -> tuple[Term, ...]:
    grouped: dict[str, dict[str, Entry]] = defaultdict(dict)      # term slug -> {story slug: entry}
    display: dict[str, str] = {}
    for entry in entries:
        for name in names_of(entry):
            slug = term_slug(name)
            display.setdefault(slug, name)
            grouped[slug].setdefault(entry.slug, entry)
    return tuple(Term(kind, display[slug], slug, tuple(grouped[slug].values()), prefix)
                 for slug in sorted(grouped, key=lambda s: display[s].lower()))


def _with_related(entries: list[Entry]) -> list[Entry]:
    """Up to three related stories: shared tags count most, then the same team, then recency.

    A story scores 3 per shared tag and 1 for the same team. Sets of stories are bit masks
    (bit i is entries[i]), so that finding the best few costs a handful of operations on
    big integers per story instead of a pass over every story that shares a tag with it.
    """
    by_tag: dict[str, int] = defaultdict(int)
    by_team: dict[str, int] = defaultdict(int)
    for index, entry in enumerate(entries):
        for tag in entry.tags:
            by_tag[tag.slug] |= 1 << index
        if entry.team:
            by_team[entry.team] |= 1 << index
    everyone = (1 << len(entries)) - 1
    related = []
    for index, entry in enumerate(entries):
        shared = _count_bits([by_tag[tag.slug] for tag in entry.tags])
        team = by_team.get(entry.team, 0) if entry.team else 0
        best: list[int] = []
        # highest score first: 3 x shared tags + 1 for the same team; score 0 never counts
        for count in range(len(entry.tags), -1, -1):
            having = _equal_to(shared, count, everyone) & ~(1 << index)
            for same_team in (True, False) if count else (True,):
                level = having & team if same_team else having & ~team
                while level and len(best) < RELATED:
                    lowest = level & -level          # entries are newest first: lowest index wins
                    best.append(lowest.bit_length() - 1)
                    level ^= lowest
            if len(best) >= RELATED:
                break
        related.append(tuple(entries[other] for other in best))
    # the related stories are the entries as they were before this (with no related of
    # their own), each one object wherever it is shown: its digest is taken once
    return [replace(entry, related=rel) for entry, rel in zip(entries, related)]


def _count_bits(masks: list[int]) -> list[int]:
    """Add bit masks column by column: bit i of result[k] is bit k of how many masks have bit i."""
    digits: list[int] = []
    for carry in masks:
        for place, digit in enumerate(digits):
            digits[place], carry = digit ^ carry, digit & carry
            if not carry:
                break
        if carry:
            digits.append(carry)
    return digits


def _equal_to(digits: list[int], count: int, everyone: int) -> int:
    """The mask of positions whose column sum (from _count_bits) equals count."""
    if count >> len(digits):
        return 0
    result = everyone
    for place, digit in enumerate(digits):
        result &= digit if count >> place & 1 else everyone ^ digit
    return result


def _profiles(people: dict, entries: list[Entry], prefix: str = "") -> tuple[Profile, ...]:
    written: dict[str, list[Entry]] = defaultdict(list)
    for entry in entries:
        written[entry.author.id].append(entry)
    profiles = []
    for person in people.values():
        if not person.active and person.id not in written:
            continue
        photo = Image(person.photo, f"people/{person.id}/{person.photo.name}", person.photo_alt,
                      max_width=600, widths=FACE_WIDTHS, square=True) if person.photo else None
        profiles.append(Profile(person, f"{prefix}people/{person.id}/", photo,
                                tuple(written.get(person.id, ()))))
    return tuple(sorted(profiles, key=lambda p: (p.name.lower(), p.id)))
