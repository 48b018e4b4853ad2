"""Read what a site owner already has about visits: web-server access logs, a Plausible
export, a Matomo report export. Each file's format is detected from its first bytes and
lines, never flagged; every line is either turned into a View or counted as a Skip with
its file and line, so nothing is dropped silently and nothing stops the run.

The readers stream: a line (at most MAX_LINE bytes of it) at a time, so a 1 GB log is
read in bounded memory. Parsing a line is a pure function; only `read_views` opens files.
"""

from __future__ import annotations

import csv
import functools
import datetime as dt
import gzip
import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from itertools import chain, islice
from typing import Iterable, Iterator
from urllib.parse import unquote, unquote_plus, urlsplit

MAX_LINE = 16 * 1024            # bytes; longer lines are counted as malformed, not held
DETECT_LINES = 20               # lines looked at to tell the format

# NCSA Common Log Format and its Combined extension (Apache's mod_log_config,
# https://httpd.apache.org/docs/current/logs.html#common and #combined; nginx's default
# "combined" log_format is the same line). A quoted field may hold \" (Apache) or \x22
# (nginx) escapes; the date is [day/Mon/year:HH:MM:SS zone].
LOG_LINE = re.compile(
    r'(?P<host>\S+) (?P<ident>\S+) (?P<user>\S+) \[(?P<time>[^\]]{20,40})\] '
    r'"(?P<request>[^"\\]*(?:\\.[^"\\]*)*)" (?P<status>\d{3}) (?P<size>\d+|-)'
    r'(?: "(?P<referrer>[^"\\]*(?:\\.[^"\\]*)*)" "(?P<agent>[^"\\]*(?:\\.[^"\\]*)*)")?(?P<rest>.*)$')
LOG_TIME = re.compile(r"(\d\d)/([A-Z][a-z]{2})/(\d{4}):\d\d:\d\d:\d\d [+-]\d{4}$")
MONTHS = {name: number for number, name in enumerate(
    ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), 1)}
# Link-preview fetchers and crawlers: their requests are not people reading a story.
BOT = re.compile(r"bot\b|crawl|spider|slurp|facebookexternalhit|embedly|preview|"
                 r"headless|curl/|wget/|python-requests|httpclient|monitor", re.I)
PAGE_SUFFIXES = ("", ".html", ".htm")

# Plausible's CSV export (Settings > Imports & Exports > Export): a zip of one CSV per
# table, each named TABLE_YYYYMMDD_YYYYMMDD.csv with a header row. The columns are those
# Plausible's own importer reads back (plausible/analytics,
# lib/plausible/imported/csv_importer.ex, input_structures); we need these of them:
PLAUSIBLE_NAME = re.compile(r"(?:imported_)?(?P<table>[a-z_]+)_\d{8}_\d{8}\.csv$")
PLAUSIBLE_OTHER = {"browsers", "devices", "entry_pages", "exit_pages", "locations",
                   "operating_systems", "custom_events"}       # in the export, not needed
PLAUSIBLE_TABLES = {
    "pages": {"date", "page", "pageviews"},
    "sources": {"date", "source", "utm_source", "utm_content", "utm_campaign"},
    "visitors": {"date", "visitors", "pageviews"},
}
# Matomo's Reporting API with format=CSV (https://developer.matomo.org/api-reference/
# reporting-api, "Export" under any report): a header row of column names, then one row
# per report row, UTF-16LE with a byte-order mark unless convertToUnicode=0 (matomo-org/
# matomo, core/DataTable/Renderer/Csv.php). We read Actions.getPageUrls with flat=1:
# label (the page), nb_visits, nb_hits (page views) and url; over a date range with
# period=day each row starts with a "date" column.
MATOMO_COLUMNS = {"label", "nb_visits"}


