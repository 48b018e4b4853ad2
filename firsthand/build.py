"""The build: load, enrich, render, write, in that order, each stage once."""

from __future__ import annotations

import datetime as dt
import stat
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

import jinja2
import yaml

from . import render, search, sharekit
from .cards import fonts_in_use
from . import fingerprint
from .cache import FOLDER as CACHE_FOLDER
from .cache import (CARD_ENGINE, CARD_POOL_THRESHOLD, IMAGE_ENGINE, MARKDOWN_ENGINE,
                    POOL_THRESHOLD, SNIPPET_ENGINE, Cache, compose_snippets,
                    render_bodies)
from .cache import clean_image as cached_clean_image
from .checks import CHECKS
from .enrich import Library, enrich, shown_stories, today
from .images import BadImage, Picture, copy_path
from .links import LinkChecker
from .load import IMAGE_SUFFIXES, load, relative_path
from .problems import Problem, Problems
from .progress import Progress
from .write import SiteWriter, WriteReport, write_site

STATIC_FOLDER = "static"


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

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems)


def generate(source: Path, drafts: bool = False, on: dt.date | None = None,
             base_url: str | None = None, progress: Progress | None = None,
             jobs: int = 1, cache: bool | str = True, pool_threshold: int = POOL_THRESHOLD,
             sink: Callable[[str, bytes], None] | None = None,
             rendered: dict | None = None) -> Result:
    """Load and render a whole site in memory; nothing is written but the cache.

    Rendered Markdown and cleaned images are kept in SOURCE/.firsthand-cache/ (cache=False:
    neither read nor kept; cache="read": read, never written). With jobs > 1, more than
    `pool_threshold` bodies missing from the cache are rendered in that many processes.
    With a sink, each output file is passed to it as it is made and Result.files stays
    empty. `rendered` is a {Markdown: HTML} memo a caller keeps across calls (serve), so
    that unchanged stories are not even looked up again.
    """
    progress = progress or Progress(quiet=True)
    problems = Problems()
    content = load(Path(source), problems)
    if content is None:
        return Result(problems.sorted())
    if base_url:
        content = replace(content, site=replace(content.site,
                                                base_url=base_url.rstrip("/") + "/"))
    on = on or today()
    store = Cache.for_site(content.site.source, enabled=bool(cache),
                           read_only=cache == "read")
    memo = rendered if rendered is not None else {}
    bodies = [s.body for s in shown_stories(content, on, drafts) if s.body not in memo]
    progress.start("rendering Markdown", len(bodies))
    fresh, stats = render_bodies(bodies, store, jobs=jobs, threshold=pool_threshold)
    memo.update(fresh)
    progress.done()
    library = enrich(content, problems, on, drafts=drafts, rendered=memo, stats=stats)
    compose_snippets(library.site, library.entries, store, jobs, pool_threshold)
    for check in CHECKS:
        problems.extend(check(content, library))
    if problems.has_errors:
        return Result(problems.sorted(), library)
    files: dict[str, bytes] = {}
    made: set[str] = set()
    links = LinkChecker(library)
    indexed = search.Pages()            # the pages the search index is made from

    def emit(path: str, data: bytes) -> None:
        if path in made:
            problems.error(path, 1, f"two things would write the same output file '{path}'")
        made.add(path)
        links.add(path, data)
        if library.site.search and search.is_indexed(path, data):
            indexed[path] = data
        if sink is None:
            files[path] = data
        else:
            sink(path, data)

    found: dict[str, bytes] = {}
    pictures = process_images(library, problems, found, store)
    add_static(library.site.source, found, problems, store)
    for path, data in found.items():
        emit(path, data)
    found.clear()
    progress.start("drawing share cards", 2 * len(library.entries))
    cards = sharekit.make_cards(library, pictures, store, emit, jobs,
                                min(pool_threshold, CARD_POOL_THRESHOLD))
    progress.done()
    pictures.update(cards)              # pages give og:image its width and height
    env = render.make_environment(library.site.source)
    renderer = render.Renderer(library, env, pictures)
    progress.start("rendering", len(library.entries) + len(library.profiles))
    for step in render.RENDER_STEPS:
        for path, data in step(renderer):
            emit(path, data)
            progress.advance()
    progress.done()
    if library.site.search:
        for path, data in search.index_site(library.site, indexed, store, problems).items():
            emit(path, data)
    problems.extend(links.problems())
    return Result(problems.sorted(), library, files,
                  pages=sum(path.endswith(".html") for path in made))


