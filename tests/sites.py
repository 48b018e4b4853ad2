"""Small, real site folders in tmp_path, built as a user builds them (see conftest.make_site)."""

from __future__ import annotations

import datetime as dt
import os
import io
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))      # the checkout under test, even where another is installed
TODAY = "2026-11-23"          # pinned, so "published" does not depend on the calendar

SITE_YAML = """\
title: "Life at Testco"
company: Testco
base_url: https://careers.testco.example/stories/
description: "Stories by the people of Testco."
language: en
jobs_url: https://careers.testco.example/jobs/
per_page: 10
social:
  hashtags: [LifeAtTestco]
  handles: {x: testco, linkedin: testco}
  utm: {campaign: employee-stories, medium: social}
"""

PERSON_YAML = """\
name: {name}
role: {role}
team: {team}
location: Göteborg
pronouns: she/her
"""

STORY = """\
---
title: "{title}"
author: {author}
date: {date}
tags: [{tags}]
---
{body}
"""


@dataclass
class Run:
    """A finished `python build.py ...`: exit status and what it printed."""

    code: int
    out: str
    err: str

    @property
    def lines(self) -> list[str]:
        return [line for line in self.err.splitlines() if line.strip()]


class SiteFolder:
    """A site source folder under tmp_path, with helpers to add files and build it."""

    def __init__(self, root: Path):
        self.root = root
        self.out = root / "site"

    def write(self, relative: str, text: str) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
        return path

    def write_bytes(self, relative: str, data: bytes) -> Path:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path

    def person(self, person_id: str, name: str = "Ana Lindqvist", role: str = "Shift Lead",
               team: str = "Operations", extra: str = "") -> Path:
        return self.write(f"people/{person_id}.yaml",
                          PERSON_YAML.format(name=name, role=role, team=team) + extra)

    def story(self, name: str, title: str = "A night on the dock", author: str = "ana",
              date: str = "2026-02-10", tags: str = "shift work", body: str = "Hello.",
              extra: str = "") -> Path:
        text = STORY.format(title=title, author=author, date=date, tags=tags, body=body)
        if extra:
            text = text.replace("---\n", "---\n" + textwrap.dedent(extra), 1)
        return self.write(f"stories/{name}", text)

    def run(self, *args: str, today: str = TODAY) -> Run:
        """Run build.py as a user would, from this folder."""
        command = [sys.executable, str(ROOT / "build.py"), *args]
        if not args or args[0] not in ("new", "new-person", "serve", "deploy") \
                and "--source" not in args:
            command += ["--source", str(self.root)]
        done = subprocess.run(command, cwd=self.root, capture_output=True, text=True,
                              env=build_env(today), timeout=300)
        return Run(done.returncode, done.stdout, done.stderr)

    def build(self, *args: str, today: str = TODAY) -> Run:
        return self.run("build", *args, today=today)

    def page(self, url_path: str) -> str:
        """The HTML of an output page by its URL path, like 'stories/night-shift/'."""
        path = self.out / url_path
        if url_path == "" or url_path.endswith("/"):
            path = path / "index.html"
        return path.read_text(encoding="utf-8")

    def snapshot(self) -> dict[str, bytes]:
        """Every output file and its bytes."""
        return {p.relative_to(self.out).as_posix(): p.read_bytes()
                for p in sorted(self.out.rglob("*")) if p.is_file()}


def build_env(today: str) -> dict:
    """The environment build.py runs in: this checkout, and a pinned today."""
    env = dict(os.environ)
    env["FIRSTHAND_TODAY"] = today
    env["PYTHONPATH"] = str(ROOT)
    return env


def jpeg_with_gps(width: int = 64, height: int = 48, orientation: int = 1) -> bytes:
    """A small JPEG whose EXIF carries a GPS position and an orientation."""
    image = Image.new("RGB", (width, height), (200, 120, 40))
    image.paste((255, 0, 0), (0, 0, 12, 12))     # marks the top-left corner
    exif = Image.Exif()
    exif[0x0112] = orientation
    exif[0x010F] = "PhoneMaker"
    gps = {1: "N", 2: (57.0, 42.0, 0.0), 3: "E", 4: (11.0, 58.0, 0.0)}
    exif[0x8825] = gps
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def today() -> dt.date:
    return dt.date.fromisoformat(TODAY)
