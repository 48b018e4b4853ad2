"""`python build.py announce`: a real git history in tmp_path, and a local HTTP server on
127.0.0.1 standing in for the chat's webhook (no network)."""

from __future__ import annotations

import http.server
import json
import os
import subprocess
import threading
import time

import pytest
import yaml

from firsthand.commands.announce import chat_of
from sites import QuietServer, ROOT, build_env

TODAY = "2026-11-23"


class Webhook:
    """A chat's incoming webhook on 127.0.0.1: records each POST, answers as told."""

    def __init__(self, status: int = 200, delay: float = 0.0):
        self.received: list[tuple[str, dict, dict]] = []
        hook = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length))
                hook.received.append((self.path, dict(self.headers), body))
                time.sleep(delay)
                self.send_response(status)
                self.end_headers()
                self.wfile.write(b"ok" if status == 200 else b"invalid_payload")

            def log_message(self, *args):
                pass

        self.server = QuietServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/SECRET-KEY-123"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webhook():
    made = []

    def make(**kwargs) -> Webhook:
        made.append(Webhook(**kwargs))
        return made[-1]

    yield make
    for hook in made:
        hook.close()


def git(site, *args, date="2026-11-01T10:00:00"):
    env = dict(os.environ, GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date,
               GIT_AUTHOR_NAME="T", GIT_AUTHOR_EMAIL="t@example.com",
               GIT_COMMITTER_NAME="T", GIT_COMMITTER_EMAIL="t@example.com")
    done = subprocess.run(["git", "-C", str(site.root), *args], capture_output=True,
                          text=True, env=env)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.fixture
def history(make_site):
    """Commit A (1 November): an old story and one dated ahead (20 November). Commit B
    (23 November): a new story, a draft, and a title with markup in it."""
    site = make_site(stories={})
    site.story("2026-02-10-night-shift.md", title="A night on the dock", date="2026-02-10")
    site.story("2026-11-20-ahead.md", title="Dated ahead", date="2026-11-20")
    git(site, "init", "-q")
    git(site, "add", "-A")
    git(site, "commit", "-qm", "A")
    first = git(site, "rev-parse", "HEAD")
    site.story("2026-11-22-new-van.md", title="Vans <b>&</b> mornings", date="2026-11-22")
    site.story("2026-11-22-unfinished.md", title="Not yet", date="2026-11-22",
               extra="draft: true\n")
    git(site, "add", "-A")
    git(site, "commit", "-qm", "B", date="2026-11-23T09:00:00")
    return site, first


def test_each_newly_published_story_is_posted_with_its_share_kit(history, webhook):
    site, first = history
    hook = webhook()
    run = site.run("announce", "--since", first, "--webhook", hook.url, "--chat", "slack",
                   today=TODAY)
    assert run.code == 0, run.err
    texts = [body["blocks"][0]["text"]["text"] for _, _, body in hook.received]
    assert len(texts) == 2                      # the one dated ahead, and the new one
    assert "stories/ahead/share/" in texts[0] and "stories/new-van/share/" in texts[1]
    assert "https://careers.testco.example/stories/stories/new-van/|" in texts[1]
    assert "Vans &lt;b&gt;&amp;&lt;/b&gt; mornings" in texts[1]      # Slack's escaping
    assert all(headers["Content-Type"] == "application/json" for _, headers, _ in hook.received)
    assert "Announced 'new-van' in Slack." in run.out
    assert "SECRET-KEY-123" not in run.out + run.err


def test_teams_and_mattermost_get_their_own_payloads(history, webhook):
    site, first = history
    hook = webhook()
    assert site.run("announce", "--since", first, "--webhook", hook.url, "--chat", "teams",
                    today=TODAY).code == 0
    card = hook.received[-1][2]["attachments"][0]
    assert card["contentType"] == "application/vnd.microsoft.card.adaptive"
    actions = {a["title"]: a["url"] for a in card["content"]["actions"]}
    assert actions["Share it"].endswith("/stories/new-van/share/")
    hook.received.clear()
    # a /hooks/KEY address is told to be Mattermost without --chat
    run = site.run("announce", "--since", first, "--webhook", hook.url, today=TODAY)
    assert run.code == 0, run.err
    text = hook.received[-1][2]["text"]
    assert "[Vans \\<b\\>&\\</b\\> mornings](https://careers.testco.example/stories/" \
           "stories/new-van/)" in text
    assert "(https://careers.testco.example/stories/stories/new-van/share/)" in text


def test_nothing_new_posts_nothing(history, webhook):
    site, _ = history
    hook = webhook()
    run = site.run("announce", "--since", "HEAD", "--webhook", hook.url, today=TODAY)
    assert run.code == 0 and "nothing to announce" in run.out
    assert hook.received == []


