"""Checks over the whole content that loading one file cannot make.

Each check is a plain function (content, library) -> list of Problems; the build and
`check` run all of CHECKS, each of ENTRY_CHECKS on every story, and check_near_identical
(remembered by near_identical_inputs). Adding a check is adding a function to a list.
"""

from __future__ import annotations

from firsthand.content.enrich import Entry, Library
from firsthand.content.guidelines import GUIDELINE_CHECKS
from firsthand.content.catalog import Catalog
from firsthand.content.model import Content, Site
from firsthand.content.problems import Problem
from firsthand.social.snippets import near_identical, snippet_problems, variant_problems


def check_authors_active(content: Content, library: Library) -> list[Problem]:
    """A story by someone who has left is not an error, but the writer should know."""
    return [Problem(s.path, s.line_of("author"),
                    f"'{s.author}' is marked active: false, so this story is not published",
                    "warning", "unpublished")
            for s in content.stories
            if s.author in content.people and not content.people[s.author].active]


def check_variants(site: Site, entry: Entry, catalog: Catalog) -> list[Problem]:
    """Near-identical posts among those one published story offers."""
    return variant_problems(site, entry) if entry.published else []


def check_near_identical(site: Site, entries) -> list[Problem]:
    """Near-identical snippets across the published stories (entries newest first)."""
    return near_identical(site, [e for e in entries if e.published])


CHECKS = [check_authors_active, *GUIDELINE_CHECKS]
# Checks of one story, (site, entry, catalog) -> problems: share overrides that do not fit their
# platform, near-identical posts within the story. The build remembers each story's by
# the story as shown and the site, so that an edit checks again only what it changed.
ENTRY_CHECKS = [snippet_problems, check_variants]
