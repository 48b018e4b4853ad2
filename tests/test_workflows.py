"""The GitHub workflows a company's fork runs: valid YAML, with the steps the README promises."""

from __future__ import annotations

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
    assert flow["permissions"] == {"contents": "read"}
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
    assert flow["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
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
