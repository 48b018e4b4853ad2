"""Load a source folder (site.yaml, people/, stories/) into the model, collecting problems."""

from __future__ import annotations

import datetime as dt
import difflib
import os
import re
import unicodedata
import warnings
from dataclasses import replace
from pathlib import Path
from typing import Iterable, Mapping

from PIL import Image as PILImage

from firsthand.content.catalog import read_catalogs
from firsthand.content.frontmatter import (
    Document, Field, describe, normalise_text, plain, read_mapping, split_front_matter)
from firsthand.content.images import MAX_PIXELS
from firsthand.content.model import (
    PLATFORMS, Content, Guidelines, Person, Site, Social, Story, frozen_map, no_handles)
from firsthand.content.problems import Problems
from firsthand.content.remembered import Seen, StoryMemo

MAX_STORY_BYTES = 512 * 1024          # a long story is ~30 KB; more is a mistake or an attack
MAX_YAML_BYTES = 64 * 1024
MAX_FOLDER_FILES = 50_000             # stories/ or people/: a site of 10,000 stories is large
MAX_BUNDLE_FILES = 200                # files beside one story's index.md
MAX_IMAGE_BYTES = 40 * 1024 * 1024    # a 40-megapixel JPEG is ~15 MB
SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
ID_RE = SLUG_RE
LANG_RE = re.compile(r"^[a-zA-Z]{2,3}(?:-[a-zA-Z0-9]{2,8})*$")
DATE_PREFIX_RE = re.compile(r"^\d{4}-\d{2}-\d{2}-")
# the language in a story's file name: night-shift.ja.md, index.pt-BR.md
FILE_LANG_RE = re.compile(r"^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
BUNDLE_INDEX_RE = re.compile(r"^index(?:\.([^.]+))?\.md$")
COLOR_RE = re.compile(r"^#[0-9a-fA-F]{6}$")
# Invisible characters that can make a title or slug read differently than it is.
BIDI_RE = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")

STORY_KEYS = ("title", "author", "date", "summary", "team", "location", "tags", "image",
              "image_alt", "quote", "question", "slug", "lang", "translation_key", "draft",
              "share", "updated", "reviewed")
PERSON_KEYS = ("name", "role", "team", "location", "pronouns", "photo", "photo_alt", "bio",
               "handles", "active", "consent")
SITE_KEYS = ("title", "company", "base_url", "description", "language", "languages", "jobs_url",
             "brand_color", "brand", "per_page", "domain", "search", "social", "guidelines",
             "extra", "report")
BRAND_KEYS = ("colour", "color", "logo")
LOGO_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")     # the cards draw it: no SVG
SOCIAL_KEYS = ("platforms", "hashtags", "handles", "utm", "disclosure")
GUIDELINE_KEYS = ("banned_terms", "require_image_alt", "max_title_length", "min_words",
                  "max_words", "review_after_days", "consent", "consent_valid_days")
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".webp", ".gif")
_MARKDOWN_IMAGE = re.compile(r"!\[[^\]]*\]\(\s*(<[^>]*>|[^)\s]+)")


def load(source: Path, problems: Problems, memo: StoryMemo | None = None) -> Content | None:
    """Read a whole source folder; None when site.yaml itself is unusable. With `memo`, a
    story an earlier load kept, unchanged with all it looked at, is not read again."""
    source = source.resolve()
    site = load_site(source, problems)
    require_alt = site.guidelines.require_image_alt if site else True
    people = load_people(source, problems, require_alt)
    languages = site.languages if site else ("en",)
    stories, rejected = load_stories(source, people, problems, require_alt, languages, memo)
    if site is None:
        return None
    catalog = read_catalogs(source, catalog_languages(site, stories), problems)
    return Content(site=site, people=frozen_map(people), stories=tuple(stories),
                   rejected=tuple(rejected), catalog=catalog)


def catalog_languages(site: Site, stories) -> tuple[str, ...]:
    """The site's languages, default first, then every other language a story is written in: its
    posts are framed in the words of its language."""
    return tuple(dict.fromkeys((*site.languages, *(s.lang for s in stories if s.lang))))


# -- reading fields ----------------------------------------------------------------------


