"""Digests of the model's frozen objects, whole: what a page's or a check's key is made of.

A digest covers every field of a dataclass, every item of a tuple, list or mapping, and
the value of a scalar, so that a key made from an object is complete by construction.
"""

from __future__ import annotations

import dataclasses
from collections import abc
import datetime as dt
import hashlib
from pathlib import Path

_SCALARS = (int, float, bool, type(None), dt.date, Path)
_EMPTY = {kind: hashlib.sha256(kind.__qualname__.encode()).digest()
          for kind in (tuple, list, dict)}        # as a digest of them would make them
LONG_TEXT = 512               # longer strings are hashed once and known by identity


class Digests:
    """Digests of view objects, each object digested once per build (the model is frozen
    and lives as long as the build, so its identity stands for its value meanwhile)."""

    def __init__(self):
        self.known: dict[int, tuple[object, bytes]] = {}
        self.fields: dict[type, tuple[str, ...]] = {}

    def remember(self, value, digest: bytes) -> None:
        """Take `digest` for value's: one of the bytes that value was decoded from, which
        decide it whole (the build's snippets, from their entry in the store)."""
        self.known[id(value)] = (value, digest)

    def of(self, value) -> bytes:
        kind = type(value)
        if kind is str:
            if len(value) < LONG_TEXT:
                return b"s" + value.encode("utf-8", "surrogatepass")
        elif isinstance(value, _SCALARS):
            return f"{kind.__name__}:{value!r}".encode()
        elif kind in _EMPTY and not value:
            return _EMPTY[kind]
        found = self.known.get(id(value))
        if found is not None and found[0] is value:
            return found[1]
        digest = hashlib.sha256(kind.__qualname__.encode())
        update, of = digest.update, self.of
        if kind is str:             # a body's HTML: hashed once, wherever it is shown
            update(value.encode("utf-8", "surrogatepass"))
        elif dataclasses.is_dataclass(value):
            names = self.fields.get(kind)
            if names is None:
                names = self.fields[kind] = tuple(f.name for f in dataclasses.fields(value))
            for name in names:
                _add(update, of(getattr(value, name)))
        elif isinstance(value, abc.Mapping):      # a Deferred not remembered: by value
            for item in sorted(value.items(), key=_by_key):
                _add(update, of(item[0]))
                _add(update, of(item[1]))
        elif isinstance(value, (tuple, list)):
            for item in value:
                _add(update, of(item))
        elif callable(value):
            _add(update, f"{value.__module__}.{value.__qualname__}".encode())
        else:
            _add(update, repr(value).encode())
        result = digest.digest()
        self.known[id(value)] = (value, result)
        return result


def _add(update, part: bytes) -> None:
    update(len(part).to_bytes(8, "big"))
    update(part)


def _by_key(item) -> str:
    return item[0] if type(item[0]) is str else repr(item[0])
