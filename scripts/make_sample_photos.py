#!/usr/bin/env python3
"""Draw the sample site's pictures: one illustrated avatar per person, and the
scene photo of the bundle story.

    python scripts/make_sample_photos.py [--source DIR]

Everything here is drawn with flat shapes (no photos of real people) and is
fully deterministic: the same Pillow version gives byte-identical files.

Writes:
  people/ID.jpg (or the file named by the person's `photo:`), 600x600 JPEG
  stories/2026-02-10-night-shift/dock-at-dawn.jpg, 800x500 JPEG, which carries
  EXIF with a GPS position and an orientation tag on purpose, so that the
  engine's metadata stripping can be seen working.

Forks: people without an entry in LOOKS get a look derived from a hash of
their id, so the script works for any people/ folder.
"""
from __future__ import annotations

import argparse
import hashlib
from fractions import Fraction
from pathlib import Path

import yaml
from PIL import Image, ImageDraw, ImageFilter

SIZE = 600  # final avatar size
S = 2  # supersampling factor: draw at 1200x1200, then shrink (smooth edges)

SKIN = {
    "light": ("#f6d7c3", "#e3b9a0"),
    "fair": ("#f1c9a5", "#dca883"),
    "medium": ("#d9a066", "#bd844f"),
    "olive": ("#c68c5a", "#a87145"),
    "tan": ("#a86b3c", "#8b552d"),
    "brown": ("#8d5524", "#71431b"),
    "deep": ("#5c3a21", "#472c18"),
}

# Hand-picked looks for the sample people. Keys: bg, skin, hair (colour),
# style (hair shape), shirt, outfit, and optional extras.
LOOKS = {
    "ana-lindqvist": dict(bg="#cfe8dc", skin="light", hair="#e8c872", style="pixie",
                          shirt="#2f6b4f", outfit="jacket"),
    "joao-ferreira": dict(bg="#f3dcc2", skin="olive", hair="#2b1d14", style="curly",
                          shirt="#f28c28", outfit="hivis", beard=True),
    "malgorzata-wojcik": dict(bg="#d7dcf0", skin="fair", hair="#8c3b1f", style="long",
                              shirt="#22325c", outfit="sweater", glasses=True),
    "aiko-tanaka": dict(bg="#f5d6de", skin="fair", hair="#141414", style="bob",
                        shirt="#1f8a86", outfit="cardigan", headset=True),
    "wanjiru-kamau": dict(bg="#c9e4f2", skin="deep", hair="#1a1110", style="bun",
                          shirt="#f2c12e", outfit="workshirt", earrings="#d4a017"),
    "zoe-tremblay": dict(bg="#efe3c8", skin="light", hair="#6b4423", style="wavy",
                         shirt="#3b4a5a", outfit="scarf", scarf="#c8323c"),
    "omar-al-khatib": dict(bg="#dfe9d0", skin="tan", hair="#121212", style="short",
                           shirt="#f7f7f7", outfit="blazer", blazer="#5f6670", beard=True),
    "priya-raghunathan": dict(bg="#e2d4f0", skin="brown", hair="#0f0b0a", style="braid",
                              shirt="#d9a21b", outfit="plain", earrings="#e0b84a"),
    "sven-akesson": dict(bg="#d6ecef", skin="light", hair="#c1440e", style="messy",
                         shirt="#8a8f96", outfit="hoodie", freckles=True),
}


def s(*values):
    """Scale 600-space coordinates to the supersampled canvas."""
    return [v * S for v in values]


