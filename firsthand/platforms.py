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
from urllib.parse import quote

import regex
from twitter_text import parse_tweet

GRAPHEME = regex.compile(r"\X")
# A URL as Mastodon and Threads see one: a scheme, then anything but space; trailing
# punctuation belongs to the sentence, not to the URL (so it is counted, the stricter way).
URL = regex.compile(r"https?://[^\s<>\"]+?(?=[.,;:!?)\]'\"”’…]*(?:\s|$))")
# @user@domain: Mastodon counts only the @user part of a remote mention (its MENTION_RE:
# an ASCII user name, a domain of word characters, dots and dashes).
REMOTE_MENTION = regex.compile(
    r"(?<![=/\w@])(@[A-Za-z0-9_]+(?:[A-Za-z0-9_.-]+[A-Za-z0-9_])?)@[\w.-]+\w")
# A grapheme that a platform may count as an emoji.
EMOJI = regex.compile(r"[\p{Extended_Pictographic}\p{Regional_Indicator}\uFE0F\u20E3]")

HASHTAG = regex.compile(r"(?<![\w&/#])#\w*[^\W\d_]\w*")

MASTODON_URL_LENGTH = 23


def graphemes(text: str) -> int:
    """User-perceived characters (extended grapheme clusters, current Unicode rules)."""
    return len(GRAPHEME.findall(text))


def utf16_units(text: str) -> int:
    """What a JavaScript text box's .length reports; never fewer than the graphemes."""
    return len(text.encode("utf-16-le")) // 2


def x_length(text: str) -> int:
    """X's weighted length (twitter-text v3: NFC, weights by range, emoji 2, URLs 23)."""
    # twitter-text is slow (~10 ms a call), and shortening counts many near-identical
    # texts; no URL or emoji spans a line break (weight 1), so count line by line, cached.
    text = re.sub(r"\r\n|\r", "\n", unicodedata.normalize("NFC", text))
    return sum(_x_line_length(line) for line in text.split("\n")) + text.count("\n")


# A printable ASCII line in which twitter-text can find no URL (a URL needs "://" or a
# dot right before a top-level domain's letter) weighs one per character: every ASCII
# code point is in its weight-1 range, and no emoji sequence is pure ASCII. The tests
# hold this shortcut to twitter-text's own count.
MAYBE_URL = re.compile(r"\.[A-Za-z]|://")
PLAIN_ASCII = re.compile(r"[ -~]*")


@functools.lru_cache(maxsize=8192)
def _x_line_length(line: str) -> int:
    if PLAIN_ASCII.fullmatch(line) and not MAYBE_URL.search(line):
        return len(line)
    return parse_tweet(line).weightedLength if line else 0


def mastodon_length(text: str) -> int:
    """Mastodon: graphemes, every URL as 23, a remote mention @user@domain as @user."""
    text = REMOTE_MENTION.sub(r"\1", text)
    return graphemes(URL.sub("x" * MASTODON_URL_LENGTH, text))


def threads_length(text: str) -> int:
    """Threads: characters, with each emoji counted as its UTF-8 bytes."""
    return sum(len(g.encode("utf-8")) if EMOJI.search(g) else 1
               for g in GRAPHEME.findall(text))


def count_links(text: str) -> int:
    return len(URL.findall(text))


def count_hashtags(text: str) -> int:
    return len(HASHTAG.findall(text))


def _q(value: str) -> str:
    """Percent-encode everything that is not unreserved, so no field can add a parameter."""
    return quote(value, safe="")


def _query(**params: str) -> str:
    return "&".join(f"{name}={_q(value)}" for name, value in params.items())


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

    def fits(self, text: str) -> bool:
        """True when the platform accepts the text as it is."""
        return (self.count(text) <= self.limit
                and (self.max_bytes is None or len(text.encode("utf-8")) <= self.max_bytes)
                and (self.max_links is None or count_links(text) <= self.max_links)
                and (self.max_hashtags is None or count_hashtags(text) <= self.max_hashtags))


TABLE: tuple[Platform, ...] = (
    # https://www.linkedin.com/help/linkedin/answer/a528176 (posts: up to 3,000 characters);
    # share: https://learn.microsoft.com/linkedin/consumer/integrations/self-serve/share-on-linkedin
    # (the share-offsite endpoint takes only the url).
    Platform("linkedin", "LinkedIn", 3000, utf16_units, "text", 3, False,
             lambda s: "https://www.linkedin.com/sharing/share-offsite/?"
             + _query(url=s.link)),
    # https://developer.x.com/en/docs/counting-characters (weighted count, URLs 23) and
    # https://developer.x.com/en/docs/x-for-websites/tweet-button/guides/web-intent
    # (intent/tweet?text=&url=; X joins them with a space, and both count within 280).
    Platform("x", "X", 280, x_length, "param", 2, True,
             lambda s: "https://x.com/intent/tweet?" + _query(text=s.body, url=s.link)),
    # https://www.facebook.com/help/ (a post may hold 63,206 characters);
    # https://developers.facebook.com/docs/plugins/share-button/ (sharer.php takes only u=).
    Platform("facebook", "Facebook", 63206, utf16_units, "text", 2, False,
             lambda s: "https://www.facebook.com/sharer/sharer.php?" + _query(u=s.link)),
    # https://help.instagram.com/1986234648360433 (captions: 2,200 characters, links in
    # captions are not clickable; at most 5 hashtags since December 2025). No share link.
    Platform("instagram", "Instagram", 2200, utf16_units, "none", 5, True, None,
             max_hashtags=5),
    # https://developers.facebook.com/docs/threads/create-posts (500 characters, emoji
    # counted as their UTF-8 bytes; at most 5 links) and
    # https://developers.facebook.com/docs/threads/threads-web-intents (intent/post?text=).
    Platform("threads", "Threads", 500, threads_length, "text", 1, True,
             lambda s: "https://www.threads.net/intent/post?" + _query(text=s.text),
             max_links=5),
    # https://docs.joinmastodon.org/user/posting/#text (500 by default, URLs 23, remote
    # mentions as the local part); https://docs.joinmastodon.org/methods/share/ needs the
    # reader's own server, so the share kit builds https://SERVER/share?text= in the page.
    Platform("mastodon", "Mastodon", 500, mastodon_length, "text", 4, True, None),
    # https://docs.bsky.app/docs/advanced-guides/post-richtext (300 graphemes, 3,000 bytes)
    # and https://docs.bsky.app/docs/advanced-guides/intent-links (intent/compose?text=).
    Platform("bluesky", "Bluesky", 300, graphemes, "text", 2, True,
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

