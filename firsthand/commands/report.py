"""The report: who shared, and what it brought. Views read by firsthand.commands.analytics are
joined to the stories, people and platforms of the site and counted; the figures are
written as one static HTML page (SVG charts with the numbers in tables), CSV and JSON.

Pure functions but for `write_report`. No leaderboard: people are listed by name, and
only when site.yaml says `report: {people: true}`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable
from urllib.parse import urlsplit

from firsthand.commands.analytics import (
    MALFORMED, TRUNCATED, UNKNOWN_FILE, Record, Skip, View, excerpt)
from firsthand.social.platforms import PLATFORMS_BY_ID

EXAMPLES = 5                   # of each kind of problem, shown with file and line
NO_PLATFORM = "(not from a shared link)"
UNKNOWN_PLATFORM = "(unknown source)"
OTHER_PAGES = "other pages of the site"
OUTSIDE = "outside the site"
SHARE_KITS = "share kits"
STORY_VIEWS = "story views"
JOBS_PAGE = "the jobs page"
LANG_PREFIX = re.compile(r"^[a-z]{2,3}(?:-[a-z0-9]{2,8})*/(?=stories/)", re.I)
REPORTED = (MALFORMED, UNKNOWN_FILE, TRUNCATED)


@dataclass
class Tally:
    """Counts made while the records stream past; a plain accumulator, local to a run."""

    lines: Counter = field(default_factory=Counter)        # disposition -> records
    views: Counter = field(default_factory=Counter)        # disposition -> views (counts)
    stories: Counter = field(default_factory=Counter)      # slug -> views
    shared: Counter = field(default_factory=Counter)       # slug -> views from shared links
    platforms: Counter = field(default_factory=Counter)
    teams: Counter = field(default_factory=Counter)
    days: Counter = field(default_factory=Counter)
    people: Counter = field(default_factory=Counter)
    jobs: Counter = field(default_factory=Counter)         # slug -> visits to the jobs page
    problems: Counter = field(default_factory=Counter)     # kind -> how many
    examples: dict = field(default_factory=dict)           # kind -> [(file, line, detail)]

    def note(self, kind: str, where: tuple[str, int], detail: str) -> None:
        """Count a problem; keep the first few (not every distinct value: a hostile log
        could hold millions, and memory must stay bounded)."""
        self.problems[kind] += 1
        found = self.examples.setdefault(kind, [])
        if len(found) < EXAMPLES:
            found.append((where[0], where[1], excerpt(detail)))


@dataclass(frozen=True)
class Catalogue:
    """What a view is matched against: the site's stories, people and jobs page."""

    base_path: str
    entries: dict                     # slug -> Entry
    people: frozenset
    jobs_path: str | None
    people_opt_in: bool


def catalogue(library, people_opt_in: bool) -> Catalogue:
    site = library.site
    base = urlsplit(site.base_url)
    jobs = urlsplit(site.jobs_url) if site.jobs_url else None
    same_host = jobs is not None and jobs.netloc == base.netloc
    entries: dict = {}
    for entry in library.entries:           # a story's translations count as the story
        if entry.published and (entry.slug not in entries or entry.lang == site.language):
            entries[entry.slug] = entry
    return Catalogue(base_path=base.path or "/", entries=entries,
                     people=frozenset(p.id for p in library.profiles),
                     jobs_path=(jobs.path or "/") if same_host else None,
                     people_opt_in=people_opt_in)


def page_of(cat: Catalogue, path: str) -> tuple[str, str]:
    """(what the address is, the story's slug): STORY_VIEWS, SHARE_KITS, OTHER_PAGES,
    OUTSIDE or 'unknown story'."""
    if not path.startswith(cat.base_path):
        return OUTSIDE, ""
    inner = path[len(cat.base_path):]
    if inner.endswith("index.html"):
        inner = inner[: -len("index.html")]
    inner = LANG_PREFIX.sub("", inner)
    parts = inner.split("/")
    if len(parts) < 2 or parts[0] != "stories" or not parts[1]:
        return OTHER_PAGES, ""
    slug, rest = parts[1], "/".join(parts[2:])
    if slug not in cat.entries:
        return "story", slug
    if rest in ("", "/"):
        return STORY_VIEWS, slug
    return (SHARE_KITS, slug) if rest.startswith("share") else (OTHER_PAGES, slug)


def tally(records: Iterable[Record], cat: Catalogue) -> Tally:
    """Count every record: each is a story view, another page or a reason it is not."""
    counts = Tally()
    for record in records:
        if isinstance(record, Skip):
            counts.lines[record.reason] += 1
            if record.reason in REPORTED:
                counts.note(record.reason, record.where, record.detail)
            continue
        add_view(counts, cat, record)
    return counts


