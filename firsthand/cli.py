"""The command line: `python build.py [command] ...`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .build import Result, build, generate
from .problems import format_problems
from .model import PLATFORMS
from .progress import Progress

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2
COMMANDS = ("build", "check")


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python build.py",
        description="Build a site of employee stories, with share-ready snippets.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    build_cmd = commands.add_parser("build", help="build the site into SOURCE/site (default)")
    _source(build_cmd)
    build_cmd.add_argument("--out", type=Path, help="output folder (default: SOURCE/site)")
    build_cmd.add_argument("--base-url", help="build for another address than site.yaml's")
    build_cmd.add_argument("--drafts", action="store_true",
                           help="also build drafts, future-dated stories and those of "
                                "people who left (for previews)")
    build_cmd.add_argument("--quiet", action="store_true", help="print only problems")

    check_cmd = commands.add_parser("check", help="report every problem; write nothing")
    _source(check_cmd)
    check_cmd.add_argument("--format", choices=("text", "github", "json"), default="text")
    check_cmd.add_argument("--drafts", action="store_true", help="check drafts as published")

    snippets_cmd = commands.add_parser("snippets", help="print a story's share snippets")
    snippets_cmd.add_argument("slug", metavar="SLUG", help="the story's slug, like night-shift")
    snippets_cmd.add_argument("--platform", choices=PLATFORMS, metavar="NAME",
                              help=f"only this platform ({', '.join(PLATFORMS)})")
    _source(snippets_cmd)
    return parser


def _source(command: argparse.ArgumentParser) -> None:
    command.add_argument("--source", type=Path, default=Path("."),
                         help="the site's folder, holding site.yaml (default: here)")


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help"):
        argv.insert(0, "build")
    parser = make_parser()
    args = parser.parse_args(argv)
    handler = {"build": run_build, "check": run_check, "snippets": run_snippets}[args.command]
    return handler(args, parser)


def run_build(args, parser) -> int:
    source = args.source.resolve()
    out = (args.out or source / "site").resolve()
    if not (source / "site.yaml").is_file():
        parser.error(f"no site.yaml in {source}; pass --source with the site's folder")
    if out == source or out in source.parents or (out / "site.yaml").exists():
        parser.error(f"--out {out} would overwrite the site's own files; choose an empty "
                     "folder or the default SOURCE/site")
    progress = Progress(quiet=args.quiet)
    result = build(source, out, drafts=args.drafts, base_url=args.base_url, progress=progress)
    _print_problems(result)
    if not result.ok:
        print(f"Build failed: {_count(result)}. {out} was left as it was.", file=sys.stderr)
        return EXIT_CONTENT
    if not args.quiet:
        print(summary(result, out, source))
    return EXIT_OK


def summary(result: Result, out: Path, source: Path) -> str:
    library, report = result.library, result.report
    pages = sum(1 for path in result.files if path.endswith(".html"))
    try:
        where = out.relative_to(Path.cwd())
    except ValueError:
        where = out
    warnings = sum(not p.is_error for p in result.problems)
    return (f"Built {len(library.entries)} stories, {pages} pages in {result.seconds:.2f} s "
            f"({report.written} files written, {report.unchanged} unchanged, "
            f"{report.removed} removed; {warnings} warning{'s' * (warnings != 1)}) → {where}/")


def run_check(args, parser) -> int:
    source = args.source.resolve()
    if not (source / "site.yaml").is_file():
        parser.error(f"no site.yaml in {source}; pass --source with the site's folder")
    result = generate(source, drafts=args.drafts)
    if args.format == "json" or result.problems:
        print(format_problems(result.problems, args.format))
    if args.format == "text":
        print(f"{_count(result)}." if result.problems else "No problems found.",
              file=sys.stderr)
    return EXIT_OK if result.ok else EXIT_CONTENT


def run_snippets(args, parser) -> int:
    import difflib

    from .enrich import enrich, today
    from .load import load
    from .problems import Problems
    from .snippets import describe_snippets
    source = args.source.resolve()
    if not (source / "site.yaml").is_file():
        parser.error(f"no site.yaml in {source}; pass --source with the site's folder")
    problems = Problems()
    content = load(source, problems)
    library = enrich(content, problems, today(), drafts=True) if content else None
    if library is None or problems.has_errors:
        print(format_problems(problems.sorted()), file=sys.stderr)
        return EXIT_CONTENT
    entry = library.by_slug.get(args.slug)
    if entry is None:
        close = difflib.get_close_matches(args.slug, list(library.by_slug), n=1, cutoff=0.4)
        hint = f"; did you mean '{close[0]}'?" if close else \
            f" (known: {', '.join(sorted(library.by_slug)) or 'none'})"
        print(f"error: no story with the slug '{args.slug}'{hint}", file=sys.stderr)
        return EXIT_CONTENT
    names = [args.platform] if args.platform else list(library.site.social.platforms)
    print(describe_snippets(library.site, entry, names))
    return EXIT_OK


def _print_problems(result: Result) -> None:
    if result.problems:
        print(format_problems(result.problems), file=sys.stderr)


def _count(result: Result) -> str:
    errors = sum(p.is_error for p in result.problems)
    warnings = len(result.problems) - errors
    return f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