def derived_look(person_id: str) -> dict:
    """A stable look for people not listed in LOOKS (forks)."""
    h = hashlib.sha256(person_id.encode("utf-8")).digest()
    bgs = ["#cfe8dc", "#f3dcc2", "#d7dcf0", "#f5d6de", "#c9e4f2", "#efe3c8", "#e2d4f0"]
    hairs = ["#141414", "#2b1d14", "#6b4423", "#8c3b1f", "#e8c872", "#9a7b55", "#bdbdbd"]
    shirts = ["#2f6b4f", "#22325c", "#1f8a86", "#c8323c", "#5f6670", "#d9a21b", "#8a8f96"]
    styles = ["short", "pixie", "curly", "long", "bob", "bun", "wavy", "messy", "braid"]
    skins = list(SKIN)
    return dict(bg=bgs[h[0] % len(bgs)], skin=skins[h[1] % len(skins)],
                hair=hairs[h[2] % len(hairs)], style=styles[h[3] % len(styles)],
                shirt=shirts[h[4] % len(shirts)], outfit="plain",
                glasses=h[5] % 4 == 0)


def shade(hex_color: str, factor: float) -> tuple[int, int, int]:
    r, g, b = (int(hex_color[i:i + 2], 16) for i in (1, 3, 5))
    if factor < 1:
        return tuple(int(c * factor) for c in (r, g, b))
    return tuple(int(c + (255 - c) * (factor - 1)) for c in (r, g, b))


