"""Deploy: build the site, commit it to a branch of a git remote (like gh-pages), push.

The branch holds only the built site, plus `.nojekyll` (so GitHub Pages serves it as it
is) and `CNAME` when site.yaml sets a domain. Git runs with explicit arguments, never
through a shell.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from firsthand.build import Result, build
from firsthand.output.store import FOLDER as CACHE_FOLDER

OUTPUT_FOLDER = "site"
FALLBACK_IDENTITY = {"user.name": "Firsthand deploy", "user.email": "firsthand@localhost"}


class DeployError(Exception):
    """Deploying stopped before anything was pushed."""

    def __init__(self, message: str, result: Result | None = None):
        super().__init__(message)
        self.result = result


def deploy(source: Path, remote: str, branch: str = "gh-pages",
           allow_dirty: bool = False) -> tuple[str, Result]:
    """Build `source` into SOURCE/site and push it to `branch` of `remote`.

    Returns what happened, in a sentence, and the build's result (for its warnings).
    """
    commit, dirty = source_state(source)
    if dirty and not allow_dirty:
        listing = "\n".join(f"  {line}" for line in dirty[:10])
        raise DeployError(f"the site's folder has uncommitted changes:\n{listing}\n"
                          "Commit them first, or pass --allow-dirty.")
    if commit is None and not allow_dirty:
        raise DeployError(f"{source} is not in a git repository, so the deploy could not "
                          "say which version it is; pass --allow-dirty to deploy anyway.")
    url = remote_url(source, remote)
    out = source / OUTPUT_FOLDER
    result = build(source, out)
    if not result.ok:
        errors = sum(p.is_error for p in result.problems)
        raise DeployError(f"the build has {errors} error{'s' * (errors != 1)}.", result)
    described = (commit[:12] if commit else "an unversioned folder") + \
        (" with uncommitted changes" if dirty else "")
    message = f"Deploy {described}\n\nBuilt by `python build.py deploy` from {commit or 'no commit'}" \
              f"{' (with uncommitted changes)' if dirty else ''}.\n"
    with tempfile.TemporaryDirectory(prefix="firsthand-deploy-") as folder:
        work = Path(folder)
        _git(work, "init", "--quiet")
        exists = _git(work, "ls-remote", "--heads", url, f"refs/heads/{branch}").strip() != ""
        if exists:
            _git(work, "fetch", "--quiet", "--depth", "1", url, f"refs/heads/{branch}")
            _git(work, "checkout", "--quiet", "-B", branch, "FETCH_HEAD")
        else:
            _git(work, "checkout", "--quiet", "--orphan", branch)
        fill(work, out, result.site.domain)
        _git(work, "add", "--all", "--force")     # --force: no global ignore rule drops a file
        if exists and _git_ok(work, "diff", "--cached", "--quiet"):
            return f"Nothing to deploy: {branch} of {remote} already holds this build.", result
        _git(work, *_identity(work), "-c", "commit.gpgsign=false", "commit", "--quiet",
             "--no-verify", "-m", message)
        _git(work, "push", "--quiet", url, f"HEAD:refs/heads/{branch}")
        pushed = _git(work, "rev-parse", "--short=12", "HEAD").strip()
    files = sum(1 for p in out.rglob("*") if p.is_file())
    return f"Deployed {described} to {branch} of {remote}: commit {pushed}, {files} files.", \
        result


def source_state(source: Path) -> tuple[str | None, list[str]]:
    """The source's commit (None outside git) and its uncommitted changes.

    The output and the build cache are made by the build, not written by anyone, so
    they never count as changes.
    """
    if not _git_ok(source, "rev-parse", "--is-inside-work-tree"):
        return None, []
    commit = _git(source, "rev-parse", "--verify", "--quiet", "HEAD").strip() \
        if _git_ok(source, "rev-parse", "--verify", "--quiet", "HEAD") else None
    status = _git(source, "status", "--porcelain", "--untracked-files=all", "--", ".",
                  f":(exclude){OUTPUT_FOLDER}", f":(exclude){CACHE_FOLDER}")
    return commit, [line for line in status.splitlines() if line.strip()]


def remote_url(source: Path, remote: str) -> str:
    """The URL of a remote named in the source's repository, a URL, or a local repository."""
    if _git_ok(source, "remote", "get-url", remote):
        return _git(source, "remote", "get-url", remote).strip()
    if "://" in remote or ("@" in remote and ":" in remote):
        return remote
    if Path(remote).exists():
        return str(Path(remote).resolve())
    raise DeployError(f"'{remote}' is neither a remote of this repository, nor a URL, nor a "
                      "folder; see `git remote -v`.")


def fill(work: Path, out: Path, domain: str) -> None:
    """Make the work tree hold exactly the built site, .nojekyll and CNAME."""
    for entry in work.iterdir():
        if entry.name == ".git":
            continue
        if entry.is_dir() and not entry.is_symlink():
            shutil.rmtree(entry)
        else:
            entry.unlink()
    shutil.copytree(out, work, dirs_exist_ok=True)
    (work / ".nojekyll").write_bytes(b"")
    if domain:
        (work / "CNAME").write_text(domain + "\n", encoding="utf-8")


def _identity(work: Path) -> list[str]:
    """-c user.name/-c user.email when git knows no one, so a bare CI runner can commit."""
    if _git_ok(work, "var", "GIT_AUTHOR_IDENT") and _git_ok(work, "var", "GIT_COMMITTER_IDENT"):
        return []
    return [option for key, value in FALLBACK_IDENTITY.items()
            for option in ("-c", f"{key}={value}")]


def _git(cwd: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise DeployError(f"git {args[0]} failed: {detail[-1] if detail else done.returncode}.")
    return done.stdout


def _git_ok(cwd: Path, *args: str) -> bool:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True).returncode == 0
