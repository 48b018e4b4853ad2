"""The only stage that touches the output folder: stage, then swap in one step.

The new site is assembled in a staging folder of hard links to the current output, so
unchanged files keep their bytes and mtimes and are not copied; changed files are
written as new files (never through a link). Only when everything is written is the
staged folder exchanged with the live one; a failure (a full disk, a permission) or a
kill before that leaves the previous site exactly as it was, and the next build clears
what was left half-made. One writer at a time works on an output: a second one waits.

With a `spare` folder (the build keeps one in its cache folder), the site swapped out is
not deleted but kept there, and the next build brings it level with the live site by
re-linking only the files whose inode differs (the ones the last build wrote), instead
of linking every file again and deleting the old tree. Beside the spare the writer
leaves a note of the paths that differ, with a token that the build record keeps; a
writer trusted with that token (the output is still exactly as the record left it)
re-links only those paths, so an edit costs what it changed plus one walk of the live
site, which the writer takes once, under its lock, and updates with what it wrote for
the build record. The note is taken away before the spare is touched: whatever state a
kill leaves the spare in, the next writer walks both trees and repairs it.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import fcntl
import functools
import itertools
import json
import os
import secrets
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from stat import S_IFDIR, S_ISDIR
from typing import Callable, Iterable, Iterator, Mapping

from firsthand.output.store import Forked, WorkerFailed

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100
CHUNK = 1 << 20                # bytes read at a time when copying part of a file


@dataclass(frozen=True)
class Copy:
    """A part of a big file (SiteWriter.add) that is `size` bytes of the file at `path`
    from `offset`, as that file is now: a part the last build made the same, which the
    writer copies in the kernel, or finds in place without reading it. Given alone, for
    all of a file (a store's entry kept as a file), the writer links to it."""

    path: Path
    offset: int
    size: int

    def read(self) -> bytes:
        with open(self.path, "rb") as handle:
            handle.seek(self.offset)
            data = handle.read(self.size)
        if len(data) != self.size:
            raise OSError(errno.EIO, "the file changed as it was read", self.path)
        return data


class WriteError(Exception):
    """Writing the site failed; the message is one line, and the previous site is whole."""


@dataclass(frozen=True)
class WriteReport:
    written: int
    unchanged: int
    removed: int


def write_site(files: Mapping[str, bytes], out: Path,
               on_wait: Callable[[Path], None] | None = None,
               spare: Path | None = None) -> WriteReport:
    """Make `out` hold exactly `files`, touching only the files whose bytes changed."""
    writer = SiteWriter(out, on_wait, spare)
    try:
        for relative, data in files.items():
            writer.add(relative, data)
        return writer.commit()
    finally:
        writer.discard()


def listing(out: Path) -> dict[str, list[int]]:
    """Every file and folder in `out` (relative path -> what a rewrite would change): a
    file's [mode, size, mtime, inode], a folder's [S_IFDIR] (its entries are listed; its
    own times change with every swap). By scandir and names joined as strings: at 10,000
    stories this is the one walk of the live site a build takes."""
    found: dict[str, list[int]] = {}

    def walk(folder: str, prefix: str) -> None:
        with os.scandir(folder) as entries:
            for entry in entries:
                stat = os.lstat(entry.path)   # a file gone meanwhile: OSError
                name = prefix + entry.name
                if S_ISDIR(stat.st_mode):
                    found[name] = [S_IFDIR]
                    walk(entry.path, name + "/")
                else:
                    found[name] = _entry(stat)

    if os.path.isdir(out):                # no output yet: nothing in it
        walk(os.fspath(out), "")
    return found


def _entry(stat: os.stat_result) -> list[int]:
    return [stat.st_mode, stat.st_size, stat.st_mtime_ns, stat.st_ino]


class SiteWriter:
    """Takes files one by one; on commit, `out` holds exactly them, swapped in at once.

    A file whose bytes are already in `out` costs a comparison; the staging folder (hard
    links to `out`) is made only when the first file differs, so a build that changes
    nothing writes nothing, not even a folder. The writer holds a lock on `out`'s parent
    folder from its start to commit or discard; `on_wait(out)` is called (default: a
    line on stderr) when another writer holds it and this one has to wait. A file system
    error is raised as WriteError, after the staged folder is thrown away.

    `found` is the listing of `out` as the writer found it (walked in a forked process
    from the start, so that a build goes on meanwhile; asking for it waits); after
    commit, `listing` is the listing of the new `out` (made from `found` and what was
    written, not walked), and `token` the token of the spare's note ("" without one),
    for the build record.
    """

    def __init__(self, out: Path, on_wait: Callable[[Path], None] | None = None,
                 spare: Path | None = None):
        self.out = out.resolve()
        self.spare = spare
        self.staging: Path | None = None
        self.wanted: set[str] = set()
        self.written = self.unchanged = 0
        self._lock: int | None = None
        self._changed: dict[str, list[int]] = {}      # written file -> its listing entry
        self._folders: set[str] = {""}        # folders of the staged one known to be there
        self._trusted = ""
        self.listing: dict[str, list[int]] | None = None
        self.token = ""
        self._found: dict[str, list[int]] | None = None
        self._walk: Forked | None = None
        self._linking: Forked | None = None
        with self._failing_as_write_error(self.out.parent):
            os.makedirs(self.out.parent, exist_ok=True)
            self._lock = _lock(self.out, on_wait)
            _remove_leftovers(self.out)
        # in a forked process: a walk in a thread would hold this one's interpreter lock
        self._walk = Forked(functools.partial(_send_listing, self.out))
        if spare is not None and not _same_device(spare, self.out.parent):
            self.spare = None               # a swap cannot cross file systems
        # No spare (the last build wrote the whole site): it is linked from `out` in a
        # forked process meanwhile, as the first write would (2.2 s at 10,000 stories)
        if self.spare is not None and not os.path.lexists(self.spare) and self.out.is_dir():
            self._linking = Forked(functools.partial(_send_linked, self.out, self.spare))

    def _linked(self) -> bool:
        """Whether the spare was linked from `out` by the process started for it (waits
        for it); False when there was none, or it failed: the spare is then walked."""
        if self._linking is None:
            return False
        try:
            done = next(self._linking)
        except (WorkerFailed, StopIteration):
            done = False
        self._stop_linking()
        return done is True

    def _stop_linking(self) -> None:
        if self._linking is not None:
            self._linking.close()           # a spare half linked is repaired by a walk
            self._linking = None

    @property
    def found(self) -> dict[str, list[int]]:
        if self._found is None:
            with self._failing_as_write_error(self.out):
                try:
                    found = next(self._walk)
                except (WorkerFailed, StopIteration) as exc:
                    raise OSError(errno.EIO, f"the walk of the output stopped: {exc}") from None
                self._walk.close()
                if isinstance(found, tuple):        # an OSError in the walk
                    raise OSError(*found)
                self._found = found
        return self._found

    def trust(self, token: str) -> None:
        """Take the spare's note with this token as true: the caller found `out` exactly
        as the build that left the note (and the token in its record) left it."""
        self._trusted = token

    def add(self, relative: str, data: bytes | Copy | Iterable[bytes | Copy]) -> None:
        """Take one output file, whole or as its parts in order (a big file made a piece
        at a time, never held whole), or as a Copy of a whole file (a store's entry),
        which is linked; it is written only when its bytes differ from `out`'s."""
        self.wanted.add(relative)
        if isinstance(data, Copy):
            self._add_link(relative, data)
            return
        if not isinstance(data, bytes):
            self._add_parts(relative, iter(data))
            return
        if self.staging is None and _same_bytes(self.out / relative, data):
            self.unchanged += 1
            return
        with self._failing_as_write_error(self.out / relative):
            target = self._target(relative)
            if _same_bytes(target, data):
                self.unchanged += 1
                return
            self._write(relative, target, lambda handle: _write_all(handle, data))

    def _add_parts(self, relative: str, parts: Iterator[bytes | Copy]) -> None:
        """Compare the parts with the file as they come; from the first that differs, the
        file is written: what was the same, copied from the old file, then the rest."""
        old = (self.out if self.staging is None else self.staging) / relative
        with self._failing_as_write_error(old):
            same, parts = _same_start(old, parts)
            if parts is None:
                self.unchanged += 1
                return
            target = self._target(relative)

            def write(handle: int) -> None:
                if same:
                    with open(old, "rb") as source:
                        _copy(source.fileno(), handle, 0, same)
                _write_parts(handle, parts)
            self._write(relative, target, write)

    def _add_link(self, relative: str, copy: Copy) -> None:
        """A file that is all of another (copy.offset 0, copy.size its size): a hard link
        to it, unless `out` has that very file there; copied where it cannot be linked
        (another file system, too many links), or when it is not that size (a part)."""
        old = (self.out if self.staging is None else self.staging) / relative
        with self._failing_as_write_error(old):
            try:
                source = os.stat(copy.path)
            except FileNotFoundError:
                source = None
            if source is None or copy.offset or source.st_size != copy.size:
                self._add_parts(relative, iter([copy]))
                return
            if not old.is_symlink() and (_same_file(old, source) or _same_size(old, copy.size)
                                         and _same_bytes(old, copy.read())):
                self.unchanged += 1             # (the bytes: a build with its record lost)
                return
            target = self._target(relative)
            temporary = target.with_name(f".{target.name}.tmp")
            at = target
            try:
                try:
                    os.link(copy.path, target)
                except FileExistsError:         # linked aside, then put in its place
                    at = temporary
                    temporary.unlink(missing_ok=True)
                    os.link(copy.path, temporary)
                linked = os.lstat(at)
            except OSError as exc:
                if exc.errno not in (errno.EXDEV, errno.EMLINK, errno.EPERM,
                                     errno.EOPNOTSUPP):
                    raise
                linked = None
            if linked is None or (linked.st_dev, linked.st_ino) != \
                    (source.st_dev, source.st_ino):     # not linked, or replaced meanwhile
                if linked is not None:
                    os.unlink(at)
                self._write(relative, target, lambda handle: _write_parts(handle, [copy]))
                return
            if at is temporary:
                os.replace(temporary, target)
            self._changed[relative] = _entry(linked)
            self.written += 1

    def _target(self, relative: str) -> Path:
        """Where a file that changed goes: in the staged folder, cleared of what is in its
        way, its folder made. The folders made or found so are remembered: a site's
        66,000 files are in some 30,000 folders, each looked at once, not once a file."""
        staging = self._staging()
        target = staging / relative
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
            self._folders = {f for f in self._folders
                             if f != relative and not f.startswith(relative + "/")}
        folder = relative.rpartition("/")[0]
        if folder not in self._folders:
            _clear_way(staging, relative)
            os.makedirs(target.parent, exist_ok=True)
            self._folders.update(_folders(relative))
        return target

    def _write(self, relative: str, target: Path, write: Callable[[int], None]) -> None:
        try:            # a new file of a new folder: written in place (never through a link)
            _write_file(target, write, exclusive=True)
        except FileExistsError:
            temporary = target.with_name(f".{target.name}.tmp")
            _write_file(temporary, write)
            os.replace(temporary, target)
        self._changed[relative] = _entry(os.lstat(target))
        self.written += 1

    def keep(self, relative: str) -> None:
        """Take one output file as `out` already holds it, unread: the caller knows its
        bytes are the same (the last build made it from the same key, and `out` is that
        build's output). It counts as unchanged; a staged folder has it as a link to it."""
        self.wanted.add(relative)
        self.unchanged += 1

    def commit(self) -> WriteReport:
        """Remove what is no longer wanted and swap the new site in."""
        with self._failing_as_write_error(self.out):
            extra = _unwanted(self.found, self.wanted)
            if self.staging is None and not extra and self.out.is_dir():
                self.listing = self.found
                self._stop_linking()
                self._unlock()
                return WriteReport(0, self.unchanged, 0)
            staging = self._staging()
            removed = 0
            for relative in sorted(extra, reverse=True):       # a folder after its files
                path = staging / relative
                if path.is_dir() and not path.is_symlink():
                    if not any(path.iterdir()):
                        os.rmdir(path)
                elif path.exists() or path.is_symlink():
                    os.unlink(path)
                    removed += 1
            after = _listing_after(self.found, staging, extra, self._changed)
            _swap_in(staging, self.out, keep=self.spare is not None)
        self.staging = None
        self._folders = {""}
        self.listing = after
        if self.spare is not None and self.spare.is_dir():
            self.token = _leave_note(self.spare, (
                path for path in self.found.keys() | after.keys()
                if self.found.get(path) != after.get(path)))
        self._unlock()
        return WriteReport(self.written, self.unchanged, removed)

    def discard(self) -> None:
        """Throw the staged folder away (after a failure; a no-op after commit); a spare
        is kept, as the next build repairs it."""
        if self._walk is not None:
            self._walk.close()              # not walking `out` once it is unlocked
        self._stop_linking()
        if self.staging is not None and self.staging != self.spare:
            shutil.rmtree(self.staging, ignore_errors=True)
        self.staging = None
        self._folders = {""}
        self._unlock()

    def _staging(self) -> Path:
        if self.staging is None:
            if self.spare is not None:
                self.staging = self.spare
                os.makedirs(self.spare.parent, exist_ok=True)
                # the link started for a missing spare is waited for before the spare,
                # or a note beside it (stale, then), is looked at
                linked = self._linked()
                paths = _take_note(self.spare, self._trusted)
                if not linked and paths is None:
                    _sync_links(self.out, self.spare)
                elif not linked:
                    _sync_paths(self.out, self.spare, paths)
                return self.staging
            staging = self.out.parent / f".{self.out.name}.staging-{os.getpid()}"
            self.staging = staging          # set first: a half-made folder is discarded too
            if self.out.is_dir():
                _link_tree(self.out, staging)
            else:
                os.mkdir(staging)
        return self.staging

    def _unlock(self) -> None:
        if self._lock is not None:
            os.close(self._lock)            # closing the descriptor releases the lock
            self._lock = None

    def _failing_as_write_error(self, where: Path) -> "_AsWriteError":
        return _AsWriteError(self, where)


class _AsWriteError:
    """Turns an OSError inside a writer step into one plain line, and cleans up after it."""

    def __init__(self, writer: SiteWriter, where: Path):
        self.writer, self.where = writer, where

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind, error, traceback) -> bool:
        if not isinstance(error, OSError):
            return False
        self.writer.discard()
        out = self.writer.out
        shown = _shown(Path(error.filename) if error.filename else self.where, out)
        reason = error.strerror or str(error)
        if error.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
            reason += " (check who owns that folder, or build with --out to another)"
        elif error.errno in (errno.ENOSPC, errno.EDQUOT):
            reason += " (free some space, then build again)"
        raise WriteError(f"cannot write {shown}: {reason}; {out.name}/ was left as it "
                         "was") from error


