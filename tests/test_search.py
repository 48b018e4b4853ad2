"""Search: a candidate types a word and finds the story, in Chromium, as the built site serves it."""

from __future__ import annotations

import functools
import gzip
import http.server
import json
import threading
from contextlib import contextmanager
from pathlib import Path

import pytest

from firsthand.output.store import Store

from sites import QuietServer, SITE_YAML, site_folder
from test_serve import Server

QUALITY = Path(__file__).resolve().parent / "quality"
AXE_JS = QUALITY.parent / ".node" / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

PEOPLE = {
    "ana": "name: Ana Lindqvist\nrole: Warehouse Shift Lead\nteam: Operations\nlocation: Göteborg\n",
    "bo": "name: Bo Berg\nrole: Field Technician\nteam: Field Service\nlocation: Kraków\n",
    "aiko": "name: Aiko Tanaka\nrole: Support Engineer\nteam: Support\nlocation: Osaka\n",
}


def story(title: str, author: str, date: str, body: str, extra: str = "") -> str:
    return f'---\ntitle: "{title}"\nauthor: {author}\ndate: {date}\ntags: [shift work]\n{extra}---\n{body}\n'


STORIES = {
    "2026-02-10-night-shift.md": story(
        "Night shift, and why I asked for it", "ana", "2026-02-10",
        "I drive a forklift on the quayside at night. The shift is long and quiet."),
    "2026-03-01-first-van.md": story(
        "My first year in the van", "bo", "2026-03-01",
        "Every shift starts with a coffee and a route across Poland to fix a freezer."),
    "2026-04-01-docks.md": story(
        "What the dock taught me", "ana", "2026-04-01",
        "The loading dock is loud in the morning shift, and I like the rhythm of it.",
        extra="team: Inbound\n"),
    "2025-12-09-osaka.md": story(
        "大阪での一年目", "aiko", "2025-12-09",
        "大阪で冷蔵庫の修理を電話で案内しています。毎日が勉強です。", extra="lang: ja\n"),
    "2026-05-01-secret.md": story(
        "Not ready yet", "bo", "2026-05-01",
        "A draft about the zeppelin hangar that nobody may read yet.", extra="draft: true\n"),
}


def search_site(make_site, site_yaml: str = SITE_YAML):
    return make_site(stories=STORIES, people=PEOPLE, site=site_yaml)


