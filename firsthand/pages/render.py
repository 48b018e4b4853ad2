"""Turn the Library into output files: {output path: bytes}. Templates do the HTML."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Mapping
from urllib.parse import urlsplit

import jinja2
import jinja2.bccache
import jinja2.meta
from markupsafe import Markup, escape

from firsthand.content import catalog as words
from firsthand.content.catalog import Catalog
from firsthand.content.enrich import FEED_SIZE, Entry, Library
from firsthand.content.model import Alternate
from firsthand.content.images import Picture
from firsthand.content.markup import plain_text
from firsthand.pages.responsive import Pictures
from firsthand.social.snippets import visitor_links
from firsthand.output.digest import Digests
from firsthand.output.store import Forked, Store, WorkerFailed, key

DEFAULT_THEME = Path(__file__).resolve().parents[2]
PICTURE = "#picture"        # a page's read of a picture's sizes (SeenPictures)
SPLIT = 32                  # pages in a row for each process (Renderer.share)
TEMPLATE_FOLDER = "templates"
STORY_TEMPLATE = "story.html"     # a story's own page (serve shows it first)


@dataclass(frozen=True)
class Page:
    """What every page template knows of itself."""

    path: str                 # the URL path below base_url: "", "stories/x/", "404.html"
    title: str
    description: str
    kind: str = "page"        # page, story, list, person, term, error
    image: str = ""           # output path of the preview picture
    image_alt: str = ""
    extra: Mapping = field(default_factory=dict)

    @property
    def file(self) -> str:
        return self.path + "index.html" if self.path == "" or self.path.endswith("/") \
            else self.path


class StoredBytecode(jinja2.BytecodeCache):
    """Compiled templates kept in the store, so that a build compiles only the templates
    that changed: an entry is keyed by the template's name and file, a hash of its source
    and Jinja's version, and checksummed by the store like every other."""

    def __init__(self, store: Store):
        self.store = store

    def _name(self, bucket: jinja2.bccache.Bucket) -> str:
        return key(jinja2.__version__, bucket.key, bucket.checksum)

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        data = self.store.get("templates", self._name(bucket))
        if data:
            bucket.bytecode_from_string(data)     # another Python's bytecode is ignored

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.store.put("templates", self._name(bucket), bucket.bytecode_to_string())


def make_environment(source: Path, store: Store | None = None) -> jinja2.Environment:
    """Templates of the site first, then the default theme's (the site overrides by name);
    compiled once and kept in `store` when one is given."""
    folders = [source / TEMPLATE_FOLDER]
    if (DEFAULT_THEME / TEMPLATE_FOLDER).resolve() != folders[0].resolve():
        folders.append(DEFAULT_THEME / TEMPLATE_FOLDER)
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(f) for f in folders if f.is_dir()]),
        autoescape=jinja2.select_autoescape(["html", "xml", "svg"], default_for_string=True),
        undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True,
        auto_reload=False,        # a build reads each template once; no stat per page
        bytecode_cache=StoredBytecode(store) if store is not None else None,
    )
    env.filters["url"] = relative_url
    env.filters["absolute"] = absolute_url
    env.filters["jsonld"] = jsonld
    env.filters["isodate"] = lambda d: d.isoformat()
    env.filters["longdate"] = long_date
    env.filters["number"] = lambda value, lang: words.number(lang, value)
    env.filters["language_name"] = language_name
    env.globals["t"] = translate
    env.filters["plain"] = plain_text
    env.filters["visitor_links"] = lambda entry, site: visitor_links(site, entry)
    return env


def compile_ahead(env: jinja2.Environment, name: str) -> None:
    """Compile a template and every template it extends, includes or imports by name, so
    that its first page costs no compiling (serve's first page after a save)."""
    todo, seen = [name], set()
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        source = env.loader.get_source(env, current)[0]
        todo.extend(found for found in jinja2.meta.find_referenced_templates(env.parse(source))
                    if found)
        env.get_template(current)


# English without a region has always written dates day first ('10 February 2026'):
# CLDR's en-GB form. en-US (or any other English a site names) gets its own CLDR form.
DATE_LOCALES = {"en": "en-GB"}


