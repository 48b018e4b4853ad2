"""The search index: Pagefind, fed the rendered story and person pages from memory.

A page is indexed when its template marks it with `data-pagefind-body` (the story and
person templates do; share kits, lists and the home page do not), so a site's own
templates decide too. Pagefind keeps one index per language, read from `<html lang>`.

Each language's index is in parts, each its own bundle: a page's part is a hash of its
path, among a power of two of parts that grows with the language's pages (part_count).
The site language's first part is the primary bundle at pagefind/, with Pagefind's code;
its other parts are at pagefind/1/, pagefind/2/...; the other languages' at
pagefind/LANG/, pagefind/LANG/1/... static/search.js merges every part
(pagefind/languages.json lists them), so one query finds stories in every part and
language, each segmented and stemmed as its own language, ranked together.

Pagefind cannot update an index, so a changed page means its part is made again: each
part is kept in the store under a hash of what Pagefind reads of its pages, so an edit
indexes a few hundred pages, not the whole language, and Pagefind never holds more than
one part. Only a change in the number of a language's parts (at 257, 513, 1,025...
pages) indexes all of that language again.

The binary comes with the `pagefind[extended]` package and is spoken to in its service
mode. The package's asyncio wrapper waits 0.1 s before reading each reply (measured:
100 pages took 10.2 s, so 10,000 stories would take 17 minutes) and cannot read a reply
over 2 MiB (the files of a large index), so this module sends the same messages
itself: the pages from a thread while the replies are read, the rest one at a time.
"""

from __future__ import annotations

import base64
import gzip
import hashlib
import importlib.metadata
import json
import re
import subprocess
import tempfile
import threading
import zlib
from collections.abc import MutableMapping
from pathlib import Path
from typing import Callable, Mapping, NamedTuple

try:
    from pagefind.service import get_executable
except ImportError:                  # only a site with `search: false` builds without it
    def get_executable():
        return None

from firsthand.output.store import Store
from firsthand.content.problems import Problems

BUNDLE = "pagefind/"
LANGUAGES_FILE = BUNDLE + "languages.json"   # which bundles search.js merges
INDEXED = b"data-pagefind-body"
INDEXED_TAG = re.compile(rb"<[a-zA-Z][^<>]*\sdata-pagefind-body[\s>=]")   # not in text
HTML_LANG = re.compile(rb"<html\b[^>]*?\slang=\"([^\"]+)\"", re.IGNORECASE)
# What the browser needs of a bundle; Pagefind's own UIs and playground are left out,
# as the theme brings its own page (templates/search.html, static/search.js).
SEARCH_FILES = re.compile(r"^(pagefind\.js|pagefind-worker\.js|pagefind-entry\.json|"
                          r"wasm\.[\w-]+\.pagefind|pagefind\.[\w-]+\.pf_meta|"
                          r"(index|fragment|filter)/[\w-]+\.pf_\w+)$")
# Parts of the theme's story page that every story has, which would make every story
# match "share" or "stories"; the theme's own pages could mark them data-pagefind-ignore.
EXCLUDED = [".avatar", ".breadcrumb", ".draft-flag", ".share-link", ".visitor-share",
            ".question-label", ".byline-meta"]
CACHE_KIND = "search"
SUMMARY_KIND = "search-summary"   # per bundle: summarize()
PART_PAGES = 256              # pages of one part at most, on average (part_count)
INSTALL_HINT = ('install it with `python -m pip install "pagefind[extended]"`, '
                "or set `search: false` in site.yaml")


def _engine() -> str:
    """What decides the index's bytes besides the pages: this module and Pagefind."""
    parts = [Path(__file__).read_text(encoding="utf-8")]
    for package in ("pagefind", "pagefind_bin_extended", "pagefind_bin"):
        try:
            parts.append(f"{package}={importlib.metadata.version(package)}")
        except importlib.metadata.PackageNotFoundError:
            parts.append(f"{package}=-")
    return "|".join(parts)


SEARCH_ENGINE = hashlib.sha256(_engine().encode("utf-8")).hexdigest()


class SearchUnavailable(Exception):
    """The Pagefind binary is missing or cannot run; the message says what to do."""


