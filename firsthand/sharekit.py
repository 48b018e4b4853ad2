"""Sharing: the picture cards (og.png for link previews, instagram.png for Instagram),
made before the pages that show them, and the render steps for the share kit page of
each story and snippets.json."""

from __future__ import annotations

import json
from typing import Callable, Iterator

from .cache import CARD_POOL_THRESHOLD, Cache, draw_cards
from .cards import CARD_FILES, LAYOUTS, CardText
from .images import Picture
from .platforms import PLATFORMS_BY_ID
from .snippets import site_document, story_document, story_snippets


def make_cards(library, pictures: dict[str, Picture], store: Cache,
               emit: Callable[[str, bytes], None], jobs: int = 1,
               threshold: int = CARD_POOL_THRESHOLD) -> dict[str, Picture]:
    """og.png and instagram.png beside each story page: each is given to emit as it is
    made (from the cache or drawn); returns {output path: its size}, for the pages."""
    site = library.site
    # the cleaned photo (upright, no metadata); a photo that failed to clean is already
    # an error, and its card shows the initials
    faces = {profile.person.id: pictures.get(profile.photo.path)
             for profile in library.profiles if profile.photo}
    wanted = []
    for entry in library.entries:
        person = entry.author
        face = faces.get(person.id)
        cover = pictures.get(entry.image.path) if entry.image else None
        card = CardText(title=" ".join(entry.title.split()), name=person.name, role=person.role,
                        company=site.company, brand_color=site.brand_color,
                        initials=person.initials, photo=face.data if face else None,
                        quote=entry.story.quote, cover=cover.data if cover else None,
                        logo=site.logo_data or None)
        wanted.extend((entry.path + name, card, kind) for kind, name in CARD_FILES.items())
    for index, data in draw_cards([(card, kind) for _, card, kind in wanted], store, jobs,
                                  threshold):
        emit(wanted[index][0], data)
    return {path: Picture(b"", *LAYOUTS[kind].size) for path, _, kind in wanted}


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
    """snippets.json: every snippet of every published story, for tools and schedulers.

    The same bytes as json.dumps(snippets_document(...), indent=1), made a story at a time:
    at ten thousand stories the file is some 170 MB, and json's indenting encoder would
    hold it as millions of small strings."""
    def dumps(value, depth: int) -> str:
        text = json.dumps(value, ensure_ascii=False, indent=1)
        return text.replace("\n", "\n" + " " * depth)

    parts = [f'{{\n "site": {dumps(site_document(r.site), 1)},\n "stories": ['.encode()]
    stories = [entry for entry in r.library.entries if entry.published]
    for number, entry in enumerate(stories):
        comma = "," if number else ""
        parts.append(f"{comma}\n  {dumps(story_document(r.site, entry), 2)}".encode())
    parts.append(b"\n ]\n}\n" if stories else b"]\n}\n")
    yield "snippets.json", b"".join(parts)
