"""Sharing: the picture cards (og.png for link previews, instagram.png for Instagram),
made before the pages that show them, and the render steps for the share kit page of
each story and snippets.json."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping

from firsthand.output import store as stored
from firsthand.output.write import Copy
from firsthand.social.cards import (
    CARD_FILES, LAYOUTS, CardText, card_key, cover_choice, draw_card)
from firsthand.content.enrich import Library
from firsthand.content.images import Picture
from firsthand.content.model import Deferred
from firsthand.social.platforms import PLATFORMS_BY_ID
from firsthand.pages.render import Page, card_alt
from firsthand.social.snippets import (
    Documented, post_language, site_document, story_snippets)

CARD_POOL_THRESHOLD = 16      # a card takes ~30 ms to draw: a pool pays from a few dozen


def make_cards(library: Library, pictures: dict[str, Picture], store: stored.Store,
               emit: Callable[[str, bytes | None, str], None], jobs: int = 1,
               threshold: int = CARD_POOL_THRESHOLD, engine: str = "",
               unchanged: Callable[[str, str], bool] | None = None) -> dict[str, Picture]:
    """og.png and instagram.png beside each story page: each is given to emit with its
    key as it is made (from the store or drawn), or as None, unread, where
    unchanged(path, key) says the last build's is the same; returns {output path: its
    size}, for the pages. `engine` (engines.CARD_ENGINE) is part of every card's key."""
    site = library.site
    # the cleaned photo (upright, no metadata); a photo that failed to clean is already
    # an error, and its card shows the initials
    faces = {profile.person.id: pictures.get(profile.photo.path)
             for profile in library.profiles if profile.photo}
    wanted = []
    for entry in library.entries:
        person = entry.author
        face = faces.get(person.id)
        cover = card_cover(pictures[entry.image.path]) \
            if entry.image and entry.image.path in pictures else None
        card = CardText(title=" ".join(entry.title.split()), name=person.name, role=person.role,
                        company=site.company, brand_color=site.brand_color,
                        initials=person.initials, photo=face.data if face else None,
                        quote=entry.story.quote, cover=cover,
                        logo=site.logo_data or None)
        wanted.extend((entry.path + name, card, kind) for kind, name in CARD_FILES.items())
    names = [stored.key(engine, card_key(card, kind)) for _, card, kind in wanted]
    todo = []
    for index, (path, _, _) in enumerate(wanted):
        if unchanged is not None and unchanged(path, names[index]):
            emit(path, None, names[index])
        else:
            todo.append(index)
    # kept as files, which the site's files are links to: at ten thousand stories the
    # cards are 4.3 GB, which a build with the cache kept would read and write again
    for index, data in store.memoize("cards", [names[i] for i in todo], _draw,
                                     [wanted[i] for i in todo], jobs, threshold,
                                     as_files=True):
        if isinstance(data, stored.StoredFile):
            data = Copy(data.path, 0, data.size)
        emit(wanted[todo[index]][0], data, names[todo[index]])
    return {path: Picture(b"", *LAYOUTS[kind].size) for path, _, kind in wanted}


def card_cover(picture: Picture) -> bytes:
    """The size of a story photo its cards are drawn from (cards.cover_choice): for a
    photo wider than 1200 pixels, its copy 1200 wide, which fills og.png with a crop and
    no resize."""
    options = (*picture.copies, picture)
    return options[cover_choice([(option.width, option.height) for option in options])].data


def _draw(wanted: tuple[str, CardText, str]) -> bytes:
    _, card, kind = wanted
    return draw_card(card, kind)


def render_share_kits(r) -> Iterator[tuple[str, bytes]]:
    """stories/SLUG/share/: a panel per platform with its posts, counts and share links;
    share/people.json: who may say they are sharing (the kit asks, in the browser)."""
    catalog = r.library.catalog
    for entry in r.library.entries:
        lang = post_language(r.site, entry)          # the kit speaks the posts' language
        page = Page(entry.path + "share/",
                    catalog.text(lang, "post.kit.title", title=entry.title),
                    catalog.text(lang, "post.kit.description", name=entry.author.name),
                    kind="share", image=entry.path + CARD_FILES["og"],
                    image_alt=card_alt(entry, catalog, lang))
        snippets = story_snippets(r.site, entry)
        yield r.page("share.html", page, entry=r.story(entry), snippets=snippets,
                     grows=_grows(r, snippets), platforms=PLATFORMS_BY_ID, cards=CARD_FILES)
    people = [{"id": p.person.id, "name": p.person.name}
              for p in r.library.profiles if p.person.active]
    yield "share/people.json", json.dumps(people, ensure_ascii=False).encode("utf-8")


