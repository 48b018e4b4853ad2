"""Time the search index (firsthand/pages/search.py) on the synthetic site, part by part.

    python benchmarks/bench_search.py --sizes 1000 --runs 3
    python benchmarks/bench_search.py --sizes 1000 --browser            # also query times in Chromium
    python benchmarks/bench_search.py --sizes 1000 --part-pages 64 256 1000000000  # part sizes
    python benchmarks/bench_search.py --sizes 10000 --runs 1
    python benchmarks/bench_search.py --sizes 1000 --copies 10 --runs 1 --browser  # 10,000 pages, quicker
    python benchmarks/bench_search.py --sizes 1000 --builds     # also whole cold builds, search on and off

For every size it generates the site of benchmarks/synth.py and runs the build's steps
before the search step (not timed), keeping the indexed pages and the search page. Then
it times what the search step does with them: the index made from nothing (Pagefind
started, every part indexed, the bundles read back and put in order), the same pages
again with the bundles in the store (the step's work when no indexed page changed:
hashing the pages and reading the store), and one story's body edited (its part only is
indexed again; "parts made" counts the store entries each edit wrote). Peak memory is
Pagefind's high-water mark (VmHWM, read from /proc while it runs) and this process's
own peak resident size. With --browser, the bundle and the search page are served on
127.0.0.1 and headless Chromium types queries: the time from typing to results shown
(search.js waits 200 ms after a keystroke; that is included), the first query after the
page loads and then others. With --builds, it also times `build.py build` cold (no
cache, no output) with search on and with `search: false`, once each. Prints a table
and writes JSON to benchmarks/out/.
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
import http.server
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))

import synth                                          # noqa: E402
from playwright.sync_api import sync_playwright       # noqa: E402
from firsthand import build                           # noqa: E402
from firsthand.output.store import Store              # noqa: E402
from firsthand.pages import search                    # noqa: E402

ON = dt.date(2026, 11, 23)
QUERIES = ["team", "people work", "family", "launches shift", "zzzz nothing"]
ONE_BUNDLE = 10 ** 9                  # part_pages that makes one bundle a language


def rendered_pages(source: Path, work: Path) -> tuple[search.Pages, object, dict[str, bytes]]:
    """The indexed pages of a site as the build renders them (every step before the
    search step), its site settings, and the files a search page needs besides the index.
    The steps keep what they make in work/store, so a second run renders faster."""
    pages = search.Pages()
    others: dict[str, bytes] = {}

    def sink(path: str, data: bytes) -> None:
        if search.is_indexed(path, data):
            pages[path] = data
        elif path == "search/index.html" or path.startswith("static/"):
            others[path] = data
    run = build.Run(source, build.Options(on=ON), Store(work / "store"), sink)
    for step in build.STEPS:
        if step is not build.index_search:
            step(run)
    return pages, run.library.site, others


def copied(pages: search.Pages, copies: int) -> search.Pages:
    """Each page `copies` times, under paths of its own ('stories/x-2/'), the copies of a
    story told apart by a number in its title: a site `copies` times as large, with the
    synthetic site's vocabulary (which is the same at every size), without rendering it."""
    made = search.Pages()
    for path in pages:
        data = pages[path]
        for number in range(copies):
            if number == 0:
                made[path] = data
                continue
            folder, _, name = path.rpartition("/")
            made[f"{folder}-{number}/{name}"] = data.replace(
                b'data-pagefind-meta="title">', f'data-pagefind-meta="title">{number} '.encode(), 1)
    return made


def edited(pages: search.Pages, run: int) -> search.Pages:
    """The pages with one more sentence at the start of one story's body."""
    path = sorted(p for p in pages if p.startswith("stories/"))[run]
    changed = search.Pages()
    for name in pages:
        changed[name] = pages[name]
    before = pages[path]
    changed[path] = before.replace(b'<div class="prose">',
                                   f'<div class="prose"><p>Edited {run}.</p>'.encode(), 1)
    assert changed[path] != before
    return changed


