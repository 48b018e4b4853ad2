"""Picture cards for sharing: og.png (1200x630) for link previews and a portrait card
(1080x1350) for Instagram, in the site's brand colour and with its logo.

og.png shows the story's own photo when it has one (cropped to fill, the text on a dark
scrim), else the brand layout: the title beside the person's face. The Instagram card
carries the pull quote large (else the title), the person's face, name and role, and the
title at the foot; the story photo fills its top when there is one.

Fonts come from the system: Debian's fonts-noto-core and fonts-noto-cjk (CI installs
them), with DejaVu as the last resort. Each grapheme is drawn with the first font that
has a glyph for it, so Latin with accents, Japanese and Arabic all render without
missing-glyph boxes. Arabic needs shaping: Pillow does it with libraqm (its wheels ship
it; `PIL.features.check('raqm')`); without raqm, Arabic letters are drawn unjoined.

Speed (a build draws two cards per story): what is the same on all of a person's cards
(face, name, role, company, logo) is drawn once per person and pasted; scripts that need
no shaping (Latin, Greek, Cyrillic, CJK) are drawn from a cache of rendered glyphs rather
than rasterised again; the PNG is deflated with ISA-L when it is installed (ten times
zlib's speed, files some 7 % larger). cache.draw_cards keeps each card by the hash of all
it shows, and draws the missing ones in a process pool.
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

import regex
from PIL import Image, ImageDraw, ImageFont, ImageOps, features

try:                        # ISA-L's deflate: same format, a tenth of zlib's time on a card
    from isal import isal_zlib as deflate
    from isal import __version__ as _deflate_version
    DEFLATE = (deflate, 1, f"isal-{_deflate_version}")
except ImportError:         # pragma: no cover - isal is a dependency; zlib keeps cards working
    DEFLATE = (zlib, 3, f"zlib-{zlib.ZLIB_VERSION}")

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
def _font_files() -> dict[str, Path]:
    """Every font file in the system's font folders, by file name."""
    found: dict[str, Path] = {}
    for folder in FONT_FOLDERS:
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.suffix.lower() in (".ttf", ".otf", ".ttc"):
                    found.setdefault(path.name, path)
    return found


@functools.lru_cache(maxsize=None)
def font_chain(weight: str) -> tuple[tuple[Path, int], ...]:
    """The fonts to try, in order: one per group, the first of each group that exists."""
    files = _font_files()
    chain = []
    for group in FONT_GROUPS[weight]:
        for name, index in group:
            if name in files and (files[name], index) not in chain:
                chain.append((files[name], index))
                break
    return tuple(chain)


@functools.lru_cache(maxsize=None)
def _font(path: Path | None, index: int, size: int) -> ImageFont.FreeTypeFont:
    """A font at a size; the layout engine is raqm where Pillow has it (for kerning and
    shaping)."""
    if path is None:
        return ImageFont.load_default(size)
    return ImageFont.truetype(str(path), size, index=index)


@functools.lru_cache(maxsize=None)
def _probe(path: Path, index: int) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(path), 24, index=index, layout_engine=ImageFont.Layout.BASIC)


@functools.lru_cache(maxsize=None)
def _notdef(path: Path, index: int) -> tuple:
    return _mask_of(_probe(path, index), "\U0010fffd")


def _mask_of(font: ImageFont.FreeTypeFont, char: str) -> tuple:
    mask = font.getmask(char)
    return mask.size, bytes(mask)


@functools.lru_cache(maxsize=65536)
def has_glyph(path: Path, index: int, char: str) -> bool:
    """True when the font draws the character as itself, not as the missing-glyph box."""
    if unicodedata.category(char) in ("Zs", "Cc", "Cf", "Mn", "Me"):
        return True
    return _mask_of(_probe(path, index), char) != _notdef(path, index)


def font_for(grapheme: str, weight: str) -> tuple[Path | None, int]:
    """The first font of the chain that has the grapheme's base character."""
    chain = font_chain(weight)
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
def runs(text: str, weight: str) -> tuple[tuple[str, tuple[Path | None, int]], ...]:
    """Split text into runs drawn with one font; spaces and marks stay with their run."""
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


def _direction(text: str) -> str | None:
    if not raqm():
        return None
    return "rtl" if RTL.search(text) else "ltr"


@functools.lru_cache(maxsize=1)
def raqm() -> bool:
    return features.check("raqm")


