"""The build: load, enrich, render, write, in that order, each stage once."""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from . import render
from .checks import CHECKS
from .enrich import Library, enrich, today
from .images import BadImage, Picture, clean_image, copy_path
from .links import check_links
from .load import IMAGE_SUFFIXES, load, relative_path
from .problems import Problem, Problems
from .progress import Progress
from .write import WriteReport, write_site

STATIC_FOLDER = "static"


@dataclass
class Result:
    """What a build or a check found and did."""

    problems: list[Problem]
    library: Library | None = None
    files: dict[str, bytes] = field(default_factory=dict)
    report: WriteReport | None = None
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not any(p.is_error for p in self.problems)


def generate(source: Path, drafts: bool = False, on: dt.date | None = None,
             base_url: str | None = None, progress: Progress | None = None,
             rendered: dict | None = None) -> Result:
    """Load and render a whole site in memory; nothing is written.

    `rendered` is a {Markdown: HTML} memo kept across calls (serve) so that
    unchanged stories are not rendered again.
    """
    progress = progress or Progress(quiet=True)
    problems = Problems()
    content = load(Path(source), problems)
    if content is None:
        return Result(problems.sorted())
    if base_url:
        content = replace(content, site=replace(content.site,
                                                base_url=base_url.rstrip("/") + "/"))
    library = enrich(content, problems, on or today(), drafts=drafts, rendered=rendered)
    for check in CHECKS:
        problems.extend(check(content, library))
    if problems.has_errors:
        return Result(problems.sorted(), library)
    files: dict[str, bytes] = {}
    pictures = process_images(library, problems, files)
    env = render.make_environment(library.site.source)
    renderer = render.Renderer(library, env, pictures)
    add_static(library.site.source, files, problems)
    progress.start("rendering", len(library.entries) + len(library.profiles))
    for step in render.RENDER_STEPS:
        for path, data in step(renderer):
            if path in files:
                problems.error(path, 1, f"two things would write the same output file '{path}'")
            files[path] = data
            progress.advance()
    progress.done()
    problems.extend(check_links(files, library))
    return Result(problems.sorted(), library, files)


def build(source: Path, out: Path, drafts: bool = False, on: dt.date | None = None,
          base_url: str | None = None, progress: Progress | None = None) -> Result:
    """Generate the site and, only when there are no errors, swap it into `out`."""
    started = time.perf_counter()
    result = generate(source, drafts=drafts, on=on, base_url=base_url, progress=progress)
    if result.ok:
        result.report = write_site(result.files, out)
    result.seconds = time.perf_counter() - started
    return result


def process_images(library: Library, problems: Problems,
                   files: dict[str, bytes]) -> dict[str, Picture]:
    """Re-encode every picture the pages use (no metadata, upright, resized)."""
    pictures = {}
    for image in library.images:
        path = relative_path(library.site.source, image.source)
        try:
            picture = clean_image(image.source.read_bytes(), image.max_width, image.widths,
                                  image.square)
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


def add_static(source: Path, files: dict[str, bytes], problems: Problems) -> None:
    """Copy static/ of the default theme, then of the site, which wins on a name clash."""
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
                    data = clean_image(data, 4096).data
                except BadImage as exc:
                    problems.error(f"{STATIC_FOLDER}/{relative}", 1, str(exc))
                    continue
            files[f"{STATIC_FOLDER}/{relative}"] = data
