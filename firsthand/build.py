"""The build: a flat list of steps over one Run, each step once, in order.

    load -> Markdown -> enrich -> snippets -> checks -> last build -> static -> images
         -> cards -> pages -> search -> links

Every step reads and completes the Run (the content, the library, the problems, the
store of results kept between builds) and hands output files to one sink as they are
made: the writer that swaps the finished site into place, or a dict in memory (serve,
check). Adding a step is adding a function to STEPS.

Each output is handed over with its key (what decides its bytes: the page memo's key and
what the template read, a card's key, a file's digest...). A build into a folder that
still holds the last good build's output (`Last`) skips an output whose key is the one
recorded for its path: it is neither made, nor read from the store, nor compared by the
writer, nor read for its links; the writer keeps it as it is. Only `build` does this: a
build without a writer (Result.files) is given every file's bytes.
"""

from __future__ import annotations

import datetime as dt
import functools
import gc
import hashlib
import json
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Literal, Mapping

import jinja2

from firsthand.output import engines, fingerprint
from firsthand.content import markup
from firsthand.pages import render, search
from firsthand.social import alike, sharekit
from firsthand.content.checks import CHECKS, ENTRY_CHECKS, check_near_identical
from firsthand.content.enrich import (Library, enrich, make_entry, shown_stories,
                                      text_stats, today)
from firsthand.output.engines import IMAGE_ENGINE, MARKDOWN_ENGINE, SNIPPET_ENGINE
from firsthand.content.images import BadImage, Picture, clean_image, copy_path
from firsthand.pages.links import LinkChecker
from firsthand.content.load import (IMAGE_SUFFIXES, load, load_site, load_story,
                                    relative_path)
from firsthand.content.model import Content, Deferred, Site
from firsthand.content.remembered import FileStates, StoryMemo, state
from firsthand.content.problems import Problem, Problems
from firsthand.commands.progress import Progress
from firsthand.social.snippets import (Snippet, compose_snippets, each_entry_words, entry_words,
                                       snippet_inputs)
from firsthand.output.digest import Digests
from firsthand.output.store import Store, key
from firsthand.output.write import Copy, SiteWriter, WriteReport

STATIC_FOLDER = "static"
LIVE_SCRIPT = "live-reload.js"    # the default theme's script for serve, not for sites
SPARE_FOLDER = "spare"         # in the cache folder: the last site but one (write.py)
POOL_THRESHOLD = 200          # fewer bodies than this render faster than a pool starts
COLLECTING = (100_000, 50, 50)    # gc thresholds during a build (Python's: 700, 10, 10)

# The pages, then the share kits and snippets.json; a new kind of output is a step here.
PAGE_STEPS = [*render.RENDER_STEPS, sharekit.render_share_kits]     # made by Renderer.page
RENDER_STEPS = [*PAGE_STEPS, sharekit.render_snippets_json]


@dataclass(frozen=True)
class Options:
    """How to build: what to show, as of which day, how hard to work, what to keep."""

    drafts: bool = False
    on: dt.date | None = None                 # the day of the build; None: today()
    base_url: str | None = None
    jobs: int = 1
    cache: Literal["write", "read", "off"] = "write"   # "read": use, never keep (check)
    pool_threshold: int = POOL_THRESHOLD
    progress: Progress = field(default_factory=lambda: Progress(quiet=True), compare=False)


@dataclass
class Result:
    """What a build or a check found and did."""

    problems: list[Problem]
    library: Library | None = None
    files: dict[str, bytes] = field(default_factory=dict)
    report: WriteReport | None = None
    seconds: float = 0.0
    pages: int = 0                  # HTML pages made
    stories: int = 0                # stories built, where there is no library to count
    site: Site | None = None        # site.yaml, also when the build was found unchanged
    pictures: dict[str, Picture] = field(default_factory=dict)   # output path -> size
    made: dict[str, list] = field(default_factory=dict)   # output path -> its key (Last)

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems)


