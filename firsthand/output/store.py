"""A content-addressed store: `kind, key -> bytes`, kept on disk between builds.

It knows nothing of stories or pictures. A caller names a kind ("markdown", "cards"...),
derives a key from everything that decides the bytes (see `key`), and hands the store a
plain function to make what is missing (`memoize`), which a batch runs in a pool of
forked processes when it is large.

On disk an entry is SOURCE/.firsthand-cache/vN/KIND/ab/cdef...: a sha256 of its bytes,
then the bytes. It is written to a temporary file of its own (process and thread in the
name) and renamed into place, so two processes writing the same entry at once both
leave a whole one, and an entry cut short by a crash, or edited by hand, fails its
checksum and is made again. Deleting the folder is always safe: the next build is cold.

An entry kept as a file (`put_file`: a big one that a build hands on whole, a share
card) is its bytes alone in `cdef....file`, beside `cdef....ref`, an entry as above of
their sha256 and the file's state (size, mtime, inode) when it was written. `file` gives
such a file unread while it is in that state, so that the writer can link the site's
file to it instead of reading and writing its bytes; `get` reads it and checks its
sha256. A file changed or replaced since (a link edited in place) is a miss.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import multiprocessing as mp
import os
import queue
import threading
import traceback
from multiprocessing.connection import wait
from pathlib import Path
from typing import Callable, Iterable, Iterator, NamedTuple, Sequence

FOLDER = ".firsthand-cache"
VERSION = 1                   # the layout of entries; a new layout starts a new folder
CHUNK = 16                    # items per message between a worker and the parent
AHEAD = 64                    # messages a helper (Forked) may be ahead of its reader


@contextlib.contextmanager
def uncollected() -> Iterator[None]:
    """No garbage collection meanwhile: for reading or writing a large JSON or pickle
    file, which makes no reference cycles, while a build holds millions of objects that
    each collection would walk again."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class StoredFile(NamedTuple):
    """A file that holds exactly an entry's bytes (Store.put_file), and its size."""

    path: Path
    size: int


def _state(stat: os.stat_result) -> bytes:
    return b"".join(value.to_bytes(8, "big") for value in
                    (stat.st_size, stat.st_mtime_ns, stat.st_ino, stat.st_dev))


def key(*parts: bytes | str) -> str:
    """A hash of the parts, each length-prefixed, so that ("ab", "c") != ("a", "bc")."""
    digest = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


