"""Catalogs: i18n/LANG.yaml of the theme and the site, merged key by key, with fallbacks."""

import datetime as dt

from firsthand.content.catalog import direction, long_date, month, read_catalogs
from firsthand.content.problems import Problems


def write(folder, lang, text):
    (folder / "i18n").mkdir(parents=True, exist_ok=True)
    (folder / "i18n" / f"{lang}.yaml").write_text(text, encoding="utf-8")


def make(tmp_path, theme_words, site_words=None, languages=("en", "ja")):
    theme, site = tmp_path / "theme", tmp_path / "site"
    for lang, text in theme_words.items():
        write(theme, lang, text)
    for lang, text in (site_words or {}).items():
        write(site, lang, text)
    site.mkdir(exist_ok=True)
    problems = Problems()
    return read_catalogs(site, tuple(languages), problems, theme=theme), problems


def test_the_site_wins_key_by_key_and_a_missing_key_falls_back_with_one_warning(tmp_path):
    catalog, problems = make(tmp_path, {
        "en": 'nav:\n  home: "Stories"\n  people: "People"\n',
        "ja": 'nav:\n  home: "ストーリー"\n'}, {"ja": 'nav:\n  home: "物語"\n'})
    assert catalog.text("ja", "nav.home") == "物語"
    assert catalog.text("ja", "nav.people") == "People"
    assert catalog.text("en", "nav.home") == "Stories"
    warnings = [str(p) for p in problems.warnings]
    assert warnings == ["i18n/ja.yaml:1: warning: the catalog for 'ja' has no 'nav.people': "
                        "the default language's words are used"]


def test_plural_forms_follow_the_language_and_numbers_are_formatted(tmp_path):
    catalog, problems = make(tmp_path, {
        "en": 'stories:\n  one: "{count} story"\n  other: "{count} stories"\n',
        "pl": 'stories:\n  one: "{count} historia"\n  few: "{count} historie"\n'
              '  many: "{count} historii"\n  other: "{count} historii"\n'},
        languages=("en", "pl"))
    assert catalog.text("en", "stories", count=1) == "1 story"
    assert catalog.text("en", "stories", count=1200) == "1,200 stories"
    assert catalog.text("pl", "stories", count=3) == "3 historie"
    assert catalog.text("pl", "stories", count=5) == "5 historii"
    assert not problems.warnings


def test_a_regional_language_uses_its_base_and_an_unknown_one_the_default(tmp_path):
    catalog, problems = make(tmp_path, {"en": 'home: "Home"\n', "pt": 'home: "Início"\n'},
                             languages=("en", "pt-BR", "xx"))
    assert catalog.text("pt-BR", "home") == "Início"
    assert catalog.text("xx", "home") == "Home"
    assert any("no catalog for 'xx'" in p.message for p in problems.warnings)


def test_a_broken_catalog_is_an_error_at_its_line(tmp_path):
    _, problems = make(tmp_path, {"en": 'home: "Home"\ncount: 3\nbad: "{0}"\n'},
                       languages=("en",))
    errors = [str(p) for p in problems.sorted() if p.is_error]
    assert errors[0].startswith("i18n/en.yaml:2: error: 'count' must be text")
    assert errors[1].startswith("i18n/en.yaml:3: error: 'bad' has a {place} that is not")


def test_dates_months_and_direction_follow_cldr():
    day = dt.date(2026, 2, 10)
    assert long_date(day, "en") == "February 10, 2026"
    assert long_date(day, "en-GB") == "10 February 2026"
    assert long_date(day, "ja") == "2026年2月10日"
    assert long_date(day, "de") == "10. Februar 2026"
    assert month(day, "fr") == "février 2026"
    assert direction("ar") == "rtl" and direction("he") == "rtl" and direction("ja") == "ltr"
