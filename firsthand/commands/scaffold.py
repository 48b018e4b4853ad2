"""Start a new story or person file, with every field a writer may fill in explained."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from firsthand.content.load import DATE_PREFIX_RE, ID_RE, slugify, story_files


class ScaffoldError(Exception):
    """A file cannot be created; the message says why and what to do instead."""


STORY_TEMPLATE = """\
---
# Your headline, in your own words. Required.
title: {title}
# Your id: the name of your file in people/, without .yaml. Required.
author: {author}
# The day the story goes live (YYYY-MM-DD); a future date waits until that day. Required.
date: {date}
# One or two sentences for the home page and link previews; else the first paragraph.
summary: ""
# A sentence from your story to show large, and to offer in the social posts.
quote: ""
# An open question to your readers; it ends the social posts and invites replies.
question: ""
# Topics, to group your story with others: [night shift, parental leave].
tags: [{tags}]
# A picture beside this file, or /static/...; leave empty for none.
image: ""
# What the picture shows, for people who cannot see it. Required when image is set.
image_alt: ""
# Your team and city, only when they differ from your profile in people/.
team: ""
location: ""
# Your own text per platform instead of the generated post, or false for no post there.
# Remove the # to use a line.
share:
  # linkedin: "My own words for LinkedIn."
  # instagram: false
# true: only previews show it. Set it to false (or remove the line) when it is ready.
draft: true
---
Start with a moment: a morning, a problem, a person. Then tell what you did, what
surprised you, and what you would tell a friend who is thinking of joining.

Replace these lines with your story, in Markdown. A blank line starts a new paragraph.
"""

PERSON_TEMPLATE = """\
# Your full name, as it appears on your stories. Required.
name: {name}
# Your job title. Required.
role: {role}
# Your team and city, shown with your stories.
team: ""
location: ""
# How to refer to you, like she/her or they/them; leave empty to leave it out.
pronouns: ""
# A photo beside this file (like {id}.jpg), and what it shows. Leave empty for initials.
photo: ""
photo_alt: ""
# One or two sentences about you.
bio: ""
# Your accounts, to mention you in the social posts (remove the # to use a line).
handles:
  # linkedin: your-name
  # x: yourname
  # mastodon: "@you@example.social"
# The day you agreed to have your stories published (YYYY-MM-DD), when the site asks for it.
{consent}
# false: you have left, and your stories are no longer published.
active: true
"""


SITE_TEMPLATE = """\
# Your site of employee stories. Only title, company and base_url are required; every
# other setting is optional: remove the # in front of a line to use it.

# The site's name, in every page title and link preview.
title: {title}
# Your company's name, as your people write it.
company: {company}
# Where the site will live (a sub-path like /stories/ works). Change it before you deploy.
base_url: https://careers.example.com/stories/

# One sentence for search engines and link previews.
# description: {description}
# The language the stories are written in.
# language: en
# Your open positions, linked from every story.
# jobs_url: https://careers.example.com/jobs/
# The theme's colour, and stories per page on the home page.
# brand_color: "#0b6e4f"
# per_page: 10

# The share-ready posts each story gets, one per platform.
# social:
#   platforms: [linkedin, x, facebook, instagram, threads, mastodon, bluesky, whatsapp, email]
#   hashtags: [{hashtag}]
#   handles: {{linkedin: your-company, x: yourcompany}}
#   utm: {{campaign: employee-stories, medium: social}}
#   disclosure: "I work at {plain_company}"

# Your editorial rules, checked on every build and pull request.
# guidelines:
#   banned_terms: ["Project Codename"]
#   max_title_length: 90
#   consent: true
"""

FIRST_STORY_BODY = """\
This is the first story of {company}'s site. Open this file and write over it: what
your day looks like, what surprised you, what you would tell a friend who is thinking
of joining.