class Peak:
    """The largest VmHWM of any Pagefind child of this process while it runs."""

    def __init__(self):
        self.mb, self._stop = 0.0, threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> "Peak":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def _watch(self) -> None:
        while not self._stop.wait(0.02):
            for pid in children():
                try:
                    status = Path(f"/proc/{pid}/status").read_text()
                except OSError:
                    continue
                if "pagefind" in status.split("\n", 1)[0]:
                    kb = next((int(line.split()[1]) for line in status.splitlines()
                               if line.startswith("VmHWM:")), 0)
                    self.mb = max(self.mb, kb / 1024)


def children() -> list[str]:
    found = []
    for task in Path("/proc/self/task").iterdir():
        try:
            found += (task / "children").read_text().split()
        except OSError:
            pass
    return found


def timed(function, *args) -> tuple[float, object]:
    started = time.perf_counter()
    value = function(*args)
    return time.perf_counter() - started, value


def entries(folder: Path) -> set[Path]:
    return {p for p in (folder / f"v1/{search.CACHE_KIND}").rglob("*") if p.is_file()}


def bench_size(size: int, runs: int, work: Path, part_sizes: list[int], builds: bool,
               browser: bool, copies: int = 1) -> list[dict]:
    """One row a part size, the site rendered once (and its pages copied, with --copies)."""
    source = work / f"site-{size}"
    if not (source / "site.yaml").exists():
        synth.make_site(source, size)
    pages, site, others = rendered_pages(source, work)
    if copies > 1:
        pages = copied(pages, copies)
    whole = None
    if browser:      # what one bundle a language gives, to compare each part size with
        whole = query_times(search.index_files(site, pages, part_pages=ONE_BUNDLE), others,
                            work / f"served-{size}")
    rows = []
    for part_pages in part_sizes:
        row = bench_parts(size * copies, runs, work, part_pages, pages, site)
        row["copies"] = copies
        if browser:
            row["query_ms"], top = query_times(row.pop("bundle"), others,
                                               work / f"served-{size}")
            row["one_bundle_query_ms"] = whole[0]
            row["top10_shared_with_one_bundle"] = {
                words: len(set(top[words]) & set(whole[1][words])) for words in top}
        row.pop("bundle", None)
        if builds and part_pages == part_sizes[0]:
            row["build_cold_search_on_s"] = whole_build(source, work, search_on=True)
            row["build_cold_search_off_s"] = whole_build(source, work, search_on=False)
        print(json.dumps(row), flush=True)
        rows.append(row)
    return rows