class Fields:
    """Typed access to a YAML mapping that reports every wrong value with its line."""

    def __init__(self, document: Document, path: str, problems: Problems,
                 known: Iterable[str], where: str = ""):
        self.doc, self.path, self.problems, self.where = document, path, problems, where
        known = tuple(known)
        for key, field in document.items():
            if key not in known:
                self._unknown(key, field.line, known)

    def _unknown(self, key: str, line: int, known: tuple[str, ...]) -> None:
        """A near miss of a known key is an error (the value would be lost); others warn."""
        near = near_miss(key, known)
        if near:
            self.problems.error(self.path, line, f"unknown key '{self.where}{key}'; did you "
                                                 f"mean '{self.where}{near}'?", code="unknown-key")
            return
        close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
        hint = f"; did you mean '{self.where}{close[0]}'?" if close else \
            f" (known keys: {', '.join(known)})"
        self.problems.warning(self.path, line, f"unknown key '{self.where}{key}'{hint}",
                              code="unknown-key")

    def line(self, key: str) -> int:
        return self.doc.line_of(key)

    def lines(self) -> dict[str, int]:
        return {key: field.line for key, field in self.doc.items()}

    def _missing(self, key: str, required: bool, what: str) -> None:
        if required:
            self.problems.error(self.path, self.doc.line,
                                f"'{self.where}{key}' is missing; it is required ({what})",
                                code="missing-field")

    def _wrong(self, key: str, field: Field, what: str) -> None:
        self.problems.error(self.path, field.line,
                            f"'{self.where}{key}' must be {what}, got {describe(field)}",
                            code="invalid-value")

    def text(self, key: str, required: bool = False, what: str = "text") -> str:
        field = self.doc.get(key)
        if field is None or (field.tag == "null" and not required):
            self._missing(key, required, what)
            return ""
        if field.tag != "str" or not isinstance(field.value, str):
            self._wrong(key, field, "text")
            return ""
        value = field.value.strip()
        if not value and required:
            self.problems.error(self.path, field.line, f"'{self.where}{key}' is empty ({what})")
        return value

    def boolean(self, key: str, default: bool) -> bool:
        field = self.doc.get(key)
        if field is None:
            return default
        if field.tag != "bool":
            self._wrong(key, field, "true or false")
            return default
        return field.value

    def integer(self, key: str, default: int | None, minimum: int = 0) -> int | None:
        field = self.doc.get(key)
        if field is None:
            return default
        if field.tag != "int" or field.value < minimum:
            self._wrong(key, field, f"a whole number of at least {minimum}")
            return default
        return field.value

    def date(self, key: str, required: bool = False) -> dt.date | None:
        field = self.doc.get(key)
        if field is None:
            self._missing(key, required, "YYYY-MM-DD")
            return None
        if field.tag == "timestamp" and type(field.value) is dt.date:
            return field.value
        if field.tag == "bad-date":
            self.problems.error(self.path, field.line,
                                f"'{self.where}{key}' is not a real date: \"{field.raw}\"")
        else:
            self.problems.error(self.path, field.line,
                                f"'{self.where}{key}' must be YYYY-MM-DD, got \"{field.raw}\""
                                if field.raw else
                                f"'{self.where}{key}' must be YYYY-MM-DD, got {describe(field)}")
        return None

    def text_list(self, key: str) -> tuple[str, ...]:
        field = self.doc.get(key)
        if field is None or field.tag == "null":
            return ()
        if field.tag != "seq":
            self.problems.error(self.path, field.line,
                                f"'{self.where}{key}' must be a list, like {key}: [one, two]; "
                                f"got {describe(field)}")
            return ()
        items = []
        for item in field.value:
            if item.tag != "str" or not item.value.strip():
                self.problems.error(self.path, item.line,
                                    f"each of '{self.where}{key}' must be text, got {describe(item)}")
            else:
                items.append(item.value.strip())
        return tuple(dict.fromkeys(items))

    def mapping(self, key: str) -> Document | None:
        field = self.doc.get(key)
        if field is None or field.tag == "null":
            return None
        if field.tag != "map":
            self._wrong(key, field, "a mapping of 'key: value' lines")
            return None
        return field.value

    def text_map(self, key: str) -> dict[str, str]:
        document = self.mapping(key)
        if document is None:
            return {}
        result = {}
        for name, field in document.items():
            if field.tag == "str":
                result[name] = field.value.strip()
            elif field.tag in ("int", "float"):
                result[name] = field.raw
            else:
                self.problems.error(self.path, field.line,
                                    f"'{self.where}{key}.{name}' must be text, got {describe(field)}")
        return result


def near_miss(key: str, known: tuple[str, ...]) -> str:
    """The known key this one is a slip of ('sumary', 'tag', 'Title', 'image-alt'), or ''."""
    folded = key.lower().replace("-", "_").strip()
    for name in known:
        if folded == name:
            return name
    close = difflib.get_close_matches(folded, known, n=1, cutoff=0.8)
    return close[0] if close else ""


# -- site.yaml ---------------------------------------------------------------------------


