"""Live preview: build in memory, serve it, rebuild on every change, reload open tabs.

Nothing is written to disk: the last good build is a {path: bytes} dict in memory,
and only paths in it are ever served. A save of a story shows its own page first (made
against the last good build), then the whole site rebuilt in memory. A broken file keeps that build on the air and
shows its problems in every open tab (server-sent events); the fix reloads the tabs.
"""

from __future__ import annotations

import errno
import json
import mimetypes
import signal
import socket
import sys
import threading
import time
import traceback
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import quote, unquote, urlsplit

import jinja2
from watchdog.events import FileSystemEventHandler
from watchdog.observers import Observer

from firsthand.build import LIVE_SCRIPT, Result, generate, preview_story, whole
from firsthand.content.problems import Problem, shown_path
from firsthand.pages.render import (DEFAULT_THEME, STORY_TEMPLATE, compile_ahead,
                                    make_environment)
from firsthand.output.store import MemoryStore, Store

WATCHED = ("stories", "people", "templates", "static", "i18n", "site.yaml")
QUIET = 0.2            # seconds without a change before rebuilding: editors save in bursts
KEEPALIVE = 15.0       # seconds between comments on an idle event stream
EVENTS, SCRIPT = "/__firsthand/events", "/__firsthand/live.js"
# Editors' swap, backup, lock and temporary files (vim, emacs, JetBrains, kate, gedit...).
NOISE_SUFFIXES = ("~", ".swp", ".swo", ".swx", ".swpx", ".tmp", ".temp", ".bak", ".part",
                  ".kate-swp", "___jb_tmp___", "___jb_old___")
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")

# The script that reloads open tabs; served, never copied into a built site.
LIVE_JS = (DEFAULT_THEME / "static" / LIVE_SCRIPT).read_bytes()


class Preview:
    """The last good build in memory, the problems of the latest one, and who waits for news."""

    def __init__(self, source: Path, drafts: bool, base_url: str):
        self.source, self.drafts, self.base_url = source, drafts, base_url
        self.files: dict[str, bytes] = {}
        self.build = 0            # number of the good build being served; tabs compare it
        self.problems: list[str] = []
        self.serial = 0           # counts finished rebuilds, good or not
        self.closed = False
        # What the last build made (Markdown, snippets, cards, pages), so that a save
        # redoes only what it touches; over the site's store on disk, for a warm start.
        self.store = MemoryStore(backing=Store.for_site(source))
        self.last: Result | None = None       # the last good build
        self.env: jinja2.Environment | None = None
        self.idle = threading.Event()         # cleared while show_first works: the
        self.idle.set()                       # rebuild waits at its next file meanwhile
        self.first: dict[str, tuple[bytes, float]] = {}   # pages shown first, and when
        self.news = threading.Condition()

    def rebuild(self) -> Result:
        """Build in memory; keep the new files only when there are no errors."""
        started = time.perf_counter()
        result = self._generate()
        result.seconds = time.perf_counter() - started
        self.publish(result, started)
        if result.ok:
            # the templates as this build read them, compiled now for show_first
            env = make_environment(self.source)
            compile_ahead(env, STORY_TEMPLATE)
            self.env = env
            self.last = result
            self.store.forget_unused()
        return result

    def show_first(self, paths: set[str]) -> bool:
        """Serve the new page of each saved story at once (build.preview_story), before
        the whole site is rebuilt; False when some change is not a story's own edit, or
        while problems are shown (only the whole build can say they are fixed)."""
        if self.last is None or self.problems or not paths or not all(
                p.startswith("stories/") and p.endswith(".md") for p in paths):
            return False
        self.idle.clear()
        try:
            return self._show(paths, time.perf_counter())
        finally:
            self.idle.set()

    def _show(self, paths: set[str], saved: float) -> bool:
        pages = {}
        for path in sorted(paths):
            try:
                # its own store: this runs beside a rebuild, which uses self.store
                made = preview_story(self.source, path, self.last, Store(None), self.env)
            except Exception:                     # the whole rebuild reports what it is
                made = None
            if made is None:
                return False
            pages[made[0]] = made[1]
        with self.news:
            self.first.update((path, (data, saved)) for path, data in pages.items())
            if all(self.files.get(path) == data for path, data in pages.items()):
                return True
            self.files = {**self.files, **pages}
            self.build += 1
            self.serial += 1
            self.news.notify_all()
        return True

    def publish(self, result: Result, started: float = 0.0) -> None:
        """Serve a good build's files, or keep the old ones and announce the problems.

        A page shown first (show_first) for a save made after the build `started` stays:
        the build read the story before that save, and the next one will have it."""
        with self.news:
            if result.ok:
                self.first = {path: made for path, made in self.first.items()
                              if made[1] > started}
                files = result.files
                if self.first:
                    files = {**files, **{path: made[0] for path, made in self.first.items()
                                         if path in files}}
                if files != self.files:
                    self.files, self.build = files, self.build + 1
                self.problems = []
            else:
                self.problems = [str(p) for p in result.problems]
            self.serial += 1
            self.news.notify_all()

    def _generate(self) -> Result:
        files: dict[str, bytes] = {}

        def keep(path: str, data: bytes) -> None:
            self.idle.wait()                      # a saved story's page goes first
            files[path] = data
        try:
            result = generate(self.source, drafts=self.drafts, base_url=self.base_url,
                              store=self.store, sink=whole(keep))
            result.files = files
            return result
        except jinja2.TemplateError as exc:       # a theme author's typo must not stop serve
            return Result([template_problem(exc, self.source)])
        except OSError as exc:                    # a file vanished in the middle of a save
            where = Path(exc.filename or self.source)
            return Result([Problem(shown_path(where, self.source, DEFAULT_THEME), 1,
                                   f"cannot read the file: {exc.strerror}")])

    def state(self) -> tuple[int, bytes]:
        """The rebuild count and the event tabs get: build number and problems."""
        with self.news:
            data = json.dumps({"build": self.build, "problems": self.problems})
            return self.serial, f"event: state\ndata: {data}\n\n".encode()

    def wait(self, serial: int, timeout: float) -> None:
        """Return when a rebuild after `serial` has finished, on close, or after timeout."""
        with self.news:
            self.news.wait_for(lambda: self.serial != serial or self.closed, timeout)

    def close(self) -> None:
        with self.news:
            self.closed = True
            self.news.notify_all()