@dataclass(frozen=True)
class Last:
    """The last good build, where its output folder is still exactly as it left it:
    output path -> [key, what a page read, search digest, search language]
    (fingerprint.last_made), and how to keep a file of it unread."""

    made: Mapping[str, list]
    out: Path
    keep: Callable[[str], None]

    def load(self, path: str) -> Callable[[], bytes]:
        return lambda: (self.out / path).read_bytes()


@dataclass
class Run:
    """One build on its way: what the steps have made so far."""

    source: Path
    options: Options
    store: Store
    sink: Callable[[str, bytes], None]
    problems: Problems = field(default_factory=Problems)
    content: Content | None = None
    rendered: dict[str, str] = field(default_factory=dict)      # Markdown -> HTML
    stats: dict[str, tuple] = field(default_factory=dict)       # HTML -> text_stats
    library: Library | None = None
    pictures: dict[str, Picture] = field(default_factory=dict)  # output path -> size
    static: dict[str, bytes] = field(default_factory=dict)      # output path -> bytes
    links: LinkChecker | None = None
    digests: Digests = field(default_factory=Digests)   # of the model's objects
    made: set[str] = field(default_factory=set)
    indexed: search.Pages = field(default_factory=search.Pages)   # what search indexes
    last: Last | None = None
    find_last: Callable[[], Last] | None = None       # how to find `last` (last_build)
    keys: dict[str, list] = field(default_factory=dict)   # for the next build (Last.made)
    stopped: bool = False

    @property
    def on(self) -> dt.date:
        return self.options.on or today()

    def unchanged(self, path: str, name: str) -> bool:
        """Whether the last build's output file at `path` was made from key `name`."""
        if self.last is None:
            return False
        made = self.last.made.get(path)
        return made is not None and made[0] == name

    def emit(self, path: str, data: bytes | Iterable[bytes] | None, name: str | None = None,
             reads: list | None = None) -> None:
        """Hand an output file to the sink, once; its links are checked at the end.

        `name`: its key, recorded for the next build; data None: the file is the last
        build's, made from the same key (Run.unchanged said so), and is kept unread.
        data may be the parts of a big file, in order, for a file that links and search
        do not read (snippets.json): the writer writes them as they come; a part may be a
        write.Copy of the last build's file. It may also be a Copy of a whole file that
        links and search do not read (a card kept as a file in the store), which the
        writer links to. `reads` may still be filled as the parts are
        made (the parts' layout, for the next build)."""
        if path in self.made:
            self.problems.error(path, 1,
                                f"two things would write the same output file '{path}'")
        self.made.add(path)
        if data is None:
            last = self.last.made[path]
            self.links.keep(path, self.last.load(path))
            if self.library.site.search and len(last) > 2 and last[2]:
                self.indexed.known(path, bytes.fromhex(last[2]), last[3], self.last.load(path))
            self.keys[path] = last
            self.last.keep(path)
            return
        self.links.add(path, data)
        if name is not None:
            self.keys[path] = [name, [] if reads is None else reads]
        if self.library.site.search and search.is_indexed(path, data):
            self.indexed[path] = data
            if name is not None:
                self.keys[path] += [self.indexed.digest(path).hex(), search.html_lang(data)]
        self.sink(path, data)


# -- the steps ---------------------------------------------------------------------------


def load_content(run: Run) -> None:
    memo = StoryMemo(run.source / fingerprint.CACHE_FOLDER, engines.LOAD_ENGINE,
                     keep_file=run.options.cache == "write") \
        if run.options.cache != "off" else None
    run.content = load(run.source, run.problems, memo)
    for story, digest in memo.digests() if memo is not None else ():
        run.digests.remember(story, digest)
    if run.content is None:
        run.stopped = True
    elif run.options.base_url:
        site = run.content.site
        run.content = replace(run.content, site=replace(
            site, base_url=run.options.base_url.rstrip("/") + "/"))


