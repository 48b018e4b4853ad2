"""Know, without loading anything, that a build would change nothing.

After a successful build the cache folder keeps a record: a fingerprint of every input
(size, mtimes and inode of each file in the source folder, the default theme and the
engine's own code; the folders of the libraries and fonts it uses; the options and the
day of the build) and of every output file.
When the next build finds the same fingerprint and the output folder exactly as it was
left, the finished site is already in place: the build reports the same warnings and
stops.

Anything uncertain means a full build: a missing or unreadable record, an input changed
within a few seconds before the build started (a timestamp cannot tell two edits that
close apart), an output file touched by hand.

The record also keeps what each output file was made from (`made`: its key, and for a
page what it read of the library and what search indexes of it). A build that finds the
output folder exactly as the record left it (`last_made`) takes an output whose key is
unchanged as it stands, without making, reading or comparing it. That part is kept even
when the inputs were too new to trust for the whole-build shortcut, since each key is
derived from the content itself, not from timestamps.
"""

from __future__ import annotations

import hashlib
import json
import marshal
import os
import sys
import time
from dataclasses import asdict
from pathlib import Path
from stat import S_ISDIR
from typing import Iterable

from firsthand import __version__
from firsthand.content.problems import Problem
from firsthand.output.store import FOLDER as CACHE_FOLDER, uncollected
from firsthand.output.write import listing as outputs

RECORD = "last-build.marshal"
SETTLE_SECONDS = 3.0          # inputs newer than the record minus this are not trusted
ENGINE = Path(__file__).resolve().parents[1]


# Where the libraries the engine imports live, and the fonts cards are drawn with
# (cards.FONT_FOLDERS): an install, upgrade or removal changes these folders' metadata.
FONT_FOLDERS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"),
                Path.home() / ".local/share/fonts")
THEME = ENGINE.parent             # the default theme: templates/, static/, i18n/


def installed() -> list[str]:
    """What decides the outputs besides the inputs and the engine's own code (walked as
    an input): Python, and the folders of the libraries and fonts, by their metadata.
    Cheaper than engines.ENGINES, which imports every library to ask its version."""
    found = [__version__, sys.version]
    folders = [Path(p) for p in sys.path if p] + [
        Path(folder) for root in FONT_FOLDERS for folder, _, _ in os.walk(root)]
    for folder in folders:
        try:
            stat = folder.stat()
        except OSError:
            continue
        found.append(f"{folder}\0{stat.st_mtime_ns}\0{stat.st_ino}")
    return found


def build_inputs(source: Path, out: Path, drafts: bool, on, base_url: str | None) -> str:
    """`inputs` of a build with these options ("" when an input is too new)."""
    return inputs(source, out, THEME, {"drafts": drafts, "on": on, "base_url": base_url,
                                       "engine": installed()})


def inputs(source: Path, out: Path, theme: Path, options: dict) -> str:
    """A hash of everything a build may read, by file metadata; "" when an input is too new.

    That is the whole source folder (but its output, its cache and hidden folders such as
    .git), the default theme and the engine's code.
    """
    digest = hashlib.sha256(json.dumps(options, sort_keys=True, default=str).encode())
    digest.update(sys.version.encode())
    newest = 0
    skip = {out, source / CACHE_FOLDER}
    roots = [source, ENGINE] + [theme / f for f in ("templates", "static", "i18n")]
    for path in _walk(roots, skip):
        try:
            stat = path.lstat()
        except OSError:
            digest.update(f"{path}\0missing\n".encode())
            continue
        if S_ISDIR(stat.st_mode):
            # Its entries are walked; its times also change when an output is swapped in.
            digest.update(f"{path}\0dir\n".encode())
            continue
        newest = max(newest, stat.st_mtime_ns, stat.st_ctime_ns)
        digest.update(f"{path}\0{stat.st_mode}\0{stat.st_size}\0{stat.st_mtime_ns}\0"
                      f"{stat.st_ctime_ns}\0{stat.st_ino}\n".encode())
    if newest > time.time_ns() - SETTLE_SECONDS * 1e9:
        return ""
    return digest.hexdigest()


