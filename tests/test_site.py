"""Building a site: the pages a reader sees, the feed, the sitemap, determinism."""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser

import feedparser

from sites import ROOT


def test_sample_site_has_every_kind_of_page(sample):
    for path in ["index.html", "page/2/index.html", "people/index.html",
                 "people/ana-lindqvist/index.html", "teams/index.html", "tags/index.html",
                 "tags/shift-work/index.html", "teams/operations/index.html",
                 "stories/night-shift/index.html", "archive/index.html", "404.html",
                 "feed.xml", "sitemap.xml", "robots.txt", "static/style.css"]:
        assert (sample.out / path).is_file(), path


def test_story_page_shows_the_person_quote_tags_and_jobs(sample):
    html = sample.page("stories/night-shift/")
    assert "<h1>Night shift, and why I asked for it</h1>" in html
    assert "Ana Lindqvist" in html and "Warehouse Shift Lead" in html
    assert '<span class="pronouns">she/her</span>' in html
    assert 'class="pull-quote"' in html
    assert "min read" in html
    assert '<a href="../../tags/shift-work/">Shift work</a>' in html       # slug unchanged
    assert "https://jobs.lumenfold.example/" in html
    assert 'src="../../people/ana-lindqvist/ana-lindqvist-144w.jpg"' in html
    assert '<h2 id="related" class="section-title">Related stories</h2>' in html


def test_index_is_newest_first_and_paginated(sample):
    first = sample.page("")
    dates = re.findall(r'<time datetime="(\d{4}-\d\d-\d\d)"', first)
    assert dates == sorted(dates, reverse=True) and len(dates) == 6
    second = sample.page("page/2/")
    assert re.findall(r'<time datetime="([\d-]+)"', second)[0] < dates[-1]
    assert 'rel="next" href="page/2/"' in first
    assert 'rel="prev" href="../../"' in second


def test_every_page_has_canonical_open_graph_and_twitter_tags(sample):
    for page in sample.out.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        for pattern in (r'<link rel="canonical" href="https://careers\.lumenfold\.example/',
                        r'<meta property="og:url" content="https://',
                        r'<meta property="og:title" content="[^"]+"',
                        r'<meta name="twitter:card" content="summary',
                        r'<meta name="description" content="[^"]+"'):
            assert re.search(pattern, html), (page, pattern)
        for url in re.findall(r'<meta (?:property="og:image"|name="twitter:image") '
                              r'content="([^"]+)"', html):
            assert url.startswith("https://"), (page, url)


def test_story_json_ld_is_an_article_by_a_person(sample):
    html = sample.page("stories/night-shift/")
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    graph = json.loads(block)["@graph"]
    article = next(item for item in graph if item["@type"] == "Article")
    assert article["author"]["@type"] == "Person"
    assert article["author"]["name"] == "Ana Lindqvist"
    assert article["url"] == "https://careers.lumenfold.example/stories/night-shift/"


def test_feed_reads_in_a_feed_reader(sample):
    feed = feedparser.parse((sample.out / "feed.xml").read_bytes())
    assert not feed.bozo, feed.bozo_exception
    assert feed.feed.title == "Life at Lumenfold"
    titles = [entry.title for entry in feed.entries]
    assert "Night shift, and why I asked for it" in titles
    night = next(e for e in feed.entries if e.title.startswith("Night shift"))
    assert night.link == "https://careers.lumenfold.example/stories/night-shift/"
    assert night.author == "Ana Lindqvist"
    assert "cross-dock" in night.content[0].value
    published = [e.published_parsed for e in feed.entries]
    assert published == sorted(published, reverse=True)


def test_sitemap_and_robots_name_absolute_urls(sample):
    sitemap = (sample.out / "sitemap.xml").read_text()
    locs = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert "https://careers.lumenfold.example/stories/night-shift/" in locs
    assert "https://careers.lumenfold.example/archive/" in locs
    assert all(loc.startswith("https://careers.lumenfold.example/") for loc in locs)
    robots = (sample.out / "robots.txt").read_text()
    assert "Sitemap: https://careers.lumenfold.example/sitemap.xml" in robots


def test_a_site_below_a_sub_path_gets_no_robots_txt(make_site):
    """Crawlers read robots.txt only at a host's root; one under /stories/ would be ignored."""
    site = make_site()                       # base_url https://careers.testco.example/stories/
    assert site.build().code == 0
    assert not (site.out / "robots.txt").exists()
    assert "<loc>https://careers.testco.example/stories/</loc>" in \
        (site.out / "sitemap.xml").read_text()


def test_a_fresh_build_of_the_sample_prints_no_warning(sample):
    run = sample.run("check")
    assert run.code == 0 and "warning" not in run.out + run.err, run.out + run.err


def test_unpublished_stories_appear_in_no_output_file(sample):
    everything = "\n".join(p.read_text(errors="replace") for p in sample.out.rglob("*")
                           if p.is_file() and p.suffix in (".html", ".xml", ".txt", ".json"))
    drafts = [p for p in (ROOT / "stories").glob("*.md") if "draft: true" in p.read_text()]
    assert drafts
    for path in drafts:
        title = re.search(r'^title: "?(.*?)"?$', path.read_text(), re.M).group(1)
        assert title not in everything, title


def test_photos_are_re_encoded_without_exif(sample):
    from PIL import Image
    source = ROOT / "stories/2026-02-10-night-shift/dock-at-dawn.jpg"
    assert Image.open(source).getexif()           # the sample photo carries EXIF and GPS
    with Image.open(sample.out / "stories/night-shift/dock-at-dawn.jpg") as built:
        assert not built.getexif()