def build(source: Path, out: Path, drafts: bool = False, on: dt.date | None = None,
          base_url: str | None = None, progress: Progress | None = None,
          jobs: int = 1, cache: bool = True, pool_threshold: int = POOL_THRESHOLD,
          keep_files: bool = True) -> Result:
    """Generate the site and, only when there are no errors, swap it into `out`.

    keep_files=False hands each file to the writer as soon as it is rendered instead of
    keeping them all in Result.files: a large site then needs a fraction of the memory.
    """
    started = time.perf_counter()
    options = dict(drafts=drafts, on=on, base_url=base_url, progress=progress, jobs=jobs,
                   cache=cache, pool_threshold=pool_threshold)
    if keep_files:
        result = generate(source, **options)
        if result.ok:
            result.report = write_site(result.files, out)
    else:
        result = _build_unless_unchanged(Path(source).resolve(), Path(out).resolve(), options)
    result.seconds = time.perf_counter() - started
    return result


def _build_unless_unchanged(source: Path, out: Path, options: dict) -> Result:
    """Stream the build into `out`; skip it when no input changed since the last one."""
    folder = source / CACHE_FOLDER
    inputs = ""
    if options["cache"]:
        on = options["on"] or today()
        inputs = fingerprint.inputs(source, out, render.DEFAULT_THEME, {
            "drafts": options["drafts"], "on": on, "base_url": options["base_url"],
            "engine": [MARKDOWN_ENGINE, IMAGE_ENGINE, CARD_ENGINE, SNIPPET_ENGINE,
                       fonts_in_use(), jinja2.__version__, yaml.__version__,
                       search.SEARCH_ENGINE]})
        record = fingerprint.unchanged(folder, inputs, out)
        if record is not None:
            files = sum(not stat.S_ISDIR(entry[0]) for entry in record["outputs"].values())
            return Result(record["problems"], report=WriteReport(0, files, 0),
                          pages=record["pages"], stories=record["stories"])
    writer = SiteWriter(out)
    try:
        result = generate(source, sink=writer.add, **options)
        if result.ok:
            result.report = writer.commit()
    finally:
        writer.discard()
    if result.ok and options["cache"]:
        fingerprint.save(folder, inputs, out, result.problems, len(result.library.entries),
                         result.pages)
    return result


def process_images(library: Library, problems: Problems, files: dict[str, bytes],
                   store: Cache | None = None) -> dict[str, Picture]:
    """Re-encode every picture the pages use (no metadata, upright, resized)."""
    pictures = {}
    store = store or Cache(None)
    for image in library.images:
        path = relative_path(library.site.source, image.source)
        try:
            picture = cached_clean_image(image.source.read_bytes(), image.max_width, store,
                                         image.widths, image.square)
        except BadImage as exc:
            problems.error(path, 1, str(exc))
            continue
        except OSError as exc:
            problems.error(path, 1, f"cannot read the image: {exc.strerror}")
            continue
        pictures[image.path] = picture
        files[image.path] = picture.data
        for copy in picture.copies:
            files[copy_path(image.path, copy.width)] = copy.data
    return pictures


def add_static(source: Path, files: dict[str, bytes], problems: Problems,
               store: Cache | None = None) -> None:
    """Copy static/ of the default theme, then of the site, which wins on a name clash."""
    store = store or Cache(None)
    folders = [render.DEFAULT_THEME / STATIC_FOLDER, source / STATIC_FOLDER]
    seen = {}
    for folder in folders:
        if not folder.is_dir() or folder.resolve() in seen:
            continue
        seen[folder.resolve()] = True
        for file in sorted(folder.rglob("*")):
            if file.is_dir() or file.name.startswith("."):
                continue
            relative = file.relative_to(folder).as_posix()
            if file.is_symlink():
                problems.error(f"{STATIC_FOLDER}/{relative}", 1,
                               "symbolic links are not allowed in static/; copy the file")
                continue
            data = file.read_bytes()
            if file.suffix.lower() in IMAGE_SUFFIXES:
                try:
                    data = cached_clean_image(data, 4096, store).data
                except BadImage as exc:
                    problems.error(f"{STATIC_FOLDER}/{relative}", 1, str(exc))
                    continue
            files[f"{STATIC_FOLDER}/{relative}"] = data