@dataclass(frozen=True)
class View:
    """Page views of one address (count of them), as a log line or an export row says."""

    path: str                   # URL path, decoded: /stories/night-shift/
    count: int = 1
    day: dt.date | None = None
    source: str = ""            # utm_source: the platform
    content: str = ""           # utm_content: the person
    campaign: str = ""
    referrer: str = ""          # the referring URL, when the log has it
    where: tuple[str, int] = ("", 0)     # file and line, for reports of unknown values
    has_path: bool = True       # False for export rows that carry campaigns but no page
    has_source: bool = True     # False for export rows whose campaigns are kept elsewhere


@dataclass(frozen=True)
class Skip:
    """A line that is not a view: why (a short reason, also its tally key) and where."""

    reason: str
    where: tuple[str, int]
    detail: str = ""


MALFORMED = "malformed"          # does not parse as its file's format
UNKNOWN_FILE = "unknown file"    # a file that is none of the formats
TRUNCATED = "truncated"          # a compressed file that ends early
BOTS = "bots and previews"
NOT_A_PAGE = "not a page"        # pictures, CSS, feeds...
FAILED = "failed requests"       # 4xx and 5xx, and methods other than GET/HEAD
EARLIER = "before --since"
UNDATED = "no day, so not counted with --since"
EMPTY = "empty files"
BLANK = "blank lines"
OTHER_TABLE = "export tables not needed"       # a Plausible zip's devices, browsers...

Record = View | Skip


# -- the edges: files ---------------------------------------------------------------------


def read_views(paths: Iterable[Path], since: dt.date | None = None) -> Iterator[Record]:
    """Every record of every file, in order; a file that cannot be read becomes a Skip."""
    for path in paths:
        shown = path.as_posix()
        try:
            with open(path, "rb") as raw:
                head = raw.read(4)
                raw.seek(0)
                if head.startswith(b"PK"):
                    yield from _read_zip(raw, shown, since)
                elif head.startswith(b"\x1f\x8b"):
                    with gzip.GzipFile(fileobj=raw) as unpacked:
                        yield from _read_stream(unpacked, shown, path.name[:-3], since)
                else:
                    yield from _read_stream(raw, shown, path.name, since)
        except OSError as exc:
            yield Skip(UNKNOWN_FILE, (shown, 0), f"cannot be read: {exc.strerror or exc}")


def _read_zip(raw, shown: str, since) -> Iterator[Record]:
    try:
        archive = zipfile.ZipFile(raw)
    except (zipfile.BadZipFile, OSError) as exc:
        yield Skip(UNKNOWN_FILE, (shown, 0), f"looks like a zip file but is not one ({exc})")
        return
    with archive:
        for member in archive.infolist():
            if member.is_dir():
                continue
            where = f"{shown}:{member.filename}"
            try:
                with archive.open(member) as data:
                    yield from _read_stream(data, where, Path(member.filename).name, since)
            except (zipfile.BadZipFile, OSError, zlib.error, EOFError) as exc:
                yield Skip(TRUNCATED, (where, 0), f"cannot be unpacked ({exc})")


def _read_stream(data, shown: str, name: str, since) -> Iterator[Record]:
    """One file's records: its format told from its first lines, then line by line."""
    number = 0
    try:
        lines = _lines(data)
        head = list(islice(lines, DETECT_LINES))
        if not any(text.strip() for _, text in head):
            yield Skip(EMPTY, (shown, 1))
            return
        kind = detect([text for _, text in head], name)
        if kind is None:
            yield Skip(UNKNOWN_FILE, (shown, 1), "is not an access log (common or combined), "
                       "a Plausible CSV export or a Matomo CSV export")
            return
        if kind == "plausible:other":
            yield Skip(OTHER_TABLE, (shown, 1))
            return
        if kind == "log":
            for number, line in chain(head, lines):
                yield _dated(parse_log_line(line, (shown, number)), since)
            return
        header: list[str] = []
        for number, row in _csv_rows(chain(head, lines)):
            if not header:
                header = [cell.strip().lstrip("\ufeff") for cell in row]
                continue
            yield _dated(parse_csv_row(kind, header, row, (shown, number)), since)
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        yield Skip(TRUNCATED, (shown, number + 1),
                   f"the compressed file ends early after line {number} ({exc})")


