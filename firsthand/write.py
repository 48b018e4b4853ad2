"""The only stage that touches the output folder: stage, then swap in one step.

The new site is assembled in a sibling folder that starts as hard links to the current
output, so unchanged files keep their bytes and mtimes and are not copied; changed files
are written as new files (never through a link). Only when everything is written is the
staged folder exchanged with the live one; a crash or a kill before that leaves the
previous site exactly as it was.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


@dataclass(frozen=True)
class WriteReport:
    written: int
    unchanged: int
    removed: int


def write_site(files: Mapping[str, bytes], out: Path) -> WriteReport:
    """Make `out` hold exactly `files`, touching only the files whose bytes changed."""
    writer = SiteWriter(out)
    try:
        for relative, data in files.items():
            writer.add(relative, data)
        return writer.commit()
    finally:
        writer.discard()


class SiteWriter:
    """Takes files one by one; on commit, `out` holds exactly them, swapped in at once.

    A file whose bytes are already in `out` costs a comparison; the staging folder (hard
    links to `out`) is made only when the first file differs, so a build that changes
    nothing writes nothing, not even a folder.
    """

    def __init__(self, out: Path):
        self.out = out.resolve()
        self.out.parent.mkdir(parents=True, exist_ok=True)
        _remove_leftovers(self.out)
        self.staging: Path | None = None
        self.wanted: set[str] = set()
        self.written = self.unchanged = 0

    def add(self, relative: str, data: bytes) -> None:
        """Take one output file; it is written only when its bytes differ from `out`'s."""
        self.wanted.add(relative)
        if self.staging is None and _same_bytes(self.out / relative, data):
            self.unchanged += 1
            return
        staging = self._staging()
        target = staging / relative
        if _same_bytes(target, data):
            self.unchanged += 1
            return
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.tmp")
        temporary.write_bytes(data)
        os.replace(temporary, target)
        self.written += 1

    def commit(self) -> WriteReport:
        """Remove what is no longer wanted and swap the new site in."""
        extra = _extra_paths(self.staging or self.out, self.wanted)
        if self.staging is None and not extra and self.out.is_dir():
            return WriteReport(0, self.unchanged, 0)
        staging = self._staging()
        removed = 0
        for relative in sorted(extra, reverse=True):       # a folder after its files
            path = staging / relative
            if path.is_dir() and not path.is_symlink():
                if not any(path.iterdir()):
                    path.rmdir()
            elif path.exists() or path.is_symlink():
                path.unlink()
                removed += 1
        _swap_in(staging, self.out)
        self.staging = None
        return WriteReport(self.written, self.unchanged, removed)

    def discard(self) -> None:
        """Throw the staged folder away (after a failure; a no-op after commit)."""
        if self.staging is not None:
            shutil.rmtree(self.staging, ignore_errors=True)
            self.staging = None

    def _staging(self) -> Path:
        if self.staging is None:
            staging = self.out.parent / f".{self.out.name}.staging-{os.getpid()}"
            if self.out.is_dir():
                _link_tree(self.out, staging)
            else:
                staging.mkdir()
            self.staging = staging
        return self.staging


def _extra_paths(out: Path, files: set[str] | Mapping[str, bytes]) -> list[str]:
    """Files in `out` that are not wanted, and folders that will hold no wanted file."""
    wanted_dirs = {""}
    for relative in files:
        parts = relative.split("/")
        for depth in range(1, len(parts)):
            wanted_dirs.add("/".join(parts[:depth]))
    extra = []
    for folder, dirs, names in os.walk(out):
        base = Path(folder).relative_to(out).as_posix()
        base = "" if base == "." else base + "/"
        extra += [base + name for name in names if base + name not in files]
        for name in dirs:
            relative = base + name
            if os.path.islink(os.path.join(folder, name)):
                if relative not in files:
                    extra.append(relative)
            elif relative not in wanted_dirs:
                extra.append(relative)
    return extra


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


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target, follow_symlinks=False)
    except OSError:
        shutil.copy2(source, target)


def _swap_in(staging: Path, out: Path) -> None:
    """Put staging where out is; the old out is deleted afterwards."""
    if not out.exists():
        os.rename(staging, out)
        return
    if _exchange(staging, out):
        shutil.rmtree(staging)
        return
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    os.rename(out, old)
    os.rename(staging, out)
    shutil.rmtree(old)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths (Linux renameat2); False where the system cannot."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
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
