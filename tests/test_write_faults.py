"""Faults while writing leave the site whole: a full disk, a refused permission or a kill at
any step of the writer, then a next build that recovers by itself; and builds beside
each other wait for one another."""

from __future__ import annotations

import errno
import os
import re
import shutil
import subprocess
import sys
import time

import pytest

from firsthand.output import write
from firsthand.build import generate
from firsthand.output.write import WriteError, write_site
from rebuilds import calls_noted
from sites import ROOT, build_env, today

MUTATING = {"open", "write", "makedirs", "mkdir", "link", "symlink", "replace", "rename",
            "unlink", "rmdir", "rmtree", "copy2"}


class Faults:
    """Counts the writer's file system steps; the one numbered `fail_at` fails (or kills)."""

    def __init__(self, fail_at: int, code: int = errno.ENOSPC, kill: bool = False,
                 only: str = ""):
        self.fail_at, self.code, self.kill, self.count = fail_at, code, kill, 0
        self.only = only                            # count only this kind of step

    def step(self, name: str, args: tuple, kwargs: dict) -> bool:
        """Count a step; True when it is to be skipped as failed-and-ignored."""
        if name == "open" and not args[1] & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            return False                            # reading (the lock) is not a write
        if self.only and name != self.only:
            return False
        self.count += 1
        if self.count != self.fail_at:
            return False
        if self.kill:
            os._exit(137)
        if kwargs.get("ignore_errors"):
            return True
        target = args[0] if args and isinstance(args[0], (str, os.PathLike)) else None
        raise OSError(self.code, os.strerror(self.code), target and os.fspath(target))


class Faulty:
    """Stands in for `os` or `shutil` inside firsthand.output.write, with faults on its writes."""

    def __init__(self, real, faults: Faults):
        self._real, self._faults = real, faults

    def __getattr__(self, name):
        found = getattr(self._real, name)
        if name not in MUTATING or not callable(found):
            return found

        def wrapped(*args, **kwargs):
            if self._faults.step(name, args, kwargs):
                return None
            return found(*args, **kwargs)
        return wrapped


def install(faults: Faults, monkeypatch=None) -> None:
    exchange = write._exchange

    def counted_exchange(a, b):
        faults.step("exchange", (a, b), {})
        return exchange(a, b)
    for name, value in (("os", Faulty(os, faults)), ("shutil", Faulty(shutil, faults)),
                        ("_exchange", counted_exchange)):
        if monkeypatch is None:
            setattr(write, name, value)
        else:
            monkeypatch.setattr(write, name, value)


def contents(out) -> dict[str, bytes]:
    return {p.relative_to(out).as_posix(): p.read_bytes()
            for p in sorted(out.rglob("*")) if p.is_file()}


def state(out) -> dict[str, tuple]:
    """Every path in the output with its bytes (files) and mtime."""
    return {p.relative_to(out).as_posix(): (p.read_bytes() if p.is_file() else None,
                                            p.stat().st_mtime_ns)
            for p in sorted(out.rglob("*"))}


def leftovers(out) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


@pytest.fixture
def two_versions(make_site, tmp_path):
    """The files of a site, and of the same site after an edit, a new story and a removal."""
    site = make_site()
    site.story("2026-01-05-second.md", title="Second", body="Two.")
    first = generate(site.root, on=today(), cache=False).files
    site.story("2026-02-10-night-shift.md", body="Edited.")
    (site.root / "stories/2026-01-05-second.md").unlink()
    site.story("2026-03-01-third.md", title="Third", body="Three.")
    second = generate(site.root, on=today(), cache=False).files
    assert first and second and first != second
    # The same paths, files equal or different as they are, in a few bytes each: what the
    # writer does (and so every step it takes) depends only on that, and reading 750 kB
    # back three times at each of 150 steps was most of these tests' time.
    short: dict[bytes, bytes] = {}
    first, second = ({path: short.setdefault(data, b"%d\n" % len(short))
                      for path, data in files.items()} for files in (first, second))
    out = tmp_path / "out" / "site"
    write_site(first, out)
    return out, first, second