def load_site(source: Path, problems: Problems) -> Site | None:
    """Read and check site.yaml."""
    path = "site.yaml"
    document = _read_yaml_file(source, source / path, path, problems)
    if document is None:
        if not (source / path).exists():
            problems.error(path, 1, f"no site.yaml in {source}; is --source the site's folder?")
        return None
    fields = Fields(document, path, problems, SITE_KEYS)
    title = fields.text("title", required=True, what="the site's name")
    company = fields.text("company", required=True, what="the company's name")
    base_url = fields.text("base_url", required=True, what="where the site will live")
    if base_url and not re.match(r"^https?://[^/\s]+(/\S*)?$", base_url):
        problems.error(path, fields.line("base_url"),
                       f"'base_url' must be an absolute http(s) URL, got \"{base_url}\"")
    base_url = base_url.rstrip("/") + "/"
    languages = _load_languages(fields, document, path, problems)
    language = languages[0]
    brand_colour, logo, logo_data = _load_brand(fields, source, path, problems)
    brand = brand_colour or fields.text("brand_color") or "#0b6e4f"
    if not COLOR_RE.match(brand):
        key = "brand" if brand_colour else "brand_color"
        problems.error(path, fields.line(key),
                       f"'{key}' must be a colour like #0b6e4f, got \"{brand}\"")
    jobs_url = fields.text("jobs_url")
    if jobs_url and not jobs_url.startswith(("https://", "http://")):
        problems.error(path, fields.line("jobs_url"),
                       f"'jobs_url' must be an absolute http(s) URL, got \"{jobs_url}\"")
    social = _load_social(fields, path, problems, language)
    guidelines = _load_guidelines(fields, path, problems)
    extra = fields.mapping("extra")
    report = fields.mapping("report")
    report_people = report is not None and Fields(
        report, path, problems, ("people",), where="report.").boolean("people", False)
    return Site(
        title=title, company=company, base_url=base_url,
        description=fields.text("description"), language=language, languages=languages,
        jobs_url=jobs_url,
        brand_color=brand.lower(), per_page=fields.integer("per_page", 10, minimum=1),
        domain=fields.text("domain"), search=fields.boolean("search", True), social=social,
        guidelines=guidelines, logo=logo, logo_data=logo_data,
        extra=frozen_map(plain(Field(extra, 1)) if extra is not None else {}),
        source=source, report_people=report_people,
    )


def _load_languages(fields: Fields, document: Document, path: str,
                    problems: Problems) -> tuple[str, ...]:
    """languages: [en, ja, ar] (the first is the default), or language: en alone."""
    language = fields.text("language")
    if language and not LANG_RE.match(language):
        problems.error(path, fields.line("language"),
                       f"'language' must be a language code like en or pt-BR, got \"{language}\"")
        language = ""
    listed: list[str] = []
    for index, code in enumerate(fields.text_list("languages")):
        line = document["languages"].value[index].line if "languages" in document else 1
        if not LANG_RE.match(code):
            problems.error(path, line, f"each of 'languages' must be a language code like en, "
                                       f"ja or pt-BR, got \"{code}\"")
        elif code.lower() in (known.lower() for known in listed):
            problems.error(path, line, f"'languages' lists '{code}' twice")
        else:
            listed.append(code)
    if listed and language and language.lower() != listed[0].lower():
        problems.error(path, fields.line("language"),
                       f"'language' says '{language}' but 'languages' starts with "
                       f"'{listed[0]}', the default; keep one of the two, or make them agree")
    return tuple(listed) or (language or "en",)


def _load_brand(fields: Fields, source: Path, path: str,
                problems: Problems) -> tuple[str, str, bytes]:
    """brand: {colour, logo}: the accent colour, and a logo in static/ (its output path and
    bytes, which the cards draw)."""
    document = fields.mapping("brand")
    if document is None:
        return "", "", b""
    brand = Fields(document, path, problems, BRAND_KEYS, where="brand.")
    colour = brand.text("colour") or brand.text("color")
    logo = brand.text("logo").lstrip("/")
    if not logo:
        return colour, "", b""
    file = source / logo
    inside = file.resolve().is_relative_to((source / "static").resolve())
    if not inside or file.suffix.lower() not in LOGO_SUFFIXES or not file.is_file() \
            or file.is_symlink():
        problems.error(path, brand.line("logo"),
                       f"'brand.logo' must be a PNG, JPEG or WebP file in static/, such as "
                       f"static/logo.png; got \"{logo}\"")
        return colour, "", b""
    return colour, Path(logo).as_posix(), file.read_bytes()


