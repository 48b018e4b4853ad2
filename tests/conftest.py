"""Fixtures for the tests: make_site writes a small, real site folder in tmp_path."""

from __future__ import annotations

import pytest

from sites import SiteFolder, SITE_YAML


@pytest.fixture
def make_site(tmp_path):
    """make_site(stories={name: text}, people={id: text}, site=text) -> SiteFolder.

    With no arguments: one person (ana) and one story, a valid site.
    """

    def make(stories: dict | None = None, people: dict | None = None,
             site: str | None = None) -> SiteFolder:
        folder = SiteFolder(tmp_path / "src")
        folder.write("site.yaml", site if site is not None else SITE_YAML)
        if people is None:
            folder.person("ana")
        else:
            for person_id, text in people.items():
                folder.write(f"people/{person_id}.yaml", text)
        if stories is None:
            folder.story("2026-02-10-night-shift.md")
        else:
            for name, text in stories.items():
                folder.write(f"stories/{name}", text)
        return folder

    return make
