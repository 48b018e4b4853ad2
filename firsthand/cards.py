"""Picture cards for sharing: og.png (1200x630) for link previews and a portrait card
(1080x1350) for Instagram. The title, the person's face (or their initials), name, role
and company, in the site's brand colour.

Fonts come from the system: Debian's fonts-noto-core and fonts-noto-cjk (CI installs
them), with DejaVu as the last resort. Each grapheme is drawn with the first font that
has a glyph for it, so Latin with accents, Japanese and Arabic all render without
missing-glyph boxes. Arabic needs shaping: Pillow does it with libraqm (its wheels ship
it; `PIL.features.check('raqm')`); without raqm, Arabic letters are drawn unjoined.

Drawing is a slow part of a build: cache.draw_cards keeps each card by the hash of all it
shows, and draws the missing ones in a process pool.
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
# Scripts written without spaces: a line may break between any two of their characters.
MIRROR = str.maketrans("()[]{}<>«»", ")(][}{><»«")
NO_SPACES = regex.compile(r"[\p{Han}\p{Hiragana}\p{Katakana}\p{Hangul}\p{Thai}。、！？：]")


@dataclass(frozen=True)
class CardText:
    """Everything a card shows; its hash names the cached picture."""

    title: str
    name: str
    role: str
    company: str
    brand_color: str
    initials: str
    photo: bytes | None = None


@dataclass(frozen=True)
class Layout:
    size: tuple[int, int]
    margin: int
    company_size: int
    avatar: int
    avatar_top: int
    title_box: tuple[int, int]        # top, bottom
    title_sizes: tuple[int, int]      # largest, smallest
    max_lines: int
    name_size: int
    role_size: int
    footer_top: int                   # where name and role start
    avatar_beside_name: bool


LAYOUTS = {
    "og": Layout((1200, 630), 72, 30, 112, 478, (118, 446), (76, 40), 4, 36, 28, 486, True),
    "instagram": Layout((1080, 1350), 88, 38, 240, 190, (500, 1110), (100, 52), 7, 46, 34,
                        1160, False),
}
CARD_FILES = {"og": "og.png", "instagram": "instagram.png"}


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


def runs(text: str, weight: str) -> list[tuple[str, tuple[Path | None, int]]]:
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
    return [(text, font) for text, font in result]


def _direction(text: str) -> str:
    return "rtl" if RTL.search(text) else "ltr"


def text_width(text: str, weight: str, size: int) -> float:
    return sum(_font(*font, size).getlength(run, direction=_direction(run) if raqm() else None)
               for run, font in runs(text, weight))


@functools.lru_cache(maxsize=1)
def raqm() -> bool:
    return features.check("raqm")


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


def fit_title(title: str, layout: Layout, width: int) -> tuple[int, list[str]]:
    """The largest font size at which the title fits its box; long titles shrink, then cut."""
    top, bottom = layout.title_box
    largest, smallest = layout.title_sizes
    for size in range(largest, smallest - 1, -4):
        lines = wrap(title, "bold", size, width)
        if len(lines) <= layout.max_lines and len(lines) * size * 1.25 <= bottom - top:
            return size, lines
    size = smallest
    lines = wrap(title, "bold", size, width)
    kept = lines[: min(layout.max_lines, int((bottom - top) // (size * 1.25)))]
    last = kept[-1]
    while last and text_width(last + "…", "bold", size) > width:
        last = "".join(GRAPHEME.findall(last)[:-1])
    kept[-1] = last.rstrip() + "…"
    return size, kept


def draw_line(draw: ImageDraw.ImageDraw, xy: tuple[int, int], text: str, weight: str,
              size: int, fill, width: int) -> None:
    """Draw one line of mixed scripts; right-aligned, runs reversed, when it reads RTL."""
    pieces = runs(text, weight)
    first = STRONG.search(text)
    rtl = bool(first and RTL.match(first.group()))
    if rtl:
        # Runs in visual order; punctuation between RTL words reads right to left too, so
        # it is reversed and its brackets mirrored: "(" shows as ")" (Unicode BidiMirroring).
        pieces = [(run if STRONG.search(run) else
                   "".join(reversed(GRAPHEME.findall(run))).translate(MIRROR), font)
                  for run, font in reversed(pieces)]
    widths = [_font(*font, size).getlength(run, direction=_direction(run) if raqm() else None)
              for run, font in pieces]
    x = xy[0] + (width - sum(widths) if rtl else 0)
    for (run, font), run_width in zip(pieces, widths):
        draw.text((x, xy[1]), run, font=_font(*font, size), fill=fill,
                  direction=_direction(run) if raqm() else None)
        x += run_width


# -- drawing -----------------------------------------------------------------------------


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def _ink(background: tuple[int, int, int]) -> tuple[int, int, int]:
    """White on dark brand colours, near-black on light ones."""
    luminance = (0.2126 * background[0] + 0.7152 * background[1] + 0.0722 * background[2]) / 255
    return (255, 255, 255) if luminance < 0.6 else (17, 17, 17)


@functools.lru_cache(maxsize=8)
def _round_mask(size: int) -> Image.Image:
    """A disc, drawn four times larger and scaled down for a smooth edge."""
    scale = 4
    mask = Image.new("L", (size * scale, size * scale), 0)
    ImageDraw.Draw(mask).ellipse((0, 0, size * scale - 1, size * scale - 1), fill=255)
    return mask.resize((size, size), Image.LANCZOS)


@functools.lru_cache(maxsize=256)
def _avatar(photo: bytes | None, initials: str, size: int, background, ink) -> Image.Image:
    """A round face, or the initials on a lighter disc (kept: a person has many stories).
    Callers paste it; none changes it."""
    if photo:
        with Image.open(io.BytesIO(photo)) as opened:
            face = ImageOps.fit(ImageOps.exif_transpose(opened).convert("RGB"), (size, size),
                                Image.LANCZOS)
    else:
        disc = tuple(int(c + (255 - c) * 0.25) if ink == (255, 255, 255) else int(c * 0.8)
                     for c in background)
        face = Image.new("RGB", (size, size), disc)
        draw = ImageDraw.Draw(face)
        text_size = size * 2 // 5
        width = text_width(initials, "bold", text_size)
        draw_line(draw, (int((size - width) / 2), int(size / 2 - text_size * 0.7)),
                  initials, "bold", text_size, ink, int(width))
    result = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    result.paste(face, (0, 0), _round_mask(size))
    return result


def draw_card(card: CardText, kind: str) -> bytes:
    """Draw one card as PNG bytes."""
    layout = LAYOUTS[kind]
    width, height = layout.size
    background = _rgb(card.brand_color)
    ink = _ink(background)
    soft = tuple(int(i * 0.82 + b * 0.18) for i, b in zip(ink, background))
    image = Image.new("RGB", layout.size, background)
    draw = ImageDraw.Draw(image)
    margin = layout.margin
    inner = width - 2 * margin
    draw_line(draw, (margin, margin - 16), card.company, "bold", layout.company_size, soft, inner)

    size, lines = fit_title(card.title, layout, inner)
    top = layout.title_box[0]
    for number, line in enumerate(lines):
        draw_line(draw, (margin, int(top + number * size * 1.25)), line, "bold", size, ink, inner)

    avatar = _avatar(card.photo, card.initials, layout.avatar, background, ink)
    if layout.avatar_beside_name:
        image.paste(avatar, (margin, layout.avatar_top), avatar)
        text_left = margin + layout.avatar + 28
    else:
        image.paste(avatar, (margin, layout.avatar_top), avatar)
        text_left = margin
    room = width - margin - text_left
    name = _fit_line(card.name, "bold", layout.name_size, room)
    role = _fit_line(f"{card.role} · {card.company}", "regular", layout.role_size, room)
    draw_line(draw, (text_left, layout.footer_top), name, "bold", layout.name_size, ink, room)
    draw_line(draw, (text_left, layout.footer_top + int(layout.name_size * 1.35)), role,
              "regular", layout.role_size, soft, room)
    return png(image)


def png(image: Image.Image) -> bytes:
    """An RGB image as PNG bytes, rows unfiltered and deflated at level 3. On a card (flat
    colour, text, one small photo) this is three to four times faster than Pillow's encoder
    at its default level, whose adaptive row filters cost more than they save here, and
    the file comes out smaller (og: 67 KB against 71 KB)."""
    width, height = image.size
    raw = (image if image.mode == "RGB" else image.convert("RGB")).tobytes()
    stride = width * 3
    rows = b"".join(b"\0" + raw[at:at + stride] for at in range(0, len(raw), stride))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data)))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)   # 8-bit RGB
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header)
            + chunk(b"IDAT", zlib.compress(rows, 3)) + chunk(b"IEND", b""))


def _fit_line(text: str, weight: str, size: int, width: int) -> str:
    """Cut a line with an ellipsis so that it fits."""
    if text_width(text, weight, size) <= width:
        return text
    graphemes = GRAPHEME.findall(text)
    while graphemes and text_width("".join(graphemes) + "…", weight, size) > width:
        graphemes.pop()
    return "".join(graphemes).rstrip() + "…"


# -- caching -----------------------------------------------------------------------------


def fonts_in_use() -> str:
    """The fonts cards are drawn with, and whether Arabic is shaped: they change pictures."""
    return " ".join([f"{p.name}:{i}" for weight in ("bold", "regular")
                     for p, i in font_chain(weight)] + [f"raqm:{raqm()}"])


def card_key(card: CardText, kind: str) -> str:
    """A hash of everything that changes the picture but the code (cache.CARD_ENGINE)."""
    data = json.dumps([kind, card.title, card.name, card.role, card.company,
                       card.brand_color, card.initials, fonts_in_use(),
                       hashlib.sha256(card.photo).hexdigest() if card.photo else None])
    return hashlib.sha256(data.encode()).hexdigest()[:40]
