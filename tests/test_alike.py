"""The near-identical check kept between builds warns exactly as a cold check does."""

from __future__ import annotations

import datetime as dt
import hashlib
import tempfile
from dataclasses import replace
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sites import TODAY, today
from firsthand.build import Options, build
from firsthand.content.enrich import make_entry
from firsthand.content.model import Deferred, Person, Site, Social, Story, frozen_map
from firsthand.output import fingerprint
from firsthand.output.digest import Digests
from firsthand.social import alike
from firsthand.social.snippets import COMMON_PAIR, Snippet, near_identical

SITE = Site(title="Life at Testco", company="Testco", base_url="https://careers.testco.example/",
            social=Social(hashtags=("LifeAtTestco",)))
PERSON = Person(id="ana", name="Ana Lindqvist", role="Shift Lead", path="people/ana.yaml")
PLATFORMS = ("linkedin", "x", "mastodon", "bluesky")
FRAMINGS = {"linkedin": "A story from our team:", "x": "New on the blog today,",
            "mastodon": "Read what happened when", "bluesky": "From the people of Testco:"}
# quotes are one of a few sentences with a word or two changed: alike, or not quite
SENTENCES = [
    "the dock at four in the morning is the quietest place I know in the city",
    "every customer asks the same first question in any language we speak here",
    "on call I sleep with the phone near and it rarely rings because the rota is fair",
    "my first week was a blur of names and coffee and kind people who showed me around",
]
TITLES = ["A night on the dock", "My first week", "On call and sleeping anyway",
          "Six months at home", "A night on the docks"]


def quote(sentence: int, changes: tuple[int, ...]) -> str:
    words = SENTENCES[sentence].split()
    for n in changes:
        words[n % len(words)] = f"zz{n}"
    return " ".join(words)


def snippets(path: str, title: str, said: str, platforms: tuple[str, ...]) -> dict:
    """One post of each platform, as near_identical reads them (the first of each)."""
    made = {}
    for name in platforms:
        link = f"https://careers.testco.example/{path}?utm_source={name}"
        text = f"{FRAMINGS[name]} “{said}” {title} #LifeAtTestco\n\n{link}"
        made[name] = (Snippet(name, "author", text, len(text), 500, link, None),)
    return made


def entry(number: int, spec: dict):
    path = f"stories/s{number}.md"
    said = quote(spec["sentence"], spec["changes"])
    story = Story(path=path, slug=f"s{number}", author="ana", title=TITLES[spec["title"]],
                  date=dt.date(2026, 1, 1) + dt.timedelta(days=spec["day"]), body="Hello.",
                  body_line=5, quote=said, lines=frozen_map({"quote": 3, "title": 2}))
    made = make_entry(SITE, story, PERSON, "<p>Hello.</p>", True, (1, "Hello."))
    return replace(made, snippets=snippets(path, story.title, said, spec["platforms"]))


def newest_first(stories: dict) -> list:
    ordered = sorted(stories.items(), key=lambda item: (-item[1]["day"], item[0]))
    return [entry(number, spec) for number, spec in ordered]


SPEC = st.fixed_dictionaries({
    "sentence": st.integers(0, len(SENTENCES) - 1),
    "changes": st.lists(st.integers(0, 20), max_size=3).map(tuple),
    "title": st.integers(0, len(TITLES) - 1),
    "day": st.integers(0, 30),
    "platforms": st.lists(st.sampled_from(PLATFORMS), max_size=4, unique=True).map(tuple),
})
CHANGE = st.one_of(
    st.tuples(st.just("quote"), st.integers(0, 99), st.integers(0, len(SENTENCES) - 1),
              st.lists(st.integers(0, 20), max_size=3).map(tuple)),
    st.tuples(st.just("title"), st.integers(0, 99), st.integers(0, len(TITLES) - 1)),
    st.tuples(st.just("add"), SPEC),
    st.tuples(st.just("delete"), st.integers(0, 99)),
    st.tuples(st.just("date"), st.integers(0, 99), st.integers(0, 30)),
    st.tuples(st.just("platforms"), st.integers(0, 99),
              st.lists(st.sampled_from(PLATFORMS), max_size=4, unique=True).map(tuple)),
)


