"""The words a site is made of, per language: `i18n/LANG.yaml` in the theme and the site.

A catalog file is YAML, one mapping, nested as deep as reads well; a key is its path
joined with dots (`nav.home`). A value is text with `{named}` places, or, for words that
depend on a number, a mapping of CLDR plural categories (`one`, `few`, `many`, `other`...).

    nav:
      home: "Stories"
    reading_time:
      one: "{count} min read"
      other: "{count} min read"

The site's `i18n/LANG.yaml` wins over the theme's key by key. A key a language lacks is
taken from the site's default language, then from the theme's English (always complete),
with one warning per language and key. Dates and numbers are Babel's, so they follow
CLDR for the language (`10 February 2026`, `2026年2月10日`).
"""

from __future__ import annotations

import datetime as dt
import functools
import string
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

import babel
import babel.dates
import babel.numbers

from firsthand.content.frontmatter import Document, Field, read_mapping
from firsthand.content.problems import Problems, shown_path

I18N_FOLDER = "i18n"
THEME = Path(__file__).resolve().parents[2]       # the default theme: the repository
FALLBACK = "en"                                    # the theme's complete catalog
PLURAL_CATEGORIES = ("zero", "one", "two", "few", "many", "other")
RTL_SCRIPTS = {"ar", "fa", "he", "ur", "ps", "sd", "ug", "yi", "dv", "ckb"}

Text = str | Mapping[str, str]          # a text, or its plural forms


@dataclass(frozen=True)
class Catalog:
    """Every language's words, already merged: site over theme, the default under both."""

    default: str
    languages: tuple[str, ...]
    # language -> key -> text or plural forms; every language has every key.
    words: Mapping[str, Mapping[str, Text]] = field(default_factory=dict)

    def text(self, lang: str, key: str, count: int | None = None, **values) -> str:
        """The words for key in lang, with {places} filled; count picks the plural form."""
        found = self.form(lang, key, count)
        if count is not None:
            values["count"] = number(lang, count)
        return found.format_map(values) if values else found

    def form(self, lang: str, key: str, count: int | None = None) -> str:
        """The words for key in lang as written, {places} and all; count picks the plural form."""
        found = self.words.get(self.known(lang), {}).get(key)
        if found is None:
            found = self.words.get(self.default, {}).get(key)
        if found is None:
            raise KeyError(f"no catalog has the key '{key}'")
        if not isinstance(found, str):
            found = found.get(plural_category(lang, count or 0)) or found["other"]
        return found

    def only(self, lang: str) -> "Catalog":
        """The catalog of one language alone: what a page in lang can say, and no more."""
        own = self.known(lang)
        return Catalog(default=own, languages=(lang,),
                       words=MappingProxyType({own: self.words.get(own, {})}))

    def known(self, lang: str) -> str:
        """The catalog language that serves lang: itself, its base (pt for pt-BR), or the default."""
        if lang in self.words:
            return lang
        base = lang.split("-")[0]
        return base if base in self.words else self.default

    def has(self, key: str) -> bool:
        return key in self.words.get(self.default, {})


def read_catalogs(source: Path, languages: tuple[str, ...], problems: Problems,
                  theme: Path = THEME) -> Catalog:
    """Read the catalogs of every language the site publishes, and English, into one Catalog.

    languages[0] is the default. A catalog file with errors is reported and left out, so
    its language falls back word by word, like a missing key.
    """
    default = languages[0]
    wanted = tuple(dict.fromkeys((FALLBACK, *languages, *(lang.split("-")[0] for lang in languages))))
    fallback = _read_language(theme, source, FALLBACK, problems)
    merged: dict[str, Mapping[str, Text]] = {}
    for lang in wanted:
        own = _read_language(theme, source, lang, problems) if lang != FALLBACK else fallback
        merged[lang] = own
    base_of_default = merged.get(default) or merged.get(default.split("-")[0]) or {}
    under = {**fallback, **base_of_default}
    words: dict[str, Mapping[str, Text]] = {}
    for lang in wanted:
        own = dict(merged[lang])
        if "-" in lang:
            own = {**merged.get(lang.split("-")[0], {}), **own}
        if lang in languages and lang != FALLBACK:
            _warn_missing(source, theme, lang, own, under, problems)
        words[lang] = MappingProxyType({**under, **own})
    return Catalog(default=default, languages=tuple(languages),
                   words=MappingProxyType(words))


def _read_language(theme: Path, source: Path, lang: str, problems: Problems) -> dict[str, Text]:
    words: dict[str, Text] = {}
    folders = [theme / I18N_FOLDER]
    if source.resolve() != theme.resolve():
        folders.append(source / I18N_FOLDER)
    for folder in folders:        # the site's file last: it wins key by key
        path = folder / f"{lang}.yaml"
        if path.is_file():
            words.update(_read_file(path, shown_path(path, source, theme), problems))
    return words