@contextmanager
def serving(folder: Path):
    """Serve `folder` over HTTP on 127.0.0.1, on a free port."""
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass
    server = QuietServer(("127.0.0.1", 0),
                                             functools.partial(Quiet, directory=str(folder)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """The search site built into www/stories/, where its base_url's path puts it; built
    once for the tests that only read and serve it."""
    root = tmp_path_factory.mktemp("search")
    site = site_folder(root / "src", STORIES, PEOPLE)
    out = root / "www" / "stories"
    run = site.build("--out", str(out))
    assert run.code == 0, run.err
    return site, out


def search(page, url: str, words: str) -> list[str]:
    """Type words into the search page's box; the titles of the results, in order."""
    page.goto(url + "search/")
    page.fill("#search-q", words)
    page.wait_for_function("() => /result|No stories/.test("
                           "document.querySelector('.search-status').textContent)")
    return page.locator(".search-result-title").all_inner_texts()


def indexed_text(out: Path) -> str:
    """Everything the index holds about every page, as text."""
    return "\n".join(gzip.decompress(p.read_bytes())[len(b"pagefind_dcd"):].decode("utf-8")
                     for p in out.glob("pagefind/**/fragment/*.pf_fragment"))


# -- what is indexed ----------------------------------------------------------------------


def test_only_published_story_and_person_pages_are_indexed(built):
    _, out = built
    fragments = [json.loads(gzip.decompress(p.read_bytes())[len(b"pagefind_dcd"):])
                 for p in out.glob("pagefind/**/fragment/*.pf_fragment")]
    urls = sorted(f["url"] for f in fragments)
    assert urls == ["/people/aiko/", "/people/ana/", "/people/bo/",
                    "/stories/docks/", "/stories/first-van/", "/stories/night-shift/",
                    "/stories/osaka/"]
    night = next(f for f in fragments if f["url"] == "/stories/night-shift/")
    assert night["filters"] == {"Team": ["Operations"], "Location": ["Göteborg"],
                                "Topic": ["shift work"], "Language": ["en"]}
    assert night["meta"]["name"] == "Ana Lindqvist"
    assert night["meta"]["role"] == "Warehouse Shift Lead"
    assert "Share this story" not in night["content"]
    assert "zeppelin" not in indexed_text(out)


def test_each_story_is_indexed_in_its_own_language(built):
    site, out = built
    assert (out / "stories/osaka/index.html").read_text(encoding="utf-8").startswith('<!doctype html>\n<html lang="ja">')
    entry = json.loads((out / "pagefind" / "ja" / "pagefind-entry.json").read_text())
    assert list(entry["languages"]) == ["ja"]
    assert list(json.loads((out / "pagefind" / "pagefind-entry.json").read_text())
                ["languages"]) == ["en"]
    assert json.loads((out / "pagefind" / "languages.json").read_text())["merge"] == \
        [{"language": "ja", "path": "ja/"}]


def test_a_preview_build_indexes_drafts_marked_as_drafts(make_site, tmp_path):
    site = search_site(make_site)
    assert site.build("--drafts").code == 0
    draft = [json.loads(gzip.decompress(p.read_bytes())[len(b"pagefind_dcd"):])
             for p in site.out.glob("pagefind/fragment/*.pf_fragment")]
    secret = next(f for f in draft if f["url"] == "/stories/secret/")
    assert secret["meta"]["draft"] == "Draft" and "zeppelin" in secret["content"]


def test_the_same_pages_give_the_same_index(make_site, tmp_path):
    site = search_site(make_site)
    first, second = tmp_path / "one", tmp_path / "two"
    assert site.build("--out", str(first)).code == 0
    for folder in Store.for_site(site.root).folder.glob("search"):
        for entry in folder.rglob("*"):
            entry.unlink() if entry.is_file() else None
    assert site.build("--out", str(second)).code == 0
    one = {p.relative_to(first).as_posix(): p.read_bytes() for p in first.rglob("pagefind/**/*")
           if p.is_file()}
    two = {p.relative_to(second).as_posix(): p.read_bytes()
           for p in second.rglob("pagefind/**/*") if p.is_file()}
    assert one and one == two


# -- Pagefind missing, search off, index kept ---------------------------------------------


def test_a_build_without_a_working_pagefind_fails_in_one_line(make_site, tmp_path, monkeypatch):
    site = search_site(make_site)
    assert site.build().code == 0
    before = site.snapshot()
    broken = tmp_path / "pagefind"
    broken.write_text("not a program")
    broken.chmod(0o644)
    site.story("2026-06-01-new.md", author="ana", body="A new story.")
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(broken))
    run = site.build()
    assert run.code == 1
    errors = [line for line in run.lines if ": error: " in line]
    assert len(errors) == 1 and errors[0].startswith("site.yaml:1: error: search: "), run.err
    assert "pagefind[extended]" in errors[0] and "search: false" in errors[0]
    assert "Traceback" not in run.err
    assert site.snapshot() == before


def test_an_unchanged_index_is_not_made_again(make_site, tmp_path, monkeypatch):
    site = search_site(make_site)
    assert site.build().code == 0
    index = {p: p.read_bytes() for p in site.out.rglob("pagefind/**/*") if p.is_file()}
    site.write("static/extra.txt", "a file no indexed page shows")
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "missing"))   # must not be needed
    run = site.build()
    assert run.code == 0, run.err
    assert (site.out / "static" / "extra.txt").exists()
    assert {p: p.read_bytes() for p in site.out.rglob("pagefind/**/*") if p.is_file()} == index


def test_an_edit_indexes_again_only_the_bundle_of_its_language(make_site):
    site = search_site(make_site)
    assert site.build().code == 0
    entries = {p: p.stat().st_ino for p in (Store.for_site(site.root).folder / "search").rglob("*")
               if p.is_file()}
    assert len(entries) == 2                       # English and Japanese
    japanese = (site.out / "pagefind" / "ja" / "pagefind-entry.json").read_bytes()
    site.write("stories/2026-02-10-night-shift.md",
               STORIES["2026-02-10-night-shift.md"].replace("quayside", "harbour"))
    assert site.build().code == 0
    after = {p: p.stat().st_ino for p in (Store.for_site(site.root).folder / "search").rglob("*")
             if p.is_file()}
    assert len(after) == 3
    assert sum(after.get(p) == inode for p, inode in entries.items()) == 2   # neither rewritten
    assert (site.out / "pagefind" / "ja" / "pagefind-entry.json").read_bytes() == japanese
    assert "harbour" in indexed_text(site.out) and "quayside" not in indexed_text(site.out)


def test_search_false_makes_and_needs_nothing_of_search(make_site, tmp_path, monkeypatch):
    site = search_site(make_site, SITE_YAML + "search: false\n")
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "missing"))
    run = site.build()
    assert run.code == 0, run.err
    assert not (site.out / "pagefind").exists() and not (site.out / "search").exists()
    story = site.page("stories/night-shift/")
    assert "search.js" not in story and "data-pagefind" not in story and 'role="search"' not in story


def test_search_must_be_true_or_false(make_site):
    site = search_site(make_site, SITE_YAML + "search: sometimes\n")
    run = site.build()
    assert run.code == 1
    assert any(line.startswith("site.yaml:") and "'search'" in line and "true or false" in line
               for line in run.lines), run.err


# -- in Chromium ------------------------------------------------------------------------


