"""Guidelines as code: the site owner's editorial rules (`guidelines:` in site.yaml).

Each rule is a check (content, library) -> list of Problems, registered in checks.CHECKS,
so the build and `check` enforce them with file and line. Consent also decides who is
published: `lapse_consent` marks people whose consent is missing or too old as inactive.
Every date is the build's (library.on), so that one run never disagrees with itself.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from typing import Iterator

from firsthand.content.markup import count_words, plain_text, render_markdown
from firsthand.content.model import Content, Guidelines, Library, Person, Story, frozen_map
from firsthand.content.problems import Problem

# The texts, besides the body, tags and share overrides, where a banned term must not hide.
STORY_KEYS = ("title", "summary", "quote", "question", "team", "location")
PERSON_KEYS = ("name", "role", "team", "location", "bio")
# Markdown images with no description: ![](photo.jpg) and ![ ][ref]
_IMAGE_WITHOUT_ALT = re.compile(r"!\[\s*\](?=[(\[])")


def banned_pattern(term: str) -> re.Pattern | None:
    """A term as a case-insensitive whole-word pattern (it may be a regex); None if invalid."""
    words = term.replace(" ", r"\s+")         # "Project Heron" also across a line break
    try:
        return re.compile(rf"(?<!\w)(?:{words})(?!\w)", re.IGNORECASE)
    except re.error:
        return None                            # load.py reported it on site.yaml's line


def consent_lapsed(person: Person, rules: Guidelines, on: dt.date) -> bool:
    """True when the site asks for consent and this person's is missing or too old."""
    if not rules.consent:
        return False
    return person.consent is None or (on - person.consent).days > rules.consent_valid_days


def lapse_consent(content: Content, on: dt.date) -> Content:
    """Treat people without valid consent as having left: they and their stories go unpublished."""
    rules = content.site.guidelines
    if not rules.consent:
        return content
    people = {pid: replace(person, active=False) if consent_lapsed(person, rules, on) else person
              for pid, person in content.people.items()}
    return replace(content, people=frozen_map(people))


# -- the checks --------------------------------------------------------------------------


def every_story(content: Content) -> tuple[Story, ...]:
    """The stories to check: also those with errors, so no problem hides behind another."""
    return content.stories + content.rejected


def check_banned_terms(content: Content, library: Library) -> list[Problem]:
    """A banned term is an error wherever it appears in a story or profile, with its line."""
    patterns = [(term, pattern) for term in content.site.guidelines.banned_terms
                if (pattern := banned_pattern(term)) is not None]
    problems = []
    for path, line, where, text in _searched_texts(content):
        for term, pattern in patterns:
            for match in pattern.finditer(text):
                problems.append(Problem(
                    path, line + text.count("\n", 0, match.start()),
                    f"\"{' '.join(match.group().split())}\" in {where} is a banned term "
                    f"(guidelines: '{term}'); remove or reword it before publishing",
                    "error", "banned-term"))
    return problems


def _searched_texts(content: Content) -> Iterator[tuple[str, int, str, str]]:
    """Every text a reader could see: (path, first line, where, text)."""
    for story in every_story(content):
        for key in STORY_KEYS:
            if getattr(story, key):
                yield story.path, story.line_of(key), f"'{key}'", getattr(story, key)
        for tag in story.tags:
            yield story.path, story.line_of("tags"), "'tags'", tag
        for platform, text in story.share.items():
            if isinstance(text, str):
                yield story.path, story.line_of("share"), f"'share.{platform}'", text
        yield story.path, story.body_line, "the story", story.body
    for person in content.people.values():
        for key in PERSON_KEYS:
            if getattr(person, key):
                yield person.path, person.lines.get(key, 1), f"'{key}'", getattr(person, key)