def _load_social(fields: Fields, path: str, problems: Problems, language: str) -> Social:
    document = fields.mapping("social")
    if document is None:
        return Social()
    social = Fields(document, path, problems, SOCIAL_KEYS, where="social.")
    platforms = social.text_list("platforms") if "platforms" in document else PLATFORMS
    for index, name in enumerate(platforms):
        if name not in PLATFORMS:
            close = difflib.get_close_matches(name, PLATFORMS, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else f" (known: {', '.join(PLATFORMS)})"
            problems.error(path, document["platforms"].value[index].line,
                           f"unknown platform '{name}'{hint}")
    hashtags, language_hashtags = _per_language(social, "hashtags", path, problems,
                                                _hashtag_list)
    disclosure, disclosures = _per_language(social, "disclosure", path, problems, Fields.text)
    if hashtags is None:       # a language without its own takes the default language's
        hashtags = language_hashtags.get(language) or \
            language_hashtags.get(language.split("-")[0], ())
    return Social(
        platforms=tuple(p for p in platforms if p in PLATFORMS), hashtags=hashtags,
        handles=every_platform(social.text_map("handles")),
        utm=frozen_map(social.text_map("utm")),
        disclosure=disclosure or "", language_hashtags=frozen_map(language_hashtags),
        disclosures=frozen_map(disclosures),
    )


def _hashtag_list(fields: Fields, key: str) -> tuple[str, ...]:
    hashtags = tuple(tag.lstrip("#") for tag in fields.text_list(key))
    for tag in hashtags:
        if not re.fullmatch(r"\w+", tag):
            fields.problems.error(fields.path, fields.line(key),
                                  f"hashtag '{tag}' must be one word of letters and digits")
    return hashtags


def _per_language(social: Fields, key: str, path: str, problems: Problems, read):
    """A social value given once (`hashtags: [...]`, `disclosure: "..."`), or per language
    (`hashtags: {en: [...], ja: [...]}`): (the one value or None, {language: its value})."""
    field = social.doc.get(key)
    if field is None or field.tag != "map":
        return read(social, key), {}
    where = f"{social.where}{key}."
    languages = Fields(field.value, path, problems, tuple(field.value), where=where)
    found = {}
    for lang, item in field.value.items():
        if not LANG_RE.match(lang):
            problems.error(path, item.line,
                           f"'{social.where}{key}' given per language takes language codes "
                           f"like en, ja or pt-BR, got '{lang}'", code="invalid-value")
            continue
        found[lang] = read(languages, lang)
    return None, found


def _load_guidelines(fields: Fields, path: str, problems: Problems) -> Guidelines:
    document = fields.mapping("guidelines")
    if document is None:
        return Guidelines()
    rules = Fields(document, path, problems, GUIDELINE_KEYS, where="guidelines.")
    terms = rules.text_list("banned_terms")
    for term in terms:
        try:
            re.compile(term)
        except re.error as exc:
            problems.error(path, rules.line("banned_terms"),
                           f"banned term '{term}' is not a valid pattern: {exc}")
    return Guidelines(
        banned_terms=terms,
        require_image_alt=rules.boolean("require_image_alt", True),
        max_title_length=rules.integer("max_title_length", None, minimum=1),
        min_words=rules.integer("min_words", None),
        max_words=rules.integer("max_words", None, minimum=1),
        review_after_days=rules.integer("review_after_days", None, minimum=1),
        consent=rules.boolean("consent", False),
        consent_valid_days=rules.integer("consent_valid_days", 365, minimum=1),
    )


# -- people ------------------------------------------------------------------------------


def load_people(source: Path, problems: Problems,
                require_alt: bool = True) -> dict[str, Person]:
    """Read people/*.yaml."""
    people: dict[str, Person] = {}
    folder = source / "people"
    if not folder.is_dir():
        return people
    if len(_bounded_listing(folder)) > MAX_FOLDER_FILES:
        problems.error("people", 1, f"people/ holds more than {MAX_FOLDER_FILES:,} files; "
                                    "that many cannot be read in one build")
        return people
    for file in sorted(folder.iterdir()):
        if file.suffix not in (".yaml", ".yml") or file.name.startswith("."):
            continue
        path = relative_path(source, file)
        person_id = file.stem
        if not ID_RE.match(person_id):
            problems.error(path, 1, f"a person's file name must be lowercase letters, digits and "
                                    f"dashes, like ana-lindqvist.yaml; rename it to "
                                    f"'{slugify(person_id) or 'name'}.yaml'")
            continue
        if person_id in people:
            problems.error(path, 1, f"person '{person_id}' is defined twice "
                                    f"(also {people[person_id].path})")
            continue
        document = _read_yaml_file(source, file, path, problems)
        if document is None:
            continue
        fields = Fields(document, path, problems, PERSON_KEYS)
        name = fields.text("name", required=True, what="the person's full name")
        role = fields.text("role", required=True, what="their job title")
        photo = _image_path(source, folder, fields, "photo", "photo_alt", path, problems,
                            require_alt)
        handles = fields.text_map("handles")
        for platform in handles:
            if platform not in PLATFORMS:
                problems.warning(path, document["handles"].value[platform].line,
                                 f"unknown platform '{platform}' in handles")
        people[person_id] = Person(
            id=person_id, name=name, role=role, path=path, team=fields.text("team"),
            location=fields.text("location"), pronouns=fields.text("pronouns"), photo=photo,
            photo_alt=fields.text("photo_alt"), bio=fields.text("bio"),
            handles=every_platform(handles), active=fields.boolean("active", True),
            consent=fields.date("consent") if "consent" in document else None,
            lines=frozen_map(fields.lines()),
        )
    return people


# -- stories -----------------------------------------------------------------------------


def story_files(source: Path) -> list[Path]:
    """Every story file: stories/NAME.md and stories/NAME/index.md, in a stable order."""
    folder = source / "stories"
    if not folder.is_dir():
        return []
    found = []
    # names and scandir entries, not a Path per entry: at ten thousand stories the
    # listing costed more than reading the kept stories
    for entry in sorted(_bounded_entries(folder), key=lambda e: e.name):
        name = entry.name
        if name.startswith((".", "_")):
            continue
        if entry.is_dir(follow_symlinks=False):
            bundle = Path(entry.path)
            if os.path.lexists(os.path.join(entry.path, "index.md")):
                found.append(bundle / "index.md")
            found.extend(bundle / inner for inner in sorted(
                e.name for e in _bounded_entries(bundle, MAX_BUNDLE_FILES)
                if _bundle_language(e.name)))
        elif os.path.splitext(name)[1] == ".md":
            found.append(Path(entry.path))
    return found


def _bundle_language(name: str) -> str:
    """'ja' for a bundle's index.ja.md; '' for index.md and any other file."""
    match = BUNDLE_INDEX_RE.match(name)
    return match.group(1) if match and match.group(1) and FILE_LANG_RE.match(match.group(1)) \
        else ""


def file_language(file: Path) -> tuple[str, str]:
    """(name, language) of a story file: ('night-shift', 'ja') for night-shift.ja.md and
    night-shift/index.ja.md, ('night-shift', '') for night-shift.md and night-shift/index.md."""
    if BUNDLE_INDEX_RE.match(file.name):
        return file.parent.name, _bundle_language(file.name)
    name, _, lang = file.stem.rpartition(".")
    if name and FILE_LANG_RE.match(lang):
        return name, lang
    return file.stem, ""


def match_language(lang: str, languages: tuple[str, ...]) -> str:
    """The site language a story's lang belongs to (pt-BR to pt), or '' for none."""
    for candidate in (lang.lower(), lang.lower().split("-")[0]):
        for known in languages:
            if known.lower() == candidate:
                return known
    return ""


def load_stories(source: Path, people: dict[str, Person], problems: Problems,
                 require_alt: bool = True, languages: tuple[str, ...] = ("en",),
                 memo: StoryMemo | None = None) -> tuple[list[Story], list[Story]]:
    """Read and check every story: (usable stories, stories with errors as far as read).

    Of two stories with one slug in one language, the older (by date, then path) keeps it;
    the error is reported on the newer file, the one that took a slug already in use.
    """
    stories: list[Story] = []
    rejected: list[Story] = []
    if (source / "stories").is_dir() and \
            len(_bounded_entries(source / "stories")) > MAX_FOLDER_FILES:
        problems.error("stories", 1, f"stories/ holds more than {MAX_FOLDER_FILES:,} files; "
                                     "that many cannot be read in one build")
        return stories, rejected
    if memo is not None:
        memo.open((str(source), require_alt, languages))
    for file in story_files(source):
        story, usable = load_story(source, file, people, problems, require_alt, languages,
                                   memo)
        if story is not None:
            (stories if usable else rejected).append(story)
    if memo is not None:
        memo.save()
    stories, wrong = link_translations(stories, languages, problems)
    rejected += wrong
    by_slug: dict[tuple[str, str], Story] = {}
    taken: set[str] = set()
    for story in sorted(stories, key=lambda s: (s.date, s.path)):
        other = by_slug.setdefault((story.language, story.slug), story)
        if other is not story:
            problems.error(story.path, story.line_of("slug") if "slug" in story.lines else 1,
                           f"slug '{story.slug}' is already used by {other.path}; "
                           f"set a different 'slug:'", code="duplicate-slug")
            taken.add(story.path)
    return ([s for s in stories if s.path not in taken],
            rejected + [s for s in stories if s.path in taken])


def link_translations(stories: list[Story], languages: tuple[str, ...],
                      problems: Problems) -> tuple[list[Story], list[Story]]:
    """Group the stories told in several languages: (usable stories, rejected translations).

    Stories with one translation_key (by default their file name without date and
    language) are one story in several languages. The original is the file whose name
    names no language (else the one in the default language, else the oldest); every other
    is its translation: written by the same person, in a language of the site, one per
    language. A translation takes the original's picture and its `share: false` choices.
    """
    groups: dict[str, list[Story]] = {}
    for story in stories:
        groups.setdefault(story.translation_key, []).append(story)
    usable, rejected = [], []
    for group in groups.values():
        named = [s for s in group if _names_a_language(s)]
        if len(group) == 1 and not named:
            usable.extend(group)
            continue
        original = min(group, key=lambda s: (_names_a_language(s), s.language != languages[0],
                                             s.date, s.path))
        usable.append(original)
        told = {original.language: original}
        for story in sorted(group, key=lambda s: (s.date, s.path)):
            if story is original:
                continue
            if _translation_problems(story, original, told, languages, problems):
                rejected.append(story)
                continue
            told[story.language] = story
            usable.append(replace(
                story, original=original.path, image=story.image or original.image,
                image_alt=story.image_alt or original.image_alt,
                share=frozen_map({**{k: v for k, v in original.share.items() if v is False},
                                  **story.share})))
    return usable, rejected


def _names_a_language(story: Story) -> bool:
    """Whether a story says it is a translation: a language in its file name, or a key."""
    return bool(file_language(Path(story.path))[1]) or "translation_key" in story.lines


def _translation_problems(story: Story, original: Story, told: dict[str, Story],
                          languages: tuple[str, ...], problems: Problems) -> bool:
    """Report why a story cannot be a translation of the original; False when it can."""
    lang_line = story.line_of("lang")
    if story.lang and not match_language(story.lang, languages):
        listed = ", ".join(languages)
        problems.error(story.path, lang_line,
                       f"this translation is in '{story.lang or languages[0]}', which is not one "
                       f"of the site's languages; add it to site.yaml (languages: [{listed}, "
                       f"{story.lang}]) to publish it", code="translation")
        return True
    if story.author != original.author:
        problems.error(story.path, story.line_of("author"),
                       f"a translation is told by the author of its original: "
                       f"{original.path} is by '{original.author}', this one says "
                       f"'{story.author}'", code="translation")
        return True
    other = told.get(story.language)
    if other is not None:
        problems.error(story.path, lang_line,
                       f"{other.path} already tells this story in '{story.language}'; a story "
                       f"has one translation per language (give this one its own "
                       f"translation_key if it is another story)", code="translation")
        return True
    return False


def load_story(source: Path, file: Path, people: dict[str, Person], problems: Problems,
               require_alt: bool = True, languages: tuple[str, ...] = ("en",),
               memo: StoryMemo | None = None) -> tuple[Story | None, bool]:
    """Read one story file: (the story as far as it could be read, whether it is usable).

    A story with errors is still returned with what could be read (at least its body,
    when the front matter was found), so that the checks report its other problems too.
    With `memo`, a story kept by an earlier load is taken when nothing it read changed.
    """
    path = relative_path(source, file)
    story = memo.find(path, people) if memo is not None else None
    if story is not None:
        return story, True
    seen = Seen([file])
    text = _read_text(file, path, problems, MAX_STORY_BYTES)
    if text is None:
        return None, False
    reported = len(problems)
    story, usable = _parse_story(source, file, path, text, people, problems, require_alt,
                                 languages, seen)
    if memo is not None and usable and len(problems) == reported:
        memo.keep(path, story, seen)
    return story, usable


def _parse_story(source: Path, file: Path, path: str, text: str, people: dict[str, Person],
                 problems: Problems, require_alt: bool, languages: tuple[str, ...],
                 seen: Seen) -> tuple[Story | None, bool]:
    """load_story once the text is read; every other file it looks at is noted in `seen`."""
    split = split_front_matter(text, path, problems)
    if split is None:
        return None, False
    document = read_mapping(split.yaml_text, path, problems, split.yaml_line)
    if document is None:
        return Story(path=path, slug="", title="", author="", date=dt.date.min,
                     body=split.body, body_line=split.body_line), False
    errors_before = problems.error_count
    fields = Fields(document, path, problems, STORY_KEYS)

    title = fields.text("title", required=True, what="the story's headline")
    _no_bidi(title, "title", fields, path, problems)
    author = fields.text("author", required=True, what="the id of a file in people/")
    if author and author not in people and not _person_file(source, author, seen):
        close = difflib.get_close_matches(author, list(people), n=1)
        hint = f"; did you mean '{close[0]}'?" if close else \
            f" (known: {', '.join(sorted(people)) or 'none; add people/ID.yaml'})"
        problems.error(path, fields.line("author"),
                       f"unknown author '{author}': there is no people/{author}.yaml{hint}",
                       code="unknown-author")
    date = fields.date("date", required=True)
    name, named_lang = file_language(file)
    slug = _story_slug(file, name, fields, path, problems)
    bundle = file.parent if BUNDLE_INDEX_RE.match(file.name) else None
    if bundle is not None:
        _bound_bundle(source, bundle, path, problems, seen)
    image = _image_path(source, file.parent, fields, "image", "image_alt", path, problems,
                        require_alt, checked=bundle, seen=seen)
    lang = fields.text("lang")
    if lang and not LANG_RE.match(lang):
        problems.error(path, fields.line("lang"),
                       f"'lang' must be a language code like en, ja or pt-BR, got \"{lang}\"")
    elif lang and named_lang and lang.lower() != named_lang.lower():
        problems.error(path, fields.line("lang"),
                       f"the file name says the story is in '{named_lang}' but 'lang' says "
                       f"'{lang}'; make them agree")
    lang = lang or named_lang
    key = fields.text("translation_key") or slugify(DATE_PREFIX_RE.sub("", name))
    share, share_lines = _load_share(fields, path, problems)
    if bundle is None:
        _pictures_need_a_bundle(file, split.body, split.body_line, path, problems, seen)
    story = Story(
        path=path, slug=slug, title=title, author=author, date=date or dt.date.min,
        body=split.body, body_line=split.body_line, summary=fields.text("summary"),
        team=fields.text("team"), location=fields.text("location"),
        tags=fields.text_list("tags"), image=image, image_alt=fields.text("image_alt"),
        quote=fields.text("quote"), question=fields.text("question"), lang=lang,
        language=match_language(lang, languages) or languages[0], translation_key=key,
        draft=fields.boolean("draft", False), updated=fields.date("updated")
        if "updated" in document else None,
        reviewed=fields.date("reviewed") if "reviewed" in document else None,
        share=frozen_map(share), bundle=bundle,
        lines=frozen_map({**fields.lines(), **share_lines}),
    )
    usable = problems.error_count == errors_before and bool(title and date and slug) \
        and author in people
    return story, usable


def _story_slug(file: Path, name: str, fields: Fields, path: str, problems: Problems) -> str:
    slug = fields.text("slug")
    if slug:
        if BIDI_RE.search(slug):
            _no_bidi(slug, "slug", fields, path, problems)
            return ""
        if not SLUG_RE.match(slug):
            suggestion = slugify(slug)
            problems.error(path, fields.line("slug"),
                           f"'slug' may only hold lowercase a-z, 0-9 and dashes, got \"{slug}\""
                           + (f"; try \"{suggestion}\"" if suggestion else ""))
            return ""
        return slug
    if BIDI_RE.search(name):
        problems.error(path, 1, "the file name contains invisible direction-control characters; "
                                "rename the file")
        return ""
    slug = slugify(DATE_PREFIX_RE.sub("", name))
    if not slug:
        problems.error(path, 1, f"cannot make a web address from the file name \"{name}\"; "
                                "add 'slug: some-words' to the front matter")
    return slug


def _bound_bundle(source: Path, bundle: Path, path: str, problems: Problems,
                  seen: Seen) -> None:
    """A bundle's files are copied to the site: a bounded number of bounded size."""
    files = _bounded_listing(seen.saw(bundle), MAX_BUNDLE_FILES)
    if len(files) > MAX_BUNDLE_FILES:
        problems.error(path, 1, f"the story's folder holds more than {MAX_BUNDLE_FILES} "
                                "files; keep only the story and its pictures in it")
        return
    for file in sorted(files):
        if file.suffix.lower() in IMAGE_SUFFIXES and not seen.saw(file).is_symlink() \
                and file.is_file():
            too_large = _picture_too_large(file)
            if too_large:
                problems.error(relative_path(source, file), 1, f"the picture {too_large}")


def _picture_too_large(file: Path) -> str:
    """Why a picture is too large to take in ("is 41 MB; ..."), from its size and header."""
    try:
        size = file.stat().st_size
        if size > MAX_IMAGE_BYTES:
            return (f"is {size / 2**20:,.0f} MB; the limit is {MAX_IMAGE_BYTES // 2**20} MB: "
                    "save a smaller copy")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PILImage.DecompressionBombWarning)
            with PILImage.open(file) as opened:        # reads the header, not the pixels
                width, height = opened.size
    except (OSError, SyntaxError, ValueError, PILImage.DecompressionBombError):
        return ""                   # unreadable: cleaning the picture says so, at its file
    if width * height > MAX_PIXELS:
        return (f"is {width}x{height} pixels; the limit is {MAX_PIXELS // 1_000_000} "
                "megapixels: save a smaller copy")
    return ""