@jinja2.pass_context
def long_date(context, day) -> str:
    """'10 February 2026', '2026年2月10日': the long date of the page's language."""
    return date_in(day, context["lang"])


def date_in(day, lang: str) -> str:
    return words.long_date(day, DATE_LOCALES.get(lang, lang))


def month_in(day, lang: str) -> str:
    return words.month(day, DATE_LOCALES.get(lang, lang))


@jinja2.pass_context
def translate(context, key: str, count: int | None = None, **places) -> Markup:
    """t('nav.people'), t('stories', count=3, company=...): the page language's words for
    key, HTML-escaped, its {places} filled (Markup values, such as a link, stay markup)."""
    catalog: Catalog = context["words"]
    lang = context["lang"]
    text = catalog.form(lang, key, count)
    if count is not None:
        places["count"] = words.number(lang, count)
    return Markup(escape(text)).format_map({k: escape(v) for k, v in places.items()}) \
        if places else Markup(escape(text))


@functools.lru_cache(maxsize=256)
def language_name(lang: str) -> str:
    """A language in its own words, as a switcher names it: 'Deutsch', '日本語', 'Français'."""
    name = words.locale(lang).get_display_name(words.locale(lang)) or lang
    return name[:1].upper() + name[1:]


@jinja2.pass_context
def relative_url(context, target: str) -> str:
    """A link from the page being rendered to an output path, relative so any sub-path works."""
    root = context["root"]
    url = root + target.lstrip("/")
    return url or "./"


@jinja2.pass_context
def absolute_url(context, target: str) -> str:
    return context["site"].absolute(target)


