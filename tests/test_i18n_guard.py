"""A one-language site is byte for byte what it was before sites had languages.

The manifest beside this file lists every output path of two sites with the sha256 of its
bytes, as built by the code before languages came (the sample site of the repository and
the smallest site of tests/sites.py). The test builds them again in tmp_path and compares.

When a change means to alter the output of one-language sites (a new page, a new
template word), write the manifest again and say why in the commit:

    python tests/test_i18n_guard.py --write
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import sys
import tempfile
from pathlib import Path

from sites import ROOT, SiteFolder, SITE_YAML

MANIFEST = Path(__file__).with_name("one_language_manifest.json")
SAMPLE_PARTS = ("site.yaml", "stories", "people")
TRANSLATION = re.compile(r"\.[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*\.md$")     # night-shift.ja.md


def sample_site(folder: Path) -> SiteFolder:
    """The repository's own sample site as a one-language site, copied (the tests never
    write into the checkout): its translations and its `languages:` line left out."""
    for part in SAMPLE_PARTS:
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, folder / part,
                            ignore=lambda _, names: [n for n in names if TRANSLATION.search(n)])
        else:
            folder.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, folder / part)
    site_yaml = folder / "site.yaml"
    site_yaml.write_text(re.sub(r"(?m)^languages:.*$", "language: en",
                                site_yaml.read_text(encoding="utf-8")), encoding="utf-8")
    return SiteFolder(folder)


def smallest_site(folder: Path) -> SiteFolder:
    """make_site() with no arguments: one person, one story."""
    site = SiteFolder(folder)
    site.write("site.yaml", SITE_YAML)
    site.person("ana")
    site.story("2026-02-10-night-shift.md")
    return site


def manifest(site: SiteFolder) -> dict[str, str]:
    run = site.build()
    assert run.code == 0, run.err
    return {path: hashlib.sha256(data).hexdigest() for path, data in site.snapshot().items()}


def both(root: Path) -> dict[str, dict[str, str]]:
    return {"sample": manifest(sample_site(root / "sample")),
            "smallest": manifest(smallest_site(root / "smallest"))}


def test_a_one_language_site_is_byte_identical_to_before(tmp_path):
    expected = json.loads(MANIFEST.read_text(encoding="utf-8"))
    built = both(tmp_path)
    for name in expected:
        assert sorted(built[name]) == sorted(expected[name]), f"{name}: other output files"
        changed = [path for path in expected[name] if built[name][path] != expected[name][path]]
        assert not changed, f"{name}: these files changed: {changed}"


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit("usage: python tests/test_i18n_guard.py --write")
    with tempfile.TemporaryDirectory() as folder:
        MANIFEST.write_text(json.dumps(both(Path(folder)), indent=1, sort_keys=True) + "\n",
                            encoding="utf-8")
    print(f"wrote {MANIFEST}")
