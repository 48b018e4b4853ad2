"""Posts in the story's language: every word around the story's own comes from the
catalog of its language, counted as each platform counts, and English stays as it was."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
import shutil
from pathlib import Path

import pytest

from sites import ROOT, TODAY, SiteFolder
from test_snippets import COUNTERS, every_snippet
from firsthand.commands.announce import payload, story_of
from firsthand.commands.plan import plan_files
from firsthand.content.catalog import read_catalogs
from firsthand.content.enrich import enrich
from firsthand.content.load import load
from firsthand.content.problems import Problems
from firsthand.social.platforms import PLATFORMS_BY_ID
from firsthand.social.snippets import entry_words, post_words

# snippets.json of the sample site on main before posts followed the story's language
# (sha256 of json.dumps(story, ensure_ascii=False, sort_keys=True), built on TODAY): every
# English story must stay byte for byte what it was. The Japanese story is the one that
# changes.
ENGLISH_BEFORE = {
    "apprentice-year-two": "731cbc6df3fd8808e789664932615d297f7965f1e3cf02ea6e7040d249d40b75",
    "midsummer-on-the-dock": "5fd61677f9ef86e39957535e85fd0bdfe1c3cefd53022b56ca0723561a39a6fe",
    "one-team-seven-time-zones":
        "957851de2935299ec3af09907561de6ce8d9201df11b107877ef8937efd3fd37",
    "night-shift": "b48021dc61054009d7148e986615b80e6e21aea5db4e96b7b8d60f15bd32144f",
    "the-model-nobody-used": "fae0ab12a85655b87a8243090eda1642b089ad53db7be73ef38c29bb316eead1",
    "selling-in-three-languages":
        "401c90ab3b8725e14c44037f88db3fd9578be2ef81609bf9ae273205d6475426",
    "coming-back-after-parental-leave":
        "5d5869989e6bfbe5a795be864ef7127d587593adce59a20567ae436cb1937f05",
    "chennai-to-goteborg": "25181ff62e9e254c7624981768b35e77ba3124ff54141d90b8e2750c6beae1bf",
    "apprentice-year-one": "e83523da26ca95293e6f05e898deefd7a9b4f1858693c1a423cbd87908702648",
    "the-only-woman-in-the-van":
        "cf08a6818cdaee0dd3acad56123daa3e5e605185f97523da70e2b5c0415686ee",
    "the-night-412-units-went-quiet":
        "9ea1d25a67c404818ed52a0d06c58e97f723db9196c1d4a3b5659a9f49b2bc79",
    "from-chef-to-field-technician":
        "82b030e38ff50f16e5be9f9f0d5ccb5b7357980534c85cb73e63ece7fa0dd18c",
}
JAPANESE_BEFORE = "cd26fc9ba0de250793882d7dcb98ce6b9f55e8c9efb7b60605451ffe958a430b"

LANGUAGES = ("en", "de", "fr", "es", "pt", "sv", "pl", "ja", "ar")


def digest(story: dict) -> str:
    # "lang" came after these digests were recorded; the posts are what they guard
    story = {name: value for name, value in story.items() if name != "lang"}
    return hashlib.sha256(json.dumps(story, ensure_ascii=False, sort_keys=True)
                          .encode("utf-8")).hexdigest()


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> dict:
    """The sample site, copied out of the repository (so its cache is written there) and
    built on TODAY."""
    folder = SiteFolder(tmp_path_factory.mktemp("sample") / "src")
    folder.root.mkdir(parents=True)
    shutil.copy(ROOT / "site.yaml", folder.root / "site.yaml")
    for name in ("people", "stories"):
        shutil.copytree(ROOT / name, folder.root / name)
    run = folder.build("--quiet")
    assert run.code == 0, run.err
    return json.loads((folder.out / "snippets.json").read_text(encoding="utf-8"))


def in_japanese(story: dict) -> bool:
    """A story of the sample's Japanese pages (snippets.json names no language: its URL does)."""
    return "/ja/stories/" in story["url"]