def jsonld(data) -> str:
    """JSON for a <script> block that no value can close or break out of."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"),
                          ("\u2028", "\\u2028"), ("\u2029", "\\u2029")):
        text = text.replace(char, escaped)
    return jinja2.utils.markupsafe.Markup(text)


class _Theirs:
    def __repr__(self) -> str:
        return "THEIRS"


THEIRS = _Theirs()          # what page() gives for a page the helper renders (share)


class Renderer:
    """Renders pages of one Library with one template environment, each page only when
    what it shows changed since it was last rendered (the store remembers pages).

    A page's key is a digest of the view its template receives (page, site, and every
    object passed to it, whole) and of the templates; what the template reads of the
    whole library (`lib`: the drafts flag, how many stories...) and of the pictures'
    sizes (`picture`, `pictures`: SeenPictures) is recorded as it reads it and checked
    again before a remembered page is used. So the key is complete by construction:
    nothing the template can see is left out of it.

    `last` (output file -> [key, reads, ...] of the last good build, whose output is in
    place) lets a page whose key and reads are unchanged be given as None, "as it is",
    without reading the store; `made` holds [key, reads] of every page given.
    """

    def __init__(self, library: Library, env: jinja2.Environment,
                 pictures: Mapping[str, Picture], store: Store | None = None,
                 engine: str = "", digests: "Digests | None" = None,
                 last: Mapping[str, list] | None = None, kept: Path | None = None):
        self.library, self.env, self.pictures = library, env, pictures
        self.last = last or {}
        self.kept = kept          # the folder of the last build's files (build.Last.out)
        self.made: dict[str, list] = {}
        self.store = store or Store(None)
        self.site = library.site
        self.base_path = urlsplit(self.site.base_url).path
        self.digests = digests or Digests()   # shared with the build's other steps
        self.languages: dict[str, tuple[Library, Catalog]] = {}
        self.views: dict[str, tuple[dict, bytes]] = {}      # lang -> shared_view
        self.cards: dict[int, tuple[Entry, Card]] = {}      # id(entry) -> (entry, its card)
        self.shown: dict[int, tuple[Entry, Entry]] = {}     # id(entry) -> (entry, as shown)
        self.common = key(engine, template_digest(env))
        self.mine: int | None = None        # which pages this process renders (share)
        self.counted = 0                    # pages asked for so far
        self.waiting: tuple | None = None   # the last page asked for that is theirs
        self.helper: Forked | None = None

    def share(self, steps: list["RenderStep"]) -> None:
        """Render every other run of SPLIT pages in a forked helper, which runs `steps`
        (all that ask for pages) as this process will: page() gives THEIRS for a page of
        the helper's, and `theirs` its bytes. The helper takes the store's entries it
        makes onto the disk, where this process finds them; its digests are its own."""
        def produce(send) -> None:
            self.mine = 1
            for step in steps:
                for path, data in step(self):
                    if data is not THEIRS and path in self.made:
                        send((path, data, self.made[path]))
        self.mine = 0
        self.helper = Forked(produce)

    def theirs(self, path: str) -> tuple[str, bytes | None]:
        """The page the helper rendered, which page() just gave as THEIRS; rendered here
        when the helper failed (its error then comes again, here) or stopped."""
        try:
            found, data, made = next(self.helper)
        except (WorkerFailed, StopIteration):
            self.stop_sharing()
            template, page, context = self.waiting
            return self.page(template, page, **context)
        if found != path:
            raise RuntimeError(f"the helper rendered {found}, not {path}")
        self.made[path] = made
        return path, data

    def stop_sharing(self) -> None:
        if self.helper is not None:
            self.helper.close()
        self.helper = self.mine = None

    def page(self, template: str, page: Page, **context) -> tuple[str, bytes | None]:
        """Render one template for one page (or take it from the store); returns
        (output file, bytes), or (output file, None) when the last build's is the same;
        THEIRS when another process renders it (see share)."""
        if self.mine is not None:
            number, self.counted = self.counted, self.counted + 1
            if number // SPLIT % 2 != self.mine:
                self.waiting = (template, page, context)
                return page.file, THEIRS
        if page.kind == "error":
            root = self.base_path          # a 404 page is served at any depth
        else:
            root = "../" * page.file.count("/")
        lang = self.site.language_of(page.path)
        library, catalog = self.in_language(lang)
        shared, shared_digest = self.shared_view(lang)
        own = dict(page=page, root=root, canonical=self.site.absolute(page.path), **context)
        view = dict(**shared, **own)
        name = key(self.common, template, shared_digest, self.digests.of(own))
        last = self.last.get(page.file)
        if last is not None and last[0] == name and _still(library, self.pictures, last[1]):
            self.made[page.file] = [name, last[1]]
            return page.file, None
        remembered = _unpack_page(self.store.get("pages", name))
        if remembered is not None and _still(library, self.pictures, remembered[0]):
            self.made[page.file] = [name, remembered[0]]
            return page.file, remembered[1]
        reads: list = []
        seen = SeenPictures(self.pictures, reads)
        html = self.env.get_template(template).render(
            lib=Traced(library, (), reads), picture=seen.get, pictures=Pictures(seen),
            **view).encode("utf-8")
        reads = list(dict.fromkeys(reads))      # a value read twice is checked once
        self.store.put("pages", name, json.dumps(reads).encode("utf-8") + b"\0" + html)
        self.made[page.file] = [name, reads]
        return page.file, html


    def card(self, entry: Entry) -> "Card":
        """The entry as a list shows it: one object per entry, so its digest is taken once."""
        found = self.cards.get(id(entry))
        if found is None:
            found = self.cards[id(entry)] = (entry, Card.of(entry))
        return found[1]

    def carded(self, listing, entries=None):
        """A team, a tag or a person (a Term or a Profile) with their stories, or `entries`
        (a page of them), as cards."""
        return dataclasses.replace(listing, entries=tuple(
            self.card(e) for e in (listing.entries if entries is None else entries)))

    def story(self, entry: Entry) -> Entry:
        """The entry as its own pages show it: its related stories as cards, so that an
        edit of a related story's body does not render this story's pages again."""
        found = self.shown.get(id(entry))
        if found is None:
            shown = dataclasses.replace(entry, related=tuple(self.card(e) for e in entry.related))
            found = self.shown[id(entry)] = (entry, shown)
        return found[1]

    def shared_view(self, lang: str) -> tuple[dict, bytes]:
        """What every page of one language shows alike, and its digest (taken once): the
        page's words are part of its view, so an edit of i18n/ja.yaml renders ja pages
        again."""
        found = self.views.get(lang)
        if found is None:
            shared = dict(site=self.site, lang=lang, text_dir=words.direction(lang),
                          home=self.site.prefix(lang), words=self.in_language(lang)[1])
            found = self.views[lang] = (shared, self.digests.of(shared))
        return found

    def in_language(self, lang: str) -> tuple[Library, Catalog]:
        """What one language's pages show of the library, and that language's words."""
        found = self.languages.get(lang)
        if found is None:
            found = self.languages[lang] = (self.library.edition(lang),
                                            self.library.catalog.only(lang))
        return found


def template_digest(env: jinja2.Environment) -> str:
    """Every template the environment can load (any of them may be included)."""
    digest = hashlib.sha256()
    for name in env.list_templates():
        source, filename, _ = env.loader.get_source(env, name)
        digest.update(f"{name}\0{filename}\0{len(source)}\0".encode() + source.encode())
    return digest.hexdigest()


def _unpack_page(data: bytes | None) -> tuple[list, bytes] | None:
    if data is None:
        return None
    reads, _, html = data.partition(b"\0")
    try:
        return json.loads(reads), html
    except ValueError:
        return None


def _still(library: Library, pictures: Mapping[str, Picture], reads) -> bool:
    """Whether every value a template read of the library or of the pictures (path, repr)
    is the same now."""
    try:
        return all((sizes_of(pictures.get(path[1])) if path[0] == PICTURE else
                    _read(library, path)) == value for path, value in reads)
    except (ValueError, TypeError, IndexError):
        return False


class SeenPictures:
    """The pictures' sizes as one page's template asks for them, each ask noted as a read
    ((PICTURE, output path), sizes_of what it found): a page's key holds only the
    pictures it shows, so a story added (two cards more) renders no other page again."""

    __slots__ = ("_pictures", "_reads")

    def __init__(self, pictures: Mapping[str, Picture], reads: list):
        self._pictures, self._reads = pictures, reads

    def get(self, path: str, default=None) -> Picture | None:
        found = self._pictures.get(path)
        self._reads.append(((PICTURE, path), sizes_of(found)))
        return default if found is None else found


def sizes_of(picture: Picture | None) -> str:
    """All a page can learn of a picture: "1200x630 400x210 ..." (its copies after it)."""
    if picture is None:
        return ""
    return " ".join(f"{p.width}x{p.height}" for p in (picture, *picture.copies))


class Traced:
    """A read-only view of part of the library that notes each value a template reads:
    (path, repr of the value), where a path is attribute names, indices and '#len'."""

    __slots__ = ("_value", "_path", "_reads")

    def __init__(self, value, path: tuple, reads: list):
        self._value, self._path, self._reads = value, path, reads

    def __getattr__(self, name: str):
        return _traced(getattr(self._value, name), self._path + (name,), self._reads)

    def __len__(self) -> int:
        size = len(self._value)
        self._reads.append((self._path + ("#len",), repr(size)))
        return size

    def __bool__(self) -> bool:
        return len(self) > 0

    def __iter__(self):
        for index in range(len(self)):
            yield _traced(self._value[index], self._path + (index,), self._reads)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [_traced(self._value[i], self._path + (i,), self._reads)
                    for i in range(*index.indices(len(self)))]
        return _traced(self._value[index], self._path + (index,), self._reads)


def _traced(value, path: tuple, reads: list):
    if dataclasses.is_dataclass(value) or isinstance(value, (tuple, list)):
        return Traced(value, path, reads)
    reads.append((path, repr(value)))
    return value


def _read(value, path: tuple) -> str | None:
    """What the template read at `path` is now (the repr _traced noted), or None."""
    try:
        for part in path:
            value = len(value) if part == "#len" else value[part] if isinstance(part, int) \
                else getattr(value, part)
    except (AttributeError, IndexError, TypeError):
        return None
    return repr(value)


RenderStep = Callable[[Renderer], Iterator[tuple[str, bytes]]]


def languages(r: Renderer) -> Iterator[tuple[str, str, Library]]:
    """Each language the site publishes: (lang, its path prefix, its part of the library)."""
    for lang in r.site.published_languages:
        yield lang, r.site.prefix(lang), r.in_language(lang)[0]


def text(r: Renderer, lang: str, key: str, count: int | None = None, **places) -> str:
    return r.library.catalog.text(lang, key, count, company=r.site.company, **places)


def everywhere(r: Renderer, path: str) -> tuple[Alternate, ...]:
    """A page every language has ('people/'): its path in each, when there are several."""
    if len(r.site.published_languages) < 2:
        return ()
    return tuple(Alternate(lang, prefix + path) for lang, prefix, _ in languages(r))


def render_index(r: Renderer) -> Iterator[tuple[str, bytes]]:
    """The home page of each language: newest stories first, paginated: page/2/, page/3/ ..."""
    size = r.site.per_page
    counts = {lang: _page_count(library.entries, size) for lang, _, library in languages(r)}
    for lang, prefix, library in languages(r):
        entries, pages = library.entries, counts[lang]
        for number in range(1, pages + 1):
            path = _page_path("", number)
            title = r.site.title if number == 1 else \
                text(r, lang, "home.page_title", title=r.site.title, number=number)
            description = r.site.description or text(r, lang, "home.description")
            shared = tuple(a for a in everywhere(r, path) if counts[a.lang] >= number)
            yield r.page("index.html", Page(prefix + path, title, description, kind="list"),
                         entries=[r.card(e) for e in entries[(number - 1) * size: number * size]],
                         pagination=_pagination(number, pages, prefix),
                         alternates=shared if len(shared) > 1 else ())


PAGE_WINDOW = 2               # page links shown either side of the current one


def _pagination(number: int, pages: int, base: str = "") -> dict:
    """Links to the first, the last and the nearby pages of a list at `base` ("", "ja/",
    "tags/night-shift/"): output paths, base for page 1, base + "page/N/" after; (None,
    None) marks a gap.

    Every page listing every other page would make the home pages grow with the square
    of the number of stories (a thousand pages of a thousand links each).
    """
    def path(n: int) -> str:
        return _page_path(base, n)
    shown = sorted({1, pages} | set(range(max(1, number - PAGE_WINDOW),
                                          min(pages, number + PAGE_WINDOW) + 1)))
    links: list[tuple[int | None, str | None]] = []
    for n in shown:
        if links and n - links[-1][0] > 1:
            links.append((None, None) if n - links[-1][0] > 2 else (n - 1, path(n - 1)))
        links.append((n, path(n)))
    return {"number": number, "pages": pages,
            "previous": path(number - 1) if number > 1 else None,
            "next": path(number + 1) if number < pages else None,
            "all": links}


def render_stories(r: Renderer) -> Iterator[tuple[str, bytes]]:
    """One page per story, with links to the next newer and the next older one of its language."""
    for lang, _, library in languages(r):
        entries = library.entries
        for index, entry in enumerate(entries):
            newer = entries[index - 1] if index else None
            older = entries[index + 1] if index + 1 < len(entries) else None
            yield r.page(STORY_TEMPLATE, story_page(entry, r.library.catalog),
                         entry=r.story(entry), newer=newer and r.card(newer),
                         older=older and r.card(older), alternates=entry.alternates)


def story_page(entry: Entry, catalog: Catalog | None = None) -> Page:
    """The story's page; its preview picture is its og.png card (see sharekit.make_cards)."""
    return Page(entry.path, entry.title, entry.description, kind="story",
                image=entry.path + "og.png", image_alt=card_alt(entry, catalog))