class Store:
    """Entries on disk below `folder`; Store(None) keeps nothing (every get misses)."""

    # whether a forked process writes its entries where this process finds them
    shared_with_forks = True

    def __init__(self, folder: Path | None, read_only: bool = False):
        self.folder = Path(folder) / f"v{VERSION}" if folder is not None else None
        self.read_only = read_only

    @classmethod
    def for_site(cls, source: Path, enabled: bool = True, read_only: bool = False) -> "Store":
        return cls(Path(source) / FOLDER if enabled else None, read_only)

    def _path(self, kind: str, name: str) -> Path:
        return Path(self._base(kind, name))

    def _base(self, kind: str, name: str) -> str:
        # a string path: a Path per read costs more than the read at 10,000
        return f"{self.folder}/{kind}/{name[:2]}/{name[2:]}"

    def get(self, kind: str, name: str) -> bytes | None:
        """The entry's bytes, or None when missing or damaged."""
        if self.folder is None:
            return None
        base = self._base(kind, name)
        data = _checked(base)
        if data is None:            # or kept as a file
            ref = _checked(base + ".ref")
            if ref is None:
                return None
            try:
                with open(base + ".file", "rb") as handle:
                    data = handle.read()
            except OSError:
                return None
            if hashlib.sha256(data).digest() != ref[:32]:
                return None
        return data

    def has(self, kind: str, name: str) -> bool:
        """Whether an entry is there, unread (get may still find it damaged)."""
        if self.folder is None:
            return False
        base = self._base(kind, name)
        return os.path.exists(base) or os.path.exists(base + ".ref")

    def file(self, kind: str, name: str) -> StoredFile | None:
        """The file of an entry kept as one (put_file), unread, while it is as it was
        written; None otherwise (get may still find the entry)."""
        if self.folder is None:
            return None
        base = self._base(kind, name)
        ref = _checked(base + ".ref")
        try:
            found = os.stat(base + ".file")
        except OSError:
            return None
        if ref is None or ref[32:] != _state(found):
            return None
        return StoredFile(Path(base + ".file"), found.st_size)

    def put_file(self, kind: str, name: str, data: bytes) -> StoredFile | None:
        """Store an entry as a file of its bytes alone (see the module's note); the file,
        or None when the store keeps nothing or cannot be written."""
        if self.folder is None or self.read_only:
            return None
        path = self._path(kind, name)
        target = path.with_name(path.name + ".file")
        written = _write_atomically(target, data)
        if written is None:
            return None
        _write_atomically(path.with_name(path.name + ".ref"),
                          *_checksummed(hashlib.sha256(data).digest() + _state(written)))
        with contextlib.suppress(OSError):
            os.unlink(path)             # the same entry kept whole (by put) is not needed
        return StoredFile(target, written.st_size)

    def put(self, kind: str, name: str, data: bytes) -> None:
        """Store an entry atomically; a store that cannot be written is only slower."""
        if self.folder is None or self.read_only:
            return
        _write_atomically(self._path(kind, name), *_checksummed(data))

    def memoize(self, kind: str, names: Sequence[str], make: Callable[[object], bytes],
                items: Sequence, jobs: int = 1, threshold: int = 0,
                keep: Callable[[bytes], bool] = bool, as_files: bool = False
                ) -> Iterator[tuple[int, bytes | StoredFile]]:
        """(index, bytes) of every item: first those found under their names, then those
        made by make(item), in `jobs` forked processes when more than `threshold` are
        missing. Made bytes are stored when keep(bytes) says so. Each result is handed
        over as it comes, so nobody need hold them all. `as_files`: entries are kept as
        files (put_file), and an entry's file, where there is one, is given unread
        instead of its bytes."""
        missing = []
        for index, name in enumerate(names):
            found = self.file(kind, name) if as_files else None
            if found is None:
                found = self.get(kind, name)
                if found is not None and as_files:      # kept as a file from now on
                    found = self.put_file(kind, name, found) or found
            if found is None:
                missing.append(index)
            else:
                yield index, found
        todo = [items[i] for i in missing]
        made = run_batch(make, todo, jobs) if jobs > 1 and len(todo) > threshold \
            else enumerate(map(make, todo))
        for position, data in made:
            index = missing[position]
            if not keep(data):
                yield index, data
            elif as_files:
                yield index, self.put_file(kind, names[index], data) or data
            else:
                self.put(kind, names[index], data)
                yield index, data


class MemoryStore(Store):
    """The same interface over a dict that a long-running caller keeps (serve), in front
    of an optional store on disk that it reads from and writes through to."""

    shared_with_forks = False     # a fork's entries would stay in the fork's dict

    def __init__(self, backing: Store | None = None):
        super().__init__(None)
        self.backing = backing or Store(None)
        self.entries: dict[tuple[str, str], bytes] = {}
        self.used: set[tuple[str, str]] = set()

    def get(self, kind: str, name: str) -> bytes | None:
        self.used.add((kind, name))
        data = self.entries.get((kind, name))
        if data is None:
            data = self.backing.get(kind, name)
            if data is not None:
                self.entries[(kind, name)] = data
        return data

    def has(self, kind: str, name: str) -> bool:
        return (kind, name) in self.entries or self.backing.has(kind, name)

    def put(self, kind: str, name: str, data: bytes) -> None:
        self.used.add((kind, name))
        self.entries[(kind, name)] = data
        self.backing.put(kind, name, data)

    def file(self, kind: str, name: str) -> StoredFile | None:
        return None                 # in memory: get gives the bytes

    def put_file(self, kind: str, name: str, data: bytes) -> StoredFile | None:
        self.used.add((kind, name))
        if self.entries.get((kind, name)) != data:      # not again for what get found
            self.entries[(kind, name)] = data
            self.backing.put_file(kind, name, data)
        return None

    def forget_unused(self) -> None:
        """Drop what the last build did not ask for, so memory follows the site's size."""
        for unused in self.entries.keys() - self.used:
            del self.entries[unused]
        self.used = set()


def _checksummed(data: bytes) -> tuple[bytes, bytes]:
    """An entry's parts as it is kept: its sha256, then its bytes (read by _checked)."""
    return hashlib.sha256(data).digest(), data