def _person_file(source: Path, person_id: str, seen: Seen) -> bool:
    """Whether people/ID.yaml exists (when it has errors, they are reported on it)."""
    return ID_RE.match(person_id) is not None and any(
        seen.saw(source / "people" / f"{person_id}{suffix}").exists()
        for suffix in (".yaml", ".yml"))


def _pictures_need_a_bundle(file: Path, body: str, body_line: int, path: str,
                            problems: Problems, seen: Seen) -> None:
    """A one-file story cannot carry pictures: each picture it points to beside it is an error."""
    name = file.stem
    for number, text in enumerate(body.split("\n")):
        for match in _MARKDOWN_IMAGE.finditer(text):
            target = match.group(1).strip("<>")
            if "://" in target or target.startswith(("/", "#", "data:")):
                continue
            if seen.saw(file.parent / target).is_file() \
                    or target.lower().endswith(IMAGE_SUFFIXES):
                problems.error(path, body_line + number,
                               f"the picture \"{target}\" beside a one-file story is not "
                               f"published: pictures need the bundle form. Move {path} to "
                               f"stories/{name}/index.md and put {target} in stories/{name}/",
                               code="needs-bundle")


def _no_bidi(value: str, key: str, fields: Fields, path: str, problems: Problems) -> None:
    match = BIDI_RE.search(value)
    if match:
        problems.error(path, fields.line(key),
                       f"'{key}' contains an invisible direction-control character "
                       f"(U+{ord(match.group()):04X}) that can make it read differently; "
                       "remove it")