def _shown(path: Path, out: Path) -> str:
    """A path under the output as the user knows it: site/stories/..., not the staging copy."""
    parent = out.parent
    try:
        relative = Path(os.path.abspath(path)).relative_to(parent)
    except ValueError:
        return str(path)
    parts = relative.parts
    if not parts:
        return str(path)
    if parts[0].startswith(f".{out.name}.staging-"):
        relative = Path(out.name, *parts[1:])
    return relative.as_posix()


def say_waiting(out: Path) -> None:
    """What a build says while another one writes the same output."""
    print(f"Another build is writing {out.name}/; waiting for it to finish…", file=sys.stderr,
          flush=True)


def _lock(out: Path, on_wait: Callable[[Path], None] | None) -> int:
    """Hold an exclusive lock on the output's parent folder; wait while another holds it.

    The folder itself is locked (flock), so no lock file is left beside the site.
    """
    descriptor = os.open(out.parent, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        (on_wait or say_waiting)(out)
        fcntl.flock(descriptor, fcntl.LOCK_EX)
    except OSError:
        os.close(descriptor)
        raise
    return descriptor


def _send_listing(out: Path, send: Callable[[object], None]) -> None:
    """The listing of `out` (SiteWriter.found), or the OSError its walk met, as a tuple."""
    try:
        send(listing(out))
    except OSError as exc:
        send((exc.errno, exc.strerror, exc.filename))


def _send_linked(out: Path, spare: Path, send: Callable[[object], None]) -> None:
    """Link the spare from `out` (SiteWriter._linked); whether it was done."""
    try:
        _sync_links(out, spare)
        send(True)
    except OSError:
        send(False)


def _write_file(path: Path, write: Callable[[int], None], exclusive: bool = False) -> None:
    """Write a new file (never through a link) by write(descriptor): all of it or an
    OSError. `exclusive`: FileExistsError where there is a file (or a link) already;
    else a temporary name's leftover is written over."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | (os.O_EXCL if exclusive else os.O_TRUNC)
    descriptor = os.open(path, flags, 0o644)
    try:
        write(descriptor)
    finally:
        os.close(descriptor)


def _write_all(descriptor: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(descriptor, view):]


def _same_start(path: Path, parts: Iterator[bytes | Copy]
                ) -> tuple[int, Iterator[bytes | Copy] | None]:
    """How many bytes the parts and the file at `path` have the same before the first part
    that differs, and the parts from that one on; (its size, None) when they are the same
    file (nothing to write). A Copy of that very file (its inode: the staged file is a
    link to the live one) at the place it would be written to is the same unread."""
    if path.is_symlink():
        return 0, parts
    try:
        handle = open(path, "rb")
    except OSError:                             # no such file (or a folder): write it all
        return 0, parts
    offset = 0
    with handle:
        itself = os.fstat(handle.fileno())
        same_file = functools.lru_cache(maxsize=None)(       # a stat per file, not per part
            lambda copied: _same_file(copied, itself))
        for part in parts:
            if isinstance(part, Copy):
                if part.offset != offset or not same_file(part.path):
                    return offset, itertools.chain([part], parts)
                offset += part.size
                handle.seek(offset)
            elif handle.read(len(part)) != part:
                return offset, itertools.chain([part], parts)
            else:
                offset += len(part)
        if offset != itself.st_size:
            return offset, iter(())             # the file goes on: cut it there
        return offset, None


def _same_file(path: Path, stat: os.stat_result) -> bool:
    try:
        found = os.stat(path)
    except OSError:
        return False
    return (found.st_dev, found.st_ino) == (stat.st_dev, stat.st_ino)


def _write_parts(handle: int, parts: Iterable[bytes | Copy]) -> None:
    """Write bytes as they are and copy each run of Copy parts that follow on in one
    file in one go."""
    run: list[Copy] = []

    def flush() -> None:
        if run:
            with open(run[0].path, "rb") as source:
                _copy(source.fileno(), handle, run[0].offset, sum(p.size for p in run))
            run.clear()
    for part in parts:
        if isinstance(part, Copy):
            if run and (part.path != run[0].path or
                        part.offset != run[-1].offset + run[-1].size):
                flush()
            run.append(part)
        else:
            flush()
            _write_all(handle, part)
    flush()


def _copy(source: int, handle: int, offset: int, size: int) -> None:
    """`size` bytes of `source` from `offset` onto the end of `handle`: in the kernel
    (copy_file_range), else read and written a CHUNK at a time."""
    left = size
    try:
        while left:
            done = os.copy_file_range(source, handle, left, offset)
            if not done:
                raise OSError(errno.EIO, "the file changed as it was read")
            offset, left = offset + done, left - done
        return
    except OSError as exc:
        if exc.errno not in (errno.EXDEV, errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP,
                             errno.EBADF, errno.ETXTBSY) or not hasattr(os, "pread"):
            raise
    while left:
        chunk = os.pread(source, min(CHUNK, left), offset)
        if not chunk:
            raise OSError(errno.EIO, "the file changed as it was read")
        _write_all(handle, chunk)
        offset, left = offset + len(chunk), left - len(chunk)


def _unwanted(found: Mapping[str, list[int]], wanted: set[str]) -> list[str]:
    """Files (and links) of a listing that are not wanted, and its folders that will hold
    no wanted file."""
    wanted_dirs = {folder for relative in wanted for folder in _folders(relative)}
    return [relative for relative, entry in found.items() if relative not in wanted
            and (not S_ISDIR(entry[0]) or relative not in wanted_dirs)]


def _listing_after(found: Mapping[str, list[int]], staging: Path, extra: list[str],
                   changed: Mapping[str, list[int]]) -> dict[str, list[int]]:
    """The listing of `staging` when it was `found`, then got the `changed` files and
    lost what of `extra` is no longer there (a rename keeps what a listing holds)."""
    after = dict(found)
    for relative in extra:
        if not os.path.lexists(os.path.join(staging, relative)):
            del after[relative]
    for relative, entry in changed.items():
        after[relative] = entry
        after.update((folder, [S_IFDIR]) for folder in _folders(relative))
    return after


def _folders(relative: str) -> list[str]:
    """The folders a relative path is in, outermost first: "a/b/c.html" -> a, a/b."""
    parts = relative.split("/")
    return ["/".join(parts[:depth]) for depth in range(1, len(parts))]


def _note(spare: Path) -> Path:
    return spare.with_name(spare.name + ".note")


def _leave_note(spare: Path, paths: Iterable[str]) -> str:
    """Leave beside the spare the paths where it differs from the live site; its token,
    or "" when the note could not be written (the next writer walks both trees)."""
    token = secrets.token_hex(16)
    note = _note(spare)
    temporary = note.with_name(f"{note.name}.{os.getpid()}.tmp")
    try:
        with open(temporary, "w", encoding="utf-8") as handle:
            json.dump({"token": token, "paths": sorted(paths)}, handle)
        os.replace(temporary, note)
    except OSError:
        temporary.unlink(missing_ok=True)
        return ""
    return token


def _take_note(spare: Path, trusted: str) -> list[str] | None:
    """The paths of the spare's note, taken away before the spare is touched, when its
    token is the trusted one; else None."""
    note = _note(spare)
    try:
        with open(note, encoding="utf-8") as handle:
            found = json.load(handle)
        os.unlink(note)
    except (OSError, ValueError):
        return None
    if not trusted or not isinstance(found, dict) or found.get("token") != trusted \
            or not isinstance(found.get("paths"), list) or not spare.is_dir():
        return None
    return [path for path in found["paths"] if isinstance(path, str)]


def _sync_paths(source: Path, target: Path, paths: list[str]) -> None:
    """Bring these paths of `target` level with `source` (as _sync_links would), a folder
    before what it holds."""
    for relative in sorted(paths):
        path, copy = os.path.join(source, relative), os.path.join(target, relative)
        if os.path.islink(path):
            if not os.path.islink(copy) or os.readlink(copy) != os.readlink(path):
                _remove(copy)
                os.symlink(os.readlink(path), copy)
        elif os.path.isdir(path):
            if os.path.islink(copy) or (os.path.lexists(copy) and not os.path.isdir(copy)):
                _remove(copy)
            if not os.path.lexists(copy):
                _link_tree(Path(path), Path(copy))
        elif os.path.lexists(path):
            if os.path.islink(copy) or not os.path.isfile(copy) \
                    or os.stat(copy).st_ino != os.stat(path).st_ino:
                _remove(copy)
                _link_or_copy(path, copy)
        else:
            _remove(copy)


def _same_size(path: Path, size: int) -> bool:
    try:
        return path.stat().st_size == size
    except OSError:
        return False


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        if path.is_symlink() or path.stat().st_size != len(data):
            return False
        return path.read_bytes() == data
    except OSError:
        return False


def _link_tree(source: Path, target: Path) -> None:
    """Recreate a tree of hard links (shutil.copytree's per-folder copystat costs twice this)."""
    os.mkdir(target)
    for folder, dirs, names in os.walk(source):
        relative = os.path.relpath(folder, source)
        base = target if relative == "." else target / relative
        for name in dirs:
            path = os.path.join(folder, name)
            if os.path.islink(path):
                os.symlink(os.readlink(path), base / name)
            else:
                os.mkdir(base / name)
        for name in names:
            _link_or_copy(os.path.join(folder, name), str(base / name))


def _sync_links(source: Path, target: Path) -> None:
    """Make `target` a tree of hard links to `source`'s files (as _link_tree does), changing
    only the entries whose inode, kind or presence differs."""
    if not source.is_dir():
        _remove_later(str(target))
        os.mkdir(target)
        return
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        _remove(str(target))
    if not target.exists():
        _link_tree(source, target)
        return
    _sync_folder(str(source), str(target))


def _sync_folder(source: str, target: str) -> None:
    with os.scandir(target) as found:
        existing = {entry.name: entry for entry in found}
    with os.scandir(source) as found:
        for entry in found:
            there = existing.pop(entry.name, None)
            path, copy = entry.path, os.path.join(target, entry.name)
            if entry.is_symlink():
                if there is None or not there.is_symlink() \
                        or os.readlink(copy) != os.readlink(path):
                    if there is not None:
                        _remove(copy)
                    os.symlink(os.readlink(path), copy)
            elif entry.is_dir(follow_symlinks=False):
                if there is not None and (there.is_symlink()
                                          or not there.is_dir(follow_symlinks=False)):
                    _remove(copy)
                    there = None
                if there is None:
                    _link_tree(Path(path), Path(copy))
                else:
                    _sync_folder(path, copy)
            elif there is None or there.is_symlink() or there.inode() != entry.inode() \
                    or not there.is_file(follow_symlinks=False):
                if there is not None:
                    _remove(copy)
                _link_or_copy(path, copy)
    for name in existing:                   # in the spare only: gone from the site
        _remove(os.path.join(target, name))


def _clear_way(root: Path, relative: str) -> None:
    """Remove a file (or link) that stands where a folder of `relative` must be."""
    folder = root
    for part in relative.split("/")[:-1]:
        folder = folder / part
        if folder.is_symlink() or (folder.exists() and not folder.is_dir()):
            os.unlink(folder)
            return


def _remove(path: str) -> None:
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path)
    elif os.path.lexists(path):
        os.unlink(path)


def _remove_later(path: str) -> None:
    """Take a folder out of the way at once and remove it in a process of its own that
    outlives the build: a spare whose site was deleted (66,000 files, 30 s of a build
    with the cache kept at ten thousand stories, on a slow disk). What such a process
    left, killed, goes with the next one."""
    if not os.path.isdir(path) or os.path.islink(path):
        _remove(path)
        return
    parent, name = os.path.split(path)
    gone = os.path.join(parent, f".{name}.gone-{secrets.token_hex(4)}")
    try:
        os.rename(path, gone)
    except OSError:
        _remove(path)
        return
    left = [os.path.join(parent, other) for other in os.listdir(parent)
            if other.startswith(f".{name}.gone-")]
    try:            # sh returns at once, leaving rm to run on its own
        subprocess.run(["sh", "-c", 'rm -rf -- "$@" </dev/null >/dev/null 2>&1 &', "sh",
                        *left], check=True, timeout=30, stdin=subprocess.DEVNULL)
    except (OSError, subprocess.SubprocessError):
        for folder in left:
            _remove(folder)


def _same_device(spare: Path, folder: Path) -> bool:
    try:
        os.makedirs(spare.parent, exist_ok=True)
        return os.stat(spare.parent).st_dev == os.stat(folder).st_dev
    except OSError:
        return False


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target, follow_symlinks=False)
    except OSError:
        shutil.copy2(source, target)


