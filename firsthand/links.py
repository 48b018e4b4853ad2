"""Broken internal links: every href and src in the rendered site must lead to a file of it."""

from __future__ import annotations

import posixpath
import re
from typing import Mapping
from urllib.parse import unquote, urlsplit

from .enrich import Library
from .problems import Problem

_LINK = re.compile(rb"""\s(href|src|srcset)\s*=\s*(?:"([^"]*)"|'([^']*)')""", re.IGNORECASE)
_CHECKED_SUFFIXES = (".html", ".xml", ".svg")


def check_links(files: Mapping[str, bytes], library: Library) -> list[Problem]:
    """Report each link in the output that resolves to no output file.

    Links are resolved relative to the page that holds them; absolute links count only
    when they point below the site's base_url, and other sites are not visited.
    """
    base = urlsplit(library.site.base_url)
    stories = {entry.path + "index.html": entry.story for entry in library.entries}
    problems = []
    broken: dict[tuple[str, bytes], bool] = {}      # (folder, link) -> broken; pages share most
    for page, data in files.items():
        if not page.endswith(_CHECKED_SUFFIXES):
            continue
        folder = posixpath.dirname(page)
        for match in _LINK.finditer(data):
            raw = (match.group(2) if match.group(2) is not None else match.group(3))
            urls = _srcset_urls(raw) if match.group(1).lower() == b"srcset" else [raw]
            for url in urls:
                key = (folder, url)
                if key not in broken:
                    target = resolve(_text(url), page, base.netloc, base.path)
                    broken[key] = target is not None and not _exists(target, files)
                if broken[key]:
                    problems.append(_problem(page, data, match.start(), _text(url),
                                             stories.get(page)))
    return problems


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


def _exists(target: str, files: Mapping[str, bytes]) -> bool:
    return target in files or target + "/index.html" in files


def _srcset_urls(raw: bytes) -> list[bytes]:
    return [item.strip().split()[0] for item in raw.split(b",") if item.strip()]


def _text(url: bytes) -> str:
    """A link as written in the page, with its HTML escapes undone."""
    text = url.decode("utf-8", "replace")
    return text.replace("&amp;", "&").replace("&#39;", "'").replace("&quot;", '"')


def _problem(page: str, data: bytes, offset: int, url: str, story) -> Problem:
    """Point at the story's own line when its text holds the link, else at the output page."""
    message = f"the link \"{url}\" on {page} leads nowhere in the built site"
    if story is not None:
        for number, line in enumerate(story.body.split("\n")):
            if url in line:
                return Problem(story.path, story.body_line + number,
                               f"the link \"{url}\" leads nowhere in the built site; is the "
                               "address right, and is that story published?",
                               "error", "broken-link")
    return Problem(page, data.count(b"\n", 0, offset) + 1, message, "error", "broken-link")
