"""A synthetic site of N stories, the same for the same seed: for the benchmark only."""

from __future__ import annotations

import datetime as dt
import io
import random
import shutil
from pathlib import Path

from PIL import Image, ImageDraw

PEOPLE = 60
TAGS = 40
TEAMS = 8
WORDS = 800
PHOTOS = 24                   # distinct photos in static/photos/, shared by the stories
PHOTO_SHARE = 0.25            # the part of stories with a photo in front matter, and in the body
# A company's recurring sentences: in bodies, summaries and quotes, as real sites have them.
RECURRING = [
    "At Benchco we look after each other, on every shift and in every team.",
    "The best part of the job is the people I work with every day.",
    "I never thought I would stay this long, and I am glad I did.",
    "Nobody expects you to know everything on your first day here.",
    "We celebrate the small wins as much as the big launches.",
    "If you are thinking about applying, just do it.",
    "Flexibility here means I can be there for my family.",
    "Every day I learn something new from someone on my team.",
]

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


def body(rng: random.Random, words: list[str], target: int = WORDS,
         picture: str = "") -> str:
    """About `target` words of Markdown: paragraphs, now and then a heading, a list, one of
    the company's recurring sentences; `picture` (a file beside the story) first."""
    blocks, count = [], 0
    if picture:
        blocks.append(f"![{title(rng, words)}]({picture})")
    while count < target:
        roll = rng.random()
        if roll < 0.05:
            text = rng.choice(RECURRING) + " " + sentence(rng, words)
        elif roll < 0.08:
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


def photo(rng: random.Random) -> str:
    return f"photo-{rng.randrange(PHOTOS):02d}.jpg"


def write_photos(folder: Path) -> None:
    """PHOTOS camera-sized JPEGs (1600 x 1067), different, the same for every run."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(99)
    for number in range(PHOTOS):
        image = Image.new("RGB", (1600, 1067), tuple(rng.randrange(256) for _ in range(3)))
        draw = ImageDraw.Draw(image)
        for _ in range(60):
            x, y = rng.randrange(1600), rng.randrange(1067)
            draw.ellipse((x, y, x + rng.randrange(40, 400), y + rng.randrange(40, 400)),
                         fill=tuple(rng.randrange(256) for _ in range(3)))
        out = io.BytesIO()
        image.save(out, format="JPEG", quality=85)
        (folder / f"photo-{number:02d}.jpg").write_bytes(out.getvalue())


def make_site(folder: Path, stories: int, seed: int = 1) -> None:
    """Write site.yaml, people/, static/photos/ and stories/ for `stories` stories."""
    write_photos(folder / "static" / "photos")
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
                people: list[str], tags: list[str], start: dt.date,
                date: dt.date | None = None) -> Path:
    """One story dated `date`, or on a day of the 3,000 from `start`."""
    offset = rng.randrange(3000)
    date = date or start + dt.timedelta(days=offset)
    chosen = rng.sample(tags, rng.randint(1, 4))
    summary = sentence(rng, words)
    if rng.random() < 0.2:
        summary = rng.choice(RECURRING) + " " + summary
    extra = ""
    if rng.random() < PHOTO_SHARE:
        extra += f"image: /static/photos/{photo(rng)}\nimage_alt: \"{title(rng, words)}\"\n"
    if rng.random() < 0.5:
        quote = rng.choice(RECURRING) if rng.random() < 0.3 else sentence(rng, words)
        extra += f"quote: \"{quote}\"\n"
    if rng.random() < 0.33:
        extra += f"question: \"{sentence(rng, words).rstrip('.!?')}?\"\n"
    # A quarter of the bodies show a photo: those stories are bundles (a folder with
    # index.md and the photo beside it), as pictures in a story's text must be.
    picture = photo(rng) if rng.random() < PHOTO_SHARE else ""
    text = (f"---\ntitle: \"{title(rng, words)}\"\nauthor: {rng.choice(people)}\n"
            f"date: {date.isoformat()}\ntags: [{', '.join(chosen)}]\n"
            f"summary: \"{summary}\"\n{extra}---\n{body(rng, words, picture=picture)}")
    name = f"{date.isoformat()}-story-{number:05d}"
    if picture:
        bundle = folder / "stories" / name
        bundle.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(folder / "static" / "photos" / picture, bundle / picture)
        path = bundle / "index.md"
    else:
        path = folder / "stories" / f"{name}.md"
    path.write_text(text, encoding="utf-8")
    return path


def add_story(folder: Path, number: int, on: dt.date, seed: int = 2) -> Path:
    """One more story, published on `on` (the build's day): the newest, as a new story
    is, so that it heads the home page and its tags' pages, which all move down one."""
    rng = random.Random(seed * 100_003 + number)
    words = vocabulary(random.Random(1))
    people = [f"person-{n:02d}" for n in range(PEOPLE)]
    tags = ["added", "late addition", "new voices", "fresh start"]
    return write_story(folder, number, rng, words, people, tags, on, date=on)
