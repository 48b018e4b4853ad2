"""Checks over the whole content that loading one file cannot make.

Each check is a plain function (content, library) -> list of Problems; the build and
`check` run all of CHECKS. Adding a check is adding a function to the list.
"""

from __future__ import annotations

from .enrich import Library
from .guidelines import GUIDELINE_CHECKS
from .model import Content
from .problems import Problem


def check_authors_active(content: Content, library: Library) -> list[Problem]:
    """A story by someone who has left is not an error, but the writer should know."""
    return [Problem(s.path, s.line_of("author"),
                    f"'{s.author}' is marked active: false, so this story is not published",
                    "warning", "unpublished")
            for s in content.stories
            if s.author in content.people and not content.people[s.author].active]


CHECKS = [check_authors_active, *GUIDELINE_CHECKS]
