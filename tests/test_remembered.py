"""Stories kept by the last load (content/remembered.py): taken only while nothing they
read changed, and never different from reading them again."""

from __future__ import annotations

import pickle

import pytest

from test_incremental import edit_body, make_rich_site
from firsthand.content import load as loading
from firsthand.content.problems import Problems
from firsthand.content.remembered import FOLDER, SHARDS, StoryMemo
from firsthand.output import engines, fingerprint


@pytest.fixture
def counted(monkeypatch):
    """How many story files were parsed (not taken from the memo)."""
    parsed = []
    real = loading._parse_story

    def parse(source, file, *args):
        parsed.append(file.name)
        return real(source, file, *args)

    monkeypatch.setattr(loading, "_parse_story", parse)
    monkeypatch.setattr(fingerprint, "SETTLE_SECONDS", 0)   # files written a moment ago
    return parsed


def load_with_memo(site, tmp_path):
    problems = Problems()
    content = loading.load(site.root, problems, StoryMemo(tmp_path / "cache",
                                                          engines.LOAD_ENGINE))
    return content, [str(p) for p in problems.sorted()]


def plain_load(site):
    problems = Problems()
    content = loading.load(site.root, problems)
    return content, [str(p) for p in problems.sorted()]


def test_an_unchanged_story_is_not_read_again_and_loads_the_same(make_site, tmp_path,
                                                                counted):
    site = make_rich_site(make_site)
    first = load_with_memo(site, tmp_path)
    assert len(counted) == 4
    counted.clear()

    again = load_with_memo(site, tmp_path)

    assert counted == []
    assert again == first == plain_load(site)


def test_only_the_edited_story_is_read_again(make_site, tmp_path, counted):
    site = make_rich_site(make_site)
    load_with_memo(site, tmp_path)
    counted.clear()
    path = site.root / "stories/2026-03-01-first-week.md"
    path.write_text(path.read_text().replace("The first", "Our first"), encoding="utf-8")

    content, problems = load_with_memo(site, tmp_path)

    assert counted == ["2026-03-01-first-week.md"]
    assert (content, problems) == plain_load(site)
    assert "Our first" in next(s.body for s in content.stories if "first-week" in s.path)


def test_a_story_whose_picture_is_gone_is_reported_though_its_file_is_unchanged(
        make_site, tmp_path, counted):
    site = make_rich_site(make_site)
    load_with_memo(site, tmp_path)
    (site.root / "stories/dock.jpg").unlink()

    content, problems = load_with_memo(site, tmp_path)

    assert any("night-shift" in p and "'image' file not found" in p for p in problems)
    assert (content, problems) == plain_load(site)


def test_a_story_whose_author_is_gone_is_reported(make_site, tmp_path, counted):
    site = make_rich_site(make_site)
    load_with_memo(site, tmp_path)
    (site.root / "people/bo.yaml").unlink()

    content, problems = load_with_memo(site, tmp_path)

    assert sum("unknown author 'bo'" in p for p in problems) == 2
    assert (content, problems) == plain_load(site)


def test_a_story_with_a_problem_is_read_every_time(make_site, tmp_path, counted):
    site = make_rich_site(make_site)
    path = site.root / "stories/2026-03-01-first-week.md"
    path.write_text(path.read_text().replace("author: bo", "author: nobody"), encoding="utf-8")
    first = load_with_memo(site, tmp_path)
    counted.clear()

    assert load_with_memo(site, tmp_path) == first
    assert counted == ["2026-03-01-first-week.md"]


def test_a_damaged_or_foreign_memo_is_ignored_and_never_run(make_site, tmp_path, counted):
    site = make_rich_site(make_site)
    load_with_memo(site, tmp_path)
    memos = sorted((tmp_path / "cache" / FOLDER).glob("*.pickle"))
    assert memos
    for memo in memos:
        memo.write_bytes(memo.read_bytes()[:200])
    assert load_with_memo(site, tmp_path) == plain_load(site)

    ran = tmp_path / "ran"
    for memo in memos:
        memo.write_bytes(pickle.dumps(_Run(str(ran))))
    counted.clear()
    loaded = load_with_memo(site, tmp_path)
    assert len(counted) == 4
    assert not ran.exists()
    assert loaded == plain_load(site)


def test_an_edit_writes_again_only_the_file_that_keeps_its_story(make_site, tmp_path,
                                                                  counted):
    site = make_rich_site(make_site)
    for number in range(40):
        site.story(f"2026-01-{number % 28 + 1:02d}-more-{number}.md", title=f"More {number}",
                   author="bo", date=f"2026-01-{number % 28 + 1:02d}", body="More.")
    first = load_with_memo(site, tmp_path)
    memos = {p.name: p.stat().st_mtime_ns
             for p in (tmp_path / "cache" / FOLDER).glob("*.pickle")}
    assert 10 < len(memos) <= SHARDS
    edit_body(site)
    counted.clear()

    edited = load_with_memo(site, tmp_path)

    assert counted == ["2026-03-01-first-week.md"]
    now = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "cache" / FOLDER).glob("*.pickle")}
    assert now.keys() == memos.keys()
    assert sum(now[name] != memos[name] for name in memos) == 1
    assert edited != first and edited == plain_load(site)
    counted.clear()
    assert load_with_memo(site, tmp_path) == edited and counted == []


def test_a_story_is_not_kept_while_its_files_are_too_new_to_trust(make_site, tmp_path,
                                                                 counted, monkeypatch):
    site = make_rich_site(make_site)
    monkeypatch.setattr(fingerprint, "SETTLE_SECONDS", 3600)
    load_with_memo(site, tmp_path)
    counted.clear()

    load_with_memo(site, tmp_path)

    assert len(counted) == 4


class _Run:
    """A pickle that would create a file if unpickling ran what it names."""

    def __init__(self, path: str):
        self.path = path

    def __reduce__(self):
        return (open, (self.path, "w"))


def test_a_picture_in_a_story_is_read_again_only_when_it_changes(make_site, tmp_path,
                                                                 monkeypatch, counted):
    from firsthand import build as building
    from sites import jpeg_with_gps, today
    site = make_rich_site(make_site)
    site.story("2026-06-01-dock/index.md", title="The dock at dawn", author="bo",
               date="2026-06-01", body="# Dawn\n\n![The dock at dawn](dawn.jpg)\n")
    site.write_bytes("stories/2026-06-01-dock/dawn.jpg", jpeg_with_gps(640, 480))
    options = building.Options(on=today())
    assert building.build(site.root, site.out, options).ok
    cleaned = []
    real = building.cleaned

    def counting(store, raw, *args):
        cleaned.append(len(raw))
        return real(store, raw, *args)

    monkeypatch.setattr(building, "cleaned", counting)
    edit_body(site)
    assert building.build(site.root, site.out, options).ok
    assert len(cleaned) == 1           # the cover card's photo only: the dawn is not read

    site.write_bytes("stories/2026-06-01-dock/dawn.jpg", jpeg_with_gps(800, 300))
    assert building.build(site.root, site.out, options).ok
    cold = tmp_path / "cold"
    assert building.build(site.root, cold, building.Options(on=today(), cache="off")).ok
    made = {p.relative_to(cold).as_posix(): p.read_bytes() for p in cold.rglob("*")
            if p.is_file()}
    assert made == {p.relative_to(site.out).as_posix(): p.read_bytes()
                    for p in site.out.rglob("*") if p.is_file()}
    assert "dock/dawn-400w.jpg" in " ".join(made)