def template_problem(exc: jinja2.TemplateError, source: Path) -> Problem:
    """Point at the template line that failed, from the error or Jinja's traceback."""
    filename, line = getattr(exc, "filename", None), getattr(exc, "lineno", None)
    if not filename:
        frames = traceback.extract_tb(exc.__traceback__)
        for frame in reversed(frames):
            if Path(frame.filename).suffix in (".html", ".xml", ".txt", ".svg"):
                filename, line = frame.filename, frame.lineno
                break
    path = shown_path(Path(filename), source, DEFAULT_THEME) if filename else "templates"
    return Problem(path, line or 1, f"template error: {exc.message or type(exc).__name__}")



def resolve(files: dict[str, bytes], raw_path: str) -> tuple[str | None, str | None]:
    """Map a request path to (output file, None), (None, redirect) or (None, None) for 404."""
    path = urlsplit(raw_path).path
    if any(code in path.lower() for code in ("%2f", "%5c", "%00")):
        return None, None                 # encoded separators and NUL never name a file
    try:
        path = unquote(path, errors="strict")
    except UnicodeDecodeError:
        return None, None
    parts = path.split("/")
    if "\\" in path or "\0" in path or any(part in (".", "..") for part in parts):
        return None, None
    key = path.lstrip("/")
    if key == "" or key.endswith("/"):
        key += "index.html"
    if key in files:
        return key, None
    if f"{key}/index.html" in files:
        return None, "/" + quote(key) + "/"
    return None, None


def not_found_page(files: dict[str, bytes], path: str) -> str:
    """The 404.html nearest up a missing address's path (ja/404.html for /ja/gone/), as
    hosts that have one per folder serve it; else the site's own."""
    parts = [part for part in path.split("/")[:-1] if part]
    for depth in range(len(parts), 0, -1):
        candidate = "/".join(parts[:depth]) + "/404.html"
        if candidate in files:
            return candidate
    return "404.html"


def with_live_script(html: bytes, build: int) -> bytes:
    """Add the reload script before </body>; served pages only, never the built files."""
    tag = f'<script src="{SCRIPT}" data-build="{build}"></script>\n'.encode()
    at = html.lower().rfind(b"</body>")
    return html + tag if at < 0 else html[:at] + tag + html[at:]