def check_title_length(content: Content, library: Library) -> list[Problem]:
    """Titles longer than max_title_length are cut off in previews and cards."""
    limit = content.site.guidelines.max_title_length
    if limit is None:
        return []
    return [Problem(s.path, s.line_of("title"),
                    f"the title has {len(s.title)} characters; the guidelines allow at most "
                    f"{limit}", "error", "title-length")
            for s in every_story(content) if len(s.title) > limit]


def check_word_count(content: Content, library: Library) -> list[Problem]:
    """Stories shorter than min_words or longer than max_words (drafts are still growing)."""
    rules = content.site.guidelines
    if rules.min_words is None and rules.max_words is None:
        return []
    problems = []
    for story in every_story(content):
        if story.draft:
            continue
        entry = library.by_slug.get(story.slug) if library else None
        html = entry.html if entry is not None and entry.story is story \
            else render_markdown(story.body)
        words = count_words(plain_text(html))
        if rules.min_words is not None and words < rules.min_words:
            problems.append(Problem(story.path, story.body_line,
                                    f"the story has {words} words; the guidelines ask for at "
                                    f"least {rules.min_words}", "error", "too-short"))
        if rules.max_words is not None and words > rules.max_words:
            problems.append(Problem(story.path, story.body_line,
                                    f"the story has {words} words; the guidelines allow at "
                                    f"most {rules.max_words}", "error", "too-long"))
    return problems


def check_image_alt(content: Content, library: Library) -> list[Problem]:
    """Pictures in the story text need a description: ![what it shows](photo.jpg)."""
    if not content.site.guidelines.require_image_alt:
        return []
    return [Problem(story.path, story.body_line + offset,
                    "a picture has no description; write what it shows between the "
                    "brackets: ![Ana on the dock at dawn](photo.jpg)", "error", "image-alt")
            for story in every_story(content)
            for offset, text in enumerate(story.body.split("\n"))
            if _IMAGE_WITHOUT_ALT.search(text)]


def check_review_dates(content: Content, library: Library) -> list[Problem]:
    """A published story not reviewed for review_after_days may show an old role or team."""
    days = content.site.guidelines.review_after_days
    if days is None:
        return []
    on = library.on
    problems = []
    for story in content.stories:
        checked = max(d for d in (story.date, story.updated, story.reviewed) if d is not None)
        author = content.people.get(story.author)
        if story.draft or author is None or not author.active or checked > on \
                or (on - checked).days <= days:
            continue                   # unpublished stories show no one's old role
        key = "reviewed" if story.reviewed == checked else \
            "updated" if story.updated == checked else "date"
        problems.append(Problem(
            story.path, story.line_of(key),
            f"is this still true? The story was last checked on {checked.isoformat()}, "
            f"{(on - checked).days} days ago (guidelines: review every {days} days); ask "
            f"{story.author} and add 'reviewed: {on.isoformat()}'", "warning", "stale-story"))
    return problems


def check_consent(content: Content, library: Library) -> list[Problem]:
    """When the site asks for consent, every person needs a recent `consent:` date."""
    rules = content.site.guidelines
    if not rules.consent:
        return []
    on = library.on
    problems = []
    for person in content.people.values():
        if not person.active or (person.consent is None and "consent" in person.lines):
            continue       # people who left need no consent; a malformed date is reported
        if person.consent is None:
            problems.append(Problem(
                person.path, 1,
                f"'consent' is missing: the guidelines ask for the day {person.name or person.id} "
                f"agreed to be published, like consent: {on.isoformat()}; their stories are "
                "not published until it is set", "error", "consent-missing"))
        elif consent_lapsed(person, rules, on):
            problems.append(Problem(
                person.path, person.lines.get("consent", 1),
                f"consent given on {person.consent.isoformat()} is older than "
                f"{rules.consent_valid_days} days; ask {person.name or person.id} again and "
                f"update 'consent'; their stories are not published until then",
                "error", "consent-expired"))
    return problems


GUIDELINE_CHECKS = [check_banned_terms, check_title_length, check_word_count, check_image_alt,
                    check_review_dates, check_consent]