def write_noted(files, out, spare, trusted: str = "") -> write.SiteWriter:
    """write_site with a spare, trusting the note with token `trusted` as a build does
    when its record shows the site as the writer that left the note left it; the
    writer's listing of the new site (what the build record is given) is checked."""
    writer = write.SiteWriter(out, spare=spare)
    try:
        writer.trust(trusted)
        for relative, data in files.items():
            writer.add(relative, data)
        writer.commit()
    finally:
        writer.discard()
    assert writer.listing == write.listing(out)
    return writer


@pytest.fixture(params=["no spare", "spare", "spare by its note"])
def put(request, tmp_path):
    """write_site without, and with, the spare folder a build keeps in its cache
    (write.py); by its note: trusting the note the last write left."""
    spare = None if request.param == "no spare" else tmp_path / "cache" / "spare" / "site"
    last = [""]

    def put(files, out):
        if request.param != "spare by its note":
            return write_site(files, out, spare=spare)
        last[0] = write_noted(files, out, spare, last[0]).token
    put.spare = spare
    return put


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EACCES])
def test_a_failure_at_any_step_leaves_the_site_as_it_was(two_versions, monkeypatch, code,
                                                         put):
    out, first, second = two_versions
    if put.spare is not None:               # the spare one version behind, as after a build
        put(second, out)
        put(first, out)
    step = 0
    while True:
        step += 1
        before = state(out)
        faults = Faults(step, code)
        with monkeypatch.context() as patch:
            install(faults, patch)
            try:
                put(second, out)
                failure = None
            except WriteError as exc:
                failure = str(exc)
        if faults.count < step:                     # every step ran and none failed
            assert failure is None and contents(out) == second
            break
        if failure is not None:
            assert state(out) == before, (step, failure)
            assert "\n" not in failure and os.strerror(code) in failure
            assert failure.endswith("site/ was left as it was")
        else:                                       # the step was cleanup after the swap
            assert contents(out) == second, step
        assert leftovers(out) in ([], [f".site.staging-{os.getpid()}"]), step
        put(second, out)                            # the next build recovers by itself
        assert contents(out) == second and leftovers(out) == []
        put(first, out)
        assert contents(out) == first
    print(f"\n{os.strerror(code)}: injected at each of {step - 1} steps")
    assert step > 30


def test_a_kill_at_any_step_leaves_the_old_or_the_new_site_and_the_next_build_recovers(
        two_versions, put):
    out, first, second = two_versions
    if put.spare is not None:
        put(second, out)
        put(first, out)
    step, killed = 0, 0
    while True:
        step += 1
        faults = Faults(step, kill=True)
        child = os.fork()
        if child == 0:                              # the build being killed
            try:
                install(faults)
                put(second, out)
            finally:
                os._exit(0)
        _, status = os.waitpid(child, 0)
        if os.waitstatus_to_exitcode(status) == 0:  # it ran to the end: no step left
            assert contents(out) == second
            break
        killed += 1
        assert contents(out) in (first, second), step
        put(second, out)
        assert contents(out) == second and leftovers(out) == []
        put(first, out)
    print(f"\nkilled at each of {killed} steps")
    assert killed > 30


def test_the_spare_follows_the_site_whatever_was_done_to_either(tmp_path):
    """The kept spare is brought level with the site by inode; hand edits of the site,
    files dropped in the spare, a folder that became a file: the result is exact."""
    out, spare = tmp_path / "site" / "out", tmp_path / "cache" / "spare"
    versions = [{"index.html": b"one", "a/index.html": b"a", "a/b/c.css": b"c"},
                {"index.html": b"two", "a/index.html": b"a", "x.html": b"x"},
                {"index.html": b"one", "a": b"now a file", "a2/p.html": b"p"}]
    for round_ in range(2):
        for files in versions:
            write_site(files, out, spare=spare)
            assert contents(out) == files
            assert spare.is_dir() or round_ == 0
    # the site edited by hand: a file replaced (new inode), one added, one removed
    (out / "index.html").unlink()
    (out / "index.html").write_bytes(b"by hand")
    (out / "mine.txt").write_bytes(b"mine")
    (out / "a").unlink()
    if spare.is_dir():
        (spare / "stray.html").write_bytes(b"left in the spare")
    unchanged = (out / "a2/p.html").stat().st_ino
    report = write_site(versions[2], out, spare=spare)
    assert contents(out) == versions[2]
    assert (out / "a2/p.html").stat().st_ino == unchanged       # not copied, not re-linked
    assert (report.written, report.removed) == (2, 1)
    assert leftovers(out) == []


