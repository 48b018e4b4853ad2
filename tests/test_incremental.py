"""Rebuilds: the cache and the pool make builds faster, never different."""

from __future__ import annotations

import errno
import gc
import os
import re
import shutil
import subprocess
import sys
import time
from types import SimpleNamespace

import jinja2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sites import ROOT, TODAY, build_env, jpeg_with_gps, today
from rebuilds import build_here, calls_noted, edit, handed_to_the_writer
from firsthand.output import fingerprint, store, write
from firsthand.build import Options, build, generate
from firsthand.output.store import FOLDER
from firsthand.pages import render, search
from firsthand.social import sharekit
from firsthand.commands.serve import Preview

STORIES = {
    "2026-02-10-night-shift.md": ("A night on the dock", "ana", "2026-02-10", "shift work, docks"),
    "2026-03-01-first-week.md": ("My first week", "bo", "2026-03-01", "onboarding"),
    "2026-04-12-on-call.md": ("On call, and sleeping anyway", "ana", "2026-04-12", "shift work"),
    "2026-05-20-parental-leave.md": ("Six months at home", "bo", "2026-05-20", "flexibility"),
}


def make_rich_site(make_site):
    """Two people, four stories with a few paragraphs each, one with a picture."""
    site = make_site(stories={})
    site.person("ana")
    site.person("bo", name="Bo Berg", role="Engineer", team="Platform")
    for name, (title, author, date, tags) in STORIES.items():
        body = (f"# {title}\n\nThe first paragraph of *{title}*.\n\n"
                f"## Then\n\n- one\n- two\n\nA footnote[^1].\n\n[^1]: From {author}.\n")
        site.story(name, title=title, author=author, date=date, tags=tags, body=body)
    site.write_bytes("stories/dock.jpg", jpeg_with_gps())
    path = site.root / "stories/2026-02-10-night-shift.md"
    path.write_text(path.read_text().replace(
        "tags:", "image: dock.jpg\nimage_alt: The loading dock\ntags:"), encoding="utf-8")
    return site


def edit_body(site):
    edit(site, "stories/2026-03-01-first-week.md", "The first paragraph", "The opening paragraph")


def edit_title(site):
    edit(site, "stories/2026-03-01-first-week.md", 'title: "My first week"',
         'title: "My very first week"')


def rename(site):
    (site.root / "stories/2026-04-12-on-call.md").rename(site.root / "stories/2026-04-12-pager.md")


def delete(site):
    (site.root / "stories/2026-05-20-parental-leave.md").unlink()


def change_template(site):
    site.write("templates/partials/card.html",
               '<article class="card"><a href="{{ entry.path | url }}">{{ entry.title }}</a>'
               "</article>\n")


def change_site_yaml(site):
    edit(site, "site.yaml", 'title: "Life at Testco"', 'title: "Working at Testco"')


def change_person(site):
    edit(site, "people/bo.yaml", "name: Bo Berg", "name: Bo Bergström")


def change_catalog(site):
    """A word of the theme, overridden by the site's own i18n/: every page shows it."""
    site.write("i18n/en.yaml", 'nav:\n  people: "Colleagues"\n')


def add_newest(site):
    site.story("2026-06-01-newest.md", title="The newest one", author="ana",
               date="2026-06-01", tags="onboarding", body="A new story.\n")


def replace_photo(site):
    """The story's picture, at another size: its page gives the new width and height."""
    site.write_bytes("stories/dock.jpg", jpeg_with_gps(900, 500))


CHANGES = [edit_body, edit_title, rename, delete, change_template, change_site_yaml,
           change_person, change_catalog, add_newest, replace_photo]