def changed(stories: dict, change: tuple, added: int) -> dict:
    """The stories (number -> spec) after one change; `added`: the number of a new one."""
    stories = dict(stories)
    kind, *what = change
    if kind == "add":
        stories[added] = what[0]
        return stories
    if not stories:
        return stories
    number = sorted(stories)[what[0] % len(stories)]
    if kind == "delete":
        del stories[number]
    elif kind == "quote":
        stories[number] = {**stories[number], "sentence": what[1], "changes": what[2]}
    else:
        name = {"title": "title", "date": "day", "platforms": "platforms"}[kind]
        stories[number] = {**stories[number], name: what[1]}
    return stories


def by_value(entry) -> bytes:
    """Of the posts in their order (as the store's bytes are: Digests.of a mapping is not)."""
    return hashlib.sha256(repr(list(entry.snippets.items())).encode()).digest()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(first=st.lists(SPEC, max_size=8), changes=st.lists(CHANGE, min_size=1, max_size=8),
       common=st.sampled_from([1, 2, 3, COMMON_PAIR]))
def test_the_kept_check_warns_as_a_cold_check_after_any_changes(first, changes, common):
    stories = dict(enumerate(first))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / alike.FILE
        for step, change in enumerate([None, *changes]):
            if change is not None:
                stories = changed(stories, change, len(first) + step)
            entries = newest_first(stories)
            last = alike.read_kept(path)
            assert (last is None) == (step == 0)
            found, kept = alike.near_identical_kept(SITE, entries, last, by_value, common=common)
            alike.write_kept(path, kept)
            assert found == near_identical(SITE, entries, common=common), (step, change)


def test_stories_alike_once_a_word_pair_is_rare_again_are_found():
    # Three stories say one sentence, two of them with a word changed. With word pairs in
    # more than 2 stories common, the sketches are made of the few pairs around the
    # changed words, and no pair is compared. Once the unchanged story goes, every pair
    # is rare: the two left, whose posts did not change, must be sketched again.
    one = {"sentence": 0, "title": 0, "platforms": ("linkedin",)}
    specs = {0: {**one, "changes": (3,), "day": 0}, 1: {**one, "changes": (), "day": 1},
             2: {**one, "changes": (9,), "day": 2}}
    entries = newest_first(specs)
    found, kept = alike.near_identical_kept(SITE, entries, None, by_value, common=2)
    assert found == near_identical(SITE, entries, common=2) == []
    del specs[1]
    entries = newest_first(specs)
    found, kept = alike.near_identical_kept(SITE, entries, kept, by_value, common=2)
    assert found == near_identical(SITE, entries, common=2)
    assert [(p.path, p.message.split(";")[0]) for p in found] == [
        ("stories/s2.md", "the snippets for LinkedIn are 93% the same as those of "
                          "stories/s0.md")]


def deferred_entries(specs: dict, reads: list, digests: Digests) -> list:
    """The entries with their snippets Deferred, as the build attaches them: a digest
    remembered for each (of the posts, as of the store's bytes), each read noted in `reads`."""
    made = []
    for one in newest_first(specs):
        posts = one.snippets
        later = Deferred(lambda path=one.story.path, posts=posts: reads.append(path) or posts)
        texts = repr([(name, found[0].text) for name, found in posts.items()])
        digests.remember(later, hashlib.sha256(texts.encode()).digest())
        made.append(replace(one, snippets=later))
    return made


def test_the_posts_of_an_unchanged_story_are_not_read_again():
    specs = {n: {"sentence": n % 2, "changes": (n,), "title": n % 5, "day": n,
                 "platforms": PLATFORMS} for n in range(6)}
    digests, reads = Digests(), []
    entries = deferred_entries(specs, reads, digests)
    found, kept = alike.near_identical_kept(SITE, entries, None,
                                            lambda e: digests.of(e.snippets))
    assert sorted(reads) == sorted(e.story.path for e in entries)
    # story 3 now says what story 1 says: they are alike, and only story 3 is read
    specs[3] = {**specs[1], "day": 3}
    digests, reads = Digests(), []
    entries = deferred_entries(specs, reads, digests)
    found, kept = alike.near_identical_kept(SITE, entries, kept,
                                            lambda e: digests.of(e.snippets))
    assert reads == ["stories/s3.md"]
    assert [p.path for p in found if "stories/s1.md" in p.message] == ["stories/s3.md"]
    assert found == near_identical(SITE, newest_first(specs))
    # nothing changed: nothing read
    digests, reads = Digests(), []
    entries = deferred_entries(specs, reads, digests)
    again, still = alike.near_identical_kept(SITE, entries, kept,
                                             lambda e: digests.of(e.snippets))
    assert (reads, again, still) == ([], found, kept)