def test_the_sample_english_posts_are_byte_for_byte_as_before(sample):
    found = {story["slug"]: digest(story) for story in sample["stories"]
             if not in_japanese(story)}
    # osaka-first-year is told in English now too (its own words, new); the rest as before
    english = {slug: value for slug, value in ENGLISH_BEFORE.items() if slug != "osaka-first-year"}
    assert {slug: found.get(slug) for slug in english} == english
    japanese = next(s for s in sample["stories"]
                    if in_japanese(s) and s["slug"] == "osaka-first-year")
    assert digest(japanese) != JAPANESE_BEFORE


def test_the_sample_japanese_story_is_posted_in_japanese(sample):
    osaka = next(s for s in sample["stories"]
                 if s["slug"] == "osaka-first-year" and in_japanese(s))
    for _, platform, snippet in every_snippet({"stories": [osaka]}):
        assert snippet["length"] == COUNTERS[platform](snippet["text"]), platform
        assert snippet["length"] <= PLATFORMS_BY_ID[platform].budget
        assert "で働いています" in snippet["text"]          # the disclosure, in Japanese
        assert "I work at" not in snippet["text"]
    linkedin = osaka["snippets"]["linkedin"]["variants"][0]["text"]
    # the story's own 「」 become 『』 inside the colleague's 「」
    assert "『荷物は大丈夫か』" in linkedin


# -- a site with a story in each language ------------------------------------------------

SITE = """\
title: "Life at Testco"
company: Testco
base_url: https://careers.testco.example/
language: en
social:
  hashtags: [LifeAtTestco]
  handles: {x: testco, linkedin: testco, mastodon: "@testco@social.testco.example", bluesky: testco.bsky.social, threads: testco, instagram: testco}
  utm: {campaign: stories, medium: social}
  disclosure: "I work at Testco"
"""

# (slug, lang, title, summary, quote, question): each story in its own language
STORIES = [
    ("night-en", "en", "Why I chose nights", "Three years of night shifts on the dock.",
     "At night the warehouse is quiet, and I can think at my own pace.",
     "What would make you choose nights?"),
    ("yakin", "ja", "夜勤を選んだ理由", "倉庫の夜勤を三年続けて、わかったこと。",
     "夜の倉庫は静かで、自分のペースで考えられます。",
     "あなたが夜勤を選ぶとしたら、理由は何ですか？"),
    ("yakin-no-question", "ja", "夜の倉庫で「おはよう」と言うこと", "", "", ""),
    ("layl", "ar", "لماذا اخترتُ العمل الليلي",
     "ثلاث سنوات من العمل الليلي في المستودع، وما تعلمته منها.",
     "المستودع في الليل هادئ، وأستطيع أن أفكر على مهلي.", "لو اخترتم العمل الليلي، فما سببكم؟"),
    ("layl-bila-sual", "ar", "صباح الخير في منتصف الليل", "", "", ""),
    ("nacht", "de", "Warum ich die Nachtschicht gewählt habe",
     "Drei Jahre Nachtschicht im Lager, und was ich dabei gelernt habe.",
     "Nachts ist das Lager ruhig, und ich kann in meinem Tempo denken.",
     "Was wäre euer Grund für die Nachtschicht?"),
    ("nuit", "fr", "Pourquoi j’ai choisi le travail de nuit",
     "Trois ans de nuit à l’entrepôt, et ce que j’en ai appris.",
     "La nuit, l’entrepôt est calme et je peux réfléchir à mon rythme.",
     "Et vous, pourquoi choisiriez-vous la nuit ?"),
    ("noche", "es", "Por qué elegí el turno de noche",
     "Tres años de turno de noche en el almacén, y lo que aprendí.",
     "De noche el almacén está tranquilo y puedo pensar a mi ritmo.",
     "¿Por qué elegirías tú el turno de noche?"),
    ("noite", "pt", "Porque escolhi o turno da noite",
     "Três anos de turno da noite no armazém, e o que aprendi.",
     "À noite o armazém está calmo e consigo pensar ao meu ritmo.",
     "Porque escolherias o turno da noite?"),
    ("natt", "sv", "Varför jag valde nattskiftet",
     "Tre år på nattskiftet i lagret, och vad jag lärde mig.",
     "På natten är lagret tyst och jag kan tänka i min egen takt.",
     "Vad skulle få dig att välja natten?"),
    ("noc", "pl", "Dlaczego wybieram nocną zmianę",
     "Trzy lata nocnych zmian w magazynie i czego mnie nauczyły.",
     "W nocy magazyn jest cichy i mogę myśleć we własnym tempie.",
     "Co skłoniłoby Was do nocnej zmiany?"),
]
PERSON = """\
name: Aiko Tanaka
role: Shift Lead
team: Operations
handles: {x: aiko_t, mastodon: "@aiko@mastodon.example", bluesky: aiko.bsky.social, instagram: aiko.t, threads: aiko.t}
"""