@pytest.mark.parametrize("change", CHANGES, ids=[c.__name__ for c in CHANGES])
def test_a_rebuild_after_a_change_equals_a_cold_build(make_site, change, trust_new_files):
    site = make_rich_site(make_site)
    assert build_here(site) == 0
    assert build_here(site) == 0             # nothing changed: the recorded build is kept
    before = site.snapshot()
    change(site)

    assert build_here(site) == 0             # incremental: cache, record and old output in place
    rebuilt = site.snapshot()
    shutil.rmtree(site.root / FOLDER)
    cold = site.root / "cold"
    assert build_here(site, "--out", str(cold)) == 0

    assert rebuilt != before, "the change must show in the output"
    assert rebuilt == {p.relative_to(cold).as_posix(): p.read_bytes()
                       for p in sorted(cold.rglob("*")) if p.is_file()}


def test_a_title_edit_reaches_every_list_that_shows_it(make_site):
    site = make_rich_site(make_site)
    site.build()
    edit_title(site)
    site.build()
    for page in ("", "stories/first-week/", "people/bo/", "tags/onboarding/", "teams/platform/"):
        assert "My very first week" in site.page(page), page
    assert "My very first week" in (site.out / "feed.xml").read_text(encoding="utf-8")


def test_a_story_added_renders_again_only_the_pages_that_show_it(make_site, monkeypatch,
                                                                  trust_new_files):
    """Its two cards are pictures no other page shows: a page's key holds the sizes of the
    pictures its template asks for, not of every picture of the site."""
    site = make_rich_site(make_site)
    assert build_here(site) == 0
    given = handed_to_the_writer(monkeypatch)
    add_newest(site)
    assert build_here(site) == 0

    assert {"stories/newest/index.html", "stories/newest/og.png", "index.html",
            "tags/onboarding/index.html", "people/ana/index.html"} <= set(given)
    for kept in ("people/bo/index.html", "tags/docks/index.html", "search/index.html",
                 "tags/flexibility/index.html", "stories/parental-leave/share/index.html"):
        assert kept not in given, kept


def test_snippets_json_goes_to_the_writer_as_it_is_made(make_site, monkeypatch,
                                                        trust_new_files):
    """Never joined whole in memory (390 MB at ten thousand stories): the writer takes it
    in parts; after a title edit it holds the new title, as a cold build's does."""
    given = calls_noted(monkeypatch, write.SiteWriter, "add",
                        lambda writer, relative, data: type(data).__name__
                        if relative == "snippets.json" else None)
    site = make_rich_site(make_site)
    assert build_here(site) == 0
    edit_title(site)
    assert build_here(site) == 0

    assert given == ["generator", "generator"]
    made = (site.out / "snippets.json").read_bytes()
    assert b"My very first week" in made
    assert made == generate(site.root, on=today(), cache="off").files["snippets.json"]


@pytest.mark.parametrize("change, read_again, text", [
    (edit_title, 1, b"My very first week"),
    (add_newest, 2, b"The newest one")])        # the first story's part now has a comma
def test_snippets_json_copies_the_stories_that_the_last_one_holds(
        make_site, monkeypatch, trust_new_files, change, read_again, text):
    """The parts of snippets.json that the last build's file holds are copies of it, neither
    read from the store nor compared; the file is a cold build's, byte for byte."""
    parts_given = []
    real_add = write.SiteWriter.add

    def add(writer, relative, data):
        if relative == "snippets.json" and not isinstance(data, bytes):
            data = list(data)
            parts_given.append([type(part).__name__ for part in data])
        return real_add(writer, relative, data)
    monkeypatch.setattr(write.SiteWriter, "add", add)
    site = make_rich_site(make_site)
    assert build_here(site) == 0
    read = calls_noted(monkeypatch, store.Store, "get",
                       lambda _, kind, name: name if kind == "documents" else None)
    change(site)
    assert build_here(site) == 0

    first, second = parts_given
    assert first == ["bytes"] * 6                 # head, four stories, tail
    assert second.count("Copy") == 3 and len(read) == read_again
    made = (site.out / "snippets.json").read_bytes()
    assert text in made
    assert made == generate(site.root, on=today(), cache="off").files["snippets.json"]


