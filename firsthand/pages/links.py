"""Broken internal links: every href and src in the rendered site must lead to a file of it."""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
from typing import Callable, Iterable
from urllib.parse import unquote, urlsplit

from firsthand.content.enrich import Library
from firsthand.content.problems import Problem
from firsthand.output.store import Store, key

_LINK = re.compile(rb"""\s(href|src|srcset)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_CHECKED_SUFFIXES = (".html", ".xml", ".svg")


MAX_REPORTS = 20        # a broken link in a template would otherwise be reported per page


class LinkChecker:
    """Collects the links of output files as they are made; reports those that lead nowhere.

    Links are resolved relative to the page that holds them; absolute links count only
    when they point below the site's base_url, and other sites are not visited. Pages
    arrive one by one (a large build streams them to disk), so only the links whose target
    has not been made yet are remembered, with where they stand. The links of a page are
    read once per content of the page: the store remembers them by its bytes.

    A page the last good build made the same (`keep`) is not read at all while every file
    that build made is made again: its links all led somewhere then, so they still do.
    Only when some file is gone are the kept pages read (`load`) and checked.
    """

    def __init__(self, library: Library, store: Store | None = None):
        self.store = store or Store(None)
        base = urlsplit(library.site.base_url)
        self.host, self.base_path = base.netloc, base.path
        self.stories = {entry.path + "index.html": entry.story for entry in library.entries}
        self.made: set[str] = set()
        self.pending: dict[str, list[tuple[str, str, int]]] = {}   # target -> (page, url, line)
        self.kept: dict[str, Callable[[], bytes]] = {}     # page -> how to read it

    def add(self, page: str, data: bytes) -> None:
        """Note an output file, and the links it holds."""
        self.made.add(page)
        if not page.endswith(_CHECKED_SUFFIXES):
            return
        name = key(self.host, self.base_path, page, hashlib.sha256(data).digest())
        stored = self.store.get("links", name)
        if stored is None:
            links = self.links(page, data)
            self.store.put("links", name, json.dumps(links).encode("utf-8"))
        else:
            links = json.loads(stored)
        for target, text, line in links:
            if _exists(target, self.made):
                continue
            places = self.pending.setdefault(target, [])
            if len(places) < MAX_REPORTS:
                places.append((page, text, line))

    def keep(self, page: str, load: Callable[[], bytes]) -> None:
        """Note an output file the last good build made the same; `load` reads it."""
        self.made.add(page)
        if page.endswith(_CHECKED_SUFFIXES):
            self.kept[page] = load

    def links(self, page: str, data: bytes) -> list[tuple[str, str, int]]:
        """(target, link as written, line) of every link of a page that stays in the site."""
        found, line, counted = [], 1, 0
        for match in _LINK.finditer(data):
            raw = (match.group(2) if match.group(2) is not None else match.group(3))
            urls = _srcset_urls(raw) if match.group(1).lower() == b"srcset" else [raw]
            line += data.count(b"\n", counted, match.start())
            counted = match.start()
            for url in urls:
                text = _text(url)
                target = resolve(text, page, self.host, self.base_path)
                if target is not None:
                    found.append((target, text, line))
        return found

    def problems(self, before: Iterable[str] = ()) -> list[Problem]:
        """One problem per link whose target was never made. `before`: every file the
        last good build made, where pages were kept from it."""
        if self.kept and any(path not in self.made for path in before):
            for page, load in self.kept.items():
                self.add(page, load())
        return [_problem(page, line, url, self.stories.get(page))
                for target, places in self.pending.items() if not _exists(target, self.made)
                for page, url, line in places]


def resolve(url: str, page: str, host: str, base_path: str) -> str | None:
    """The output path a link from `page` points to, or None when it leaves the site."""
    parts = urlsplit(url.strip())
    if parts.scheme and parts.scheme not in ("http", "https") or not (parts.path or parts.netloc):
        return None                        # mailto:, data:, javascript:, a bare #fragment
    if parts.netloc and parts.netloc != host:
        return None
    path = unquote(parts.path)
    if parts.netloc or path.startswith("/"):
        if path + "/" == base_path:
            relative = ""
        elif path.startswith(base_path):
            relative = path[len(base_path):]
        else:
            return None                    # the same host, but outside the site
    else:
        relative = posixpath.join(posixpath.dirname(page), path)
    normal = posixpath.normpath(relative) if relative else ""
    if normal in (".", ""):
        return "index.html"
    if normal.startswith("../"):
        return normal                      # climbs out of the site: never exists
    return normal + "/index.html" if path.endswith("/") else normal


def _exists(target: str, made) -> bool:
    return target in made or target + "/index.html" in made


def _srcset_urls(raw: bytes) -> list[bytes]:
    return [item.strip().split()[0] for item in raw.split(b",") if item.strip()]


def _text(url: bytes) -> str:
    """A link as written in the page, with its HTML escapes undone."""
    text = url.decode("utf-8", "replace")
    return text.replace("&amp;", "&").replace("&#39;", "'").replace("&quot;", '"')


def _problem(page: str, line: int, url: str, story) -> Problem:
    """Point at the story's own line when its text holds the link, else at the output page."""
    message = f"the link \"{url}\" on {page} leads nowhere in the built site"
    if story is not None:
        for number, line in enumerate(story.body.split("\n")):
            if url in line:
                return Problem(story.path, story.body_line + number,
                               f"the link \"{url}\" leads nowhere in the built site; is the "
                               "address right, and is that story published?",
                               "error", "broken-link")
    return Problem(page, line, message, "error", "broken-link")