def write_story(folder: SiteFolder, number: int, slug, lang, title, summary, quote, question):
    lines = [f'title: "{title}"', "author: aiko", f"date: 2026-0{1 + number % 9}-1{number % 9}",
             f"lang: {lang}", f"slug: {slug}", "tags: [night shift]"]
    lines += [f'{key}: "{value}"' for key, value in
              (("summary", summary), ("quote", quote), ("question", question)) if value]
    folder.write(f"stories/{slug}.md", "---\n" + "\n".join(lines) + f"\n---\n{title}\n")


def languages_site(make_site, site: str = SITE) -> SiteFolder:
    folder = make_site(stories={}, people={"aiko": PERSON}, site=site)
    for number, story in enumerate(STORIES):
        write_story(folder, number, *story)
    return folder


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[SiteFolder, dict, str]:
    folder = SiteFolder(tmp_path_factory.mktemp("languages") / "src")
    folder.write("site.yaml", SITE)
    folder.write("people/aiko.yaml", PERSON)
    for number, story in enumerate(STORIES):
        write_story(folder, number, *story)
    run = folder.build()
    assert run.code == 0, run.err
    document = json.loads((folder.out / "snippets.json").read_text(encoding="utf-8"))
    return folder, {s["slug"]: s for s in document["stories"]}, run.err


def catalog_words(lang: str) -> set[str]:
    """Every word of the post: section of the theme's catalog for lang, places left out."""
    catalog = read_catalogs(ROOT, (lang,), Problems())
    words: set[str] = set()
    for key, text in catalog.words[lang].items():
        if key.startswith("post.") and isinstance(text, str):
            words |= set(word_list(re.sub(r"\{\w+\}", " ", text)))
    return words


def word_list(text: str) -> list[str]:
    return [w.casefold() for w in re.findall(r"[^\W\d_]+(?:[’'][^\W\d_]+)*", text)]


def framing_of(text: str, story: tuple, link: str) -> str:
    """A post without what is not framing: the story's own words, the link, hashtags,
    @handles, the company's and the writer's names."""
    _, _, title, summary, quote, question = story
    for own in (link, title, summary, quote, question):
        if own:
            text = text.replace(own, " ")
    text = re.sub(r"#\w+|@[\w.@-]+|https?://\S+", " ", text)
    for name in ("Testco", "Aiko Tanaka", "Aiko"):
        text = text.replace(name, " ")
    return text


ENGLISH = catalog_words("en")


