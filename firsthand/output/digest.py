"""Digests of the model's frozen objects, whole: what a page's or a check's key is made of.

A digest covers every field of a dataclass, every item of a tuple, list or mapping, and
the value of a scalar, so that a key made from an object is complete by construction.
"""

from __future__ import annotations

import dataclasses
from collections import abc
import datetime as dt
import hashlib
import operator
from pathlib import Path
from typing import Callable

_SCALARS = (int, float, bool, type(None), dt.date, Path)
_EMPTY = {kind: hashlib.sha256(kind.__qualname__.encode()).digest()
          for kind in (tuple, list, dict)}        # as a digest of them would make them
_PLAIN = frozenset({int, float, bool, type(None), dt.date, type(Path())})   # exactly
_LENGTHS = tuple(size.to_bytes(8, "big") for size in range(1024))
LONG_TEXT = 512               # longer strings are hashed once and known by identity


class Digests:
    """Digests of view objects, each object digested once per build (the model is frozen
    and lives as long as the build, so its identity stands for its value meanwhile)."""

    def __init__(self):
        self.known: dict[int, tuple[object, bytes]] = {}
        self.fields: dict[type, Callable[[object], tuple]] = {}   # type -> its fields' getter

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
        if kind is str:             # a body's HTML: hashed once, wherever it is shown
            result = hashlib.sha256(b"str" + value.encode("utf-8", "surrogatepass")).digest()
        else:
            parts = [kind.__qualname__.encode()]
            if dataclasses.is_dataclass(value):
                fields = self.fields.get(kind)
                if fields is None:
                    fields = self.fields[kind] = _getter(value)
                self._parts(fields(value), parts)
            elif isinstance(value, abc.Mapping):      # a Deferred not remembered: by value
                self._parts([part for item in sorted(value.items(), key=_by_key)
                             for part in item], parts)
            elif isinstance(value, (tuple, list)):
                self._parts(value, parts)
            elif callable(value):
                _add(parts.append, f"{value.__module__}.{value.__qualname__}".encode())
            else:
                _add(parts.append, repr(value).encode())
            result = hashlib.sha256(b"".join(parts)).digest()
        self.known[id(value)] = (value, result)
        return result

    def _parts(self, values, parts: list) -> None:
        """Each value's digest, after its length, onto `parts` (what `of` makes of a
        short string or a plain scalar, made here without a call for each)."""
        append, of = parts.append, self.of
        for item in values:
            kind = type(item)
            if kind is str and len(item) < LONG_TEXT:
                part = b"s" + item.encode("utf-8", "surrogatepass")
            elif kind in _PLAIN:
                part = f"{kind.__name__}:{item!r}".encode()
            else:
                part = of(item)
            size = len(part)
            append(_LENGTHS[size] if size < len(_LENGTHS) else size.to_bytes(8, "big"))
            append(part)


def _getter(value) -> Callable[[object], tuple]:
    """A function that gives every field of a dataclass instance of value's type, in order."""
    names = [f.name for f in dataclasses.fields(value)]
    if not names:
        return lambda _: ()
    if len(names) == 1:
        get = operator.attrgetter(names[0])
        return lambda item: (get(item),)
    return operator.attrgetter(*names)


def _add(append, part: bytes) -> None:
    append(len(part).to_bytes(8, "big"))
    append(part)


def _by_key(item) -> str:
    return item[0] if type(item[0]) is str else repr(item[0])