def test_a_trusted_note_brings_the_spare_level_without_walking_it(tmp_path, monkeypatch):
    """With the token of the last writer's note, the next writer re-links only the paths
    the note names; with any other token, or no note, it walks both trees."""
    out, spare = tmp_path / "site" / "out", tmp_path / "cache" / "spare"
    versions = [{"index.html": b"one", "a/index.html": b"a", "a/b/c.css": b"c"},
                {"index.html": b"two", "a/index.html": b"a", "x.html": b"x"},
                {"index.html": b"one", "a": b"now a file", "a2/p.html": b"p"},
                {"index.html": b"one", "a/b/c.css": b"c", "a2/p.html": b"P"}]
    walks = []
    real = write._sync_links
    monkeypatch.setattr(write, "_sync_links", lambda *args: (walks.append(args),
                                                            real(*args)))
    token, before = "", {}
    for round_ in range(2):
        for files in versions:
            walks.clear()
            token = write_noted(files, out, spare, token).token
            assert contents(out) == files and bool(token) == spare.is_dir()
            assert not spare.is_dir() or contents(spare) == before   # one version behind
            assert walks == [] or (round_, files) == (0, versions[0]) \
                or (round_, files) == (0, versions[1])
            before = files
    walks.clear()
    token = write_noted(versions[0], out, spare, "forged").token
    assert len(walks) == 1 and contents(out) == versions[0]
    assert contents(spare) == versions[-1]
    walks.clear()
    (spare.with_name(spare.name + ".note")).unlink()
    write_noted(versions[1], out, spare, token)
    assert len(walks) == 1 and contents(out) == versions[1]


def test_a_full_disk_is_one_line_and_exit_status_1(make_site, monkeypatch, capsys):
    from firsthand.commands import cli
    site = make_site()
    monkeypatch.setenv("FIRSTHAND_TODAY", "2026-11-23")
    assert cli.main(["build", "--source", str(site.root), "--quiet"]) == 0
    before = state(site.out)
    site.story("2026-02-10-night-shift.md", body="Edited.")
    capsys.readouterr()
    install(Faults(1, errno.ENOSPC, only="write"), monkeypatch)
    assert cli.main(["build", "--source", str(site.root), "--quiet"]) == 1
    said = capsys.readouterr()
    lines = said.err.splitlines()
    assert len(lines) == 1, said.err
    assert lines[0].startswith("Build failed: cannot write site/")
    assert lines[0].endswith(": No space left on device (free some space, then build again); "
                             "site/ was left as it was.")
    assert state(site.out) == before
    monkeypatch.undo()
    monkeypatch.setenv("FIRSTHAND_TODAY", "2026-11-23")
    assert cli.main(["build", "--source", str(site.root), "--quiet"]) == 0
    assert "Edited." in site.page("stories/night-shift/")


def test_a_second_writer_waits_for_the_first(tmp_path):
    import select
    out = tmp_path / "site"
    write_site({"index.html": b"v1"}, out)
    reading, writing = os.pipe()
    go_reading, go_writing = os.pipe()
    child = os.fork()                  # before the first writer: it must not share its lock
    if child == 0:
        try:
            os.read(go_reading, 1)
            write_site({"index.html": b"v3"}, out, on_wait=lambda o: os.write(writing, b"w"))
        finally:
            os._exit(0)
    first = write.SiteWriter(out)
    first.add("index.html", b"v2")
    os.write(go_writing, b"g")
    ready, _, _ = select.select([reading], [], [], 60)
    assert ready and os.read(reading, 1) == b"w"       # it said it waits, and it does
    assert (out / "index.html").read_bytes() == b"v1"
    first.commit()
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert (out / "index.html").read_bytes() == b"v3"
    assert leftovers(out) == []


