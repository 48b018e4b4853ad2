"""The near-identical check kept between builds: snippets.near_identical's warnings, found
again only where stories changed.

What the check found of each story is kept in the cache folder (FILE), by the story's
path: a digest of its posts, the words of each platform's post, its word pairs
("shingles") and the band keys of each of its texts' sketches; with it, how many stories
use each word pair, and the pairs of stories found alike. A build reads the posts of the
stories whose digest changed (or that are new) and no others. Their word pairs change
the counts; a word pair that crosses COMMON_PAIR (becomes common, or rare again) changes
what the sketch of every text using it is made of, so those texts are sketched again too.
Only pairs of stories with a text sketched again can have become, or stopped being,
candidates: only those pairs are compared. Newer and older come from the order of this
build's entries, at the end. The warnings are near_identical's, to the letter.

Words are kept as numbers (an index into the kept vocabulary): comparing the numbers is
comparing the words.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Callable

import numpy
import rapidfuzz

from firsthand.content.enrich import Entry
from firsthand.content.model import Site
from firsthand.content.problems import Problem
from firsthand.social.snippets import (
    COMMON_PAIR, SKETCH_BANDS, alike_platforms, alike_problem, band_keys, buckets,
    near_identical, shingles_of, sketch_flat, snippet_words)

FILE = "alike.bin"            # in the cache folder
MAGIC = b"firsthand near-identical 1\n"
# what decides the kept values besides the posts: this code, and how numbers are hashed
ENGINE = "|".join([hashlib.sha256(Path(__file__).read_bytes()).hexdigest(),
                   numpy.__version__, rapidfuzz.__version__])
_ARRAYS = {"text_start": numpy.int64, "word_start": numpy.int64, "words": numpy.uint32,
           "keys": numpy.uint64, "shingle_start": numpy.int64, "shingles": numpy.uint32,
           "counted": numpy.uint32, "counts": numpy.int64, "pairs": numpy.int64,
           "ratios": numpy.float64}
Layout = tuple[tuple[str, int], ...]     # (platform, which of the story's texts), in order


@dataclass(frozen=True)
class Kept:
    """What the check found of each story, in slots (not the entries' order): story n's
    texts are text_start[n]:text_start[n + 1]; text t's words are
    words[word_start[t]:word_start[t + 1]] and its band keys keys[t]; story n's shingles
    (each once, sorted) shingles[shingle_start[n]:shingle_start[n + 1]]. `counted` (sorted)
    and `counts`: in how many stories each shingle is. `pairs` (slot, slot): the candidates
    more alike than the threshold on some platform, how alike in `ratios` (a column for
    each of `platforms`; 0 where not). Never changed in place: a build makes a new one."""

    engine: str
    threshold: float
    common: int
    paths: tuple[str, ...]
    digests: tuple[str, ...]
    layouts: tuple[Layout, ...]
    vocabulary: tuple[str, ...]
    text_start: numpy.ndarray
    word_start: numpy.ndarray
    words: numpy.ndarray
    keys: numpy.ndarray
    shingle_start: numpy.ndarray
    shingles: numpy.ndarray
    counted: numpy.ndarray
    counts: numpy.ndarray
    platforms: tuple[str, ...]
    pairs: numpy.ndarray
    ratios: numpy.ndarray


def nothing_kept(engine: str, threshold: float, common: int) -> Kept:
    start = numpy.zeros(1, numpy.int64)
    return Kept(engine, threshold, common, (), (), (), (), start, start,
                numpy.zeros(0, numpy.uint32), numpy.zeros((0, SKETCH_BANDS), numpy.uint64),
                start, numpy.zeros(0, numpy.uint32), numpy.zeros(0, numpy.uint32),
                numpy.zeros(0, numpy.int64), (), numpy.zeros((0, 2), numpy.int64),
                numpy.zeros((0, 0)))


@dataclass(frozen=True)
class Read:
    """What the check takes of one story whose posts were read."""

    layout: Layout
    texts: list[numpy.ndarray]              # each distinct text's words, as numbers
    shingles: list[numpy.ndarray]           # of each text, each once, sorted
    story_shingles: numpy.ndarray           # of all its texts, each once, sorted


def remembered_near_identical(site: Site, entries, folder: Path, engine: str,
                              digest: Callable[[Entry], bytes], keep_file: bool = True,
                              threshold: float = 0.9) -> list[Problem]:
    """near_identical's warnings, from what the last build kept in `folder` (the cache
    folder) where a story's posts are unchanged (`digest` of an entry: of its snippets,
    without reading them); what this build found is kept for the next unless keep_file
    is False (check)."""
    path = Path(folder) / FILE
    last = read_kept(path)
    problems, kept = near_identical_kept(site, entries, last, digest, engine, threshold)
    if keep_file and kept is not None and kept is not last:
        write_kept(path, kept)
    return problems


def near_identical_kept(site: Site, entries, last: Kept | None,
                        digest: Callable[[Entry], bytes], engine: str = ENGINE,
                        threshold: float = 0.9, common: int = COMMON_PAIR
                        ) -> tuple[list[Problem], Kept | None]:
    """near_identical(site, entries, threshold, common), and what to keep for the next
    call: `last` where no story changed, None where stories cannot be told apart by path.
    `digest` of an entry decides its posts and their order (the build's: of the bytes the
    store keeps them in)."""
    entries = list(entries)
    paths = [entry.story.path for entry in entries]
    if len(set(paths)) < len(paths):
        return near_identical(site, entries, threshold, common), None
    if last is None or (last.engine, last.threshold, last.common) != (engine, threshold, common):
        last = nothing_kept(engine, threshold, common)
    digests = [digest(entry).hex() for entry in entries]
    slot_of = {path: slot for slot, path in enumerate(last.paths)}
    reused = [slot_of.get(path) for path in paths]
    reused = [slot if slot is not None and last.digests[slot] == found else None
              for slot, found in zip(reused, digests)]
    keep = numpy.zeros(len(last.paths), bool)
    keep[[slot for slot in reused if slot is not None]] = True
    fresh = [n for n, slot in enumerate(reused) if slot is None]
    if not fresh and keep.all():
        return _problems(entries, last), last
    kept = _updated(site, last, keep, [entries[n] for n in fresh],
                    [digests[n] for n in fresh])
    return _problems(entries, kept), kept


def _updated(site: Site, last: Kept, keep: numpy.ndarray, fresh: list[Entry],
             digests: list[str]) -> Kept:
    """`last` without the stories of slots not kept, with the fresh ones (after them)."""
    vocabulary = list(last.vocabulary)
    numbers = {word: n for n, word in enumerate(vocabulary)} if fresh else {}
    read = [_read(site, entry, numbers, vocabulary) for entry in fresh]
    dropped = numpy.repeat(~keep, numpy.diff(last.shingle_start))
    plus = _joined([r.story_shingles for r in read])
    counted, counts, crossing = _recount(last.counted, last.counts, plus,
                                         last.shingles[dropped], last.common)
    kept_slots = numpy.flatnonzero(keep)
    paths = tuple(last.paths[slot] for slot in kept_slots) + tuple(e.story.path for e in fresh)
    kept = Kept(last.engine, last.threshold, last.common, paths,
                tuple(last.digests[slot] for slot in kept_slots) + tuple(digests),
                tuple(last.layouts[slot] for slot in kept_slots) + tuple(r.layout for r in read),
                tuple(vocabulary), **_arrays(last, keep, read), counted=counted, counts=counts,
                platforms=(), pairs=numpy.zeros((0, 2), numpy.int64), ratios=numpy.zeros((0, 0)))
    # the texts sketched again: those of kept stories with a shingle that crossed
    # COMMON_PAIR (their new slots come first), and every fresh one
    crossed = _crossing(last, crossing) & keep
    sketched = numpy.concatenate([crossed[kept_slots], numpy.ones(len(read), bool)])
    rows = [row for slot in numpy.flatnonzero(sketched[:len(kept_slots)])
            for row in range(kept.text_start[slot], kept.text_start[slot + 1])]
    found = [_shingles([vocabulary[w] for w in
                        kept.words[kept.word_start[row]:kept.word_start[row + 1]].tolist()])
             for row in rows] + [found for r in read for found in r.shingles]
    rows += list(range(kept.text_start[len(kept_slots)], kept.text_start[-1]))
    if rows:
        kept.keys[rows] = band_keys(sketch_flat(*_kept_shingles(found, counted, counts,
                                                                last.common)))
    # a pair of stories neither of which was sketched again is as alike as it was
    same = (keep & ~crossed)[last.pairs].all(axis=1)
    compared = _compared(kept, _candidates(kept.keys, kept.text_start, rows, sketched))
    platforms = tuple(dict.fromkeys([*last.platforms, *(n for _, f in compared for n in f)]))
    column = {name: n for n, name in enumerate(platforms)}
    ratios = numpy.zeros((len(compared), len(platforms)))
    for row, (_, found) in enumerate(compared):
        ratios[row, [column[name] for name in found]] = list(found.values())
    kept_ratios = last.ratios[same]
    return _compacted(replace(
        kept, platforms=platforms,
        pairs=numpy.concatenate([(numpy.cumsum(keep) - 1)[last.pairs[same]],
                                 numpy.array([p for p, _ in compared],
                                             numpy.int64).reshape(-1, 2)]),
        ratios=numpy.concatenate([numpy.pad(kept_ratios, ((0, 0), (0, len(platforms)
                                                                  - kept_ratios.shape[1]))),
                                  ratios])))


def _arrays(last: Kept, keep: numpy.ndarray, read: list[Read]) -> dict[str, numpy.ndarray]:
    """Kept's arrays of the stories in the slots kept, then of those read (their band keys
    still to be made: zeros)."""
    text_counts, word_counts = numpy.diff(last.text_start), numpy.diff(last.word_start)
    keep_text = numpy.repeat(keep, text_counts)
    texts = [text for r in read for text in r.texts]
    words = _joined(texts)
    return {
        "text_start": _starts(numpy.concatenate([text_counts[keep],
                                                 [len(r.texts) for r in read]])),
        "word_start": _starts(numpy.concatenate([word_counts[keep_text],
                                                 [len(text) for text in texts]])),
        "words": numpy.concatenate([last.words[numpy.repeat(keep_text, word_counts)], words]),
        "keys": numpy.concatenate([last.keys[keep_text],
                                   numpy.zeros((len(texts), SKETCH_BANDS), numpy.uint64)]),
        "shingle_start": _starts(numpy.concatenate([numpy.diff(last.shingle_start)[keep],
                                                    [len(r.story_shingles) for r in read]])),
        "shingles": numpy.concatenate(
            [last.shingles[numpy.repeat(keep, numpy.diff(last.shingle_start))]]
            + [r.story_shingles for r in read])}


def _crossing(last: Kept, crossing: numpy.ndarray) -> numpy.ndarray:
    """Which of last's stories (by slot) use one of the shingles in `crossing`."""
    using = numpy.zeros(len(last.paths), bool)
    if crossing.size:
        hits = numpy.flatnonzero(numpy.isin(last.shingles, crossing))
        using[numpy.searchsorted(last.shingle_start, hits, side="right") - 1] = True
    return using


