"""`python build.py report`: logs and exports written from each format's documentation,
hostile lines among them; the report's figures equal counts made here, independently."""

from __future__ import annotations

import collections
import csv
import gzip
import io
import json
import zipfile
import zlib
from html.parser import HTMLParser

import pytest

SITE = """\
title: "Life at Testco"
company: Testco
base_url: https://careers.testco.example/stories/
jobs_url: https://careers.testco.example/jobs/
social:
  utm: {campaign: employee-stories, medium: social}
"""
BASE = "/stories/"
STORIES = {"night-shift": ("ana", "2026-02-10"), "first-year": ("omar", "2026-03-01")}
TEAMS = {"ana": "Operations", "omar": "Sales"}
HOSTILE = '<img src=x onerror="alert(1)">'


def make_report_site(make_site, people_opt_in: bool = False):
    site = make_site(site=SITE + ("report: {people: true}\n" if people_opt_in else ""),
                     people={}, stories={})
    site.person("ana", name="Ana Lindqvist", team="Operations")
    site.person("omar", name="Omar Haddad", team="Sales")
    for slug, (author, date) in STORIES.items():
        site.story(f"{date}-{slug}.md", title=f"Story {slug}", author=author, date=date)
    return site


def log_line(path: str, day: int = 10, status: int = 200, agent: str = "Mozilla/5.0",
             referrer: str = "-", method: str = "GET", combined: bool = True) -> str:
    """A line as Apache's %h %l %u %t \"%r\" %>s %b [\"%{Referer}i\" \"%{User-agent}i\"]."""
    line = (f'198.51.100.{day} - - [{day:02d}/Nov/2026:08:15:{day:02d} +0100] '
            f'"{method} {path} HTTP/1.1" {status} 2326')
    return line + (f' "{referrer}" "{agent}"' if combined else "")


def shared(slug: str, platform: str, person: str) -> str:
    return (f"{BASE}stories/{slug}/?utm_source={platform}&utm_medium=social"
            f"&utm_campaign=employee-stories&utm_content={person}")


class Expected:
    """What the report must say, counted here as the fixture lines are written."""

    def __init__(self):
        self.stories = collections.Counter()
        self.platforms = collections.Counter()
        self.people = collections.Counter()
        self.days = collections.Counter()
        self.jobs = collections.Counter()
        self.records = 0
        self.malformed = 0

    def view(self, slug: str, day: str | None, platform: str | None = "", person: str = "",
             count: int = 1):
        """Views of a story; platform None: the row says nothing of where they came from."""
        self.stories[slug] += count
        if day:
            self.days[day] += count
        if platform is not None:
            self.platforms[platform or "(not from a shared link)"] += count
        if person:
            self.people[person] += count


def combined_log(expected: Expected) -> bytes:
    lines = []

    def add(line: str, record: bool = True):
        lines.append(line)
        expected.records += record

    for day in (10, 11, 12):
        for platform, person in (("linkedin", "ana"), ("x", "omar"), ("linkedin", "omar")):
            add(log_line(shared("night-shift", platform, person), day=day))
            expected.view("night-shift", f"2026-11-{day}", platform, person)
    add(log_line(f"{BASE}stories/first-year/", day=11))
    expected.view("first-year", "2026-11-11")
    add(log_line(f"{BASE}stories/first-year/index.html?utm_source=bluesky&utm_content=ana",
                 day=12))
    expected.view("first-year", "2026-11-12", "bluesky", "ana")
    # the jobs page, reached from a story
    add(log_line("/jobs/", day=12, referrer="https://careers.testco.example/stories/stories/"
                 "first-year/?utm_source=x"))
    expected.jobs["first-year"] += 1
    # not views: pictures, a bot, a failed request, a POST, another page, a share kit
    add(log_line(f"{BASE}stories/night-shift/og.png"))
    add(log_line(f"{BASE}stories/night-shift/", agent="facebookexternalhit/1.1"))
    add(log_line(f"{BASE}stories/night-shift/", agent="LinkedInBot/1.0 (compatible)"))
    add(log_line(f"{BASE}stories/missing-page/", status=404))
    add(log_line(f"{BASE}stories/night-shift/", method="POST"))
    add(log_line(f"{BASE}people/ana/"))
    add(log_line(f"{BASE}stories/night-shift/share/"))
    # hostile: markup in the query and in the referrer; an unknown platform and person
    add(log_line(f"{BASE}stories/night-shift/?utm_source=%3Cscript%3Ealert(1)%3C/script%3E",
                 referrer=HOSTILE.replace('"', '\\"')))
    expected.view("night-shift", "2026-11-10", "(unknown source)")
    add(log_line(shared("night-shift", "linkedin", "mallory%01%1B[31m"), day=11))
    expected.view("night-shift", "2026-11-11", "linkedin")
    add(log_line(f"{BASE}stories/deleted-story/?utm_source=x"))      # unknown story
    add("")                                                          # a blank line
    # odd encodings: Latin-1 bytes, nginx's \x22 escape, a quote escaped Apache's way
    lines.append(log_line(f"{BASE}stories/night-shift/?q=caf\xe9", day=12,
                          agent='Mozilla \\x22quoted\\x22 \\"too\\"'))
    expected.records += 1
    expected.view("night-shift", "2026-11-12")
    # malformed: garbage with markup, a 10,000-character line, one longer than we hold,
    # a bad date, a request without a protocol
    for bad in (f"{HOSTILE} not a log line", "x" * 10_000, "y" * 40_000,
                '198.51.100.1 - - [99/Nov/2026:08:15:00 +0100] "GET / HTTP/1.1" 200 1 "-" "-"',
                '198.51.100.1 - - [10/Nov/2026:08:15:00 +0100] "GET" 400 1 "-" "-"'):
        add(bad)
        expected.malformed += 1
    # a long but valid line: a referrer of 10,000 characters
    add(log_line(f"{BASE}stories/first-year/", day=12, referrer="https://e.example/" + "a" * 10_000))
    expected.view("first-year", "2026-11-12")
    return _mixed("\n".join(lines) + "\n")


