"""A rebuild reads from the store only the posts that what it makes again shows: at ten
thousand stories every story's posts are some 400 MB."""

from __future__ import annotations

from firsthand.output.store import FOLDER, Store
from rebuilds import build_here, calls_noted, edit


def four_stories(make_site):
    site = make_site(stories={})
    site.person("ana")
    for number in range(1, 5):
        site.story(f"2026-03-0{number}-story-{number}.md", title=f"Story number {number}",
                   date=f"2026-03-0{number}", tags="shift work",
                   body=f"The first paragraph of story {number}.\n\nA second paragraph.\n")
    return site


def posts_read(monkeypatch) -> list[str]:
    """The names of the posts a build reads from the store."""
    return calls_noted(monkeypatch, Store, "get",
                       lambda store, kind, name: name if kind == "snippets" else None)


def test_a_body_edit_reads_the_posts_of_that_story_only(make_site, monkeypatch,
                                                        trust_new_files):
    site = four_stories(make_site)
    assert build_here(site) == 0
    read = posts_read(monkeypatch)
    edit(site, "stories/2026-03-02-story-2.md", "A second paragraph.",
         "A second paragraph, edited.")

    assert build_here(site) == 0

    assert len(read) == 1                  # its share kit, rendered again
    assert "edited" in site.page("stories/story-2/")


def test_damaged_posts_in_the_store_are_composed_again(make_site, trust_new_files):
    site = four_stories(make_site)
    assert build_here(site) == 0
    cold = site.snapshot()
    for entry in (site.root / FOLDER).glob("v*/snippets/*/*"):
        entry.write_bytes(b"damaged")
    # a template edit renders every share kit again, reading every story's posts
    kit = site.root / "templates/share.html"
    kit.parent.mkdir(exist_ok=True)
    kit.write_text('{% extends "base.html" %}{% block main %}{% for name, found in '
                   'snippets.items() %}<p>{{ found[0].text }}</p>{% endfor %}'
                   '{% endblock %}\n', encoding="utf-8")

    assert build_here(site) == 0

    html = site.page("stories/story-3/share/")
    assert "Story number 3" in html and "<p>" in html
    assert site.snapshot()["snippets.json"] == cold["snippets.json"]