def _walk(roots: list[Path], skip: set[Path]) -> Iterable[Path]:
    for root in roots:
        yield root
        if root.is_dir() and not root.is_symlink():
            for folder, dirs, names in os.walk(root):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "__pycache__"
                                 and Path(folder, d) not in skip)
                for name in sorted(dirs + names):
                    yield Path(folder) / name


def save(cache_folder: Path, fingerprint: str, out: Path, problems: list[Problem],
         stories: int, pages: int, made: dict[str, list] | None = None,
         found: dict[str, list[int]] | None = None, spare: str = "") -> None:
    """Remember a successful build; a record that cannot be written only costs speed.

    `fingerprint` may be "" (an input too new to trust): the build is then never taken
    whole, but `made` (output path -> what it was made from) still serves the next one.
    `found`: the listing of `out` as the writer left it (else `out` is walked); `spare`:
    the token of the note the writer left beside its spare (write.py).
    The record is three values in marshal's format (at 10,000 stories it is some 25 MB,
    which JSON took 0.45 s to write and 0.5 s to read; marshal 0.1 and 0.3): the short
    one that `unchanged` reads first, the listing of the output, then `made`."""
    temporary = cache_folder / f".{RECORD}.{os.getpid()}.tmp"
    try:
        # Inside the try: another build may swap the output in while it is walked.
        listed = found if found is not None else outputs(out)
        record = {"inputs": fingerprint, "out": str(out),
                  "problems": [asdict(p) for p in problems], "stories": stories,
                  "pages": pages, "files": sum(not S_ISDIR(e[0]) for e in listed.values()),
                  "spare": spare}
        cache_folder.mkdir(parents=True, exist_ok=True)
        with open(temporary, "wb") as handle, uncollected():
            for value in (record, listed, made or {}):
                marshal.dump(value, handle)
        os.replace(temporary, cache_folder / RECORD)
    except (OSError, ValueError):           # ValueError: a value marshal cannot write
        temporary.unlink(missing_ok=True)


def forget(cache_folder: Path) -> None:
    try:
        (cache_folder / RECORD).unlink()
    except OSError:
        pass


def _record(cache_folder: Path, out: Path, found: dict | None,
            inputs: str | None = None) -> tuple[dict, dict] | None:
    """The record's first line and its `made` line, when it is the record of a build
    into `out` (with these `inputs`, if given) and `out` is exactly as that build left
    it (its listing `found`, else walked)."""
    try:
        with open(cache_folder / RECORD, "rb") as handle, uncollected():
            record = marshal.load(handle)
            if not isinstance(record, dict) or record["out"] != str(out) \
                    or (inputs is not None and record["inputs"] != inputs):
                return None
            if marshal.load(handle) != (found if found is not None else outputs(out)):
                return None
            made = marshal.load(handle) if inputs is None else {}
        return record, made if isinstance(made, dict) else {}
    except (OSError, ValueError, KeyError, TypeError, EOFError):
        return None


def unchanged(cache_folder: Path, fingerprint: str, out: Path) -> dict | None:
    """The record of the last build when nothing has changed since it; else None."""
    if not fingerprint:
        return None
    found = _record(cache_folder, out, None, fingerprint)
    if found is None:
        return None
    record = found[0]
    try:
        record["problems"] = [Problem(**p) for p in record["problems"]]
        return record
    except (KeyError, TypeError):
        return None


def recorded_files(record: dict) -> int:
    """How many files (not folders) the recorded build's output holds."""
    return record["files"]


def last_made(cache_folder: Path, out: Path,
              found: dict[str, list[int]] | None = None) -> tuple[dict[str, list], str]:
    """What each output of the last good build was made from (see `save`), and the token
    of the note it left beside its spare, when `out` (its listing `found`, else walked)
    is still exactly that build's output; else ({}, "") (every output is made and
    compared, the spare walked)."""
    found = _record(cache_folder, out, found)
    if found is None:
        return {}, ""
    record, made = found
    token = record.get("spare")
    return made, token if isinstance(token, str) else ""
