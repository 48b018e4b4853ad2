"""The share plan: for each person, when to share which story, with the post written in
their voice and a link tagged as theirs; as an iCalendar file each, and one CSV for
Hootsuite's bulk composer.

The rules, in the order they apply:
- everyone shares their own story on the day it is published;
- colleagues share it on the working days after (up to SPREAD_DAYS), so that no two
  people of one team post the same story on the same day;
- nobody gets more than one suggestion a day, nor more than MAX_A_WEEK a week.
Pure functions but for `write_plan`; the same site and day give the same files.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import icalendar

from firsthand.social.platforms import PLATFORMS_BY_ID
from firsthand.social.snippets import post_language, sharer_snippets

MAX_A_WEEK = 3                 # suggestions per person per week: a few, not a campaign
SPREAD_DAYS = 14               # colleagues share within two weeks of publication
FIRST_TIME = dt.time(9, 0)     # the morning slot; more shares of one story that day
STAGGER = dt.timedelta(minutes=30)   # ... come half an hour apart
DURATION = dt.timedelta(minutes=15)
PREFERRED = "linkedin"         # for people with no handle on any of the site's platforms


@dataclass(frozen=True)
class Suggestion:
    """One share: who, which story, when, where, and the post itself."""

    person: object             # model.Person
    entry: object              # enrich.Entry
    at: dt.datetime            # local (floating) time
    platform: str
    text: str
    link: str
    own: bool


def eligible(library, start: dt.date, end: dt.date) -> list:
    """Stories that are, or will be by `end`, published: not drafts, by people still here,
    published in the window or recently enough for colleagues to share."""
    earliest = start - dt.timedelta(days=SPREAD_DAYS)
    found = [e for e in library.entries if not e.story.draft and e.author.active
             and earliest <= e.date < end]
    return sorted(found, key=lambda e: (e.date, e.slug))


def make_plan(library, start: dt.date, weeks: int) -> list[Suggestion]:
    """Every suggestion for the `weeks` weeks from `start`, by time then person."""
    end = start + dt.timedelta(weeks=weeks)
    people = [p.person for p in library.profiles if p.person.active]
    stories = eligible(library, start, end)
    busy: set = set()                    # (person, day)
    per_week: Counter = Counter()        # (person, year, week)
    team_days: set = set()               # (story, team, day)
    per_story_day: Counter = Counter()   # (story, day): for staggering the time
    plan: list[Suggestion] = []

    def add(person, entry, day: dt.date, own: bool) -> None:
        made = suggest(library.site, entry, person, library.catalog)
        if made is None:
            return
        platform, text, link = made
        at = dt.datetime.combine(day, FIRST_TIME) + STAGGER * per_story_day[(entry.slug, day)]
        plan.append(Suggestion(person, entry, at, platform, text, link, own))
        busy.add((person.id, day))
        per_week[(person.id, *day.isocalendar()[:2])] += 1
        team_days.add((entry.slug, team_of(person), day))
        per_story_day[(entry.slug, day)] += 1

    for entry in stories:
        if start <= entry.date < end:
            add(entry.author, entry, entry.date, own=True)
    for index, entry in enumerate(stories):
        colleagues = [p for p in people if p.id != entry.author.id]
        shift = index % len(colleagues) if colleagues else 0
        for person in colleagues[shift:] + colleagues[:shift]:   # turns at going first
            day = _free_day(person, entry, start, end, busy, per_week, team_days)
            if day is not None:
                add(person, entry, day, own=False)
    return sorted(plan, key=lambda s: (s.at, s.person.id, s.entry.slug))


def _free_day(person, entry, start, end, busy, per_week, team_days) -> dt.date | None:
    first = max(entry.date + dt.timedelta(days=1), start)
    last = min(entry.date + dt.timedelta(days=SPREAD_DAYS), end - dt.timedelta(days=1))
    day = first
    while day <= last:
        if (day.weekday() < 5 and (person.id, day) not in busy
                and per_week[(person.id, *day.isocalendar()[:2])] < MAX_A_WEEK
                and (entry.slug, team_of(person), day) not in team_days):
            return day
        day += dt.timedelta(days=1)
    return None


def team_of(person) -> str:
    """A person's team; someone with none is a team of one."""
    return person.team.strip().casefold() or f"@{person.id}"


