"""Picture cards for sharing: og.png (1200x630) for link previews and a portrait card
(1080x1350) for Instagram, in the site's brand colour and with its logo.

og.png shows the story's own photo when it has one (cropped to fill, the text on a dark
scrim), else the brand layout: the title beside the person's face. The Instagram card
carries the pull quote large (else the title), the person's face, name and role, and the
title at the foot; the story photo fills its top when there is one. A story whose title
reads right to left (Arabic, Hebrew) gets the mirror image of that layout: the face on the
other side, every line starting at the right.

Fonts come from the system: Debian's fonts-noto-core and fonts-noto-cjk (CI installs
them), with DejaVu as the last resort. Each grapheme is drawn with the first font that
has a glyph for it, so Latin with accents, Japanese and Arabic all render without
missing-glyph boxes. Arabic needs shaping: Pillow does it with libraqm (its wheels ship
it; `PIL.features.check('raqm')`); without raqm, Arabic letters are drawn unjoined.

Speed (a build draws two cards per story; benchmarks/bench_cards.py measures them):
- what is the same on all of a person's cards (face, name, role, company, logo) is drawn
  once per person and kept as a Base: the tiles that are not plain colour, and its rows
  deflated in stripes; a story draws its text on regions of it as tall as its lines,
  and only the stripes those touch are packed and deflated again;
- text is measured word by word from a cache of word widths (a card tries up to a dozen
  font sizes to fit its quote), and a line is measured exactly only once it is chosen;
  scripts that need no shaping (Latin, Greek, Cyrillic, CJK) are drawn from a cache of
  rendered glyphs rather than rasterised again;
- a story photo comes as the build's copy 1200 pixels wide where there is one
  (sharekit.card_cover): og.png's photo is cut from it, not resized (else the photo is
  decoded at the smallest scale that still fills og.png, JPEG's own reduced decoding, and
  resized once); the Instagram card's band is made from og.png's picture; the scrims
  darken it row by row (ImageChops.multiply by a cached picture of the scrim);
- the PNG is deflated with zlib-ng at level 2 (a third of zlib's time at level 1, files
  about as large), the stripes a story's text touches at level 1 (STORY_LEVEL), the same
  bytes for the same rows in every process; photo rows take
  PNG's Sub filter and are only Huffman-coded, in the same time whatever the photo (a
  search for runs took a third longer on a camera's): a camera photo's card is about half
  its size unfiltered, a smooth gradient's 27-39 % smaller, a flat drawing's (the sample's
  dock) 1.4-1.6 times larger.
The store (output/store.py) keeps each card by the hash of all it shows, and draws the
missing ones in a process pool, both cards of a story in the same process, one after the
other (the photo, cut to og.png's size, is kept for the second).
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import struct
import unicodedata
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import regex
from PIL import Image, ImageChops, ImageDraw, ImageFont, ImageOps, features

try:                        # zlib-ng's deflate: same format, a third of zlib's time on a card
    from zlib_ng import zlib_ng as deflate
    DEFLATE = (deflate, 2, f"zlib-ng-{deflate.ZLIBNG_VERSION}")
except ImportError:         # pragma: no cover - zlib-ng is a dependency; zlib keeps cards working
    DEFLATE = (zlib, 1, f"zlib-{zlib.ZLIB_VERSION}")
# Not ISA-L (isal), although it is faster still: its output is not a function of its input
# alone. The same rows deflated in 400 fresh processes came out three different ways (two
# of them once each), so a card drawn in a pool's worker was now and then other bytes than
# the same card drawn in the build's own process. zlib-ng and zlib gave one output in 400.

# The only text a card adds to the story's own (title, quote, name, role, company): marks
# and separators. Translated framing, when a language needs its own, goes here.
FRAMING = {
    "separator": " · ",               # between the role and the company
    "ellipsis": "…",                  # where a text too long for its box is cut
    "quote": ("“", "”"),              # around the pull quote
    "quote_cjk": ("「", "」"),         # ... when it is written in Chinese or Japanese
}

FONT_FOLDERS = (Path("/usr/share/fonts"), Path("/usr/local/share/fonts"),
                Path.home() / ".local/share/fonts")
# (file name, face index) in order of preference; the first found of each group is used.
FONT_GROUPS = {
    "bold": [
        [("NotoSans-Bold.ttf", 0), ("DejaVuSans-Bold.ttf", 0)],
        [("NotoSansCJK-Bold.ttc", 0), ("NotoSansCJKjp-Bold.otf", 0)],   # 0 = Japanese
        [("NotoSansArabic-Bold.ttf", 0), ("NotoNaskhArabic-Bold.ttf", 0)],
        [("NotoSansHebrew-Bold.ttf", 0)], [("NotoSansDevanagari-Bold.ttf", 0)],
        [("NotoSansThai-Bold.ttf", 0)], [("DejaVuSans-Bold.ttf", 0)],
    ],
    "regular": [
        [("NotoSans-Regular.ttf", 0), ("DejaVuSans.ttf", 0)],
        [("NotoSansCJK-Regular.ttc", 0), ("NotoSansCJKjp-Regular.otf", 0)],
        [("NotoSansArabic-Regular.ttf", 0), ("NotoNaskhArabic-Regular.ttf", 0)],
        [("NotoSansHebrew-Regular.ttf", 0)], [("NotoSansDevanagari-Regular.ttf", 0)],
        [("NotoSansThai-Regular.ttf", 0)], [("DejaVuSans.ttf", 0)],
    ],
}
GRAPHEME = regex.compile(r"\X")
RTL = regex.compile(r"[\p{Bidi_Class=R}\p{Bidi_Class=AL}]")
STRONG = regex.compile(r"[\p{Bidi_Class=L}\p{Bidi_Class=R}\p{Bidi_Class=AL}]")
MIRROR = str.maketrans("()[]{}<>«»", ")(][}{><»«")
# Scripts written without spaces: a line may break between any two of their characters.
NO_SPACES = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}\p{Thai}。、！？：]")
# Runs in these scripts map one grapheme to one glyph, so cached glyphs can be placed one
# after another (with the font's kerning); anything else is shaped by raqm as a whole.
UNSHAPED = regex.compile(r"^[\p{Latin}\p{Greek}\p{Cyrillic}\p{Han}\p{Hiragana}\p{Katakana}"
                         r"\p{Hangul}\p{Common}\p{Inherited}]*$")

Font = tuple[str | None, int]         # (font file, face index); None: Pillow's own font


@dataclass(frozen=True)
class CardText:
    """Everything a card shows; its hash names the cached picture."""

    title: str
    name: str
    role: str
    company: str
    brand_color: str
    initials: str
    photo: bytes | None = None        # the person's face (cleaned)
    quote: str = ""                   # the story's pull quote
    cover: bytes | None = None        # the story's own photo (cleaned)
    logo: bytes | None = None         # site.yaml brand.logo


@dataclass(frozen=True)
class Layout:
    size: tuple[int, int]
    margin: int


LAYOUTS = {"og": Layout((1200, 630), 64), "instagram": Layout((1080, 1350), 80)}
CARD_FILES = {"og": "og.png", "instagram": "instagram.png"}
WHITE = (255, 255, 255)
LINE = 1.22                           # line height, in font sizes

# -- fonts -------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def _font_files() -> dict[str, str]:
    """Every font file in the system's font folders, by file name."""
    found: dict[str, str] = {}
    for folder in FONT_FOLDERS:
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.suffix.lower() in (".ttf", ".otf", ".ttc"):
                    found.setdefault(path.name, str(path))
    return found


