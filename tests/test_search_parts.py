"""Search in parts: each language's index is split into bundles by a hash of the page's
path; an edit indexes one part again, and the browser searches every part as one index.

The pages are the sample search site's own (tests/test_search.py), rendered by the build,
and copies of its story page with other titles, words and teams, so that the parts are
many while Pagefind indexes only a few hundred small pages."""

from __future__ import annotations

import gzip
import json
import re
import shutil
from pathlib import Path

import pytest

from firsthand.content.load import load_site
from firsthand.content.problems import Problems
from firsthand.output.store import Store
from firsthand.pages import search

from test_search import PEOPLE, STORIES, serving
from sites import site_folder

PART_PAGES = 8                 # so that 60 pages make several parts
TEAMS = ["Night Crew", "Harbour", "Operations"]
LETTERS = "bcdfghjklmnpqrstvwxz"


def word(number: int) -> str:
    """A made-up word for copy `number`, found in no other page: 'zbb', 'zbc'..."""
    return "zq" + LETTERS[number // len(LETTERS) % len(LETTERS)] + LETTERS[number % len(LETTERS)]


def copies(page: bytes, count: int) -> dict[str, bytes]:
    """`count` copies of the night-shift story page, each with its own path, title, word
    in place of "quayside" and team (Night Crew, Harbour and Operations in turn)."""
    made = {}
    for number in range(count):
        text = page.replace(b"Night shift, and why I asked for it", f"Copy {number}".encode())
        text = text.replace(b"quayside", word(number).encode())
        text = text.replace(b'data-pagefind-filter="Team">Operations<',
                            f'data-pagefind-filter="Team">{TEAMS[number % 3]}<'.encode())
        made[f"stories/copy-{number}/index.html"] = text
    return made


@pytest.fixture(scope="module")
def site_parts(tmp_path_factory):
    """The sample search site built, its indexed pages with 50 copies, and its settings."""
    root = tmp_path_factory.mktemp("parts")
    folder = site_folder(root / "src", STORIES, PEOPLE)
    out = root / "www" / "stories"
    run = folder.build("--out", str(out))
    assert run.code == 0, run.err
    pages = {p.relative_to(out).as_posix(): p.read_bytes() for p in out.rglob("*.html")}
    pages = {path: data for path, data in pages.items() if search.is_indexed(path, data)}
    pages.update(copies(pages["stories/night-shift/index.html"], 50))
    return out, pages, load_site(folder.root, Problems())


def as_pages(pages: dict[str, bytes]) -> search.Pages:
    held = search.Pages()
    for path, data in pages.items():
        held[path] = data
    return held


def urls(files: dict[str, bytes], folder: str) -> set[str]:
    """The URLs of the pages in the bundle at `folder` (like 'pagefind/3/'), not in the
    bundles of folders below it."""
    found = set()
    for name, data in files.items():
        rest = name[len(folder):]
        if name.startswith(folder) and re.fullmatch(r"fragment/[\w-]+\.pf_fragment", rest):
            found.add(json.loads(gzip.decompress(data)[len(b"pagefind_dcd"):])["url"])
    return found


# -- how pages are split ---------------------------------------------------------------


def test_parts_grow_in_powers_of_two_and_a_page_stays_where_it_was():
    assert [search.part_count(n, 256) for n in (0, 1, 256, 257, 512, 513, 2048, 2049, 10_600)] \
        == [1, 1, 1, 2, 2, 4, 8, 16, 64]
    paths = [f"stories/story-{n}/index.html" for n in range(2000)]
    for count in (2, 4, 8, 16, 32):
        # with twice the parts, part n splits into n and n + count: no other page moves
        assert all(search.part_of(p, 2 * count) % count == search.part_of(p, count)
                   for p in paths)
    sizes = [sum(search.part_of(p, 8) == n for p in paths) for n in range(8)]
    assert min(sizes) > 200 and max(sizes) < 300            # 250 each, near enough


def test_every_page_is_in_one_part_of_its_language(site_parts):
    _, pages, site = site_parts
    files = search.index_files(site, pages, part_pages=PART_PAGES)
    plan = search.plan(as_pages(pages), "en", PART_PAGES)
    english = [part for part in plan if part.language == "en"]
    assert len(english) == 8 and english[0].folder == "pagefind/" and english[0].primary
    assert [part.folder for part in plan if part.language == "ja"] == ["pagefind/ja/"]
    every = set()
    for part in plan:
        found = urls(files, part.folder)
        assert found == {search.page_url(p) for p in part.paths}
        assert not every & found
        every |= found
    assert every == {search.page_url(p) for p in pages}
    listed = json.loads(files[search.LANGUAGES_FILE])
    assert [m["path"] for m in listed["merge"]] == [p.folder[len("pagefind/"):]
                                                     for p in plan if not p.primary]
    assert {m["language"] for m in listed["merge"]} == {"en", "ja"}
    # the filters' values counted over every part, for the search page to offer
    assert listed["filters"]["Team"] == {"Field Service": 2, "Harbour": 17, "Inbound": 1,
                                         "Night Crew": 17, "Operations": 18, "Support": 2}
    assert listed["filters"]["Language"] == {"en": 56, "ja": 1}
    # only the primary bundle carries Pagefind's code
    assert [n for n in files if n.endswith("pagefind.js")] == ["pagefind/pagefind.js"]


# -- an edit remakes its part ------------------------------------------------------------


def test_an_edit_to_one_story_indexes_only_its_part_and_reads_only_its_pages(site_parts,
                                                                              tmp_path):
    _, pages, site = site_parts
    store = Store(tmp_path / "store")
    before = search.index_files(site, pages, store, part_pages=PART_PAGES)
    kept = set((store.folder / search.CACHE_KIND).rglob("*"))
    edited_path = "stories/copy-7/index.html"
    edited = dict(pages)
    edited[edited_path] = pages[edited_path].replace(word(7).encode(), b"lighthouse")

    # the engine hands unchanged pages by digest and a loader: count what is read
    read = []
    given = search.Pages()
    originals = as_pages(pages)
    for path, data in edited.items():
        if path == edited_path:
            given[path] = data
        else:
            given.known(path, originals.digest(path), originals.language(path, "en"),
                        lambda path=path: (read.append(path), pages[path])[1])
    after = search.index_files(site, given, store, part_pages=PART_PAGES)

    made = set((store.folder / search.CACHE_KIND).rglob("*")) - kept
    assert len([p for p in made if p.is_file()]) == 1           # one bundle made again
    part = next(p for p in search.plan(given, "en", PART_PAGES) if edited_path in p.paths)
    assert sorted(read) == sorted(p for p in part.paths if p != edited_path)
    changed = {name for name in before.keys() | after.keys()
               if before.get(name) != after.get(name)}
    assert changed and all(name.startswith(part.folder) for name in changed), changed
    assert "lighthouse" in "".join(
        gzip.decompress(after[n])[12:].decode() for n in after
        if n.startswith(part.folder) and n.endswith(".pf_fragment"))


def test_unchanged_pages_start_no_pagefind(site_parts, tmp_path, monkeypatch):
    _, pages, site = site_parts
    store = Store(tmp_path / "store")
    first = search.index_files(site, pages, store, part_pages=PART_PAGES)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "missing"))
    assert search.index_files(site, pages, store, part_pages=PART_PAGES) == first
    with pytest.raises(search.SearchUnavailable):       # and would, were a page changed
        search.index_files(site, {**pages, "people/ana/index.html":
                                  pages["people/ana/index.html"].replace(b"Ana", b"Anna")},
                           store, part_pages=PART_PAGES)