class Pages(MutableMapping):
    """{path: what Pagefind reads of the page}, compressed: the build keeps every indexed
    page until the last is rendered (some 14 KB a story: 140 MB at 10,000 stories).

    A page that did not change since the last build may be given by the digest of what
    Pagefind reads of it and a way to read it (`known`): it is read only if a bundle that
    holds it must be made again. Bundles are keyed by `digest`, never by the bytes.
    """

    def __init__(self):
        self._pages: dict[str, bytes | Callable[[], bytes]] = {}
        self._digests: dict[str, bytes] = {}
        self._languages: dict[str, str | None] = {}

    def __setitem__(self, path: str, data: bytes) -> None:
        part = indexed_part(data)
        self._pages[path] = zlib.compress(part, 1)
        self._digests[path] = hashlib.sha256(part).digest()
        self._languages[path] = html_lang(data)

    def known(self, path: str, digest: bytes, language: str | None,
              load: Callable[[], bytes]) -> None:
        """A page by the digest of its indexed part and its html_lang; `load` gives the
        whole page."""
        self._pages[path] = load
        self._digests[path] = digest
        self._languages[path] = language

    def language(self, path: str, default: str) -> str:
        """The language Pagefind files the page under: its <html lang>, lowercased."""
        return self._languages[path] or default

    def digest(self, path: str) -> bytes:
        """sha256 of what Pagefind reads of the page (indexed_part)."""
        return self._digests[path]

    def __getitem__(self, path: str) -> bytes:
        held = self._pages[path]
        return indexed_part(held()) if callable(held) else zlib.decompress(held)

    def __delitem__(self, path: str) -> None:
        del self._pages[path]
        del self._digests[path]
        del self._languages[path]

    def __iter__(self):
        return iter(self._pages)

    def __len__(self) -> int:
        return len(self._pages)


def indexed_part(data: bytes) -> bytes:
    """What Pagefind reads of a page: its language and the data-pagefind-body element.

    The rest (navigation, related stories, footer) changes with other stories and would
    make a page look changed to the index when it is not. Text in our pages never holds
    a raw "<", so counting the element's own tag name finds where it ends; a page with
    Pagefind attributes outside that element is kept whole.
    """
    start = INDEXED_TAG.search(data)
    if start is None:
        return data
    name = re.match(rb"<([a-zA-Z][a-zA-Z0-9-]*)", data[start.start():start.end()]).group(1)
    depth, end = 0, None
    for tag in re.finditer(rb"<(/?)" + re.escape(name) + rb"[\s>/]", data[start.start():]):
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            end = start.start() + data[start.start():].index(b">", tag.start()) + 1
            break
    outside = data[:start.start()] + data[end:] if end else b""
    if end is None or b"data-pagefind-" in outside:
        return data
    lang = HTML_LANG.search(data, 0, 2048)
    head = b'<html lang="' + lang.group(1) + b'">' if lang else b"<html>"
    return head + b"<body>" + data[start.start():end] + b"</body></html>"


def is_indexed(path: str, data: bytes) -> bool:
    """Whether a rendered file is a page the search index holds."""
    return path.endswith(".html") and INDEXED in data and INDEXED_TAG.search(data) is not None


class Output(NamedTuple):
    """One file of the index, and the key it was made from (Run.emit)."""

    path: str
    key: str
    data: bytes | None         # None: the last build's file, made from the same key


def index_site(site, pages: Mapping[str, bytes], store: Store | None, problems: Problems,
               unchanged: Callable[[str, str], bool] | None = None) -> list[Output]:
    """index_outputs, with Pagefind's absence reported as an error on site.yaml."""
    try:
        return index_outputs(site, pages, store, PART_PAGES, unchanged)
    except SearchUnavailable as exc:
        problems.error("site.yaml", 1, str(exc))
        return []


def index_files(site, pages: Mapping[str, bytes], store: Store | None = None,
                part_pages: int = PART_PAGES) -> dict[str, bytes]:
    """The search bundles for these pages: {output path: bytes} under pagefind/."""
    return {out.path: out.data for out in index_outputs(site, pages, store, part_pages)}