@functools.lru_cache(maxsize=65536)
def _glyph(path: Path | None, index: int, size: int, grapheme: str):
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
def _kern(path: Path | None, index: int, size: int, first: str, second: str) -> float:
    """How much closer (negative) or further the font sets this pair than its advances."""
    font = _font(path, index, size)
    return (font.getlength(first + second) - _glyph(path, index, size, first)[3]
            - _glyph(path, index, size, second)[3])


def _placed(run: str, font: tuple, size: int) -> list[tuple[float, str]]:
    """(x offset, grapheme) of each grapheme of an unshaped run, kerned."""
    placed, x, previous = [], 0.0, None
    for grapheme in GRAPHEME.findall(run):
        if previous is not None:
            x += _glyph(*font, size, previous)[3] + _kern(*font, size, previous, grapheme)
        placed.append((x, grapheme))
        previous = grapheme
    return placed


@functools.lru_cache(maxsize=65536)
def run_width(run: str, font: tuple, size: int) -> float:
    if UNSHAPED.match(run):
        placed = _placed(run, font, size)
        return placed[-1][0] + _glyph(*font, size, placed[-1][1])[3] if placed else 0.0
    return _font(*font, size).getlength(run, direction=_direction(run))


def _draw_run(image: Image.Image, x: float, y: float, run: str, font: tuple, size: int,
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


def text_width(text: str, weight: str, size: int) -> float:
    return sum(run_width(run, font, size) for run, font in runs(text, weight))


TOKEN = regex.compile(r"\s+|(?:(?![\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}\p{Thai}])\S)+"
                      r"|\X")


def wrap(text: str, weight: str, size: int, width: int) -> list[str]:
    """Break text into lines no wider than width: at spaces, or between CJK characters."""
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
        line = token
        # A word longer than a whole line is broken between graphemes.
        while text_width(line, weight, size) > width and len(GRAPHEME.findall(line)) > 1:
            graphemes = GRAPHEME.findall(line)
            cut = len(graphemes) - 1
            while cut > 1 and text_width("".join(graphemes[:cut]), weight, size) > width:
                cut -= 1
            lines.append("".join(graphemes[:cut]))
            line = "".join(graphemes[cut:])
    if line.strip():
        lines.append(line.strip())
    return lines


def fit(text: str, weight: str, sizes: tuple[int, int], width: int, height: int,
        max_lines: int) -> tuple[int, list[str]]:
    """The largest font size at which the text fits its box; long texts shrink, then cut."""
    largest, smallest = sizes
    for size in range(largest, smallest - 1, -4):
        lines = wrap(text, weight, size, width)
        if len(lines) <= max_lines and len(lines) * size * LINE <= height:
            return size, lines
    size = smallest
    lines = wrap(text, weight, size, width)
    kept = lines[: max(1, min(max_lines, int(height // (size * LINE))))]
    if len(kept) < len(lines):
        last = kept[-1]
        while last and text_width(last + "…", weight, size) > width:
            last = "".join(GRAPHEME.findall(last)[:-1])
        kept[-1] = last.rstrip() + "…"
    return size, kept


def draw_line(image: Image.Image, xy: tuple[float, float], text: str, weight: str,
              size: int, fill, width: int, align: str = "start") -> None:
    """Draw one line of mixed scripts; right-aligned, runs reversed, when it reads RTL."""
    pieces = runs(text, weight)
    first = STRONG.search(text)
    rtl = bool(first and RTL.match(first.group()))
    if rtl:
        # Runs in visual order; punctuation between RTL words reads right to left too, so
        # it is reversed and its brackets mirrored: "(" shows as ")" (Unicode BidiMirroring).
        pieces = [(run if STRONG.search(run) else _reversed_neutral(run), font)
                  for run, font in reversed(pieces)]
    widths = [run_width(run, font, size) for run, font in pieces]
    x = xy[0] + (width - sum(widths) if rtl or align == "end" else 0)
    baseline = xy[1] + _ascent(weight, size)
    for (run, font), run_width_ in zip(pieces, widths):
        _draw_run(image, x, baseline, run, font, size, fill)
        x += run_width_


@functools.lru_cache(maxsize=1024)
def _ascent(weight: str, size: int) -> int:
    """Where the baseline sits under a line's top: the first font's ascender."""
    chain = font_chain(weight)
    return _font(*(chain[0] if chain else (None, 0)), size).getmetrics()[0]


NUMBER = regex.compile(r"[\p{Bidi_Class=EN}\p{Bidi_Class=AN}]+(?:[\p{Bidi_Class=CS}"
                       r"\p{Bidi_Class=ES}\p{Bidi_Class=ET}][\p{Bidi_Class=EN}"
                       r"\p{Bidi_Class=AN}]+)*|\X")


def _reversed_neutral(run: str) -> str:
    """A run without strong letters, in right-to-left visual order: its pieces reversed,
    brackets mirrored, but numbers kept reading left to right (UAX #9: 2025 stays 2025)."""
    return "".join(reversed(NUMBER.findall(run))).translate(MIRROR)


def draw_block(image: Image.Image, lines: list[str], xy: tuple[int, int], weight: str,
               size: int, fill, width: int) -> int:
    """Draw lines one under the other; returns the y under the last."""
    x, y = xy
    for line in lines:
        draw_line(image, (x, y), line, weight, size, fill, width)
        y += int(size * LINE)
    return y


def fit_line(text: str, weight: str, size: int, width: int) -> str:
    """Cut a line with an ellipsis so that it fits."""
    if text_width(text, weight, size) <= width:
        return text
    graphemes = GRAPHEME.findall(text)
    while graphemes and text_width("".join(graphemes) + "…", weight, size) > width:
        graphemes.pop()
    return "".join(graphemes).rstrip() + "…"


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
def _decoded(data: bytes) -> Image.Image:
    """A picture decoded once for both cards of a story (drawn one after the other)."""
    with Image.open(io.BytesIO(data)) as opened:
        if opened.format == "JPEG":
            opened.draft("RGB", (2400, 1350))        # decode at a reduced scale if larger
        return ImageOps.exif_transpose(opened).convert("RGB")


def _open(data: bytes, size: tuple[int, int], method=Image.LANCZOS) -> Image.Image:
    """A picture cropped to fill size."""
    return ImageOps.fit(_decoded(data), size, method)


@functools.lru_cache(maxsize=256)
def _face(photo: bytes | None, initials: str, size: int, background, ink,
          ring: int = 0, ring_colour=WHITE) -> Image.Image:
    """A round face (or the initials on a lighter disc) in a ring, as RGBA."""
    if photo:
        face = _open(photo, (size, size))
    else:
        disc = _mix(background, WHITE, 0.25) if ink == WHITE else _mix(background, (0, 0, 0), 0.2)
        face = Image.new("RGB", (size, size), disc)
        text_size = size * 2 // 5
        width = text_width(initials, "bold", text_size)
        draw_line(face, ((size - width) / 2, size / 2 - text_size * 0.7), initials, "bold",
                  text_size, ink, int(width))
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


@functools.lru_cache(maxsize=64)
def _scrim(size: tuple[int, int], stops: tuple[tuple[float, int], ...]) -> Image.Image:
    """An L mask that changes with height through (fraction of height, opacity) stops."""
    width, height = size
    column = []
    for y in range(height):
        at = y / max(1, height - 1)
        for (a, alpha_a), (b, alpha_b) in zip(stops, stops[1:]):
            if a <= at <= b:
                column.append(int(alpha_a + (alpha_b - alpha_a) * (at - a) / max(b - a, 1e-9)))
                break
        else:
            column.append(stops[-1][1])
    return Image.frombytes("L", (1, height), bytes(column)).resize(size, Image.NEAREST)


def _draw_brand(image: Image.Image, card: CardText, xy: tuple[int, int], size: int,
                fill, width: int) -> None:
    """The logo when the site has one, else the company's name."""
    if card.logo:
        logo = _logo(card.logo, int(size * 1.5), width)
        image.paste(logo, xy, logo)
    else:
        draw_line(image, xy, card.company, "bold", size, fill, width)


@functools.lru_cache(maxsize=64)
def _cover(data: bytes, size: tuple[int, int], stops: tuple) -> Image.Image:
    """The story photo cropped to fill, darkened by a scrim where text goes."""
    photo = _open(data, size, Image.BILINEAR)     # under a scrim, bilinear is enough
    photo.paste((0, 0, 0), (0, 0, *size), _scrim(size, stops))
    return photo


# -- og.png ------------------------------------------------------------------------------

OG_SCRIM = ((0.0, 150), (0.22, 40), (0.42, 100), (1.0, 230))


@functools.lru_cache(maxsize=512)
def _og_person(card: CardText) -> Image.Image:
    """The brand og card without its title: colour, logo, face, name, role (one a person)."""
    (width, height), margin = LAYOUTS["og"].size, LAYOUTS["og"].margin
    background = _rgb(card.brand_color)
    ink = _ink(background)
    soft = _mix(ink, background, 0.2)
    image = Image.new("RGB", (width, height), background)
    face_size = 300
    halo = _mix(background, ink, 0.14)
    centre = (width - margin - face_size // 2 - 10, height // 2 - 10)
    ImageDraw.Draw(image).ellipse((centre[0] - 190, centre[1] - 190, centre[0] + 190,
                                   centre[1] + 190), fill=halo)
    face = _face(card.photo, card.initials, face_size, background, ink, 8, background)
    image.paste(face, (centre[0] - face.width // 2, centre[1] - face.height // 2), face)
    column = width - 2 * margin - face_size - 80
    _draw_brand(image, card, (margin, 48), 30, soft, column)
    draw_line(image, (margin, 486), fit_line(card.name, "bold", 36, column), "bold", 36, ink,
              column)
    draw_line(image, (margin, 536), fit_line(f"{card.role} · {card.company}", "regular", 27,
                                             column), "regular", 27, soft, column)
    return image


@functools.lru_cache(maxsize=512)
def _og_person_strip(card: CardText) -> tuple[Image.Image, tuple[int, int]]:
    """Face, name and role in white, for the foot of a photo card: (RGBA strip, where)."""
    (width, _), margin = LAYOUTS["og"].size, LAYOUTS["og"].margin
    background = _rgb(card.brand_color)
    face = _face(card.photo, card.initials, 96, background, _ink(background), 4)
    strip = Image.new("RGBA", (width - 2 * margin, face.height), (0, 0, 0, 0))
    strip.paste(face, (0, 0), face)
    left = face.width + 24
    room = strip.width - left
    draw_line(strip, (left, 10), fit_line(card.name, "bold", 34, room), "bold", 34,
              WHITE + (255,), room)
    draw_line(strip, (left, 58), fit_line(f"{card.role} · {card.company}", "regular", 26, room),
              "regular", 26, (235, 235, 235, 255), room)
    return strip, (margin, 630 - 28 - face.height)


def _person_of(card: CardText) -> CardText:
    """The card with its story's own text taken out: the key of the per-person layers."""
    return CardText("", card.name, card.role, card.company, card.brand_color, card.initials,
                    card.photo, logo=card.logo)


def draw_og(card: CardText) -> Image.Image:
    (width, height), margin = LAYOUTS["og"].size, LAYOUTS["og"].margin
    person = _person_of(card)
    if not card.cover:
        image = _og_person(person).copy()
        ink = _ink(_rgb(card.brand_color))
        column = width - 2 * margin - 300 - 80
        size, lines = fit(card.title, "bold", (68, 36), column, 340, 5)
        top = 116 + max(0, (340 - int(len(lines) * size * LINE)) // 2)
        draw_block(image, lines, (margin, top), "bold", size, ink, column)
        return image
    image = _cover(card.cover, (width, height), OG_SCRIM).copy()
    _draw_brand(image, card, (margin, 40), 30, WHITE, width - 2 * margin)
    strip, at = _og_person_strip(person)
    size, lines = fit(card.title, "bold", (64, 36), width - 2 * margin, 300, 4)
    bottom = at[1] - 22
    draw_block(image, lines, (margin, bottom - int(len(lines) * size * LINE)), "bold", size,
               WHITE, width - 2 * margin)
    image.paste(strip, at, strip)
    return image


# -- instagram.png -----------------------------------------------------------------------

BAND = 560                            # height of the top band: the story photo, or brand
IG_SCRIM = ((0.0, 140), (0.25, 20), (0.8, 30), (1.0, 90))


@functools.lru_cache(maxsize=512)
def _ig_person(card: CardText, on_photo: bool) -> tuple[Image.Image, tuple[int, int]]:
    """Face (overlapping the band's edge), name and role: (RGBA layer, where); and with no
    photo, the whole card without its story text."""
    (width, height), margin = LAYOUTS["instagram"].size, LAYOUTS["instagram"].margin
    background = _rgb(card.brand_color)
    ink = _ink(background)
    soft = _mix(ink, background, 0.2)
    face = _face(card.photo, card.initials, 240, background, ink, 10, background)
    top = BAND - face.height // 2
    layer = Image.new("RGBA", (width - 2 * margin, face.height + 20), (0, 0, 0, 0))
    layer.paste(face, (0, 0), face)
    left = face.width + 32
    room = layer.width - left
    name_size = 52
    draw_line(layer, (left, face.height // 2 + 14), fit_line(card.name, "bold", name_size, room),
              "bold", name_size, ink + (255,), room)
    role = fit_line(card.role, "regular", 34, room)
    draw_line(layer, (left, face.height // 2 + 14 + int(name_size * 1.3)), role, "regular", 34,
              soft + (255,), room)
    if on_photo:
        return layer, (margin, top)
    image = Image.new("RGB", (width, height), background)
    band = _mix(background, (0, 0, 0), 0.22)
    ImageDraw.Draw(image).rectangle((0, 0, width, BAND), fill=band)
    _draw_brand(image, card, (margin, 64), 40, _ink(band), width - 2 * margin)
    image.paste(layer, (margin, top), layer)
    return image, (0, 0)


def draw_instagram(card: CardText) -> Image.Image:
    """The quote large (else the title); the story photo, or the title, in the top band."""
    (width, height), margin = LAYOUTS["instagram"].size, LAYOUTS["instagram"].margin
    background = _rgb(card.brand_color)
    ink = _ink(background)
    soft = _mix(ink, background, 0.25)
    inner = width - 2 * margin
    person = _person_of(card)
    quote = " ".join(card.quote.split())
    if card.cover:
        image = Image.new("RGB", (width, height), background)
        image.paste(_cover(card.cover, (width, BAND), IG_SCRIM), (0, 0))
        _draw_brand(image, card, (margin, 64), 40, WHITE, inner)
        layer, at = _ig_person(person, True)
        image.paste(layer, at, layer)
    else:
        image = _ig_person(person, False)[0].copy()
        if quote:            # the band has room for the title
            band_ink = _ink(_mix(background, (0, 0, 0), 0.22))
            size, lines = fit(card.title, "bold", (60, 36), inner, 250, 4)
            draw_block(image, lines, (margin, 150), "bold", size, band_ink, inner)
    top, foot = BAND + 210, height - 80
    if quote and card.cover:
        title_size, title_lines = fit(card.title, "regular", (36, 30), inner, 90, 2)
        title_top = foot - int(len(title_lines) * title_size * LINE)
        ImageDraw.Draw(image).rectangle((margin, title_top - 34, margin + 96, title_top - 28),
                                        fill=soft)
        foot = title_top - 60
        draw_block(image, title_lines, (margin, title_top), "regular", title_size, soft, inner)
    text = quoted(quote) if quote else card.title
    size, lines = fit(text, "bold", (84, 40), inner, foot - top, 8)
    used = int(len(lines) * size * LINE)
    draw_block(image, lines, (margin, top + max(0, (foot - top - used) // 3)), "bold", size,
               ink, inner)
    return image


def quoted(text: str) -> str:
    """The quote in the marks its script uses: 「」 for Chinese and Japanese, else “”."""
    if regex.search(r"[\p{Han}\p{Hiragana}\p{Katakana}]", text):
        return f"「{text}」"
    return f"“{text}”"


DRAW = {"og": draw_og, "instagram": draw_instagram}


def draw_card(card: CardText, kind: str) -> bytes:
    """Draw one card as PNG bytes."""
    return png(DRAW[kind](card))


def png(image: Image.Image) -> bytes:
    """An RGB image as PNG bytes: rows unfiltered (their filters cost more than they save on
    flat colour and text), deflated fast (DEFLATE)."""
    width, height = image.size
    rgb = image if image.mode == "RGB" else image.convert("RGB")
    # Each row needs a leading filter byte (0: none). Packed with a stride one byte longer
    # than a row, the rows come out with a zero byte after each: one zero in front and the
    # last one dropped give exactly the PNG rows, in one pass of C.
    rows = b"\0" + rgb.tobytes("raw", "RGB", width * 3 + 1)[:-1]
    module, level, _ = DEFLATE

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)   # 8-bit RGB
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", module.compress(rows, level)) + chunk(b"IEND", b""))


# -- caching -----------------------------------------------------------------------------


def fonts_in_use() -> str:
    """The fonts cards are drawn with, whether Arabic is shaped, and the deflate used: they
    change the files."""
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