@pytest.mark.parametrize("story", STORIES[1:], ids=[s[0] for s in STORIES[1:]])
def test_no_english_framing_in_a_story_told_in_another_language(built, story):
    _, found, _ = built
    slug, lang = story[0], story[1]
    own = catalog_words(lang)
    only_english = ENGLISH - own
    told = " ".join(story[2:]).casefold()
    for _, platform, snippet in every_snippet({"stories": [found[slug]]}):
        framing = framing_of(snippet["text"], story, snippet["link"])
        # what is left of the story's own words where a post cuts them short
        words = {w for w in word_list(framing) if w not in told}
        assert not words & only_english, (slug, platform, words & only_english, snippet["text"])
        assert words <= own, (slug, platform, words - own, snippet["text"])
        if lang in ("ja", "ar"):              # nothing in Latin letters is left at all
            assert not re.search(r"[A-Za-z]", framing), (platform, snippet["text"])


def test_a_japanese_storys_linkedin_post_reads_japanese(built):
    _, found, _ = built
    linkedin = found["yakin"]["snippets"]["linkedin"]
    story = STORIES[1]
    for snippet in [linkedin, *linkedin["variants"]]:
        framing = framing_of(snippet["text"], story, snippet["link"])
        assert not set(word_list(framing)) & ENGLISH, snippet["text"]
        assert "Testco で働いています" in snippet["text"]
        if snippet["voice"] == "colleague":      # the story's words, in the language's marks
            assert any(f"「{own}」" in snippet["text"] for own in story[2:]), snippet["text"]
    assert linkedin["text"].startswith("夜の倉庫は静かで")     # the writer's own words lead
    assert linkedin["text"].endswith(linkedin["link"])
    assert found["yakin"]["snippets"]["instagram"]["text"].endswith(
        "全文はプロフィールのリンクから")


def test_an_arabic_storys_posts_read_arabic(built):
    _, found, _ = built
    for slug in ("layl", "layl-bila-sual"):
        for _, platform, snippet in every_snippet({"stories": [found[slug]]}):
            assert "أعمل في Testco" in snippet["text"], (platform, snippet["text"])
            assert "I work" not in snippet["text"]
    colleague = found["layl"]["snippets"]["linkedin"]["variants"][0]["text"]
    assert "«" in colleague and "»" in colleague and "“" not in colleague


def test_every_language_is_counted_as_each_platform_counts_and_fits(built):
    _, found, _ = built
    seen = set()
    for story, platform, snippet in every_snippet({"stories": list(found.values())}):
        text = snippet["text"]
        assert snippet["length"] == COUNTERS[platform](text), (story["slug"], platform, text)
        assert snippet["length"] <= PLATFORMS_BY_ID[platform].budget, (story["slug"], platform)
        if platform == "bluesky":
            assert len(text.encode("utf-8")) <= 3000
        seen.add((platform, snippet["voice"]))
    assert len(seen) == 18            # every platform, both voices


def test_each_languages_posts_stay_varied(built):
    folder, found, err = built
    # the check that warns when two of a story's posts read nearly the same found none
    assert "two of this story's posts" not in err, err
    assert "the same as those of" not in err, err
    for slug, story in found.items():
        authors = {s["text"].replace(s["link"], "") for s in story["snippets"].values()}
        assert len(authors) == len(story["snippets"]), slug   # one framing per platform


def test_the_share_kit_speaks_the_storys_language(built):
    folder, _, _ = built
    assert "<title>シェア：夜勤を選んだ理由 · Life at Testco</title>" in folder.page(
        "stories/yakin/share/")
    assert "<title>Share: Why I chose nights · Life at Testco</title>" in folder.page(
        "stories/night-en/share/")


def test_announce_and_plan_frame_a_story_in_its_language(built):
    folder, _, _ = built
    problems = Problems()
    library = enrich(load(folder.root, problems), problems, dt.date.fromisoformat(TODAY))
    message = payload("slack", story_of(library.site, library.by_slug["yakin"],
                                        library.catalog))
    assert message["text"] == "新しいストーリー：夜勤を選んだ理由"
    assert "シェアする：プラットフォームごとの投稿文があります" in message["blocks"][0]["text"]["text"]
    english = payload("teams", story_of(library.site, library.by_slug["night-en"],
                                        library.catalog))
    assert english["attachments"][0]["content"]["body"][0]["text"] == \
        "New story: Why I chose nights"
    calendar = plan_files(library, dt.date(2026, 1, 1), 52)["aiko.ics"].decode("utf-8")
    unfolded = calendar.replace("\r\n ", "")
    assert "SUMMARY:あなたのストーリーが公開されました：「夜勤を選んだ理由」を" in unfolded
    assert "SUMMARY:Your story is out: share “Why I chose nights” on" in unfolded