def test_a_kept_file_that_is_damaged_is_ignored(tmp_path):
    entries = newest_first({0: {"sentence": 0, "changes": (), "title": 0, "day": 0,
                                "platforms": PLATFORMS}})
    _, kept = alike.near_identical_kept(SITE, entries, None, by_value)
    path = tmp_path / alike.FILE
    alike.write_kept(path, kept)
    assert alike.read_kept(path).paths == kept.paths
    data = path.read_bytes()
    for damaged in (data[:len(data) // 2], data[:40], b"", data.replace(b"stories/s0.md", b"x")):
        path.write_bytes(damaged)
        assert alike.read_kept(path) is None or damaged == data


# -- through a build -----------------------------------------------------------------------

LONG_TITLE = "The dock at four in the morning is the quietest place I know in the whole city"


def test_a_title_edit_that_makes_two_stories_alike_warns_and_undoing_it_does_not(
        make_site, tmp_path, trust_new_files):
    site = make_site(stories={})
    site.person("ana")
    site.story("2026-02-10-dock.md", title=LONG_TITLE, date="2026-02-10")
    other = "Every customer asks the same first question, in any language, on any day at all"
    site.story("2026-03-01-customers.md", title=other, date="2026-03-01")
    site.story("2026-04-01-leave.md", title="Six months at home", date="2026-04-01")
    options = Options(on=today())
    alike_line = "the same as those of stories/2026-02-10-dock.md"

    def built(name: str):
        kept = build(site.root, site.out, options)
        cold = build(site.root, tmp_path / name, Options(on=today(), cache="off"))
        assert [str(p) for p in kept.problems] == [str(p) for p in cold.problems]
        return [p for p in kept.problems if alike_line in p.message]

    assert built("first") == []
    assert (site.root / fingerprint.CACHE_FOLDER / alike.FILE).exists()
    story = site.root / "stories/2026-03-01-customers.md"
    text = story.read_text(encoding="utf-8")
    story.write_text(text.replace(other, LONG_TITLE.replace("whole city", "city")),
                     encoding="utf-8")
    warned = built("alike")
    assert [p.path for p in warned] == ["stories/2026-03-01-customers.md"], warned
    story.write_text(text, encoding="utf-8")
    assert built("undone") == []


def test_check_does_not_keep_the_near_identical_check(make_site, monkeypatch):
    monkeypatch.setenv("FIRSTHAND_TODAY", TODAY)
    site = make_site()
    run = site.run("check")
    assert run.code == 0, run.err
    assert not (site.root / fingerprint.CACHE_FOLDER / alike.FILE).exists()



def test_words_no_story_uses_any_more_leave_the_kept_vocabulary():
    specs = {n: {"sentence": n % 2, "changes": (), "title": 0, "day": n,
                 "platforms": ("linkedin", "x")} for n in range(4)}
    same = {**specs[1], "day": 0}              # read anew, as alike as story 1
    entries = newest_first(specs)
    many = replace(entries[0], snippets=snippets(       # its words numbered first
        "stories/s3.md", "A title", " ".join(f"word{n}" for n in range(2000)), ("x",)))
    _, kept = alike.near_identical_kept(SITE, [many, *entries[1:]], None, by_value)
    assert len(kept.vocabulary) > 2000
    for step in (specs, {**specs, 0: same}):
        entries = newest_first(step)
        found, kept = alike.near_identical_kept(SITE, entries, kept, by_value)
        assert found == near_identical(SITE, entries)
        assert len(kept.vocabulary) < 100
    assert [p.path for p in found if "s0.md" in p.message] == ["stories/s1.md"]
