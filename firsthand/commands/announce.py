"""Announce newly published stories in a team chat, through an incoming webhook: a message
for each, with the story's link and its share kit's, so colleagues can share it that day.

Which stories are new is told by git: published now, and not published at GIT_REF (on
that commit's own date). The messages are pure functions of the stories; only
`published_at` (git) and `post` (HTTP) touch the world. A webhook that fails or does
not answer is reported and never raises: announcing must not fail a deploy.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
import tarfile
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from firsthand.content.enrich import is_published
from firsthand.content.load import load
from firsthand.content.problems import Problems
from firsthand.social.snippets import post_language

CHATS = ("slack", "teams", "mattermost")
TIMEOUT = 10.0                 # seconds for each webhook call


class GitError(Exception):
    """GIT_REF cannot be read: not a repository, or no such commit."""


@dataclass(frozen=True)
class Outcome:
    """How one message went: ok, or what went wrong, said without the secret URL."""

    slug: str
    ok: bool
    detail: str = ""


# -- which stories are new -----------------------------------------------------------------


def published_at(source: Path, ref: str) -> set[str]:
    """The slugs that were published at the commit `ref`, judged on that commit's date."""
    prefix = _git(source, "rev-parse", "--show-prefix").strip()
    commit = _git(source, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}").strip()
    if not commit:
        raise GitError(f"'{ref}' is not a commit of the repository at {source}")
    day = dt.date.fromisoformat(_git(source, "log", "-1", "--format=%cs", commit).strip())
    archive = subprocess.run(["git", "-C", str(source), "archive", "--format=tar",
                              f"{commit}:{prefix}"], capture_output=True, timeout=120)
    if archive.returncode != 0:
        return set()                                # the site's folder did not exist then
    with tempfile.TemporaryDirectory(prefix="firsthand-announce-") as folder:
        with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
            tar.extractall(folder, filter="data")
        content = load(Path(folder), Problems())
    if content is None:
        return set()
    return {story.slug for story in content.stories
            if is_published(story, content.people, day)}


def _git(source: Path, *args: str) -> str:
    try:
        done = subprocess.run(["git", "-C", str(source), *args], capture_output=True,
                              text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise GitError(f"git could not run: {exc}") from None
    if done.returncode != 0 and args[0] != "rev-parse":
        raise GitError(done.stderr.strip() or f"git {args[0]} failed")
    if done.returncode != 0 and "--show-prefix" in args:
        raise GitError(f"{source} is not in a git repository")
    return done.stdout


def new_entries(library, before: set[str]) -> list:
    """Published entries whose slug was not published before, oldest first, one a slug."""
    seen, found = set(before), []
    for entry in sorted(library.entries, key=lambda e: (e.date, e.slug)):
        if entry.published and entry.slug not in seen:
            seen.add(entry.slug)
            found.append(entry)
    return found


# -- the messages --------------------------------------------------------------------------


def chat_of(url: str) -> str | None:
    """Which chat a webhook URL belongs to, from its address; None when it cannot tell."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host == "hooks.slack.com":
        return "slack"
    if host.endswith((".webhook.office.com", ".logic.azure.com", ".powerplatform.com",
                      ".powerautomate.com")):
        return "teams"
    if parts.path.rstrip("/").rsplit("/", 2)[-2:-1] == ["hooks"]:
        return "mattermost"                        # https://chat.example/hooks/KEY
    return None


@dataclass(frozen=True)
class Story:
    """What a message says about a story, and its words in the story's language."""

    slug: str
    title: str
    author: str
    role: str
    summary: str
    url: str
    kit: str
    around_title: tuple[str, str]    # the headline's words before and after the title
    byline: str                      # by NAME, ROLE
    invitation: str                  # the link to the share kit
    read: str                        # the buttons, where the chat has them
    share: str

    @property
    def headline(self) -> str:
        return self.around_title[0] + self.title + self.around_title[1]


def story_of(site, entry, catalog) -> Story:
    lang = post_language(site, entry)
    title, name, role = " ".join(entry.title.split()), entry.author.name, entry.author.role

    def words(key: str, **places) -> str:
        return catalog.text(lang, f"post.announce.{key}", **places)

    before, _, after = words("headline", title="\0").partition("\0")
    return Story(entry.slug, title, name, role, entry.description, site.absolute(entry.path),
                 site.absolute(entry.path + "share/"), (before, after),
                 words("byline", name=name, role=role), words("invitation"), words("read"),
                 words("share"))


def payload(chat: str, story: Story) -> dict:
    """The JSON body for that chat's incoming webhook."""
    return {"slack": slack, "teams": teams, "mattermost": mattermost}[chat](story)


def slack(s: Story) -> dict:
    """Slack incoming webhook: `text` (the notification) and a mrkdwn block, where &, <
    and > must be escaped (api.slack.com/messaging/webhooks, "Formatting text")."""
    def esc(text: str) -> str:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    body = (f"*<{s.url}|{esc(s.title)}>*\n{esc(s.byline)}\n"
            f">{esc(s.summary)}\n<{s.kit}|{esc(s.invitation)}>")
    return {"text": s.headline, "unfurl_links": False,
            "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": body}}]}


