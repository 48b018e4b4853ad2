"""Expensive results kept between builds, by content hash: rendered Markdown, cleaned
images, picture cards.

The cache lives in SOURCE/.firsthand-cache/ (git-ignored). Every entry is named by the
sha256 of everything that decides its bytes (the engine's code and settings, the input),
so a stale entry is never found, only left behind. Entries are written to a temporary
file and renamed into place, and each carries a checksum of its own bytes: an entry cut
short by a crash, or edited by hand, is ignored and rebuilt. Deleting the folder is always
safe; the next build is simply cold.
"""

from __future__ import annotations

import concurrent.futures
import gc
import hashlib
import json
import multiprocessing as mp
import os
from pathlib import Path
from typing import Iterable, Iterator

import markdown
import nh3
import PIL
import regex

from . import __version__, cards, enrich, images, markup, platforms, snippets

FOLDER = ".firsthand-cache"
POOL_THRESHOLD = 200          # fewer bodies than this render faster than a pool starts
CARD_POOL_THRESHOLD = 16      # a card takes ~30 ms to draw, a Markdown body ~1 ms
CHUNK = 16                    # bodies per task sent to a worker


def _fingerprint(*modules) -> str:
    """The engine's version and the source of the modules that shape the output."""
    digest = hashlib.sha256(__version__.encode())
    for module in modules:
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()


MARKDOWN_ENGINE = "|".join([_fingerprint(markup, enrich), markdown.__version__,
                            getattr(nh3, "__version__", "")])
IMAGE_ENGINE = "|".join([_fingerprint(images), PIL.__version__])
CARD_ENGINE = "|".join([_fingerprint(cards), PIL.__version__])
SNIPPET_ENGINE = "|".join([_fingerprint(snippets, platforms), regex.__version__])


class Cache:
    """A folder of entries keyed by content hash; Cache(None) keeps nothing."""

    def __init__(self, folder: Path | None, read_only: bool = False):
        self.folder, self.read_only = folder, read_only

    @classmethod
    def for_site(cls, source: Path, enabled: bool = True, read_only: bool = False) -> "Cache":
        return cls(Path(source) / FOLDER if enabled else None, read_only)

    def _path(self, kind: str, key: str) -> Path:
        return self.folder / kind / key[:2] / key[2:]

    def get(self, kind: str, key: str) -> bytes | None:
        """The entry's bytes, or None when missing or damaged."""
        if self.folder is None:
            return None
        try:
            stored = self._path(kind, key).read_bytes()
        except OSError:
            return None
        check, data = stored[:32], stored[32:]
        return data if hashlib.sha256(data).digest() == check else None

    def put(self, kind: str, key: str, data: bytes) -> None:
        """Store an entry atomically; a cache that cannot be written is only slower."""
        if self.folder is None or self.read_only:
            return
        path = self._path(kind, key)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_bytes(hashlib.sha256(data).digest() + data)
            os.replace(temporary, path)
        except OSError:
            temporary.unlink(missing_ok=True)


def markdown_key(body: str) -> str:
    return _key(MARKDOWN_ENGINE.encode(), body.encode("utf-8"))


def image_key(raw: bytes, max_width: int, widths: tuple[int, ...] = (),
              square: bool = False) -> str:
    sizes = f"{max_width}|{','.join(map(str, widths))}|{'square' if square else 'keep'}"
    return _key(IMAGE_ENGINE.encode(), sizes.encode(), raw)


