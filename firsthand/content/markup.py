"""Markdown to safe HTML: Python-Markdown for the writing, nh3 for the safety."""

from __future__ import annotations

import functools
import html
import re

import markdown
import nh3
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

# Python-Markdown's inline patterns backtrack on deeply nested brackets (5,000 of them take
# seconds) and its tree walkers recurse per nesting level: bound the shapes, not the time.
MAX_NESTING = 32
MAX_EMPHASIS_RUN = 24
# Its inline pass is also quadratic in the inline elements of one paragraph (250 '**a**'
# in one paragraph take 0.3 s): bound the marks that make them, per paragraph and story.
MAX_PARAGRAPH_MARKS = 500
MAX_STORY_MARKS = 5_000
MAX_LINE_CHARS = 20_000
INLINE_MARKS = re.compile(r"[*_`<\"'&]|\]\(|  $")    # '[' alone is bounded by MAX_NESTING

EXTENSIONS = ["tables", "footnotes", "fenced_code", "smarty", "toc", "sane_lists"]
EXTENSION_CONFIGS = {
    "toc": {"permalink": False, "toc_depth": "2-4"},
    "smarty": {"smart_angled_quotes": True},
    "footnotes": {"BACKLINK_TITLE": "Back to the text"},
}

TAGS = {
    "a", "abbr", "blockquote", "br", "code", "del", "div", "em", "figcaption", "figure", "h2",
    "h3", "h4", "h5", "h6", "hr", "img", "li", "ol", "p", "pre", "strong", "sub", "sup", "table",
    "tbody", "td", "th", "thead", "tr", "ul",
}
ATTRIBUTES = {
    "a": {"href", "title", "class", "id"},
    "img": {"src", "alt", "title", "width", "height", "loading"},
    "td": {"align", "style"}, "th": {"align", "style"},
    "h2": {"id"}, "h3": {"id"}, "h4": {"id"}, "h5": {"id"}, "h6": {"id"},
    "li": {"id"}, "sup": {"id", "class"}, "div": {"class"}, "ol": {"start"}, "code": {"class"},
}
URL_SCHEMES = {"http", "https", "mailto"}
# Browsers drop tabs, newlines and control characters inside URLs before reading the scheme.
_URL_NOISE = re.compile(r"[\x00-\x20\x7f]+")
_BAD_SCHEME = re.compile(r"^(?:javascript|vbscript|data|file):", re.I)


class _StoryShape(Treeprocessor):
    """The page's title is the only <h1>; pictures in the text load lazily."""

    def run(self, root):
        for element in root.iter():
            if element.tag == "h1":
                element.tag = "h2"
            elif element.tag == "img":
                element.set("loading", "lazy")


class _StoryShapeExtension(Extension):
    def extendMarkdown(self, md):
        md.treeprocessors.register(_StoryShape(md), "firsthand-shape", 1)