def _swap_in(staging: Path, out: Path, keep: bool = False) -> None:
    """Put staging where out is; the old out is deleted afterwards (a failure to delete it
    only leaves a folder that the next build clears), or, to `keep` it, left where
    staging was."""
    if not out.exists():
        os.rename(staging, out)
        return
    if _exchange(staging, out):
        if not keep:
            shutil.rmtree(staging, ignore_errors=True)
        return
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    os.rename(out, old)
    try:
        os.rename(staging, out)
    except OSError:
        os.rename(old, out)
        raise
    if keep:
        try:
            os.rename(old, staging)
            return
        except OSError:
            pass
    shutil.rmtree(old, ignore_errors=True)


@functools.lru_cache(maxsize=1)
def _renameat2():
    """libc's renameat2, or None; looked up once (find_library runs ldconfig, ~0.1 s)."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return None
    return getattr(ctypes.CDLL(libc_name, use_errno=True), "renameat2", None)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths (Linux renameat2); False where the system cannot."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0


def _remove_leftovers(out: Path) -> None:
    """Clear what killed builds left; a site caught between two renames is put back."""
    olds = sorted(out.parent.glob(f".{out.name}.old-*"))
    if olds and not out.exists():
        os.rename(olds[-1], out)
    for pattern in (f".{out.name}.staging-*", f".{out.name}.old-*"):
        for leftover in out.parent.glob(pattern):
            if leftover.is_dir() and not leftover.is_symlink():
                shutil.rmtree(leftover, ignore_errors=True)
