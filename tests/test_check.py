"""`check`: everything the build would find, in three formats, writing nothing."""

from __future__ import annotations

import json

import pytest

from sites import SITE_YAML
from firsthand.pages.links import resolve

BANNED = SITE_YAML + "guidelines:\n  banned_terms: [\"Project Heron\"]\n"


def heron_site(make_site):
    site = make_site(site=BANNED)
    site.story("2026-02-10-night-shift.md", body="First line.\n\nWe shipped project heron early.")
    return site


def test_check_text_lists_each_problem_and_exits_1(make_site):
    site = heron_site(make_site)
    run = site.run("check")
    assert run.code == 1
    assert run.out.splitlines() == [
        "stories/2026-02-10-night-shift.md:9: error: \"project heron\" in the story is a banned "
        "term (guidelines: 'Project Heron'); remove or reword it before publishing"]
    assert run.lines == ["1 error, 0 warnings."]
    assert not site.out.exists()


def test_check_github_prints_workflow_commands(make_site):
    site = heron_site(make_site)
    run = site.run("check", "--format", "github")
    assert run.code == 1
    assert run.out.splitlines() == [
        "::error file=stories/2026-02-10-night-shift.md,line=9::\"project heron\" in the story "
        "is a banned term (guidelines: 'Project Heron'); remove or reword it before publishing"]


def test_check_json_gives_objects_with_codes(make_site):
    site = heron_site(make_site)
    site.story("2026-03-01-lefty.md", title="Lefty", author="bo", body="Hi.")
    run = site.run("check", "--format", "json")
    assert run.code == 1
    assert json.loads(run.out) == [
        {"path": "stories/2026-02-10-night-shift.md", "line": 9, "severity": "error",
         "code": "banned-term",
         "message": "\"project heron\" in the story is a banned term (guidelines: "
                    "'Project Heron'); remove or reword it before publishing"},
        {"path": "stories/2026-03-01-lefty.md", "line": 3, "severity": "error",
         "code": "unknown-author",
         "message": "unknown author 'bo': there is no people/bo.yaml (known: ana)"},
    ]


def test_check_json_of_a_clean_site_is_an_empty_list(make_site):
    run = make_site().run("check", "--format", "json")
    assert (run.code, json.loads(run.out)) == (0, [])


def test_broken_internal_links_point_at_the_story_line(make_site):
    site = make_site()
    site.story("2026-03-01-second.md", title="Second", body=(
        "See [the first](../night-shift/) and [jobs](https://example.org/jobs).\n\n"
        "And [a draft](../coming-soon/), [nothing](../../people/nobody/) and "
        "[outside](/elsewhere/)."))
    site.story("2026-03-02-coming-soon.md", title="Soon", extra="draft: true\n")
    run = site.run("check", "--format", "json")
    assert run.code == 1
    found = [(p["path"], p["line"], p["code"], p["message"]) for p in json.loads(run.out)]
    assert found == [
        ("stories/2026-03-01-second.md", 9, "broken-link",
         "the link \"../../people/nobody/\" leads nowhere in the built site; is the address "
         "right, and is that story published?"),
        ("stories/2026-03-01-second.md", 9, "broken-link",
         "the link \"../coming-soon/\" leads nowhere in the built site; is the address right, "
         "and is that story published?"),
    ]
    drafts = site.run("check", "--drafts", "--format", "json")
    assert [p["message"] for p in json.loads(drafts.out)] == [found[0][3]]


def test_broken_links_in_templates_name_the_page(make_site):
    site = make_site()
    site.write("templates/404.html", """\
        {% extends "base.html" %}
        {% block main %}
        <a href="{{ 'missing/' | url }}">Lost</a> <img src="{{ 'static/style.css' | url }}" alt="">
        {% endblock %}
        """)
    run = site.run("check")
    assert run.code == 1
    lines = run.out.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("404.html:")
    assert lines[0].endswith(": error: the link \"/stories/missing/\" on 404.html leads "
                             "nowhere in the built site")


def test_markdown_images_need_a_description(make_site):
    site = make_site()
    site.write_bytes("static/dock.png", _png())
    site.story("2026-02-10-night-shift.md", body="Look:\n\n![](/static/dock.png)\n\n"
               "![The dock](/static/dock.png)")
    run = site.run("check")
    assert run.code == 1
    assert run.out.splitlines() == [
        "stories/2026-02-10-night-shift.md:9: error: a picture has no description; write what "
        "it shows between the brackets: ![Ana on the dock at dawn](photo.jpg)"]
    site.write("site.yaml", SITE_YAML + "guidelines:\n  require_image_alt: false\n")
    assert site.run("check").code == 0


def _png() -> bytes:
    import io

    from PIL import Image
    out = io.BytesIO()
    Image.new("RGB", (8, 8), (1, 2, 3)).save(out, format="PNG")
    return out.getvalue()


@pytest.mark.parametrize("url, page, target", [
    ("../night-shift/", "stories/x/index.html", "stories/night-shift/index.html"),
    ("../../", "stories/x/index.html", "index.html"),
    ("./", "index.html", "index.html"),
    ("static/style.css?v=2#top", "index.html", "static/style.css"),
    ("/stories/people/", "404.html", "people/index.html"),
    ("/stories", "404.html", "index.html"),
    ("https://careers.testco.example/stories/feed.xml", "index.html", "feed.xml"),
    ("../../../outside/", "stories/x/index.html", "../outside"),
    ("https://careers.testco.example/jobs/", "index.html", None),
    ("/jobs/", "index.html", None),
    ("https://example.org/stories/x/", "index.html", None),
    ("mailto:hr@testco.example", "index.html", None),
    ("#main", "index.html", None),
])
def test_links_resolve_relative_to_their_page_within_the_base_path(url, page, target):
    assert resolve(url, page, "careers.testco.example", "/stories/") == target