class Handler(BaseHTTPRequestHandler):
    """GET and HEAD of files in the last good build, the reload script and the event stream."""

    preview: Preview
    loopback: bool

    def do_GET(self) -> None:
        self.respond(body=True)

    def do_HEAD(self) -> None:
        self.respond(body=False)

    def respond(self, body: bool) -> None:
        if self.loopback and not self._local_host():
            return self.send(HTTPStatus.FORBIDDEN, b"Forbidden\n", "text/plain", body)
        path = urlsplit(self.path).path
        if path == EVENTS:
            return self.stream_events()
        if path == SCRIPT:
            return self.send(HTTPStatus.OK, LIVE_JS, "text/javascript", body)
        with self.preview.news:
            files, build = self.preview.files, self.preview.build
        key, redirect = resolve(files, self.path)
        if redirect:
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", redirect)
            self.send_header("Content-Length", "0")
            return self.end_headers()
        status = HTTPStatus.OK if key else HTTPStatus.NOT_FOUND
        key = key or not_found_page(files, urlsplit(self.path).path)
        data = files.get(key, b"<!doctype html><title>Not found</title><body><h1>Not found</h1>"
                              b"</body>")
        kind = mimetypes.guess_type(key)[0] or "application/octet-stream"
        if kind == "text/html":
            data = with_live_script(data, build)
        self.send(status, data, kind, body)

    def send(self, status: HTTPStatus, data: bytes, kind: str, body: bool) -> None:
        self.send_response(status)
        if kind.startswith("text/") or kind in ("application/json", "application/xml"):
            kind += "; charset=utf-8"
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if body:
            self.wfile.write(data)

    def stream_events(self) -> None:
        """Send the state now and after every rebuild, until the tab or the server goes."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        serial, message = self.preview.state()
        try:
            self.wfile.write(message)
            self.wfile.flush()
            while not self.preview.closed:
                self.preview.wait(serial, KEEPALIVE)
                if self.preview.serial == serial:
                    self.wfile.write(b": still here\n\n")
                else:
                    serial, message = self.preview.state()
                    self.wfile.write(message)
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass                                  # the tab was closed

    def _local_host(self) -> bool:
        """Refuse other Host names on loopback, so no web page can rebind a name to us."""
        host = (self.headers.get("Host") or "").lower()
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        return name in LOOPBACK_NAMES

    def log_message(self, format: str, *args) -> None:
        pass                                      # one line per request drowns the rebuilds


class Changes(FileSystemEventHandler):
    """Collects the paths of changed content files; editors' noise is left out.
    `on_change(paths)` (serve: Preview.show_first) is told of each change as it comes,
    also while a rebuild runs."""

    def __init__(self, source: Path, on_change: Callable[[set[str]], object] | None = None):
        self.source = source
        self.on_change = on_change
        self.paths: set[str] = set()
        self.last = 0.0
        self.arrived = threading.Condition()

    def on_any_event(self, event) -> None:
        if event.event_type in ("opened", "closed_no_write") or \
                (event.is_directory and event.event_type == "modified"):
            return                                # reading files (the build does) is no change
        paths = [self.content_path(p) for p in (event.src_path, getattr(event, "dest_path", ""))]
        paths = {p for p in paths if p}
        if not paths:
            return
        if event.event_type != "closed":          # a file written and closed: modified before
            with self.arrived:
                self.paths.update(paths)
                self.last = time.monotonic()
                self.arrived.notify_all()
        if self.on_change is not None and not event.is_directory:
            self.on_change(paths)

    def content_path(self, path) -> str | None:
        """The path relative to the source when it is site content, else None."""
        if not path:
            return None
        try:
            relative = Path(path if isinstance(path, str) else path.decode()) \
                .relative_to(self.source)
        except ValueError:
            return None
        parts = relative.parts
        if not parts or parts[0] not in WATCHED or is_noise(parts):
            return None
        return relative.as_posix()

    def next_batch(self, closed) -> set[str]:
        """Wait for changes, then for QUIET seconds without any; return them all."""
        with self.arrived:
            while not self.paths and not closed():
                self.arrived.wait(0.5)
            while not closed() and time.monotonic() - self.last < QUIET:
                self.arrived.wait(QUIET - (time.monotonic() - self.last))
            paths, self.paths = self.paths, set()
            return paths


def is_noise(parts: tuple[str, ...]) -> bool:
    """Swap, backup and lock files, hidden folders and vim's '4913' write probe."""
    name = parts[-1]
    hidden = any(p.startswith(".") and p != ".well-known" for p in parts)
    return hidden or name.startswith("#") or name.endswith(NOISE_SUFFIXES) or name.isdigit()


def watch(source: Path, changes: Changes) -> Observer:
    """Watch site.yaml and the content folders; a folder created later is watched too."""
    observer = Observer()
    observer.schedule(changes, str(source), recursive=False)
    for name in WATCHED:
        if (source / name).is_dir():
            observer.schedule(changes, str(source / name), recursive=True)
    observer.start()
    return observer