# -- in Chromium: all parts searched as one --------------------------------------------


@pytest.fixture(scope="module")
def served_parts(site_parts, tmp_path_factory):
    """The built site with its index in parts, and the same site with one bundle a language."""
    out, pages, site = site_parts
    folders = {}
    for name, part_pages in (("parts", PART_PAGES), ("whole", 100_000)):
        root = tmp_path_factory.mktemp(name)
        shutil.copytree(out, root / "stories")
        shutil.rmtree(root / "stories" / "pagefind")
        for path, data in search.index_files(site, pages, part_pages=part_pages).items():
            (root / "stories" / path).parent.mkdir(parents=True, exist_ok=True)
            (root / "stories" / path).write_bytes(data)
        folders[name] = root
    assert (folders["parts"] / "stories" / "pagefind" / "7" / "pagefind-entry.json").exists()
    assert not (folders["whole"] / "stories" / "pagefind" / "1").exists()
    return folders


def results(page, url: str, words: str = "", **filters: str) -> list[str]:
    """The search page at `url` asked for words and filters (as its address gives them):
    the titles of every result, all pages of them."""
    query = "&".join([f"q={words}"] * bool(words) + [f"{k}={v}" for k, v in filters.items()])
    page.goto(url + "search/?" + query)
    page.wait_for_function("() => /result|No stories/.test("
                           "document.querySelector('.search-status').textContent)")
    while page.locator(".search-more").is_visible():
        shown = page.locator(".search-result").count()
        page.click(".search-more button")
        page.wait_for_function(f"() => document.querySelectorAll('.search-result').length > {shown}")
    return page.locator(".search-result-title").all_inner_texts()