def _mixed(text: str) -> bytes:
    """UTF-8, but the café line in Latin-1, as a misconfigured server writes it."""
    return text.replace("caf\xe9", "\x00").encode("utf-8").replace(b"\x00", b"caf\xe9")


def common_log_gz(expected: Expected) -> bytes:
    lines = []
    for day in (13, 14):
        lines.append(log_line(shared("first-year", "mastodon", "omar"), day=day, combined=False))
        expected.view("first-year", f"2026-11-{day}", "mastodon", "omar")
        expected.records += 1
    return gzip.compress(("\n".join(lines) + "\n").encode())


def truncated_gz(expected: Expected) -> bytes:
    """A gzip cut in half, as a copy interrupted: its whole lines count, then one problem."""
    lines = [log_line(f"{BASE}stories/night-shift/?n={n * 7919 % 10007}", day=15)
             for n in range(2000)]
    data = gzip.compress(("\n".join(lines) + "\n").encode())
    data = data[:len(data) // 2]
    whole = zlib.decompressobj(wbits=31).decompress(data).count(b"\n")
    assert 0 < whole < len(lines)
    expected.view("night-shift", "2026-11-15", count=whole)
    expected.records += whole + 1
    return data


def plausible_zip(expected: Expected) -> bytes:
    """Plausible's export: TABLE_YYYYMMDD_YYYYMMDD.csv files, each with a header row."""
    pages = [["date", "hostname", "page", "visits", "visitors", "pageviews", "scroll_depth",
              "pageleave_visitors"],
             ["2026-11-16", "careers.testco.example", f"{BASE}stories/night-shift/", "4", "4",
              "5", "", "3"],
             ["2026-11-16", "careers.testco.example", f"{BASE}stories/first-year/", "2", "2",
              "2", "", "2"],
             ["2026-11-17", "careers.testco.example", f"{BASE}", "9", "9", "9", "", "9"],
             ["2026-11-17", "careers.testco.example", f"{BASE}stories/first-year/", "x", "1",
              "not-a-number", "", "1"]]
    # Plausible keeps campaigns in the sources table, so page rows count towards no platform
    expected.view("night-shift", "2026-11-16", None, count=5)
    expected.view("first-year", "2026-11-16", None, count=2)
    expected.malformed += 1
    sources = [["date", "source", "referrer", "utm_source", "utm_medium", "utm_campaign",
                "utm_content", "utm_term", "pageviews", "visitors", "visits", "visit_duration",
                "bounces"],
               ["2026-11-16", "LinkedIn", "", "linkedin", "social", "employee-stories", "ana",
                "", "3", "3", "3", "60", "1"],
               ["2026-11-16", "Direct / None", "", "", "", "", "", "", "4", "4", "4", "0", "2"]]
    expected.platforms["linkedin"] += 3
    expected.platforms["(not from a shared link)"] += 4
    expected.people["ana"] += 3
    visitors = [["date", "visitors", "pageviews", "bounces", "visits", "visit_duration"],
                ["2026-11-16", "6", "7", "3", "6", "100"]]
    expected.records += 4 + 2 + 1 + 1      # the devices table: one record, "not needed"
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        devices = [["date", "device", "visitors", "visits", "visit_duration", "bounces",
                    "pageviews"], ["2026-11-16", "Desktop", "5", "5", "100", "2", "6"]]
        for name, rows in (("imported_pages", pages), ("imported_sources", sources),
                           ("imported_visitors", visitors), ("imported_devices", devices)):
            text = io.StringIO()
            csv.writer(text, lineterminator="\n").writerows(rows)
            archive.writestr(f"{name}_20261116_20261117.csv", text.getvalue())
    return out.getvalue()


def matomo_csv(expected: Expected) -> bytes:
    """Actions.getPageUrls, flat=1, format=CSV: UTF-16LE with a byte-order mark."""
    rows = [["label", "nb_visits", "nb_hits", "sum_time_spent", "url"],
            [f"{BASE}stories/first-year/", "3", "4", "120",
             f"https://careers.testco.example{BASE}stories/first-year/"],
            [f"{BASE}stories/night-shift/", "1", "1", "10",
             f"https://careers.testco.example{BASE}stories/night-shift/?utm_source=threads"
             f"&utm_content=ana"]]
    # no date column: these count by story and platform, not by day
    expected.view("first-year", None, "", count=4)
    expected.view("night-shift", None, "threads", "ana")
    expected.records += 2
    text = io.StringIO()
    csv.writer(text, lineterminator="\n").writerows(rows)
    return b"\xff\xfe" + text.getvalue().encode("utf-16-le")


def write_inputs(site, expected: Expected):
    files = {"logs/access.log": combined_log(expected),
             "logs/access.log.1.gz": common_log_gz(expected),
             "logs/access.log.2.gz": truncated_gz(expected),
             "exports/plausible.zip": plausible_zip(expected),
             "exports/matomo-pages.csv": matomo_csv(expected),
             "exports/notes.txt": b"Remember to renew the certificate.\n"}
    expected.records += 1
    for name, data in files.items():
        site.write_bytes(name, data)
    return [site.root / name for name in files]


def run_report(site, *extra):
    return site.run("report", "logs", "exports/plausible.zip", "exports/matomo-pages.csv",
                    "exports/notes.txt", *extra)


def test_the_report_counts_what_the_logs_and_exports_say(make_site):
    site = make_report_site(make_site, people_opt_in=True)
    expected = Expected()
    write_inputs(site, expected)
    run = run_report(site)
    assert run.code == 0, run.err
    report = json.loads((site.root / "report" / "report.json").read_text())
    assert {s["slug"]: s["views"] for s in report["stories"]} == dict(expected.stories)
    platforms = {p["platform"]: p["views"] for p in report["platforms"]}
    assert platforms == {k: v for k, v in expected.platforms.items() if v}
    assert {p["person"]: p["views"] for p in report["people"]} == dict(expected.people)
    days = {d["date"]: d["views"] for d in report["days"] if d["views"]}
    assert days == dict(expected.days)
    assert {s["slug"]: s["to_jobs_page"] for s in report["stories"] if s["to_jobs_page"]} \
        == dict(expected.jobs)
    teams = collections.Counter()
    for slug, views in expected.stories.items():
        teams[TEAMS[STORIES[slug][0]]] += views
    assert {t["team"]: t["views"] for t in report["teams"]} == dict(teams)
    assert report["totals"]["story_views"] == sum(expected.stories.values())
    # every line and row is accounted for: the truncated gzip's readable lines too
    lines = {row["what"]: row["records"] for row in report["lines"]}
    assert lines["malformed"] == expected.malformed
    assert lines["unknown file"] == 1 and lines["truncated"] == 1
    assert lines["export tables not needed"] == 2 and lines["blank lines"] == 1
    assert report["totals"]["records"] == expected.records
    # and each problem is reported with its file and line
    assert "logs/access.log:" in run.err and ": warning: malformed:" in run.err
    assert "exports/notes.txt:1: warning: unknown file" in run.err
    assert "access.log.2.gz:" in run.err and "truncated" in run.err
    assert "unknown person" in run.err and "unknown platform" in run.err
    assert "unknown story: deleted-story" in run.err


def test_the_truncated_gzip_counts_every_whole_line_it_holds(make_site):
    site = make_report_site(make_site)
    expected = Expected()
    site.write_bytes("cut.log.gz", truncated_gz(expected))
    run = site.run("report", "cut.log.gz")
    assert run.code == 0, run.err
    report = json.loads((site.root / "report" / "report.json").read_text())
    lines = {row["what"]: row["records"] for row in report["lines"]}
    assert lines["story views"] == expected.stories["night-shift"]
    assert lines["truncated"] == 1
    assert f"cut.log.gz:{expected.stories['night-shift'] + 1}: warning: truncated" in run.err


class Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.text = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data):
        self.text.append(data)