def index_outputs(site, pages: Mapping[str, bytes], store: Store | None = None,
                  part_pages: int = PART_PAGES,
                  unchanged: Callable[[str, str], bool] | None = None) -> list[Output]:
    """The search bundles' files for these pages, each under the key of its part.

    Each language's pages are split into parts of `part_pages` or fewer on average
    (part_count, part_of), each its own Pagefind bundle, kept in the store under a hash of
    its own pages: an edit to one story indexes again only the part that holds it, and
    Pagefind holds one part in memory at a time. A page is read (`pages[path]`) only when
    its part must be made again. A part whose files the last build made from the same key
    (`unchanged(path, key)`) is not read at all: its outputs come without bytes, and its
    summary (the files' names, filter counts) from the store.
    Raises SearchUnavailable when Pagefind is needed and cannot run.
    """
    store = store or Store(None)
    if not isinstance(pages, Pages):
        given, pages = pages, Pages()
        for path, data in given.items():
            pages[path] = data
    default = site.language.lower()
    outputs: list[Output] = []
    merged, filters = [], {}
    pagefind = None
    try:
        for part in plan(pages, default, part_pages):
            key = bundle_key(part.language, part.primary, pages, part.paths)
            summary = _stored_summary(store, key)
            if summary is not None and unchanged is not None and all(
                    unchanged(part.folder + name, key) for name in summary["files"]):
                outputs += [Output(part.folder + name, key, None) for name in summary["files"]]
            else:
                packed = store.get(CACHE_KIND, key)
                if packed is None:
                    pagefind = pagefind or Pagefind()
                    bundle = kept(steady(pagefind.index(pages, part.paths, part.language)),
                                  part.primary)
                    store.put(CACHE_KIND, key, pack(bundle))
                else:
                    bundle = unpack(packed)
                if summary is None:
                    summary = summarize(bundle, part.language)
                    store.put(SUMMARY_KIND, key, json.dumps(summary).encode())
                outputs += [Output(part.folder + name, key, data)
                            for name, data in bundle.items()]
            if filters is not None and summary["filters"] is not None:
                add_counts(filters, summary["filters"])
            else:
                filters = None           # search.js asks Pagefind instead
            if not part.primary:
                merged.append({"path": part.folder[len(BUNDLE):],
                               "language": summary["language"]})
    finally:
        if pagefind is not None:
            pagefind.close()
    listed = json.dumps({"language": default, "merge": merged, "filters": filters},
                        ensure_ascii=False, sort_keys=True).encode()
    listed_key = hashlib.sha256(SEARCH_ENGINE.encode() + b"|" + listed).hexdigest()
    outputs.append(Output(LANGUAGES_FILE, listed_key,
                          None if unchanged and unchanged(LANGUAGES_FILE, listed_key)
                          else listed))
    return outputs


def summarize(bundle: Mapping[str, bytes], language: str) -> dict:
    """What the rest of the index needs of a bundle, kept beside it in the store so that
    an unchanged part is never read: its files' names, its filter counts (count_filters;
    None when unknown) and the key of its language in its entry file."""
    counts: dict[str, dict[str, int]] = {}
    return {"files": list(bundle), "language": _entry_language(bundle, language),
            "filters": counts if count_filters(bundle, counts) else None}


def _stored_summary(store: Store, key: str) -> dict | None:
    stored = store.get(SUMMARY_KIND, key)
    return json.loads(stored) if stored is not None else None


def add_counts(counts: dict[str, dict[str, int]], more: Mapping[str, Mapping[str, int]]) -> None:
    """Add one part's filter counts to the whole index's."""
    for name, values in more.items():
        held = counts.setdefault(name, {})
        for value, number in values.items():
            held[value] = held.get(value, 0) + number


def count_filters(bundle: Mapping[str, bytes], counts: dict[str, dict[str, int]]) -> bool:
    """Add the pages of each filter value in a bundle to `counts`: what the search page's
    filters offer, which Pagefind would give only after fetching every filter file of
    every part (four a part), before the first query could run. False when a filter file
    is not what this module knows."""
    for name, data in bundle.items():
        if name.startswith("filter/") and name.endswith(".pf_filter"):
            read = _read_cbor_file(data)
            if not (isinstance(read, list) and len(read) == 2 and isinstance(read[1], list)
                    and all(isinstance(pair, list) and len(pair) == 2
                            and isinstance(pair[1], list) for pair in read[1])):
                return False
            values = counts.setdefault(str(read[0]), {})
            for value, held in read[1]:
                values[value] = values.get(value, 0) + len(held)
    return True