def _lines(data) -> Iterator[tuple[int, str]]:
    """(line number, text) of a binary stream, UTF-16 when it starts with its byte-order
    mark (Matomo), else UTF-8 with undecodable bytes replaced. At most MAX_LINE of a line
    is read: a longer one is skipped to its end and yielded as a NUL and its start, which
    the parsers count as malformed."""
    first = data.read(2)
    if first == b"\xff\xfe":
        text = io.TextIOWrapper(data, encoding="utf-16-le", errors="replace", newline="")
        read, newline, decode, first = text.readline, "\n", str, ""
    else:
        read, newline = data.readline, b"\n"
        decode = lambda chunk: chunk.decode("utf-8", "replace")      # noqa: E731
    number = 0
    while chunk := (first + read(MAX_LINE) if number == 0 else read(MAX_LINE)):
        number += 1
        if len(chunk) >= MAX_LINE and not chunk.endswith(newline):
            while (more := read(MAX_LINE)) and not more.endswith(newline):
                pass
            yield number, "\x00" + decode(chunk[:200])
            continue
        yield number, decode(chunk).lstrip("\ufeff" if number == 1 else "").rstrip("\r\n")


def _csv_rows(lines: Iterator[tuple[int, str]]) -> Iterator[tuple[int, list[str]]]:
    """CSV rows with the number of the line each starts on; a broken row is one row."""
    for number, text in lines:
        if "\x00" in text:
            yield number, ["\x00"]
            continue
        try:
            row = next(csv.reader([text]))
        except (csv.Error, StopIteration):
            row = ["\x00"]
        yield number, row


def _dated(record: Record, since: dt.date | None) -> Record:
    """With --since, views before it, and rows that say no day at all, are counted apart."""
    if since and isinstance(record, View):
        if record.day is None:
            return Skip(UNDATED, record.where)
        if record.day < since:
            return Skip(EARLIER, record.where)
    return record


# -- the middle: telling and parsing ------------------------------------------------------


def detect(lines: list[str], name: str) -> str | None:
    """'log', 'plausible:TABLE', 'matomo' or None, from a file's name and first lines."""
    lines = [line for line in lines if line.strip()]
    if not lines:
        return None
    header = {cell.strip().lower() for cell in next(csv.reader([lines[0]]), [])}
    match = PLAUSIBLE_NAME.search(name)
    if match and match["table"] in PLAUSIBLE_TABLES \
            and PLAUSIBLE_TABLES[match["table"]] <= header:
        return f"plausible:{match['table']}"
    if match and match["table"] in PLAUSIBLE_OTHER and "date" in header:
        return "plausible:other"
    for table, needed in PLAUSIBLE_TABLES.items():
        if needed <= header and table != "visitors":
            return f"plausible:{table}"
    if MATOMO_COLUMNS <= header:
        return "matomo"
    parsed = sum(bool(LOG_LINE.match(line)) for line in lines[:10])
    if parsed and parsed * 2 >= min(len(lines), 10):
        return "log"
    return None


def parse_log_line(line: str, where: tuple[str, int]) -> Record:
    """One access-log line: a View of a page, or a Skip saying why not."""
    if not line.strip():
        return Skip(BLANK, where)
    match = LOG_LINE.match(line) if "\x00" not in line else None
    if match is None:
        return Skip(MALFORMED, where, excerpt(line))
    day = log_day(match["time"])
    if day is None:
        return Skip(MALFORMED, where, excerpt(line))
    parts = match["request"].split(" ")
    if len(parts) != 3 or not parts[1].startswith("/"):
        return Skip(MALFORMED, where, excerpt(line))
    method, target = parts[0], parts[1]
    status = int(match["status"])
    if is_bot(match["agent"] or ""):
        return Skip(BOTS, where)
    if method not in ("GET", "HEAD") or not (200 <= status < 400):
        return Skip(FAILED, where)
    url = urlsplit(target)
    path = unquote(url.path, errors="replace")
    last = path.rsplit("/", 1)[-1]
    if "." in last and not last.endswith(PAGE_SUFFIXES[1:]):
        return Skip(NOT_A_PAGE, where)
    utm = _utm(url.query)
    referrer = match["referrer"] or ""
    return View(path=path, day=day, source=utm.get("utm_source", ""),
                content=utm.get("utm_content", ""), campaign=utm.get("utm_campaign", ""),
                referrer="" if referrer == "-" else referrer, where=where)