def _grows(r, snippets) -> Mapping[str, list[int]]:
    """{platform: link_weight of each post}, remembered by the posts (counting is slow),
    made only when read: a kit kept as it is needs only its digest, which the posts'
    digest decides (and the code, in the page engine)."""
    name = stored.key(r.common, r.digests.of(snippets))

    def make() -> dict[str, list[int]]:
        data = r.store.get("grows", name)
        if data is not None:
            return json.loads(data)
        grows = {platform: [link_weight(s) for s in found]
                 for platform, found in snippets.items()}
        r.store.put("grows", name, json.dumps(grows).encode("utf-8"))
        return grows

    grows = Deferred(make)
    r.digests.remember(grows, hashlib.sha256(b"grows\0" + name.encode()).digest())
    return grows


def link_weight(snippet) -> int:
    """How much the platform's count of the post grows with each character of its link (0
    where links count as a fixed length or the post has none), for the kit's sharer ids."""
    platform = PLATFORMS_BY_ID[snippet.platform]
    longer = snippet.text.replace(snippet.link, snippet.link + "0")
    return platform.count(longer) - platform.count(snippet.text)


def render_snippets_json(r) -> Iterator[tuple[str, Iterable[bytes | Copy] | None]]:
    """snippets.json: every snippet of every published story, for tools and schedulers.

    The same bytes as json.dumps(snippets_document(...), indent=1), made a story at a time
    and handed over as its parts (Run.emit), each made or read from the store as it is
    written: at ten thousand stories the file is some 390 MB, which json's indenting
    encoder would hold as millions of small strings, and a join of the parts twice.
    A story's part that the last build's file holds (its layout is kept with its key)
    is a Copy of it, neither read from the store nor compared: an edit of one story's
    posts costs that part and a copy in the kernel."""
    def dumps(value, depth: int) -> str:
        text = json.dumps(value, ensure_ascii=False, indent=1)
        return text.replace("\n", "\n" + " " * depth)

    site = dumps(site_document(r.site), 1)
    stories = [entry for entry in r.library.entries if entry.published]
    # each story's part is remembered by everything it is made from
    shown = [Documented.of(r.site, entry) for entry in stories]
    names = [stored.key(r.common, site, r.digests.of(item)) for item in shown]
    whole = stored.key("snippets.json", *names)
    layout: list[list] = []         # [key, size] of each part as it is made (emit keeps it)
    r.made["snippets.json"] = [whole, layout]
    last = r.last.get("snippets.json")
    if last is not None and last[0] == whole:
        yield "snippets.json", None                 # as the last build made it
        return
    old = r.kept / "snippets.json" if r.kept is not None else None
    before = last_parts(last[1], old) if last is not None and old is not None else {}

    def parts() -> Iterator[bytes | Copy]:
        head = f'{{\n "site": {site},\n "stories": ['.encode()
        layout.append(["", len(head)])
        yield head
        for number, (item, name) in enumerate(zip(shown, names)):
            found = before.get(name)
            if found is not None and found[2] == (number > 0):   # the same comma before it
                part, size = Copy(old, found[0], found[1]), found[1]
            else:
                made = r.store.get("documents", name)
                if made is None:
                    made = dumps(item.document(), 2).encode()
                    r.store.put("documents", name, made)
                part = (b",\n  " if number else b"\n  ") + made
                size = len(part)
            layout.append([name, size])
            yield part
        tail = b"\n ]\n}\n" if stories else b"]\n}\n"
        layout.append(["", len(tail)])
        yield tail
    yield "snippets.json", parts()


def last_parts(layout, path: Path) -> dict[str, tuple[int, int, bool]]:
    """Where each story's part is in the last build's snippets.json, from the layout it
    kept: {key: (offset, size, whether a comma leads it)}; nothing when the layout is
    not that file's (a layout is trusted only when its sizes add up to the file's)."""
    found, offset = {}, 0
    try:
        for number, (name, size) in enumerate(layout):
            if type(name) is not str or type(size) is not int or size < 0:
                return {}
            if name:                    # not the head or the tail ("")
                found[name] = (offset, size, number > 1)
            offset += size
        if offset != os.stat(path).st_size:
            return {}
    except (OSError, TypeError, ValueError):
        return {}
    return found
