"""Read YAML strictly, remembering the line of every key.

Writers are not developers: YAML's surprises (tags, anchors, duplicate keys,
tabs, `no` meaning false) become plain diagnostics here, each with its line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import yaml

from firsthand.content.problems import Problems

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# What YAML 1.1 refuses to read: control characters, surrogates, non-characters.
_NOT_YAML = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
MAX_DEPTH = 16              # front matter needs 3 levels (share: {x: ...}); site.yaml 4
MAX_LINE_CHARS = 4_000      # a long summary is 300
MAX_REPORTED = 20           # anchors, aliases and tags reported per file (not one per line of it)
_TIMESTAMP = "tag:yaml.org,2002:timestamp"
_BOOL = "tag:yaml.org,2002:bool"
_NULL = "tag:yaml.org,2002:null"


@dataclass(frozen=True)
class Field:
    """A value read from YAML and the line it stands on (1-based, in its file)."""

    value: Any
    line: int
    raw: str = ""          # the scalar as written, for messages ("no", "10.2.2026")
    tag: str = ""          # the YAML type it resolved to (bool, null, timestamp, ...)


class Document(dict):
    """A YAML mapping: key -> Field. `line` is where the mapping starts."""

    line: int = 1

    def value(self, key: str, default: Any = None) -> Any:
        field = self.get(key)
        return default if field is None else field.value

    def line_of(self, key: str) -> int:
        field = self.get(key)
        return field.line if field is not None else self.line


@dataclass(frozen=True)
class Split:
    """A Markdown file cut into front matter and body."""

    yaml_text: str
    yaml_line: int     # line of the first YAML line
    body: str
    body_line: int     # line of the first body line


def normalise_text(raw: bytes, path: str, problems: Problems) -> str | None:
    """Decode UTF-8 (with or without BOM) and turn CRLF/CR into LF."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        problems.error(path, line, "the file is not UTF-8 text; save it as UTF-8")
        return None
    if "\x00" in text:
        problems.error(path, text[: text.index("\x00")].count("\n") + 1,
                       "the file contains a NUL byte; is it really a text file?")
        return None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def split_front_matter(text: str, path: str, problems: Problems) -> Split | None:
    """Cut `---` front matter from the Markdown body."""
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        problems.error(path, 1, "a story must start with front matter between two '---' lines "
                                "(title, author, date)")
        return None
    for index in range(1, len(lines)):
        if lines[index].rstrip() in ("---", "..."):
            return Split(
                yaml_text="\n".join(lines[1:index]) + "\n",
                yaml_line=2,
                body="\n".join(lines[index + 1:]),
                body_line=index + 2,
            )
    body_start = _first_prose_line(lines)
    if body_start is not None:
        problems.error(path, body_start + 1, "the front matter is never closed; put a line "
                                             "with '---' above this one, after the last "
                                             "'key: value' line")
    else:
        problems.error(path, 1, "the front matter is never closed; did you forget the "
                                "closing '---'?")
    return None


def _first_prose_line(lines: list[str]) -> int | None:
    """Where the story's text seems to start in front matter that is never closed."""
    for index in range(1, len(lines)):
        text = lines[index]
        if not text.strip() or text[0] in " #-" or _KEY_LINE.match(text):
            continue
        return index
    return None


