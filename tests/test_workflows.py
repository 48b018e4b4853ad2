"""The GitHub workflows a company's fork runs: valid YAML, with the steps the README promises."""

from __future__ import annotations

import json
import re
import shutil
import subprocess

import pytest
import yaml

from sites import ROOT

WORKFLOWS = ROOT / ".github" / "workflows"


def load(name: str) -> dict:
    document = yaml.safe_load((WORKFLOWS / name).read_text(encoding="utf-8"))
    document["on"] = document.pop(True, document.get("on"))   # YAML 1.1 reads `on` as true
    return document


def steps(document: dict, job: str) -> list[dict]:
    return document["jobs"][job]["steps"]


def test_every_pull_request_is_checked_and_previewed():
    flow = load("pr.yml")
    assert "pull_request" in flow["on"]
    assert flow["permissions"] == {}
    assert flow["jobs"]["check"]["permissions"] == {"contents": "read"}
    job = steps(flow, "check")
    runs = [step.get("run") for step in job]
    uses = [step.get("uses", "").split("@")[0] for step in job]
    assert uses[:2] == ["actions/checkout", "actions/setup-python"]
    check = runs.index("python build.py check --format github")
    preview = runs.index("python build.py build --drafts")
    upload = uses.index("actions/upload-artifact")
    assert check < preview < upload
    assert job[upload]["with"]["path"] == "site/"


def test_main_is_built_and_deployed_to_github_pages():
    flow = load("deploy.yml")
    assert flow["on"]["push"] == {"branches": ["main"]}
    assert "schedule" in flow["on"]
    assert flow["permissions"] == {}
    assert flow["jobs"]["build"]["permissions"] == {"contents": "read"}
    assert flow["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    build = steps(flow, "build")
    assert "python build.py build" in [step.get("run") for step in build]
    upload = [s for s in build if s.get("uses", "").startswith("actions/upload-pages-artifact@")]
    assert upload and upload[0]["with"]["path"] == "site/"
    deploy = flow["jobs"]["deploy"]
    assert deploy["needs"] == "build"
    assert deploy["environment"]["name"] == "github-pages"
    assert [s["uses"].split("@")[0] for s in deploy["steps"]] == ["actions/deploy-pages"]


def test_the_readme_explains_proposing_reviewing_and_deploying():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for heading in ("## Quick start", "## Proposing a story", "## Reviewing a story",
                    "## Deploying"):
        assert heading in readme
    for command in ("python build.py new ", "python build.py new-person ",
                    "python build.py deploy --remote origin", "check --format github"):
        assert command in readme


def test_both_workflows_keep_the_build_cache_keyed_on_the_engine():
    for name, job in (("pr.yml", "check"), ("deploy.yml", "build")):
        job_steps = steps(load(name), job)
        uses = [step.get("uses", "").split("@")[0] for step in job_steps]
        cache = job_steps[uses.index("actions/cache")]
        assert cache["with"]["path"].split() == [".firsthand-cache/", "!.firsthand-cache/spare/"]
        assert cache["with"]["key"] == \
            "firsthand-${{ hashFiles('firsthand/**/*.py', 'pyproject.toml') }}"
        runs = [step.get("run", "") for step in job_steps]
        assert uses.index("actions/cache") < min(i for i, r in enumerate(runs)
                                                if r.startswith("python build.py"))


def test_every_action_is_pinned_to_a_commit_with_its_version_beside_it():
    for path in sorted(WORKFLOWS.glob("*.yml")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if "uses:" in line:
                assert re.search(r"uses: [\w.-]+/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$",
                                 line), (path.name, line)


@pytest.mark.skipif(shutil.which("zizmor") is None,
                    reason="needs zizmor (pip install -e '.[test]')")
def test_zizmor_finds_nothing_offline():
    done = subprocess.run(["zizmor", "--offline", "--format", "json", str(WORKFLOWS)],
                          capture_output=True, text=True, timeout=120)
    findings = json.loads(done.stdout or "[]")
    assert findings == [], done.stdout
    assert done.returncode == 0, done.stderr
