"""The social platforms, one row each: how long a post may be, how it is counted, how it
takes a link and hashtags, and its share link. Adding a platform is adding a row.

Where a platform's rule is uncertain we count the stricter way, so that a snippet that
fits here fits there too.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from typing import Callable, NamedTuple

import regex

GRAPHEME = regex.compile(r"\X")
# A URL as Mastodon and Threads see one: a scheme, then anything but space, < > or " (no
# URL holds those: "https://a.example/x<" is a URL and a "<"); trailing
# punctuation belongs to the sentence, not to the URL (so it is counted, the stricter way).
# That is: the run of URL characters after the scheme, less the punctuation at its end,
# but at least one character. (Written greedily: a lazy match that looks ahead at each
# character took 50 us for a story's link.)
URL = regex.compile(r"https?://(?:[^\s<>\"]*[^\s<>\".,;:!?)\]'”’…]|[^\s<>\"])")
# @user@domain: Mastodon counts only the @user part of a remote mention (its MENTION_RE:
# an ASCII user name, a domain of word characters, dots and dashes).
REMOTE_MENTION = regex.compile(
    r"(?<![=/\w@])(@[A-Za-z0-9_]+(?:[A-Za-z0-9_.-]+[A-Za-z0-9_])?)@[\w.-]+\w")
# A grapheme that a platform may count as an emoji.
EMOJI = regex.compile(r"[\p{Extended_Pictographic}\p{Regional_Indicator}\uFE0F\u20E3]")

HASHTAG = regex.compile(r"(?<![\w&/#])#\w*[^\W\d_]\w*")

MASTODON_URL_LENGTH = 23
# Room left for the person to make a generated post their own, on platforms whose limit is
# under 1,000 of their units (an override written in the story may use it all).
HEADROOM = 20
HEADROOM_BELOW = 1000


# The characters that join a neighbour into one grapheme cluster (UAX #29): every rule
# that keeps two code points together (GB3 CR LF; GB6-GB8 Hangul jamo; GB9, GB9a, GB9b;
# GB9c's linker, an Extend; GB11's ZWJ; GB12-GB13 regional indicators) needs one of them.
# A text without any is as many graphemes as code points, which is much cheaper to count.
# (Written as what is not one of the other classes: that is four times faster to search.)
JOINING = regex.compile(
    r"[^\p{Grapheme_Cluster_Break=Other}\p{Grapheme_Cluster_Break=Control}"
    r"\p{Grapheme_Cluster_Break=CR}\p{Grapheme_Cluster_Break=LF}"
    r"\p{Grapheme_Cluster_Break=LV}\p{Grapheme_Cluster_Break=LVT}]")
# None of them is below U+0300 or among the punctuation of U+2000-U+206F but ZWNJ and
# ZWJ (the tests check every code point): a text of Latin letters and typographic
# quotes and dashes needs no search of JOINING, whose properties are slow to look up.
MAY_JOIN = re.compile("[\u0300-\u1fff\u200c\u200d\u2070-\U0010ffff]")


def graphemes(text: str) -> int:
    """User-perceived characters (extended grapheme clusters, current Unicode rules)."""
    if text.isascii():                          # no ASCII character joins but CR LF
        return len(text) - text.count("\r\n")
    if "\r\n" not in text and (not MAY_JOIN.search(text) or not JOINING.search(text)):
        return len(text)
    return len(GRAPHEME.findall(text))


def utf16_units(text: str) -> int:
    """What a JavaScript text box's .length reports; never fewer than the graphemes."""
    return len(text.encode("utf-16-le")) // 2


@functools.lru_cache(maxsize=256)    # a post is counted as it is fitted, then again
def x_length(text: str) -> int:
    """X's weighted length (twitter-text v3: NFC, weights by range, emoji 2, URLs 23)."""
    # twitter-text is slow (~10 ms a call), and shortening counts many near-identical
    # texts; no URL or emoji spans a line break (weight 1), so count line by line, cached.
    text = unicodedata.normalize("NFC", text)
    if "\r" in text:
        text = re.sub(r"\r\n|\r", "\n", text)
    return sum(map(_x_line_length, text.split("\n"))) + text.count("\n")