def read_mapping(text: str, path: str, problems: Problems, first_line: int = 1) -> Document | None:
    """Parse YAML that must be one mapping; report every strictness breach with its line."""
    offset = first_line - 1
    ok = True
    lines = text.split("\n")
    for number, line in enumerate(lines, start=first_line):
        unreadable = _NOT_YAML.search(line)
        if unreadable:
            problems.error(path, number, f"this line holds an invisible control character "
                                         f"(U+{ord(unreadable.group()):04X}) that YAML cannot "
                                         "read; delete it (retype the line if you cannot see it)")
            return None
        if len(line) > MAX_LINE_CHARS:
            problems.error(path, number, f"this line is {len(line):,} characters long; the "
                                         f"limit is {MAX_LINE_CHARS:,}: shorten the value")
            return None
        indent = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in indent:
            problems.error(path, number, "a tab is used for indentation; YAML needs spaces")
            ok = False
    if not ok:
        return None
    # Anchors, aliases and tags cannot be written without one of these characters, nor deep
    # nesting without many brackets, indents or dashes; most front matter has none of it,
    # and then the extra pass over the events is skipped.
    events = yaml.parse(text, Loader=_Loader) \
        if any(c in text for c in "&*!") or _deepest_possible(text, lines) > MAX_DEPTH else ()
    depth, reported = 0, len(problems)
    try:
        for event in events:
            line = event.start_mark.line + 1 + offset
            depth += isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)) - \
                isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent))
            if depth > MAX_DEPTH:
                problems.error(path, line, f"the YAML is nested more than {MAX_DEPTH} levels "
                                           "deep here; write it flatter")
                return None
            if len(problems) - reported >= MAX_REPORTED:
                break
            if isinstance(event, yaml.AliasEvent):
                problems.error(path, line, f"YAML aliases (*{event.anchor}) are not allowed; "
                                           "write the value out")
                ok = False
            elif getattr(event, "anchor", None):
                problems.error(path, line, f"YAML anchors (&{event.anchor}) are not allowed; "
                                           "write the value out")
                ok = False
            elif getattr(event, "tag", None) is not None and isinstance(
                    event, (yaml.ScalarEvent, yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                problems.error(path, line, f"YAML tags ({_short_tag(event.tag)}) are not allowed; "
                                           "remove the tag, or quote the value")
                ok = False
        if not ok:
            return None
        node = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        found = explain_mistake(text.split("\n")[: (mark.line + 1 if mark else None)])
        if found is not None:
            problems.error(path, found[0] + first_line, found[1], code="yaml")
            return None
        line = (mark.line + 1 if mark else 1) + offset
        problems.error(path, line, f"the YAML cannot be read: {exc.problem or exc.context}"
                                   f"{_yaml_hint(exc)}", code="yaml")
        return None
    except yaml.YAMLError as exc:
        problems.error(path, first_line, f"the YAML cannot be read: {exc}")
        return None
    if node is None:
        document = Document()
        document.line = first_line
        return document
    if not isinstance(node, yaml.MappingNode):
        kind = "a list" if isinstance(node, yaml.SequenceNode) else "a single value"
        problems.error(path, node.start_mark.line + 1 + offset,
                       f"expected 'key: value' lines, but this is {kind}")
        return None
    return _mapping(node, path, problems, offset)


# -- the mistakes writers make in YAML, in plain words ------------------------------------

_KEY_LINE = re.compile(r"^(?P<key>[A-Za-z0-9_][\w.-]*(?: [\w.-]+)*)\s*:(?:\s+(?P<value>.*)|$)")
_BLOCK_SCALAR = re.compile(r"^[|>][-+0-9]*\s*(?:#.*)?$")
_CANNOT_START = "@`%*&!"


@dataclass(frozen=True)
class _Line:
    indent: int
    item: bool          # a list item: "- ..."
    key: str            # "" when the line is not "key: ..."
    value: str          # what follows "key:" or "- ", stripped


def explain_mistake(lines: list[str]) -> tuple[int, str] | None:
    """The first line (0-based) with a mistake a writer makes, and what to type instead.

    Called only on YAML that failed to parse, with the lines up to where the parser
    gave up: the mistake is there or above, usually where a quote was opened.
    """
    previous: _Line | None = None
    levels = [0]                    # the indents of the open groups of keys
    block_indent: int | None = None
    for index, text in enumerate(lines):
        stripped = text.strip()
        indent = len(text) - len(text.lstrip(" "))
        if block_indent is not None:
            if not stripped or indent > block_indent:
                continue
            block_indent = None
        if not stripped or stripped.startswith("#"):
            continue
        line = _read_line(indent, stripped)
        message = (_structure_mistake(line, stripped, previous, levels)
                   or _value_mistake(line))
        if message:
            return index, message
        if line.value and _BLOCK_SCALAR.match(line.value):
            block_indent = indent
        levels = [level for level in levels if level <= indent] + \
            ([indent] if indent not in levels else [])
        previous = line
    return None


def _read_line(indent: int, stripped: str) -> _Line:
    item = stripped == "-" or stripped.startswith("- ")
    rest = stripped[1:].strip() if item else stripped
    match = _KEY_LINE.match(rest) if not rest.startswith(("'", '"')) else None
    if match:
        return _Line(indent, item, match.group("key"), (match.group("value") or "").strip())
    return _Line(indent, item, "", rest)


def _structure_mistake(line: _Line, stripped: str, previous: _Line | None,
                       levels: list[int]) -> str:
    if previous is None:
        return ""
    opens_group = previous.key and not previous.value or bool(_BLOCK_SCALAR.match(previous.value))
    if line.indent > previous.indent and not opens_group and not (previous.item and not previous.key):
        if line.key:
            return (f"this line is indented more than the line above it, so '{line.key}' "
                    "cannot start here; keys that belong together start in the same column")
        return ""                   # a long value continued on the next line
    if _BLOCK_SCALAR.match(previous.value) and line.indent <= previous.indent:
        return (f"the text after '{previous.key}: {previous.value[0]}' must be indented; put "
                f"{previous.indent + 2} spaces before this line")
    if line.indent < previous.indent and line.indent not in levels:
        above = min(level for level in levels if level > line.indent)
        below = max(level for level in levels if level < line.indent)
        return (f"this line is indented {line.indent} spaces, which lines it up with no "
                f"line above; use {above} spaces to keep it with the lines just above, or "
                f"{below} for a key of its own")
    if line.key or line.item or line.indent != previous.indent:
        return ""
    if previous.item and line.indent > 0:
        return (f"this line is in a list but has no dash; write it as "
                f"'{' ' * line.indent}- {stripped}'")
    words = stripped.split(maxsplit=1)
    if len(words) == 2 and re.fullmatch(r"[A-Za-z_][\w-]*", words[0]):
        return (f"this line has no ':' after its key; write it as "
                f"'{' ' * line.indent}{words[0]}: {words[1]}'")
    return f"this line is not 'key: value'; write it as 'key: {stripped}', or remove it"


def _value_mistake(line: _Line) -> str:
    value, key = line.value, line.key
    written = f"{key}: " if key else "- "
    if not value:
        return ""
    if value.startswith('"'):
        end = _closing_double_quote(value)
        if end is None:
            return ("the double quote (\") that starts this value is never closed; end the "
                    "value with \" on this line")
        if _more_after(value, end):
            inner = value[1:].rstrip()
            inner = inner[:-1] if inner.endswith('"') else inner
            fix = f"{written}'{inner}'" if "'" not in inner else \
                f'{written}"{_escape_double(inner)}"'
            return ("a double quote inside this value ends it early; put the value in "
                    f"single quotes, or write \\\" for each quote inside: {fix}")
        return ""
    if value.startswith("'"):
        end = _closing_single_quote(value)
        if end is None:
            return ("the single quote (') that starts this value is never closed; end the "
                    "value with ' on this line")
        if _more_after(value, end):
            inner = value[1:].rstrip()
            inner = inner[:-1] if inner.endswith("'") else inner
            return ("an apostrophe inside this value ends it early, because the value "
                    "starts with a single quote; put the value in double quotes instead: "
                    f'{written}"{_escape_double(inner)}"')
        return ""
    for opening, closing, what in (("[", "]", "list"), ("{", "}", "mapping")):
        if value.startswith(opening) and _unbalanced(value, opening, closing):
            return (f"the {what} that starts with '{opening}' is never closed; end it with "
                    f"'{closing}' on this line")
    if key and (value == "-" or value.startswith("- ")):
        return (f"a list cannot start on the line of '{key}:'; put each item on a line of "
                f"its own below it, starting with '  - ', or write {key}: [one, two]")
    if value[0] in _CANNOT_START:
        return (f"a value cannot start with '{value[0]}'; put it in double quotes: "
                f'{written}"{_escape_double(value)}"')
    if not value.startswith(("[", "{")) and (": " in value or value.endswith(":")):
        shown = value.split(" #")[0]
        return ("this value contains ': ', which YAML reads as the start of a new key; put "
                f'the value in double quotes: {written}"{_escape_double(shown)}"')
    return ""


def _closing_double_quote(value: str) -> int | None:
    index = 1
    while index < len(value):
        if value[index] == "\\":
            index += 2
            continue
        if value[index] == '"':
            return index
        index += 1
    return None


def _closing_single_quote(value: str) -> int | None:
    index = 1
    while index < len(value):
        if value[index] == "'":
            if value[index + 1: index + 2] == "'":
                index += 2
                continue
            return index
        index += 1
    return None


def _more_after(value: str, end: int) -> bool:
    rest = value[end + 1:].strip()
    return bool(rest) and not rest.startswith("#")


def _unbalanced(value: str, opening: str, closing: str) -> bool:
    depth = 0
    for char in re.sub(r'"(?:\\.|[^"\\])*"|\'(?:\'\'|[^\'])*\'', "", value):
        depth += (char == opening) - (char == closing)
    return depth > 0


def _escape_double(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _deepest_possible(text: str, lines: list[str]) -> int:
    """An upper bound of the YAML's nesting: each level needs a bracket, an indent or a dash."""
    indents = {len(line) - len(line.lstrip(" ")) for line in lines}
    return 1 + text.count("[") + text.count("{") + len(indents) + \
        max((line.count("-") for line in lines), default=0)


def _short_tag(tag: str) -> str:
    return tag.replace("tag:yaml.org,2002:", "!!")


def _yaml_hint(exc: yaml.MarkedYAMLError) -> str:
    problem = str(exc.problem or "")
    if "mapping values are not allowed" in problem:
        return " (hint: a value containing ': ' must be put in double quotes)"
    if "found character '\\t'" in problem:
        return " (hint: use spaces, not tabs)"
    if "could not find expected ':'" in problem:
        return " (hint: is a quote left open, or a line missing its 'key:'?)"
    return ""


def _mapping(node: yaml.MappingNode, path: str, problems: Problems, offset: int) -> Document:
    document = Document()
    document.line = node.start_mark.line + 1 + offset
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1 + offset
        if not isinstance(key_node, yaml.ScalarNode):
            problems.error(path, line, "a key must be a plain word")
            continue
        key = key_node.value
        if key in document:
            problems.error(path, line, f"'{key}' is set twice (first on line "
                                       f"{document[key].line}); keep one")
            continue
        document[key] = _field(value_node, path, problems, offset)
    return document


def _field(node: yaml.Node, path: str, problems: Problems, offset: int) -> Field:
    line = node.start_mark.line + 1 + offset
    if isinstance(node, yaml.MappingNode):
        return Field(_mapping(node, path, problems, offset), line, tag="map")
    if isinstance(node, yaml.SequenceNode):
        return Field([_field(item, path, problems, offset) for item in node.value], line, tag="seq")
    raw = node.value
    tag = node.tag.rsplit(":", 1)[-1]
    if node.tag == _TIMESTAMP:
        try:
            value = _constructor.construct_yaml_timestamp(node)
        except ValueError:
            return Field(raw, line, raw, "bad-date")
        return Field(value, line, raw, tag)
    if node.tag in (_BOOL, _NULL) or node.tag.endswith(("int", "float")):
        return Field(_constructor.construct_object(node), line, raw, tag)
    return Field(raw, line, raw, "str")


_constructor = yaml.SafeLoader("")


def plain(field: Field | None) -> Any:
    """Strip lines off a Field tree: plain Python values."""
    if field is None:
        return None
    value = field.value
    if isinstance(value, Document):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


def describe(field: Field) -> str:
    """Name what a value is, for messages like "got a yes/no value (no)"."""
    if field.tag == "bool":
        return f"a yes/no value ({field.raw}); put it in double quotes if it is text"
    if field.tag == "null":
        return "nothing"
    if field.tag in ("int", "float"):
        return f"a number ({field.raw})"
    if field.tag == "timestamp":
        return f"a date ({field.raw})"
    if field.tag == "seq":
        return "a list"
    if field.tag == "map":
        return "a mapping"
    return f'"{field.raw}"'