def _read(site: Site, entry: Entry, numbers: dict[str, int], vocabulary: list[str]) -> Read:
    """Read a story's posts: its texts as numbers (new words join the vocabulary)."""
    by_platform = snippet_words(site, entry)
    texts = list(dict.fromkeys(by_platform.values()))
    position = {text: n for n, text in enumerate(texts)}
    for text in texts:
        for word in text:
            if word not in numbers:
                numbers[word] = len(vocabulary)
                vocabulary.append(word)
    shingles = [_shingles(text) for text in texts]
    return Read(tuple((name, position[text]) for name, text in by_platform.items()),
                [numpy.array([numbers[word] for word in text], numpy.uint32)
                 for text in texts], shingles,
                numpy.unique(_joined(shingles)))


def _joined(arrays: list[numpy.ndarray]) -> numpy.ndarray:
    """Arrays of word or shingle numbers end to end (uint32, also when there are none)."""
    return numpy.concatenate([numpy.zeros(0, numpy.uint32)] + arrays)


def _shingles(text) -> numpy.ndarray:
    """shingles_of a text, as numbers each once, sorted (a tenth of a set's memory)."""
    return numpy.array(sorted(shingles_of(text)), numpy.uint32)


def _recount(counted: numpy.ndarray, counts: numpy.ndarray, plus: numpy.ndarray,
             minus: numpy.ndarray, common: int):
    """The counts with the shingles of stories gone (`minus`) and come (`plus`), and the
    shingles that crossed `common` (in more stories than it before and not now, or back)."""
    both = numpy.concatenate([plus, minus])
    if not both.size:
        return counted, counts, numpy.zeros(0, numpy.uint32)
    changed, inverse = numpy.unique(both, return_inverse=True)
    signs = numpy.concatenate([numpy.ones(len(plus), numpy.int64),
                               -numpy.ones(len(minus), numpy.int64)])
    delta = numpy.bincount(inverse.ravel(), weights=signs, minlength=len(changed))
    at = numpy.searchsorted(counted, changed)
    present = at < len(counted)
    present[present] = counted[at[present]] == changed[present]
    before = numpy.zeros(len(changed), numpy.int64)
    before[present] = counts[at[present]]
    after = before + delta.astype(numpy.int64)
    crossing = changed[(before > common) != (after > common)]
    counts = counts.copy()
    counts[at[present]] = after[present]
    counted = numpy.insert(counted, at[~present], changed[~present])
    counts = numpy.insert(counts, at[~present], after[~present])
    used = counts > 0
    return counted[used], counts[used], crossing


