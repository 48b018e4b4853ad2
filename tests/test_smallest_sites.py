"""The smallest valid site of every shape builds: every optional key absent, every section empty."""

from __future__ import annotations

import json

import pytest

SMALLEST = "title: T\ncompany: C\nbase_url: https://c.example/\n"
PERSON = "name: Ana Lindqvist\nrole: Shift Lead\n"
STORY = "---\ntitle: Hello\nauthor: ana\ndate: 2026-01-05\n---\nA first story.\n"
DRAFT = STORY.replace("---\nA first", "draft: true\n---\nA first")
EMPTY_SECTIONS = SMALLEST + """\
description:
language:
social:
guidelines:
extra:
"""
EMPTY_INSIDE = SMALLEST + """\
social:
  platforms: []
  hashtags: []
  handles: {}
  utm: {}
  disclosure: ""
guidelines: {}
extra: {}
"""
PERSON_EMPTY = PERSON + 'team: ""\nlocation:\nhandles:\nphoto: ""\nbio: ""\n'
STORY_EMPTY = ('---\ntitle: Hello\nauthor: ana\ndate: 2026-01-05\nsummary: ""\ntags: []\n'
               'image: ""\nimage_alt: ""\nquote:\nquestion: ""\nshare:\n---\nA first story.\n')

SHAPES = {
    "no stories": (SMALLEST, {"ana": PERSON}, {}),
    "no people, no stories": (SMALLEST, {}, {}),
    "only a draft": (SMALLEST, {"ana": PERSON}, {"2026-01-05-hello.md": DRAFT}),
    "one plain story": (SMALLEST, {"ana": PERSON}, {"2026-01-05-hello.md": STORY}),
    "empty sections": (EMPTY_SECTIONS, {"ana": PERSON_EMPTY}, {"2026-01-05-hello.md": STORY_EMPTY}),
    "empty inside": (EMPTY_INSIDE, {"ana": PERSON_EMPTY}, {"2026-01-05-hello.md": STORY_EMPTY}),
}


@pytest.mark.parametrize("shape", list(SHAPES))
def test_smallest_site_builds(make_site, shape):
    site_yaml, people, stories = SHAPES[shape]
    site = make_site(site=site_yaml, people=people, stories=stories)
    run = site.build()
    assert run.code == 0, run.err
    assert "Traceback" not in run.err
    assert "<title>" in site.page("")
    published = [s for s in stories.values() if "draft: true" not in s]
    listed = json.loads(site.page("snippets.json"))["stories"]
    assert [s["slug"] for s in listed] == ["hello"] * len(published)
    if published:
        assert "A first story." in site.page("stories/hello/")
    check = site.run("check")
    assert check.code == 0, check.err


def test_only_a_draft_is_built_with_drafts(make_site):
    site = make_site(site=SMALLEST, people={"ana": PERSON}, stories={"2026-01-05-hello.md": DRAFT})
    run = site.build("--drafts")
    assert run.code == 0, run.err
    assert "A first story." in site.page("stories/hello/")


def test_company_without_handles_has_no_twitter_site_tag(make_site):
    site = make_site(site=SMALLEST, people={"ana": PERSON}, stories={"2026-01-05-hello.md": STORY})
    assert site.build().code == 0
    assert 'name="twitter:site"' not in site.page("stories/hello/")
    with_handle = SMALLEST + "social:\n  handles: {x: '@testco'}\n"
    site.write("site.yaml", with_handle)
    assert site.build().code == 0
    assert '<meta name="twitter:site" content="@testco">' in site.page("stories/hello/")