def mattermost(s: Story) -> dict:
    """Mattermost incoming webhook: `text` in Markdown (developers.mattermost.com,
    "Incoming webhooks")."""
    def esc(text: str) -> str:
        return "".join("\\" + c if c in "\\`*_[]()#<>|!~" else c for c in text)
    before, after = s.around_title
    return {"text": f"#### {before}[{esc(s.title)}]({s.url}){after}\n{esc(s.byline)}\n"
                    f"> {esc(s.summary)}\n\n"
                    f"[{esc(s.invitation)}]({s.kit})"}


def teams(s: Story) -> dict:
    """Microsoft Teams (Workflows, "When a Teams webhook request is received"): a message
    with one Adaptive Card attachment (learn.microsoft.com, msteams-docs, "Create incoming
    webhooks"; the Workflows template posts attachments[0].content)."""
    card = {"$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "type": "AdaptiveCard", "version": "1.4",
            "body": [{"type": "TextBlock", "text": s.headline, "weight": "Bolder",
                      "size": "Medium", "wrap": True},
                     {"type": "TextBlock", "text": s.byline, "isSubtle": True,
                      "wrap": True, "spacing": "None"},
                     {"type": "TextBlock", "text": s.summary, "wrap": True}],
            "actions": [{"type": "Action.OpenUrl", "title": s.read, "url": s.url},
                        {"type": "Action.OpenUrl", "title": s.share, "url": s.kit}]}
    return {"type": "message", "attachments": [
        {"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": None,
         "content": card}]}


# -- sending -------------------------------------------------------------------------------


def shown_url(url: str) -> str:
    """A webhook URL without its secret part, for messages."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}/…"


def post(url: str, body: dict, slug: str, timeout: float = TIMEOUT) -> Outcome:
    """POST the JSON body; any failure becomes an Outcome, never an exception."""
    request = urllib.request.Request(url, data=json.dumps(body).encode("utf-8"),
                                     headers={"Content-Type": "application/json",
                                              "User-Agent": "Firsthand announce"},
                                     method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            response.read(1024)
            return Outcome(slug, True, f"HTTP {response.status}")
    except urllib.error.HTTPError as exc:
        said = exc.read(200).decode("utf-8", "replace").strip()
        return Outcome(slug, False, f"HTTP {exc.code}" + (f": {said}" if said else ""))
    except (TimeoutError, OSError, ValueError) as exc:
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, TimeoutError) or isinstance(exc, TimeoutError):
            return Outcome(slug, False, f"no answer within {timeout:g} s")
        return Outcome(slug, False, str(reason))


def announce(url: str, chat: str, stories: list[Story],
             timeout: float = TIMEOUT) -> list[Outcome]:
    """One message a story; after the first failure the rest are not tried (the chat is
    down or the URL is wrong, and a deploy should not wait for each to time out)."""
    outcomes = []
    for story in stories:
        outcome = post(url, payload(chat, story), story.slug, timeout)
        outcomes.append(outcome)
        if not outcome.ok:
            break
    return outcomes
