"""`python build.py build` when nothing changed since the last build, without the engine.

The whole command line (cli.py) imports every library the engine uses, which takes
longer than the check itself. This module needs only the standard library and the
build record (output/fingerprint.py): when a plain build finds its record unchanged, it
prints what the recorded build printed and stops; in every other case (another command,
--help, an argument to complain about, anything changed) it returns None and the
root build.py hands the same arguments to cli.main, which builds as always.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from firsthand.content.day import today
from firsthand.content.problems import Problem, format_problems
from firsthand.output import fingerprint
from firsthand.output.write import WriteReport


class _Unsure(Exception):
    """The arguments are not a plain build this module can answer for."""


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise _Unsure(message)


def source_argument(command: argparse.ArgumentParser) -> None:
    command.add_argument("--source", type=Path, default=Path("."),
                         help="the site's folder, holding site.yaml (default: here)")


def jobs(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of at least 1, got '{text}'")
    return value


def build_arguments(command: argparse.ArgumentParser) -> None:
    """The options of `build` (cli.make_parser's build command is made by this)."""
    source_argument(command)
    command.add_argument("--out", type=Path, help="output folder (default: SOURCE/site)")
    command.add_argument("--base-url", help="build for another address than site.yaml's")
    command.add_argument("--drafts", action="store_true",
                         help="also build drafts, future-dated stories and those of "
                              "people who left (for previews)")
    command.add_argument("--jobs", type=jobs, default=os.cpu_count() or 1, metavar="N",
                         help="processes for Markdown, snippets and cards (one per "
                              "core by default); above 1, pages render in two")
    command.add_argument("--quiet", action="store_true", help="print only problems")


def summary(result, out: Path, source: Path) -> str:
    """The line a finished build prints (a build.Result, or an unchanged one)."""
    library, report = result.library, result.report
    pages = result.pages
    try:
        where = out.relative_to(Path.cwd())
    except ValueError:
        where = out
    warnings = sum(not p.is_error for p in result.problems)
    stories = len(library.entries) if library else result.stories
    return (f"Built {stories} stories, {pages} pages in {result.seconds:.2f} s "
            f"({report.written} files written, {report.unchanged} unchanged, "
            f"{report.removed} removed; {warnings} warning{'s' * (warnings != 1)}) → {where}/")


class Unchanged:
    """What a build found unchanged reports: the recorded build's problems and counts."""

    library = None

    def __init__(self, record: dict, seconds: float):
        self.problems: list[Problem] = record["problems"]
        self.pages, self.stories, self.seconds = record["pages"], record["stories"], seconds
        self.report = WriteReport(0, fingerprint.recorded_files(record), 0)


def unchanged_build(argv: list[str]) -> tuple[int | None, str | None]:
    """(the exit status of `build` with these arguments when nothing changed, else None;
    the inputs' fingerprint it took, for the build to use instead of walking them again,
    or None when it took none)."""
    started = time.perf_counter()
    argv = list(argv)
    if not argv or argv[0].startswith("-"):
        argv.insert(0, "build")
    if argv[0] != "build" or any(a in ("-h", "--help") for a in argv):
        return None, None
    parser = _Parser(prog="python build.py build", add_help=False)
    build_arguments(parser)
    try:
        args = parser.parse_args(argv[1:])
    except _Unsure:
        return None, None                     # cli.py says what is wrong
    source = args.source.resolve()
    out = (args.out or source / "site").resolve()
    if not (source / "site.yaml").is_file() or out == source or out in source.parents \
            or (out / "site.yaml").exists():
        return None, None
    inputs = fingerprint.build_inputs(source, out, args.drafts, today(), args.base_url)
    record = fingerprint.unchanged(source / fingerprint.CACHE_FOLDER, inputs, out)
    if record is None:
        return None, inputs
    result = Unchanged(record, time.perf_counter() - started)
    if result.problems:
        print(format_problems(result.problems), file=sys.stderr)
    if not args.quiet:
        print(summary(result, out, source))
    return 0, inputs