def draw_avatar(look: dict) -> Image.Image:
    W = SIZE * S
    img = Image.new("RGB", (W, W), look["bg"])
    d = ImageDraw.Draw(img)
    skin, skin_dark = SKIN[look["skin"]]
    hair = look["hair"]
    style = look["style"]
    cx = 300  # face centre x (600-space)

    # soft halo behind the head
    d.ellipse(s(90, 60, 510, 480), fill=shade(look["bg"], 1.35))

    # hair that falls behind the head and shoulders
    if style == "long":
        d.rounded_rectangle(s(180, 130, 420, 470), radius=90 * S, fill=hair)
    elif style == "wavy":
        for i, y in enumerate(range(200, 420, 40)):
            off = 8 if i % 2 else -8
            d.ellipse(s(178 + off, y, 262 + off, y + 70), fill=hair)
            d.ellipse(s(338 - off, y, 422 - off, y + 70), fill=hair)
        d.ellipse(s(190, 120, 410, 330), fill=hair)
    elif style == "braid":
        d.ellipse(s(195, 125, 405, 330), fill=hair)
        d.rounded_rectangle(s(205, 200, 395, 360), radius=60 * S, fill=hair)
    elif style == "bun":
        d.ellipse(s(250, 40, 350, 140), fill=hair)
        for k in range(5):  # braid texture on the bun
            d.arc(s(258 + k * 6, 50, 342 - k * 6, 130), 200, 340, fill=shade(hair, 1.6), width=3 * S)

    # neck
    d.rounded_rectangle(s(262, 300, 338, 420), radius=20 * S, fill=skin_dark)

    # body and outfit
    shirt = look["shirt"]
    d.ellipse(s(110, 390, 490, 760), fill=shirt)
    outfit = look.get("outfit", "plain")
    if outfit == "hivis":
        stripe = "#e8e8e8"
        d.polygon(s(150, 520, 450, 520, 452, 540, 148, 540), fill=stripe)
        d.polygon(s(140, 560, 460, 560, 462, 578, 138, 578), fill=stripe)
        d.polygon(s(262, 400, 300, 470, 338, 400), fill=skin_dark)
    elif outfit == "blazer":
        blazer = look.get("blazer", "#5f6670")
        d.ellipse(s(110, 390, 490, 760), fill=blazer)
        d.polygon(s(250, 398, 350, 398, 330, 600, 270, 600), fill=shirt)
        d.polygon(s(250, 398, 300, 470, 262, 540, 225, 430), fill=shade(blazer, 0.8))
        d.polygon(s(350, 398, 300, 470, 338, 540, 375, 430), fill=shade(blazer, 0.8))
        d.line(s(300, 470, 300, 600), fill="#cccccc", width=2 * S)
    elif outfit == "jacket":
        d.polygon(s(252, 398, 300, 500, 348, 398), fill="#1d4533")
        d.line(s(300, 500, 300, 600), fill="#1d4533", width=5 * S)
        d.rectangle(s(345, 500, 395, 540), outline="#1d4533", width=4 * S)  # pocket
    elif outfit == "sweater":
        d.ellipse(s(255, 395, 345, 445), fill=shade(shirt, 0.75))
        d.ellipse(s(265, 395, 335, 430), fill=skin_dark)
    elif outfit == "cardigan":
        d.polygon(s(262, 400, 300, 480, 338, 400), fill="#f4f1ea")
        d.line(s(300, 480, 300, 600), fill=shade(shirt, 0.7), width=4 * S)
        for y in (510, 545, 580):
            d.ellipse(s(308, y, 318, y + 10), fill="#f4f1ea")
    elif outfit == "workshirt":
        d.polygon(s(252, 400, 300, 455, 280, 475, 235, 420), fill=shade(shirt, 0.8))
        d.polygon(s(348, 400, 300, 455, 320, 475, 365, 420), fill=shade(shirt, 0.8))
        d.rectangle(s(175, 500, 205, 600), fill="#8fa0a8")  # reflective band
        d.rectangle(s(395, 500, 425, 600), fill="#8fa0a8")
    elif outfit == "scarf":
        scarf = look.get("scarf", "#c8323c")
        d.ellipse(s(225, 380, 375, 460), fill=scarf)
        d.polygon(s(310, 430, 350, 430, 360, 560, 320, 560), fill=shade(scarf, 0.85))
        for y in range(445, 560, 22):
            d.line(s(314, y, 356, y), fill=shade(scarf, 0.7), width=2 * S)
    elif outfit == "hoodie":
        d.ellipse(s(220, 385, 380, 470), fill=shade(shirt, 0.8))
        d.ellipse(s(255, 395, 345, 445), fill=skin_dark)
        d.line(s(280, 450, 276, 540), fill="#f0f0f0", width=3 * S)
        d.line(s(320, 450, 324, 540), fill="#f0f0f0", width=3 * S)
    elif outfit == "polo":
        d.polygon(s(262, 400, 300, 450, 338, 400), fill=skin_dark)
        d.polygon(s(255, 395, 300, 450, 270, 465, 235, 410), fill=shade(shirt, 0.8))
        d.polygon(s(345, 395, 300, 450, 330, 465, 365, 410), fill=shade(shirt, 0.8))
        d.ellipse(s(295, 470, 305, 480), fill="#e0e0e0")
    else:  # plain crew neck
        d.ellipse(s(255, 392, 345, 440), fill=skin_dark)

    # ears and head
    d.ellipse(s(192, 215, 232, 275), fill=skin_dark)
    d.ellipse(s(368, 215, 408, 275), fill=skin_dark)
    d.ellipse(s(205, 120, 395, 350), fill=skin)

    # beard sits on the jaw, under the facial features
    if look.get("beard"):
        d.chord(s(205, 150, 395, 352), 10, 170, fill=hair)
        d.ellipse(s(262, 278, 338, 318), fill=skin)  # mouth area

    # hair on top of the head
    if style in ("short", "pixie"):
        d.chord(s(200, 108, 400, 300), 180, 360, fill=hair)
        d.rectangle(s(200, 190, 216, 235), fill=hair)  # sideburns
        d.rectangle(s(384, 190, 400, 235), fill=hair)
        if style == "pixie":
            d.pieslice(s(195, 100, 340, 260), 180, 300, fill=hair)
            d.polygon(s(240, 190, 330, 150, 360, 175, 260, 205), fill=hair)
    elif style == "curly":
        for x, y, r in [(220, 170, 38), (258, 135, 40), (300, 122, 42), (342, 135, 40),
                        (380, 170, 38), (210, 210, 28), (390, 210, 28), (280, 160, 30),
                        (322, 160, 30)]:
            d.ellipse(s(x - r, y - r, x + r, y + r), fill=hair)
    elif style == "bob":
        d.chord(s(192, 105, 408, 320), 180, 360, fill=hair)
        d.rectangle(s(192, 205, 230, 320), fill=hair)
        d.rectangle(s(370, 205, 408, 320), fill=hair)
        d.rectangle(s(225, 170, 375, 200), fill=hair)  # fringe
    elif style in ("long", "wavy", "braid"):
        d.chord(s(200, 110, 400, 300), 180, 360, fill=hair)
        d.pieslice(s(200, 110, 330, 280), 180, 290, fill=hair)
        d.rectangle(s(200, 200, 222, 300), fill=hair)
        d.rectangle(s(378, 200, 400, 300), fill=hair)
        if style == "braid":  # one braid over the left shoulder (viewer's right)
            for i, y in enumerate(range(300, 520, 34)):
                w = 34 - i * 1.5
                d.ellipse(s(375 - w, y, 375 + w, y + 42), fill=hair)
                d.arc(s(375 - w, y, 375 + w, y + 42), 200, 340, fill=shade(hair, 2.5), width=2 * S)
            d.ellipse(s(362, 525, 388, 545), fill="#c8323c")  # hair tie
    elif style == "bun":
        d.chord(s(203, 112, 397, 290), 180, 360, fill=hair)
        for x in range(220, 390, 18):  # cornrow lines
            d.line(s(x, 150 if 250 < x < 350 else 180, 300, 118), fill=shade(hair, 2.2), width=2 * S)
    elif style == "messy":
        d.chord(s(200, 108, 400, 300), 180, 360, fill=hair)
        d.polygon(s(205, 180, 215, 110, 250, 140, 270, 85, 300, 125, 330, 80,
                    350, 130, 385, 100, 395, 180), fill=hair)
        d.polygon(s(240, 200, 280, 160, 320, 200, 300, 170), fill=hair)

    # face
    ink = "#2a1f1a"
    d.arc(s(238, 200, 282, 226), 200, 340, fill=shade(hair, 0.8) if style != "messy" else ink,
          width=5 * S)  # eyebrows
    d.arc(s(318, 200, 362, 226), 200, 340, fill=shade(hair, 0.8) if style != "messy" else ink,
          width=5 * S)
    d.ellipse(s(251, 228, 269, 248), fill=ink)
    d.ellipse(s(331, 228, 349, 248), fill=ink)
    d.ellipse(s(257, 231, 263, 237), fill="#ffffff")
    d.ellipse(s(337, 231, 343, 237), fill="#ffffff")
    d.arc(s(290, 240, 312, 280), 60, 120, fill=skin_dark, width=4 * S)  # nose
    d.arc(s(268, 268, 332, 312), 20, 160, fill="#7a2e2e", width=5 * S)  # smile
    blush = shade(skin, 0.92)
    d.ellipse(s(228, 262, 258, 282), fill=blush)
    d.ellipse(s(342, 262, 372, 282), fill=blush)

    if look.get("freckles"):
        for x, y in [(240, 258), (252, 266), (246, 274), (350, 258), (362, 266), (356, 274),
                     (296, 256), (306, 256)]:
            d.ellipse(s(x - 3, y - 3, x + 3, y + 3), fill="#b5651d")
    if look.get("glasses"):
        frame = "#2b2b2b"
        d.ellipse(s(232, 215, 288, 263), outline=frame, width=5 * S)
        d.ellipse(s(312, 215, 368, 263), outline=frame, width=5 * S)
        d.line(s(288, 236, 312, 236), fill=frame, width=4 * S)
        d.line(s(232, 236, 208, 228), fill=frame, width=4 * S)
        d.line(s(368, 236, 392, 228), fill=frame, width=4 * S)
    if look.get("earrings"):
        for x in (212, 388):
            d.ellipse(s(x - 9, 272, x + 9, 290), fill=look["earrings"])
    if look.get("headset"):
        band = "#3a3a3a"
        d.arc(s(188, 95, 412, 330), 180, 360, fill=band, width=10 * S)
        d.rounded_rectangle(s(180, 200, 218, 270), radius=12 * S, fill=band)
        d.rounded_rectangle(s(382, 200, 420, 270), radius=12 * S, fill=band)
        d.line(s(200, 268, 215, 300, 262, 305), fill=band, width=5 * S, joint="curve")
        d.ellipse(s(256, 298, 272, 314), fill="#1b1b1b")

    return img.resize((SIZE, SIZE), Image.LANCZOS)