def test_a_layout_that_is_not_the_files_is_not_followed(tmp_path):
    """A kept layout is followed only when its sizes add up to the last file's."""
    old = tmp_path / "snippets.json"
    old.write_bytes(b"HEAD" + b"one," + b"two" + b"]")
    layout = [["", 4], ["a", 4], ["b", 3], ["", 1]]
    assert sharekit.last_parts(layout, old) == {"a": (4, 4, False), "b": (8, 3, True)}
    assert sharekit.last_parts(layout[:-1], old) == {}
    assert sharekit.last_parts([["", 4], ["a", "4"]], old) == {}
    assert sharekit.last_parts(layout, tmp_path / "gone.json") == {}


@pytest.mark.parametrize("kernel", [True, False], ids=["copy_file_range", "read-write"])
def test_copied_parts_are_the_old_files_bytes(tmp_path, monkeypatch, kernel):
    """Copy parts that follow on are copied in one go, in the kernel or, where it cannot
    (another file system), read and written; bytes between them are written as given."""
    if not kernel:
        def refuse(*args):
            raise OSError(errno.EXDEV, "cross-device")
        monkeypatch.setattr(os, "copy_file_range", refuse)
    old = tmp_path / "old"
    old.write_bytes(bytes(range(256)) * 9000)
    new = tmp_path / "new"
    parts = [b"<", write.Copy(old, 10, 5000), write.Copy(old, 5010, 2_000_000), b">",
             write.Copy(old, 3, 1)]
    write._write_file(new, lambda handle: write._write_parts(handle, parts))
    data = old.read_bytes()
    assert new.read_bytes() == b"<" + data[10:2_005_010] + b">" + data[3:4]


def stats(folder):
    return {p.relative_to(folder).as_posix(): (p.stat().st_mtime_ns, p.stat().st_ino)
            for p in sorted(folder.rglob("*"))}


def test_a_rebuild_with_nothing_changed_writes_nothing(make_site):
    site = make_rich_site(make_site)
    assert site.build().code == 0
    before, folder = stats(site.out), site.out.stat()

    run = site.build()

    assert run.code == 0
    assert "0 files written" in run.out
    assert stats(site.out) == before
    assert (site.out.stat().st_ino, site.out.stat().st_mtime_ns) == \
        (folder.st_ino, folder.st_mtime_ns)


ENGINE_MODULES = ("firsthand.build", "jinja2", "markdown", "PIL", "firsthand.commands.cli")


