"""Small, real site folders in tmp_path, built as a user builds them (see conftest.make_site)."""

from __future__ import annotations

import atexit
import datetime as dt
import http.server
import io
import json
import os
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
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
        return run_build(command, self.root, build_env(today))

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



class QuietServer(http.server.ThreadingHTTPServer):
    """A test's HTTP server: a browser that drops a connection (it moved on to the next
    page) is no error, and prints no traceback into what another test is reading."""

    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def site_folder(root: Path, stories: dict | None = None, people: dict | None = None,
                site: str | None = None) -> SiteFolder:
    """A site folder at `root` (conftest.make_site puts it in tmp_path): site.yaml, people and
    stories as given, or one person (ana) and one story. Fixtures wider than one test pass a
    folder of tmp_path_factory."""
    folder = SiteFolder(root)
    folder.write("site.yaml", site if site is not None else SITE_YAML)
    if people is None:
        folder.person("ana")
    else:
        for person_id, text in people.items():
            folder.write(f"people/{person_id}.yaml", text)
    if stories is None:
        folder.story("2026-02-10-night-shift.md")
    else:
        for name, text in stories.items():
            folder.write(f"stories/{name}", text)
    return folder


def run_build(command: list[str], cwd: Path, env: dict, timeout: float = 300) -> Run:
    """`command` (python build.py ...) run in `cwd` with `env` and waited for, as
    subprocess.run would, but forked from a Python that imported Firsthand already (see
    zygote.py): some 1.3 s of CPU less at each of the suite's hundreds of builds.
    FIRSTHAND_TEST_SUBPROCESS=1 starts a new process each time instead."""
    if os.environ.get("FIRSTHAND_TEST_SUBPROCESS") == "1" or command[:2] != BUILD_PY:
        done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env=env,
                              timeout=timeout)
        return Run(done.returncode, done.stdout, done.stderr)
    zygote = ZYGOTES.get(os.getpid()) or ZYGOTES.setdefault(os.getpid(), Zygote())
    try:
        return zygote.run(command, cwd, env, timeout)
    except BaseException:                 # a timeout, or it died: the next run starts anew
        ZYGOTES.pop(os.getpid(), None)
        zygote.kill()
        raise


BUILD_PY = [sys.executable, str(ROOT / "build.py")]
START_ENV = dict(os.environ)       # before any test's monkeypatch: what the zygote starts with


class Zygote:
    """One zygote.py per test process, started at its first use; it ends with its stdin."""

    def __init__(self):
        self.folder = Path(tempfile.mkdtemp(prefix="firsthand-zygote-"))
        self.process = subprocess.Popen(
            [sys.executable, str(Path(__file__).with_name("zygote.py"))],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, bufsize=0,
            env=dict(START_ENV, PYTHONPATH=str(ROOT)), cwd=self.folder,
            start_new_session=True)
        self.said = b""
        atexit.register(self.stop)

    def stop(self) -> None:
        """Close its stdin, which ends it, and wait for it."""
        self.process.stdin.close()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.folder, ignore_errors=True)

    def run(self, command: list[str], cwd: Path, env: dict, timeout: float) -> Run:
        out, err = self.folder / "stdout", self.folder / "stderr"
        request = {"args": command[2:], "cwd": str(cwd), "env": env, "out": str(out),
                   "err": str(err)}
        message = memoryview(json.dumps(request).encode() + b"\n")
        while message:
            message = message[os.write(self.process.stdin.fileno(), message):]
        deadline = time.monotonic() + timeout      # its first answer waits for its start
        self._line(deadline, command, timeout)      # the child's pid
        code = int(self._line(deadline, command, timeout))
        return Run(code, _as_text(out.read_bytes()), _as_text(err.read_bytes()))

    def kill(self) -> None:
        """Kill it and the run it forked (they share a process group of their own)."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)

    def _line(self, deadline: float, command: list[str], timeout: float) -> str:
        """The zygote's next line, before `deadline` (time.monotonic)."""
        while b"\n" not in self.said:
            ready, _, _ = select.select([self.process.stdout], [], [],
                                        max(0.0, deadline - time.monotonic()))
            if not ready:
                raise subprocess.TimeoutExpired(command, timeout)
            data = os.read(self.process.stdout.fileno(), 4096)
            if not data:
                raise RuntimeError(f"tests/zygote.py stopped (exit status {self.process.wait()})")
            self.said += data
        line, _, self.said = self.said.partition(b"\n")
        return line.decode()


def _as_text(data: bytes) -> str:
    """Bytes read as subprocess.run(text=True) reads them: the locale's encoding, \\n lines."""
    return io.TextIOWrapper(io.BytesIO(data)).read()


ZYGOTES: dict[int, Zygote] = {}          # by the pid of the test process that started it


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