@functools.lru_cache(maxsize=None)
def _chain(weight: str) -> tuple[Font, ...]:
    """The fonts to try, in order: one per group, the first of each group that exists.
    (Paths as strings: they key every cache of the layout, and a string hashes faster.)"""
    files = _font_files()
    chain: list[Font] = []
    for group in FONT_GROUPS[weight]:
        for name, index in group:
            if name in files and (files[name], index) not in chain:
                chain.append((files[name], index))
                break
    return tuple(chain)


def font_chain(weight: str) -> tuple[tuple[Path, int], ...]:
    """The fonts cards are drawn with, in the order they are tried: (file, face index)."""
    return tuple((Path(path), index) for path, index in _chain(weight))


@functools.lru_cache(maxsize=None)
def _font(path: str | None, index: int, size: int) -> ImageFont.FreeTypeFont:
    """A font at a size; the layout engine is raqm where Pillow has it (for kerning and
    shaping)."""
    if path is None:
        return ImageFont.load_default(size)
    return ImageFont.truetype(path, size, index=index)


@functools.lru_cache(maxsize=None)
def _probe(path: str, index: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(path, 24, index=index, layout_engine=ImageFont.Layout.BASIC)


@functools.lru_cache(maxsize=None)
def _notdef(path: str, index: int) -> tuple:
    return _mask_of(_probe(path, index), "\U0010fffd")


def _mask_of(font: ImageFont.FreeTypeFont, char: str) -> tuple:
    mask = font.getmask(char)
    return mask.size, bytes(mask)


@functools.lru_cache(maxsize=65536)
def has_glyph(path: str, index: int, char: str) -> bool:
    """True when the font draws the character as itself, not as the missing-glyph box."""
    if unicodedata.category(char) in ("Zs", "Cc", "Cf", "Mn", "Me"):
        return True
    return _mask_of(_probe(path, index), char) != _notdef(path, index)


def font_for(grapheme: str, weight: str) -> Font:
    """The first font of the chain that has the grapheme's base character."""
    chain = _chain(weight)
    for path, index in chain:
        if has_glyph(path, index, grapheme[0]):
            return path, index
    return chain[0] if chain else (None, 0)


def missing_glyphs(text: str, weight: str = "bold") -> list[str]:
    """Graphemes that would be drawn as missing-glyph boxes; for tests and checks."""
    return [g for run, (path, index) in runs(text, weight) for g in GRAPHEME.findall(run)
            if path is None or not has_glyph(path, index, g[0])]


# -- text layout -------------------------------------------------------------------------


@functools.lru_cache(maxsize=65536)
def runs(text: str, weight: str) -> tuple[tuple[str, Font], ...]:
    """Split text into runs drawn with one font; spaces and marks stay with their run."""
    chain = _chain(weight)
    if chain and not NO_SPACES.search(text) and all(has_glyph(*chain[0], c) for c in set(text)):
        # All in the first font (most lines): what the loop below makes, made at once.
        first = STRONG.search(text)
        if first and first.start() > 0:
            return (text[:first.start()], chain[0]), (text[first.start():], chain[0])
        return ((text, chain[0]),) if text else ()
    result: list[list] = []
    for grapheme in GRAPHEME.findall(text):
        neutral = not STRONG.search(grapheme) and not NO_SPACES.search(grapheme)
        previous = result[-1][1] if result else None
        font = previous if neutral and previous and previous[0] is not None \
            and has_glyph(previous[0], previous[1], grapheme[0]) else font_for(grapheme, weight)
        # punctuation that opens a run stays apart from the words after it, so that it can
        # be placed by direction (see draw_line)
        if result and result[-1][1] == font and (neutral or STRONG.search(result[-1][0])):
            result[-1][0] += grapheme
        else:
            result.append([grapheme, font])
    return tuple((text, font) for text, font in result)


def is_rtl(text: str) -> bool:
    """The text reads right to left: its first strong letter is Arabic or Hebrew (the
    paragraph direction of UAX #9, rule P2)."""
    first = STRONG.search(text)
    return bool(first and RTL.match(first.group()))


def _direction(text: str) -> str | None:
    if not raqm():
        return None
    return "rtl" if RTL.search(text) else "ltr"


@functools.lru_cache(maxsize=1)
def raqm() -> bool:
    return features.check("raqm")


@functools.lru_cache(maxsize=65536)
def _glyph(path: str | None, index: int, size: int, grapheme: str):
    """A grapheme rendered once: (mask or None for blank, left, top, advance)."""
    font = _font(path, index, size)
    advance = font.getlength(grapheme)
    left, top, right, bottom = font.getbbox(grapheme, anchor="ls")
    if right <= left or bottom <= top:
        return None, 0, 0, advance
    mask = Image.new("L", (right - left, bottom - top), 0)
    ImageDraw.Draw(mask).text((-left, -top), grapheme, font=font, fill=255, anchor="ls")
    return mask, left, top, advance


@functools.lru_cache(maxsize=65536)
def _kern(path: str | None, index: int, size: int, first: str, second: str) -> float:
    """How much closer (negative) or further the font sets this pair than its advances."""
    font = _font(path, index, size)
    return (font.getlength(first + second) - _glyph(path, index, size, first)[3]
            - _glyph(path, index, size, second)[3])


@functools.lru_cache(maxsize=16384)
def _placed(run: str, font: Font, size: int) -> tuple[tuple[float, str], ...]:
    """(x offset, grapheme) of each grapheme of an unshaped run, kerned."""
    placed, x, previous = [], 0.0, None
    for grapheme in GRAPHEME.findall(run):
        if previous is not None:
            x += _glyph(*font, size, previous)[3] + _kern(*font, size, previous, grapheme)
        placed.append((x, grapheme))
        previous = grapheme
    return tuple(placed)


@functools.lru_cache(maxsize=65536)
def run_width(run: str, font: Font, size: int) -> float:
    if UNSHAPED.match(run):
        placed = _placed(run, font, size)
        return placed[-1][0] + _glyph(*font, size, placed[-1][1])[3] if placed else 0.0
    return _font(*font, size).getlength(run, direction=_direction(run))


def _draw_run(image: Image.Image, x: float, y: float, run: str, font: Font, size: int,
              fill) -> None:
    """Draw a run on the baseline y (so that runs in different fonts line up)."""
    if not UNSHAPED.match(run):
        ImageDraw.Draw(image).text((x, y), run, font=_font(*font, size), fill=fill,
                                   direction=_direction(run), anchor="ls")
        return
    for offset, grapheme in _placed(run, font, size):
        mask, left, top, _ = _glyph(*font, size, grapheme)
        if mask is not None:
            at = (round(x + offset + left), round(y + top))
            image.paste(fill, (*at, at[0] + mask.width, at[1] + mask.height), mask)


@functools.lru_cache(maxsize=65536)
def text_width(text: str, weight: str, size: int) -> float:
    """The width of a line of text as draw_line sets it (kerned, shaped)."""
    return sum(run_width(run, font, size) for run, font in runs(text, weight))


# Line breaking rules of Japanese and Chinese (kinsoku): marks that may not begin a line
# (they go down with the character before them) and brackets that may not end one.
NO_LINE_START = frozenset("。、，．・：；？！」』）】〉》〕］｝〟’”ー々ゝゞヽヾ…‥")
NO_LINE_END = frozenset("「『（【〈《〔［｛〝‘“")
TOKEN = regex.compile(r"\s+|(?:(?![\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}\p{Thai}])\S)+"
                      r"|\X")


@functools.lru_cache(maxsize=4096)
def wrap(text: str, weight: str, size: int, width: int, most: int = 0) -> tuple[str, ...]:
    """Break text into lines no wider than width: at spaces, or between CJK characters.
    With `most`, stops as soon as there are more lines than that (the text does not fit).

    Lines are filled by adding up the widths of their words (each measured once, whatever
    the story); each line is then measured as a whole, and in the rare case where kerning
    or shaping across a space makes one too wide, the text is wrapped measuring every
    candidate line whole."""
    words = TOKEN.findall(" ".join(text.split()))
    space = text_width(" ", weight, size)
    lines: list[str] = []
    line: list[str] = []
    filled, gap = 0.0, False
    for token in words:
        if token.isspace():
            gap = bool(line)
            continue
        token_width = text_width(token, weight, size)
        added = token_width + (space if gap else 0.0)
        if not line or filled + added <= width:
            line.extend((" ", token) if gap else (token,))
            filled += added
        else:
            carried = [token]
            if not gap and token[0] in NO_LINE_START and len(line) > 1:
                carried.insert(0, line.pop())
            while len(line) > 1 and line[-1][-1] in NO_LINE_END:
                carried.insert(0, line.pop())
            lines.append("".join(line).rstrip())
            if most and len(lines) > most:
                return tuple(lines)
            line = carried
            filled = text_width("".join(line), weight, size)
            token_width = filled
        gap = False
        if token_width > width:           # a word longer than a whole line: cut it
            pieces = _cut_word("".join(line), weight, size, width)
            lines.extend(pieces[:-1])
            line, filled = [pieces[-1]], text_width(pieces[-1], weight, size)
    if line:
        lines.append("".join(line))
    if any(text_width(one, weight, size) > width for one in lines
           if len(GRAPHEME.findall(one)) > 1):
        return tuple(_wrap_whole(text, weight, size, width))
    return tuple(lines[:most + 1] if most else lines)


def _cut_word(line: str, weight: str, size: int, width: int) -> list[str]:
    """A line whose last word is wider than a line, broken between graphemes."""
    pieces = []
    while text_width(line, weight, size) > width and len(GRAPHEME.findall(line)) > 1:
        graphemes = GRAPHEME.findall(line)
        cut = len(graphemes) - 1
        while cut > 1 and text_width("".join(graphemes[:cut]), weight, size) > width:
            cut -= 1
        pieces.append("".join(graphemes[:cut]))
        line = "".join(graphemes[cut:])
    return pieces + [line]


def _wrap_whole(text: str, weight: str, size: int, width: int) -> list[str]:
    """wrap, measuring each candidate line as a whole."""
    lines: list[str] = []
    line = ""
    for token in TOKEN.findall(" ".join(text.split())):
        if token.isspace():
            line += token if line else ""
            continue
        if not line or text_width(line + token, weight, size) <= width:
            line += token
            continue
        lines.append(line.rstrip())
        pieces = _cut_word(token, weight, size, width)
        lines.extend(pieces[:-1])
        line = pieces[-1]
    if line.strip():
        lines.append(line.strip())
    return lines


def fit(text: str, weight: str, sizes: tuple[int, int], width: int, height: int,
        max_lines: int) -> tuple[int, list[str]]:
    """The largest font size at which the text fits its box; long texts shrink, then cut."""
    largest, smallest = sizes
    for size in range(largest, smallest - 1, -4):
        room = min(max_lines, int(height // (size * LINE)))
        lines = wrap(text, weight, size, width, max(room, 1))
        if len(lines) <= max_lines and len(lines) * size * LINE <= height:
            return size, list(lines)
    size = smallest
    lines = list(wrap(text, weight, size, width))
    kept = lines[: max(1, min(max_lines, int(height // (size * LINE))))]
    if len(kept) < len(lines):
        following = lines[len(kept)]
        joint = "" if NO_SPACES.search(kept[-1][-1:] + following[:1]) else " "
        kept[-1] = fit_line(kept[-1] + joint + following, weight, size, width)
    return size, kept


def fit_line(text: str, weight: str, size: int, width: int) -> str:
    """Cut a line with an ellipsis so that it fits."""
    if text_width(text, weight, size) <= width:
        return text
    ellipsis = FRAMING["ellipsis"]
    graphemes = GRAPHEME.findall(text)
    while graphemes and text_width("".join(graphemes) + ellipsis, weight, size) > width:
        graphemes.pop()
    return "".join(graphemes).rstrip() + ellipsis


def draw_line(image: Image.Image, xy: tuple[float, float], text: str, weight: str,
              size: int, fill, width: int, rtl: bool | None = None,
              align: str | None = None) -> None:
    """Draw one line of mixed scripts in the box starting at xy, `width` wide.

    `rtl` is the direction of the paragraph the line belongs to (by default, the line's
    own): right to left, its runs are set in reverse order. `align` ("start" or "end",
    of the box) defaults to the paragraph's start: the right for right to left."""
    if rtl is None:
        rtl = is_rtl(text)
    if align is None:
        align = "end" if rtl else "start"
    pieces = runs(text, weight)
    if rtl:
        # Runs in visual order; punctuation between RTL words reads right to left too, so
        # it is reversed and its brackets mirrored: "(" shows as ")" (Unicode BidiMirroring).
        pieces = [(run if STRONG.search(run) else _reversed_neutral(run), font)
                  for run, font in reversed(pieces)]
    widths = [run_width(run, font, size) for run, font in pieces]
    x = xy[0] + (width - sum(widths) if align == "end" else 0)
    baseline = xy[1] + _ascent(weight, size)
    for (run, font), run_width_ in zip(pieces, widths):
        _draw_run(image, x, baseline, run, font, size, fill)
        x += run_width_


@functools.lru_cache(maxsize=1024)
def _ascent(weight: str, size: int) -> int:
    """Where the baseline sits under a line's top: the first font's ascender."""
    chain = _chain(weight)
    return _font(*(chain[0] if chain else (None, 0)), size).getmetrics()[0]


NUMBER = regex.compile(r"[\p{Bidi_Class=EN}\p{Bidi_Class=AN}]+(?:[\p{Bidi_Class=CS}"
                       r"\p{Bidi_Class=ES}\p{Bidi_Class=ET}][\p{Bidi_Class=EN}"
                       r"\p{Bidi_Class=AN}]+)*|\X")


def _reversed_neutral(run: str) -> str:
    """A run without strong letters, in right-to-left visual order: its pieces reversed,
    brackets mirrored, but numbers kept reading left to right (UAX #9: 2025 stays 2025)."""
    return "".join(reversed(NUMBER.findall(run))).translate(MIRROR)


def draw_block(image: Image.Image, lines: list[str], xy: tuple[int, int], weight: str,
               size: int, fill, width: int, rtl: bool = False) -> int:
    """Draw the lines of one paragraph one under the other; returns the y under the last."""
    x, y = xy
    for line in lines:
        draw_line(image, (x, y), line, weight, size, fill, width, rtl)
        y += int(size * LINE)
    return y


# -- colours and pictures ----------------------------------------------------------------


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def _ink(background: tuple[int, int, int]) -> tuple[int, int, int]:
    """White on dark brand colours, near-black on light ones."""
    luminance = (0.2126 * background[0] + 0.7152 * background[1] + 0.0722 * background[2]) / 255
    return WHITE if luminance < 0.6 else (17, 17, 17)


def _mix(a, b, share: float) -> tuple[int, int, int]:
    """a with `share` of b mixed in."""
    return tuple(int(x * (1 - share) + y * share) for x, y in zip(a, b))


@functools.lru_cache(maxsize=8)
def _round_mask(size: int) -> Image.Image:
    """A disc, drawn four times larger and scaled down for a smooth edge."""
    scale = 4
    mask = Image.new("L", (size * scale, size * scale), 0)
    ImageDraw.Draw(mask).ellipse((0, 0, size * scale - 1, size * scale - 1), fill=255)
    return mask.resize((size, size), Image.LANCZOS)


@functools.lru_cache(maxsize=4)
def _decoded(data: bytes, least: tuple[int, int]) -> Image.Image:
    """A picture decoded upright, a JPEG at the smallest of its reduced scales (1/2, 1/4,
    1/8) that is still at least `least` both ways: it fills that box after cropping.
    (Turned in place, and converted only when not RGB already: no copy of a photo that
    is upright and RGB, as cleaned photos are.)"""
    with Image.open(io.BytesIO(data)) as opened:
        if opened.format == "JPEG":
            opened.draft("RGB", least)
        opened.load()
        ImageOps.exif_transpose(opened, in_place=True)
        return opened if opened.mode == "RGB" else opened.convert("RGB")


def _open(data: bytes, size: tuple[int, int], method=Image.LANCZOS) -> Image.Image:
    """A picture cropped to fill size."""
    return ImageOps.fit(_decoded(data, size), size, method)


def _face(photo: bytes | None, initials: str, size: int, background, ink,
          ring: int = 0, ring_colour=WHITE) -> Image.Image:
    """A round face (or the initials on a lighter disc) in a ring, as RGBA. (Not kept:
    each size is drawn once a person, into the layers that are.)"""
    if photo:
        face = _open(photo, (size, size))
    else:
        disc = _mix(background, WHITE, 0.25) if ink == WHITE else _mix(background, (0, 0, 0), 0.2)
        face = Image.new("RGB", (size, size), disc)
        text_size = size * 2 // 5
        width = text_width(initials, "bold", text_size)
        draw_line(face, ((size - width) / 2, size / 2 - text_size * 0.7), initials, "bold",
                  text_size, ink, int(width), align="start")
    outer = size + 2 * ring
    result = Image.new("RGBA", (outer, outer), (0, 0, 0, 0))
    if ring:
        result.paste(ring_colour, (0, 0, outer, outer), _round_mask(outer))
    result.paste(face, (ring, ring), _round_mask(size))
    return result


@functools.lru_cache(maxsize=16)
def _logo(data: bytes, height: int, max_width: int) -> Image.Image:
    with Image.open(io.BytesIO(data)) as opened:
        logo = opened.convert("RGBA")
    logo.thumbnail((max_width, height), Image.LANCZOS)
    return logo


def _draw_brand(image: Image.Image, card: CardText, xy: tuple[int, int], size: int,
                fill, width: int, rtl: bool) -> None:
    """The logo when the site has one, else the company's name, at the layout's start."""
    if card.logo:
        logo = _logo(card.logo, int(size * 1.5), width)
        image.paste(logo, (xy[0] + (width - logo.width if rtl else 0), xy[1]), logo)
    else:
        draw_line(image, xy, card.company, "bold", size, fill, width,
                  align="end" if rtl else "start")


def cover_choice(sizes: list[tuple[int, int]]) -> int:
    """Which of the sizes a story photo comes in (its smaller copies and itself) the cards
    are drawn from: the smallest that fills og.png without enlarging, else the largest.
    (The copy 1200 pixels wide of a landscape photo fills og.png as it is: cropped, not
    resized, and decoded from a third fewer pixels than the photo itself.)"""
    width, height = LAYOUTS["og"].size
    areas = [(w * h, index) for index, (w, h) in enumerate(sizes)]
    filling = [area for area, (w, h) in zip(areas, sizes) if w >= width and h >= height]
    return min(filling)[1] if filling else max(areas)[1]


@functools.lru_cache(maxsize=2)
def _cover_photo(data: bytes) -> Image.Image:
    """The story photo cropped to fill og.png; the Instagram card's band is cut from it.
    A photo as wide (or as tall) as the card is only cropped. A larger one is shrunk by
    averaging the pixels each one covers (a box filter: as sharp as bilinear at these
    ratios, twice as fast); a photo smaller than the card is enlarged bilinearly."""
    size = LAYOUTS["og"].size
    source = _decoded(data, size)
    if source.size == size:
        return source
    if (source.width == size[0] and source.height > size[1]) or \
            (source.height == size[1] and source.width > size[0]):
        left, top = (source.width - size[0]) // 2, (source.height - size[1]) // 2
        return source.crop((left, top, left + size[0], top + size[1]))
    shrinks = source.width >= size[0] and source.height >= size[1]
    return ImageOps.fit(source, size, Image.BOX if shrinks else Image.BILINEAR)


@functools.lru_cache(maxsize=4)
def _scrim(size: tuple[int, int], stops: tuple[tuple[float, int], ...]) -> Image.Image:
    """A picture to multiply a photo by (ImageChops.multiply: each byte times the scrim's
    over 255) that darkens it row by row through (fraction of height, opacity) stops."""
    width, height = size
    column = bytearray()
    for y in range(height):
        at = y / max(1, height - 1)
        for (a, alpha_a), (b, alpha_b) in zip(stops, stops[1:]):
            if a <= at <= b:
                alpha = int(alpha_a + (alpha_b - alpha_a) * (at - a) / max(b - a, 1e-9))
                break
        else:
            alpha = stops[-1][1]
        column.append(255 - alpha)
    return Image.frombytes("L", (1, height), bytes(column)).resize(size, Image.NEAREST) \
        .convert("RGB")


def _darkened(photo: Image.Image, stops: tuple) -> Image.Image:
    """The photo darkened towards black by a scrim, where text goes."""
    return ImageChops.multiply(photo, _scrim(photo.size, stops))


def _band(data: bytes, size: tuple[int, int], stops: tuple) -> Image.Image:
    """The story photo for the Instagram card's band: og.png's picture cropped to fill
    `size` and shrunk to it (the same framing as og.png's: a crop of its middle without
    the resize, measured 9 ms less a pair on a crowded machine, cut the sign at the edge
    of the sample's photo), under a scrim."""
    return _darkened(ImageOps.fit(_cover_photo(data), size, Image.BOX), stops)


def _start(x: int, width: int, total: int, rtl: bool) -> int:
    """Where a box `width` wide that starts at x (from the left) goes: mirrored when the
    layout reads right to left."""
    return total - x - width if rtl else x


def card_rtl(card: CardText) -> bool:
    """The card's layout reads right to left when its title (else its quote) does."""
    return is_rtl(card.title + " " + card.quote)


def _role_line(card: CardText) -> str:
    return f"{card.role}{FRAMING['separator']}{card.company}"


# -- what a person's cards share ----------------------------------------------------------

TILE = 64                             # the grid a person's layer is kept in
STRIPE = 32                           # rows deflated apart, so that cards can share them
# The stripes a story's text touches are deflated at level 1 (the person's, deflated once,
# at DEFLATE's level): on the benchmark's brand cards, best of 7, 2.4 ms a story pair
# against 3.6 at level 2, for 132 KB against 116 KB of those stripes.
STORY_LEVEL = 1


@dataclass(frozen=True)
class Base:
    """A brand card without its story's text, kept small (one for each person, layout and
    direction): its background, the height and colour of a band at the top, and the tiles
    of a TILE grid that differ from them (face, name, role, brand), as pixel arrays; and
    its PNG rows in stripes of STRIPE rows, each deflated on its own, for the stripes a
    story's text does not touch."""

    size: tuple[int, int]
    background: tuple[int, int, int]
    band: tuple[int, tuple[int, int, int]]
    tiles: tuple[tuple[int, int, np.ndarray], ...]      # (x, y, rows of RGB bytes: h x 3w)
    stripes: tuple[tuple[bytes, int, int], ...] = ()    # (deflated, adler32, length)

    @classmethod
    def of(cls, image: Image.Image, background, band=(0, (0, 0, 0))) -> "Base":
        plain = cls(image.size, background, band, ())
        pixels = np.asarray(image).reshape(image.height, image.width * 3)
        flat = plain.pixels((0, 0, *image.size))
        tiles = []
        for y in range(0, image.height, TILE):
            for x in range(0, 3 * image.width, 3 * TILE):
                tile = pixels[y:y + TILE, x:x + 3 * TILE]
                if not np.array_equal(tile, flat[y:y + TILE, x:x + 3 * TILE]):
                    tiles.append((x // 3, y, tile.copy()))
        rows = np.zeros((image.height, 1 + 3 * image.width), dtype=np.uint8)
        rows[:, 1:] = pixels
        stripes = tuple(_deflated(rows[y:y + STRIPE]) for y in range(0, image.height, STRIPE))
        return cls(image.size, background, band, tuple(tiles), stripes)

    def fill(self, out: np.ndarray, box: tuple[int, int, int, int]) -> None:
        """Write the part of the base inside box (left, top, right, bottom) into out, an
        array of rows of RGB bytes (h x 3w: whole rows are copied at once, as bytes)."""
        left, top, right, bottom = box
        out[...] = np.tile(np.array(self.background, dtype=np.uint8), right - left)
        if self.band[0] > top:
            out[:self.band[0] - top] = np.tile(np.array(self.band[1], dtype=np.uint8),
                                               right - left)
        for x, y, tile in self.tiles:
            height, width = tile.shape[0], tile.shape[1] // 3
            a, b = max(x, left), min(x + width, right)
            c, d = max(y, top), min(y + height, bottom)
            if a < b and c < d:
                out[c - top:d - top, 3 * (a - left):3 * (b - left)] = \
                    tile[c - y:d - y, 3 * (a - x):3 * (b - x)]

    def pixels(self, box: tuple[int, int, int, int]) -> np.ndarray:
        out = np.empty((box[3] - box[1], 3 * (box[2] - box[0])), dtype=np.uint8)
        self.fill(out, box)
        return out

    def region(self, box: tuple[int, int, int, int]) -> Image.Image:
        """The part of the base in box, as a picture to draw a story's text on (text goes
        where the base is plain colour: the tiles in the box are few or none)."""
        left, top, right, bottom = box
        region = Image.new("RGB", (right - left, bottom - top), self.background)
        if self.band[0] > top:
            region.paste(self.band[1], (0, 0, right - left, self.band[0] - top))
        for x, y, tile in self.tiles:
            height, width = tile.shape[0], tile.shape[1] // 3
            if x < right and x + width > left and y < bottom and y + height > top:
                picture = Image.frombuffer("RGB", (width, height), tile.tobytes(), "raw",
                                           "RGB", 0, 1)
                region.paste(picture, (x - left, y - top))
        return region


@dataclass(frozen=True)
class Drawn:
    """A card as drawn: a whole picture (with the story photo in its first photo_rows
    rows), or a person's Base with the regions drawn on it for this story."""

    image: Image.Image | None = None
    photo_rows: int = 0
    base: Base | None = None
    regions: tuple[tuple[tuple[int, int], Image.Image], ...] = ()

    def picture(self) -> Image.Image:
        if self.image is not None:
            return self.image
        picture = self.base.region((0, 0, *self.base.size))
        for at, region in self.regions:
            picture.paste(region, at)
        return picture


def _region(base: Base, box: tuple[int, int, int, int],
            pad: int) -> tuple[tuple[int, int], Image.Image]:
    """Where text in box will be drawn, with room around it for what reaches out of its
    line boxes (accents, descenders), inside the card: (top left, the base's picture)."""
    width, height = base.size
    left, top = max(0, box[0] - pad), max(0, box[1] - pad)
    area = (left, top, min(width, box[2] + pad), min(height, box[3] + pad))
    return (left, top), base.region(area)


# -- og.png ------------------------------------------------------------------------------

OG_SCRIM = ((0.0, 150), (0.22, 40), (0.42, 100), (1.0, 230))
OG_FACE = 300
OG_COLUMN = LAYOUTS["og"].size[0] - 2 * LAYOUTS["og"].margin - OG_FACE - 80   # the title
OG_TITLE = (116, 340)                 # the title's box: top, height


@functools.lru_cache(maxsize=256)
def _og_person(card: CardText, rtl: bool) -> Base:
    """The brand og card without its title: colour, logo, face, name, role (one a person)."""
    (width, height), margin = LAYOUTS["og"].size, LAYOUTS["og"].margin
    background = _rgb(card.brand_color)
    ink = _ink(background)
    soft = _mix(ink, background, 0.2)
    image = Image.new("RGB", (width, height), background)
    halo = _mix(background, ink, 0.14)
    centre = (_start(margin + OG_FACE // 2 + 10, 0, width, not rtl), height // 2 - 10)
    ImageDraw.Draw(image).ellipse((centre[0] - 190, centre[1] - 190, centre[0] + 190,
                                   centre[1] + 190), fill=halo)
    face = _face(card.photo, card.initials, OG_FACE, background, ink, 8, background)
    image.paste(face, (centre[0] - face.width // 2, centre[1] - face.height // 2), face)
    x = _start(margin, OG_COLUMN, width, rtl)
    align = "end" if rtl else "start"
    _draw_brand(image, card, (x, 48), 30, soft, OG_COLUMN, rtl)
    draw_line(image, (x, 486), fit_line(card.name, "bold", 36, OG_COLUMN), "bold", 36, ink,
              OG_COLUMN, align=align)
    draw_line(image, (x, 536), fit_line(_role_line(card), "regular", 27, OG_COLUMN),
              "regular", 27, soft, OG_COLUMN, align=align)
    return Base.of(image, background)


@functools.lru_cache(maxsize=256)
def _og_person_strip(card: CardText, rtl: bool) -> tuple[Image.Image, tuple[int, int]]:
    """Face, name and role in white, for the foot of a photo card: (RGBA strip, where)."""
    (width, _), margin = LAYOUTS["og"].size, LAYOUTS["og"].margin
    background = _rgb(card.brand_color)
    face = _face(card.photo, card.initials, 96, background, _ink(background), 4)
    strip = Image.new("RGBA", (width - 2 * margin, face.height), (0, 0, 0, 0))
    strip.paste(face, (_start(0, face.width, strip.width, rtl), 0), face)
    room = strip.width - face.width - 24
    x = _start(face.width + 24, room, strip.width, rtl)
    align = "end" if rtl else "start"
    draw_line(strip, (x, 10), fit_line(card.name, "bold", 34, room), "bold", 34,
              WHITE + (255,), room, align=align)
    draw_line(strip, (x, 58), fit_line(_role_line(card), "regular", 26, room),
              "regular", 26, (235, 235, 235, 255), room, align=align)
    return strip, (margin, 630 - 28 - face.height)


def _person_of(card: CardText) -> CardText:
    """The card with its story's own text taken out: the key of the per-person layers."""
    return CardText("", card.name, card.role, card.company, card.brand_color, card.initials,
                    card.photo, logo=card.logo)


def compose_og(card: CardText) -> Drawn:
    (width, height), margin = LAYOUTS["og"].size, LAYOUTS["og"].margin
    person, rtl, title_rtl = _person_of(card), card_rtl(card), is_rtl(card.title)
    if not card.cover:
        base = _og_person(person, rtl)
        ink = _ink(_rgb(card.brand_color))
        box_top, box_height = OG_TITLE
        size, lines = fit(card.title, "bold", (68, 36), OG_COLUMN, box_height, 5)
        x = _start(margin, OG_COLUMN, width, rtl)
        used = len(lines) * int(size * LINE)
        y = box_top + max(0, (box_height - int(len(lines) * size * LINE)) // 2)
        (left, top), region = _region(base, (x, y, x + OG_COLUMN, y + used), size // 2)
        draw_block(region, lines, (x - left, y - top), "bold", size, ink, OG_COLUMN, title_rtl)
        return Drawn(base=base, regions=(((left, top), region),))
    image = _darkened(_cover_photo(card.cover), OG_SCRIM)
    _draw_brand(image, card, (margin, 40), 30, WHITE, width - 2 * margin, rtl)
    strip, at = _og_person_strip(person, rtl)
    size, lines = fit(card.title, "bold", (64, 36), width - 2 * margin, 300, 4)
    bottom = at[1] - 22
    draw_block(image, lines, (margin, bottom - int(len(lines) * size * LINE)), "bold", size,
               WHITE, width - 2 * margin, title_rtl)
    image.paste(strip, at, strip)
    return Drawn(image, photo_rows=height)


# -- instagram.png -----------------------------------------------------------------------

BAND = 560                            # height of the top band: the story photo, or brand
IG_SCRIM = ((0.0, 140), (0.25, 20), (0.8, 30), (1.0, 90))
IG_TITLE = (150, 250)                 # the title's box in the band: top, height


@functools.lru_cache(maxsize=256)
def _ig_layer(card: CardText, rtl: bool) -> tuple[Image.Image, tuple[int, int]]:
    """Face (overlapping the band's edge), name and role: (RGBA layer, where)."""
    (width, height), margin = LAYOUTS["instagram"].size, LAYOUTS["instagram"].margin
    background = _rgb(card.brand_color)
    ink = _ink(background)
    soft = _mix(ink, background, 0.2)
    face = _face(card.photo, card.initials, 240, background, ink, 10, background)
    top = BAND - face.height // 2
    layer = Image.new("RGBA", (width - 2 * margin, face.height + 20), (0, 0, 0, 0))
    layer.paste(face, (_start(0, face.width, layer.width, rtl), 0), face)
    room = layer.width - face.width - 32
    x = _start(face.width + 32, room, layer.width, rtl)
    align = "end" if rtl else "start"
    name_size = 52
    draw_line(layer, (x, face.height // 2 + 14), fit_line(card.name, "bold", name_size, room),
              "bold", name_size, ink + (255,), room, align=align)
    role = fit_line(card.role, "regular", 34, room)
    draw_line(layer, (x, face.height // 2 + 14 + int(name_size * 1.3)), role, "regular", 34,
              soft + (255,), room, align=align)
    return layer, (margin, top)


@functools.lru_cache(maxsize=256)
def _ig_person(card: CardText, rtl: bool) -> Base:
    """The brand Instagram card without its story's text: band, brand, face, name, role."""
    (width, height), margin = LAYOUTS["instagram"].size, LAYOUTS["instagram"].margin
    background = _rgb(card.brand_color)
    image = Image.new("RGB", (width, height), background)
    band = _mix(background, (0, 0, 0), 0.22)
    ImageDraw.Draw(image).rectangle((0, 0, width, BAND), fill=band)
    _draw_brand(image, card, (margin, 64), 40, _ink(band), width - 2 * margin, rtl)
    layer, at = _ig_layer.__wrapped__(card, rtl)   # kept only for photo cards, which need it
    image.paste(layer, at, layer)
    return Base.of(image, background, (BAND + 1, band))


def compose_instagram(card: CardText) -> Drawn:
    """The quote large (else the title); the story photo, or the title, in the top band."""
    (width, height), margin = LAYOUTS["instagram"].size, LAYOUTS["instagram"].margin
    background = _rgb(card.brand_color)
    ink = _ink(background)
    soft = _mix(ink, background, 0.25)
    inner = width - 2 * margin
    person, rtl, title_rtl = _person_of(card), card_rtl(card), is_rtl(card.title)
    quote = " ".join(card.quote.split())
    top, foot = BAND + 210, height - 80
    text = quoted(quote) if quote else card.title
    if not card.cover:
        base = _ig_person(person, rtl)
        regions = []
        if quote:            # the band has room for the title
            band_ink = _ink(base.band[1])
            box_top, box_height = IG_TITLE
            size, lines = fit(card.title, "bold", (60, 36), inner, box_height, 4)
            box = (margin, box_top, margin + inner, box_top + len(lines) * int(size * LINE))
            (left, y), region = _region(base, box, size // 2)
            draw_block(region, lines, (margin - left, box_top - y), "bold", size, band_ink,
                       inner, title_rtl)
            regions.append(((left, y), region))
        size, lines = fit(text, "bold", (84, 40), inner, foot - top, 8)
        used = int(len(lines) * size * LINE)
        first = top + max(0, (foot - top - used) // 3)
        box = (margin, first, margin + inner, first + len(lines) * int(size * LINE))
        (left, y), region = _region(base, box, size // 2)
        draw_block(region, lines, (margin - left, first - y), "bold", size, ink, inner,
                   is_rtl(text))
        regions.append(((left, y), region))
        return Drawn(base=base, regions=tuple(regions))
    image = Image.new("RGB", (width, height), background)
    image.paste(_band(card.cover, (width, BAND), IG_SCRIM), (0, 0))
    _draw_brand(image, card, (margin, 64), 40, WHITE, inner, rtl)
    layer, at = _ig_layer(person, rtl)
    image.paste(layer, at, layer)
    if quote:
        title_size, title_lines = fit(card.title, "regular", (36, 30), inner, 90, 2)
        title_top = foot - int(len(title_lines) * title_size * LINE)
        rule = _start(margin, 96, width, rtl)
        ImageDraw.Draw(image).rectangle((rule, title_top - 34, rule + 96, title_top - 28),
                                        fill=soft)
        foot = title_top - 60
        draw_block(image, title_lines, (margin, title_top), "regular", title_size, soft, inner,
                   title_rtl)
    size, lines = fit(text, "bold", (84, 40), inner, foot - top, 8)
    used = int(len(lines) * size * LINE)
    draw_block(image, lines, (margin, top + max(0, (foot - top - used) // 3)), "bold", size,
               ink, inner, is_rtl(text))
    return Drawn(image, photo_rows=BAND)


def quoted(text: str) -> str:
    """The quote in the marks its script uses: 「」 for Chinese and Japanese, else “”."""
    if regex.search(r"[\p{Han}\p{Hiragana}\p{Katakana}]", text):
        opening, closing = FRAMING["quote_cjk"]
    else:
        opening, closing = FRAMING["quote"]
    return f"{opening}{text}{closing}"


COMPOSE = {"og": compose_og, "instagram": compose_instagram}


def draw_og(card: CardText) -> Image.Image:
    return compose_og(card).picture()


def draw_instagram(card: CardText) -> Image.Image:
    return compose_instagram(card).picture()


def draw_card(card: CardText, kind: str) -> bytes:
    """Draw one card as PNG bytes."""
    return encode(COMPOSE[kind](card))


def encode(drawn: Drawn) -> bytes:
    """A drawn card as PNG bytes: a whole picture packed into PNG rows; or, for a person's
    Base, only the stripes of rows where this story's regions are packed and deflated,
    the others taken as the Base keeps them, deflated once for all the person's cards."""
    if drawn.image is not None:
        return png(drawn.image, drawn.photo_rows)
    base = drawn.base
    width, height = base.size
    touched = sorted({stripe for (_, y), region in drawn.regions
                      for stripe in range(y // STRIPE, (y + region.height - 1) // STRIPE + 1)})
    pieces, index = [], 0
    while index < len(base.stripes):
        if index not in touched:
            pieces.append(base.stripes[index])
            index += 1
        else:
            last = index
            while last + 1 in touched:
                last += 1
            top, bottom = index * STRIPE, min(height, (last + 1) * STRIPE)
            pieces.append(_deflated(_rows(drawn, (top, bottom)), level=STORY_LEVEL))
            index = last + 1
    return _png_file(_joined(pieces), width, height)


def _joined(pieces: list[tuple[bytes, int, int]]) -> list[bytes]:
    """One zlib stream from pieces of raw deflate made by _deflated, in parts (joined once,
    into the file): a header, the pieces, an empty last block, and the Adler-32 of all
    combined from the pieces'."""
    adler = 1
    for _, check, length in pieces:
        adler = _adler32_combine(adler, check, length)
    return [b"\x78\x01", *(data for data, _, _ in pieces), b"\x03\x00",
            struct.pack(">I", adler)]


def _rows(drawn: Drawn, span: tuple[int, int]) -> np.ndarray:
    """The PNG rows (unfiltered) from top to bottom of a card drawn on a Base."""
    top, bottom = span
    width = drawn.base.size[0]
    rows = np.empty((bottom - top, 3 * width + 1), dtype=np.uint8)
    rows[:, 0] = 0
    pixels = rows[:, 1:]
    drawn.base.fill(pixels, (0, top, width, bottom))
    for (x, y), region in drawn.regions:
        a, b = max(y, top), min(y + region.height, bottom)
        if a < b:
            part = np.frombuffer(region.tobytes(), dtype=np.uint8).reshape(
                region.height, 3 * region.width)
            pixels[a - top:b - top, 3 * x:3 * (x + region.width)] = part[a - y:b - y]
    return rows


def _deflated(rows: np.ndarray, photo: bool = False,
              level: int | None = None) -> tuple[bytes, int, int]:
    """Rows as raw deflate ending on a byte boundary with nothing referring back (a full
    flush), so that such pieces join into one stream: (data, adler32, length).

    Rows of a photo (Sub-filtered) are only Huffman-coded, not searched for repeats: a
    photo hardly repeats. On og.png's rows (best of 15) of a smooth gradient and of two
    camera photos (the build's copies 1200 wide of 1600x1067 and 4000x3000), Sub with
    Huffman alone took 12.5-13.5 ms for 347, 797 and 705 KB; Up with Huffman alone 12-13
    ms for 401, 803, 681 KB; Up or Sub with runs of one byte (zlib's RLE strategy) 10-11
    ms on the gradient (300-333 KB) but 17-19 ms on the photos (690-808 KB)."""
    module, usual, _ = DEFLATE
    strategy = module.Z_HUFFMAN_ONLY if photo else module.Z_DEFAULT_STRATEGY
    squeezer = module.compressobj(usual if level is None else level, module.DEFLATED, -15, 8,
                                  strategy)
    data = squeezer.compress(rows) + squeezer.flush(module.Z_FULL_FLUSH)
    return data, module.adler32(rows), rows.size


def _adler32_combine(first: int, second: int, length: int) -> int:
    """The Adler-32 of two pieces of data joined, from theirs (zlib's adler32_combine)."""
    modulus = 65521
    rest = length % modulus
    low = (first & 0xFFFF) + (second & 0xFFFF) + modulus - 1
    high = (rest * (first & 0xFFFF) + (first >> 16) + (second >> 16) + modulus - rest)
    return (low % modulus) | ((high % modulus) << 16)


def png(image: Image.Image, photo_rows: int = 0) -> bytes:
    """An RGB image as PNG bytes, deflated fast (DEFLATE). The first `photo_rows` rows take
    PNG's Sub filter (each byte as its difference from the same channel of the pixel on
    its left: a photo changes little from one pixel to the next) and are deflated apart,
    Huffman-coded only (sizes: see the module's docstring); the others are left
    unfiltered (flat colour and text deflate best as they are, and filtering them costs
    more than it saves)."""
    width, height = image.size
    pixels = np.asarray(image if image.mode == "RGB" else image.convert("RGB"))
    pixels = pixels.reshape(height, width * 3)
    rows = np.empty((height, width * 3 + 1), dtype=np.uint8)
    photo_rows = min(photo_rows, height)
    rows[:photo_rows, 0] = 1                       # each row's filter: 1 sub, 0 none
    rows[:photo_rows, 1:4] = pixels[:photo_rows, :3]
    np.subtract(pixels[:photo_rows, 3:], pixels[:photo_rows, :-3], out=rows[:photo_rows, 4:])
    rows[photo_rows:, 0] = 0
    rows[photo_rows:, 1:] = pixels[photo_rows:]
    pieces = [_deflated(rows[:photo_rows], photo=True)] if photo_rows else []
    if photo_rows < height:
        pieces.append(_deflated(rows[photo_rows:]))
    return _png_file(_joined(pieces), width, height)


def _png_file(stream: list[bytes], width: int, height: int) -> bytes:
    """A PNG file of 8-bit RGB rows deflated as `stream` (a zlib stream, in parts)."""
    crc32 = DEFLATE[0].crc32

    def chunk(kind: bytes, parts: list[bytes]) -> list[bytes]:
        check = zlib.crc32(kind)
        for part in parts:
            check = crc32(part, check)
        return [struct.pack(">I", sum(map(len, parts))), kind, *parts, struct.pack(">I", check)]

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)   # 8-bit RGB
    return b"".join([b"\x89PNG\r\n\x1a\n", *chunk(b"IHDR", [header]), *chunk(b"IDAT", stream),
                     *chunk(b"IEND", [])])


# -- caching -----------------------------------------------------------------------------


@functools.lru_cache(maxsize=1)
def fonts_in_use() -> str:
    """The fonts cards are drawn with, whether Arabic is shaped, and the deflate used: they
    change the files. Found once a process, as engines.CARD_ENGINE is (each card's key
    names them: looking the fonts up again for every card cost 0.4 ms a card)."""
    return " ".join([f"{p.name}:{i}" for weight in ("bold", "regular")
                     for p, i in font_chain(weight)] + [f"raqm:{raqm()}", DEFLATE[2]])


def _digest(data: bytes | None) -> str | None:
    return hashlib.sha256(data).hexdigest() if data else None


def card_key(card: CardText, kind: str) -> str:
    """A hash of everything that changes the picture but the code (cache.CARD_ENGINE)."""
    data = json.dumps([kind, card.title, card.name, card.role, card.company,
                       card.brand_color, card.initials, card.quote, fonts_in_use(),
                       _digest(card.photo), _digest(card.cover), _digest(card.logo)])
    return hashlib.sha256(data.encode()).hexdigest()[:40]