def card_alt(entry: Entry, catalog: Catalog | None = None, lang: str | None = None) -> str:
    """What a story's picture card shows, for those who cannot see it (in `lang`, or the
    story's language)."""
    if catalog is not None:
        return catalog.text(lang or entry.language or catalog.default, "card.alt", title=entry.title,
                            name=entry.author.name, role=entry.author.role)
    return f"“{entry.title}”, a story by {entry.author.name}, {entry.author.role}"


def render_people(r: Renderer) -> Iterator[tuple[str, bytes]]:
    """The people index and a page per person, in each language."""
    for lang, prefix, library in languages(r):
        yield r.page("people.html", Page(prefix + "people/", text(r, lang, "people.title"),
                                         text(r, lang, "people.lede"), kind="list"),
                     alternates=everywhere(r, "people/"))
        for profile in library.profiles:
            person = profile.person
            description = person.bio or text(r, lang, "person.description", name=person.name,
                                             role=person.role)
            yield r.page("person.html", Page(profile.path, person.name, description,
                                             kind="person",
                                             image=profile.photo.path if profile.photo else "",
                                             image_alt=person.photo_alt),
                         profile=r.carded(profile),
                         alternates=everywhere(r, f"people/{person.id}/"))


def render_terms(r: Renderer) -> Iterator[tuple[str, bytes]]:
    """Teams and tags: an index of each, and a page per team and per tag, in each language."""
    for lang, prefix, library in languages(r):
        for kind, terms, label in (("teams", library.teams, text(r, lang, "nav.teams")),
                                   ("tags", library.tags, text(r, lang, "nav.topics"))):
            yield r.page("terms.html", Page(f"{prefix}{kind}/", label,
                                            text(r, lang, "terms.description", label=label),
                                            kind="list"),
                         terms=tuple(r.carded(term) for term in terms), kind=kind,
                         label=label, alternates=everywhere(r, f"{kind}/"))
            for term in terms:
                yield from _term_pages(r, lang, term)