# Most lines need no twitter-text, whose parse (~1 ms a line) dominates shortening: a
# line in which it can find no URL and no emoji weighs its code points by X's ranges
# (twitter-text v3's config: 0-4351, 8192-8205, 8208-8223 and 8242-8247 weigh 1, every
# other code point 2). It finds no URL where no "." is followed by a character that may
# begin a top-level domain (every URL it extracts, with a scheme or without, has a domain
# ending in "." and a TLD from its lists, all of which begin with a letter), and no emoji
# where no code point is an emoji of its own or may follow the first code point of one
# (X_EMOJI holds all of them, and more: symbols, arrows and everything past U+1F000;
# tests/test_snippet_speedups.py checks it against twitter-text's emoji list). The tests
# hold this shortcut to twitter-text's own count.
X_URL_DOT = re.compile(r"\.(?![\s0-9!-/:-@\[-`{-~‘’“”–—…]|$)")
X_EMOJI = re.compile("[\u00a9\u00ae\u200d\u203c\u2049\u20e3\u2100-\u2bff\u3030\u303d\u3297"
                     "\u3299\ufe0f\U0001f000-\U0010ffff]")
X_DOUBLE = re.compile("[^\u0000-\u10ff\u2000-\u200d\u2010-\u201f\u2032-\u2037]")


@functools.lru_cache(maxsize=8192)
def _x_line_length(line: str) -> int:
    line = unicodedata.normalize("NFC", line)          # as twitter-text counts it
    if "\r" in line or "\n" in line or X_EMOJI.search(line):
        return _parse_tweet(line)
    if not X_URL_DOT.search(line):
        return _x_weight(line)
    # With no emoji, twitter-text's count is its URLs at 23 each and the rest by weight:
    # its own URL extraction, without its emoji search (most of a parse's time).
    from twitter_text.extract_urls import extract_urls_with_indices   # see _parse_tweet
    urls = {found["indices"][0]: found["url"] for found in extract_urls_with_indices(line)}
    weight, position = 0, 0
    for start in sorted(urls):
        if start >= position:        # as parse_tweet walks: a URL inside one is skipped
            weight += _x_weight(line[position:start]) + X_URL_LENGTH
            position = start + len(urls[start])
    return weight + _x_weight(line[position:])


X_URL_LENGTH = 23


def _x_weight(text: str) -> int:
    """X's weight of code points that are no URL and no emoji."""
    return len(text) + len(X_DOUBLE.findall(text))


def _parse_tweet(line: str) -> int:
    # twitter-text compiles its URL and emoji patterns on import (~2 s on a busy machine,
    # most of a rebuild's start-up), and most builds count no line that needs it: it is
    # imported on first use (a heavy third-party counter, no cycle).
    from twitter_text import parse_tweet
    return parse_tweet(line).weightedLength


# Shortening a post counts many texts that differ in one line (the story's words) and
# share the others (the link, the disclosure, the hashtags). The counts below are of whole
# lines: no URL, link, mention, hashtag or grapheme they count spans a line break, and a
# line break is a grapheme of its own (but after a CR: CR LF is one). So a text's count is
# its lines' counts and one for each line break, and each line's count is remembered.
# (tests/test_snippet_speedups.py holds each to the count of the whole text.)
def _summed_by_line(count: Callable[[str], int], text: str) -> int:
    if "\r" in text:
        return count(text)
    return sum(map(count, text.split("\n"))) + text.count("\n")


@functools.lru_cache(maxsize=256)    # a post is counted as it is fitted, then again
def mastodon_length(text: str) -> int:
    """Mastodon: graphemes, every URL as 23, a remote mention @user@domain as @user."""
    return _summed_by_line(_mastodon_length, text)


@functools.lru_cache(maxsize=1024)
def _mastodon_length(text: str) -> int:
    text = REMOTE_MENTION.sub(r"\1", text)
    return graphemes(URL.sub("x" * MASTODON_URL_LENGTH, text))


