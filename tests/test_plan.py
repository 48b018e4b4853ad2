"""`python build.py plan`: calendars read back with another iCalendar library (ical, not
the icalendar that writes them), held to the spacing rules; and the Hootsuite CSV."""

from __future__ import annotations

import collections
import csv
import datetime as dt
import io
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from ical.calendar_stream import IcsCalendarStream

SITE = """\
title: "Life at Testco"
company: Testco
base_url: https://careers.testco.example/stories/
social:
  platforms: [linkedin, x, mastodon]
  utm: {campaign: employee-stories, medium: social}
"""
TODAY = "2026-11-02"          # a Monday
PEOPLE = {"ana": ("Ana Lindqvist", "Operations", ""), "bo": ("Bo Berg", "Operations", ""),
          "cy": ("Cy Chen", "Operations", "handles: {mastodon: \"@cy@social.example\"}\n"),
          "omar": ("Omar Haddad", "Sales", "handles: {x: omarh}\n"),
          "ida": ("Ida Ek", "Sales", ""), "lea": ("Lea Left", "Sales", "active: false\n")}
STORIES = {"dock-dawn": ("ana", "2026-11-02"), "van-days": ("omar", "2026-11-04"),
           "new-shift": ("bo", "2026-11-05"), "late-one": ("ida", "2026-11-20"),
           "old-one": ("cy", "2026-10-26"), "after-plan": ("ana", "2026-12-15")}


def make_plan_site(make_site):
    site = make_site(site=SITE, people={}, stories={})
    for pid, (name, team, extra) in PEOPLE.items():
        site.person(pid, name=name, team=team, extra=extra)
    for slug, (author, date) in STORIES.items():
        site.story(f"{date}-{slug}.md", title=f"Story {slug}", author=author, date=date)
    site.story("2026-11-03-a-draft.md", title="A draft", author="ana", date="2026-11-03",
               extra="draft: true\n")
    site.story("2026-11-03-by-lea.md", title="By someone who left", author="lea",
               date="2026-11-03")
    return site


def read_plan(site) -> dict[str, list]:
    """Every person's events, read by the ical library."""
    events = {}
    for path in sorted((site.root / "plan").glob("*.ics")):
        calendar = IcsCalendarStream.calendar_from_ics(path.read_text(encoding="utf-8"))
        events[path.stem] = list(calendar.events)
    return events


def slug_of(url: str) -> str:
    return urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]


def test_the_plan_follows_the_spacing_rules(make_site):
    site = make_plan_site(make_site)
    run = site.run("plan", "--weeks", "3", today=TODAY)
    assert run.code == 0, run.err
    plan = read_plan(site)
    start, end = dt.date(2026, 11, 2), dt.date(2026, 11, 23)
    assert "lea" not in plan                            # people who left get no plan
    team = {pid: info[1] for pid, info in PEOPLE.items()}
    seen = collections.Counter()
    for person, events in plan.items():
        days = [e.dtstart.date() for e in events]
        assert len(days) == len(set(days)), f"{person}: two suggestions on one day"
        weeks = collections.Counter(d.isocalendar()[:2] for d in days)
        assert max(weeks.values()) <= 3, f"{person}: more than three a week"
        for event in events:
            slug, day = slug_of(event.url), event.dtstart.date()
            author, published = STORIES[slug][0], dt.date.fromisoformat(STORIES[slug][1])
            assert start <= day < end
            assert parse_qs(urlsplit(event.url).query)["utm_content"] == [person]
            assert event.url in event.description
            if author == person:
                assert day == published and "My colleague" not in event.description
            else:
                assert published < day <= published + dt.timedelta(days=14)
                assert day.weekday() < 5
                assert "My colleague" in event.description
            seen[(slug, team[person], day)] += 1
    assert max(seen.values()) == 1, "one team posted one story twice on one day"
    slugs = {slug_of(e.url) for events in plan.values() for e in events}
    assert {"a-draft", "by-lea", "after-plan"}.isdisjoint(slugs)
    # own stories on their day, including one dated ahead of today
    own = {(p, slug_of(e.url)) for p, events in plan.items() for e in events
           if STORIES[slug_of(e.url)][0] == p}
    assert own == {("ana", "dock-dawn"), ("omar", "van-days"), ("bo", "new-shift"),
                   ("ida", "late-one")}
    # an older story is still offered to colleagues
    assert "old-one" in slugs


def test_each_person_shares_where_they_have_a_handle(make_site):
    site = make_plan_site(make_site)
    assert site.run("plan", today=TODAY).code == 0
    plan = read_plan(site)
    sources = {p: {parse_qs(urlsplit(e.url).query)["utm_source"][0] for e in events}
               for p, events in plan.items()}
    assert sources["cy"] == {"mastodon"} and sources["omar"] == {"x"}
    assert sources["ana"] == {"linkedin"}


def test_the_hootsuite_csv_holds_every_suggestion(make_site):
    site = make_plan_site(make_site)
    assert site.run("plan", today=TODAY).code == 0
    plan = read_plan(site)
    rows = list(csv.reader(io.StringIO((site.root / "plan" / "hootsuite.csv")
                                       .read_text(encoding="utf-8"), newline="")))
    events = [e for events in plan.values() for e in events]
    assert len(rows) == len(events) > 5
    by_link = {e.url: e for e in events}
    for when, message, link in rows:
        assert re.fullmatch(r"\d\d/\d\d/\d{4} \d\d:\d\d", when)
        moment = dt.datetime.strptime(when, "%m/%d/%Y %H:%M")
        assert by_link[link].dtstart == moment
        assert message and link not in message


def test_the_same_day_gives_the_same_files(make_site):
    site = make_plan_site(make_site)
    assert site.run("plan", today=TODAY).code == 0
    first = {p.name: p.read_bytes() for p in (site.root / "plan").iterdir()}
    assert site.run("plan", today=TODAY).code == 0
    assert {p.name: p.read_bytes() for p in (site.root / "plan").iterdir()} == first


@pytest.mark.parametrize("weeks", ["0", "53", "two"])
def test_weeks_must_be_a_sensible_number(make_site, weeks):
    site = make_plan_site(make_site)
    run = site.run("plan", "--weeks", weeks, today=TODAY)
    assert run.code == 2 and "--weeks" in run.err