def _term_pages(r: Renderer, lang: str, term) -> Iterator[tuple[str, bytes]]:
    """A team's or a tag's stories, newest first, paginated as the home page is:
    TERM/, TERM/page/2/ ... (the term the template gets lists the page's stories; `count`
    is how many it has in all)."""
    size = r.site.per_page
    pages = _page_count(term.entries, size)
    key = "term.team_description" if term.kind == "teams" else "term.tag_description"
    description = text(r, lang, key, name=term.name)
    shared = term_alternates(r, term)
    for number in range(1, pages + 1):
        title = term.name if number == 1 else \
            text(r, lang, "home.page_title", title=term.name, number=number)
        shown = term.entries[(number - 1) * size: number * size]
        yield r.page("term.html", Page(_page_path(term.path, number), title, description,
                                       kind="term"),
                     term=r.carded(term, shown),
                     count=len(term.entries), pagination=_pagination(number, pages, term.path),
                     alternates=shared if number == 1 else ())


def _page_path(base: str, number: int) -> str:
    return base if number == 1 else f"{base}page/{number}/"


def _page_count(entries, size: int) -> int:
    """How many pages of `size` a list of entries takes: one at least, for an empty list."""
    return max(1, -(-len(entries) // size))


def term_alternates(r: Renderer, term) -> tuple[Alternate, ...]:
    """A team or tag of one name in several languages ('Operations' in en and ja)."""
    shared = tuple(a for a in everywhere(r, f"{term.kind}/{term.slug}/")
                   if any(t.slug == term.slug for t in getattr(r.in_language(a.lang)[0],
                                                               term.kind)))
    return shared if len(shared) > 1 else ()


@dataclass(frozen=True)
class Listed:
    """A story as the archive lists it: all its template is given of it, so that an edit
    of what the archive does not show (a body, a summary) leaves the page's key as it was
    (at ten thousand stories the archive is the largest page to render)."""

    path: str
    lang: str
    dir: str
    title: str
    date: dt.date
    published: bool
    author: object                      # the Person, for the face and the name

    @classmethod
    def of(cls, entry: Entry) -> "Listed":
        return cls(entry.path, entry.lang, entry.dir, entry.title, entry.date,
                   entry.published, entry.author)


@dataclass(frozen=True)
class Card(Listed):
    """A story as a card shows it (partials/card.html, on the home pages, a person's, a
    team's or a tag's page, and in a story's related box): the archive's fields and the
    cover, team, place, excerpt and reading time. A list page's key is made of its cards,
    so an edit a card does not show (most body edits) renders no list again."""

    image: object = None                # the cover Image, or None
    team: str = ""
    location: str = ""
    excerpt: str = ""
    minutes: int = 0

    @classmethod
    def of(cls, entry: Entry) -> "Card":
        return cls(entry.path, entry.lang, entry.dir, entry.title, entry.date,
                   entry.published, entry.author, entry.image, entry.team, entry.location,
                   entry.excerpt, entry.minutes)


def render_archive(r: Renderer) -> Iterator[tuple[str, bytes]]:
    """archive/: every story of a language, newest first, under a heading per month."""
    for lang, prefix, library in languages(r):
        months: list[tuple[str, list[Listed]]] = []
        for entry in library.entries:
            label = month_in(entry.date, lang)
            if not months or months[-1][0] != label:
                months.append((label, []))
            months[-1][1].append(Listed.of(entry))
        yield r.page("archive.html", Page(prefix + "archive/", text(r, lang, "archive.title"),
                                          text(r, lang, "archive.description"), kind="list"),
                     months=months, alternates=everywhere(r, "archive/"))


def render_feed(r: Renderer) -> Iterator[tuple[str, bytes]]:
    """The Atom feed of each language's newest stories."""
    for _, prefix, library in languages(r):
        entries = list(library.entries[:FEED_SIZE])
        yield r.page("feed.xml", Page(prefix + "feed.xml", r.site.title, r.site.description,
                                      kind="feed"), entries=entries)


def render_sitemap(r: Renderer) -> Iterator[tuple[str, bytes]]:
    """sitemap.xml of every page meant for search engines, in every language, each with its
    alternates; and robots.txt pointing to it (at a host's root only)."""
    urls = []
    for _, prefix, library in languages(r):
        def each(path: str, lastmod=None) -> tuple:
            return (prefix + path, lastmod, everywhere(r, path))
        urls += [each("")] + [(e.path, e.story.updated or e.date, e.alternates)
                              for e in library.entries]
        urls += [each("people/")] + [each(p.path[len(prefix):]) for p in library.profiles]
        for kind, terms in (("teams", library.teams), ("tags", library.tags)):
            urls += [each(f"{kind}/")] + [(t.path, None, term_alternates(r, t)) for t in terms]
            urls += [(_page_path(t.path, n), None, ()) for t in terms
                     for n in range(2, _page_count(t.entries, r.site.per_page) + 1)]
        urls += [each("archive/")]
        urls += [(_page_path(prefix, n), None, ())
                 for n in range(2, _page_count(library.entries, r.site.per_page) + 1)]
    yield r.page("sitemap.xml", Page("sitemap.xml", "", "", kind="feed"), urls=urls)
    # Crawlers read robots.txt only at the root of a host: a site below a sub-path gets
    # none (README: add its Sitemap line to the host's own robots.txt).
    if r.base_path in ("", "/"):
        yield r.page("robots.txt", Page("robots.txt", "", "", kind="feed"))


def render_search(r: Renderer) -> Iterator[tuple[str, bytes]]:
    """The search page of each language; its index is made from the rendered pages
    (firsthand/pages/search.py), one bundle per language, which static/search.js merges."""
    if r.site.search:
        for lang, prefix, _ in languages(r):
            yield r.page("search.html", Page(prefix + "search/", text(r, lang, "search.title"),
                                             text(r, lang, "search.description"),
                                             kind="search"), alternates=everywhere(r, "search/"))


def render_404(r: Renderer) -> Iterator[tuple[str, bytes]]:
    """The page a host shows for a missing address: 404.html in the default language, and
    LANG/404.html in each other one, for hosts that serve the nearest 404.html up the
    missing address's path (Cloudflare Pages does; elsewhere the root one is shown)."""
    for lang, prefix, _ in languages(r):
        path = prefix + "404.html"
        yield r.page("404.html", Page(path, text(r, lang, "not_found.title"),
                                      text(r, lang, "not_found.description"), kind="error"))


# The share kits and snippets.json (sharekit.py) come after these; see build.RENDER_STEPS.
RENDER_STEPS: list[RenderStep] = [render_index, render_stories, render_people, render_terms,
                                  render_archive, render_feed, render_sitemap, render_404,
                                  render_search]