def _load_share(fields: Fields, path: str,
                problems: Problems) -> tuple[dict[str, str | bool], dict[str, int]]:
    """share: {platform: text or false}, and the line of each ('share.x': 12)."""
    document = fields.mapping("share")
    if document is None:
        return {}, {}
    share: dict[str, str | bool] = {}
    lines = {f"share.{name}": field.line for name, field in document.items()}
    for name, field in document.items():
        if name not in PLATFORMS:
            close = difflib.get_close_matches(name, PLATFORMS, n=1)
            hint = f"; did you mean '{close[0]}'?" if close else f" (known: {', '.join(PLATFORMS)})"
            problems.warning(path, field.line, f"unknown platform 'share.{name}'{hint}")
        elif field.tag == "bool" and field.value is False:
            share[name] = False
        elif field.tag == "str" and field.value.strip():
            share[name] = field.value.strip()
        else:
            problems.error(path, field.line, f"'share.{name}' must be the text to post, or false "
                                             f"for no snippet; got {describe(field)}")
    return share, lines


def every_platform(handles: dict[str, str]) -> Mapping[str, str]:
    """Handles with a key for every platform ('' for none), so templates never look up a gap."""
    return frozen_map({**no_handles(), **handles})


# -- files and paths ---------------------------------------------------------------------