@pytest.mark.browser
def test_a_word_in_one_story_finds_that_story_first(browser, built):
    _, out = built
    page = browser.new_page()
    with serving(out.parent) as root:
        titles = search(page, root + "stories/", "quayside")
        assert titles[:1] == ["Night shift, and why I asked for it"]
        assert page.locator(".search-result .search-result-name").first.inner_text() == "Ana Lindqvist"
        assert "Warehouse Shift Lead" in page.locator(".search-result-role").first.inner_text()
        assert page.locator(".search-result mark").first.inner_text().lower() == "quayside"
        page.locator(".search-result-title a").first.click()
        page.wait_for_url("**/stories/night-shift/")
    page.close()


@pytest.mark.browser
def test_a_japanese_word_finds_the_japanese_story(browser, built):
    _, out = built
    page = browser.new_page()
    with serving(out.parent) as root:
        titles = search(page, root + "stories/", "冷蔵庫")
    page.close()
    assert titles[:1] == ["大阪での一年目"]


@pytest.mark.browser
def test_the_team_filter_narrows_the_results(browser, built):
    _, out = built
    page = browser.new_page()
    with serving(out.parent) as root:
        everyone = search(page, root + "stories/", "shift")
        page.select_option("#search-filter-team", "Field Service")
        page.wait_for_function("() => document.querySelectorAll('.search-result').length === 1")
        narrowed = page.locator(".search-result-title").all_inner_texts()
        assert "team=Field+Service" in page.url
    page.close()
    assert len(everyone) >= 3 and "My first year in the van" in everyone
    assert narrowed == ["My first year in the van"]


@pytest.mark.browser
def test_a_draft_is_never_found_in_a_normal_build(browser, built):
    _, out = built
    page = browser.new_page()
    with serving(out.parent) as root:
        titles = search(page, root + "stories/", "zeppelin")
        status = page.locator(".search-status").inner_text()
    page.close()
    assert titles == [] and status.startswith("No stories found")


@pytest.mark.browser
def test_search_works_under_a_deeper_sub_path(browser, make_site, tmp_path):
    site = search_site(make_site)
    out = tmp_path / "www" / "sub" / "path"
    assert site.build("--out", str(out), "--base-url", "https://example.com/sub/path/").code == 0
    page = browser.new_page()
    with serving(tmp_path / "www") as root:
        page.goto(root + "sub/path/stories/docks/")
        page.fill("#nav-search-q", "forklift")
        page.press("#nav-search-q", "Enter")
        page.wait_for_selector(".search-result")
        assert page.url.startswith(root + "sub/path/search/?q=forklift")
        assert page.locator(".search-result .avatar").first.inner_text() == "AL"
        page.locator(".search-result-title a").first.click()
        page.wait_for_url(root + "sub/path/stories/night-shift/")
        assert page.locator("h1").inner_text() == "Night shift, and why I asked for it"
    page.close()


@pytest.mark.browser
def test_without_javascript_the_box_is_a_link_to_every_story(browser, built):
    _, out = built
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    with serving(out.parent) as root:
        page.goto(root + "stories/stories/night-shift/")
        assert not page.locator(".nav-search-form").is_visible()
        fallback = page.locator("[data-search-fallback]")
        assert fallback.is_visible()
        href = fallback.get_attribute("href")
        page.goto(root + "stories/search/")
        assert not page.locator(".search-form").is_visible()
        assert "needs JavaScript" in page.locator(".search-page").inner_text()
    context.close()
    # without JavaScript the box leads to the archive of every story, by month
    assert href == "../../archive/"


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_the_search_page_with_results_passes_axe(browser, built, scheme):
    if not AXE_JS.exists():
        pytest.skip("needs axe-core: npm install --no-save --prefix tests/.node axe-core@4")
    _, out = built
    found = []
    for viewport in ({"width": 390, "height": 800}, {"width": 1280, "height": 800}):
        context = browser.new_context(viewport=viewport, color_scheme=scheme)
        page = context.new_page()
        with serving(out.parent) as root:
            search(page, root + "stories/", "shift")
            page.add_script_tag(content=AXE_JS.read_text(encoding="utf-8"))
            result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})",
                                   WCAG_TAGS)
        found += [f"{viewport['width']}px {v['id']}: {v['help']} at {n['target']}"
                  for v in result["violations"] for n in v["nodes"][:3]]
        context.close()
    assert not found, "\n".join(found)


@pytest.mark.browser
def test_serve_has_search_and_finds_drafts_marked(browser, make_site):
    site = search_site(make_site)
    server = Server(site.root)
    page = browser.new_page()
    try:
        titles = search(page, server.url, "zeppelin")
        flag = page.locator(".search-result .draft-flag").first.inner_text()
    finally:
        page.close()
        server.stop()
    assert titles == ["Not ready yet"] and flag == "Draft"
    assert not site.out.exists()                 # serve keeps the site in memory