def _read_file(path: Path, label: str, problems: Problems) -> dict[str, Text]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        problems.error(label, 1, f"this catalog cannot be read as UTF-8 text: {exc}")
        return {}
    document = read_mapping(text, label, problems)
    if document is None:
        return {}
    words: dict[str, Text] = {}
    _flatten(document, "", label, problems, words)
    return words


def _flatten(document: Document, prefix: str, label: str, problems: Problems,
             into: dict[str, Text]) -> None:
    for name, item in document.items():
        key = f"{prefix}{name}"
        value = item.value
        if isinstance(value, Document) and value and set(value) <= set(PLURAL_CATEGORIES):
            forms = {}
            for category, form in value.items():
                if _checked(form, f"{key}.{category}", label, problems):
                    forms[category] = form.value
            if "other" not in forms:
                problems.error(label, item.line, f"'{key}' has plural forms but no 'other', "
                                                 "the one every language needs")
                continue
            into[key] = MappingProxyType(forms)
        elif isinstance(value, Document):
            _flatten(value, key + ".", label, problems, into)
        elif _checked(item, key, label, problems):
            into[key] = value


def _checked(item: Field, key: str, label: str, problems: Problems) -> bool:
    """A catalog value must be text whose {places} are plain names."""
    if not isinstance(item.value, str):
        problems.error(label, item.line, f"'{key}' must be text in double quotes, got a "
                                         f"{item.tag} value")
        return False
    try:
        places = [name for _, name, _, _ in string.Formatter().parse(item.value) if name is not None]
    except ValueError as exc:
        problems.error(label, item.line, f"'{key}' has a broken {{place}}: {exc}; write "
                                         "{name} for a value, {{ for a brace")
        return False
    bad = [name for name in places if not name.isidentifier()]
    if bad:
        problems.error(label, item.line, f"'{key}' has a {{place}} that is not a plain name: "
                                         f"{{{bad[0]}}}")
        return False
    return True


def _warn_missing(source: Path, theme: Path, lang: str, own: Mapping[str, Text],
                  under: Mapping[str, Text], problems: Problems) -> None:
    missing = sorted(set(under) - set(own))
    if not missing:
        return
    site_file = source / I18N_FOLDER / f"{lang}.yaml"
    theme_file = theme / I18N_FOLDER / f"{lang}.yaml"
    where = site_file if site_file.is_file() or not theme_file.is_file() else theme_file
    label = shown_path(where, source, theme)
    if not own:
        problems.warning(label, 1, f"there is no catalog for '{lang}' (i18n/{lang}.yaml): "
                                   f"its pages and posts use the words of '{FALLBACK}'",
                         code="i18n")
        return
    for key in missing:
        problems.warning(label, 1, f"the catalog for '{lang}' has no '{key}': the "
                                   "default language's words are used", code="i18n")


# -- formats: Babel's CLDR data, remembered (every list shows the same dates) ---------------


@functools.lru_cache(maxsize=256)
def locale(lang: str) -> babel.Locale:
    """Babel's locale for a language code (pt-BR, ja); English for one Babel does not know."""
    for candidate in (lang, lang.split("-")[0]):
        try:
            return babel.Locale.parse(candidate, sep="-")
        except (ValueError, babel.UnknownLocaleError):
            continue
    return babel.Locale.parse(FALLBACK)


@functools.lru_cache(maxsize=8192)
def long_date(day: dt.date, lang: str) -> str:
    """'10 February 2026' in English, '2026年2月10日' in Japanese: CLDR's long date."""
    return babel.dates.format_date(day, format="long", locale=locale(lang))


@functools.lru_cache(maxsize=1024)
def month(day: dt.date, lang: str) -> str:
    """'February 2026', 'février 2026': a month heading, CLDR's standalone form."""
    return babel.dates.format_skeleton("yMMMM", day, locale=locale(lang))


@functools.lru_cache(maxsize=4096)
def number(lang: str, value: int | float) -> str:
    return babel.numbers.format_decimal(value, locale=locale(lang))


@functools.lru_cache(maxsize=4096)
def plural_category(lang: str, count: int | float) -> str:
    return locale(lang).plural_form(count)


def direction(lang: str) -> str:
    """'rtl' for a language written right to left, else 'ltr'."""
    base = lang.split("-")[0].lower()
    if base in RTL_SCRIPTS:
        return "rtl"
    return locale(lang).character_order == "right-to-left" and "rtl" or "ltr"