def _kept_shingles(found: list[numpy.ndarray], counted: numpy.ndarray,
                   counts: numpy.ndarray, common: int) -> tuple[numpy.ndarray, numpy.ndarray]:
    """snippets.kept_shingles of each text, end to end, and how many of each: the
    shingles in at most `common` stories, or all of a text that has none such."""
    lengths = numpy.array([len(shingles) for shingles in found], numpy.int64)
    flat = _joined(found)
    rare = counts[numpy.searchsorted(counted, flat)] <= common
    owner = numpy.repeat(numpy.arange(len(found)), lengths)
    whole = numpy.bincount(owner[rare], minlength=len(found)) == 0
    kept = rare | whole[owner]
    return flat[kept], numpy.bincount(owner[kept], minlength=len(found))


def _candidates(keys: numpy.ndarray, text_start: numpy.ndarray, rows: list[int],
                sketched: numpy.ndarray) -> set[tuple[int, int]]:
    """(slot, slot) pairs of stories, one of them sketched again, with a text each whose
    sketches agree on a band: the pairs snippets._candidates finds that involve them."""
    if not rows:
        return set()
    owners = numpy.repeat(numpy.arange(len(text_start) - 1), numpy.diff(text_start))
    pairs = set()
    for band in range(SKETCH_BANDS):
        column = keys[:, band]
        near = numpy.flatnonzero(numpy.isin(column, column[rows]))
        for members in buckets(column[near], owners[near]):
            for a in members:
                if sketched[a]:
                    pairs.update((min(a, b), max(a, b)) for b in members if b != a)
    return pairs