def draw_dock_at_dawn() -> Image.Image:
    """An 800x500 flat illustration: a cold-storage cross-dock at dawn."""
    W, H = 800 * S, 500 * S
    img = Image.new("RGB", (W, H))
    d = ImageDraw.Draw(img)

    # dawn sky: vertical gradient from deep blue to warm orange
    top, bottom = (28, 42, 84), (246, 162, 96)
    for y in range(H):
        t = y / (H * 0.62)
        t = min(t, 1.0)
        c = tuple(int(top[i] + (bottom[i] - top[i]) * t) for i in range(3))
        d.line([(0, y), (W, y)], fill=c)
    # sun low on the horizon, with rings
    for r, col in [(120, (250, 196, 120)), (85, (252, 214, 140)), (55, (255, 236, 190))]:
        d.ellipse(s(600 - r, 300 - r, 600 + r, 300 + r), fill=col)
    # a few stars still out
    for x, y in [(60, 40), (140, 80), (230, 30), (330, 65), (450, 25), (520, 90), (720, 50)]:
        d.ellipse(s(x - 2, y - 2, x + 2, y + 2), fill=(235, 240, 255))
    # distant cranes of the harbour
    crane = (60, 60, 88)
    for x in (470, 540):
        d.rectangle(s(x, 170, x + 8, 300), fill=crane)
        d.polygon(s(x - 40, 170, x + 90, 170, x + 90, 178, x - 40, 178), fill=crane)
        d.line(s(x + 4, 140, x - 40, 172), fill=crane, width=2 * S)
        d.line(s(x + 4, 140, x + 90, 172), fill=crane, width=2 * S)

    # ground and yard
    d.rectangle(s(0, 330, 800, 500), fill=(70, 72, 80))
    for x in range(40, 800, 120):  # painted bay lines
        d.polygon(s(x, 500, x + 14, 500, x + 44, 340, x + 38, 340), fill=(205, 190, 90))

    # warehouse with dock doors
    d.rectangle(s(0, 150, 420, 340), fill=(182, 190, 196))
    d.polygon(s(0, 150, 420, 150, 400, 125, 0, 125), fill=(120, 128, 136))
    # solar panels on the roof
    for x in range(20, 390, 62):
        d.polygon(s(x, 125, x + 54, 125, x + 64, 104, x + 10, 104), fill=(30, 58, 110))
        d.line(s(x + 32, 125, x + 37, 104), fill=(90, 130, 190), width=S)
    d.text((24 * S, 158 * S), "LUMENFOLD  GBG-2", fill=(11, 110, 79), font_size=18 * S)
    for i, x in enumerate((30, 160, 290)):
        d.rectangle(s(x, 200, x + 100, 320), fill=(60, 64, 70))
        if i == 1:  # the open door, lit inside
            d.rectangle(s(x + 6, 230, x + 94, 320), fill=(255, 226, 150))
            d.rectangle(s(x + 6, 200, x + 94, 230), fill=(98, 104, 112))
        else:
            for y in range(208, 320, 14):
                d.line(s(x + 4, y, x + 96, y), fill=(88, 92, 100), width=S)
        d.rectangle(s(x - 6, 320, x + 106, 340), fill=(40, 40, 44))  # dock leveller
    # dock lights
    for x in (80, 210, 340):
        d.ellipse(s(x - 5, 186, x + 5, 196), fill=(255, 240, 200))

    # trailer with a cold-storage unit backed up to the open door
    d.rectangle(s(300, 230, 640, 330), fill=(236, 238, 240))
    d.rectangle(s(300, 230, 640, 240), fill=(11, 110, 79))
    d.rectangle(s(640, 240, 690, 320), fill=(200, 205, 210))  # reefer unit
    for y in range(250, 315, 10):
        d.line(s(646, y, 684, y), fill=(150, 156, 162), width=S)
    d.polygon(s(310, 230, 630, 230, 620, 216, 320, 216), fill=(30, 58, 110))  # roof panel
    for x in (360, 420, 560, 620):
        d.ellipse(s(x - 22, 318, x + 22, 362), fill=(25, 25, 28))
        d.ellipse(s(x - 9, 331, x + 9, 349), fill=(130, 130, 136))

    # a person in a hi-vis jacket on the dock, holding a tablet
    px = 205
    d.ellipse(s(px - 11, 246, px + 11, 268), fill=(198, 140, 90))
    d.chord(s(px - 12, 243, px + 12, 265), 180, 360, fill=(232, 200, 114))
    d.rounded_rectangle(s(px - 16, 268, px + 16, 310), radius=6 * S, fill=(242, 140, 40))
    d.line(s(px - 16, 288, px + 16, 288), fill=(235, 235, 235), width=3 * S)
    d.rectangle(s(px - 13, 310, px - 3, 320), fill=(40, 44, 60))
    d.rectangle(s(px + 3, 310, px + 13, 320), fill=(40, 44, 60))
    d.rectangle(s(px + 14, 280, px + 28, 298), fill=(30, 30, 34))
    # a pallet with crates waiting on the dock
    d.rectangle(s(120, 296, 150, 318), fill=(120, 160, 90))
    d.rectangle(s(152, 300, 178, 318), fill=(214, 120, 60))
    d.rectangle(s(116, 318, 182, 322), fill=(150, 110, 70))

    img = img.filter(ImageFilter.SMOOTH)
    return img.resize((800, 500), Image.LANCZOS)