# -- per-language hashtags and disclosure in site.yaml ------------------------------------


def test_hashtags_and_disclosure_may_be_given_per_language(make_site):
    site = SITE.replace("  hashtags: [LifeAtTestco]\n",
                        "  hashtags: {en: [LifeAtTestco], ja: [テストコで働く]}\n").replace(
        '  disclosure: "I work at Testco"\n',
        '  disclosure:\n    en: "I work at Testco"\n    ja: "テストコの社員です"\n')
    folder = languages_site(make_site, site)
    run = folder.build()
    assert run.code == 0, run.err
    found = {s["slug"]: s for s in json.loads(
        (folder.out / "snippets.json").read_text(encoding="utf-8"))["stories"]}
    ja = found["yakin"]["snippets"]["linkedin"]["text"]
    assert "#テストコで働く" in ja and "#LifeAtTestco" not in ja
    assert "テストコの社員です" in ja and "Testco で働いています" not in ja
    en = found["night-en"]["snippets"]["linkedin"]["text"]
    assert "#LifeAtTestco" in en and "I work at Testco" in en
    # a language the mappings do not name: the default language's hashtags, the
    # catalog's disclosure in its own language
    de = found["nacht"]["snippets"]["linkedin"]["text"]
    assert "#LifeAtTestco" in de and "Ich arbeite bei Testco" in de


def test_a_site_without_a_disclosure_gets_none_in_any_language(make_site):
    folder = languages_site(make_site, SITE.replace('  disclosure: "I work at Testco"\n', ""))
    assert folder.build().code == 0
    found = {s["slug"]: s for s in json.loads(
        (folder.out / "snippets.json").read_text(encoding="utf-8"))["stories"]}
    assert "で働いています" not in found["yakin"]["snippets"]["linkedin"]["text"]
    assert "أعمل في" not in found["layl"]["snippets"]["linkedin"]["text"]


@pytest.mark.parametrize("social, line, message", [
    ("  hashtags: {en: [A], japanese: [B]}\n", 6,
     "'social.hashtags' given per language takes language codes like en, ja or pt-BR, got "
     "'japanese'"),
    ("  hashtags:\n    en: [A]\n    ja: B\n", 8, "'social.hashtags.ja' must be a list"),
    ("  hashtags:\n    ja: [\"two words\"]\n", 7,
     "hashtag 'two words' must be one word of letters and digits"),
    ("  disclosure:\n    en: \"I work at Testco\"\n    ja: 3\n", 8,
     "'social.disclosure.ja' must be text"),
])
def test_a_wrong_per_language_value_is_an_error_at_its_line(make_site, social, line, message):
    site = SITE.replace("  hashtags: [LifeAtTestco]\n", "").replace(
        '  disclosure: "I work at Testco"\n', "").replace("social:\n", "social:\n" + social)
    folder = make_site(site=site)
    before = folder.build()
    run = folder.run("check")
    assert run.code == 1 and before.code == 1
    assert f"site.yaml:{line}: error: {message}" in run.out + run.err, run.out + run.err


# -- a catalog that lacks a post key --------------------------------------------------------