def test_a_failing_webhook_is_reported_and_does_not_fail(history, webhook):
    site, first = history
    hook = webhook(status=500)
    run = site.run("announce", "--since", first, "--webhook", hook.url, today=TODAY)
    assert run.code == 0
    assert "could not announce 'ahead'" in run.err and "HTTP 500" in run.err
    assert "2 of 2 stories not announced" in run.err
    assert len(hook.received) == 1              # the rest are not tried
    assert "SECRET-KEY-123" not in run.out + run.err


def test_a_webhook_that_does_not_answer_times_out(history, webhook):
    site, first = history
    hook = webhook(delay=5)
    run = site.run("announce", "--since", first, "--webhook", hook.url, "--timeout", "0.5",
                   today=TODAY)
    assert run.code == 0
    assert "no answer within 0.5 s" in run.err


def test_a_closed_port_is_reported(history):
    site, first = history
    run = site.run("announce", "--since", first, "--webhook",
                   "http://127.0.0.1:9/hooks/SECRET-KEY-123", today=TODAY)
    assert run.code == 0 and "could not announce" in run.err
    assert "SECRET-KEY-123" not in run.err


def test_an_unknown_ref_is_an_error_with_a_message(history, webhook):
    site, _ = history
    run = site.run("announce", "--since", "no-such-ref", "--webhook", webhook().url,
                   today=TODAY)
    assert run.code == 1 and "'no-such-ref' is not a commit" in run.err
    assert "Traceback" not in run.err


def test_an_address_of_no_known_chat_needs_chat(history):
    site, first = history
    run = site.run("announce", "--since", first, "--webhook", "https://example.com/x",
                   today=TODAY)
    assert run.code == 2 and "--chat" in run.err


@pytest.mark.parametrize("url, chat", [
    ("https://hooks.slack.com/services/T000/B000/XXXX", "slack"),
    ("https://contoso.webhook.office.com/webhookb2/abc/IncomingWebhook/def/ghi", "teams"),
    ("https://prod-01.westus.logic.azure.com:443/workflows/abc/triggers/manual/paths/invoke",
     "teams"),
    ("https://chat.example.org/hooks/xxxgeneratedkeyxxx", "mattermost"),
    ("https://example.com/webhook", None),
])
def test_the_chat_is_told_from_the_address(url, chat):
    assert chat_of(url) == chat


def workflow_announce_script() -> tuple[str, dict]:
    """The deploy workflow's announce step: its shell script and its checkout's settings."""
    flow = yaml.safe_load((ROOT / ".github" / "workflows" / "deploy.yml").read_text())
    build = flow["jobs"]["build"]["steps"]
    checkout = next(s for s in build if s.get("uses", "").startswith("actions/checkout@"))
    step = next(s for s in build if s.get("name", "").startswith("Announce"))
    return step["run"], checkout.get("with", {})


@pytest.mark.parametrize("before", ["first", "unknown"])
def test_the_deploy_workflow_announces_from_its_own_checkout(history, webhook, tmp_path,
                                                             before):
    """The step runs in the clone actions/checkout makes (no credentials kept, so it must
    not fetch again: a private repository would refuse) and compares with the commit
    before the push; a commit the clone lacks (a new branch) announces nothing, exit 0."""
    script, checkout = workflow_announce_script()
    assert checkout.get("persist-credentials") is False
    depth = int(checkout.get("fetch-depth", 1))
    site, first = history
    (site.root / "build.py").write_text((ROOT / "build.py").read_text())
    git(site, "add", "build.py")
    git(site, "commit", "-qm", "C", date="2026-11-23T09:30:00")
    clone = tmp_path / "checkout"
    cloned = subprocess.run(["git", "clone", "-q", "--no-local",
                             *(["--depth", str(depth)] if depth else []),
                             f"file://{site.root}", str(clone)], capture_output=True, text=True)
    assert cloned.returncode == 0, cloned.stderr
    # What a private repository is to a checkout that kept no credentials: unreachable.
    git_in_clone = ["git", "-C", str(clone), "remote", "set-url", "origin",
                    f"file://{tmp_path}/private-no-credentials"]
    assert subprocess.run(git_in_clone).returncode == 0
    hook = webhook()
    env = dict(build_env(TODAY), CHAT_WEBHOOK=hook.url,
               BEFORE=first if before == "first" else "1" * 40)
    done = subprocess.run(["bash", "-e", "-c", script], cwd=clone, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    if before == "first":
        texts = [body["text"] if "text" in body else json.dumps(body)
                 for _, _, body in hook.received]
        assert len(texts) == 2, done.stdout + done.stderr
        assert any("new-van" in text for text in texts)
    else:
        assert hook.received == []
        assert "nothing announced" in done.stdout
