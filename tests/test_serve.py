"""`python build.py serve`: the preview a writer keeps open while typing."""

from __future__ import annotations

import http.client
import json
import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from sites import ROOT, TODAY, build_env
from firsthand.content import markup
from firsthand.commands.serve import Changes, Preview, _dropped_quietly, resolve, with_live_script

STORY = "stories/2026-02-10-night-shift.md"
PAGE = "/stories/night-shift/"
BROKEN_DATE = "stories/2026-02-10-night-shift.md:4: error:"


class Server:
    """A running `python build.py serve --port 0`, its URL and what it printed."""

    def __init__(self, source: Path, *args: str):
        command = [sys.executable, "-u", str(ROOT / "build.py"), "serve",
                   "--source", str(source), "--port", "0", *args]
        self.process = subprocess.Popen(command, cwd=source, env=build_env(TODAY), text=True,
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        self.printed: list[str] = []
        self.lines: queue.Queue = queue.Queue()
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        found = self.wait_for_output(r"Serving at (http://\S+/)", timeout=60)
        self.port = int(re.search(r":(\d+)/", found.group(1)).group(1))
        self.url = found.group(1)

    def _read(self) -> None:
        for line in self.process.stdout:
            self.lines.put(line)

    def wait_for_output(self, pattern: str, timeout: float = 15):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in self.printed:
                if match := re.search(pattern, line):
                    return match
            try:
                self.printed.append(self.lines.get(timeout=0.2))
            except queue.Empty:
                if self.process.poll() is not None and self.lines.empty():
                    break
        raise AssertionError(f"no {pattern!r} in the output:\n{''.join(self.printed)}")

    def get(self, path: str, host: str | None = None) -> SimpleNamespace:
        """Request a raw path (sent exactly as given) without following redirects."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        headers = {"Host": host} if host else {}
        try:
            connection.request("GET", path, headers=headers)
            response = connection.getresponse()
            body = response.read().decode("utf-8", "replace")
            return SimpleNamespace(status=response.status, body=body,
                                   location=response.getheader("Location"),
                                   type=response.getheader("Content-Type"))
        finally:
            connection.close()

    def events(self) -> "EventStream":
        return EventStream(self.port)

    def stop(self) -> int:
        """Ctrl-C, as a writer would; the exit status."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.reader.join(timeout=5)
        while not self.lines.empty():
            self.printed.append(self.lines.get())
        return self.process.returncode


class EventStream:
    """The server-sent events a tab listens to: one JSON 'state' per rebuild."""

    def __init__(self, port: int):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        self.connection.request("GET", "/__firsthand/events")
        self.response = self.connection.getresponse()
        assert self.response.getheader("Content-Type") == "text/event-stream"

    def next_state(self, until, timeout: float = 15) -> dict:
        """Read events until one satisfies `until`; fail after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        event, seen = None, []
        while time.monotonic() < deadline:
            line = self.response.fp.readline().decode()
            if not line:
                break
            if line.startswith("event: "):
                event = line[7:].strip()
            elif line.startswith("data: ") and event == "state":
                state = json.loads(line[6:])
                seen.append(state)
                if until(state):
                    return state
        raise AssertionError(f"no such state; saw {seen}")

    def close(self) -> None:
        self.connection.close()


@pytest.fixture
def serve():
    """serve(site, *args) -> a running Server; every one is stopped afterwards."""
    servers = []

    def start(site, *args: str) -> Server:
        servers.append(Server(site.root, *args))
        return servers[-1]

    yield start
    for server in servers:
        server.stop()


def wait_until(check, timeout: float = 10):
    """Poll `check` until it returns something true; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value or time.monotonic() > deadline:
            assert value, "gave up waiting"
            return value
        time.sleep(0.1)


def test_serve_shows_the_story_and_then_its_new_text(make_site, serve):
    site = make_site()
    server = serve(site)
    page = server.get(PAGE)
    assert page.status == 200 and "Hello." in page.body
    assert '<script src="/__firsthand/live.js"' in page.body
    assert server.url.startswith("http://127.0.0.1:")
    assert "only this computer" in "".join(server.printed)

    site.story("2026-02-10-night-shift.md", body="The dock at dawn, rewritten.")
    wait_until(lambda: "The dock at dawn, rewritten." in server.get(PAGE).body)
    server.wait_for_output(r"2026-02-10-night-shift\.md changed: rebuilt in \d+\.\d+ s")

    # Editors that save through a temporary file and a rename are seen too.
    saved = site.story("saving.tmp", body="Saved the careful way.")
    os.replace(saved, site.root / STORY)
    wait_until(lambda: "Saved the careful way." in server.get(PAGE).body)
    assert not site.out.exists(), "serve builds in memory and leaves site/ alone"
    assert server.stop() == 0
    assert "Stopping." in "".join(server.printed)


def test_built_files_never_carry_the_reload_script(make_site, serve):
    site = make_site()
    server = serve(site)
    assert server.get("/").status == 200
    assert site.build().code == 0
    assert all(b"__firsthand" not in data for data in site.snapshot().values())
    assert "__firsthand" not in server.get("/feed.xml").body


def test_a_broken_story_keeps_the_last_good_page_and_reports_the_error(make_site, serve):
    site = make_site()
    server = serve(site)
    events = server.events()
    try:
        first = events.next_state(lambda s: True)
        assert first["problems"] == []

        site.story("2026-02-10-night-shift.md", date="10.2.2026", body="Half-typed")
        broken = events.next_state(lambda s: s["problems"])
        assert any(p.startswith(BROKEN_DATE) for p in broken["problems"])
        assert broken["build"] == first["build"]
        page = server.get(PAGE)
        assert page.status == 200 and "Hello." in page.body
        server.wait_for_output("still serving the last good build")

        site.story("2026-02-10-night-shift.md", body="Finished, at last.")
        fixed = events.next_state(lambda s: not s["problems"])
        assert fixed["build"] == first["build"] + 1
        assert "Finished, at last." in server.get(PAGE).body
        assert server.stop() == 0, "Ctrl-C stops it even with a tab listening"
    finally:
        events.close()


def test_a_site_that_does_not_build_yet_shows_why_and_recovers(make_site, serve):
    site = make_site()
    site.story("2026-02-10-night-shift.md", date="10.2.2026")
    server = serve(site)
    missing = server.get("/")
    assert missing.status == 404 and "/__firsthand/live.js" in missing.body
    events = server.events()
    try:
        assert any(p.startswith(BROKEN_DATE) for p in events.next_state(bool)["problems"])
        site.story("2026-02-10-night-shift.md")
        events.next_state(lambda s: not s["problems"])
    finally:
        events.close()
    assert "Hello." in server.get(PAGE).body


def test_drafts_are_shown_and_marked_unless_told_otherwise(make_site, serve):
    site = make_site()
    site.story("2026-03-01-draft.md", title="Not yet", body="Work in progress.",
               extra="draft: true\n")
    page = serve(site).get("/stories/draft/")
    assert page.status == 200 and "Work in progress." in page.body
    assert "Preview build" in page.body
    assert serve(site, "--no-drafts").get("/stories/draft/").status == 404


TRAVERSALS = [
    "/../conftest.py", "/..%2f..%2fsite.yaml", "/%2e%2e/site.yaml", "/%2E%2E/%2E%2E/etc/passwd",
    "/static/..%2f..%2fsite.yaml", "/static%2fstyle.css", "/static\\style.css",
    "/static/%5c..%5csite.yaml", "/static/style.css%00", "/stories/./night-shift/",
    "/site.yaml", "/people/ana.yaml", "/stories/2026-02-10-night-shift.md", "/static/",
    "/stories/", "/outside.txt", "/../outside.txt", "/%ff",
]


def test_only_files_of_the_build_are_served(make_site, serve):
    site = make_site()
    (site.root.parent / "outside.txt").write_text("secret")
    server = serve(site)
    for path in TRAVERSALS:
        response = server.get(path)
        assert response.status == 404, path
        assert "secret" not in response.body and "Testco" in response.body, path


def test_symlinks_lead_nowhere_outside(make_site, serve, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("the secret")
    site = make_site()
    site.out.mkdir()
    (site.out / "leak.txt").symlink_to(secret)       # a link in the output folder
    server = serve(site)
    assert server.get("/leak.txt").status == 404
    (site.root / "static").mkdir()
    (site.root / "static" / "leak.txt").symlink_to(secret)   # and one in static/
    events = server.events()
    try:
        state = events.next_state(lambda s: s["problems"])
        assert any(p.startswith("static/leak.txt:1: error: symbolic links") for p in
                   state["problems"])
    finally:
        events.close()
    response = server.get("/static/leak.txt")
    assert response.status == 404 and "the secret" not in response.body


def test_pretty_urls_and_redirects(make_site, serve):
    server = serve(make_site())
    assert server.get("/stories/night-shift").location == "/stories/night-shift/"
    assert server.get("/stories/night-shift").status == 301
    assert server.get("//stories/night-shift").location == "/stories/night-shift/"
    assert server.get("/static/style.css").type == "text/css; charset=utf-8"
    assert server.get(PAGE + "?utm_source=x").status == 200


def test_other_host_names_are_refused_on_loopback(make_site, serve):
    server = serve(make_site())
    assert server.get("/", host="attacker.example").status == 403
    assert server.get("/", host=f"localhost:{server.port}").status == 200


def test_a_taken_port_gets_a_clear_message(make_site):
    site = make_site()
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = site.run("serve", "--source", str(site.root), "--port", str(port))
    assert run.code == 2
    assert f"port {port} on 127.0.0.1 is already in use" in run.err
    assert f"try --port {port + 1}" in run.err


@pytest.mark.parametrize("relative, counts", [
    ("stories/2026-02-10-night-shift.md", True),
    ("site.yaml", True),
    ("templates/story.html", True),
    ("static/.well-known/security.txt", True),
    ("stories/.2026-02-10-night-shift.md.swp", False),
    ("stories/2026-02-10-night-shift.md~", False),
    ("stories/4913", False),
    ("stories/.#2026-02-10-night-shift.md", False),
    ("stories/#2026-02-10-night-shift.md#", False),
    ("templates/story.html___jb_tmp___", False),
    ("people/ana.yaml.tmp", False),
    ("site/index.html", False),
    (".cache/rendered.db", False),
    ("README.md", False),
])
def test_editor_noise_and_output_do_not_trigger_rebuilds(tmp_path, relative, counts):
    changes = Changes(tmp_path)
    assert (changes.content_path(str(tmp_path / relative)) is not None) is counts


def test_a_burst_of_saves_is_one_rebuild_with_every_path(tmp_path):
    changes = Changes(tmp_path)
    story = str(tmp_path / "stories/x.md")
    for event in [
        SimpleNamespace(event_type="created", is_directory=False, src_path=str(tmp_path / "stories/4913")),
        SimpleNamespace(event_type="moved", is_directory=False, src_path=story, dest_path=story + "~"),
        SimpleNamespace(event_type="created", is_directory=False, src_path=story),
        SimpleNamespace(event_type="opened", is_directory=False, src_path=str(tmp_path / "site.yaml")),
        SimpleNamespace(event_type="modified", is_directory=True, src_path=str(tmp_path / "stories")),
        SimpleNamespace(event_type="deleted", is_directory=False, src_path=str(tmp_path / "people/bo.yaml")),
    ]:
        changes.on_any_event(event)
    assert changes.next_batch(lambda: False) == {"stories/x.md", "people/bo.yaml"}


def test_a_rebuild_renders_only_the_story_that_changed(make_site, monkeypatch):
    monkeypatch.setenv("FIRSTHAND_TODAY", TODAY)
    site = make_site()
    site.story("2026-03-01-second.md", title="Second", body="Another one.")
    preview = Preview(site.root, drafts=True, base_url="http://127.0.0.1:8000/")
    assert preview.rebuild().ok
    rendered = []
    original = markup.render_if_safe
    monkeypatch.setattr(markup, "render_if_safe",
                        lambda text: rendered.append(text) or original(text))
    site.story("2026-03-01-second.md", title="Second", body="Another one, edited.")
    result = preview.rebuild()
    assert result.ok and rendered == ["Another one, edited.\n"]
    assert b"Another one, edited." in preview.files["stories/second/index.html"]


def test_a_template_error_points_at_the_template_line(make_site, monkeypatch):
    monkeypatch.setenv("FIRSTHAND_TODAY", TODAY)
    site = make_site()
    site.write("templates/story.html", "{% extends 'base.html' %}\n{% block main %}\n"
                                       "{{ page.nonsense }}\n{% endblock %}\n")
    preview = Preview(site.root, drafts=True, base_url="http://127.0.0.1:8000/")
    assert [p.split(": error: ")[0] for p in (str(q) for q in preview.rebuild().problems)] \
        == ["templates/story.html:3"]
    site.write("templates/story.html", "{% extends 'base.html' %}\n{% block main %\n")
    assert str(preview.rebuild().problems[0]).startswith("templates/story.html:2: error: ")
    assert preview.files == {} and preview.problems


def test_the_reload_script_goes_before_the_end_of_body():
    html = with_live_script(b"<html><body><p>x</p></BODY></html>", 7)
    assert html == (b'<html><body><p>x</p><script src="/__firsthand/live.js" '
                    b'data-build="7"></script>\n</BODY></html>')


def test_resolve_maps_pretty_urls():
    files = {"index.html": b"", "stories/x/index.html": b"", "feed.xml": b""}
    assert resolve(files, "/") == ("index.html", None)
    assert resolve(files, "/stories/x/") == ("stories/x/index.html", None)
    assert resolve(files, "/stories/x") == (None, "/stories/x/")
    assert resolve(files, "/feed.xml?x=1") == ("feed.xml", None)
    assert resolve(files, "/stories/../feed.xml") == (None, None)


@pytest.mark.browser
def test_a_browser_tab_reloads_and_shows_the_overlay(make_site, serve, browser):
    site = make_site()
    server = serve(site)
    tab = browser.new_page()
    try:
        tab.goto(server.url + PAGE.lstrip("/"))
        assert "Hello." in tab.inner_text("main")
        # No need to wait for the event stream: on connecting, it tells the tab the
        # build number, and a tab showing an older build reloads.

        site.story("2026-02-10-night-shift.md", body="Seen in the browser.")
        tab.wait_for_function("document.body.innerText.includes('Seen in the browser.')",
                              timeout=15_000)

        site.story("2026-02-10-night-shift.md", date="10.2.2026", body="Broken.")
        overlay = tab.wait_for_selector("#firsthand-overlay", timeout=15_000)
        assert BROKEN_DATE in overlay.inner_text()
        assert "Seen in the browser." in tab.inner_text("main")

        site.story("2026-02-10-night-shift.md", body="Fixed in the browser.")
        tab.wait_for_function("document.body.innerText.includes('Fixed in the browser.')",
                              timeout=15_000)
        assert tab.query_selector("#firsthand-overlay") is None
    finally:
        tab.close()


def test_a_saved_story_s_first_page_compiles_no_template(make_site, monkeypatch):
    """The rebuild compiles the story page's templates for show_first beforehand."""
    import jinja2
    monkeypatch.setenv("FIRSTHAND_TODAY", TODAY)
    site = make_site()
    preview = Preview(site.root, drafts=False, base_url="http://127.0.0.1:8000/")
    assert preview.rebuild().ok
    compiled = []
    real = jinja2.Environment.compile
    monkeypatch.setattr(jinja2.Environment, "compile",
                        lambda env, *args, **kwargs: (compiled.append(args[1:2]),
                                                      real(env, *args, **kwargs))[1])
    site.story("2026-02-10-night-shift.md", body="Edited for the preview.")
    assert preview.show_first({"stories/2026-02-10-night-shift.md"})
    assert b"Edited for the preview." in preview.files["stories/night-shift/index.html"]
    assert compiled == []


def test_a_saved_story_shows_its_page_first_then_the_whole_site(make_site, monkeypatch):
    """show_first serves the edited story's own page at once, made against the last good
    build; the whole rebuild that follows equals a cold build in memory."""
    from firsthand.build import generate
    monkeypatch.setenv("FIRSTHAND_TODAY", TODAY)
    site = make_site()
    site.story("2026-03-01-second.md", title="Second", body="Another one.")
    base = "http://127.0.0.1:8000/"
    preview = Preview(site.root, drafts=False, base_url=base)
    assert preview.rebuild().ok
    build, home = preview.build, preview.files["index.html"]
    site.story("2026-03-01-second.md", title="Second, retitled", body="Another one, edited.")
    assert preview.show_first({"stories/2026-03-01-second.md"})
    page = preview.files["stories/second/index.html"]
    assert b"Another one, edited." in page and b"Second, retitled" in page
    assert preview.build == build + 1                 # open tabs reload to it
    assert preview.files["index.html"] == home        # the lists wait for the whole build
    assert preview.rebuild().ok
    assert b"Second, retitled" in preview.files["index.html"]
    assert preview.files == generate(site.root, base_url=base, cache="off").files

    # a rebuild that read the story before a later save keeps the page shown first
    started = time.perf_counter()
    stale = generate(site.root, base_url=base, cache="off")
    site.story("2026-03-01-second.md", title="Second, retitled", body="Saved again.")
    assert preview.show_first({"stories/2026-03-01-second.md"})
    preview.publish(stale, started)
    assert b"Saved again." in preview.files["stories/second/index.html"]
    assert preview.rebuild().ok
    assert preview.files == generate(site.root, base_url=base, cache="off").files

    # a change that moves the story (its date, so its place in every list) or is not a
    # story's own edit waits for the whole build
    site.story("2026-03-01-second.md", title="Second", body="Moved.", date="2026-03-02")
    assert not preview.show_first({"stories/2026-03-01-second.md"})
    assert not preview.show_first({"site.yaml"})
    assert b"Moved." not in preview.files["stories/second/index.html"]


def test_a_dropped_connection_prints_nothing_and_a_failed_request_one_line(capsys):
    try:
        raise ConnectionResetError(104, "Connection reset by peer")
    except ConnectionResetError:
        _dropped_quietly(None, None, ("127.0.0.1", 50000))
    assert capsys.readouterr().err == ""
    try:
        raise ValueError("odd request")
    except ValueError:
        _dropped_quietly(None, None, ("127.0.0.1", 50000))
    said = capsys.readouterr().err
    assert said == "serve: a request from 127.0.0.1 failed: ValueError('odd request')\n"