def _rational(value: float, denominator: int = 10000) -> Fraction:
    return Fraction(round(value * denominator), denominator)


def dms(deg: float) -> tuple:
    """Decimal degrees -> EXIF (degrees, minutes, seconds) rationals."""
    d = int(deg)
    m_float = (deg - d) * 60
    m = int(m_float)
    sec = (m_float - m) * 60
    return (Fraction(d, 1), Fraction(m, 1), _rational(sec, 100))


def dock_exif(image: Image.Image) -> Image.Exif:
    """EXIF a phone would add: camera, orientation and the GPS position of the
    Göteborg dock. The engine must strip it before publishing."""
    exif = image.getexif()
    exif[0x010F] = "Lumenfold Sample Camera"  # Make
    exif[0x0110] = "Drawn by make_sample_photos.py"  # Model
    exif[0x0112] = 1  # Orientation: top-left (normal)
    exif[0x0132] = "2026:02:10 06:12:00"  # DateTime
    lat, lon = 57.7065, 11.9120  # Göteborg harbour (illustrative)
    gps = {
        0x0000: b"\x02\x03\x00\x00",  # GPSVersionID 2.3.0.0
        0x0001: "N",  # GPSLatitudeRef
        0x0002: dms(lat),  # GPSLatitude
        0x0003: "E",  # GPSLongitudeRef
        0x0004: dms(lon),  # GPSLongitude
    }
    exif.get_ifd(0x8825).update(gps)  # GPSInfo IFD
    return exif


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", default=str(Path(__file__).resolve().parent.parent),
                        help="site folder holding people/ and stories/ (default: this repository)")
    args = parser.parse_args()
    root = Path(args.source)

    for path in sorted((root / "people").glob("*.yaml")):
        person_id = path.stem
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        look = LOOKS.get(person_id) or derived_look(person_id)
        out = root / "people" / (data.get("photo") or f"{person_id}.jpg")
        draw_avatar(look).save(out, "JPEG", quality=88, optimize=True)
        print(f"wrote {out.relative_to(root)}")

    bundle = root / "stories" / "2026-02-10-night-shift"
    if bundle.is_dir():
        img = draw_dock_at_dawn()
        out = bundle / "dock-at-dawn.jpg"
        img.save(out, "JPEG", quality=88, optimize=True, exif=dock_exif(img))
        print(f"wrote {out.relative_to(root)} (with EXIF GPS + orientation, on purpose)")


if __name__ == "__main__":
    main()