def _compared(kept: Kept, pairs: set[tuple[int, int]]) -> list[tuple[tuple[int, int], dict]]:
    """The pairs of slots more alike than the threshold on some platform, with how alike."""
    made: dict[int, dict[str, list[int]]] = {}

    def words(slot: int) -> dict[str, list[int]]:
        if slot not in made:
            first = int(kept.text_start[slot])
            made[slot] = {name: kept.words[kept.word_start[first + n]:
                                           kept.word_start[first + n + 1]].tolist()
                          for name, n in kept.layouts[slot]}
        return made[slot]

    alike = []
    for a, b in sorted(pairs):
        found = alike_platforms(words(a), words(b), kept.threshold)
        if found:
            alike.append(((a, b), found))
    return alike


def _problems(entries: list[Entry], kept: Kept) -> list[Problem]:
    """The warnings of the alike pairs, newer and older as the entries are ordered now:
    on each newer story, its most alike older one (the newest of equals), as
    snippets.alike_problems picks it."""
    if not len(kept.pairs):
        return []
    index = {entry.story.path: n for n, entry in enumerate(entries)}
    ends = numpy.array([index[path] for path in kept.paths], numpy.int64)[kept.pairs]
    newer, older, best = ends.min(axis=1), ends.max(axis=1), kept.ratios.max(axis=1)
    order = numpy.lexsort((older, -best, newer))
    firsts = numpy.flatnonzero(numpy.concatenate(([True], numpy.diff(newer[order]) != 0)))
    layouts = dict(zip(kept.paths, kept.layouts))
    column = {name: n for n, name in enumerate(kept.platforms)}
    problems = []
    for row, matches in zip(order[firsts].tolist(),
                            numpy.diff(numpy.append(firsts, len(order))).tolist()):
        story = int(newer[row])
        names = [name for name, _ in layouts[entries[story].story.path]
                 if name in column and kept.ratios[row, column[name]] > 0]
        problems.append(alike_problem(entries, story, float(best[row]), int(older[row]),
                                      names, matches))
    return problems


def _starts(lengths) -> numpy.ndarray:
    return numpy.concatenate([[0], numpy.cumsum(lengths, dtype=numpy.int64)]).astype(numpy.int64)


def _compacted(kept: Kept) -> Kept:
    """Without the words of the vocabulary no story uses, once they are most of it."""
    used = numpy.bincount(kept.words, minlength=len(kept.vocabulary)) > 0
    if len(kept.vocabulary) <= 2 * int(used.sum()) + 1024:
        return kept
    number = numpy.cumsum(used) - 1
    vocabulary = tuple(word for word, use in zip(kept.vocabulary, used.tolist()) if use)
    return replace(kept, vocabulary=vocabulary, words=number[kept.words].astype(numpy.uint32))


