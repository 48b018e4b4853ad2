"""`new` and `new-person`: a writer starts a story or a profile, and it checks clean."""

from __future__ import annotations


def test_new_story_is_a_commented_draft_that_checks_and_previews(make_site):
    site = make_site(stories={})
    run = site.run("new", "My first week: Über café", "--author", "ana",
                   "--tags", "onboarding, night shift")
    assert run.code == 0, run.err
    assert run.out.splitlines() == [
        "Created stories/2026-11-23-my-first-week-uber-cafe.md",
        "Next: write your story in it (the comments say what each line is for), then "
        "preview it:",
        "  python build.py serve",
        "  and open http://127.0.0.1:8000/stories/my-first-week-uber-cafe/ (it reloads as you "
        "save)",
        "When it is ready, set 'draft: false' and open a pull request.",
    ]
    text = (site.root / "stories/2026-11-23-my-first-week-uber-cafe.md").read_text()
    lines = text.splitlines()
    for field in ("title: \"My first week: Über café\"", "author: ana", "date: 2026-11-23",
                  "summary: \"\"", "quote: \"\"", "question: \"\"",
                  "tags: [\"onboarding\", \"night shift\"]", "image: \"\"", "image_alt: \"\"",
                  "share:", "draft: true"):
        index = lines.index(field)
        assert lines[index - 1].startswith("# "), f"no comment above {field}"

    check = site.run("check")
    assert (check.code, check.out, check.lines) == (0, "", ["No problems found."])
    assert not site.out.exists()

    assert site.build("--drafts").code == 0
    page = site.page("stories/my-first-week-uber-cafe/")
    assert "My first week: Über café" in page and "Draft: not published" in page
    assert site.build().code == 0
    assert not (site.out / "stories/my-first-week-uber-cafe").exists()


def test_new_picks_the_only_person_and_refuses_to_overwrite(make_site):
    site = make_site(stories={})
    first = site.run("new", "Night shift")
    assert first.code == 0
    path = site.root / "stories/2026-11-23-night-shift.md"
    assert "author: ana\n" in path.read_text()
    path.write_text(path.read_text().replace("Start with a moment", "My own words"))

    again = site.run("new", "Night shift")
    assert again.code == 2
    assert again.lines == ["error: stories/2026-11-23-night-shift.md already exists; open it, "
                           "or choose another title"]
    assert "My own words" in path.read_text()


def test_new_refuses_a_title_whose_address_another_story_uses(make_site):
    site = make_site()          # stories/2026-02-10-night-shift.md
    run = site.run("new", "Night Shift!", "--author", "ana")
    assert run.code == 2
    assert run.lines == ["error: stories/2026-02-10-night-shift.md already uses the address "
                         "stories/night-shift/; choose another title"]


def test_new_refuses_an_unknown_author_and_lists_the_known_ones(make_site):
    site = make_site(people={"ana": "name: Ana\nrole: Lead\n", "bo": "name: Bo\nrole: Dev\n"})
    run = site.run("new", "Hello", "--author", "anna")
    assert run.code == 2
    assert run.lines == ["error: unknown author 'anna': there is no people/anna.yaml; "
                         "known: ana, bo"]
    missing = site.run("new", "Hello")
    assert missing.lines == ["error: say who writes it: --author ID, one of: ana, bo"]
    assert not list((site.root / "stories").glob("*hello*"))


def test_new_person_then_a_story_by_them_passes_check(make_site):
    site = make_site(site=None)
    run = site.run("new-person", "bo-berg", "--role", "Driver", "--consent")
    assert run.code == 0, run.err
    assert run.out.splitlines() == [
        "Created people/bo-berg.yaml",
        "Next: fill in the name and role (both required) and anything else you like, then "
        "start a story:",
        "  python build.py new \"My first story\" --author bo-berg",
    ]
    text = (site.root / "people/bo-berg.yaml").read_text()
    assert "name: \"Bo Berg\"\n" in text and "role: \"Driver\"\n" in text
    assert "consent: 2026-11-23\n" in text
    assert site.run("new", "First day", "--author", "bo-berg").code == 0
    check = site.run("check", "--drafts")
    assert (check.code, check.lines) == (0, ["No problems found."])

    again = site.run("new-person", "bo-berg")
    assert (again.code, again.lines) == (2, ["error: people/bo-berg.yaml already exists; "
                                             "edit it instead"])
    bad = site.run("new-person", "Bo Berg")
    assert bad.lines == ["error: 'Bo Berg' cannot be an id: use lowercase letters, digits and "
                         "dashes, like 'bo-berg'"]


def test_new_person_without_a_role_tells_what_is_missing(make_site):
    site = make_site()
    assert site.run("new-person", "cy").code == 0
    check = site.run("check")
    assert check.code == 1
    assert check.out.splitlines() == [
        "people/cy.yaml:4: error: 'role' is empty (their job title)"]