A blank line starts a new paragraph. When a colleague wants to write, they add
themselves with `python build.py new-person ID` and start with `python build.py new`.
"""

GITIGNORE = "/site/\n.firsthand-cache/\n"


def init_site(folder: Path, on: dt.date) -> list[Path]:
    """Write the smallest valid site into an empty (or new) folder: it builds as it is."""
    if folder.exists() and not folder.is_dir():
        raise ScaffoldError(f"{folder} is a file; choose a folder for the new site")
    if folder.is_dir() and any(not entry.name.startswith(".") for entry in folder.iterdir()):
        raise ScaffoldError(f"{folder} already holds files; choose a new or empty folder, or "
                            "edit the site that is there")
    if (folder / "site.yaml").exists():
        raise ScaffoldError(f"{folder / 'site.yaml'} already exists")
    company = _company_name(folder)
    site_text = SITE_TEMPLATE.format(
        title=json.dumps(f"Life at {company}", ensure_ascii=False),
        company=json.dumps(company, ensure_ascii=False), plain_company=company,
        description=json.dumps(f"Stories by the people of {company}.", ensure_ascii=False),
        hashtag="LifeAt" + "".join(word.capitalize() for word in company.split()
                                   if word.isalnum()) or "LifeAtWork")
    created = [_create(folder / "site.yaml", site_text)]
    if not (folder / ".gitignore").exists():
        created.append(_create(folder / ".gitignore", GITIGNORE))
    created.append(new_person(folder, "your-name", "Your Name", "Your role", on))
    story = new_story(folder, f"Why we share our stories at {company}", "your-name", [], on)
    text = story.read_text(encoding="utf-8")
    first_body = text[text.index("\n---\n") + 5:]
    story.write_text(text.replace("\ndraft: true\n", "\ndraft: false\n")
                     .replace(first_body, FIRST_STORY_BODY.format(company=company)),
                     encoding="utf-8")
    return created + [story]


def _company_name(folder: Path) -> str:
    """A company name from the folder's name: acme-robotics -> Acme Robotics."""
    words = [word for word in slugify(folder.resolve().name).split("-") if word]
    return " ".join(word.capitalize() for word in words) or "Your Company"


def new_story(source: Path, title: str, author: str | None, tags: list[str],
              on: dt.date) -> Path:
    """Write stories/DATE-SLUG.md for a title and author; refuse to overwrite anything."""
    known = people_ids(source)
    if author is None:
        if len(known) != 1:
            raise ScaffoldError("say who writes it: --author ID, one of: " + _known(known))
        author = known[0]
    elif author not in known:
        raise ScaffoldError(f"unknown author '{author}': there is no people/{author}.yaml; "
                            f"known: {_known(known)}")
    slug = slugify(title)
    if not title.strip() or not slug:
        raise ScaffoldError(f"cannot make a web address from the title \"{title}\"; use a "
                            "title with some letters or digits")
    path = source / "stories" / f"{on.isoformat()}-{slug}.md"
    if path.exists():
        raise ScaffoldError(f"{_rel(source, path)} already exists; open it, or choose "
                            "another title")
    for other in story_files(source):
        name = other.parent.name if other.name == "index.md" else other.stem
        if slugify(DATE_PREFIX_RE.sub("", name)) == slug:
            raise ScaffoldError(f"{_rel(source, other)} already uses the address "
                                f"stories/{slug}/; choose another title")
    text = STORY_TEMPLATE.format(title=json.dumps(title.strip(), ensure_ascii=False),
                                 author=author, date=on.isoformat(),
                                 tags=", ".join(_yaml_item(t) for t in tags))
    return _create(path, text)


def new_person(source: Path, person_id: str, name: str | None, role: str | None,
               consent: dt.date | None) -> Path:
    """Write people/ID.yaml; refuse a bad id or an existing file."""
    if not ID_RE.match(person_id):
        suggestion = slugify(person_id)
        raise ScaffoldError(f"'{person_id}' cannot be an id: use lowercase letters, digits and "
                            "dashes" + (f", like '{suggestion}'" if suggestion else ""))
    path = source / "people" / f"{person_id}.yaml"
    if path.exists() or path.with_suffix(".yml").exists():
        raise ScaffoldError(f"{_rel(source, path)} already exists; edit it instead")
    name = name or " ".join(part.capitalize() for part in person_id.split("-"))
    text = PERSON_TEMPLATE.format(
        id=person_id, name=json.dumps(name, ensure_ascii=False),
        role=json.dumps(role or "", ensure_ascii=False),
        consent=f"consent: {consent.isoformat()}" if consent else "# consent: YYYY-MM-DD")
    return _create(path, text)


def people_ids(source: Path) -> list[str]:
    """The ids of people/*.yaml, sorted."""
    folder = source / "people"
    if not folder.is_dir():
        return []
    return sorted(f.stem for f in folder.iterdir()
                  if f.suffix in (".yaml", ".yml") and not f.name.startswith("."))


def _create(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with open(path, "x", encoding="utf-8") as handle:     # "x": never overwrite
            handle.write(text)
    except FileExistsError:
        raise ScaffoldError(f"{path} already exists") from None
    return path


def _yaml_item(text: str) -> str:
    return json.dumps(text.strip(), ensure_ascii=False)


def _known(ids: list[str]) -> str:
    return ", ".join(ids) if ids else "none yet; add one with: python build.py new-person ID"


def _rel(source: Path, path: Path) -> str:
    try:
        return path.relative_to(source).as_posix()
    except ValueError:
        return path.as_posix()