def bound_problems(body: str) -> list[tuple[int, str]]:
    """Shapes that would make Markdown slow or crash: (line offset in body, message)."""
    found = []
    depth = {"[": 0, "(": 0}
    closing = {"]": "[", ")": "("}
    deepest = {"[": (0, 0), "(": (0, 0)}
    paragraph_marks, paragraph_start, story_marks = 0, 0, 0
    for number, line in enumerate(body.split("\n")):
        if not line.strip():
            depth = {"[": 0, "(": 0}
            paragraph_marks, paragraph_start = 0, number + 1
            continue
        if len(line) > MAX_LINE_CHARS:
            found.append((number, f"this line is {len(line):,} characters long; the limit is "
                                  f"{MAX_LINE_CHARS:,}: break it into paragraphs"))
            break
        marks = len(INLINE_MARKS.findall(line))
        paragraph_marks, story_marks = paragraph_marks + marks, story_marks + marks
        if paragraph_marks > MAX_PARAGRAPH_MARKS:
            found.append((paragraph_start, f"this paragraph has more than "
                                           f"{MAX_PARAGRAPH_MARKS:,} marks of emphasis, "
                                           "links, code or quotes; split it into shorter "
                                           "paragraphs"))
            break
        if story_marks > MAX_STORY_MARKS:
            found.append((number, f"the story has more than {MAX_STORY_MARKS:,} marks of "
                                  "emphasis, links, code or quotes; split it into several "
                                  "stories"))
            break
        for char in line:
            if char in depth:
                depth[char] += 1
                if depth[char] > deepest[char][0]:
                    deepest[char] = (depth[char], number)
            elif char in closing and depth[closing[char]]:
                depth[closing[char]] -= 1
        indent = len(line) - len(line.lstrip(" "))
        quotes = len(re.match(r"[> ]*", line).group().replace(" ", ""))
        if indent // 2 > MAX_NESTING * 2 or quotes > MAX_NESTING:
            found.append((number, f"the text is nested more than {MAX_NESTING} levels deep "
                                  "(lists or quotes); flatten it"))
            break
        run = max((len(m) for m in re.findall(r"[*_~]{2,}", line) if not _is_rule(line)),
                  default=0)
        if run > MAX_EMPHASIS_RUN:
            found.append((number, f"a run of {run} emphasis marks (* or _); "
                                  "write fewer, or escape them with a backslash"))
            break
    for char, (level, number) in deepest.items():
        if level > MAX_NESTING:
            found.append((number, f"'{char}' is nested {level} levels deep in one paragraph; "
                                  f"at most {MAX_NESTING} are allowed"))
    return found


def _is_rule(line: str) -> bool:
    return bool(re.fullmatch(r"\s*([*_-])(\s*\1)+\s*", line))


def render_if_safe(body: str) -> str | None:
    """The body's HTML, or None when bound_problems rejects its shape (for worker processes)."""
    return None if bound_problems(body) else render_markdown(body)


def render_markdown(body: str) -> str:
    """Turn a story body into sanitised HTML; raw HTML in it stays visible as text."""
    md = _converter()
    md.reset()
    try:
        converted = md.convert(body)
    except RecursionError:
        converted = "<p>" + html.escape(body) + "</p>"
    return clean_html(converted)


@functools.lru_cache(maxsize=1)
def _converter() -> markdown.Markdown:
    """One converter per process, reset before each body: building one costs a tenth of a body."""
    md = markdown.Markdown(extensions=[*EXTENSIONS, _StoryShapeExtension()],
                           extension_configs=EXTENSION_CONFIGS,
                           output_format="html")
    # Raw HTML is shown as text rather than passed through (what Hugo does by default).
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    return md


def clean_html(fragment: str) -> str:
    """Keep only harmless tags, attributes and URL schemes."""
    return nh3.clean(
        fragment, tags=TAGS, attributes=ATTRIBUTES, url_schemes=URL_SCHEMES,
        link_rel="noopener noreferrer", strip_comments=True,
        filter_style_properties={"text-align"}, attribute_filter=_safe_attribute,
    )


def _safe_attribute(tag: str, attribute: str, value: str) -> str | None:
    if attribute in ("href", "src") and _BAD_SCHEME.match(_URL_NOISE.sub("", value)):
        return None
    return value


def plain_text(fragment: str) -> str:
    """The visible text of an HTML fragment, whitespace folded."""
    text = re.sub(r"<[^>]+>", " ", fragment)
    return re.sub(r"\s+", " ", html.unescape(text)).strip()


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_WORD = re.compile(r"[^\W\d_][\w'’-]*|\d+", re.UNICODE)


def count_words(text: str) -> int:
    """Words for reading time; Chinese and Japanese characters count as half a word each."""
    cjk = len(_CJK.findall(text))
    if cjk:
        text = _CJK.sub(" ", text)
    return len(_WORD.findall(text)) + (cjk + 1) // 2