def render_markdown(run: Run) -> None:
    """Every shown story's body as HTML, from the store or rendered (in a pool when many)."""
    bodies = list(dict.fromkeys(s.body for s in shown_stories(run.content, run.on,
                                                             run.options.drafts)))
    run.options.progress.start("rendering Markdown", len(bodies))
    names = [key(MARKDOWN_ENGINE, body) for body in bodies]
    for index, data in run.store.memoize("markdown", names, _render_body, bodies,
                                         run.options.jobs, run.options.pool_threshold):
        made = _unpack_body(data)
        if made is not None:          # a rejected body is rendered, and reported, by enrich
            html, words, opening = made
            run.rendered[bodies[index]], run.stats[html] = html, (words, opening)
    run.options.progress.done()


def enrich_library(run: Run) -> None:
    run.library = enrich(run.content, run.problems, run.on, drafts=run.options.drafts,
                         rendered=run.rendered, stats=run.stats)
    run.links = LinkChecker(run.library, run.store)


def attach_snippets(run: Run) -> None:
    """Each entry gets its snippets, composed once (in a pool when many are missing); those
    in the store are read only when a page or a check reads them (at ten thousand stories
    they are some 400 MB, and an edit rebuild needs a few)."""
    site, entries, store = run.library.site, run.library.entries, run.store
    words = each_entry_words(site, entries, run.library.catalog)
    items = [(site, entry, words[index]) for index, entry in enumerate(entries)]
    names = [key(SNIPPET_ENGINE, repr(snippet_inputs(*item))) for item in items]
    found, missing = {}, []
    for index, name in enumerate(names):
        if store.has("snippets", name):
            found[index] = Deferred(functools.partial(_stored_snippets, store, name,
                                                      items[index]))
        else:
            missing.append(index)
    made = store.memoize("snippets", [names[i] for i in missing], _compose,
                         [items[i] for i in missing], run.options.jobs,
                         run.options.pool_threshold)
    for position, data in made:
        found[missing[position]] = Deferred(functools.partial(_unpack_snippets, data))
    for index, snippets in found.items():
        # the key decides the posts (it is made of all they are made from): its digest
        # stands for theirs, whether they were read, made now or not read at all
        run.digests.remember(snippets, hashlib.sha256(b"snippets\0" + names[index].encode())
                             .digest())
    run.library = _with_entries(run.library, tuple(
        replace(entry, snippets=found[index]) for index, entry in enumerate(entries)))


def run_checks(run: Run) -> None:
    """CHECKS over the whole content; the checks of each story from the store when what
    they read is unchanged, and the near-identical check across them from what the last
    build kept of it (social/alike.py)."""
    for check in CHECKS:
        run.problems.extend(check(run.content, run.library))
    site, entries, digests = run.library.site, run.library.entries, run.digests
    catalog = run.library.catalog
    common = key(SNIPPET_ENGINE, digests.of(site))
    # a story's checks read the post words of its language (one PostWords per language)
    words = each_entry_words(site, entries, catalog)
    # a story is checked without its related stories (no check reads them), so that an
    # edit of one story does not check again every story that relates to it
    checked = [replace(entry, related=()) for entry in entries]
    names = [key(common, digests.of(entry), digests.of(said))
             for entry, said in zip(checked, words)]
    # in this process: a worker reading every entry's posts would copy most of its memory
    for _, data in run.store.memoize("checks", names, _check_entry,
                                     [(site, entry, catalog) for entry in checked],
                                     keep=_always):
        run.problems.extend(_unpack_problems(data))
    if run.options.cache == "off":
        run.problems.extend(check_near_identical(site, entries))
    else:       # kept between builds: only the stories whose posts changed are read
        run.problems.extend(alike.remembered_near_identical(
            site, [e for e in entries if e.published], run.source / fingerprint.CACHE_FOLDER,
            key(SNIPPET_ENGINE, alike.ENGINE), lambda entry: digests.of(entry.snippets),
            keep_file=run.options.cache == "write"))
    run.stopped = run.problems.has_errors