def test_two_builds_are_byte_identical(make_site, tmp_path):
    site = make_site()
    site.story("2026-03-01-second.md", title="Second", tags="shift work, learning")
    assert site.build().code == 0
    first = site.snapshot()
    shutil.rmtree(site.out)
    assert site.build().code == 0
    assert site.snapshot() == first


def test_sub_path_base_url_gives_relative_links_and_absolute_canonicals(make_site):
    site = make_site()
    run = site.build("--base-url", "https://example.com/deep/sub/path")
    assert run.code == 0, run.err
    html = site.page("stories/night-shift/")
    assert '<link rel="canonical" href="https://example.com/deep/sub/path/stories/night-shift/">' \
        in html
    assert 'href="../../static/style.css"' in html
    not_found = (site.out / "404.html").read_text()
    assert 'href="/deep/sub/path/static/style.css"' in not_found


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.links.append(value)


def test_internal_links_resolve(sample):
    for page in sample.out.rglob("*.html"):
        if page.name == "404.html":
            continue
        parser = _Links()
        parser.feed(page.read_text(encoding="utf-8"))
        for link in parser.links:
            if re.match(r"^[a-z]+:", link) or link.startswith(("#", "//")):
                continue
            target = (page.parent / link.split("#")[0]).resolve()
            if link.endswith("/") or target.is_dir():
                target = target / "index.html"
            assert target.is_file(), f"{page.relative_to(sample.out)} -> {link}"


def test_drafts_flag_builds_drafts_and_marks_them(make_site):
    site = make_site()
    site.story("2026-03-01-wip.md", title="Work in progress", extra="draft: true\n")
    site.story("2027-01-01-later.md", title="From the future", date="2027-01-01")
    assert site.build().code == 0
    assert not (site.out / "stories/wip").exists()
    assert not (site.out / "stories/later").exists()
    assert "Work in progress" not in site.page("")
    assert "Work in progress" not in (site.out / "sitemap.xml").read_text()
    assert site.build("--drafts", "--base-url", "https://preview.testco.example/").code == 0
    assert "Draft: not published" in site.page("stories/wip/")
    assert "From the future" in site.page("")
    assert '<meta name="robots" content="noindex">' in site.page("")
    assert "Disallow: /" in (site.out / "robots.txt").read_text()


def test_a_sites_own_template_overrides_the_default(make_site):
    site = make_site()
    site.write("templates/404.html", "<!doctype html><title>Custom</title><p>Lost? {{ site.company }}</p>\n")
    assert site.build().code == 0
    assert "Lost? Testco" in (site.out / "404.html").read_text()
    assert "<h1>A night on the dock</h1>" in site.page("stories/night-shift/")


def test_summary_line_and_quiet(make_site):
    site = make_site()
    run = site.build()
    assert run.code == 0
    assert re.match(r"Built 1 stories, \d+ pages in [\d.]+ s \(\d+ files written", run.out)
    quiet = site.build("--quiet")
    assert quiet.code == 0 and quiet.out == "" and quiet.err == ""


def test_removed_story_disappears_from_the_output(make_site):
    site = make_site()
    site.story("2026-03-01-second.md", title="Second")
    assert site.build().code == 0
    assert (site.out / "stories/second/index.html").exists()
    (site.root / "stories/2026-03-01-second.md").unlink()
    assert site.build().code == 0
    assert not (site.out / "stories/second").exists()
    assert "Second" not in site.page("")


def test_bundle_story_copies_its_pictures(make_site):
    from sites import jpeg_with_gps
    site = make_site(stories={})
    site.write("stories/2026-01-05-dock/index.md", """\
        ---
        title: "On the dock"
        author: ana
        date: 2026-01-05
        image: dock.jpg
        image_alt: "The dock at dawn"
        ---
        Look: ![the crane](crane.jpg)
        """)
    site.write_bytes("stories/2026-01-05-dock/dock.jpg", jpeg_with_gps())
    site.write_bytes("stories/2026-01-05-dock/crane.jpg", jpeg_with_gps())
    run = site.build()
    assert run.code == 0, run.err
    html = site.page("stories/dock/")
    assert 'src="../../stories/dock/dock.jpg"' in html and 'src="crane.jpg"' in html
    assert (site.out / "stories/dock/crane.jpg").is_file()


def test_non_ascii_and_rtl_stories(make_site):
    site = make_site()
    site.story("2026-03-01-amman.md", title="عامي الأول في عمّان", extra="lang: ar\nslug: amman\n",
               body="كان العمل صعبًا في البداية.", tags="relocation, السفر")
    run = site.build()
    assert run.code == 0, run.err
    html = site.page("stories/amman/")
    assert 'lang="ar" dir="rtl"' in html
    tag_pages = [p.parent.name for p in (site.out / "tags").glob("*/index.html")]
    assert "relocation" in tag_pages and any(name.startswith("t-") for name in tag_pages)


def test_a_person_who_has_left_is_taken_down_with_a_warning(make_site):
    """The sample has nobody who left (a newcomer's first build prints no warning), so the
    case lives here."""
    site = make_site()
    site.person("bo", name="Bo Berg", extra="active: false\n")
    site.story("2026-03-01-bo.md", title="Four years in the queue", author="bo")
    run = site.build()
    assert run.code == 0
    assert "'bo' is marked active: false, so this story is not published" in run.err
    everything = "\n".join(p.read_text(errors="replace") for p in site.out.rglob("*")
                           if p.is_file() and p.suffix in (".html", ".xml", ".json"))
    assert "Four years in the queue" not in everything and "Bo Berg" not in everything