# -- the file: MAGIC, the length of a JSON header (8 bytes), the header, then each array's
# bytes (where the header says, from the end of the header rounded up to 8 bytes)


def write_kept(path: Path, kept: Kept) -> None:
    """Keep `kept` in `path` (replaced whole, never written in place); a file that cannot
    be written only costs the next build time."""
    layouts = list(dict.fromkeys(kept.layouts))
    number = {layout: n for n, layout in enumerate(layouts)}
    arrays, places, offset = [], {}, 0
    for name, kind in _ARRAYS.items():
        array = numpy.ascontiguousarray(getattr(kept, name), dtype=kind)
        places[name] = [offset, list(array.shape)]
        arrays.append(array.tobytes())
        offset += -(-len(arrays[-1]) // 8) * 8
    header = json.dumps({
        "engine": kept.engine, "threshold": kept.threshold, "common": kept.common,
        "stories": [[p, d, number[layout]] for p, d, layout in
                    zip(kept.paths, kept.digests, kept.layouts)],
        "layouts": [[list(item) for item in layout] for layout in layouts],
        "vocabulary": kept.vocabulary, "platforms": kept.platforms, "arrays": places},
        ensure_ascii=False, separators=(",", ":")).encode("utf-8", "surrogatepass")
    start = len(MAGIC) + 8 + len(header)
    parts = [MAGIC, len(header).to_bytes(8, "big"), header, bytes(-start % 8)]
    for data in arrays:
        parts += [data, bytes(-len(data) % 8)]
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(b"".join(parts))
        os.replace(temporary, path)
    except OSError:
        temporary.unlink(missing_ok=True)


def read_kept(path: Path) -> Kept | None:
    """What write_kept kept in `path`; None when it is missing, damaged or not whole."""
    try:
        data = path.read_bytes()
        if not data.startswith(MAGIC):
            return None
        length = int.from_bytes(data[len(MAGIC):len(MAGIC) + 8], "big")
        start = len(MAGIC) + 8 + length
        header = json.loads(data[len(MAGIC) + 8:start].decode("utf-8", "surrogatepass"))
        start += -start % 8
        arrays = {}
        for name, kind in _ARRAYS.items():
            offset, shape = header["arrays"][name]
            count = int(numpy.prod(shape, dtype=numpy.int64))
            arrays[name] = numpy.frombuffer(data, kind, count, start + offset).reshape(shape)
        layouts = [tuple((str(name), int(n)) for name, n in layout)
                   for layout in header["layouts"]]
        stories = header["stories"]
        kept = Kept(header["engine"], float(header["threshold"]), int(header["common"]),
                    tuple(str(p) for p, _, _ in stories), tuple(str(d) for _, d, _ in stories),
                    tuple(layouts[n] for _, _, n in stories),
                    tuple(str(word) for word in header["vocabulary"]),
                    platforms=tuple(str(name) for name in header["platforms"]), **arrays)
        _check_whole(kept)
    except (OSError, ValueError, KeyError, TypeError, IndexError, UnicodeDecodeError):
        return None
    return kept


def _check_whole(kept: Kept) -> None:
    """Raise ValueError unless every part of `kept` fits the others."""
    def offsets(starts, total):
        steps = numpy.diff(starts)
        return starts.ndim == 1 and len(starts) and starts[0] == 0 and starts[-1] == total \
            and (steps >= 0).all()

    stories, texts = len(kept.paths), len(kept.word_start) - 1
    paths = set(kept.paths)
    text_counts = numpy.diff(kept.text_start)
    if not (len(kept.text_start) == stories + 1 and offsets(kept.text_start, texts)
            and offsets(kept.word_start, len(kept.words))
            and len(kept.shingle_start) == stories + 1
            and offsets(kept.shingle_start, len(kept.shingles))
            and kept.keys.shape == (texts, SKETCH_BANDS)
            and len(kept.counted) == len(kept.counts)
            and (numpy.diff(kept.counted.astype(numpy.int64)) > 0).all()
            and (not kept.words.size or int(kept.words.max()) < len(kept.vocabulary))
            and len(kept.digests) == len(paths) == stories
            and all(0 <= n < count for layout, count in zip(kept.layouts, text_counts.tolist())
                    for _, n in layout)
            and kept.pairs.ndim == 2 and kept.pairs.shape[1] == 2
            and (not kept.pairs.size or 0 <= kept.pairs.min() <= kept.pairs.max() < stories)
            and kept.ratios.shape == (len(kept.pairs), len(kept.platforms))):
        raise ValueError("the kept near-identical check is not whole")