def _key(*parts: bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def render_bodies(bodies: Iterable[str], cache: Cache, jobs: int = 1,
                  threshold: int = POOL_THRESHOLD) -> tuple[dict[str, str], dict[str, tuple]]:
    """({body: html}, {html: enrich.text_stats(html)}) for every body that renders cleanly.

    Both come from the cache or are made here, in a process pool when jobs > 1 and more
    than `threshold` bodies are missing. Bodies with shapes that markup.bound_problems
    rejects are left out, so that enrich renders them itself and reports the problem with
    its file and line.
    """
    rendered: dict[str, str] = {}
    stats: dict[str, tuple[int, str]] = {}
    missing = []
    for body in dict.fromkeys(bodies):
        made = _unpack(cache.get("markdown", markdown_key(body)))
        if made is None:
            missing.append(body)
        else:
            rendered[body], stats[made[0]] = made[0], made[1:]
    if jobs > 1 and len(missing) > threshold:
        fresh = _render_in_pool(missing, jobs)
    else:
        fresh = map(_render, missing)
    for body, made in zip(missing, fresh):
        if made is None:
            continue
        rendered[body], stats[made[0]] = made[0], made[1:]
        cache.put("markdown", markdown_key(body), _pack(made))
    return rendered, stats


def _render(body: str) -> tuple[str, int, str] | None:
    """(html, words, opening text) of a body, or None when its shape is rejected."""
    html = markup.render_if_safe(body)
    return None if html is None else (html, *enrich.text_stats(html))


# An entry is "words NUL opening NUL html": loading refuses NUL bytes, so none is in the text.
def _pack(made: tuple[str, int, str]) -> bytes:
    html, words, opening = made
    return f"{words}\0{opening}\0{html}".encode("utf-8")


def _unpack(data: bytes | None) -> tuple[str, int, str] | None:
    if data is None:
        return None
    try:
        words, opening, html = data.decode("utf-8").split("\0", 2)
        return html, int(words), opening
    except ValueError:
        return None


def _render_in_pool(bodies: list[str], jobs: int) -> list:
    return _in_pool(_render, bodies, jobs, CHUNK)


def _in_pool(function, items: list, jobs: int, chunk: int, context=None) -> list:
    return list(_in_pool_lazily(function, items, jobs, chunk, context))


def _in_pool_lazily(function, items: list, jobs: int, chunk: int, context=None) -> Iterator:
    """function(item) for each item, in order, computed in `jobs` processes; each result
    is handed over as it comes, so the caller need not hold them all."""
    # Freeze what exists, so that the workers' garbage collector does not touch (and
    # so copy) the pages they share with this process.
    gc.freeze()
    try:
        with concurrent.futures.ProcessPoolExecutor(max_workers=jobs,
                                                    mp_context=context) as pool:
            yield from pool.map(function, items, chunksize=chunk)
    finally:
        gc.unfreeze()


def draw_cards(wanted: list[tuple[cards.CardText, str]], cache: Cache, jobs: int = 1,
               threshold: int = CARD_POOL_THRESHOLD) -> Iterator[tuple[int, bytes]]:
    """(index in wanted, PNG) for every (card, kind): first those in the cache, then the
    ones drawn (in a pool when many). One at a time: at ten thousand stories the cards
    weigh two gigabytes, so nobody should hold them all."""
    keys = [_key(CARD_ENGINE.encode(), cards.card_key(card, kind).encode())
            for card, kind in wanted]
    missing = []
    for index, key in enumerate(keys):
        data = cache.get("cards", key)
        if data is None:
            missing.append(index)
        else:
            yield index, data
    items = [wanted[i] for i in missing]
    drawn = _in_pool_lazily(_draw, items, jobs, 4) if jobs > 1 and len(missing) > threshold \
        else map(_draw, items)
    for index, data in zip(missing, drawn):
        cache.put("cards", keys[index], data)
        yield index, data


def _draw(item: tuple[cards.CardText, str]) -> bytes:
    return cards.draw_card(*item)


def clean_image(raw: bytes, max_width: int, cache: Cache, widths: tuple[int, ...] = (),
                square: bool = False) -> images.Picture:
    """images.clean_image, remembered by the image's bytes and the sizes asked of it."""
    key = image_key(raw, max_width, widths, square)
    picture = _unpack_picture(cache.get("images", key))
    if picture is None:
        picture = images.clean_image(raw, max_width, widths, square)
        cache.put("images", key, _pack_picture(picture))
    return picture


# An image entry is the picture then each of its copies, each as width, height, length
# (4 bytes each, big-endian) and its bytes.
def _pack_picture(picture: images.Picture) -> bytes:
    return b"".join(p.width.to_bytes(4, "big") + p.height.to_bytes(4, "big")
                    + len(p.data).to_bytes(4, "big") + p.data
                    for p in (picture, *picture.copies))


def _unpack_picture(data: bytes | None) -> images.Picture | None:
    if not data:
        return None
    pictures, offset = [], 0
    while offset < len(data):
        if offset + 12 > len(data):
            return None
        width, height, size = (int.from_bytes(data[offset + i:offset + i + 4], "big")
                               for i in (0, 4, 8))
        body = data[offset + 12:offset + 12 + size]
        if len(body) != size:
            return None
        pictures.append(images.Picture(body, width, height))
        offset += 12 + size
    first, *copies = pictures
    return images.Picture(first.data, first.width, first.height, tuple(copies))


def compose_snippets(site, entries, cache: Cache, jobs: int = 1,
                     threshold: int = POOL_THRESHOLD) -> None:
    """Compose every story's snippets once, from the cache or anew (in a pool when many),
    and hand them to snippets.story_snippets, where pages and checks find them."""
    keys = [_key(SNIPPET_ENGINE.encode(),
                 repr(snippets.snippet_inputs(site, entry)).encode("utf-8"))
            for entry in entries]
    missing = []
    for entry, key in zip(entries, keys):
        made = _unpack_snippets(cache.get("snippets", key))
        if made is None:
            missing.append((entry, key))
        else:
            snippets.remember_snippets(site, entry, made)
    if jobs > 1 and len(missing) > threshold and "fork" in mp.get_all_start_methods():
        # Site and Entry hold read-only mappings, which do not pickle: forked workers
        # inherit them, and only their indices and the snippets travel.
        global _COMPOSING
        _COMPOSING = (site, [entry for entry, _ in missing])
        try:
            fresh = _in_pool(_compose, list(range(len(missing))), jobs, CHUNK,
                             mp.get_context("fork"))
        finally:
            _COMPOSING = None
        for (entry, _), made in zip(missing, fresh):
            snippets.remember_snippets(site, entry, made)
    for entry, key in missing:
        made = snippets.story_snippets(site, entry)
        cache.put("snippets", key, _pack_snippets(made))


_COMPOSING = None


def _compose(index: int) -> dict:
    site, entries = _COMPOSING
    return dict(snippets.story_snippets(site, entries[index]))


def _pack_snippets(made) -> bytes:
    return json.dumps({name: [list(vars(s).values()) for s in found]
                       for name, found in made.items()}, ensure_ascii=False).encode("utf-8")


def _unpack_snippets(data: bytes | None) -> dict | None:
    if data is None:
        return None
    try:
        return {name: tuple(snippets.Snippet(*fields) for fields in found)
                for name, found in json.loads(data).items()}
    except (ValueError, TypeError):
        return None