def clean_images(run: Run) -> None:
    """Re-encode every picture the pages use (no metadata, upright, resized).

    A picture whose file is as the last build found it (remembered.FileStates), whose
    outputs are all in place, and that no card draws, is neither read nor taken from the
    store: the pages need only its sizes, which are kept with its key."""
    library = run.library
    drawn = {p.photo.path for p in library.profiles if p.photo} | {
        e.image.path for e in library.entries if e.image}
    memo = FileStates(run.source / fingerprint.CACHE_FOLDER / "images.json", IMAGE_ENGINE,
                      keep_file=run.options.cache == "write") \
        if run.options.cache != "off" and run.last is not None else None
    for image in library.images:
        path = relative_path(library.site.source, image.source)
        sizes = f"{image.path}|{image.max_width}|{image.widths}|{image.square}"
        kept = memo.find(image.source, sizes) if memo is not None else None
        if kept is not None and image.path not in drawn:
            name, shape = kept
            picture = Picture(b"", *shape[0], tuple(Picture(b"", *s) for s in shape[1:]))
            outputs = _picture_outputs(run, image.path, picture)
            if all(run.unchanged(path, key(name, path)) for path, _ in outputs):
                run.pictures[image.path] = picture
                for path, _ in outputs:
                    run.emit(path, None, key(name, path))
                continue
        was = state(image.source)
        try:
            raw = image.source.read_bytes()
            picture = cleaned(run.store, raw, image.max_width, image.widths, image.square)
        except BadImage as exc:
            run.problems.error(path, 1, str(exc))
            continue
        except OSError as exc:
            run.problems.error(path, 1, f"cannot read the image: {exc.strerror}")
            continue
        # only a picture that a card draws is kept with its bytes, until the cards
        run.pictures[image.path] = picture if image.path in drawn else picture.sizes()
        name = picture_key(raw, image.max_width, image.widths, image.square)
        for path, made in _picture_outputs(run, image.path, picture):
            name_of = key(name, path)
            run.emit(path, None if run.unchanged(path, name_of) else made.data, name_of)
        if memo is not None:
            memo.keep(sizes, was, [name, [[p.width, p.height]
                                          for p in (picture, *picture.copies)]])
    if memo is not None:
        memo.save()


def _picture_outputs(run: Run, path: str, picture: Picture) -> list[tuple[str, Picture]]:
    """The output files of a cleaned picture: itself, unless static/ holds it (it is
    copied from there), and each smaller copy."""
    outputs = [(copy_path(path, copy.width), copy) for copy in picture.copies]
    if path not in run.static:
        outputs.insert(0, (path, picture))
    return outputs


def last_build(run: Run) -> None:
    """What the last good build made, for the steps from here on, which make outputs and
    may keep its own (the walk of the output it needs went on meanwhile: build)."""
    if run.find_last is not None:
        run.last = run.find_last()


def copy_static(run: Run) -> None:
    """static/ of the default theme, then of the site, which wins on a name clash."""
    files = run.static
    seen = set()
    theme_script = render.DEFAULT_THEME / STATIC_FOLDER / LIVE_SCRIPT
    for folder in [render.DEFAULT_THEME / STATIC_FOLDER, run.source / STATIC_FOLDER]:
        if not folder.is_dir() or folder.resolve() in seen:
            continue
        seen.add(folder.resolve())
        for file in sorted(folder.rglob("*")):
            if file.is_dir() or file.name.startswith(".") or file == theme_script:
                continue
            relative = f"{STATIC_FOLDER}/{file.relative_to(folder).as_posix()}"
            if file.is_symlink():
                run.problems.error(relative, 1, "symbolic links are not allowed in static/; "
                                   "copy the file")
                continue
            data = file.read_bytes()
            if file.suffix.lower() in IMAGE_SUFFIXES:
                try:
                    data = cleaned(run.store, data, 4096).data
                except BadImage as exc:
                    run.problems.error(relative, 1, str(exc))
                    continue
            files[relative] = data
    for path, data in files.items():
        name = hashlib.sha256(data).hexdigest()
        run.emit(path, None if run.unchanged(path, name) else data, name)


def draw_cards(run: Run) -> None:
    run.options.progress.start("drawing share cards", 2 * len(run.library.entries))
    cards = sharekit.make_cards(run.library, run.pictures, run.store, run.emit,
                                run.options.jobs, min(run.options.pool_threshold,
                                                      sharekit.CARD_POOL_THRESHOLD),
                                engines.CARD_ENGINE, unchanged=run.unchanged)
    run.pictures.update(cards)          # pages give og:image its width and height
    for path, picture in run.pictures.items():      # and need nothing but sizes
        run.pictures[path] = picture.sizes()
    run.options.progress.done()