@functools.lru_cache(maxsize=256)    # a post is counted as it is fitted, then again
def threads_length(text: str) -> int:
    """Threads: characters, with each emoji counted as its UTF-8 bytes."""
    return _summed_by_line(_threads_length, text)


@functools.lru_cache(maxsize=1024)
def _threads_length(text: str) -> int:
    if not EMOJI.search(text):
        return graphemes(text)
    return sum(len(g.encode("utf-8")) if EMOJI.search(g) else 1
               for g in GRAPHEME.findall(text))


# A link as the Bluesky app finds one in the text it posts (@atproto/api's rich-text
# detection: after the start, a space or "(", a scheme and anything but space; one trailing
# ".,;:!?" dropped, and a ")" when the link has no "(").
BLUESKY_LINK = regex.compile(r"(?:^|(?<=[\s(]))https?://\S+", regex.IGNORECASE)
BLUESKY_SHORT_PATH = 15      # social-app's toShortUrl: a longer path is cut to 13 and "..."


@functools.lru_cache(maxsize=256)    # a post is counted as it is fitted, then again
def bluesky_length(text: str) -> int:
    """Bluesky: graphemes of the text as the official app posts it, each link shortened."""
    return _summed_by_line(_bluesky_length, text)


@functools.lru_cache(maxsize=1024)
def _bluesky_length(text: str) -> int:
    return graphemes(BLUESKY_LINK.sub(lambda m: _bluesky_shortened(m.group()), text))


def _bluesky_shortened(found: str) -> str:
    """One detected link and what follows it: the link as the app shows it, then the rest."""
    link, rest = found, ""
    if link[-1] in ".,;:!?":
        link, rest = link[:-1], link[-1]
    if link.endswith(")") and "(" not in link:
        link, rest = link[:-1], ")" + rest
    return bluesky_short_url(link) + rest


def bluesky_short_url(url: str) -> str:
    """social-app's toShortUrl: host, then path, query and fragment, the path cut to 13
    characters and "..." when it is longer than 15.

    The app parses with the WHATWG URL parser (host lowercased, default port dropped, path
    percent-encoded); for a link that parser would change, we count the longer of the link
    as written and the longest the app could make of it, the stricter way."""
    parts = SIMPLE_URL.fullmatch(url)
    if parts is None or _rewritten(parts.group("path") or "") \
            or re.fullmatch(r"[0-9]+|0x[0-9a-f]*", parts.group("host").rsplit(".", 1)[-1], re.I):
        longest = MAX_SHORT_EXTRA + _host_length(url)     # counted in graphemes, as
        return url if graphemes(url) >= longest else "x" * longest   # the post is
    rest = parts.group("path") or ""
    pathname, _, query = rest.partition("#")[0].partition("?")
    fragment = rest.partition("#")[2]
    path = ("" if pathname in ("", "/") else pathname) + ("?" + query if query else "") \
        + ("#" + fragment if fragment else "")        # an empty ? or # is dropped
    host = parts.group("host").lower()
    if len(path) > BLUESKY_SHORT_PATH:
        return host + path[:13] + "..."
    return host + path


def _rewritten(rest: str) -> bool:
    """Would the WHATWG parser change this path, query or fragment? (dot segments are
    resolved, a quote in the query is percent-encoded)"""
    pathname, _, query = rest.partition("#")[0].partition("?")
    return bool(re.search(r"(?:^|/)(?:\.|%2e){1,2}(?:/|$)", pathname, re.I)) or "'" in query


# An http(s) URL the WHATWG parser leaves as it is (apart from the host's case): printable
# ASCII that needs no percent-encoding, no user, no port, no dot segment, no backslash.
SIMPLE_URL = re.compile(r"https?://(?P<host>(?!xn--)[A-Za-z0-9-]+(?:\.(?!xn--)[A-Za-z0-9-]+)*)"
                        r"(?P<path>[/?#](?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?#%]*))?",
                        re.I | re.A)     # ASCII folding only: re.I alone lets İ match [a-z]
MAX_SHORT_EXTRA = 16         # "/" and 12 more path characters and "..."


