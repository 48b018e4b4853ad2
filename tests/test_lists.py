"""Lists of stories: team and tag pages paginated like the home page, and list pages that
are rendered again only when what their cards show changes."""

from __future__ import annotations

import re

from rebuilds import build_here, edit, handed_to_the_writer

TITLES = [f"Story number {n}" for n in range(1, 6)]      # oldest first
STORY_3 = "stories/2026-03-03-story-3.md"


def five_stories(make_site, per_page: int = 2):
    """Five stories of one tag by one person, one a day; two cards a page."""
    site = make_site(stories={})
    site.write("site.yaml", (site.root / "site.yaml").read_text(encoding="utf-8")
               .replace("per_page: 10", f"per_page: {per_page}"))
    site.person("ana")
    for number, title in enumerate(TITLES, 1):
        site.story(f"2026-03-0{number}-story-{number}.md", title=title,
                   date=f"2026-03-0{number}", tags="shift work",
                   body=f"The first paragraph of story {number}.\n\nA second paragraph.\n")
    return site


def titles_on(html: str) -> list[str]:
    return re.findall(r'class="card-title"><a href="[^"]*">([^<]*)</a>', html)


def test_a_tag_page_is_paginated_like_the_home_page(make_site):
    site = five_stories(make_site)
    run = site.build()
    assert run.code == 0, run.err

    first, second, third = (site.page(f"tags/shift-work/{p}") for p in ("", "page/2/", "page/3/"))
    assert titles_on(first) == ["Story number 5", "Story number 4"]
    assert titles_on(second) == ["Story number 3", "Story number 2"]
    assert titles_on(third) == ["Story number 1"]
    assert not (site.out / "tags/shift-work/page/4").exists()
    # every page counts all the tag's stories, and links to its neighbours
    for html in (first, second, third):
        assert "5 stories" in html
    assert 'rel="next" href="../../tags/shift-work/page/2/"' in first
    assert 'rel="prev"' not in first
    assert 'rel="prev" href="../../../../tags/shift-work/"' in second
    assert 'rel="next" href="../../../../tags/shift-work/page/3/"' in second
    assert 'rel="next"' not in third and 'rel="prev"' in third
    assert "<title>shift work: page 2 ·" in second
    # a page after the first says which it is; the first does not
    assert '<h2 class="section-title">Stories, page 2</h2>' in second
    assert 'class="section-title"' not in first
    sitemap = (site.out / "sitemap.xml").read_text(encoding="utf-8")
    for page in ("tags/shift-work/", "tags/shift-work/page/2/", "tags/shift-work/page/3/"):
        assert f"<loc>https://careers.testco.example/stories/{page}</loc>" in sitemap
    # a team page too (Ana's team), and the home page as before
    assert titles_on(site.page("teams/operations/page/3/")) == ["Story number 1"]
    assert titles_on(site.page("page/2/")) == ["Story number 3", "Story number 2"]


def test_a_tag_with_one_page_of_stories_has_no_pagination(make_site):
    site = five_stories(make_site, per_page=10)
    assert site.build().code == 0
    html = site.page("tags/shift-work/")
    assert len(titles_on(html)) == 5 and 'class="pagination"' not in html
    assert not (site.out / "tags/shift-work/page").exists()


LISTS = ["index.html", "page/2/index.html", "tags/shift-work/page/2/index.html",
         "teams/operations/page/2/index.html", "people/ana/index.html"]


def test_an_edit_no_card_shows_renders_no_list_again(make_site, monkeypatch,
                                                      trust_new_files):
    site = five_stories(make_site)
    assert build_here(site) == 0
    added = handed_to_the_writer(monkeypatch)
    edit(site, STORY_3, "A second paragraph.", "A second paragraph, edited.")

    assert build_here(site) == 0

    assert "stories/story-3/index.html" in added
    for kept in LISTS + ["stories/story-4/index.html", "stories/story-2/index.html"]:
        assert kept not in added, kept            # its card, neighbour link and related box


def test_a_title_edit_renders_every_list_that_shows_it_again(make_site, monkeypatch,
                                                              trust_new_files):
    site = five_stories(make_site)
    assert build_here(site) == 0
    added = handed_to_the_writer(monkeypatch)
    edit(site, STORY_3, "Story number 3", "Story number three")

    assert build_here(site) == 0

    for page in LISTS[1:] + ["stories/story-4/index.html", "stories/story-2/index.html"]:
        assert page in added, page
        assert "Story number three" in (site.out / page).read_text(encoding="utf-8"), page
    assert "index.html" not in added              # the first home page does not list it
    assert "tags/shift-work/index.html" not in added
