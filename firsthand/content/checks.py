"""Checks over the whole content that loading one file cannot make.

Each check is a plain function (content, library) -> list of Problems; the build and
`check` run all of CHECKS. Adding a check is adding a function to the list.
"""

from __future__ import annotations

from firsthand.content.enrich import Library
from firsthand.content.guidelines import GUIDELINE_CHECKS
from firsthand.content.model import Content
from firsthand.content.problems import Problem
from firsthand.social.snippets import near_identical, snippet_problems, variant_problems


def check_authors_active(content: Content, library: Library) -> list[Problem]:
    """A story by someone who has left is not an error, but the writer should know."""
    return [Problem(s.path, s.line_of("author"),
                    f"'{s.author}' is marked active: false, so this story is not published",
                    "warning", "unpublished")
            for s in content.stories
            if s.author in content.people and not content.people[s.author].active]


def check_snippets(content: Content, library: Library) -> list[Problem]:
    """Share overrides that do not fit their platform, and near-identical snippets (across
    stories, and among the posts one story offers)."""
    entries = [e for e in library.entries if e.published]
    problems = [p for entry in library.entries
                for p in snippet_problems(library.site, entry, library.catalog)]
    problems += [p for entry in entries for p in variant_problems(library.site, entry)]
    return problems + near_identical(library.site, entries)


CHECKS = [check_authors_active, *GUIDELINE_CHECKS, check_snippets]
