"""Helpers for the tests of rebuilds: build in this process, edit a file, and note what
a build hands the writer or reads from the store."""

from __future__ import annotations

from typing import Callable

import sites  # noqa: F401  (puts the checkout under test first on sys.path)
from firsthand.commands.cli import main
from firsthand.output.write import SiteWriter


def build_here(site, *args) -> int:
    """`python build.py build ...` in this process (faster than a subprocess)."""
    return main(["build", "--source", str(site.root), "--quiet", *args])


def edit(site, relative, old, new):
    path = site.root / relative
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def calls_noted(monkeypatch, owner, name: str, note: Callable) -> list:
    """Patch owner.name to note each call: note(*args) is kept when it is not None."""
    noted: list = []
    real = getattr(owner, name)

    def spy(*args):
        found = note(*args)
        if found is not None:
            noted.append(found)
        return real(*args)
    monkeypatch.setattr(owner, name, spy)
    return noted


def handed_to_the_writer(monkeypatch) -> list[str]:
    """The paths a build gives the writer with their bytes (kept ones are not given)."""
    return calls_noted(monkeypatch, SiteWriter, "add", lambda writer, relative, data: relative)