class Part(NamedTuple):
    """One bundle: some of one language's pages, and the folder it is served from."""

    language: str
    primary: bool            # the bundle search.js loads first, with Pagefind's code
    folder: str              # "pagefind/", "pagefind/3/", "pagefind/ja/", "pagefind/ja/1/"
    paths: list[str]


def plan(pages: Pages, default: str, part_pages: int = PART_PAGES) -> list[Part]:
    """The parts of the index: the site language's first part is the primary bundle, at
    pagefind/ (there even when no page is in that language); a language's other parts are
    in numbered folders below its own, pagefind/LANG/ for the other languages."""
    languages: dict[str, list[str]] = {default: []}
    for path in sorted(pages):
        languages.setdefault(pages.language(path, default), []).append(path)
    parts = []
    for language in sorted(languages, key=lambda lang: (lang != default, lang)):
        paths = languages[language]
        count = part_count(len(paths), part_pages)
        members: list[list[str]] = [[] for _ in range(count)]
        for path in paths:
            members[part_of(path, count)].append(path)
        base = BUNDLE if language == default else f"{BUNDLE}{language}/"
        for number, held in enumerate(members):
            primary = language == default and number == 0
            if held or primary:
                parts.append(Part(language, primary,
                                  base + (f"{number}/" if number else ""), held))
    return parts


def part_count(pages: int, part_pages: int = PART_PAGES) -> int:
    """How many parts a language of this many pages is split into: the least power of two
    that keeps them at `part_pages` or fewer on average (with 256: 1 part up to 256
    pages, 2 up to 512, 4 up to 1,024... 64 at 10,600). Only a change of count moves pages
    between parts, and so indexes that language again, once.

    Measured at 10,600 pages (README: Search): with 64 parts of at most 194 pages an edit
    took 3.3 s and Pagefind 105 MB; with 32 of at most 373, 14.5 s and 197 MB (Pagefind's
    time grows faster than its pages), for 0.6 s less a query."""
    count = 1
    while pages > count * part_pages:
        count *= 2
    return count


def part_of(path: str, count: int) -> int:
    """The part a page is in: a hash of its path, so other pages coming, going or changing
    never move it. With twice the parts, part n splits into n and n + count."""
    return int.from_bytes(hashlib.sha256(path.encode("utf-8")).digest()[:8], "big") % count


def bundle_key(language: str, primary: bool, pages: Pages, paths: list[str]) -> str:
    """A hash of everything that decides a bundle's bytes."""
    digest = hashlib.sha256(f"{SEARCH_ENGINE}|{language}|{primary}".encode())
    for path in paths:
        digest.update(f"\0{path}\0".encode())
        digest.update(pages.digest(path))
    return digest.hexdigest()


def fetched_only(path: str) -> bool:
    """Whether an output file is one of a bundle's index files, which only Pagefind
    fetches (no page links to it), under a name that changes with its bytes."""
    return path.startswith(BUNDLE) and ".pf_" in path


def html_lang(data: bytes) -> str | None:
    """A page's <html lang>, lowercased, or None when it has none."""
    match = HTML_LANG.search(data, 0, 2048)
    return match.group(1).decode("ascii", "replace").lower() if match else None


def page_url(path: str) -> str:
    """The result's URL from the site's root: 'stories/x/index.html' -> '/stories/x/'."""
    return "/" + (path[:-len("index.html")] if path.endswith("index.html") else path)


def kept(bundle: Mapping[str, bytes], primary: bool) -> dict[str, bytes]:
    """What the browser needs of a bundle; a merged one shares the primary's code."""
    return {name: data for name, data in bundle.items()
            if SEARCH_FILES.match(name) and (primary or not name.endswith((".js", ".pagefind")))}


# -- the same pages, the same bytes -------------------------------------------------------
# Pagefind writes a filter's values, and the list of filters, in the order of a Rust hash
# map, which changes from run to run; the file names are hashes of the bytes, so every
# build would name its filter and meta files afresh. steady() puts them in order and
# names them again. The files are gzip of "pagefind_dcd" and CBOR (RFC 8949).