def slugify(text: str) -> str:
    """Lowercase ASCII words joined by dashes: 'Über Café 2' -> 'uber-cafe-2'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def relative_path(source: Path, file: Path) -> str:
    """A path as diagnostics show it: relative to the source folder where it is inside."""
    inside, whole = f"{source}/", str(file)
    if whole.startswith(inside) and "/../" not in whole[len(inside) - 1:]:
        return whole[len(inside):]           # the common case, without pathlib's parsing
    try:
        return file.relative_to(source).as_posix()
    except ValueError:
        return file.as_posix()


def _read_text(file: Path, path: str, problems: Problems, limit: int) -> str | None:
    """Read a regular (not linked) UTF-8 text file within a size limit, newlines as LF."""
    if file.is_symlink():
        problems.error(path, 1, "symbolic links are not allowed; copy the file here instead")
        return None
    try:
        size = file.stat().st_size
        if size > limit:
            problems.error(path, 1, f"the file is {size / 1024:,.0f} KB; the limit is "
                                    f"{limit // 1024:,} KB. Split it, or move pictures out of it")
            return None
        with open(file, "rb") as handle:
            raw = handle.read(limit + 1)
    except OSError as exc:
        problems.error(path, 1, f"cannot read the file: {exc.strerror}")
        return None
    return normalise_text(raw, path, problems)


def _bounded_listing(folder: Path, limit: int = MAX_FOLDER_FILES) -> list[Path]:
    """A folder's entries, stopping one past `limit` (a folder of millions is not read)."""
    return [Path(entry.path) for entry in _bounded_entries(folder, limit)]