def render_pages(run: Run) -> None:
    env = render.make_environment(run.library.site.source, run.store)
    renderer = render.Renderer(run.library, env, run.pictures, run.store,
                               engines.PAGE_ENGINE, run.digests,
                               run.last.made if run.last else None,
                               run.last.out if run.last else None)
    progress = run.options.progress
    progress.start("rendering", len(run.library.entries) + len(run.library.profiles))
    if run.options.jobs > 1 and run.store.shared_with_forks \
            and len(run.library.entries) > run.options.pool_threshold:
        renderer.share(PAGE_STEPS)        # half the pages in a forked helper
    try:
        for step in RENDER_STEPS:
            for path, data in step(renderer):
                if data is render.THEIRS:
                    path, data = renderer.theirs(path)
                run.emit(path, data, *renderer.made.get(path, (None, None)))
                progress.advance()
    finally:
        renderer.stop_sharing()
    progress.done()


def index_search(run: Run) -> None:
    """The Pagefind index of the story and person pages just rendered (search.py)."""
    if run.library.site.search:
        for path, name, data in search.index_site(run.library.site, run.indexed, run.store,
                                                  run.problems, run.unchanged):
            run.emit(path, data, name)


def check_links(run: Run) -> None:
    # A remade search part's files go, as they are named by their bytes; no page links
    # to them, so that is no reason to read every kept page again
    before = [path for path in run.last.made if not search.fetched_only(path)] \
        if run.last else ()
    run.problems.extend(run.links.problems(before))


STEPS: list[Callable[[Run], None]] = [load_content, render_markdown, enrich_library,
                                      attach_snippets, run_checks, last_build, copy_static,
                                      clean_images, draw_cards, render_pages, index_search,
                                      check_links]


# -- building ----------------------------------------------------------------------------


def generate(source: Path, options: Options | None = None,
             sink: Callable[[str, bytes | Iterable[bytes]], None] | None = None,
             store: Store | None = None, last: Callable[[], Last] | None = None,
             **settings) -> Result:
    """Run every step; output files go to `sink` as they are made (each file whole, or
    a big one as an iterable of its parts: see `whole`), or, without one, into
    Result.files. Nothing else is written but the store (Options.cache says whether).
    With `last` (and a sink), which finds the last good build once no output is made
    yet, an output made from the same key as its is given to Last.keep instead;
    Result.made says from what each output was made.

    Options may be given whole or by name: generate(source, drafts=True).
    """
    options = options or Options(**settings)
    files: dict[str, bytes] = {}
    if sink is None:
        last = None                 # files kept unread are only for a sink that keeps them
        sink = whole(files.__setitem__)
    if store is None:
        store = Store.for_site(Path(source), enabled=options.cache != "off",
                               read_only=options.cache == "read")
    run = Run(Path(source), options, store, sink, find_last=last)
    # The collector's passes took 2 of 7 s of an edit at ten thousand stories: what the
    # steps made lives to the end of the build, so it need not be looked at again, and
    # the build makes few cycles, so it is looked for less often (0.65 -> 0.15 s)
    thresholds = gc.get_threshold()
    gc.set_threshold(*COLLECTING)
    try:
        for step in STEPS:
            step(run)
            if run.stopped:
                break
            gc.freeze()
    finally:
        gc.unfreeze()       # the pools froze what they found too (store.py)
        gc.set_threshold(*thresholds)
    return Result(run.problems.sorted(), run.library, files,
                  pages=sum(path.endswith(".html") for path in run.made),
                  site=run.library.site if run.library else None, pictures=run.pictures,
                  made=run.keys)