MAGIC = b"pagefind_dcd"


def steady(bundle: dict[str, bytes]) -> dict[str, bytes]:
    """The bundle with its filters in a fixed order, and the file names that follow."""
    renamed, out = {}, {}
    for name, data in bundle.items():
        if name.startswith("filter/") and name.endswith(".pf_filter"):
            values = _read_cbor_file(data)
            if values is None:
                return bundle
            values[1].sort(key=lambda pair: pair[0])
            data = _write_cbor_file(values)
            stem = name[len("filter/"):-len(".pf_filter")]
            new = f"{stem.split('_')[0]}_{hashlib.sha256(data).hexdigest()[:7]}"
            renamed[stem] = new
            name = f"filter/{new}.pf_filter"
        out[name] = data
    for name in [n for n in out if n.startswith("pagefind.") and n.endswith(".pf_meta")]:
        meta = _read_cbor_file(out[name])
        if meta is None or len(meta) < 4 or not isinstance(meta[3], list):
            return bundle
        meta[3] = sorted([filter_name, renamed.get(file, file)] for filter_name, file in meta[3])
        data = _write_cbor_file(meta)
        stem = name[len("pagefind."):-len(".pf_meta")]
        new = f"{stem.split('_')[0]}_{hashlib.sha256(data).hexdigest()[:10]}"
        del out[name]
        out[f"pagefind.{new}.pf_meta"] = data
        if "pagefind-entry.json" in out:
            out["pagefind-entry.json"] = out["pagefind-entry.json"].replace(
                f'"{stem}"'.encode(), f'"{new}"'.encode())
    return out


def _read_cbor_file(data: bytes):
    """The value in a Pagefind file, or None when it is not what this module knows."""
    try:
        raw = gzip.decompress(data)
        if not raw.startswith(MAGIC):
            return None
        value, end = _decode(raw, len(MAGIC))
    except (OSError, EOFError, ValueError, IndexError):
        return None
    return value if end == len(raw) and _encode(value) == raw[len(MAGIC):] else None


def _write_cbor_file(value) -> bytes:
    return gzip.compress(MAGIC + _encode(value), compresslevel=9, mtime=0)


def _decode(raw: bytes, at: int):
    """One CBOR item from raw[at:]: unsigned ints, text, arrays and maps; (value, end)."""
    major, info = raw[at] >> 5, raw[at] & 31
    at += 1
    if info < 24:
        number = info
    elif info <= 27:
        size = 1 << (info - 24)
        number, at = int.from_bytes(raw[at:at + size], "big"), at + size
    else:
        raise ValueError("indefinite or reserved CBOR length")
    if major == 0:
        return number, at
    if major == 3:
        return raw[at:at + number].decode("utf-8"), at + number
    if major == 4:
        items = []
        for _ in range(number):
            item, at = _decode(raw, at)
            items.append(item)
        return items, at
    if major == 5:
        pairs = []
        for _ in range(number):
            key, at = _decode(raw, at)
            value, at = _decode(raw, at)
            pairs.append((key, value))
        return dict(pairs), at
    raise ValueError(f"CBOR major type {major}")


def _head(major: int, number: int) -> bytes:
    if number < 24:
        return bytes([major << 5 | number])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if number < 1 << (8 * size):
            return bytes([major << 5 | info]) + number.to_bytes(size, "big")
    raise ValueError("number too large for CBOR")


def _encode(value) -> bytes:
    if isinstance(value, int):
        return _head(0, value)
    if isinstance(value, str):
        text = value.encode("utf-8")
        return _head(3, len(text)) + text
    if isinstance(value, list):
        return _head(4, len(value)) + b"".join(_encode(item) for item in value)
    return _head(5, len(value)) + b"".join(_encode(k) + _encode(v) for k, v in value.items())


def _entry_language(bundle: Mapping[str, bytes], wanted: str) -> str:
    """The key Pagefind gave the language in the bundle's entry file."""
    entry = json.loads(bundle.get("pagefind-entry.json", b"{}"))
    languages = list(entry.get("languages", {}))
    return wanted if wanted in languages or not languages else languages[0]