def _host_length(url: str) -> int:
    """The longest the host (and port) may become when parsed: as long when it is ASCII;
    IDNA may make a letter of another script several (we allow 10, and xn-- per label)."""
    host = re.split(r"[/?#\\]", url.split("://", 1)[-1], maxsplit=1)[0].rsplit("@", 1)[-1]
    return len(host) if host.isascii() else 10 * len(host) + 4 * (host.count(".") + 1)


def count_links(text: str) -> int:
    return sum(map(_links_in_line, text.split("\n")))     # no URL spans a line break


@functools.lru_cache(maxsize=1024)
def _links_in_line(line: str) -> int:
    return len(URL.findall(line))


def count_hashtags(text: str) -> int:
    return len(HASHTAG.findall(text))


def _q(value: str) -> str:
    """Percent-encode everything that is not unreserved, so no field can add a parameter."""
    return percent_encoded(value)


# urllib.parse.quote(value, safe="") byte for byte (the tests hold the two together),
# a table lookup a byte (its own loop calls a method for each byte of every post), line by
# line: each byte is encoded on its own, and a story's posts share many lines.
UNRESERVED = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-~"
PERCENT = tuple(chr(byte) if byte in UNRESERVED else f"%{byte:02X}" for byte in range(256))


def percent_encoded(value: str) -> str:
    """Every character but the unreserved ones (A-Z a-z 0-9 _ . - ~) as %XX of its UTF-8."""
    return "%0A".join(map(_percent_encoded_line, value.split("\n")))


@functools.lru_cache(maxsize=1024)
def _percent_encoded_line(line: str) -> str:
    data = line.encode("utf-8")
    if not data.rstrip(UNRESERVED):
        return line
    return "".join([PERCENT[byte] for byte in data])


def _query(**params: str) -> str:
    return "&".join(f"{name}={_q(value)}" for name, value in params.items())


TOPIC_TAG = regex.compile(r"\n*(?<![\w&/#])#(\w+)$")


def threads_query(s: "ShareParts") -> str:
    """text without the link (it goes in url, as an attachment) and, when the post ends with
    a hashtag, that hashtag as the topic tag (Threads takes one)."""
    body, found = s.body, TOPIC_TAG.search(s.body)
    if found and len(found.group(1)) <= 50:
        return _query(text=body[: found.start()].rstrip(), url=s.link, tag=found.group(1))
    return _query(text=body, url=s.link)


def _crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


class ShareParts(NamedTuple):
    """What a share link is built from."""

    body: str                  # the post without its link
    link: str                  # the story's address, with UTM parameters
    text: str                  # the whole post
    subject: str               # the story's title (for email)


@dataclass(frozen=True)
class Platform:
    """One social platform: a row of the table below."""

    id: str
    name: str
    limit: int
    count: Callable[[str], int]
    link: str                  # "text": in the post; "param": in the post and a share parameter;
                               # "none": no clickable links (the post says where to find it)
    hashtags: int              # at most this many hashtags, by the platform's custom
    mentions: bool             # does "@handle" in pasted text mention someone there?
    share: Callable[[ShareParts], str] | None
    max_links: int | None = None
    max_bytes: int | None = None
    max_hashtags: int | None = None      # a hard limit, not a custom: more is rejected
    carries_post: bool = True  # False: the share link takes only the URL, so the kit copies
                               # the post first and says where to paste it

    @property
    def budget(self) -> int:
        """How long a generated post may be: the limit, less room to personalise."""
        return self.limit - HEADROOM if self.limit < HEADROOM_BELOW else self.limit

    def fits(self, text: str, limit: int | None = None) -> bool:
        """True when the platform accepts the text as it is (within `limit`, if given)."""
        return (self.count(text) <= (self.limit if limit is None else limit)
                and (self.max_bytes is None or len(text.encode("utf-8")) <= self.max_bytes)
                and (self.max_links is None or count_links(text) <= self.max_links)
                and (self.max_hashtags is None or count_hashtags(text) <= self.max_hashtags))