def _modules_after_build(site) -> tuple[int, list[str]]:
    """Run build.py as a user does, in a fresh process: its exit status and which of the
    engine's modules it imported."""
    script = (f"import os, runpy, sys\nsys.argv = ['build.py', 'build', '--source', "
              f"{str(site.root)!r}, '--quiet']\n"
              # build.py ends the process at once (os._exit): here, it says how it would
              # (its helper processes, forked from it, end at once as they do)
              "def end(code, pid=os.getpid(), real=os._exit):\n"
              "    if os.getpid() != pid:\n        real(code)\n"
              "    raise SystemExit(code)\nos._exit = end\ntry:\n"
              f"    runpy.run_path({str(ROOT / 'build.py')!r}, run_name='__main__')\n"
              "except SystemExit as stop:\n"
              f"    print(stop.code, *[m for m in {ENGINE_MODULES!r} if m in sys.modules])\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          env=build_env(TODAY), timeout=300)
    code, *modules = done.stdout.split()
    return int(code), modules


def test_a_build_that_finds_nothing_changed_does_not_import_the_engine(make_site):
    site = make_rich_site(make_site)
    time.sleep(fingerprint.SETTLE_SECONDS)    # files this new are not trusted unchanged
    assert _modules_after_build(site) == (0, list(ENGINE_MODULES))     # it had to build
    assert _modules_after_build(site) == (0, [])
    edit_body(site)
    assert _modules_after_build(site) == (0, list(ENGINE_MODULES))
    assert "The opening paragraph" in site.page("stories/first-week/")


def test_a_one_story_edit_rewrites_only_the_pages_that_show_it(make_site):
    site = make_rich_site(make_site)
    site.build()
    before = stats(site.out)
    edit_body(site)
    site.build()
    after = stats(site.out)
    changed = {path for path in after if after[path] != before.get(path)
               and not (site.out / path).is_dir()}
    assert "stories/first-week/index.html" in changed
    assert "stories/night-shift/index.html" not in changed
    assert "stories/night-shift/dock.jpg" not in changed


def test_an_edit_hands_the_writer_only_the_outputs_it_changed(make_site, monkeypatch,
                                                               trust_new_files):
    site = make_rich_site(make_site)
    assert build_here(site) == 0
    added = handed_to_the_writer(monkeypatch)
    edit_body(site)

    assert build_here(site) == 0

    assert "stories/first-week/index.html" in added
    for kept in ("stories/night-shift/og.png",
                 "stories/night-shift/dock.jpg", "people/ana/index.html",
                 "stories/night-shift/share/index.html", "static/style.css"):
        assert kept not in added, kept


def test_an_edit_remakes_only_the_search_part_that_holds_the_story(make_site, monkeypatch,
                                                                   trust_new_files):
    """Every other part of the index, and the list of parts, is kept unread."""
    monkeypatch.setattr(search, "PART_PAGES", 1)          # six pages in eight parts
    site = make_rich_site(make_site)
    assert build_here(site) == 0
    added = handed_to_the_writer(monkeypatch)
    edit_body(site)

    assert build_here(site) == 0

    def part(path):
        number = re.match(r"pagefind/(\d+)/", path)
        return int(number.group(1)) if number else 0
    edited = search.part_of("stories/first-week/index.html", 8)
    index = [p for p in site.snapshot() if p.startswith("pagefind/")]
    assert {part(p) for p in index} - {edited}, "no other part to keep"
    handed = [p for p in added if p.startswith("pagefind/")]
    assert handed and all(part(p) == edited for p in handed), handed
    assert search.LANGUAGES_FILE not in handed


def test_an_output_folder_changed_by_hand_is_compared_whole(make_site, monkeypatch,
                                                            trust_new_files):
    """The kept outputs are trusted only while site/ is exactly what the last build left."""
    site = make_rich_site(make_site)
    assert build_here(site) == 0
    expected = site.snapshot()
    (site.out / "stories/night-shift/index.html").write_text("by hand", encoding="utf-8")
    added = handed_to_the_writer(monkeypatch)
    edit_body(site)

    assert build_here(site) == 0

    assert "stories/night-shift/index.html" in added
    assert site.snapshot()["stories/night-shift/index.html"] == \
        expected["stories/night-shift/index.html"]


def _walks_of_the_spare(monkeypatch) -> list:
    """The writer's walks of both trees to bring its spare level (not by its note)."""
    return calls_noted(monkeypatch, write, "_sync_links", lambda source, target: target)


def _cold(site, tmp_path) -> dict[str, bytes]:
    cold = tmp_path / "cold"
    shutil.rmtree(cold, ignore_errors=True)
    assert build(site.root, cold, Options(on=today(), cache="off")).ok
    return {p.relative_to(cold).as_posix(): p.read_bytes()
            for p in sorted(cold.rglob("*")) if p.is_file()}


def test_edits_bring_the_spare_level_by_its_note_and_build_as_a_cold_build(
        make_site, monkeypatch, tmp_path, trust_new_files):
    site = make_rich_site(make_site)
    assert build_here(site) == 0
    edit_body(site)
    assert build_here(site) == 0            # the site swapped out is kept: the spare
    walks = _walks_of_the_spare(monkeypatch)
    for change in (edit_title, rename, delete):
        change(site)
        assert build_here(site) == 0
        assert walks == [], change.__name__
        assert site.snapshot() == _cold(site, tmp_path), change.__name__
        made, token = fingerprint.last_made(site.root / FOLDER, site.out.resolve())
        assert made and token               # the record's listing is the site's, walked


def test_a_spare_note_of_another_build_is_not_trusted(make_site, monkeypatch, tmp_path,
                                                      trust_new_files):
    site = make_rich_site(make_site)
    assert build_here(site) == 0
    edit_body(site)
    assert build_here(site) == 0
    notes = list((site.root / FOLDER / "spare").glob("*.note"))
    assert len(notes) == 1
    notes[0].write_text(notes[0].read_text().replace('"token": "', '"token": "0'))
    (site.root / FOLDER / "spare" / notes[0].stem / "stray.html").write_text("stray")
    walks = _walks_of_the_spare(monkeypatch)
    edit_title(site)
    assert build_here(site) == 0
    assert len(walks) == 1
    assert site.snapshot() == _cold(site, tmp_path)


def test_a_kept_page_whose_link_target_is_gone_fails_as_a_cold_build(make_site, tmp_path,
                                                                     trust_new_files):
    """A story's page does not change when a static file it links to is deleted: the
    kept page must still be checked, and the build fail as a cold one does."""
    site = make_rich_site(make_site)
    site.write("static/guide.txt", "The guide.\n")
    edit(site, "stories/2026-02-10-night-shift.md", "A footnote",
         "The [guide](../../static/guide.txt). A footnote")
    assert build_here(site) == 0
    before = site.snapshot()
    (site.root / "static/guide.txt").unlink()

    kept = build(site.root, site.out, Options(on=today()))
    cold = build(site.root, tmp_path / "cold", Options(on=today(), cache="off"))

    assert not cold.ok and any("guide.txt" in p.message for p in cold.problems)
    assert [str(p) for p in kept.problems] == [str(p) for p in cold.problems]
    assert site.snapshot() == before


def test_a_damaged_cache_is_ignored_and_rebuilt(make_site):
    site = make_rich_site(make_site)
    assert site.build().code == 0
    expected = site.snapshot()
    entries = [p for p in (site.root / FOLDER).rglob("*") if p.is_file()]
    assert any("markdown" in p.parts for p in entries)
    assert any("images" in p.parts for p in entries)
    for number, entry in enumerate(entries):
        data = entry.read_bytes()
        # cut short (a crash while writing), garbage, or empty
        entry.write_bytes([data[: len(data) // 2], b"<p>not what was rendered</p>" * 3,
                           b""][number % 3])
    shutil.rmtree(site.out)

    assert site.build().code == 0

    assert site.snapshot() == expected
    shutil.rmtree(site.out)
    assert site.build().code == 0             # the repaired entries are used, and right
    assert site.snapshot() == expected


def test_a_deleted_cache_only_makes_the_build_cold(make_site):
    site = make_rich_site(make_site)
    site.build()
    expected = site.snapshot()
    shutil.rmtree(site.root / FOLDER)
    run = site.build()
    assert run.code == 0 and "0 files written" in run.out
    assert site.snapshot() == expected


def test_parallel_and_single_process_builds_are_identical(make_site, tmp_path):
    site = make_rich_site(make_site)
    for number in range(12):
        site.story(f"2026-01-{number + 1:02d}-extra-{number}.md", title=f"Extra {number}",
                   author="bo", date=f"2026-01-{number + 1:02d}", tags="extra",
                   body=f"Paragraph {number} with a [link](https://example.com/{number}).\n")
    one, two = tmp_path / "one", tmp_path / "two"

    single = build(site.root, one, on=today(), jobs=1, cache="off")
    parallel = build(site.root, two, on=today(), jobs=2, cache="off", pool_threshold=0)

    assert single.ok and parallel.ok
    assert {p.relative_to(one).as_posix(): p.read_bytes() for p in one.rglob("*") if p.is_file()} \
        == {p.relative_to(two).as_posix(): p.read_bytes() for p in two.rglob("*") if p.is_file()}


WORDS = ("harbour ledger orchid pylon quarry saddle timber velvet walnut yonder amber "
         "bramble cobalt drizzle ember falcon glacier hollow islet juniper kettle lantern "
         "meadow nectar").split()


def _with_extras(site, count: int):
    """`count` more stories by bo, each of its own words (their posts are not alike)."""
    for number in range(count):
        own = " ".join(WORDS[(number * 7 + k * 3) % len(WORDS)] for k in range(6))
        site.story(f"2026-01-{number % 28 + 1:02d}-extra-{number}.md",
                   title=f"{own.split()[0].title()} and {own.split()[3]}, story {number}",
                   author="bo", date=f"2026-01-{number % 28 + 1:02d}", tags="extra",
                   body=f"{own.capitalize()}: {number} with a "
                        f"[link](https://example.com/{number}).\n")
    return site


def test_a_rebuild_that_renders_in_two_processes_makes_what_one_makes(make_site, tmp_path,
                                                                       monkeypatch,
                                                                       trust_new_files):
    """The helper renders every other run of pages: the site equals a single process's,
    after a cold build and after edits, which keep the same outputs as they are."""
    helped = calls_noted(monkeypatch, render.Renderer, "theirs", lambda r, path: path)
    written = handed_to_the_writer(monkeypatch)
    site = _with_extras(make_rich_site(make_site), 40)
    other = SimpleNamespace(root=tmp_path / "copy")
    shutil.copytree(site.root, other.root)
    one, two = tmp_path / "one", tmp_path / "two"
    for change in (None, edit_body, edit_title):
        if change:
            change(site)
            change(other)
        written.clear()
        assert build(site.root, one, on=today(), jobs=1).ok
        by_one = sorted(written)
        written.clear()
        helped.clear()
        assert build(other.root, two, on=today(), jobs=2, pool_threshold=0).ok
        assert len(helped) > render.SPLIT          # the helper rendered pages
        assert sorted(written) == by_one
        assert _files(one) == _files(two)


def test_a_build_leaves_the_garbage_collector_as_it_found_it(make_site, tmp_path):
    """The steps freeze what they made for the collector, and pools what they share; a
    long-running caller (serve) must find everything collectable again."""
    site = _with_extras(make_rich_site(make_site), 40)
    before = gc.get_threshold()
    assert gc.get_freeze_count() == 0 and gc.isenabled()
    assert build(site.root, tmp_path / "out", on=today(), jobs=2, pool_threshold=0).ok
    assert generate(site.root, on=today(), jobs=2, pool_threshold=0).ok
    assert gc.get_freeze_count() == 0 and gc.isenabled() and gc.get_threshold() == before


def test_a_helper_that_fails_leaves_its_pages_to_the_build(make_site, tmp_path, monkeypatch):
    """A helper that stops half way (here: raises after a few pages) costs only speed."""
    real = store.Forked.__init__

    def failing(self, produce):
        def some(send):
            sent = []

            def counted(item):
                if len(sent) == 5:
                    raise RuntimeError("the helper gives up")
                sent.append(item)
                send(item)
            produce(counted)
        real(self, some)
    monkeypatch.setattr(store.Forked, "__init__", failing)
    site = _with_extras(make_rich_site(make_site), 40)
    one, two = tmp_path / "one", tmp_path / "two"

    single = build(site.root, one, on=today(), jobs=1, cache="off")
    parallel = build(site.root, two, on=today(), jobs=2, cache="off", pool_threshold=0)

    assert single.ok and parallel.ok
    assert _files(one) == _files(two)


def test_a_template_error_in_the_helper_fails_the_build_as_in_one_process(make_site, tmp_path):
    site = _with_extras(make_rich_site(make_site), 40)
    site.write("templates/share.html", "{{ no_such_thing.at_all }}\n")

    for jobs in (1, 2):
        with pytest.raises(jinja2.UndefinedError, match="no_such_thing"):
            build(site.root, tmp_path / f"out{jobs}", on=today(), jobs=jobs, cache="off",
                  pool_threshold=0)
        assert not (tmp_path / f"out{jobs}").exists()


def test_markup_that_is_too_deep_is_reported_from_the_pool_and_not_cached(make_site, tmp_path):
    site = make_rich_site(make_site)
    site.story("2026-06-01-deep.md", title="Deep", body="[" * 40 + "x" + "]" * 40 + "\n")

    result = build(site.root, tmp_path / "out", on=today(), jobs=2, pool_threshold=0)

    assert not result.ok
    assert any(p.path == "stories/2026-06-01-deep.md" and "nested 40 levels" in p.message
               for p in result.problems)
    assert not (tmp_path / "out").exists()
    again = site.build()
    assert again.code == 1 and "nested 40 levels" in again.err


def test_jobs_must_be_a_positive_number(make_site):
    run = make_site().build("--jobs", "0")
    assert run.code == 2
    assert "--jobs" in run.err


def test_an_output_file_changed_by_hand_is_put_right_by_the_next_build(make_site,
                                                                        trust_new_files):
    site = make_rich_site(make_site)
    build_here(site)
    expected = site.snapshot()
    build_here(site)                          # recorded as unchanged
    (site.out / "index.html").write_text("edited by hand", encoding="utf-8")
    (site.out / "stray.html").write_text("left over", encoding="utf-8")
    (site.out / "feed.xml").unlink()

    assert build_here(site) == 0

    assert site.snapshot() == expected


def test_an_edit_that_keeps_the_file_size_is_seen(make_site, trust_new_files):
    site = make_rich_site(make_site)
    build_here(site)
    build_here(site)
    path = site.root / "stories/2026-03-01-first-week.md"
    path.write_text(path.read_text().replace("The first", "Our first"), encoding="utf-8")

    assert build_here(site) == 0

    assert "Our first paragraph" in site.page("stories/first-week/")


def test_check_uses_the_cache_but_writes_nothing(make_site):
    site = make_rich_site(make_site)
    run = site.run("check")
    assert run.code == 0
    assert not (site.root / FOLDER).exists()
    assert not site.out.exists()


# -- any sequence of edits: incremental equals cold, byte for byte ------------------------

def _future(site):
    edit(site, "stories/2026-03-01-first-week.md", "date: 2026-03-01", "date: 2027-03-01")


def _draft_toggle(site):
    path = site.root / "stories/2026-04-12-on-call.md"
    if path.exists():
        text = path.read_text(encoding="utf-8")
        path.write_text(text.replace("draft: true\n", "") if "draft: true\n" in text
                        else text.replace("---\n", "---\ndraft: true\n", 1), encoding="utf-8")


def _tags(site):
    edit(site, "stories/2026-02-10-night-shift.md", "tags: [shift work, docks]",
         "tags: [docks, night]")


def _team(site):
    path = site.root / "stories/2026-05-20-parental-leave.md"
    if path.exists():
        path.write_text(path.read_text(encoding="utf-8").replace("---\n", "---\nteam: Care\n", 1),
                        encoding="utf-8")


def _deactivate(site):
    path = site.root / "people/ana.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "active: false\n", encoding="utf-8")


def _photo(site):
    site.write_bytes("stories/dock.jpg", jpeg_with_gps(80, 40))


def _static(site):
    site.write("static/extra.css", "body { color: #123; }\n")


def _add(site):
    site.story("2026-06-02-added.md", title="Added later", author="bo", tags="onboarding",
               body="A new story, [to the first week](../first-week/).\n")


QUOTE = "quote: \"Nights here are quiet, and the team looks after each other.\"\n"


def _same_quote(site):
    """Two stories share a quote: their snippets read alike (the near-identical warning)."""
    for name in ("2026-02-10-night-shift.md", "2026-04-12-on-call.md"):
        path = site.root / "stories" / name
        if path.exists() and QUOTE not in path.read_text(encoding="utf-8"):
            path.write_text(path.read_text(encoding="utf-8").replace("---\n", "---\n" + QUOTE, 1),
                            encoding="utf-8")


def _other_quote(site):
    edit(site, "stories/2026-04-12-on-call.md", "Nights here are quiet",
         "On call I sleep with the phone near, and rarely does it ring; the rota is fair")


def test_the_checks_kept_in_the_store_follow_an_edit(make_site, tmp_path, trust_new_files):
    """Each story's checks and the near-identical check come from the store when what they
    read is unchanged; an edit that makes two stories alike, then different again, is
    reported as a cold build reports it."""
    site = make_rich_site(make_site)
    options = Options(on=today())
    assert build(site.root, site.out, options).ok
    alike = "the same as those of stories/2026-02-10-night-shift.md"
    for change, expected in ((_same_quote, True), (_other_quote, False)):
        change(site)
        kept = build(site.root, site.out, options)
        cold = build(site.root, tmp_path / change.__name__, Options(on=today(), cache="off"))
        assert [str(p) for p in kept.problems] == [str(p) for p in cold.problems]
        assert any(alike in p.message for p in kept.problems) is expected, change.__name__


def _safe(change):
    """Apply a change where what it edits is still there (an earlier edit may have gone)."""
    def apply(site):
        try:
            change(site)
        except (AssertionError, FileNotFoundError):
            pass                                  # already changed, renamed or deleted
    apply.__name__ = change.__name__
    return apply


EDITS = [_safe(c) for c in [*CHANGES, _future, _draft_toggle, _tags, _team, _deactivate,
                            _photo, _static, _add, _same_quote, _other_quote]]


def _files(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@settings(max_examples=4, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.sampled_from(EDITS), min_size=1, max_size=4))
def test_any_sequence_of_edits_builds_as_a_cold_build_would(make_site, edits, tmp_path_factory,
                                                           trust_new_files):
    shutil.rmtree(make_site().root)            # each example starts from a fresh folder
    site = make_rich_site(make_site)
    options = Options(on=today(), jobs=2, pool_threshold=0)    # pages in two processes
    assert build(site.root, site.out, options).ok
    for change in edits:
        change(site)
        incremental = build(site.root, site.out, options)
        cold_out = tmp_path_factory.mktemp("cold")
        cold = build(site.root, cold_out, Options(on=today(), cache="off"))
        assert incremental.ok == cold.ok, change.__name__
        assert [str(p) for p in incremental.problems] == [str(p) for p in cold.problems]
        if cold.ok:
            assert _files(site.out) == _files(cold_out), change.__name__


@settings(max_examples=4, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.sampled_from(EDITS), min_size=1, max_size=4))
def test_serve_after_any_sequence_of_edits_serves_what_a_cold_build_makes(make_site, edits,
                                                                          trust_new_files):
    shutil.rmtree(make_site().root)
    site = make_rich_site(make_site)
    base_url = "http://127.0.0.1:8000/"
    preview = Preview(site.root, drafts=False, base_url=base_url)
    assert preview.rebuild().ok
    for change in edits:
        change(site)
        # every story's page shown first, as after a save: the rebuild puts all right
        preview.show_first({p.relative_to(site.root).as_posix()
                            for p in (site.root / "stories").glob("*.md")})
        served = preview.rebuild()
        cold = generate(site.root, Options(on=today(), base_url=base_url, cache="off"))
        assert [str(p) for p in served.problems] == [str(p) for p in cold.problems]
        if cold.ok:
            assert preview.files == cold.files, change.__name__
