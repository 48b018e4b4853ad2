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
            return b"s" + value.encode("utf-8", "surrogatepass")
        if isinstance(value, _SCALARS):
            return f"{kind.__name__}:{value!r}".encode()
        found = self.known.get(id(value))
        if found is not None and found[0] is value:
            return found[1]
        if dataclasses.is_dataclass(value):
            names = self.fields.get(kind)
            if names is None:
                names = self.fields[kind] = tuple(f.name for f in dataclasses.fields(value))
            parts = [self.of(getattr(value, name)) for name in names]
        elif isinstance(value, abc.Mapping):      # a Deferred not remembered: by value
            parts = [self.of(part) for item in sorted(value.items(), key=lambda i: repr(i[0]))
                     for part in item]
        elif isinstance(value, (tuple, list)):
            parts = [self.of(item) for item in value]
        elif callable(value):
            parts = [f"{value.__module__}.{value.__qualname__}".encode()]
        else:
            parts = [repr(value).encode()]
        digest = hashlib.sha256(kind.__qualname__.encode())
        for part in parts:
            digest.update(len(part).to_bytes(8, "big"))
            digest.update(part)
        result = digest.digest()
        self.known[id(value)] = (value, result)
        return result
