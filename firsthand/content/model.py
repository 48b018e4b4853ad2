"""The data model: plain, frozen objects that travel between the stages.

Content is what loading finds; Library (its entries, terms and profiles) is what the
pages show, derived by enrich and completed by the build (snippets, the build date).
"""

from __future__ import annotations

import datetime as dt
from collections import abc
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import MappingProxyType
from typing import Callable, Mapping

from firsthand.content.catalog import Catalog

PLATFORMS = ("linkedin", "x", "facebook", "instagram", "threads", "mastodon", "bluesky",
             "whatsapp", "email")


def frozen_map(mapping: Mapping | None = None) -> Mapping:
    """A read-only mapping, so that templates and stages cannot change the model."""
    return MappingProxyType(dict(mapping or {}))


class Deferred(abc.Mapping):
    """A read-only mapping made by `make()` when it is first read: a value that a build
    may never need, such as the posts of a story whose pages are kept as they are (its
    digest is known from what it is made of, see output/digest.py Digests.remember)."""

    __slots__ = ("_make", "_made")

    def __init__(self, make: Callable[[], Mapping]):
        self._make, self._made = make, None

    def _all(self) -> Mapping:
        if self._made is None:
            self._made = self._make()
        return self._made

    def __getitem__(self, name):
        return self._all()[name]

    def __iter__(self):
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())


def no_handles() -> Mapping[str, str]:
    """Every platform, with no handle: templates may look up any platform's handle."""
    return frozen_map(dict.fromkeys(PLATFORMS, ""))


@dataclass(frozen=True)
class Social:
    platforms: tuple[str, ...] = PLATFORMS
    hashtags: tuple[str, ...] = ()     # every language's, or the default language's
    handles: Mapping[str, str] = field(default_factory=no_handles)
    utm: Mapping[str, str] = field(default_factory=frozen_map)
    disclosure: str = ""               # one text, in the site's language
    # given per language in site.yaml ({en: ..., ja: ...}): language -> its own
    language_hashtags: Mapping[str, tuple[str, ...]] = field(default_factory=frozen_map)
    disclosures: Mapping[str, str] = field(default_factory=frozen_map)

    def hashtags_in(self, lang: str) -> tuple[str, ...]:
        """The hashtags of posts in lang: its own (or its base language's), else `hashtags`."""
        for candidate in (lang, lang.split("-")[0]):
            if candidate in self.language_hashtags:
                return self.language_hashtags[candidate]
        return self.hashtags


@dataclass(frozen=True)
class Guidelines:
    banned_terms: tuple[str, ...] = ()
    require_image_alt: bool = True
    max_title_length: int | None = None
    min_words: int | None = None
    max_words: int | None = None
    review_after_days: int | None = None
    consent: bool = False
    consent_valid_days: int = 365


@dataclass(frozen=True)
class Site:
    """site.yaml, checked."""

    title: str
    company: str
    base_url: str                      # always ends with "/"
    description: str = ""
    language: str = "en"               # the default language: its pages have no URL prefix
    languages: tuple[str, ...] = ()    # every language the site publishes, the default first
    jobs_url: str = ""
    brand_color: str = "#0b6e4f"
    logo: str = ""                     # output path of brand.logo (in static/), or ""
    logo_data: bytes = field(default=b"", repr=False)   # its bytes, for the cards
    per_page: int = 10
    domain: str = ""
    search: bool = True                # Pagefind index and search page (firsthand/pages/search.py)
    social: Social = field(default_factory=Social)
    guidelines: Guidelines = field(default_factory=Guidelines)
    extra: Mapping = field(default_factory=frozen_map)
    source: Path = Path(".")
    report_people: bool = False        # report: {people: true}: per-person figures in `report`

    def absolute(self, path: str) -> str:
        """The absolute URL of an output path like 'stories/night-shift/'."""
        return self.base_url + path.lstrip("/")

    @property
    def published_languages(self) -> tuple[str, ...]:
        return self.languages or (self.language,)

    def prefix(self, lang: str) -> str:
        """Where a language's pages live: '' for the default, 'ja/' for the others."""
        return "" if not lang or lang == self.language else lang.lower() + "/"

    def language_of(self, path: str) -> str:
        """The language an output path belongs to, by its prefix ('ja/people/' is ja)."""
        first = path.split("/", 1)[0]
        for lang in self.languages[1:]:
            if lang.lower() == first:
                return lang
        return self.language


@dataclass(frozen=True)
class Person:
    """people/ID.yaml, checked."""

    id: str
    name: str
    role: str
    path: str                          # relative to the source folder, for diagnostics
    team: str = ""
    location: str = ""
    pronouns: str = ""
    photo: Path | None = None          # absolute path of the source photo
    photo_alt: str = ""
    bio: str = ""
    handles: Mapping[str, str] = field(default_factory=no_handles)
    active: bool = True
    consent: dt.date | None = None
    lines: Mapping[str, int] = field(default_factory=frozen_map)

    @property
    def initials(self) -> str:
        parts = [p for p in self.name.replace("-", " ").split() if p]
        return "".join(p[0] for p in parts[:1] + parts[1:][-1:]).upper()