def build(source: Path, out: Path, options: Options | None = None, inputs: str | None = None,
          **settings) -> Result:
    """Generate the site into `out`, streamed through the writer, which swaps it into
    place only when there are no errors; skipped when no input changed since the last
    build (then nothing is written at all). `inputs`: fingerprint.build_inputs of this
    build, when the caller just took it (commands/quick.py)."""
    started = time.perf_counter()
    options = options or Options(**settings)
    source, out = Path(source).resolve(), Path(out).resolve()
    folder = source / fingerprint.CACHE_FOLDER
    if options.cache != "write":
        inputs = ""
    elif inputs is None:
        inputs = fingerprint.build_inputs(source, out, options.drafts, options.on or today(),
                                          options.base_url)
        record = fingerprint.unchanged(folder, inputs, out)
        if record is not None:
            return Result(record["problems"],
                          report=WriteReport(0, fingerprint.recorded_files(record), 0),
                          pages=record["pages"], stories=record["stories"],
                          seconds=time.perf_counter() - started,
                          site=load_site(source, Problems()))
    # The site swapped out is kept in the cache folder, for the next build to update
    spare = folder / SPARE_FOLDER / key(str(out))[:16] if options.cache == "write" else None
    writer = SiteWriter(out, spare=spare)       # walks `out` meanwhile

    def last() -> Last:
        # The walk is taken after the writer's lock: no other build swaps `out` meanwhile
        made, token = fingerprint.last_made(folder, out, writer.found)
        writer.trust(token)
        return Last(made, out, writer.keep)
    try:
        result = generate(source, options, sink=writer.add,
                          last=last if options.cache == "write" else None)
        if result.ok:
            result.report = writer.commit()
    finally:
        writer.discard()
    if result.ok and options.cache == "write":
        fingerprint.save(folder, inputs, out, result.problems, len(result.library.entries),
                         result.pages, result.made, writer.listing, writer.token)
    result.seconds = time.perf_counter() - started
    return result


def preview_story(source: Path, relative: str, last: Result, store: Store,
                  env: jinja2.Environment | None = None) -> tuple[str, bytes] | None:
    """The page of one edited story, rendered against the library of the last good build
    (`last`): what serve shows first after a save, a moment before the whole site is
    built again (which also updates the lists, feeds and related boxes that show it).

    Only for an edit that leaves the story where it was: the same author, date, slug,
    tags, team, picture and draft flag, loading without any problem; else None, and the
    whole build shows the change. `env`: the templates of the last build, compiled once
    (render.make_environment), for a caller that previews often."""
    library = last.library
    old = next((e for e in library.entries if e.story.path == relative), None) \
        if library is not None and last.ok else None
    if old is None:
        return None
    problems = Problems()
    story, usable = load_story(Path(source).resolve(), Path(source, relative),
                               {old.author.id: old.author}, problems,
                               library.site.guidelines.require_image_alt,
                               library.site.published_languages)
    if story is None or not usable or problems.sorted() or any(
            getattr(story, name) != getattr(old.story, name) for name in
            ("author", "date", "slug", "tags", "team", "image", "draft", "bundle", "lang")):
        return None
    html = markup.render_if_safe(story.body)
    if html is None:
        return None
    site = library.site
    entry = replace(make_entry(site, story, old.author, html, old.published, text_stats(html)),
                    image=old.image, tags=old.tags, team_term=old.team_term,
                    related=old.related, snippets=old.snippets)
    words = entry_words(site, entry, library.catalog)
    if snippet_inputs(site, entry, words) != snippet_inputs(site, old, words):
        entry = replace(entry, snippets=compose_snippets(site, entry, words))
    entries = list(library.entries)      # found by identity: == compares every field
    entries[next(n for n, e in enumerate(entries) if e is old)] = entry
    renderer = render.Renderer(_with_entries(library, tuple(entries)),
                               env or render.make_environment(site.source), last.pictures,
                               store, engines.PAGE_ENGINE)
    # newer and older as the whole build links them: among the stories of its language
    told = [e for e in entries if e.language == entry.language]
    at = next(n for n, e in enumerate(told) if e is entry)
    return renderer.page(render.STORY_TEMPLATE, render.story_page(entry, library.catalog),
                         entry=entry, newer=told[at - 1] if at else None,
                         older=told[at + 1] if at + 1 < len(told) else None,
                         alternates=entry.alternates)