def suggest(site, entry, person, catalog) -> tuple[str, str, str] | None:
    """(platform, text, link) of the post this person would share, or None when the
    story offers no post on any platform: the post the share kit offers them first (their
    own for the author, their framing of a colleague's post for anyone else), with
    utm_content naming them, so that the report counts each person's shares as theirs."""
    snippets = sharer_snippets(site, entry, person.id, catalog)
    platform = platform_for(site, person, [name for name, found in snippets.items() if found])
    if platform is None:
        return None
    snippet = snippets[platform][0]
    return platform, snippet.text, snippet.link


def platform_for(site, person, available: list[str]) -> str | None:
    """The first of the site's platforms where the person has a handle, else LinkedIn,
    else the first platform that has a post."""
    for name in site.social.platforms:
        if name in available and person.handles.get(name):
            return name
    if PREFERRED in available:
        return PREFERRED
    return available[0] if available else None


# -- files ---------------------------------------------------------------------------------


def calendar(site, person, suggestions: list[Suggestion], start: dt.date, catalog) -> bytes:
    """One person's suggestions as an iCalendar file (RFC 5545), one event each: the
    calendar named in the site's language, each event in its story's (as its post is)."""
    cal = icalendar.Calendar()
    cal.add("prodid", "-//Firsthand//Share plan//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", catalog.text(site.language, "post.plan.calendar",
                                         company=site.company))
    host = urlsplit(site.base_url).netloc or "firsthand.invalid"
    # DTSTAMP is required; the plan's first day stands in for the clock, so that the
    # same site on the same day gives the same bytes.
    stamp = dt.datetime.combine(start, dt.time(0, 0), tzinfo=dt.timezone.utc)
    for s in suggestions:
        event = icalendar.Event()
        event.add("uid", f"{s.entry.slug}.{person.id}.{s.platform}@{host}")
        event.add("dtstamp", stamp)
        event.add("dtstart", s.at)
        event.add("duration", DURATION)
        lang = post_language(site, s.entry)
        event.add("summary", summary(s, catalog, lang))
        kit = site.absolute(s.entry.path + "share/")
        event.add("description", s.text + "\n\n" + catalog.text(lang, "post.plan.kit", kit=kit))
        event.add("url", s.link)
        event.add("categories", ["Firsthand"])
        cal.add_component(event)
    return cal.to_ical()


def summary(s: Suggestion, catalog, lang: str) -> str:
    """What the event is called: share your own story, or a colleague's, on a platform."""
    words = {"platform": PLATFORMS_BY_ID[s.platform].name, "title": s.entry.title,
             "name": s.entry.author.name}
    return catalog.text(lang, "post.plan.own" if s.own else "post.plan.colleague", **words)


def hootsuite_csv(suggestions: list[Suggestion]) -> bytes:
    """Hootsuite's bulk composer CSV: no header; per row the date and time
    (MM/DD/YYYY HH:MM, 24-hour, one of the date formats its upload dialog offers), the
    message, and the link (optional; Hootsuite attaches it, so the message leaves it out).
    Described in Hootsuite's "Bulk Schedule" upload dialog; see the walk-throughs at
    https://kim-iverson-headlee.blogspot.com/2016/08/the-business-of-writing-using-hootsuite.html
    and http://jycalcano.blogspot.com/2015/07/post-8-hootsuite-bulk-messaging.html."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for s in suggestions:
        message = s.text[: -len(s.link)].rstrip() if s.text.endswith(s.link) else s.text
        writer.writerow([s.at.strftime("%m/%d/%Y %H:%M"), message, s.link])
    return out.getvalue().encode("utf-8")


def plan_files(library, start: dt.date, weeks: int) -> dict[str, bytes]:
    """{file name: bytes}: PERSON.ics for everyone with a suggestion, and hootsuite.csv."""
    suggestions = make_plan(library, start, weeks)
    files = {}
    by_person: dict[str, list[Suggestion]] = {}
    for s in suggestions:
        by_person.setdefault(s.person.id, []).append(s)
    for person_id, own in sorted(by_person.items()):
        files[f"{person_id}.ics"] = calendar(library.site, own[0].person, own, start,
                                             library.catalog)
    files["hootsuite.csv"] = hootsuite_csv(suggestions)
    return files


def write_plan(out: Path, files: dict[str, bytes]) -> None:
    """Write the plan into out; calendars of an earlier plan that has none now go."""
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.ics"):
        if old.name not in files:
            old.unlink()
    for name, data in files.items():
        temporary = out / f".{name}.tmp"
        temporary.write_bytes(data)
        temporary.replace(out / name)