def test_no_log_value_becomes_markup_and_people_stay_out_unless_opted_in(make_site):
    site = make_report_site(make_site)
    expected = Expected()
    write_inputs(site, expected)
    run = run_report(site)
    assert run.code == 0, run.err
    out = site.root / "report"
    html = (out / "index.html").read_text()
    page = Elements()
    page.feed(html)
    assert not [t for t, _ in page.tags if t in ("script", "img", "iframe")]
    assert not [a for _, attrs in page.tags for a in attrs if a.startswith("on")]
    assert HOSTILE in "".join(page.text)            # shown, as text
    report = json.loads((out / "report.json").read_text())
    assert "people" not in report and not (out / "people.csv").exists()
    assert "Ana Lindqvist" not in html and "Omar Haddad" not in html
    assert "unknown person" not in run.err          # utm_content is not even looked at
    assert not (site.root / "site").exists()        # nothing inside site/


def test_since_leaves_out_earlier_days_and_says_so(make_site):
    site = make_report_site(make_site)
    expected = Expected()
    site.write_bytes("access.log", combined_log(expected))
    site.write_bytes("matomo.csv", matomo_csv(Expected()))       # its rows say no day
    run = site.run("report", "access.log", "matomo.csv", "--since", "2026-11-12")
    assert run.code == 0, run.err
    report = json.loads((site.root / "report" / "report.json").read_text())
    assert min(d["date"] for d in report["days"]) == "2026-11-12"
    assert report["totals"]["story_views"] == sum(
        v for d, v in expected.days.items() if d >= "2026-11-12")
    lines = {row["what"]: row["records"] for row in report["lines"]}
    assert lines["before --since"] > 0
    assert lines["no day, so not counted with --since"] == 2