# -- what the store is handed: plain functions, and how their results are kept ------------


def picture_key(raw: bytes, max_width: int, widths: tuple[int, ...] = (),
                square: bool = False) -> str:
    """What decides a cleaned picture: the image's bytes and the sizes asked of it."""
    sizes = f"{max_width}|{','.join(map(str, widths))}|{'square' if square else 'keep'}"
    return key(IMAGE_ENGINE, sizes, raw)


def cleaned(store: Store, raw: bytes, max_width: int, widths: tuple[int, ...] = (),
            square: bool = False) -> Picture:
    """images.clean_image, remembered by the image's bytes and the sizes asked of it."""
    name = picture_key(raw, max_width, widths, square)
    picture = _unpack_picture(store.get("images", name))
    if picture is None:
        picture = clean_image(raw, max_width, widths, square)
        store.put("images", name, _pack_picture(picture))
    return picture


# A Markdown entry is "words NUL opening NUL html" (loading refuses NUL bytes, so none is
# in the text); empty when markup.bound_problems rejects the body's shape.
def _render_body(body: str) -> bytes:
    html = markup.render_if_safe(body)
    if html is None:
        return b""
    words, opening = text_stats(html)
    return f"{words}\0{opening}\0{html}".encode("utf-8")


def _unpack_body(data: bytes) -> tuple[str, int, str] | None:
    try:
        words, opening, html = data.decode("utf-8").split("\0", 2)
        return html, int(words), opening
    except ValueError:
        return None


def _compose(item) -> bytes:
    made = compose_snippets(*item)
    return json.dumps({name: [list(vars(s).values()) for s in found]
                       for name, found in made.items()}, ensure_ascii=False).encode("utf-8")


def _check_entry(item) -> bytes:
    site, entry, catalog = item
    return _pack_problems([p for check in ENTRY_CHECKS for p in check(site, entry, catalog)])


def _pack_problems(problems: list[Problem]) -> bytes:
    return json.dumps([list(vars(p).values()) for p in problems],
                      ensure_ascii=False).encode("utf-8")


def _unpack_problems(data: bytes) -> list[Problem]:
    return [Problem(*fields) for fields in json.loads(data)]


def _always(data: bytes) -> bool:
    return True                 # an empty list of problems is worth keeping too


def _stored_snippets(store: Store, name: str, item):
    """A story's posts from the store, or composed again when their entry is damaged."""
    data = store.get("snippets", name)
    if data is None:
        data = _compose(item)
        store.put("snippets", name, data)
    return _unpack_snippets(data)


def _unpack_snippets(data: bytes):
    return {name: tuple(Snippet(*fields) for fields in found)
            for name, found in json.loads(data).items()}


def whole(sink: Callable[[str, bytes], None]) -> Callable[[str, bytes | Iterable[bytes]], None]:
    """A sink for `generate` made of one that takes each file whole (a file may come as
    its parts: Run.emit)."""
    def take(path: str, data: bytes | Copy | Iterable[bytes | Copy]) -> None:
        if isinstance(data, Copy):
            data = [data]
        sink(path, data if isinstance(data, bytes) else b"".join(
            part.read() if isinstance(part, Copy) else part for part in data))
    return take


def _with_entries(library: Library, entries: tuple) -> Library:
    by_slug = {entry.slug: entry for entry in entries}
    return replace(library, entries=entries, by_slug=by_slug)


# An image entry is the picture then each of its copies, each as width, height, length
# (4 bytes each, big-endian) and its bytes.
def _pack_picture(picture: Picture) -> bytes:
    return b"".join(p.width.to_bytes(4, "big") + p.height.to_bytes(4, "big")
                    + len(p.data).to_bytes(4, "big") + p.data
                    for p in (picture, *picture.copies))


def _unpack_picture(data: bytes | None) -> Picture | None:
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
        pictures.append(Picture(body, width, height))
        offset += 12 + size
    first, *copies = pictures
    return Picture(first.data, first.width, first.height, tuple(copies))