@pytest.mark.browser
def test_a_word_of_one_story_is_found_in_every_part(browser, site_parts, served_parts):
    _, pages, _ = site_parts
    plan = search.plan(as_pages(pages), "en", PART_PAGES)
    page = browser.new_page()
    with serving(served_parts["parts"]) as root:
        for part in plan:
            copy = next((p for p in part.paths if p.startswith("stories/copy-")), None)
            if copy is None:
                continue
            number = int(copy.split("copy-")[1].split("/")[0])
            assert results(page, root + "stories/", word(number)) == [f"Copy {number}"], part
        japanese = results(page, root + "stories/", "冷蔵庫")
    page.close()
    assert japanese[:1] == ["大阪での一年目"]


@pytest.mark.browser
def test_parts_find_what_one_bundle_finds_in_much_the_same_order(browser, served_parts):
    page = browser.new_page()
    found = {}
    for name, folder in served_parts.items():
        with serving(folder) as root:
            found[name] = results(page, root + "stories/", "shift")
    page.close()
    assert len(found["whole"]) > 50
    assert sorted(found["parts"]) == sorted(found["whole"])
    # Each part ranks by its own statistics (Pagefind's BM25: how many of its pages hold
    # the word, their mean length), so the order moves a little even with parts of eight
    # pages; the copies are the same text, so their order among themselves is a tie.
    for title in ("Night shift, and why I asked for it", "大阪での一年目", "What the dock taught me",
                  "Ana Lindqvist: profile and stories", "My first year in the van"):
        assert abs(found["parts"].index(title) - found["whole"].index(title)) <= 15, found
    assert found["parts"][-1] == found["whole"][-1] == "My first year in the van"


@pytest.mark.browser
def test_filters_count_and_narrow_across_every_part(browser, served_parts):
    page = browser.new_page()
    with serving(served_parts["parts"]) as root:
        everyone = results(page, root + "stories/", "shift")
        options = page.locator("#search-filter-team option").all_inner_texts()
        crew = results(page, root + "stories/", "shift", team="Night+Crew")
        status = page.locator(".search-status").inner_text()
        crew_only = results(page, root + "stories/", team="Night+Crew")
        field = results(page, root + "stories/", "shift", team="Field+Service")
        language = results(page, root + "stories/", location="Osaka")
    page.close()
    night_crew = [f"Copy {n}" for n in range(50) if n % 3 == 0]      # 17, in several parts
    assert "Night Crew (17)" in options and "Harbour (17)" in options
    assert sorted(crew) == sorted(night_crew) and status.startswith("17 results")
    assert sorted(crew_only) == sorted(night_crew)
    assert field == ["My first year in the van"]
    assert sorted(language) == ["Aiko Tanaka: profile and stories", "大阪での一年目"]
    assert len(everyone) > len(crew)