def test_csv_files_hold_the_same_figures(make_site):
    site = make_report_site(make_site)
    expected = Expected()
    site.write_bytes("access.log", combined_log(expected))
    assert site.run("report", "access.log").code == 0
    out = site.root / "report"
    report = json.loads((out / "report.json").read_text())
    rows = list(csv.DictReader(io.StringIO((out / "stories.csv").read_text())))
    assert {r["slug"]: int(r["views"]) for r in rows} == \
        {s["slug"]: s["views"] for s in report["stories"]}
    platforms = list(csv.DictReader(io.StringIO((out / "platforms.csv").read_text())))
    assert sum(int(r["views"]) for r in platforms) == sum(p["views"] for p in report["platforms"])


@pytest.mark.parametrize("out", ["site", "site/report", "."])
def test_the_report_never_goes_inside_the_site_or_over_the_source(make_site, out):
    site = make_report_site(make_site)
    site.write_bytes("access.log", b"")
    run = site.run("report", "access.log", "--out", str(site.root / out))
    assert run.code == 2 and "--out" in run.err
    assert not (site.root / "site").exists()


def test_a_missing_file_is_a_usage_error(make_site):
    site = make_report_site(make_site)
    run = site.run("report", "nowhere.log")
    assert run.code == 2 and "nowhere.log: no such file" in run.err
    assert "Traceback" not in run.err


def test_people_are_listed_by_name_not_ranked(make_site):
    site = make_report_site(make_site, people_opt_in=True)
    lines = [log_line(shared("night-shift", "linkedin", "omar")) for _ in range(5)]
    lines.append(log_line(shared("night-shift", "linkedin", "ana")))
    site.write_bytes("access.log", ("\n".join(lines) + "\n").encode())
    assert site.run("report", "access.log").code == 0
    report = json.loads((site.root / "report" / "report.json").read_text())
    assert [p["name"] for p in report["people"]] == ["Ana Lindqvist", "Omar Haddad"]
    assert [p["views"] for p in report["people"]] == [1, 5]
    html = (site.root / "report" / "index.html").read_text()
    assert html.index("Ana Lindqvist") < html.index("Omar Haddad")


def test_a_wrong_report_setting_is_an_error_at_its_line(make_site):
    site = make_report_site(make_site)
    site.write("site.yaml", SITE + "report: {people: yes please}\n")
    site.write_bytes("access.log", b"")
    run = site.run("report", "access.log")
    assert run.code == 1
    assert "site.yaml:7: error: 'report.people'" in run.err