def add_view(counts: Tally, cat: Catalogue, view: View) -> None:
    if not view.has_path:                     # an export's campaign row: platform, person
        counts.lines["campaign rows"] += 1
        counts.views["campaign rows"] += view.count
        _attribute(counts, cat, view)
        return
    if cat.jobs_path and view.path.rstrip("/") == cat.jobs_path.rstrip("/"):
        slug = _story_referrer(cat, view.referrer)
        if slug:
            counts.jobs[slug] += view.count
        counts.lines[JOBS_PAGE] += 1
        counts.views[JOBS_PAGE] += view.count
        return
    kind, slug = page_of(cat, view.path)
    if kind == "story":
        counts.note("unknown story", view.where, slug)
        kind = "unknown stories"
    counts.lines[kind] += 1
    counts.views[kind] += view.count
    if kind != STORY_VIEWS:
        return
    entry = cat.entries[slug]
    counts.stories[slug] += view.count
    counts.teams[entry.team or "(no team)"] += view.count
    if view.day:
        counts.days[view.day] += view.count
    if view.has_source and _attribute(counts, cat, view):
        counts.shared[slug] += view.count


def _attribute(counts: Tally, cat: Catalogue, view: View) -> bool:
    """Count the platform (and person, when opted in) a view came from; True when it
    came from a shared link of ours."""
    source = view.source.lower()
    if not source:
        counts.platforms[NO_PLATFORM] += view.count
        return False
    if source not in PLATFORMS_BY_ID:
        counts.platforms[UNKNOWN_PLATFORM] += view.count
        counts.note("unknown platform", view.where, f"utm_source={view.source}")
        return False
    counts.platforms[source] += view.count
    if cat.people_opt_in and view.content:
        if view.content in cat.people:
            counts.people[view.content] += view.count
        else:
            counts.note("unknown person", view.where, f"utm_content={view.content}")
    return True


def _story_referrer(cat: Catalogue, referrer: str) -> str:
    if not referrer:
        return ""
    kind, slug = page_of(cat, urlsplit(referrer).path)
    return slug if kind == STORY_VIEWS else ""


# -- the figures ---------------------------------------------------------------------------


def figures(counts: Tally, library, cat: Catalogue, since: dt.date | None) -> dict:
    """Everything the report shows, as plain data (this is report.json)."""
    site = library.site
    names = {p.id: p.name for p in library.profiles}
    stories = [{"slug": slug, "title": cat.entries[slug].title,
                "team": cat.entries[slug].team, "date": cat.entries[slug].date.isoformat(),
                "url": site.absolute(cat.entries[slug].path), "views": views,
                "from_shared_links": counts.shared[slug], "to_jobs_page": counts.jobs[slug]}
               for slug, views in _ranked(counts.stories)]
    platforms = [{"platform": name, "name": _platform_name(name), "views": views}
                 for name, views in _ranked(counts.platforms)]
    teams = [{"team": name, "views": views} for name, views in _ranked(counts.teams)]
    days = [{"date": day.isoformat(), "views": counts.days.get(day, 0)}
            for day in _every_day(counts.days)]
    result = {
        "site": {"title": site.title, "base_url": site.base_url},
        "since": since.isoformat() if since else None,
        "totals": {"story_views": sum(counts.stories.values()),
                   "from_shared_links": sum(counts.shared.values()),
                   "to_jobs_page": sum(counts.jobs.values()),
                   "records": sum(counts.lines.values())},
        "stories": stories, "platforms": platforms, "teams": teams, "days": days,
        "jobs_known": cat.jobs_path is not None,
        "lines": [{"what": what, "records": number, "views": counts.views.get(what, number)}
                  for what, number in sorted(counts.lines.items())],
        "problems": [{"kind": kind, "count": counts.problems[kind],
                      "examples": [{"file": f, "line": n, "detail": d} for f, n, d in found]}
                     for kind, found in sorted(counts.examples.items())],
    }
    if cat.people_opt_in:
        result["people"] = sorted(({"person": pid, "name": names.get(pid, pid), "views": views}
                                   for pid, views in counts.people.items()),
                                  key=lambda row: row["name"].casefold())
    return result


def _ranked(counter: Counter) -> list[tuple]:
    return sorted(counter.items(), key=lambda item: (-item[1], str(item[0])))


def _every_day(days: Counter) -> list[dt.date]:
    if not days:
        return []
    first, last = min(days), max(days)
    return [first + dt.timedelta(n) for n in range((last - first).days + 1)]


def _platform_name(name: str) -> str:
    platform = PLATFORMS_BY_ID.get(name)
    return platform.name if platform else name


def problem_lines(result: dict) -> list[str]:
    """The problems as diagnostics, `file:line: warning: ...`, for the terminal."""
    lines = []
    for problem in result["problems"]:
        for example in problem["examples"]:
            lines.append(f"{example['file']}:{example['line']}: warning: {problem['kind']}: "
                         f"{example['detail']}")
        more = problem["count"] - len(problem["examples"])
        if more > 0:
            lines.append(f"... and {more} more of kind '{problem['kind']}'")
    return lines


