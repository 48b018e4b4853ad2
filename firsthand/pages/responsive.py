"""Responsive pictures for the templates: which copy to show at which size, and srcset."""

from __future__ import annotations

import html
import posixpath
import re
from typing import Mapping

from markupsafe import Markup

from firsthand.content.images import Picture, copy_path

# The story column of the default theme (.wrap.narrow: 44rem less 2 x 1.25rem of padding).
COLUMN_SIZES = "(min-width: 44rem) 664px, calc(100vw - 2.5rem)"
_IMG = re.compile(r"<img\b([^>]*?)\s*/?>")
_ATTR = re.compile(r'([\w-]+)="([^"]*)"')


class Pictures:
    """What a template asks about an output picture by its path."""

    column_sizes = COLUMN_SIZES

    def __init__(self, pictures: Mapping[str, Picture]):
        self.pictures = pictures

    def get(self, path: str) -> Picture | None:
        return self.pictures.get(path)

    def sized(self, path: str, width: int) -> str:
        """The path of the narrowest copy at least `width` pixels wide (else the original)."""
        picture = self.pictures.get(path)
        for copy in picture.copies if picture else ():
            if copy.width >= width:
                return copy_path(path, copy.width)
        return path

    def candidates(self, path: str) -> list[tuple[str, int]]:
        """(path, width) of every copy and the original, narrowest first, for srcset."""
        picture = self.pictures.get(path)
        if picture is None:
            return []
        copies = [(copy_path(path, c.width), c.width) for c in picture.copies]
        return copies + [(path, picture.width)]

    def in_prose(self, fragment: str, page_path: str) -> Markup:
        """Give the story's own pictures in its text a size, a srcset and lazy loading."""
        folder = page_path if page_path.endswith("/") else posixpath.dirname(page_path) + "/"

        def size(match: re.Match) -> str:
            attrs = dict(_ATTR.findall(match.group(1)))
            src = html.unescape(attrs.get("src", ""))
            if not src or re.match(r"^[a-z][a-z0-9+.-]*:|^/", src, re.I):
                return match.group(0)
            path = posixpath.normpath(posixpath.join(folder, src))
            picture = self.pictures.get(path)
            if picture is None:
                return match.group(0)
            here = posixpath.dirname(src)
            srcset = ", ".join(f"{posixpath.join(here, posixpath.basename(p))} {w}w"
                               for p, w in self.candidates(path))
            attrs.update(width=str(picture.width), height=str(picture.height),
                         srcset=html.escape(srcset), sizes=COLUMN_SIZES, loading="lazy",
                         decoding="async")
            return "<img " + " ".join(f'{k}="{v}"' for k, v in attrs.items()) + ">"

        return Markup(_IMG.sub(size, fragment))
