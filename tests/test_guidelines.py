"""Guidelines as code: the site owner's rules, enforced with file and line."""

from __future__ import annotations

from sites import SITE_YAML, jpeg_with_gps


def with_rules(rules: str) -> str:
    return SITE_YAML + "guidelines:\n" + "".join(f"  {line}\n" for line in rules.splitlines())


def test_banned_terms_are_found_anywhere_as_whole_words_with_their_line(make_site):
    site = make_site(site=with_rules('banned_terms: ["Project Heron", "Acme( Corp)?"]'))
    site.story("2026-02-10-night-shift.md", title="Inside PROJECT HERON", tags="acme, dock",
               body="A heronry is fine, and so is Acmeville.\n\nWe met acme corp today "
                    "on Project\nHeron.",
               extra='quote: "Heron? No: project  heron is not it."\n')
    run = site.run("check")
    assert run.code == 1
    assert run.out.splitlines() == [
        "stories/2026-02-10-night-shift.md:2: error: \"project heron\" in 'quote' is a banned "
        "term (guidelines: 'Project Heron'); remove or reword it before publishing",
        "stories/2026-02-10-night-shift.md:3: error: \"PROJECT HERON\" in 'title' is a banned "
        "term (guidelines: 'Project Heron'); remove or reword it before publishing",
        "stories/2026-02-10-night-shift.md:6: error: \"acme\" in 'tags' is a banned term "
        "(guidelines: 'Acme( Corp)?'); remove or reword it before publishing",
        "stories/2026-02-10-night-shift.md:10: error: \"Project Heron\" in the story is a "
        "banned term (guidelines: 'Project Heron'); remove or reword it before publishing",
        "stories/2026-02-10-night-shift.md:10: error: \"acme corp\" in the story is a banned term "
        "(guidelines: 'Acme( Corp)?'); remove or reword it before publishing",
    ]
    assert site.build().code == 1
    assert not site.out.exists()


def test_title_length_and_word_counts(make_site):
    site = make_site(site=with_rules("max_title_length: 10\nmin_words: 3\nmax_words: 5"))
    site.story("2026-02-10-night-shift.md", title="Short", body="Two words.")
    site.story("2026-03-01-long.md", title="Far too long a title", body="One two three four five six.")
    site.story("2026-03-02-draft.md", title="Draft", body="Draft.", extra="draft: true\n")
    run = site.run("check")
    assert run.code == 1
    assert run.out.splitlines() == [
        "stories/2026-02-10-night-shift.md:7: error: the story has 2 words; the guidelines ask "
        "for at least 3",
        "stories/2026-03-01-long.md:2: error: the title has 20 characters; the guidelines allow "
        "at most 10",
        "stories/2026-03-01-long.md:7: error: the story has 6 words; the guidelines allow at "
        "most 5",
    ]


def test_require_image_alt_false_allows_a_picture_without_description(make_site):
    site = make_site()
    site.write_bytes("stories/dock.jpg", jpeg_with_gps())
    site.story("2026-02-10-night-shift.md", extra="image: dock.jpg\n")
    run = site.run("check")
    assert run.code == 1
    assert run.out.splitlines() == [
        "stories/2026-02-10-night-shift.md:2: error: 'image' is set but 'image_alt' is "
        "missing: describe the picture for people who cannot see it"]
    site.write("site.yaml", with_rules("require_image_alt: false"))
    assert site.run("check").code == 0
    assert site.build().code == 0
    assert (site.out / "stories/night-shift/dock.jpg").exists()