def pack(files: Mapping[str, bytes]) -> bytes:
    """Many files as one cache entry: a JSON list of (path, size), a newline, the bytes."""
    header = json.dumps([[path, len(data)] for path, data in files.items()]).encode()
    return header + b"\n" + b"".join(files.values())


def unpack(packed: bytes) -> dict[str, bytes]:
    header, _, body = packed.partition(b"\n")
    files, offset = {}, 0
    for path, size in json.loads(header):
        files[path] = body[offset:offset + size]
        offset += size
    return files


class Pagefind:
    """The Pagefind binary in service mode: base64 JSON messages, each ended by a comma."""

    def __init__(self):
        executable = get_executable()
        if executable is None:
            raise SearchUnavailable("search: the Pagefind program is not installed; "
                                    + INSTALL_HINT)
        self.errors = tempfile.TemporaryFile()
        try:
            self.process = subprocess.Popen([str(executable), "--service"],
                                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                            stderr=self.errors)
        except OSError as exc:
            self.errors.close()
            raise SearchUnavailable(f"search: the Pagefind program at {executable} cannot run "
                                    f"({exc.strerror or exc}); {INSTALL_HINT}") from None
        self.executable, self.sent, self.pending = executable, 0, b""

    def __enter__(self) -> "Pagefind":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """Stop the binary; it keeps nothing worth waiting for."""
        if self.process.poll() is None:
            self.process.stdin.close()
            self.process.terminate()
        self.process.wait()
        self.errors.close()

    def index(self, pages: Pages, paths: list[str],
              language: str) -> dict[str, bytes]:
        """Index those of the pages in one language; the bundle's files by their path in it."""
        made = self.ask({"type": "NewIndex", "config": {"force_language": language,
                                                     "exclude_selectors": EXCLUDED}})
        index_id = made["index_id"]
        self.add_all(index_id, pages, paths)
        reply = self.ask({"type": "GetFiles", "index_id": index_id})
        self.ask({"type": "DeleteIndex", "index_id": index_id})
        return {file["path"].lstrip("/"): base64.b64decode(file["content"])
                for file in reply["files"]}

    def add_all(self, index_id: int, pages: Pages, paths: list[str]) -> None:
        """Add every page, sent from a thread while the replies are read, so that Pagefind
        parses several at once and neither pipe fills up while the other waits."""
        def send_all():
            for path in paths:
                if not self._send({"type": "AddFile", "index_id": index_id,
                                   "url": page_url(path), "file_path": None,
                                   "file_contents": pages[path].decode("utf-8")}):
                    return
        sender = threading.Thread(target=send_all, daemon=True)
        sender.start()
        try:
            for _ in paths:
                self._reply()
        except BaseException:
            self.process.kill()          # the sender's next write fails, and it stops
            raise
        finally:
            sender.join()

    def ask(self, payload: dict) -> dict:
        """Send one request and wait for its reply."""
        if not self._send(payload):
            self._died()
        return self._reply()

    def _send(self, payload: dict) -> bool:
        self.sent += 1
        message = json.dumps({"message_id": self.sent, "payload": payload}).encode("utf-8")
        try:
            self.process.stdin.write(base64.b64encode(message) + b",")
            self.process.stdin.flush()
        except OSError:
            return False
        return True

    def _reply(self) -> dict:
        reply = json.loads(base64.b64decode(self._read_message()))
        if reply["payload"]["type"] == "Error":
            message = reply["payload"]["message"]
            raise SearchUnavailable(f"search: Pagefind refused a page: {message}")
        return reply["payload"]

    def _read_message(self) -> bytes:
        parts = []
        while True:
            chunk, self.pending = self.pending or self.process.stdout.read1(1 << 20), b""
            if not chunk:
                self._died()
            head, comma, self.pending = chunk.partition(b",")
            parts.append(head)
            if comma:
                return b"".join(parts)

    def _died(self):
        self.process.wait()
        self.errors.seek(0)
        said = self.errors.read().decode("utf-8", "replace").strip().splitlines()
        reason = said[-1] if said else f"exit status {self.process.returncode}"
        raise SearchUnavailable(f"search: the Pagefind program at {self.executable} stopped "
                                f"({reason}); {INSTALL_HINT}")