def _bounded_entries(folder: Path, limit: int = MAX_FOLDER_FILES) -> list[os.DirEntry]:
    """_bounded_listing as scandir's entries."""
    entries = []
    try:
        with os.scandir(folder) as scan:
            for entry in scan:
                entries.append(entry)
                if len(entries) > limit:
                    break
    except OSError:
        pass
    return entries


def _read_yaml_file(source: Path, file: Path, path: str, problems: Problems) -> Document | None:
    if not file.exists() and not file.is_symlink():
        return None
    text = _read_text(file, path, problems, MAX_YAML_BYTES)
    return None if text is None else read_mapping(text, path, problems)


def _image_path(source: Path, base: Path, fields: Fields, key: str, alt_key: str, path: str,
                problems: Problems, require_alt: bool = True,
                checked: Path | None = None, seen: Seen | None = None) -> Path | None:
    """Resolve an image path from front matter: it must exist inside the source folder.

    `checked` is a bundle folder whose pictures were already measured (_bound_bundle).
    """
    value = fields.text(key)
    if not value:
        return None
    line = fields.line(key)
    if "://" in value or value.startswith("//"):
        problems.error(path, line, f"'{key}' must be a file in the site's folder, not a web "
                                   f"address (\"{value}\")")
        return None
    target = source / value.lstrip("/") if value.startswith("/") else base / value
    if ".." in Path(value).parts or not _inside(source, target):
        problems.error(path, line, f"'{key}' points outside the site's folder (\"{value}\")")
        return None
    seen = Seen() if seen is None else seen
    if any(seen.saw(p).is_symlink() for p in _chain(source, target)):
        problems.error(path, line, f"'{key}' is a symbolic link (\"{value}\"); copy the file instead")
        return None
    if not target.is_file():
        problems.error(path, line, f"'{key}' file not found: \"{value}\" "
                                   f"(looked in {relative_path(source, target.parent) or '.'}/)")
        return None
    if target.suffix.lower() not in IMAGE_SUFFIXES:
        problems.error(path, line, f"'{key}' must be a JPEG, PNG, WebP or GIF image, "
                                   f"got \"{value}\"")
        return None
    too_large = "" if target.parent == checked else _picture_too_large(target)
    if too_large:
        problems.error(path, line, f"'{key}' {too_large}")
        return None
    if require_alt and not fields.text(alt_key):
        problems.error(path, line, f"'{key}' is set but '{alt_key}' is missing: describe the "
                                   f"picture for people who cannot see it", code="image-alt")
    return target


def _inside(folder: Path, target: Path) -> bool:
    try:
        Path(os.path.normpath(target)).relative_to(folder)
        return True
    except ValueError:
        return False


def _chain(source: Path, target: Path) -> list[Path]:
    """The target and each of its parents up to (not including) the source folder."""
    chain = []
    current = Path(os.path.normpath(target))
    while current != source and current != current.parent:
        chain.append(current)
        current = current.parent
    return chain

