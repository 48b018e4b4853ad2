"""Read built pages the way crawlers do: every tag with its attributes, and the JSON-LD."""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from PIL import Image


@dataclass
class Tag:
    name: str
    attrs: dict[str, str]
    line: int


@dataclass
class ParsedPage:
    """One output HTML file: its URL path below the site's root, tags and script blocks."""

    path: str                                   # "stories/x/", "404.html", ""
    tags: list[Tag] = field(default_factory=list)
    scripts: list[tuple[dict, str]] = field(default_factory=list)   # (attrs, text)
    h1_count: int = 0

    def all(self, name: str) -> list[Tag]:
        return [tag for tag in self.tags if tag.name == name]

    def meta(self, key: str, value: str) -> list[str]:
        return [t.attrs.get("content", "") for t in self.all("meta") if t.attrs.get(key) == value]


class _Collector(HTMLParser):
    def __init__(self, page: ParsedPage):
        super().__init__(convert_charrefs=True)
        self.page = page
        self.script: dict | None = None
        self.text: list[str] = []

    def handle_starttag(self, name, attrs):
        values = {key: value or "" for key, value in attrs}
        self.page.tags.append(Tag(name, values, self.getpos()[0]))
        if name == "h1":
            self.page.h1_count += 1
        if name == "script":
            self.script, self.text = values, []

    def handle_startendtag(self, name, attrs):
        self.handle_starttag(name, attrs)

    def handle_data(self, data):
        if self.script is not None:
            self.text.append(data)

    def handle_endtag(self, name):
        if name == "script" and self.script is not None:
            self.page.scripts.append((self.script, "".join(self.text)))
            self.script = None


def url_path(site: Path, file: Path) -> str:
    """The URL path of an output file: pretty URLs for index.html."""
    relative = file.relative_to(site).as_posix()
    if relative == "index.html":
        return ""
    return relative[: -len("index.html")] if relative.endswith("/index.html") else relative


def parse_page(site: Path, file: Path) -> ParsedPage:
    page = ParsedPage(url_path(site, file))
    collector = _Collector(page)
    collector.feed(file.read_text(encoding="utf-8"))
    collector.close()
    return page


def html_files(site: Path) -> list[Path]:
    return sorted(site.rglob("*.html"))


def jpeg(width: int, height: int) -> bytes:
    """A real JPEG photo of a simple gradient, large enough to need resizing."""
    image = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=80)
    return out.getvalue()
