"""Time the search index (firsthand/pages/search.py) on the synthetic site.

    python benchmarks/bench_search.py --sizes 1000 --runs 3
    python benchmarks/bench_search.py --sizes 10000 --runs 1
    python benchmarks/bench_search.py --sizes 1000 --builds     # also whole cold builds, search on and off

For every size it generates the site of benchmarks/synth.py, renders its story and person
pages in memory (not timed), then times what the build's search step does with them:
the index made from nothing (Pagefind started, every page added, the bundle read back and
put in order), the same pages again with the bundle in the cache (the step's work when no
indexed page changed: hashing the pages and reading the cache), and one story's body
edited (Pagefind has no way to update an index, so this is a whole index again).
Pagefind's peak memory is the largest resident size of a finished child process. With
--builds, it also times `build.py build` cold (no cache, no output) with search on and
with `search: false`, once each. Prints the table and writes JSON to benchmarks/out/.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import synth                                          # noqa: E402
from firsthand.pages import render, search
from firsthand.cache import Cache, render_bodies
from firsthand.content.enrich import enrich, shown_stories
from firsthand.content.load import load
from firsthand.content.problems import Problems

ON = dt.date(2026, 11, 23)


def rendered_pages(source: Path) -> dict[str, bytes]:
    """The story and person pages of a site, as the build renders them (no pictures)."""
    problems = Problems()
    content = load(source, problems)
    bodies = [s.body for s in shown_stories(content, ON, False)]
    memo, stats = render_bodies(bodies, Cache(None))
    library = enrich(content, problems, ON, drafts=False, rendered=memo, stats=stats)
    renderer = render.Renderer(library, render.make_environment(source), {})
    pages = {}
    for step in (render.render_stories, render.render_people):
        for path, data in step(renderer):
            if search.is_indexed(path, data):
                pages[path] = data
    return pages, library.site


def edited(pages: dict[str, bytes], run: int) -> dict[str, bytes]:
    """The pages with one more sentence at the start of one story's body."""
    path = sorted(p for p in pages if p.startswith("stories/"))[run]
    changed = dict(pages)
    changed[path] = pages[path].replace(b'<div class="prose">',
                                        f'<div class="prose"><p>Edited {run}.</p>'.encode(), 1)
    assert changed[path] != pages[path]
    return changed


def timed(function, *args) -> tuple[float, object]:
    started = time.perf_counter()
    value = function(*args)
    return time.perf_counter() - started, value


def bench_size(size: int, runs: int, work: Path, builds: bool) -> dict:
    source = work / f"site-{size}"
    if not (source / "site.yaml").exists():
        synth.make_site(source, size)
    pages, site = rendered_pages(source)
    result = {"stories": size, "pages": len(pages),
              "pages_mb": round(sum(map(len, pages.values())) / 1e6, 1)}
    cold, bundle = [], {}
    for _ in range(runs):
        seconds, bundle = timed(search.index_files, site, pages, Cache(None))
        cold.append(seconds)
    result["cold_s"] = round(statistics.median(cold), 2)
    result["bundle_files"] = len(bundle)
    result["bundle_mb"] = round(sum(map(len, bundle.values())) / 1e6, 1)
    result["pagefind_peak_mb"] = round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024)
    with tempfile.TemporaryDirectory(dir=work) as folder:
        store = Cache(Path(folder))
        search.index_files(site, pages, store)
        unchanged = [timed(search.index_files, site, pages, store)[0] for _ in range(runs)]
        edits = [timed(search.index_files, site, edited(pages, run), store)[0]
                 for run in range(runs)]
    result["no_change_s"] = round(statistics.median(unchanged), 3)
    result["one_edit_s"] = round(statistics.median(edits), 2)
    if builds:
        result["build_cold_search_on_s"] = whole_build(source, work, search_on=True)
        result["build_cold_search_off_s"] = whole_build(source, work, search_on=False)
    print(json.dumps(result), flush=True)
    return result


def whole_build(source: Path, work: Path, search_on: bool) -> float:
    """Seconds of one cold `build.py build` (no cache, fresh output)."""
    site_yaml = source / "site.yaml"
    original = site_yaml.read_text(encoding="utf-8")
    if not search_on:
        site_yaml.write_text(original + "search: false\n", encoding="utf-8")
    subprocess.run(["rm", "-rf", str(source / ".firsthand-cache"), str(work / "out")], check=True)
    try:
        started = time.perf_counter()
        subprocess.run([sys.executable, str(ROOT / "build.py"), "build", "--source", str(source),
                        "--out", str(work / "out"), "--quiet"], check=True,
                       env=dict(os.environ, FIRSTHAND_TODAY=ON.isoformat(), PYTHONPATH=str(ROOT)))
        return round(time.perf_counter() - started, 1)
    finally:
        site_yaml.write_text(original, encoding="utf-8")


def table(results: list[dict]) -> str:
    lines = ["| stories | pages indexed | index from nothing (s) | no page changed (s) | "
             "one body edit (s) | bundle | Pagefind peak MB |",
             "|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        lines.append(f"| {r['stories']:,} | {r['pages']:,} | {r['cold_s']} | {r['no_change_s']} | "
                     f"{r['one_edit_s']} | {r['bundle_files']:,} files, {r['bundle_mb']} MB | "
                     f"{r['pagefind_peak_mb']} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000])
    parser.add_argument("--runs", type=int, default=3, help="runs per size (median)")
    parser.add_argument("--builds", action="store_true",
                        help="also time whole cold builds with search on and off")
    parser.add_argument("--work", type=Path,
                        default=Path(tempfile.gettempdir()) / "firsthand-bench-search")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    results = [bench_size(size, args.runs, args.work, args.builds) for size in args.sizes]
    report = {"when": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
              "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                          "load_average": os.getloadavg()},
              "results": results}
    print("\n" + table(results))
    out = HERE / "out"
    out.mkdir(exist_ok=True)
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    (out / f"bench-search-{stamp}.json").write_text(json.dumps(report, indent=2) + "\n",
                                                    encoding="utf-8")


if __name__ == "__main__":
    main()
