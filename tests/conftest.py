"""Fixtures for the tests: make_site writes a small, real site folder in tmp_path; the
sample site is built once for the whole run.

The suite runs in parallel (pytest-xdist, see addopts in pyproject.toml): every test
writes only below its own tmp_path (or tmp_path_factory), serves on port 0, and reads
what a session fixture built without changing it.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path

import pytest

from sites import ROOT, TODAY, Run, SiteFolder, site_folder
from firsthand.output import fingerprint

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
def trust_new_files(monkeypatch):
    """Let the unchanged-site check trust files written a moment ago, as tests write them."""
    monkeypatch.setattr(fingerprint, "SETTLE_SECONDS", 0)
    monkeypatch.setenv("FIRSTHAND_TODAY", TODAY)


@pytest.fixture
def make_site(tmp_path):
    """make_site(stories={name: text}, people={id: text}, site=text) -> SiteFolder.

    With no arguments: one person (ana) and one story, a valid site.
    """

    def make(stories: dict | None = None, people: dict | None = None,
             site: str | None = None) -> SiteFolder:
        return site_folder(tmp_path / "src", stories, people, site)

    return make


def built_once(tmp_path_factory, name: str, *args: str) -> SiteFolder:
    """The repository's sample site built with `build --out DIR --quiet *args`, once for the
    run: under xdist the first worker to ask builds it (the others wait on a lock), and
    every worker reads the same folder. Its root is the repository itself."""
    base = tmp_path_factory.getbasetemp()
    shared = base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base
    place = shared / f"shared-{name}"
    place.mkdir(exist_ok=True)
    folder = SiteFolder(ROOT)
    folder.out = place / "site"
    said = place / "stderr.txt"
    with open(place / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)            # released when the file is closed
        if not said.exists():
            run = folder.run("build", "--out", str(folder.out), "--quiet", *args)
            assert run.code == 0, run.err
            said.write_text(run.err, encoding="utf-8")   # written last: the build is whole
    folder.built = Run(0, "", said.read_text(encoding="utf-8"))
    return folder


@pytest.fixture(scope="session")
def sample(tmp_path_factory) -> SiteFolder:
    """The sample site as `python build.py` makes it (its base_url is a host's root); its
    `.out` is shared by every test that uses it, so read it and never write into it."""
    return built_once(tmp_path_factory, "sample")


@pytest.fixture(scope="session")
def sample_site(sample) -> Path:
    """The built sample site's folder."""
    return sample.out


@pytest.fixture(scope="session")
def sample_site_subpath(tmp_path_factory) -> Path:
    """The sample site built for a deeper sub-path of another host."""
    return built_once(tmp_path_factory, "sample-sub",
                      "--base-url", "https://example.com/sub/path/").out
