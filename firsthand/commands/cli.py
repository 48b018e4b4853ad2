"""The command line: `python build.py [command] ...`."""

from __future__ import annotations

import argparse
import datetime as dt
import difflib
import json
import os
import sys
from pathlib import Path

from firsthand.commands import deploy, scaffold
from firsthand.commands.plan import plan_files, write_plan
from firsthand.commands.analytics import read_views
from firsthand.commands.announce import (
    CHATS, TIMEOUT, GitError, announce, chat_of, new_entries, payload, published_at,
    shown_url, story_of)
from firsthand.build import Result, build, generate
from firsthand.content.enrich import enrich, today
from firsthand.content.load import load
from firsthand.content.model import PLATFORMS
from firsthand.content.problems import Problems, format_problems
from firsthand.commands.progress import Progress
from firsthand.commands.quick import build_arguments, source_argument, summary
from firsthand.pages.render import make_environment
from firsthand.commands.report import (
    catalogue, figures, problem_lines, render_report, tally, write_report)
from firsthand.social.snippets import describe_snippets
from firsthand.output.write import WriteError

EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2
COMMANDS = ("build", "check", "init", "new", "new-person", "serve", "deploy")


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python build.py",
        description="Build a site of employee stories, with share-ready snippets.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    build_cmd = commands.add_parser("build", help="build the site into SOURCE/site (default)")
    build_arguments(build_cmd)

    check_cmd = commands.add_parser("check", help="report every problem; write nothing")
    source_argument(check_cmd)
    check_cmd.add_argument("--format", choices=("text", "github", "json"), default="text")
    check_cmd.add_argument("--drafts", action="store_true", help="check drafts as published")

    init_cmd = commands.add_parser("init", help="start a site of your own in a new folder")
    init_cmd.add_argument("folder", metavar="DIR", type=Path,
                          help="a new or empty folder for the site")

    new_cmd = commands.add_parser("new", help="start a new story (a draft) from today's date")
    new_cmd.add_argument("title", metavar="TITLE", help="the story's headline, in quotes")
    new_cmd.add_argument("--author", metavar="ID",
                         help="your id in people/ (not needed when there is only one person)")
    new_cmd.add_argument("--tags", default="", metavar="A,B", help="topics, comma-separated")
    source_argument(new_cmd)

    person_cmd = commands.add_parser("new-person", help="add a person: people/ID.yaml")
    person_cmd.add_argument("id", metavar="ID", help="lowercase-with-dashes, like ana-lindqvist")
    person_cmd.add_argument("--name", help="full name (default: from the id)")
    person_cmd.add_argument("--role", help="job title")
    person_cmd.add_argument("--consent", action="store_true",
                            help="they agreed today to be published (sets consent: TODAY)")
    source_argument(person_cmd)

    deploy_cmd = commands.add_parser("deploy", help="build and push the site to a git branch")
    deploy_cmd.add_argument("--remote", required=True,
                            help="a git remote's name (like origin) or URL")
    deploy_cmd.add_argument("--branch", default="gh-pages", help="default: gh-pages")
    deploy_cmd.add_argument("--allow-dirty", action="store_true",
                            help="deploy even with uncommitted changes in the site's folder")
    source_argument(deploy_cmd)

    serve_cmd = commands.add_parser("serve", help="preview the site; rebuild and reload on change")
    source_argument(serve_cmd)
    serve_cmd.add_argument("--host", default="127.0.0.1",
                           help="address to listen on (default: 127.0.0.1, this computer only)")
    serve_cmd.add_argument("--port", type=int, default=8000,
                           help="port to listen on (default: 8000; 0 picks a free one)")
    serve_cmd.add_argument("--drafts", action=argparse.BooleanOptionalAction, default=True,
                           help="show drafts and unpublished stories, marked (default: yes)")
    snippets_cmd = commands.add_parser("snippets", help="print a story's share snippets")
    snippets_cmd.add_argument("slug", metavar="SLUG", help="the story's slug, like night-shift")
    snippets_cmd.add_argument("--platform", choices=PLATFORMS, metavar="NAME",
                              help=f"only this platform ({', '.join(PLATFORMS)})")
    snippets_cmd.add_argument("--as", dest="sharer", metavar="PERSON",
                              help="the posts the share kit offers this person (an id from "
                                   "people/), their id in every link")
    source_argument(snippets_cmd)

    report_cmd = commands.add_parser(
        "report", help="count what the stories brought, from access logs or analytics exports")
    report_cmd.add_argument("analytics", nargs="+", type=Path, metavar="ANALYTICS",
                            help="access logs (common or combined, .gz too), a Plausible "
                                 "export (.zip or its CSVs) or a Matomo CSV export; a "
                                 "folder means every file in it")
    report_cmd.add_argument("--out", type=Path,
                            help="where the report goes (default: SOURCE/report; never "
                                 "inside site/)")
    report_cmd.add_argument("--since", type=_date, metavar="YYYY-MM-DD",
                            help="count only views on or after this day")
    source_argument(report_cmd)

    plan_cmd = commands.add_parser(
        "plan", help="suggest who shares which story when: a calendar (.ics) per person")
    plan_cmd.add_argument("--weeks", type=_weeks, default=4, metavar="N",
                          help="how far ahead to plan, in weeks (default: 4)")
    plan_cmd.add_argument("--out", type=Path,
                          help="where the plan goes (default: SOURCE/plan; never inside site/)")
    source_argument(plan_cmd)

    announce_cmd = commands.add_parser(
        "announce", help="post each story published since GIT_REF to a team chat's webhook")
    announce_cmd.add_argument("--since", required=True, metavar="GIT_REF",
                              help="the commit last announced or deployed, like HEAD~1")
    announce_cmd.add_argument("--webhook", metavar="URL",
                              help="the chat's incoming webhook (default: $CHAT_WEBHOOK; "
                                   "keep it secret)")
    announce_cmd.add_argument("--chat", choices=CHATS,
                              help="which chat the webhook is (default: told from its address)")
    announce_cmd.add_argument("--timeout", type=float, default=TIMEOUT, metavar="SECONDS",
                              help=f"wait this long for the webhook (default: {TIMEOUT:g})")
    announce_cmd.add_argument("--dry-run", action="store_true",
                              help="print the messages; post nothing")
    source_argument(announce_cmd)
    return parser