def keep_rebuilding(preview: Preview, changes: Changes, observer: Observer, say) -> None:
    """Rebuild after every burst of changes and say how it went, until the preview closes."""
    closed = lambda: preview.closed  # noqa: E731
    while not preview.closed:
        paths = changes.next_batch(closed)
        if preview.closed:
            break
        for name in WATCHED:                      # a content folder that appeared since
            folder = preview.source / name
            if name in paths and folder.is_dir():
                observer.schedule(changes, str(folder), recursive=True)
        try:
            result = preview.rebuild()
        except Exception as exc:                  # a bug in Firsthand: keep the last good build
            say(traceback.format_exc())
            preview.publish(Result([Problem("firsthand", 1, f"internal error: {exc!r}; "
                                            "the terminal shows where")]))
            continue
        say(rebuild_report(result, sorted(paths), preview))


def rebuild_report(result: Result, paths: list[str], preview: Preview) -> str:
    changed = ", ".join(paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
    clock = time.strftime("%H:%M:%S")
    if not result.ok:
        errors = sum(p.is_error for p in result.problems)
        return (f"{clock} {changed} changed: {errors} error{'s' * (errors != 1)}; still serving "
                f"the last good build.\n" + "\n".join(str(p) for p in result.problems))
    return f"{clock} {changed} changed: rebuilt in {result.seconds:.2f} s (build {preview.build})."


class PortTaken(Exception):
    """The port is in use, or we may not bind it."""


def make_server(preview: Preview, host: str, port: int) -> ThreadingHTTPServer:
    """Bind the HTTP server; raise PortTaken with a suggestion when that fails."""
    loopback = host in ("localhost", "127.0.0.1", "::1")
    handler = type("PreviewHandler", (Handler,), {"preview": preview, "loopback": loopback})
    server_class = type("PreviewServer", (ThreadingHTTPServer,), {
        "daemon_threads": True, "handle_error": _dropped_quietly,
        "address_family": socket.AF_INET6 if ":" in host else socket.AF_INET})
    try:
        return server_class((host, port), handler)
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise PortTaken(f"port {port} on {host} is already in use (another serve?); "
                            f"try --port {port + 1}") from exc
        if exc.errno == errno.EACCES:
            raise PortTaken(f"not allowed to use port {port}; ports below 1024 need "
                            f"privileges, try --port 8000") from exc
        raise PortTaken(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from exc


def _dropped_quietly(server: ThreadingHTTPServer, request, client_address) -> None:
    """A browser that closes a connection (it moved on, or the tab was closed) is no
    error; anything else is one line, never a traceback."""
    error = sys.exc_info()[1]
    if not isinstance(error, ConnectionError):
        sys.stderr.write(f"serve: a request from {client_address[0]} failed: {error!r}\n")


def local_url(host: str, port: int) -> str:
    shown = "127.0.0.1" if host in ("0.0.0.0", "") else "[::1]" if host == "::" else host
    return f"http://[{shown}]:{port}/" if ":" in shown and not shown.startswith("[") \
        else f"http://{shown}:{port}/"


def _stop(signum, frame) -> None:
    raise KeyboardInterrupt          # SIGTERM (an IDE, a process manager) stops as Ctrl-C does


def serve(source: Path, host: str, port: int, drafts: bool, say=print) -> int:
    """Build, serve and rebuild until Ctrl-C; returns the exit status."""
    preview = Preview(source, drafts, base_url="")
    server = make_server(preview, host, port)
    preview.base_url = local_url(host, server.server_address[1])
    result = preview.rebuild()
    if result.problems:
        say("\n".join(str(p) for p in result.problems))
    if result.ok:
        pages = sum(path.endswith(".html") for path in result.files)
        say(f"Built {len(result.library.entries)} stories, {pages} pages in "
            f"{result.seconds:.2f} s{' (drafts shown)' if drafts else ''}; in memory, "
            f"{source / 'site'} is left alone.")
    else:
        say("The site does not build yet; open tabs show why and reload once it does.")
    where = ("only this computer can open it" if server.RequestHandlerClass.loopback
             else f"listening on {host}, so others on the network can open it")
    say(f"Serving at {preview.base_url} ({where}). Watching {', '.join(WATCHED)}. "
        f"Press Ctrl-C to stop.")
    changes = Changes(source, on_change=preview.show_first)   # a saved story's page first
    observer = watch(source, changes)
    rebuilder = threading.Thread(target=keep_rebuilding, name="rebuild", daemon=True,
                                 args=(preview, changes, observer, say))
    rebuilder.start()
    signal.signal(signal.SIGTERM, _stop)
    try:
        server.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        say("Stopping.")
    finally:
        preview.close()
        observer.stop()
        observer.join(timeout=5)
        rebuilder.join(timeout=5)
        server.server_close()
    return 0
