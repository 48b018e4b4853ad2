"""Time composing a story's share posts (compose_snippets) and its snippet checks, as a
build does them.

    python benchmarks/bench_snippets.py                    # the 1,000-story site
    python benchmarks/bench_snippets.py --stories 200
    python benchmarks/bench_snippets.py --profile          # where the time goes, by function
    python benchmarks/bench_snippets.py --source /tmp/bench/work/src-1000   # a copy of it

The site is benchmarks/synth.py's (the same seed as benchmarks/bench.py), made in a
temporary folder unless --source names one (which is copied, never changed). It is loaded
and enriched as a build does (on 2026-11-23); then, in this process, one story after the
other: the post words of each story (each_entry_words, once per language), every story's
snippets (compose_snippets: 36 posts over nine platforms), and every story's checks
(ENTRY_CHECKS, with the snippets attached as the build attaches them). The first
--warm stories are composed first (imports done, twitter-text compiled, as in a worker
that composed a few stories before); before each timed run, the caches of the pure
functions in firsthand.social are emptied, so that each run composes every story as a
build does, once, and no post is found remembered from the run before. The figure is CPU
time of this process, in ms of one core per story (the best of --runs).
"""

from __future__ import annotations

import argparse
import cProfile
import datetime as dt
import os
import pstats
import shutil
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import synth  # noqa: E402
from firsthand.content.checks import ENTRY_CHECKS  # noqa: E402
from firsthand.content.enrich import enrich  # noqa: E402
from firsthand.content.load import load  # noqa: E402
from firsthand.content.problems import Problems  # noqa: E402
from firsthand.social import platforms, snippets  # noqa: E402
from firsthand.social.snippets import compose_snippets, each_entry_words  # noqa: E402

ON = dt.date(2026, 11, 23)


def make_library(source: Path | None, stories: int, folder: Path):
    """The benchmark's site, loaded and enriched as a build does."""
    site = folder / "src"
    if source is not None:
        shutil.copytree(source, site)
    else:
        synth.make_site(site, stories)
    problems = Problems()
    content = load(site, problems)
    if content is None:
        raise SystemExit(f"the site in {site} does not load: {problems}")
    return enrich(content, problems, ON)


def compose_all(library) -> list:
    """Every entry with its snippets composed, as the build attaches them."""
    site, entries = library.site, library.entries
    words = each_entry_words(site, entries, library.catalog)
    return [replace(entry, snippets=compose_snippets(site, entry, said))
            for entry, said in zip(entries, words)]


def check_all(library, entries) -> int:
    """Every story's checks (ENTRY_CHECKS); the number of problems."""
    return sum(len(check(library.site, entry, library.catalog))
               for entry in entries for check in ENTRY_CHECKS)


def forget() -> None:
    """Empty the caches of the pure functions that compose and count posts."""
    for module in (platforms, snippets):
        for value in vars(module).values():
            if callable(getattr(value, "cache_clear", None)):
                value.cache_clear()


def cpu(work) -> tuple[float, object]:
    start = time.process_time()
    result = work()
    return time.process_time() - start, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stories", type=int, default=1000)
    parser.add_argument("--source", type=Path, help="a synth site to copy instead of making one")
    parser.add_argument("--runs", type=int, default=3, help="timed runs after the warm-up")
    parser.add_argument("--warm", type=int, default=20, help="stories composed to warm up")
    parser.add_argument("--profile", action="store_true")
    parser.add_argument("--top", type=int, default=25, help="profile rows to print")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        library = make_library(args.source, args.stories, Path(folder))
    count = len(library.entries)
    warm = replace(library, entries=library.entries[-args.warm:])
    check_all(warm, compose_all(warm))
    if args.profile:
        forget()
        profile = cProfile.Profile()
        profile.enable()
        entries = compose_all(library)
        check_all(library, entries)
        profile.disable()
        pstats.Stats(profile).sort_stats("tottime").print_stats(args.top)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(args.top)
        return
    composing, checking, words = [], [], []
    for _ in range(args.runs):
        forget()
        seconds, _ = cpu(lambda: each_entry_words(library.site, library.entries,
                                                  library.catalog))
        words.append(seconds)
        seconds, entries = cpu(lambda: compose_all(library))
        composing.append(seconds)
        seconds, found = cpu(lambda: check_all(library, entries))
        checking.append(seconds)
    posts = sum(len(s) for e in entries for s in e.snippets.values())
    print(f"{count} stories, {posts} posts ({posts / count:.1f} a story), {found} problems; "
          f"load average {os.getloadavg()[0]:.2f}")
    for name, times in (("post words (each_entry_words)", words),
                        ("compose_snippets", composing), ("ENTRY_CHECKS", checking)):
        per_story = [1000 * t / count for t in times]
        print(f"{name:32} {min(per_story):8.3f} ms a story (best of {args.runs}; "
              f"runs {', '.join(f'{t:.3f}' for t in per_story)})")


if __name__ == "__main__":
    main()