def _write_atomically(path: Path, *parts: bytes) -> os.stat_result | None:
    """Write a file of the parts under a temporary name of this process and thread, then
    rename it into place; the state of the file written, or None when it could not be."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(temporary, "wb") as handle:
            for part in parts:
                handle.write(part)
            handle.flush()
            written = os.fstat(handle.fileno())
        os.replace(temporary, path)
    except OSError:
        temporary.unlink(missing_ok=True)
        return None
    return written


def _checked(path: str) -> bytes | None:
    """The bytes of the entry at `path` (its sha256, then them), or None when missing or
    damaged."""
    try:
        with open(path, "rb") as handle:
            stored = handle.read()
    except OSError:
        return None
    check, data = stored[:32], stored[32:]
    return data if hashlib.sha256(data).digest() == check else None


class WorkerFailed(RuntimeError):
    """A function raised in a worker process; the message holds its traceback."""


def run_batch(function: Callable[[object], bytes], items: Sequence,
              jobs: int) -> Iterator[tuple[int, bytes]]:
    """(index, function(item)) for every item, computed in `jobs` forked processes, in the
    order they finish.

    The workers are forked explicitly (Python 3.14 no longer forks by default on Linux):
    each inherits the function and the items, which therefore need not pickle (the model
    holds read-only mappings, which do not), and sends back only indices and bytes.
    """
    context = mp.get_context("fork")
    chunks = [range(start, min(start + CHUNK, len(items)))
              for start in range(0, len(items), CHUNK)]
    workers = []
    # Freeze what exists, so that the workers' garbage collector does not touch (and so
    # copy) the memory pages they share with this process. It stays frozen here too: it
    # lives as long as the build, which unfreezes it at its end (build.generate).
    gc.freeze()
    for number in range(min(jobs, len(chunks))):
        receiving, sending = context.Pipe(duplex=False)
        process = context.Process(target=_help, daemon=True, args=(functools.partial(
            _work, function, items, chunks[number::jobs]), sending))
        process.start()
        sending.close()
        workers.append((process, receiving))
    try:
        open_pipes = [receiving for _, receiving in workers]
        while open_pipes:
            for pipe in wait(open_pipes):
                try:
                    message = pipe.recv()
                except EOFError:
                    open_pipes.remove(pipe)
                    continue
                if isinstance(message, str):
                    raise WorkerFailed(message)
                yield from message
    finally:
        for process, receiving in workers:
            receiving.close()
            if process.is_alive():
                process.terminate()
            process.join()


def _work(function, items, chunks: Iterable[range], send: Callable[[object], None]) -> None:
    """A worker's part of a batch: (index, bytes) of each item of its chunks (sent a chunk
    to a message by _help, as CHUNK is both)."""
    for chunk in chunks:
        for index in chunk:
            send((index, function(items[index])))


class Forked:
    """What produce(send) sends, in order, computed in one forked process (a helper) from
    the moment this is made while this process goes on: next() gives each item, raises
    WorkerFailed when produce raised (after what it sent before) and StopIteration at the
    end. The helper inherits everything (nothing need pickle but what it sends) and runs
    at most AHEAD messages ahead; close() stops it."""

    def __init__(self, produce: Callable[[Callable[[object], None]], None]):
        context = mp.get_context("fork")
        self.receiving, sending = context.Pipe(duplex=False)
        gc.freeze()       # as in run_batch: the helper's collector leaves shared pages alone
        self.process = context.Process(target=_help, daemon=True, args=(produce, sending))
        self.process.start()
        sending.close()
        self.received: queue.Queue = queue.Queue(AHEAD)
        self.stop = threading.Event()
        self.items: list = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _offer(self, message) -> bool:
        while not self.stop.is_set():
            try:
                self.received.put(message, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _read(self) -> None:     # a thread, so that the helper never waits for this process
        try:
            while self._offer(self.receiving.recv()):
                pass
        except (EOFError, OSError):
            self._offer(None)

    def __iter__(self) -> "Forked":
        return self

    def __next__(self):
        while not self.items:
            message = self.received.get() if self.process is not None else None
            if message is None:
                self.close()
                raise StopIteration
            if isinstance(message, str):
                self.close()
                raise WorkerFailed(message)
            self.items = message[::-1]
        return self.items.pop()

    def close(self) -> None:
        if self.process is None:
            return
        self.stop.set()
        if self.process.is_alive():
            self.process.terminate()
        self.process.join()
        self.reader.join()
        self.receiving.close()
        self.process = None


def _help(produce, pipe) -> None:
    """A forked process's whole life: what produce(send) sends, CHUNK items a message, then
    a traceback if it raised; it ends without the parent's atexit handlers or finalizers."""
    batch: list = []

    def send(item) -> None:
        batch.append(item)
        if len(batch) >= CHUNK:
            pipe.send(batch[:])
            batch.clear()
    try:
        produce(send)
        if batch:
            pipe.send(batch)
    except Exception:                            # reported, and raised, in the parent
        if batch:
            pipe.send(batch)
        pipe.send(traceback.format_exc())
    finally:
        pipe.close()
        os._exit(0)