def bench_parts(size: int, runs: int, work: Path, part_pages: int, pages: search.Pages,
                site) -> dict:
    """The index made from nothing, again with nothing changed, and after one body edit."""
    parts = search.plan(pages, site.language.lower(), part_pages)
    index = functools.partial(search.index_files, part_pages=part_pages)
    result = {"stories": size, "pages": len(pages), "part_pages": part_pages,
              "parts": len(parts), "largest_part": max(len(p.paths) for p in parts)}
    cold, bundle, peaks = [], {}, []
    for _ in range(runs - 1):
        with Peak() as peak:
            seconds, bundle = timed(index, site, pages, Store(None))
        cold.append(seconds)
        peaks.append(peak.mb)
    with tempfile.TemporaryDirectory(dir=work) as folder:
        store = Store(Path(folder))
        with Peak() as peak:               # the last cold run fills the store
            seconds, bundle = timed(index, site, pages, store)
        cold.append(seconds)
        peaks.append(peak.mb)
        result["cold_s"] = round(statistics.median(cold), 2)
        result["cold_peak_mb"] = round(max(peaks))
        result["bundle_files"] = len(bundle)
        result["bundle_mb"] = round(sum(map(len, bundle.values())) / 1e6, 1)
        unchanged = [timed(index, site, pages, store)[0] for _ in range(runs)]
        edits, made, edit_peaks = [], [], []
        for run in range(runs):
            before = entries(Path(folder))
            changed = edited(pages, run)
            with Peak() as peak:
                edits.append(timed(index, site, changed, store)[0])
            edit_peaks.append(peak.mb)
            made.append(len(entries(Path(folder)) - before))
    result["no_change_s"] = round(statistics.median(unchanged), 3)
    result["one_edit_s"] = round(statistics.median(edits), 2)
    result["one_edit_parts_made"] = max(made)
    result["one_edit_peak_mb"] = round(max(edit_peaks))
    result["python_peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    result["bundle"] = bundle
    return result


def query_times(bundle: dict[str, bytes], others: dict[str, bytes],
                folder: Path) -> tuple[dict, dict]:
    """Milliseconds from typing a query into the search page to its results shown, and
    the first ten results of each query (their URLs)."""
    subprocess.run(["rm", "-rf", str(folder)], check=True)
    for path, data in {**bundle, **others}.items():
        (folder / path).parent.mkdir(parents=True, exist_ok=True)
        (folder / path).write_bytes(data)

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0),
                                             functools.partial(Quiet, directory=str(folder)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/search/"
    first, later, ready, top = [], [], [], {}
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path="/usr/bin/chromium")
            for _ in range(3):
                page = chromium.new_page()
                started = time.perf_counter()
                page.goto(url)
                page.wait_for_selector(".search-form:not([hidden])")
                page.wait_for_function("() => !document.querySelector('.search-filters').hidden"
                                       " || document.querySelector('.search-status').textContent")
                ready.append((time.perf_counter() - started) * 1000)
                for number, words in enumerate(QUERIES):
                    page.evaluate("() => { document.querySelector('.search-status').textContent = ''; }")
                    started = time.perf_counter()
                    page.fill("#search-q", words)
                    page.wait_for_function("() => /result|No stories/.test("
                                           "document.querySelector('.search-status').textContent)")
                    (first if number == 0 else later).append((time.perf_counter() - started) * 1000)
                    top[words] = page.eval_on_selector_all(
                        ".search-result-title a", "links => links.map(a => a.pathname)")
                page.close()
            chromium.close()
    finally:
        server.shutdown()
        server.server_close()
    return {"page_ready": round(statistics.median(ready)),
            "first_query": round(statistics.median(first)),
            "later_queries": round(statistics.median(later))}, top


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
    lines = ["| stories | pages indexed | part pages | parts (largest) | index from nothing (s) | "
             "no page changed (s) | one body edit (s) | parts made by the edit | bundle | "
             "Pagefind peak MB, cold / edit | query ms, first / later (one bundle) |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        query, whole = r.get("query_ms"), r.get("one_bundle_query_ms")
        lines.append(f"| {r['stories']:,} | {r['pages']:,} | {r['part_pages']:,} | "
                     f"{r['parts']} ({r['largest_part']}) | "
                     f"{r['cold_s']} | {r['no_change_s']} | {r['one_edit_s']} | "
                     f"{r['one_edit_parts_made']} | {r['bundle_files']:,} files, "
                     f"{r['bundle_mb']} MB | {r['cold_peak_mb']} / {r['one_edit_peak_mb']} | "
                     + (f"{query['first_query']} / {query['later_queries']}" if query else "-")
                     + (f" ({whole['first_query']} / {whole['later_queries']})" if whole else "")
                     + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000])
    parser.add_argument("--runs", type=int, default=3, help="runs per size (median)")
    parser.add_argument("--part-pages", type=int, nargs="+", default=[search.PART_PAGES],
                        help=f"pages a part holds at most on average, one row each (the "
                             f"build's: {search.PART_PAGES}; {ONE_BUNDLE} gives one bundle "
                             f"a language, as before parts)")
    parser.add_argument("--copies", type=int, default=1,
                        help="index each rendered page this many times (10,000 pages from "
                             "the 1,000-story site, without the hour of rendering them)")
    parser.add_argument("--browser", action="store_true",
                        help="also time queries in headless Chromium")
    parser.add_argument("--builds", action="store_true",
                        help="also time whole cold builds with search on and off")
    parser.add_argument("--work", type=Path,
                        default=Path(tempfile.gettempdir()) / "firsthand-bench-search")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    results = [row for size in args.sizes
               for row in bench_size(size, args.runs, args.work, args.part_pages, args.builds,
                                     args.browser, args.copies)]
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
