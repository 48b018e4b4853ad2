"""Stories as the last build loaded them, so that an unchanged story is not read again.

Loading a story reads its file, parses its YAML, checks every field and looks at the
files it names (its picture, its bundle's files and their sizes). What it looked at is
noted as it loads (`Seen`), and the story is kept with the state of each of those files
and of its own (kind, size, times, inode). The next load takes the kept story, without
reading its file, only when every one of those files is in the same state, its author
is still a person of the site and the loader's code and settings are the same.

Only a story that loaded without any problem is kept: a problem's message may name
other files or people, and a story with problems is rare and cheap to read again. A story
that looked at a file changed in the last few seconds is not kept (a timestamp cannot
tell two close edits apart).

The kept stories are SHARDS files in the cache folder (a story's file by its path), all
read at the start of a load; after it, a file is written again only when one of its
stories was read anew or is gone: an edit rewrites one of them, not 67 MB at ten
thousand stories, and a few files are cheaper than one store entry per story.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import pathlib
import pickle
import time
import zlib
from pathlib import Path

from firsthand.content import model
from firsthand.output import fingerprint
from firsthand.output.digest import Digests
from firsthand.output.store import uncollected

FOLDER = "stories"             # in the cache folder: SHARDS files of kept stories
SHARDS = 64
# What a kept story may hold; anything else makes the file unusable, not a risk.
_ALLOWED = {("firsthand.content.model", "Story"), ("firsthand.content.model", "frozen_map"),
            ("datetime", "date"), ("pathlib", "PosixPath")}


class Seen(list):
    """The files and folders a story's load looked at, in order."""

    def saw(self, path: Path) -> Path:
        self.append(path)
        return path


def state(path: Path | str) -> tuple | None:
    """What a change to a file or folder changes: kind, size, times and inode; None when
    it is missing."""
    try:
        found = os.lstat(path)
    except OSError:
        return None
    return (found.st_mode, found.st_size, found.st_mtime_ns, found.st_ctime_ns, found.st_ino)


class StoryMemo:
    """The stories the last load kept (in `folder`, the cache folder), for a load with the
    same loader (`engine`: engines.LOAD_ENGINE) and `settings`; `keep_file`: False for a
    load that must not write (check)."""

    def __init__(self, folder: Path, engine: str, keep_file: bool = True):
        self.folder, self.engine, self.keep_file = Path(folder) / FOLDER, engine, keep_file
        self.settings: object = None
        self.last: dict[str, tuple] = {}
        self.kept: dict[str, tuple] = {}
        self.fresh: set[str] = set()           # the paths of stories kept anew

    def open(self, settings: object) -> None:
        """Read the last load's stories, of each file made with the same engine and
        settings."""
        self.settings = repr(settings)
        for number in range(SHARDS):
            try:
                with open(self._file(number), "rb") as handle, uncollected():
                    engine, settings_were, stories = _Unpickler(handle).load()
            except Exception:    # noqa: BLE001 - missing, damaged or foreign: nothing kept
                continue
            if engine == self.engine and settings_were == self.settings \
                    and isinstance(stories, dict):
                self.last.update(stories)

    def _file(self, number: int) -> Path:
        return self.folder / f"{number:02d}.pickle"

    def find(self, path: str, people) -> model.Story | None:
        """The kept story of the file at `path` (relative), when nothing it read changed."""
        found = self.last.get(path)
        if found is None:
            return None
        story, states, _ = found
        if not isinstance(story, model.Story) or story.author not in people or any(
                state(seen) != was for seen, was in states):
            return None
        self.kept[path] = found
        return story

    def keep(self, path: str, story: model.Story, seen: Seen) -> None:
        states = tuple((str(p), state(p)) for p in dict.fromkeys(seen))
        recent = time.time_ns() - fingerprint.SETTLE_SECONDS * 1e9
        if any(was is not None and max(was[2], was[3]) > recent for _, was in states):
            return
        self.kept[path] = (story, states, Digests().of(story))
        self.fresh.add(path)

    def digests(self):
        """(story, its Digests digest) of every story this load kept: a build takes them
        instead of digesting each story again (kept with the story, made by digest.py,
        whose code is part of the loader's engine)."""
        for story, _, digest in self.kept.values():
            yield story, digest

    def save(self) -> None:
        """Write each file whose stories differ from the last load's (one was kept anew,
        or is gone); a file that cannot be written only costs speed."""
        if not self.keep_file:
            return
        kept: list[dict[str, tuple]] = [{} for _ in range(SHARDS)]
        for path, found in self.kept.items():
            kept[_shard(path)][path] = found
        were: list[set[str]] = [set() for _ in range(SHARDS)]
        for path in self.last:
            were[_shard(path)].add(path)
        for number, stories in enumerate(kept):
            if stories.keys() == were[number] and self.fresh.isdisjoint(stories):
                continue
            path = self._file(number)
            temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            try:
                out = io.BytesIO()
                with uncollected():
                    _Pickler(out, protocol=pickle.HIGHEST_PROTOCOL).dump(
                        (self.engine, self.settings, stories))
                self.folder.mkdir(parents=True, exist_ok=True)
                temporary.write_bytes(out.getvalue())
                os.replace(temporary, path)
            except OSError:
                temporary.unlink(missing_ok=True)


def _shard(path: str) -> int:
    return zlib.crc32(path.encode("utf-8", "surrogatepass")) % SHARDS


class _Pickler(pickle.Pickler):
    def reducer_override(self, value):
        if type(value) is type(model.frozen_map()):
            return model.frozen_map, (dict(value),)
        return NotImplemented


class _Unpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str):
        if (module, name) not in _ALLOWED:
            raise pickle.UnpicklingError(f"{module}.{name} is not part of a story")
        return {"Story": model.Story, "frozen_map": model.frozen_map, "date": dt.date,
                "PosixPath": pathlib.PosixPath}[name]


class FileStates:
    """What a build made of each of some files (a small JSON value), kept with the file's
    state (see `state`) in `path`: taken while the file is in the same state, so that an
    unchanged picture is neither read nor hashed again. `engine` names what made the
    values; another engine's file is ignored."""

    def __init__(self, path: Path, engine: str, keep_file: bool = True):
        self.path, self.engine, self.keep_file = path, engine, keep_file
        self.last: dict[str, list] = {}
        self.kept: dict[str, list] = {}
        try:
            found = json.loads(path.read_text(encoding="utf-8"))
            if found.get("engine") == engine and isinstance(found.get("files"), dict):
                self.last = found["files"]
        except (OSError, ValueError, AttributeError):
            pass

    def find(self, file: Path, name: str):
        """The value kept for `name` (the file and how it was used) while `file` is as it was."""
        found = self.last.get(name)
        if not isinstance(found, list) or len(found) != 2:
            return None
        was, value = found
        if was is None or list(state(file) or ()) != was:
            return None
        self.kept[name] = found
        return value

    def keep(self, name: str, was: tuple | None, value) -> None:
        """Keep `value` for `name`, made from the file while it was in state `was` (taken
        before it was read: a change meanwhile makes the next build read it again)."""
        recent = time.time_ns() - fingerprint.SETTLE_SECONDS * 1e9
        if was is not None and max(was[2], was[3]) <= recent:
            self.kept[name] = [list(was), value]

    def save(self) -> None:
        if not self.keep_file or self.kept == self.last:
            return
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}.tmp")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_text(json.dumps({"engine": self.engine, "files": self.kept},
                                            separators=(",", ":")), encoding="utf-8")
            os.replace(temporary, self.path)
        except OSError:
            temporary.unlink(missing_ok=True)