def test_two_builds_and_a_check_at_once(make_site, tmp_path):
    site = make_site()
    for number in range(12):
        site.story(f"2025-03-{number + 1:02d}-story-{number}.md", title=f"Story {number}",
                   body="Words. " * 200)
    command = [sys.executable, str(ROOT / "build.py")]
    for round_ in range(3):
        site.story("2026-02-10-night-shift.md", body=f"Edited {round_}.")
        runs = [subprocess.Popen(command + args + ["--source", str(site.root)],
                                 env=build_env("2026-11-23"), stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True)
                for args in (["build", "--quiet"], ["build", "--quiet"], ["check"])]
        for run in runs:
            out, err = run.communicate(timeout=300)
            assert run.returncode == 0, err
            assert "Traceback" not in err
            assert all(line.startswith(("Another build is writing site/", "No problems"))
                       or re.match(r"stories/[\w.-]+:\d+: warning: ", line) or
                       re.match(r"0 errors, \d+ warnings\.$", line)
                       for line in err.splitlines()), err
        cold = tmp_path / f"cold-{round_}"
        done = subprocess.run(command + ["build", "--quiet", "--source", str(site.root),
                                         "--out", str(cold)], env=build_env("2026-11-23"),
                              capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
        assert contents(site.out) == contents(cold)
        assert f"Edited {round_}." in site.page("stories/night-shift/")
        assert leftovers(site.out) == []


def test_an_output_swapped_away_while_the_build_record_is_saved_is_no_crash(tmp_path,
                                                                            monkeypatch):
    from firsthand.output import fingerprint
    out = tmp_path / "site"
    write_site({"index.html": b"v1", "a/b.html": b"b"}, out)
    real_lstat = os.lstat

    def vanished(path, *args, **kwargs):      # another build swapped site/ mid-walk
        if str(path).endswith("b.html"):
            raise FileNotFoundError(2, "No such file or directory", str(path))
        return real_lstat(path, *args, **kwargs)
    monkeypatch.setattr(fingerprint.os, "lstat", vanished)
    fingerprint.save(tmp_path / "cache", "f" * 64, out, [], 1, 1)
    assert not (tmp_path / "cache" / fingerprint.RECORD).exists()


OLD = b"".join(b"line %d of a big file\n" % n for n in range(2000))
CUTS = {
    "the same bytes, cut otherwise": (OLD, False),
    "a change in the middle": (OLD[:20000] + b"CHANGED" + OLD[20007:], True),
    "shorter": (OLD[:30000], True),
    "longer": (OLD + b"and one more line\n", True),
    "a change in the first part": (b"X" + OLD[1:], True),
}


@pytest.mark.parametrize("cut", CUTS, ids=list(CUTS))
@pytest.mark.parametrize("spare", [False, True], ids=["no spare", "spare"])
def test_a_file_given_in_parts_is_written_only_when_its_bytes_differ(tmp_path, cut, spare):
    new, differs = CUTS[cut]
    out, spare = tmp_path / "site", tmp_path / "cache" / "spare" if spare else None
    write_site({"big.json": OLD, "page.html": b"<p>a page</p>"}, out, spare=spare)
    before = state(out)
    parts = (new[start:start + 4096] for start in range(0, len(new), 4096))   # once only

    report = write_site({"big.json": parts, "page.html": b"<p>a page</p>"}, out, spare=spare)

    assert contents(out) == {"big.json": new, "page.html": b"<p>a page</p>"}
    assert report.written == int(differs)
    if not differs:
        assert state(out) == before           # not even its time changed
    assert leftovers(out) == []


def test_a_new_file_given_in_parts_and_a_failure_in_the_middle_of_one(tmp_path):
    out = tmp_path / "site"
    write_site({"page.html": b"<p>a page</p>", "big.json": OLD}, out)
    write_site({"page.html": b"<p>a page</p>", "big.json": OLD,
                "new.json": iter([b"one ", b"two"])}, out)
    assert contents(out)["new.json"] == b"one two"
    before = state(out)

    def failing():
        yield OLD[:100]
        yield b"changed"
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), "somewhere")
    with pytest.raises(WriteError):
        write_site({"page.html": b"<p>a page</p>", "big.json": failing()}, out)
    assert state(out) == before               # the site as it was, new.json too
    assert leftovers(out) == []