def parse_csv_row(kind: str, header: list[str], row: list[str],
                  where: tuple[str, int]) -> Record:
    """One row of a Plausible table or a Matomo report."""
    if not row:
        return Skip(BLANK, where)
    if row == ["\x00"] or len(row) != len(header):
        return Skip(MALFORMED, where, excerpt(",".join(row)))
    cells = {name.lower(): value for name, value in zip(header, row)}
    try:
        day = dt.date.fromisoformat(cells["date"][:10]) if cells.get("date") else None
    except ValueError:
        return Skip(MALFORMED, where, f"date '{excerpt(cells['date'])}'")
    if kind == "matomo":
        return _matomo_row(cells, day, where)
    table = kind.split(":", 1)[1]
    number = cells.get("pageviews") or cells.get("visits") or cells.get("visitors") or ""
    if not number.isdigit():
        return Skip(MALFORMED, where, f"count '{excerpt(number)}'")
    if table == "pages":
        return View(path=unquote(cells["page"], errors="replace"), count=int(number), day=day,
                    where=where, has_source=False)
    if table == "sources":
        return View(path="", count=int(number), day=day, source=cells.get("utm_source", ""),
                    content=cells.get("utm_content", ""),
                    campaign=cells.get("utm_campaign", ""), where=where, has_path=False)
    return Skip(OTHER_TABLE, where)       # imported_visitors: daily totals of the whole site


def _matomo_row(cells: dict, day, where) -> Record:
    number = cells.get("nb_hits") or cells.get("nb_visits") or ""
    if not number.isdigit():
        return Skip(MALFORMED, where, f"count '{excerpt(number)}'")
    address = cells.get("url") or cells.get("metadata_url") or cells.get("label", "")
    url = urlsplit(address)
    path = unquote(url.path, errors="replace")
    if not path.startswith("/"):
        path = "/" + path
    utm = _utm(url.query)
    return View(path=path, count=int(number), day=day, source=utm.get("utm_source", ""),
                content=utm.get("utm_content", ""), campaign=utm.get("utm_campaign", ""),
                where=where)


# A log holds millions of lines but few distinct days and user agents: both answers are
# cached (pure functions of their text), which makes reading a log some three times faster.
@functools.lru_cache(maxsize=4096)
def log_day(text: str) -> dt.date | None:
    """The day of a log timestamp like 10/Oct/2026:13:55:36 -0700, in the log's own zone."""
    match = LOG_TIME.match(text)
    if match is None or match[2] not in MONTHS:
        return None
    try:
        return dt.date(int(match[3]), MONTHS[match[2]], int(match[1]))
    except ValueError:
        return None


@functools.lru_cache(maxsize=4096)
def is_bot(agent: str) -> bool:
    return bool(BOT.search(agent))


def _utm(query: str) -> dict[str, str]:
    """The first of each utm_ parameter (most queries have none: the quick way out)."""
    if "utm_" not in query:
        return {}
    found = {}
    for part in query.split("&"):
        if part.startswith("utm_"):
            name, _, value = part.partition("=")
            if name not in found:
                found[name] = unquote_plus(value, errors="replace").strip()
    return found


def excerpt(text: str, limit: int = 120) -> str:
    """A printable start of a line for a message: no control characters, not too long."""
    clean = "".join(c if c.isprintable() else "\N{REPLACEMENT CHARACTER}" for c in text[:limit])
    return clean + ("…" if len(text) > limit else "")
