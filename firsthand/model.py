"""The data model: plain, frozen objects that travel between the stages."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

PLATFORMS = ("linkedin", "x", "facebook", "instagram", "threads", "mastodon", "bluesky",
             "whatsapp", "email")


def frozen_map(mapping: Mapping | None = None) -> Mapping:
    """A read-only mapping, so that templates and stages cannot change the model."""
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class Social:
    platforms: tuple[str, ...] = PLATFORMS
    hashtags: tuple[str, ...] = ()
    handles: Mapping[str, str] = field(default_factory=frozen_map)
    utm: Mapping[str, str] = field(default_factory=frozen_map)
    disclosure: str = ""


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
    language: str = "en"
    jobs_url: str = ""
    brand_color: str = "#0b6e4f"
    logo: str = ""                     # output path of brand.logo (in static/), or ""
    logo_data: bytes = field(default=b"", repr=False)   # its bytes, for the cards
    per_page: int = 10
    domain: str = ""
    social: Social = field(default_factory=Social)
    guidelines: Guidelines = field(default_factory=Guidelines)
    extra: Mapping = field(default_factory=frozen_map)
    source: Path = Path(".")
    report_people: bool = False        # report: {people: true}: per-person figures in `report`

    def absolute(self, path: str) -> str:
        """The absolute URL of an output path like 'stories/night-shift/'."""
        return self.base_url + path.lstrip("/")


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
    handles: Mapping[str, str] = field(default_factory=frozen_map)
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
    lang: str = ""
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
