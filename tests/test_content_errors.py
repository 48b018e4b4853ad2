"""Bad input: one plain diagnostic with file and line each, exit 1, the old site untouched."""

from __future__ import annotations

import os

import pytest

GOOD = '---\ntitle: "Fine"\nauthor: ana\ndate: 2026-01-01\n---\nText.\n'

CASES = {
    "title-is-a-boolean": (
        '---\ntitle: no\nauthor: ana\ndate: 2026-01-01\n---\n',
        "stories/s.md:2: error: 'title' must be text, got a yes/no value (no); "
        "put it in double quotes if it is text"),
    "missing-title": (
        '---\nauthor: ana\ndate: 2026-01-01\n---\n',
        "stories/s.md:2: error: 'title' is missing; it is required (the story's headline)"),
    "unknown-author": (
        '---\ntitle: "T"\nauthor: anna\ndate: 2026-01-01\n---\n',
        "stories/s.md:3: error: unknown author 'anna': there is no people/anna.yaml; "
        "did you mean 'ana'?"),
    "impossible-date": (
        '---\ntitle: "T"\nauthor: ana\ndate: 2026-02-30\n---\n',
        "stories/s.md:4: error: 'date' is not a real date: \"2026-02-30\""),
    "wrong-date-format": (
        '---\ntitle: "T"\nauthor: ana\ndate: 10.2.2026\n---\n',
        "stories/s.md:4: error: 'date' must be YYYY-MM-DD, got \"10.2.2026\""),
    "unclosed-front-matter": (
        '---\ntitle: "T"\nauthor: ana\n',
        "stories/s.md:1: error: the front matter is never closed; "
        "did you forget the closing '---'?"),
    "unclosed-front-matter-before-the-text": (
        '---\ntitle: "T"\nauthor: ana\ndate: 2026-01-01\n\nIt was five in the morning.\n',
        "stories/s.md:6: error: the front matter is never closed; put a line with '---' "
        "above this one, after the last 'key: value' line"),
    "unclosed-double-quote": (
        '---\nauthor: ana\ntitle: "Night shift\ndate: 2026-01-01\nsummary: "Why"\n---\n',
        "stories/s.md:3: error: the double quote (\") that starts this value is never closed; "
        "end the value with \" on this line"),
    "unclosed-single-quote": (
        "---\ntitle: 'Night shift\nauthor: ana\ndate: 2026-01-01\n---\n",
        "stories/s.md:2: error: the single quote (') that starts this value is never closed; "
        "end the value with ' on this line"),
    "apostrophe-in-single-quotes": (
        "---\nauthor: ana\ntitle: 'I'm on nights'\ndate: 2026-01-01\n---\n",
        "stories/s.md:3: error: an apostrophe inside this value ends it early, because the "
        "value starts with a single quote; put the value in double quotes instead: "
        "title: \"I'm on nights\""),
    "double-quote-in-double-quotes": (
        '---\nauthor: ana\ndate: 2026-01-01\ntitle: "She said "go" to me"\n---\n',
        "stories/s.md:4: error: a double quote inside this value ends it early; put the value "
        "in single quotes, or write \\\" for each quote inside: title: 'She said \"go\" to me'"),
    "colon-in-a-later-value": (
        '---\ntitle: "T"\nauthor: ana\nsummary: Why: because\ndate: 2026-01-01\n---\n',
        "stories/s.md:4: error: this value contains ': ', which YAML reads as the start of a "
        "new key; put the value in double quotes: summary: \"Why: because\""),
    "key-indented-too-far": (
        '---\ntitle: "T"\n  author: ana\ndate: 2026-01-01\n---\n',
        "stories/s.md:3: error: this line is indented more than the line above it, so "
        "'author' cannot start here; keys that belong together start in the same column"),
    "indentation-matching-nothing": (
        '---\ntitle: "T"\nauthor: ana\ndate: 2026-01-01\nshare:\n    x: "A"\n  linkedin: "B"\n---\n',
        "stories/s.md:7: error: this line is indented 2 spaces, which lines it up with no "
        "line above; use 4 spaces to keep it with the lines just above, or 0 for a key "
        "of its own"),
    "list-item-without-a-dash": (
        '---\ntitle: "T"\nauthor: ana\ndate: 2026-01-01\ntags:\n  - nights\n  docks\n---\n',
        "stories/s.md:7: error: this line is in a list but has no dash; "
        "write it as '  - docks'"),
    "key-without-a-colon": (
        '---\ntitle: "T"\nauthor ana\ndate: 2026-01-01\n---\n',
        "stories/s.md:3: error: this line has no ':' after its key; write it as 'author: ana'"),
    "list-never-closed": (
        '---\ntitle: "T"\ntags: [nights, docks\nauthor: ana\ndate: 2026-01-01\n---\n',
        "stories/s.md:3: error: the list that starts with '[' is never closed; "
        "end it with ']' on this line"),
    "value-starting-with-at": (
        '---\ntitle: @ana on nights\nauthor: ana\ndate: 2026-01-01\n---\n',
        "stories/s.md:2: error: a value cannot start with '@'; put it in double quotes: "
        "title: \"@ana on nights\""),
    "block-text-not-indented": (
        '---\ntitle: "T"\nauthor: ana\ndate: 2026-01-01\nsummary: |\nTwo lines\n---\n',
        "stories/s.md:6: error: the text after 'summary: |' must be indented; put 2 spaces "
        "before this line"),
    "tab-in-a-list": (
        '---\ntitle: "T"\nauthor: ana\ndate: 2026-01-01\ntags:\n\t- nights\n---\n',
        "stories/s.md:6: error: a tab is used for indentation; YAML needs spaces"),
    "picture-beside-a-one-file-story": (
        '---\ntitle: "T"\nauthor: ana\ndate: 2026-01-01\n---\nThe dock.\n\n'
        '![The dock at dawn](dock.jpg)\n',
        "stories/s.md:8: error: the picture \"dock.jpg\" beside a one-file story is not "
        "published: pictures need the bundle form. Move stories/s.md to stories/s/index.md "
        "and put dock.jpg in stories/s/"),
    "no-front-matter": (
        'Just text.\n',
        "stories/s.md:1: error: a story must start with front matter between two '---' lines "
        "(title, author, date)"),
    "tab-indent": (
        '---\ntitle: "T"\n\tauthor: ana\ndate: 2026-01-01\n---\n',
        "stories/s.md:3: error: a tab is used for indentation; YAML needs spaces"),
    "duplicate-key": (
        '---\ntitle: "T"\nauthor: ana\ntitle: "U"\ndate: 2026-01-01\n---\n',
        "stories/s.md:4: error: 'title' is set twice (first on line 2); keep one"),
    "yaml-tag": (
        '---\ntitle: !!python/object:os.system "T"\nauthor: ana\ndate: 2026-01-01\n---\n',
        "stories/s.md:2: error: YAML tags (!!python/object:os.system) are not allowed; "
        "remove the tag, or quote the value"),
    "yaml-anchor": (
        '---\ntitle: &t "T"\nauthor: ana\ndate: 2026-01-01\n---\n',
        "stories/s.md:2: error: YAML anchors (&t) are not allowed; write the value out"),
    "list-not-mapping": (
        '---\n- title\n- author\n---\n',
        "stories/s.md:2: error: expected 'key: value' lines, but this is a list"),
    "unquoted-colon": (
        '---\ntitle: Night: shift\nauthor: ana\ndate: 2026-01-01\n---\n',
        "stories/s.md:2: error: this value contains ': ', which YAML reads as the start of a "
        "new key; put the value in double quotes: title: \"Night: shift\""),
    "tags-not-a-list": (
        '---\ntitle: "T"\nauthor: ana\ndate: 2026-01-01\ntags: shift work\n---\n',
        "stories/s.md:5: error: 'tags' must be a list, like tags: [one, two]; got \"shift work\""),
    "bad-slug": (
        '---\ntitle: "T"\nauthor: ana\ndate: 2026-01-01\nslug: Night Shift\n---\n',
        "stories/s.md:5: error: 'slug' may only hold lowercase a-z, 0-9 and dashes, "
        "got \"Night Shift\"; try \"night-shift\""),
    "bidi-in-title": (
        '---\ntitle: "abc\u202edef"\nauthor: ana\ndate: 2026-01-01\n---\n',
        "stories/s.md:2: error: 'title' contains an invisible direction-control character "
        "(U+202E) that can make it read differently; remove it"),
    "missing-image": (
        '---\ntitle: "T"\nauthor: ana\ndate: 2026-01-01\nimage: gone.jpg\nimage_alt: "x"\n---\n',
        "stories/s.md:5: error: 'image' file not found: \"gone.jpg\" (looked in stories/)"),
    "image-outside": (
        '---\ntitle: "T"\nauthor: ana\ndate: 2026-01-01\nimage: ../../../etc/hosts\n'
        'image_alt: "x"\n---\n',
        "stories/s.md:5: error: 'image' points outside the site's folder "
        "(\"../../../etc/hosts\")"),
    "image-absolute-outside": (
        '---\ntitle: "T"\nauthor: ana\ndate: 2026-01-01\nimage: /../etc/hosts\n'
        'image_alt: "x"\n---\n',
        "stories/s.md:5: error: 'image' points outside the site's folder (\"/../etc/hosts\")"),
    "deep-brackets": (
        '---\ntitle: "T"\nauthor: ana\ndate: 2026-01-01\n---\nfine\n\n' + "[" * 3000 + "x\n",
        "stories/s.md:8: error: '[' is nested 3000 levels deep in one paragraph; "
        "at most 32 are allowed"),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_story_gives_one_exact_diagnostic(make_site, name):
    text, expected = CASES[name]
    site = make_site(stories={"s.md": text})
    run = site.build()
    assert run.code == 1
    errors = [line for line in run.lines if ": error: " in line]
    assert errors == [expected]


def test_all_problems_in_one_run_sorted_by_file_and_line(make_site):
    site = make_site(stories={
        "b.md": '---\ntitle: no\nauthor: bob\ndate: 2026-13-01\n---\n',
        "a.md": '---\ntitle: "T"\nauthr: ana\ndate: 2026-01-01\n---\n',
    })
    run = site.build()
    assert run.code == 1
    assert run.lines[:5] == [
        "stories/a.md:2: error: 'author' is missing; it is required "
        "(the id of a file in people/)",
        "stories/a.md:3: error: unknown key 'authr'; did you mean 'author'?",
        "stories/b.md:2: error: 'title' must be text, got a yes/no value (no); "
        "put it in double quotes if it is text",
        "stories/b.md:3: error: unknown author 'bob': there is no people/bob.yaml (known: ana)",
        "stories/b.md:4: error: 'date' is not a real date: \"2026-13-01\"",
    ]
    assert run.lines[-1].startswith("Build failed: 5 errors, 0 warnings.")


@pytest.mark.parametrize("key, meant", [("sumary", "summary"), ("tag", "tags"),
                                        ("Title", "title"), ("image-alt", "image_alt")])
def test_a_near_miss_of_a_known_key_is_an_error(make_site, key, meant):
    site = make_site(stories={"2026-01-01-s.md": GOOD.replace("---\nText", f"{key}: hi\n---\nText")})
    run = site.build()
    assert run.code == 1
    assert run.lines[0] == (f"stories/2026-01-01-s.md:5: error: unknown key '{key}'; "
                            f"did you mean '{meant}'?")


def test_an_unknown_key_far_from_any_is_a_warning(make_site):
    site = make_site(stories={"2026-01-01-s.md": GOOD.replace("---\nText", "mood: calm\n---\nText")})
    run = site.build()
    assert run.code == 0, run.err
    assert run.lines[0].startswith("stories/2026-01-01-s.md:5: warning: unknown key 'mood' "
                                   "(known keys: title, author, date,")


def test_near_miss_in_site_and_person(make_site):
    site = make_site(people={"ana": "name: Ana\nrole: Lead\nphotos: a.jpg\n"},
                     site="title: T\ncompany: C\nbase_url: https://c.example/\n"
                          "social:\n  hashtag: [Testco]\n")
    run = site.build()
    assert run.code == 1
    assert run.lines[:2] == [
        "people/ana.yaml:3: error: unknown key 'photos'; did you mean 'photo'?",
        "site.yaml:5: error: unknown key 'social.hashtag'; did you mean 'social.hashtags'?",
    ]


def test_bom_and_crlf_are_accepted(make_site):
    site = make_site(stories={})
    site.write_bytes("stories/2026-01-01-crlf.md",
                     b"\xef\xbb\xbf" + GOOD.replace("\n", "\r\n").encode())
    run = site.build()
    assert run.code == 0, run.err
    assert "<h1>Fine</h1>" in site.page("stories/crlf/")


def test_duplicate_slug_is_reported_on_the_newer_story_whatever_the_file_order(make_site):
    older = GOOD.replace("date: 2026-01-01", "date: 2025-06-01\nslug: same")
    site = make_site(stories={"2026-01-01-same.md": GOOD, "2025-06-01-a-story.md": older})
    run = site.build()
    assert run.code == 1
    assert [line for line in run.lines if ": error: " in line] == [
        "stories/2026-01-01-same.md:1: error: slug 'same' is already used by "
        "stories/2025-06-01-a-story.md; set a different 'slug:'"]


def test_duplicate_slug_on_one_day_is_reported_on_the_later_path(make_site):
    site = make_site(stories={"b/index.md": GOOD.replace("---\nText", "slug: same\n---\nText"),
                              "2026-01-01-same.md": GOOD})
    run = site.build()
    assert run.code == 1
    assert [line for line in run.lines if ": error: " in line] == [
        "stories/b/index.md:5: error: slug 'same' is already used by "
        "stories/2026-01-01-same.md; set a different 'slug:'"]


def test_duplicate_slugs(make_site):
    site = make_site(stories={"2026-01-01-same.md": GOOD, "2026-02-01-other.md":
                              GOOD.replace("date: 2026-01-01", "date: 2026-02-01\nslug: same")})
    run = site.build()
    assert run.code == 1
    assert ("stories/2026-02-01-other.md:5: error: slug 'same' is already used by "
            "stories/2026-01-01-same.md; set a different 'slug:'") in run.lines


def test_image_without_alt_text(make_site):
    from sites import jpeg_with_gps
    site = make_site(stories={"2026-01-01-s.md": GOOD.replace("---\nText",
                                                              "image: p.jpg\n---\nText")})
    site.write_bytes("stories/p.jpg", jpeg_with_gps())
    run = site.build()
    assert run.code == 1
    assert ("stories/2026-01-01-s.md:5: error: 'image' is set but 'image_alt' is missing: "
            "describe the picture for people who cannot see it") in run.lines


def test_symlinked_story_and_image_are_refused(make_site, tmp_path):
    secret = tmp_path / "secret.md"
    secret.write_text(GOOD)
    site = make_site(stories={})
    (site.root / "stories").mkdir()
    os.symlink(secret, site.root / "stories" / "2026-01-01-link.md")
    run = site.build()
    assert run.code == 1
    assert run.lines[0] == ("stories/2026-01-01-link.md:1: error: symbolic links are not "
                            "allowed; copy the file here instead")


def test_huge_story_is_refused_quickly(make_site):
    site = make_site(stories={"2026-01-01-big.md": GOOD + "word " * 400_000})
    run = site.build()
    assert run.code == 1
    assert run.lines[0].startswith("stories/2026-01-01-big.md:1: error: the file is 1,953 KB; "
                                   "the limit is 512 KB")


def test_person_and_site_errors(make_site):
    site = make_site(people={"ana": "name: Ana\nrole: [a, b]\nphoto: ana.jpg\n"},
                     site="title: T\ncompany: C\nbase_url: careers.example\nper_page: 0\n")
    run = site.build()
    assert run.code == 1
    assert run.lines[:5] == [
        "people/ana.yaml:2: error: 'role' must be text, got a list",
        "people/ana.yaml:3: error: 'photo' file not found: \"ana.jpg\" (looked in people/)",
        "site.yaml:3: error: 'base_url' must be an absolute http(s) URL, got \"careers.example\"",
        "site.yaml:4: error: 'per_page' must be a whole number of at least 1, got a number (0)",
        "Build failed: 4 errors, 0 warnings. " + str(site.out) + " was left as it was.",
    ]


def test_github_format(make_site):
    site = make_site(stories={"s.md": '---\ntitle: no\nauthor: ana\ndate: 2026-01-01\n---\n'})
    run = site.run("check", "--format", "github")
    assert run.code == 1
    assert run.out.strip() == ("::error file=stories/s.md,line=2::'title' must be text, got a "
                               "yes/no value (no); put it in double quotes if it is text")


def test_failed_build_leaves_the_previous_site_exactly_as_it_was(make_site):
    site = make_site()
    assert site.build().code == 0
    before = site.snapshot()
    mtimes = {p: p.stat().st_mtime_ns for p in site.out.rglob("*")}
    site.story("2026-03-01-broken.md", date="2026-02-31")
    assert site.build().code == 1
    assert site.snapshot() == before
    assert {p: p.stat().st_mtime_ns for p in site.out.rglob("*")} == mtimes
    assert [p.name for p in site.out.parent.iterdir() if p.name.startswith(".site")] == []


def test_usage_errors_exit_2(make_site):
    site = make_site()
    assert site.run("build", "--bogus").code == 2
    run = site.run("build", "--out", str(site.root))
    assert run.code == 2 and "would overwrite the site's own files" in run.err


RULES = ("title: T\ncompany: C\nbase_url: https://c.example/\n"
         "guidelines:\n  banned_terms: [Project Heron]\n  max_title_length: 10\n")


@pytest.mark.parametrize("front, first_error", [
    ('title: "T"\nauthor: bob\ndate: 2026-01-01\n',
     "stories/s.md:3: error: unknown author 'bob': there is no people/bob.yaml (known: ana)"),
    ('title: "T"\nauthor: ana\ndate: 2026-31-01\n',
     "stories/s.md:4: error: 'date' is not a real date: \"2026-31-01\""),
    ('title: "T\nauthor: ana\ndate: 2026-01-01\n', None),
    ('title: "T"\nauthor: ana\ndate: 2026-01-01\nslug: Bad Slug\n',
     "stories/s.md:5: error: 'slug' may only hold lowercase a-z, 0-9 and dashes, "
     "got \"Bad Slug\"; try \"bad-slug\""),
])
def test_no_error_hides_the_other_problems_of_a_story(make_site, front, first_error):
    body = "Our work on Project Heron.\n\n![](/static/dock.jpg)\n"
    site = make_site(site=RULES, stories={"s.md": f"---\n{front}---\n{body}"})
    run = site.build()
    assert run.code == 1
    errors = [line for line in run.lines if ": error: " in line]
    line = front.count("\n") + 3
    assert errors[-2:] == [
        f'stories/s.md:{line}: error: "Project Heron" in the story is a banned term '
        "(guidelines: 'Project Heron'); remove or reword it before publishing",
        f"stories/s.md:{line + 2}: error: a picture has no description; write what it shows "
        "between the brackets: ![Ana on the dock at dawn](photo.jpg)"]
    if first_error:
        assert errors[0] == first_error
        assert len(errors) == 3


def test_a_long_title_is_reported_beside_an_unknown_author(make_site):
    site = make_site(site=RULES, stories={
        "s.md": '---\ntitle: "A title far too long"\nauthor: bob\ndate: 2026-01-01\n---\nHi.\n'})
    run = site.build()
    assert [line for line in run.lines if ": error: " in line] == [
        "stories/s.md:2: error: the title has 20 characters; the guidelines allow at most 10",
        "stories/s.md:3: error: unknown author 'bob': there is no people/bob.yaml (known: ana)"]