# -- charts --------------------------------------------------------------------------------

# Labels sit above their bars so a narrow chart has room for them; the viewBox is narrow
# too, so that text scaled to a phone's width stays readable (the page caps its width).
CHART_WIDTH, ROW, BAR_TOP, BAR_HEIGHT = 360, 40, 17, 16


def bar_chart(rows: list[tuple[str, int]]) -> dict:
    """Geometry of a horizontal bar chart, a row per label, for the template."""
    top = max((value for _, value in rows), default=0) or 1
    room = CHART_WIDTH - 48                      # what is left for the number after a bar
    bars = [{"label": _short(label), "full": label, "value": value,
             "y": index * ROW, "bar_y": index * ROW + BAR_TOP,
             "width": max(1, round(room * value / top)) if value else 0}
            for index, (label, value) in enumerate(rows)]
    return {"bars": bars, "height": max(1, len(rows) * ROW), "width": CHART_WIDTH,
            "bar_height": BAR_HEIGHT}


def time_chart(days: list[dict]) -> dict:
    """A column for each day, in a CHART_WIDTH x 170 viewBox."""
    height, bottom, left = 170, 140, 34
    top = max((d["views"] for d in days), default=0) or 1
    step = (CHART_WIDTH - left - 4) / max(1, len(days))
    columns = [{"x": round(left + index * step, 2), "width": round(max(step * 0.8, 0.5), 2),
                "height": round((bottom - 10) * d["views"] / top, 2), "date": d["date"],
                "views": d["views"]} for index, d in enumerate(days)]
    for column in columns:
        column["y"] = round(bottom - column["height"], 2)
    return {"columns": columns, "width": CHART_WIDTH, "height": height, "bottom": bottom,
            "left": left, "top": top, "first": days[0]["date"] if days else "",
            "last": days[-1]["date"] if days else ""}


def _short(text: str, limit: int = 44) -> str:
    """A label that fits beside its bar: wide (CJK) characters count twice."""
    width = 0
    for index, char in enumerate(text):
        width += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
        if width > limit:
            return text[:index].rstrip() + "…"
    return text


# -- output --------------------------------------------------------------------------------


def render_report(result: dict, env, brand: str) -> dict[str, bytes]:
    """{file name: bytes}: index.html, report.json and one CSV per table."""
    charts = {
        "stories": bar_chart([(s["title"], s["views"]) for s in result["stories"]]),
        "platforms": bar_chart([(p["name"], p["views"]) for p in result["platforms"]]),
        "teams": bar_chart([(t["team"], t["views"]) for t in result["teams"]]),
        "days": time_chart(result["days"]),
    }
    if "people" in result:
        charts["people"] = bar_chart([(p["name"], p["views"]) for p in result["people"]])
    colours = {"bar_light": mix(brand, "#000000", 0.15), "link_light": mix(brand, "#000000", 0.2),
               "bar_dark": mix(brand, "#ffffff", 0.45), "link_dark": mix(brand, "#ffffff", 0.65)}
    html = env.get_template("report.html").render(report=result, charts=charts,
                                                  colours=colours)
    files = {"index.html": html.encode("utf-8"),
             "report.json": (json.dumps(result, ensure_ascii=False, indent=1) + "\n").encode()}
    for name in ("stories", "platforms", "teams", "days", "people", "lines"):
        if name in result:
            files[f"{name}.csv"] = to_csv(result[name])
    return files


def mix(colour: str, other: str, weight: float) -> str:
    """colour moved weight of the way to other (#rrggbb), as the theme's color-mix() does;
    worked out here because the page's own CSS must validate without it."""
    a = [int(colour[i:i + 2], 16) for i in (1, 3, 5)]
    b = [int(other[i:i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(x + (y - x) * weight):02x}" for x, y in zip(a, b))


def to_csv(rows: list[dict]) -> bytes:
    """Rows as CSV; a text cell that a spreadsheet would run as a formula is quoted with '."""
    out = io.StringIO()
    if rows:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({key: ("'" + value if isinstance(value, str)
                                   and value[:1] in ("=", "+", "-", "@", "\t", "\r") else value)
                             for key, value in row.items()})
    return out.getvalue().encode("utf-8")


def write_report(out: Path, files: dict[str, bytes]) -> None:
    """Write the report's files into out (made if missing); other files there are kept."""
    out.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        target = out / name
        temporary = target.with_name(f".{name}.tmp")
        temporary.write_bytes(data)
        temporary.replace(target)
    stale = out / "people.csv"
    if "people.csv" not in files and stale.exists():
        stale.unlink()          # people opted out since the last report: do not leave theirs

