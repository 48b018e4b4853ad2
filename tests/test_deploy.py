"""`deploy`: the built site is committed to a branch of a real (bare) git repository."""

from __future__ import annotations

import subprocess

import pytest

from sites import SITE_YAML


@pytest.fixture(autouse=True)
def git_identity(monkeypatch, tmp_path):
    for who in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{who}_NAME", "Writer")
        monkeypatch.setenv(f"GIT_{who}_EMAIL", "writer@testco.example")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


def git(cwd, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True,
                          text=True).stdout


def versioned(site, tmp_path):
    """Put the site under git with a bare remote called origin; return the remote."""
    site.write(".gitignore", "site/\n")
    git(site.root, "init", "--quiet", "--initial-branch", "main")
    git(site.root, "add", "--all")
    git(site.root, "commit", "--quiet", "-m", "Stories")
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "--quiet", "--bare", str(remote))
    git(site.root, "remote", "add", "origin", str(remote))
    return remote


def branch_files(remote, branch: str = "gh-pages") -> dict[str, bytes]:
    names = git(remote, "ls-tree", "-r", "--name-only", branch).splitlines()
    return {name: subprocess.run(["git", "show", f"{branch}:{name}"], cwd=remote, check=True,
                                 capture_output=True).stdout for name in names}


def test_deploy_pushes_exactly_the_built_site_once(make_site, tmp_path):
    site = make_site()
    remote = versioned(site, tmp_path)
    source = git(site.root, "rev-parse", "HEAD").strip()

    run = site.run("deploy", "--remote", "origin")
    assert run.code == 0, run.err
    pushed = git(remote, "rev-parse", "--short=12", "gh-pages").strip()
    files = len(site.snapshot())
    assert run.out.splitlines() == [f"Deployed {source[:12]} to gh-pages of origin: commit "
                                    f"{pushed}, {files} files."]
    assert branch_files(remote) == {**site.snapshot(), ".nojekyll": b""}
    assert git(remote, "log", "-1", "--format=%B", "gh-pages").strip() == (
        f"Deploy {source[:12]}\n\nBuilt by `python build.py deploy` from {source}.")

    again = site.run("deploy", "--remote", str(remote))
    assert again.code == 0
    assert again.out.splitlines() == [f"Nothing to deploy: gh-pages of {remote} already holds "
                                      "this build."]
    assert git(remote, "rev-list", "--count", "gh-pages").strip() == "1"


def test_a_new_story_is_a_new_commit_and_cname_follows_the_domain(make_site, tmp_path):
    site = make_site(site=SITE_YAML + "domain: careers.testco.example\n")
    remote = versioned(site, tmp_path)
    assert site.run("deploy", "--remote", "origin", "--branch", "pages").code == 0
    site.story("2026-03-01-second.md", title="Second story")
    git(site.root, "add", "--all")
    git(site.root, "commit", "--quiet", "-m", "Second story")
    run = site.run("deploy", "--remote", "origin", "--branch", "pages")
    assert run.code == 0, run.err
    assert git(remote, "rev-list", "--count", "pages").strip() == "2"
    files = branch_files(remote, "pages")
    assert files["CNAME"] == b"careers.testco.example\n"
    assert "stories/second/index.html" in files
    assert files == {**site.snapshot(), ".nojekyll": b"", "CNAME": b"careers.testco.example\n"}


def test_a_failing_build_pushes_nothing(make_site, tmp_path):
    site = make_site()
    site.story("2026-03-01-bad.md", title="Bad", date="1.3.2026")
    remote = versioned(site, tmp_path)
    run = site.run("deploy", "--remote", "origin")
    assert run.code == 1
    assert run.lines == [
        "stories/2026-03-01-bad.md:4: error: 'date' must be YYYY-MM-DD, got \"1.3.2026\"",
        "Deploy stopped: the build has 1 error. Nothing was pushed."]
    assert git(remote, "branch", "--list") == ""
    assert not site.out.exists()


def test_a_dirty_working_tree_needs_allow_dirty(make_site, tmp_path):
    site = make_site()
    remote = versioned(site, tmp_path)
    site.story("2026-03-01-second.md", title="Not committed yet")
    run = site.run("deploy", "--remote", "origin")
    assert run.code == 1
    assert run.lines == ["Deploy stopped: the site's folder has uncommitted changes:",
                         "  ?? stories/2026-03-01-second.md",
                         "Commit them first, or pass --allow-dirty. Nothing was pushed."]
    assert git(remote, "branch", "--list") == ""

    run = site.run("deploy", "--remote", "origin", "--allow-dirty")
    assert run.code == 0, run.err
    assert run.lines == []
    assert "stories/second/index.html" in branch_files(remote)
    assert "with uncommitted changes" in git(remote, "log", "-1", "--format=%s", "gh-pages")


def test_warnings_are_shown_and_do_not_stop_a_deploy(make_site, tmp_path):
    site = make_site()
    site.person("bo", name="Bo Berg", extra="active: false\n")
    site.story("2026-03-01-bo.md", title="Bo on the dock", author="bo")
    remote = versioned(site, tmp_path)
    run = site.run("deploy", "--remote", "origin")
    assert run.code == 0
    assert run.lines == ["stories/2026-03-01-bo.md:3: warning: 'bo' is marked active: false, "
                         "so this story is not published"]
    assert "stories/bo/index.html" not in branch_files(remote)


def test_an_unknown_remote_is_named(make_site, tmp_path):
    site = make_site()
    versioned(site, tmp_path)
    run = site.run("deploy", "--remote", "upstream")
    assert run.code == 1
    assert run.lines == ["Deploy stopped: 'upstream' is neither a remote of this repository, "
                         "nor a URL, nor a folder; see `git remote -v`. Nothing was pushed."]


def test_a_runner_without_a_git_identity_still_deploys(make_site, tmp_path, monkeypatch):
    site = make_site()
    remote = versioned(site, tmp_path)
    for who in ("AUTHOR", "COMMITTER"):
        monkeypatch.delenv(f"GIT_{who}_NAME")
        monkeypatch.delenv(f"GIT_{who}_EMAIL")
    (tmp_path / "gitconfig").write_text("[user]\n\tuseConfigOnly = true\n")
    run = site.run("deploy", "--remote", "origin")
    assert run.code == 0, run.err
    assert git(remote, "log", "-1", "--format=%an <%ae>", "gh-pages").strip() == \
        "Firsthand deploy <firsthand@localhost>"
