"""Diagnostics: every problem the build finds, with its file and line."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path


@dataclass(frozen=True, order=True)
class Problem:
    """One diagnostic: `path:line: severity: message`."""

    path: str
    line: int
    message: str
    severity: str = "error"
    code: str = "content"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.severity}: {self.message}"


class Problems:
    """Collects problems so that one run reports all of them."""

    def __init__(self) -> None:
        self._items: list[Problem] = []

    def error(self, path: str, line: int, message: str, code: str = "content") -> None:
        self._items.append(Problem(path, max(line, 1), message, "error", code))

    def warning(self, path: str, line: int, message: str, code: str = "content") -> None:
        self._items.append(Problem(path, max(line, 1), message, "warning", code))

    def extend(self, problems) -> None:
        self._items.extend(problems)

    @property
    def has_errors(self) -> bool:
        return self.error_count > 0

    @property
    def error_count(self) -> int:
        return sum(p.is_error for p in self._items)

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self._items if not p.is_error]

    def sorted(self) -> list[Problem]:
        return sorted(set(self._items), key=lambda p: (p.path, p.line, p.severity, p.message))

    def __len__(self) -> int:
        return len(self._items)


def shown_path(path: Path, *roots: Path) -> str:
    """A file as a diagnostic names it: relative to the first root it is inside (the site,
    then the theme), else as it is."""
    for root in roots:
        try:
            return path.resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            continue
    return path.as_posix()


def format_problems(problems: list[Problem], style: str = "text") -> str:
    """Render problems as text lines, GitHub workflow commands or JSON."""
    if style == "json":
        return json.dumps([asdict(p) for p in problems], ensure_ascii=False, indent=2)
    if style == "github":
        return "\n".join(
            f"::{p.severity} file={_gh_property(p.path)},line={p.line}::{_gh_data(p.message)}"
            for p in problems
        )
    return "\n".join(str(p) for p in problems)


def _gh_data(text: str) -> str:
    """Escape a message for a GitHub Actions workflow command."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_property(text: str) -> str:
    """Escape a property value (file=...) for a GitHub Actions workflow command."""
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")