def test_a_post_key_missing_from_a_catalog_falls_back_with_one_warning(tmp_path):
    # a theme whose ja.yaml lacks one post key: that key comes from English, with one
    # warning naming the language and the key; every other word stays Japanese
    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "i18n", theme / "i18n")
    ja = theme / "i18n" / "ja.yaml"
    text = ja.read_text(encoding="utf-8")
    missing = '      invite: "返信、歓迎です。"\n'
    assert missing in text
    ja.write_text(text.replace(missing, ""), encoding="utf-8")
    (tmp_path / "site").mkdir()
    problems = Problems()
    catalog = read_catalogs(tmp_path / "site", ("en", "ja"), problems, theme=theme)
    warnings = [str(p) for p in problems.warnings if "post." in p.message]
    assert warnings == ["i18n/ja.yaml:1: warning: the catalog for 'ja' has no "
                        "'post.colleague.4.invite': the default language's words are used"]
    problems = Problems()
    content = load(ROOT, problems)
    words = post_words(content.site, catalog, "ja")
    assert words.colleague[3].invite == "Replies welcome."
    assert words.colleague[2].invite == "{first}に感想を伝えてください。"
    assert words.no_link == "全文はプロフィールのリンクから"


def test_a_sites_own_catalog_missing_a_post_key_warns_once_and_falls_back(make_site):
    # a language the theme does not ship, given by the site, one post key short
    folder = make_site(stories={}, people={"aiko": PERSON})
    german = (ROOT / "i18n" / "de.yaml").read_text(encoding="utf-8")
    missing = '  link_in_bio: "Die ganze Geschichte: Link in der Bio"\n'
    folder.write("i18n/nl.yaml", german.replace(missing, ""))
    write_story(folder, 1, "nacht-nl", "nl", "Waarom ik nachten koos", "", "", "")
    run = folder.build()
    assert run.code == 0, run.err
    warnings = [line for line in run.err.splitlines() if "post." in line]
    assert warnings == ["i18n/nl.yaml:1: warning: the catalog for 'nl' has no "
                        "'post.link_in_bio': the default language's words are used"], run.err
    story = next(s for s in json.loads((folder.out / "snippets.json").read_text(
        encoding="utf-8"))["stories"] if s["slug"] == "nacht-nl")
    assert story["snippets"]["instagram"]["text"].endswith("Full story: link in bio")


def test_two_japanese_stories_alike_are_found(make_site):
    folder = make_site(stories={}, people={"aiko": PERSON})
    for number, slug in enumerate(("onaji-1", "onaji-2")):
        write_story(folder, number, slug, "ja", f"夜勤の話 {number}", "",
                    "夜の倉庫は静かで、自分のペースで考えられます。",
                    "あなたが夜勤を選ぶとしたら、理由は何ですか？")
    run = folder.run("check")
    assert run.code == 0, run.err
    alike = [line for line in (run.out + run.err).splitlines() if "the same as" in line]
    assert len(alike) == 1 and "stories/onaji-2.md" in alike[0], run.out + run.err


def test_the_story_language_falls_back_to_the_sites(make_site):
    site = SITE.replace("language: en", "language: ja")
    folder = make_site(site=site, people={"aiko": PERSON}, stories={})
    folder.write("stories/2026-02-10-yoru.md", '---\ntitle: "夜の倉庫"\nauthor: aiko\n'
                 'date: 2026-02-10\nquote: "夜の倉庫は静かです。"\n---\n本文。\n')
    assert folder.build().code == 0
    story = json.loads((folder.out / "snippets.json").read_text(encoding="utf-8"))["stories"][0]
    text = story["snippets"]["linkedin"]["text"]
    assert "I work at Testco" in text        # the site's one disclosure is in its language
    assert "Testco で働いています" not in text
    assert "全文はプロフィールのリンクから" in story["snippets"]["instagram"]["text"]


def test_words_are_made_once_a_language_and_name_their_language():
    problems = Problems()
    content = load(ROOT, problems)
    library = enrich(content, problems, dt.date.fromisoformat(TODAY))
    told = {(e.slug, e.language): e for e in library.entries}
    assert entry_words(library.site, told["osaka-first-year", "ja"], library.catalog).lang == "ja"
    assert entry_words(library.site, told["osaka-first-year", "en"], library.catalog).lang == "en"
    assert entry_words(library.site, told["night-shift", "en"], library.catalog).lang == "en"
