"""`python build.py init DIR`: a site of one's own in one command, that builds as it is."""

from __future__ import annotations

import re
import subprocess
import sys

from sites import ROOT, build_env, SiteFolder


def run(*args: str, cwd) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "build.py"), *args], cwd=cwd,
                          capture_output=True, text=True, env=build_env("2026-11-23"),
                          timeout=300)


def test_init_writes_a_site_that_builds_and_checks_clean(tmp_path):
    done = run("init", "acme-robotics", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    folder = tmp_path / "acme-robotics"
    assert sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file()) \
        == [".gitignore", "people/your-name.yaml", "site.yaml",
            "stories/2026-11-23-why-we-share-our-stories-at-acme-robotics.md"]
    assert done.stdout.splitlines()[0] == "Created acme-robotics/site.yaml"
    assert "  python build.py build --source acme-robotics" in done.stdout
    site_yaml = (folder / "site.yaml").read_text()
    assert 'company: "Acme Robotics"' in site_yaml
    assert "# Your site of employee stories." in site_yaml
    built = run("build", "--source", str(folder), cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    assert "0 warnings" in built.stdout and built.stderr == ""
    site = SiteFolder(folder)
    page = site.page("stories/why-we-share-our-stories-at-acme-robotics/")
    assert "This is the first story of Acme Robotics" in page
    assert "Your Name" in page
    checked = run("check", "--source", str(folder), cwd=tmp_path)
    assert checked.returncode == 0 and checked.stdout == "", checked.stderr


def test_every_commented_setting_works_when_uncommented(tmp_path):
    assert run("init", "site", cwd=tmp_path).returncode == 0
    path = tmp_path / "site" / "site.yaml"
    text = path.read_text()
    settings = re.compile(r"^# (?=\s*[a-z_]+:)", re.M)
    assert len(settings.findall(text)) >= 12
    path.write_text(settings.sub("", text))
    built = run("build", "--source", str(tmp_path / "site"), cwd=tmp_path)
    assert built.returncode == 0, built.stderr
    assert built.stderr == ""


def test_init_refuses_a_folder_that_holds_files(tmp_path):
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "notes.txt").write_text("mine")
    done = run("init", "taken", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip() == (f"error: {tmp_path / 'taken'} already holds files; choose a "
                                   "new or empty folder, or edit the site that is there")
    assert sorted(p.name for p in (tmp_path / "taken").iterdir()) == ["notes.txt"]


def test_init_into_an_empty_git_repository(tmp_path):
    (tmp_path / "repo" / ".git").mkdir(parents=True)
    done = run("init", "repo", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "repo" / "site.yaml").is_file()