TABLE: tuple[Platform, ...] = (
    # https://www.linkedin.com/help/linkedin/answer/a528176 (posts: up to 3,000 characters);
    # share: https://learn.microsoft.com/linkedin/consumer/integrations/self-serve/share-on-linkedin
    # (the share-offsite endpoint takes only the url, so the kit copies the post first).
    Platform("linkedin", "LinkedIn", 3000, utf16_units, "text", 3, False,
             lambda s: "https://www.linkedin.com/sharing/share-offsite/?"
             + _query(url=s.link), carries_post=False),
    # https://developer.x.com/en/docs/counting-characters (weighted count, URLs 23) and
    # https://developer.x.com/en/docs/x-for-websites/tweet-button/guides/web-intent
    # (intent/tweet?text=&url=; X joins them with a space, and both count within 280).
    Platform("x", "X", 280, x_length, "param", 2, True,
             lambda s: "https://x.com/intent/tweet?" + _query(text=s.body, url=s.link)),
    # https://www.facebook.com/help/ (a post may hold 63,206 characters);
    # https://developers.facebook.com/docs/plugins/share-button/ (sharer.php takes only u=).
    Platform("facebook", "Facebook", 63206, utf16_units, "text", 2, False,
             lambda s: "https://www.facebook.com/sharer/sharer.php?" + _query(u=s.link),
             carries_post=False),
    # https://help.instagram.com/1986234648360433 (captions: 2,200 characters, links in
    # captions are not clickable; at most 5 hashtags since December 2025). No share link.
    Platform("instagram", "Instagram", 2200, utf16_units, "none", 5, True, None,
             max_hashtags=5),
    # https://developers.facebook.com/docs/threads/create-posts (500 characters, emoji
    # counted as their UTF-8 bytes; at most 5 links) and
    # https://developers.facebook.com/documentation/threads/threads-web-intents (updated
    # March 2026: https://www.threads.com/intent/post with text, url for a link attachment,
    # tag for one topic tag: no newline, tab, "." or "&", at most 50 characters).
    Platform("threads", "Threads", 500, threads_length, "text", 1, True,
             lambda s: "https://www.threads.com/intent/post?" + threads_query(s),
             max_links=5),
    # https://docs.joinmastodon.org/user/posting/#text (500 by default, URLs 23, remote
    # mentions as the local part). Share: Mastodon's own chooser, which asks for the
    # reader's server (https://blog.joinmastodon.org/2026/03/a-new-share-button, "go to
    # share.joinmastodon.org"; ?text= as sites link to it); https://SERVER/share?text=
    # (https://docs.joinmastodon.org/methods/share/) is the kit's enhancement.
    Platform("mastodon", "Mastodon", 500, mastodon_length, "text", 4, True,
             lambda s: "https://share.joinmastodon.org/?" + _query(text=s.text)),
    # https://docs.bsky.app/docs/advanced-guides/post-richtext (300 graphemes, 3,000 bytes)
    # and https://docs.bsky.app/docs/advanced-guides/intent-links (intent/compose?text=).
    # The count is of the text as the official app posts it: social-app's composer counts
    # shortenLinks(richtext).graphemeLength (src/view/com/composer/Composer.tsx) and posts
    # the shortened text, each link as toShortUrl makes it (src/lib/strings/
    # rich-text-manip.ts and url-helpers.ts in bluesky-social/social-app).
    Platform("bluesky", "Bluesky", 300, bluesky_length, "text", 2, True,
             lambda s: "https://bsky.app/intent/compose?" + _query(text=s.text),
             max_bytes=3000),
    # https://faq.whatsapp.com/5913398998672934 (wa.me/?text=); a message holds 65,536
    # characters.
    Platform("whatsapp", "WhatsApp", 65536, utf16_units, "text", 0, False,
             lambda s: "https://wa.me/?" + _query(text=s.text)),
    # RFC 6068 (mailto: %20 for spaces, %0D%0A for line breaks). Mail itself has no length
    # limit; we keep a body to 2,000 characters because some browsers and mail programs
    # refuse long mailto: links.
    Platform("email", "Email", 2000, utf16_units, "text", 0, False,
             lambda s: "mailto:?" + _query(subject=s.subject, body=_crlf(s.text))),
)

PLATFORMS_BY_ID = {platform.id: platform for platform in TABLE}

