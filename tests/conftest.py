"""Fixtures for the tests: make_site writes a small, real site folder in tmp_path."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from sites import SiteFolder, SITE_YAML

CHROMIUM = os.environ.get("FIRSTHAND_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright, one for the whole run (Playwright's sync API
    allows one instance per thread); skipped with a reason when it is missing."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"needs Debian's chromium at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.skip("needs the playwright package (pip install -e '.[test]')")
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


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
