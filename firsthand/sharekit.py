"""Render steps for sharing: snippets.json, the share kit page of each story, and the
picture cards (og.png for link previews, instagram.png for Instagram)."""

from __future__ import annotations

import json
from typing import Iterator

from .cards import CARD_FILES, LAYOUTS, CardText, cached_card
from .images import Picture
from .platforms import PLATFORMS_BY_ID
from .snippets import snippets_document, story_snippets


def render_cards(r) -> Iterator[tuple[str, bytes]]:
    """og.png and instagram.png beside each story page; cached by what they show."""
    site = r.site
    for entry in r.library.entries:
        person = entry.author
        card = CardText(title=" ".join(entry.title.split()), name=person.name, role=person.role,
                        company=site.company, brand_color=site.brand_color,
                        initials=person.initials,
                        photo=person.photo.read_bytes() if person.photo else None)
        for kind, name in CARD_FILES.items():
            path = entry.path + name
            data = cached_card(card, kind, site.source)
            width, height = LAYOUTS[kind].size
            r.pictures[path] = Picture(data, width, height)   # og:image:width/height
            yield path, data


def render_share_kits(r) -> Iterator[tuple[str, bytes]]:
    """stories/SLUG/share/: every snippet with its count, a Copy button and share links."""
    from .render import Page
    for entry in r.library.entries:
        page = Page(entry.path + "share/", f"Share: {entry.title}",
                    f"Ready-made posts about {entry.author.name}'s story, for every platform.",
                    kind="share", image=entry.path + CARD_FILES["og"],
                    image_alt=card_alt(entry))
        yield r.page("share.html", page, entry=entry, snippets=story_snippets(r.site, entry),
                     platforms=PLATFORMS_BY_ID, cards=CARD_FILES)


def card_alt(entry) -> str:
    return f"“{entry.title}”, a story by {entry.author.name}, {entry.author.role}"


def render_snippets_json(r) -> Iterator[tuple[str, bytes]]:
    """snippets.json: every snippet of every published story, for tools and schedulers."""
    document = snippets_document(r.site, r.library.entries)
    yield "snippets.json", (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode()
