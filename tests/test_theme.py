"""The default theme as a reader meets it: people first, archive, neighbours, teams, brand."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from sites import SITE_YAML, site_folder

STORIES = {
    "2026-01-05-first.md": ("First of January", "2026-01-05", "ana"),
    "2026-01-20-second.md": ("Second of January", "2026-01-20", "bo"),
    "2026-03-02-march.md": ("Early March", "2026-03-02", "ana"),
}


def site_with_stories(make_site, site_yaml: str = SITE_YAML):
    site = make_site(site=site_yaml)
    site.person("bo", name="Bo Berg", role="Driver", team="Operations",
                extra='handles: {mastodon: "@bo@social.example", x: bo_drives, '
                      'linkedin: "bo berg?x=<script>"}\n')
    for name, (title, date, author) in STORIES.items():
        site.story(name, title=title, date=date, author=author, tags="shift work")
    return site


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """The site of STORIES and two people, built once for the tests that only read it."""
    root = tmp_path_factory.mktemp("theme") / "src"
    built = site_with_stories(lambda site: site_folder(root, site=site))
    assert built.build().code == 0
    return built


def test_archive_lists_every_story_under_its_month(site):
    html = site.page("archive/")
    months = re.findall(r'<h2 id="month-\d+" class="archive-label">([^<]+)</h2>', html)
    assert months == ["March 2026", "February 2026", "January 2026"]
    january = html[html.index("January 2026"):]
    assert january.index("Second of January") < january.index("First of January")
    assert 'href="archive/"' in site.page("")


def test_a_story_links_to_the_next_newer_and_older_story(site):
    middle = site.page("stories/second/")
    older = re.search(r'class="story-nav-older" href="([^"]+)"', middle).group(1)
    newer = re.search(r'class="story-nav-newer" href="([^"]+)"', middle).group(1)
    assert (older, newer) == ("../../stories/first/", "../../stories/night-shift/")
    assert "story-nav-newer" not in site.page("stories/march/")       # the newest
    assert "story-nav-older" not in site.page("stories/first/")       # the oldest


def test_tags_show_a_display_name_and_keep_their_slug(site):
    assert "<h1>Shift work</h1>" in site.page("tags/shift-work/")
    assert re.search(r'<a href="../tags/shift-work/">Shift work <span class="count">\d</span></a>',
                     site.page("tags/"))


def test_teams_page_shows_faces_and_story_counts(site):
    html = site.page("teams/")
    assert '<a href="../teams/operations/">Operations</a>' in html
    assert "4 stories by 2 people" in html
    assert html.count('class="avatar') >= 2
    assert 'class="team-face-name">Bo Berg</span>' in html


def test_person_page_links_handles_and_shows_story_cards(site):
    html = site.page("people/bo/")
    assert '<a href="https://social.example/@bo" rel="me noopener">' in html
    assert '<a href="https://x.com/bo_drives" rel="me noopener">' in html
    assert "<script>" not in html[html.index('class="handles"'):]    # typed text stays text
    assert 'href="https://www.linkedin.com/in/boberg%3Fx%3D%3Cscript%3E/"' in html
    assert html.count('<article class="card') == 1


def test_cards_show_the_face_large_and_the_cover_picture(make_site):
    site = make_site()
    site.write_bytes("people/ana.jpg", _jpeg(300, 300))
    site.write("people/ana.yaml", (site.root / "people/ana.yaml").read_text()
               + "photo: ana.jpg\nphoto_alt: Ana\n")
    site.write_bytes("static/dock.jpg", _jpeg(900, 500))
    site.story("2026-03-01-dock.md", title="Dock", extra="image: /static/dock.jpg\n"
               "image_alt: The dock\n")
    assert site.build().code == 0
    home = site.page("")
    dock = home[home.index('<article class="card has-cover"'):]
    assert re.search(r'<img class="card-cover" src="[^"]*dock[^"]*"', dock)
    assert re.search(r'<img class="avatar card-face" [^>]*width="96" height="96"', home)
    story = site.page("stories/dock/")
    assert re.search(r'<img class="avatar byline-face" [^>]*width="144"', story)
    assert story.index('class="story-person"') < story.index("<h1>")


def test_brand_colour_and_logo_from_site_yaml(make_site):
    site = make_site(site=SITE_YAML + 'brand: {colour: "#7a1f5c", logo: static/logo.png}\n')
    site.write_bytes("static/logo.png", _png(120, 40))
    assert site.build().code == 0
    home = site.page("")
    assert "--brand: #7a1f5c;" in home
    assert '<img class="brand-logo" src="static/logo.png"' in home
    og = Image.open(site.out / "stories/night-shift/og.png").convert("RGB")
    assert og.getpixel((5, 5)) == (0x7a, 0x1f, 0x5c)


def test_a_logo_outside_static_is_a_clear_error(make_site):
    site = make_site(site=SITE_YAML + "brand:\n  logo: ../secret.png\n")
    run = site.build()
    assert run.code == 1
    assert ("site.yaml:13: error: 'brand.logo' must be a PNG, JPEG or WebP file in static/, "
            'such as static/logo.png; got "../secret.png"') in run.err


def _jpeg(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (200, 120, 40)).save(out, format="JPEG")
    return out.getvalue()


def _png(width: int, height: int) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), (250, 200, 0)).save(out, format="PNG")
    return out.getvalue()


def test_the_home_page_counts_stories_and_people_in_the_singular_and_plural(make_site):
    site = make_site()              # one story by one person
    assert site.build().code == 0
    assert "1 story by 1 person, in their own words." in site.page("")
    site.person("bo", name="Bo Berg")
    site.story("2026-03-01-dock.md", title="Dock", author="bo")
    site.story("2026-03-02-yard.md", title="Yard", author="bo")
    assert site.build().code == 0
    assert "3 stories by 2 people, in their own words." in site.page("")
    assert '<meta name="description" content="Stories about shift work at ' \
        in site.page("tags/shift-work/")