@dataclass(frozen=True)
class Story:
    """A story file, checked; the body is still Markdown."""

    path: str                          # relative to the source folder: stories/...
    slug: str
    title: str
    author: str
    date: dt.date
    body: str
    body_line: int
    summary: str = ""
    team: str = ""
    location: str = ""
    tags: tuple[str, ...] = ()
    image: Path | None = None          # absolute path of the source image
    image_alt: str = ""
    quote: str = ""
    question: str = ""
    lang: str = ""                     # as written (front matter, else the file name), or ""
    language: str = ""                 # the site language whose pages show it
    translation_key: str = ""          # stories with one key are translations of each other
    original: str = ""                 # a translation: the path of the story it translates
    draft: bool = False
    updated: dt.date | None = None
    reviewed: dt.date | None = None
    share: Mapping[str, str | bool] = field(default_factory=frozen_map)
    bundle: Path | None = None         # the folder of a bundle story, whose files are copied
    lines: Mapping[str, int] = field(default_factory=frozen_map)   # key -> line in the file

    def line_of(self, key: str) -> int:
        return self.lines.get(key, 1)


@dataclass(frozen=True)
class Content:
    """Everything loaded from a source folder."""

    site: Site
    people: Mapping[str, Person]
    stories: tuple[Story, ...]
    # Stories with errors, as far as they could be read: never built, but every check
    # still reads them, so that one run reports all of a story's problems.
    rejected: tuple[Story, ...] = ()
    catalog: Catalog = field(default_factory=lambda: Catalog("en", ("en",)))   # the words, per language


# -- what the pages show (made by enrich) ------------------------------------------------

# The widths the theme shows pictures at, in CSS pixels, so each gets copies at 1x and 2x:
# story photos fill a column up to 664 px (phones: the screen less its margins); faces are
# squares of 56 (the archive), 72 (teams, the home page's row of faces), 96 (story cards),
# 144 (a story's byline, the people page) and 192 (a person's page) px.
PHOTO_WIDTHS = (400, 800, 1200)
FACE_SIZES = (56, 72, 96, 144, 192)
FACE_WIDTHS = tuple(sorted({n * size for size in FACE_SIZES for n in (1, 2)}))


@dataclass(frozen=True)
class Image:
    """A picture on its way out: where it comes from, where it goes, how wide at most."""

    source: Path
    path: str                 # output path, e.g. stories/night-shift/dock.jpg
    alt: str = ""
    max_width: int = 1600
    widths: tuple[int, ...] = PHOTO_WIDTHS    # smaller copies for srcset
    square: bool = False                      # copies cropped square (faces)


@dataclass(frozen=True)
class Entry:
    """A story as the pages show it."""

    story: Story
    author: Person
    html: str
    path: str                 # stories/SLUG/
    excerpt: str
    description: str
    words: int
    minutes: int
    team: str
    location: str
    lang: str
    dir: str
    published: bool
    image: Image | None = None
    tags: tuple["Term", ...] = ()
    team_term: "Term | None" = None
    related: tuple["Entry", ...] = ()
    # {platform id: (author, colleague)} snippets, attached by the build once composed
    snippets: Mapping | None = None
    # the story in every language it is told in (itself too), in the site's language order
    alternates: tuple["Alternate", ...] = ()

    @property
    def language(self) -> str:
        return self.story.language

    @property
    def slug(self) -> str:
        return self.story.slug

    @property
    def title(self) -> str:
        return self.story.title

    @property
    def date(self) -> dt.date:
        return self.story.date


@dataclass(frozen=True)
class Alternate:
    """A page in one language: what a language switcher and hreflang links point to."""

    lang: str
    path: str
    title: str = ""


@dataclass(frozen=True)
class Term:
    """A team or a tag, with its page."""

    kind: str                 # "teams" or "tags"
    name: str
    slug: str
    entries: tuple[Entry, ...] = ()
    prefix: str = ""          # of its language's pages: "" or "ja/"

    @property
    def path(self) -> str:
        return f"{self.prefix}{self.kind}/{self.slug}/"

    @property
    def label(self) -> str:
        """The name as headings show it: "shift work" reads "Shift work"; the slug stays."""
        return self.name[:1].upper() + self.name[1:]


@dataclass(frozen=True)
class Profile:
    """A person as the pages show them."""

    person: Person
    path: str
    photo: Image | None
    entries: tuple[Entry, ...] = ()

    @property
    def id(self) -> str:
        return self.person.id

    @property
    def name(self) -> str:
        return self.person.name


@dataclass(frozen=True)
class Library:
    """The read-only view the templates get."""

    site: Site
    entries: tuple[Entry, ...]                  # newest first
    profiles: tuple[Profile, ...]               # by name
    teams: tuple[Term, ...]
    tags: tuple[Term, ...]
    images: tuple[Image, ...]
    drafts: bool = False
    on: dt.date = dt.date.min                   # the day of the build: what is published, checked
    catalog: Catalog = field(default_factory=lambda: Catalog("en", ("en",)), compare=False,
                             repr=False)         # the words of the theme and posts, per language
    by_slug: dict = field(default_factory=dict, compare=False, repr=False)
    # every language but the default: {lang: (profiles, teams, tags)} of its pages. The
    # fields above are the default language's, but entries, which holds every language's.
    editions: Mapping = field(default_factory=frozen_map, compare=False, repr=False)

    def edition(self, lang: str) -> "Library":
        """The library as one language's pages show it: its stories, people, teams, tags."""
        if not self.editions:
            return self
        entries = tuple(e for e in self.entries if e.language == lang)
        if lang == self.site.language:
            return replace(self, entries=entries, editions=frozen_map())
        profiles, teams, tags = self.editions[lang]
        return replace(self, entries=entries, profiles=profiles, teams=teams, tags=tags,
                       editions=frozen_map())