def test_old_stories_ask_whether_they_are_still_true(make_site):
    site = make_site(site=with_rules("review_after_days: 365"))
    site.story("2025-01-10-old.md", date="2025-01-10",
               title="Four in the morning on the loading dock, before the trucks")
    site.story("2025-01-11-reviewed.md", date="2025-01-11",
               title="Why we rebuilt the billing system twice in one year",
               extra="reviewed: 2026-06-01\n")
    site.story("2025-01-12-updated.md", date="2025-01-12",
               title="My first year selling heat pumps in Lisbon",
               extra="updated: 2025-06-01\n")
    run = site.run("check")
    assert run.code == 0
    assert run.out.splitlines() == [
        "stories/2025-01-10-old.md:4: warning: is this still true? The story was last checked "
        "on 2025-01-10, 682 days ago (guidelines: review every 365 days); ask ana and add "
        "'reviewed: 2026-11-23'",
        "stories/2025-01-12-updated.md:2: warning: is this still true? The story was last "
        "checked on 2025-06-01, 540 days ago (guidelines: review every 365 days); ask ana and "
        "add 'reviewed: 2026-11-23'",
    ]
    assert site.build().code == 0


def test_consent_is_required_and_expires(make_site):
    site = make_site(site=with_rules("consent: true\nconsent_valid_days: 30"), people={})
    site.person("ana", extra="consent: 2026-11-01\n")
    site.person("bo", name="Bo Berg", extra="consent: 2026-09-01\n")
    site.person("cy", name="Cy Dahl")
    site.person("di", name="Di Eck", extra="active: false\n")
    site.story("2026-02-11-bo.md", title="Bo's story", author="bo")
    run = site.run("check")
    assert run.code == 1
    assert run.out.splitlines() == [
        "people/bo.yaml:6: error: consent given on 2026-09-01 is older than 30 days; ask Bo "
        "Berg again and update 'consent'; their stories are not published until then",
        "people/cy.yaml:1: error: 'consent' is missing: the guidelines ask for the day Cy Dahl "
        "agreed to be published, like consent: 2026-11-23; their stories are not published "
        "until it is set",
    ]
    assert site.build().code == 1


def test_stories_of_people_without_valid_consent_are_unpublished(make_site):
    from firsthand.build import generate
    from sites import today

    site = make_site(site=with_rules("consent: true\nconsent_valid_days: 30"), people={})
    site.person("ana", extra="consent: 2026-11-01\n")
    site.person("bo", name="Bo Berg", extra="consent: 2026-09-01\n")
    site.story("2026-02-11-bo.md", title="Bo's story", author="bo")
    result = generate(site.root, on=today())
    assert [e.slug for e in result.library.entries] == ["night-shift"]
    assert [p.id for p in result.library.profiles] == ["ana"]
    renewed = generate(site.root, on=today().replace(month=9, day=15))
    assert [e.slug for e in renewed.library.entries] == ["night-shift", "bo"]


def test_people_who_left_are_unpublished_everywhere(make_site):
    site = make_site()
    site.person("bo", name="Bo Berg", extra="active: false\n")
    site.story("2026-03-01-bo.md", title="Bo on the dock", author="bo")
    run = site.build()
    assert run.code == 0
    files = site.snapshot()
    assert not any("people/bo" in path or "stories/bo" in path for path in files)
    assert not any(b"Bo Berg" in data or b"Bo on the dock" in data for data in files.values())


def test_banned_terms_in_a_profile(make_site):
    site = make_site(site=with_rules('banned_terms: ["Project Heron"]'))
    site.person("ana", extra='bio: "Leads Project Heron."\n')
    run = site.run("check")
    assert (run.code, run.out.splitlines()) == (1, [
        "people/ana.yaml:6: error: \"Project Heron\" in 'bio' is a banned term (guidelines: "
        "'Project Heron'); remove or reword it before publishing"])


def test_an_invalid_banned_pattern_is_reported_once_on_its_line(make_site):
    site = make_site(site=with_rules('banned_terms: ["Heron(", "Kite"]'))
    site.story("2026-02-10-night-shift.md", body="A kite.")
    run = site.run("check")
    assert run.code == 1
    assert run.out.splitlines() == [
        "site.yaml:13: error: banned term 'Heron(' is not a valid pattern: missing ), "
        "unterminated subpattern at position 5",
        "stories/2026-02-10-night-shift.md:7: error: \"kite\" in the story is a banned term "
        "(guidelines: 'Kite'); remove or reword it before publishing",
    ]
