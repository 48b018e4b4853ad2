"""A synthetic site of N stories, the same for the same seed: for the benchmark only."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

PEOPLE = 60
TAGS = 40
TEAMS = 8
WORDS = 800

SITE_YAML = """\
title: "Life at Benchco"
company: Benchco
base_url: https://careers.benchco.example/stories/
description: "Stories by the people of Benchco."
language: en
jobs_url: https://careers.benchco.example/jobs/
per_page: 10
social:
  hashtags: [LifeAtBenchco]
  handles: {x: benchco, linkedin: benchco}
  utm: {campaign: employee-stories, medium: social}
"""


def vocabulary(rng: random.Random) -> list[str]:
    """A few thousand pronounceable made-up words."""
    consonants, vowels = "bcdfghklmnprstvw", "aeiou"
    words = set()
    while len(words) < 3000:
        words.add("".join(rng.choice(consonants) + rng.choice(vowels)
                          for _ in range(rng.randint(1, 4))))
    return sorted(words)


def sentence(rng: random.Random, words: list[str]) -> str:
    chosen = [rng.choice(words) for _ in range(rng.randint(6, 18))]
    if rng.random() < 0.2:
        chosen[rng.randrange(len(chosen))] = f"*{rng.choice(words)}*"
    if rng.random() < 0.05:
        link = f"[{rng.choice(words)}](https://example.com/{rng.choice(words)})"
        chosen[rng.randrange(len(chosen))] = link
    return " ".join(chosen).capitalize() + rng.choice(".......?!")


def body(rng: random.Random, words: list[str], target: int = WORDS) -> str:
    """About `target` words of Markdown: paragraphs, now and then a heading or a list."""
    blocks, count = [], 0
    while count < target:
        roll = rng.random()
        if roll < 0.08:
            text = "## " + " ".join(rng.choice(words) for _ in range(3)).capitalize()
        elif roll < 0.15:
            text = "\n".join("- " + sentence(rng, words) for _ in range(rng.randint(2, 5)))
        else:
            text = " ".join(sentence(rng, words) for _ in range(rng.randint(3, 6)))
        count += len(text.split())
        blocks.append(text)
    return "\n\n".join(blocks) + "\n"


def title(rng: random.Random, words: list[str]) -> str:
    return " ".join(rng.choice(words) for _ in range(rng.randint(3, 7))).capitalize()


def make_site(folder: Path, stories: int, seed: int = 1) -> None:
    """Write site.yaml, people/ and stories/ for `stories` stories into `folder`."""
    rng = random.Random(seed)
    words = vocabulary(rng)
    tags = sorted({" ".join(rng.choice(words) for _ in range(rng.randint(1, 2)))
                   for _ in range(TAGS * 2)})[:TAGS]
    teams = [rng.choice(words).capitalize() for _ in range(TEAMS)]
    (folder / "people").mkdir(parents=True, exist_ok=True)
    (folder / "stories").mkdir(exist_ok=True)
    (folder / "site.yaml").write_text(SITE_YAML, encoding="utf-8")
    people = []
    for number in range(PEOPLE):
        person_id = f"person-{number:02d}"
        people.append(person_id)
        name = f"{rng.choice(words).capitalize()} {rng.choice(words).capitalize()}"
        (folder / "people" / f"{person_id}.yaml").write_text(
            f"name: {name}\nrole: {rng.choice(words).capitalize()} lead\n"
            f"team: {rng.choice(teams)}\nlocation: Göteborg\n"
            f"bio: \"{sentence(rng, words)}\"\n", encoding="utf-8")
    start = dt.date(2018, 1, 1)
    for number in range(stories):
        write_story(folder, number, rng, words, people, tags, start)


def write_story(folder: Path, number: int, rng: random.Random, words: list[str],
                people: list[str], tags: list[str], start: dt.date) -> Path:
    date = start + dt.timedelta(days=rng.randrange(3000))
    chosen = rng.sample(tags, rng.randint(1, 4))
    text = (f"---\ntitle: \"{title(rng, words)}\"\nauthor: {rng.choice(people)}\n"
            f"date: {date.isoformat()}\ntags: [{', '.join(chosen)}]\n"
            f"summary: \"{sentence(rng, words)}\"\n---\n{body(rng, words)}")
    path = folder / "stories" / f"{date.isoformat()}-story-{number:05d}.md"
    path.write_text(text, encoding="utf-8")
    return path


def add_story(folder: Path, number: int, seed: int = 2) -> Path:
    """One more story, for the 'added a story' rebuild."""
    rng = random.Random(seed * 100_003 + number)
    words = vocabulary(random.Random(1))
    people = [f"person-{n:02d}" for n in range(PEOPLE)]
    tags = ["added", "late addition", "new voices", "fresh start"]
    return write_story(folder, number, rng, words, people, tags, dt.date(2026, 6, 1))