def _weeks(text: str) -> int:
    value = int(text) if text.isdigit() else 0
    if not 1 <= value <= 52:
        raise argparse.ArgumentTypeError(f"must be a number of weeks from 1 to 52, got '{text}'")
    return value


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a day as YYYY-MM-DD, got '{text}'") from None


def main(argv: list[str] | None = None, inputs: str | None = None) -> int:
    """Run the command line; `inputs`: the fingerprint of a build's inputs, taken a moment
    ago with these arguments (commands/quick.py), which the build then need not take."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0].startswith("-") and argv[0] not in ("-h", "--help"):
        argv.insert(0, "build")
    parser = make_parser()
    args = parser.parse_args(argv)
    handler = {"build": run_build, "check": run_check, "snippets": run_snippets,
               "init": run_init, "new": run_new,
               "new-person": run_new_person, "serve": run_serve,
               "deploy": run_deploy, "report": run_report,
               "plan": run_plan, "announce": run_announce}[args.command]
    if args.command == "build":
        return run_build(args, parser, inputs)
    return handler(args, parser)


def run_build(args, parser, inputs: str | None = None) -> int:
    source = args.source.resolve()
    out = (args.out or source / "site").resolve()
    if not (source / "site.yaml").is_file():
        parser.error(f"no site.yaml in {source}; pass --source with the site's folder")
    if out == source or out in source.parents or (out / "site.yaml").exists():
        parser.error(f"--out {out} would overwrite the site's own files; choose an empty "
                     "folder or the default SOURCE/site")
    progress = Progress(quiet=args.quiet)
    try:
        result = build(source, out, drafts=args.drafts, base_url=args.base_url,
                       progress=progress, jobs=args.jobs, inputs=inputs)
    except WriteError as exc:
        print(f"Build failed: {exc}.", file=sys.stderr)
        return EXIT_CONTENT
    _print_problems(result)
    if not result.ok:
        print(f"Build failed: {_count(result)}. {out} was left as it was.", file=sys.stderr)
        return EXIT_CONTENT
    if not args.quiet:
        print(summary(result, out, source))
    return EXIT_OK


def run_check(args, parser) -> int:
    source = args.source.resolve()
    if not (source / "site.yaml").is_file():
        parser.error(f"no site.yaml in {source}; pass --source with the site's folder")
    result = generate(source, drafts=args.drafts, cache="read")    # check writes nothing
    if args.format == "json" or result.problems:
        print(format_problems(result.problems, args.format))
    if args.format == "text":
        print(f"{_count(result)}." if result.problems else "No problems found.",
              file=sys.stderr)
    return EXIT_OK if result.ok else EXIT_CONTENT


def run_init(args, parser) -> int:
    folder = args.folder.resolve()
    try:
        created = scaffold.init_site(folder, today())
    except scaffold.ScaffoldError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as exc:
        print(f"error: cannot write {exc.filename or folder}: {exc.strerror}", file=sys.stderr)
        return EXIT_USAGE
    for path in created:
        print(f"Created {_shown(path)}")
    where = _shown(folder)
    print("Next: put your company's name and address in site.yaml, yourself in "
          "people/your-name.yaml, and build it:")
    print(f"  python build.py build --source {where}")
    print(f"  python build.py serve --source {where}   (a preview that reloads as you save)")
    return EXIT_OK


def run_new(args, parser) -> int:
    source = args.source.resolve()
    if not (source / "site.yaml").is_file():
        parser.error(f"no site.yaml in {source}; pass --source with the site's folder")
    tags = [tag.strip() for tag in args.tags.split(",") if tag.strip()]
    try:
        path = scaffold.new_story(source, args.title, args.author, tags, today())
    except scaffold.ScaffoldError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    slug = path.stem[len("YYYY-MM-DD-"):]
    print(f"Created {_shown(path)}")
    print("Next: write your story in it (the comments say what each line is for), then "
          "preview it:")
    print(f"  python build.py serve{_source_flag(args)}")
    print(f"  and open http://127.0.0.1:8000/stories/{slug}/ (it reloads as you save)")
    print("When it is ready, set 'draft: false' and open a pull request.")
    return EXIT_OK


def run_new_person(args, parser) -> int:
    source = args.source.resolve()
    if not (source / "site.yaml").is_file():
        parser.error(f"no site.yaml in {source}; pass --source with the site's folder")
    try:
        path = scaffold.new_person(source, args.id, args.name, args.role,
                                   today() if args.consent else None)
    except scaffold.ScaffoldError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(f"Created {_shown(path)}")
    print("Next: fill in the name and role (both required) and anything else you like, "
          "then start a story:")
    print(f"  python build.py new \"My first story\" --author {args.id}{_source_flag(args)}")
    return EXIT_OK


def run_deploy(args, parser) -> int:
    source = args.source.resolve()
    if not (source / "site.yaml").is_file():
        parser.error(f"no site.yaml in {source}; pass --source with the site's folder")
    try:
        outcome, result = deploy.deploy(source, args.remote, args.branch, args.allow_dirty)
    except WriteError as exc:
        print(f"Deploy stopped: {exc}. Nothing was pushed.", file=sys.stderr)
        return EXIT_CONTENT
    except deploy.DeployError as exc:
        if exc.result is not None:
            _print_problems(exc.result)
        print(f"Deploy stopped: {exc} Nothing was pushed.", file=sys.stderr)
        return EXIT_CONTENT
    _print_problems(result)
    print(outcome)
    return EXIT_OK


def _shown(path: Path) -> str:
    """A path as the person typed it: relative to where they are, when it is below."""
    try:
        return path.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return str(path)


def _source_flag(args) -> str:
    return "" if args.source.resolve() == Path.cwd() else f" --source {_shown(args.source.resolve())}"


def run_serve(args, parser) -> int:
    from firsthand.commands.serve import PortTaken, serve
    source = args.source.resolve()
    if not (source / "site.yaml").is_file():
        parser.error(f"no site.yaml in {source}; pass --source with the site's folder")
    if not 0 <= args.port <= 65535:
        parser.error(f"--port {args.port} is not a port number (0 to 65535)")
    try:
        return serve(source, args.host, args.port, args.drafts,
                     say=lambda text: print(text, flush=True))
    except PortTaken as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE


def run_snippets(args, parser) -> int:
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
    if args.sharer is not None and args.sharer not in content.people:
        close = difflib.get_close_matches(args.sharer, list(content.people), n=1, cutoff=0.4)
        hint = f"; did you mean '{close[0]}'?" if close else \
            f" (known: {', '.join(sorted(content.people)) or 'none'})"
        print(f"error: no person with the id '{args.sharer}' in people/{hint}", file=sys.stderr)
        return EXIT_CONTENT
    names = [args.platform] if args.platform else list(library.site.social.platforms)
    print(describe_snippets(library.site, entry, names, args.sharer, library.catalog))
    return EXIT_OK


def load_library(source: Path, drafts: bool = False):
    """The site's stories, people and links, or None (the problems printed) when the
    content has errors: the one place report, plan and announce read a site."""
    problems = Problems()
    content = load(source, problems)
    library = enrich(content, problems, today(), drafts=drafts) if content else None
    if library is None or problems.has_errors:
        print(format_problems(problems.sorted()), file=sys.stderr)
        return None
    return library


def _side_folder(args, parser, source: Path, name: str) -> Path:
    """--out of report and plan: SOURCE/NAME by default, never inside site/ or over the
    source folder."""
    out = (args.out or source / name).resolve()
    site_out = source / "site"
    if out == site_out or site_out in out.parents or out == source or out in source.parents:
        parser.error(f"--out {out} would write into the site or its source; choose another "
                     f"folder (default: SOURCE/{name})")
    return out


def run_plan(args, parser) -> int:
    source = args.source.resolve()
    if not (source / "site.yaml").is_file():
        parser.error(f"no site.yaml in {source}; pass --source with the site's folder")
    out = _side_folder(args, parser, source, "plan")
    library = load_library(source, drafts=True)     # stories dated ahead are planned too
    if library is None:
        return EXIT_CONTENT
    start = today()
    files = plan_files(library, start, args.weeks)
    write_plan(out, files)
    people = len(files) - 1
    print(f"Planned {args.weeks} week{'s' * (args.weeks != 1)} from {start}: a calendar for "
          f"{people} {'person' if people == 1 else 'people'} and hootsuite.csv → {_shown(out)}/")
    return EXIT_OK


def run_announce(args, parser) -> int:
    source = args.source.resolve()
    if not (source / "site.yaml").is_file():
        parser.error(f"no site.yaml in {source}; pass --source with the site's folder")
    webhook = args.webhook or os.environ.get("CHAT_WEBHOOK", "")
    if not webhook and not args.dry_run:
        parser.error("give the chat's webhook: --webhook URL, or set CHAT_WEBHOOK")
    if webhook and not webhook.startswith(("https://", "http://")):
        parser.error("--webhook must be an http(s) URL")
    chat = args.chat or (chat_of(webhook) if webhook else "slack")
    if chat is None:
        parser.error(f"cannot tell which chat {shown_url(webhook)} is from its address; "
                     f"pass --chat ({', '.join(CHATS)})")
    library = load_library(source)
    if library is None:
        return EXIT_CONTENT
    try:
        before = published_at(source, args.since)
    except GitError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_CONTENT
    stories = [story_of(library.site, e, library.catalog) for e in new_entries(library, before)]
    if not stories:
        print(f"No story was published since {args.since}; nothing to announce.")
        return EXIT_OK
    if args.dry_run:
        for story in stories:
            print(json.dumps(payload(chat, story), ensure_ascii=False, indent=1))
        return EXIT_OK
    outcomes = announce(webhook, chat, stories, args.timeout)
    for outcome in outcomes:
        if outcome.ok:
            print(f"Announced '{outcome.slug}' in {chat.capitalize()}.")
        else:
            print(f"warning: could not announce '{outcome.slug}' to {shown_url(webhook)}: "
                  f"{outcome.detail}", file=sys.stderr)
    missed = [s.slug for s in stories[len(outcomes) - 1:]] if not outcomes[-1].ok else []
    if missed:
        print(f"warning: {len(missed)} of {len(stories)} stories not announced "
              f"({', '.join(missed)}); the site itself is not affected. Run announce again "
              f"with --since {args.since} once the chat answers.", file=sys.stderr)
    return EXIT_OK


def run_report(args, parser) -> int:
    source = args.source.resolve()
    if not (source / "site.yaml").is_file():
        parser.error(f"no site.yaml in {source}; pass --source with the site's folder")
    out = _side_folder(args, parser, source, "report")
    files = []
    for path in args.analytics:
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.is_file()))
        elif path.exists():
            files.append(path)
        else:
            parser.error(f"{path}: no such file or folder")
    library = load_library(source)
    if library is None:
        return EXIT_CONTENT
    cat = catalogue(library, library.site.report_people)
    result = figures(tally(read_views(files, args.since), cat), library, cat, args.since)
    write_report(out, render_report(result, make_environment(source), library.site.brand_color))
    for line in problem_lines(result):
        print(line, file=sys.stderr)
    totals = result["totals"]
    print(f"Read {totals['records']} lines and rows from {len(files)} "
          f"file{'s' * (len(files) != 1)}: {totals['story_views']} story views, "
          f"{totals['from_shared_links']} from shared links → {_shown(out)}/index.html")
    return EXIT_OK


def _print_problems(result: Result) -> None:
    if result.problems:
        print(format_problems(result.problems), file=sys.stderr)


def _count(result: Result) -> str:
    errors = sum(p.is_error for p in result.problems)
    warnings = len(result.problems) - errors
    return f"{errors} error{'s' * (errors != 1)}, {warnings} warning{'s' * (warnings != 1)}"