def test_a_missing_spare_is_linked_by_another_process_while_the_build_goes_on(
        two_versions, tmp_path, monkeypatch):
    """After a write that left no spare (the site was written whole, into a new folder),
    the next writer links it from the site in a forked process from its start: its own
    first write finds it ready, and the result is as exact as ever."""
    out, first, second = two_versions
    spare = tmp_path / "cache" / "spare" / "site"
    shutil.rmtree(out)
    write_site(first, out, spare=spare)
    assert not os.path.lexists(spare)                 # the new site was the spare
    here = calls_noted(monkeypatch, write, "_sync_links", lambda *args: args)
    here += calls_noted(monkeypatch, write, "_link_tree", lambda *args: args)

    write_site(second, out, spare=spare)

    assert here == []                                 # not in this process
    assert contents(out) == second and contents(spare) == first
    assert leftovers(out) == []
    write_site(first, out, spare=spare)               # and the next one by its walk
    assert contents(out) == first and contents(spare) == second


def test_a_trusted_note_beside_a_spare_that_is_gone_is_not_followed(two_versions, tmp_path):
    """The spare deleted by hand but its note left: the writer links a new spare (in
    another process) and waits for it before it looks at the note, which is stale."""
    out, first, second = two_versions
    spare = tmp_path / "cache" / "spare" / "site"
    token = write_noted(second, out, spare).token
    token = write_noted(first, out, spare, token).token
    assert token and write._note(spare).exists()
    shutil.rmtree(spare)

    write_noted(second, out, spare, token)

    assert contents(out) == second and contents(spare) == first
    assert leftovers(out) == []


@pytest.mark.parametrize("shell", [True, False], ids=["in-the-background", "no-shell"])
def test_the_spare_of_a_deleted_site_is_taken_away_at_once(tmp_path, monkeypatch, shell):
    """site/ deleted by hand: its spare is of no use, and is moved aside at once and
    removed by a process of its own (or here, where no shell can run one)."""
    out, spare = tmp_path / "site" / "out", tmp_path / "cache" / "spare"
    files = {f"p{n}/index.html": b"page %d" % n for n in range(50)}
    write_site(files, out, spare=spare)
    write_site({**files, "new.html": b"new"}, out, spare=spare)
    assert len(list(spare.rglob("*.html"))) == 50              # the site before
    shutil.rmtree(out)
    (spare.parent / f".{spare.name}.gone-old").mkdir()         # left by a killed remover
    if not shell:
        def refuse(*args, **kwargs):
            raise OSError(errno.ENOENT, "no sh")
        monkeypatch.setattr(write.subprocess, "run", refuse)
    removed = []
    monkeypatch.setattr(write, "_remove", lambda path: (removed.append(path),
                                                        shutil.rmtree(path)))
    report = write_site({"index.html": b"only"}, out, spare=spare)
    assert contents(out) == {"index.html": b"only"} and report.written == 1
    if shell:
        assert removed == []                 # not by the build
    else:
        assert len(removed) == 2            # the spare and what was left
    for _ in range(100):
        if not list(spare.parent.glob(".*.gone-*")):
            break
        time.sleep(0.1)
    assert list(spare.parent.glob(".*.gone-*")) == []
    assert list(spare.rglob("*.html")) == []
    write_site({"index.html": b"again"}, out, spare=spare)
    assert contents(out) == {"index.html": b"again"}
