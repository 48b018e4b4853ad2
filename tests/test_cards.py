"""The picture cards as a person sharing a story sees them: decoded from the PNG files."""

from __future__ import annotations

import io
import multiprocessing
import random
import zlib

import pytest
from PIL import Image, ImageChops, ImageStat

from firsthand.social import cards
from firsthand.social.cards import CardText, draw_card
from sites import jpeg_with_gps

BRAND = "#0b6e4f"
QUOTE = "At 04:00 the dock is the quietest place I know. Nothing hides there."


def photo(colour: tuple[int, int, int], size=(800, 500)) -> bytes:
    """A JPEG of one colour with a white stripe, to find it on a card."""
    image = Image.new("RGB", size, colour)
    image.paste((255, 255, 255), (0, size[1] // 2 - 10, size[0], size[1] // 2 + 10))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90)
    return out.getvalue()


def face() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (300, 300), (230, 40, 40)).save(out, format="JPEG")
    return out.getvalue()


def card(**changes) -> CardText:
    fields = dict(title="Night shift, and why I asked for it", name="Ana Lindqvist",
                  role="Warehouse Shift Lead", company="Lumenfold", brand_color=BRAND,
                  initials="AL", photo=face(), quote=QUOTE)
    fields.update(changes)
    return CardText(**fields)


def decoded(data: bytes) -> Image.Image:
    with Image.open(io.BytesIO(data)) as image:
        image.load()
        assert image.format == "PNG"
        return image.convert("RGB")


def share(image: Image.Image, colour, box) -> float:
    """The share of pixels in box within 40 of colour on every channel."""
    region = image.crop(box)
    masks = [channel.point(lambda v, c=c: 255 if abs(v - c) <= 40 else 0)
             for channel, c in zip(region.split(), colour)]
    both = ImageChops.multiply(ImageChops.multiply(masks[0], masks[1]), masks[2])
    return both.histogram()[255] / (region.width * region.height)


@pytest.mark.parametrize("kind, size", [("og", (1200, 630)), ("instagram", (1080, 1350))])
def test_cards_have_their_sizes_with_and_without_a_photo(kind, size):
    for variant in (card(), card(cover=photo((30, 60, 200)))):
        assert decoded(draw_card(variant, kind)).size == size


def test_og_uses_the_story_photo_when_there_is_one():
    blue = (30, 60, 200)
    with_photo = decoded(draw_card(card(cover=photo(blue)), "og"))
    without = decoded(draw_card(card(), "og"))
    # the photo fills the card; the scrim darkens it but it stays blue, not brand green
    r, g, b = ImageStat.Stat(with_photo.crop((600, 150, 1150, 260))).mean
    assert b > r + 40 and b > g + 40, (r, g, b)
    assert share(without, (0x0b, 0x6e, 0x4f), (0, 0, 1200, 100)) > 0.9     # brand layout
    assert share(with_photo, (0x0b, 0x6e, 0x4f), (0, 0, 1200, 630)) < 0.05


def test_og_text_on_a_photo_stays_legible():
    """White text on a white photo: the scrim under the title must darken it."""
    white = decoded(draw_card(card(cover=photo((250, 250, 250))), "og"))
    title_band = white.crop((0, 330, 1200, 470)).convert("L")
    background = ImageStat.Stat(title_band).median[0]
    assert background < 140, background             # white text on it reads at 3:1 or more


def test_instagram_shows_the_quote_large_and_fills_its_lower_third():
    image = decoded(draw_card(card(), "instagram"))
    lower = image.crop((0, 900, 1080, 1350))
    background = Image.new("RGB", lower.size, (0x0b, 0x6e, 0x4f))
    changed = ImageChops.difference(lower, background).convert("L").point(
        lambda v: 255 if v > 60 else 0)
    assert changed.getbbox() is not None
    ink = changed.histogram()[255] / (lower.width * lower.height)
    assert ink > 0.03, ink            # text, not a stray pixel
    short = decoded(draw_card(card(quote=""), "instagram"))
    assert ImageChops.difference(image, short).getbbox() is not None      # the quote shows


def test_instagram_carries_the_face_and_the_story_photo():
    image = decoded(draw_card(card(cover=photo((30, 60, 200))), "instagram"))
    red = (230, 40, 40)
    assert share(image, red, (80, 440, 340, 680)) > 0.4          # the face, 240 px
    r, g, b = ImageStat.Stat(image.crop((500, 150, 1000, 250))).mean
    assert b > r + 40                                            # the photo fills the top


def test_each_story_draws_only_its_own_text_on_the_person_layer():
    """The person's face, name and role are drawn once for all of their stories."""
    cards._og_person.cache_clear()
    for number in range(5):
        draw_card(card(title=f"Story number {number}", quote=""), "og")
    info = cards._og_person.cache_info()
    assert (info.misses, info.hits) == (1, 4)


def test_a_long_title_shrinks_and_a_logo_is_drawn():
    long = card(title="Word " * 60, quote="")
    for kind in ("og", "instagram"):
        assert decoded(draw_card(long, kind)).size == cards.LAYOUTS[kind].size
    logo = io.BytesIO()
    Image.new("RGB", (200, 60), (250, 200, 0)).save(logo, format="PNG")
    with_logo = decoded(draw_card(card(logo=logo.getvalue()), "og"))
    assert share(with_logo, (250, 200, 0), (64, 48, 200, 90)) > 0.8
    assert cards.card_key(card(), "og") != cards.card_key(card(logo=logo.getvalue()), "og")


def test_a_cover_with_gps_is_drawn_upright():
    data = jpeg_with_gps(width=120, height=60, orientation=6)      # rotated a quarter turn
    assert decoded(draw_card(card(cover=data), "og")).size == (1200, 630)


def test_arabic_numbers_keep_their_order_in_a_right_to_left_line():
    assert cards._reversed_neutral(" (٢٠٢٥)") == "(٢٠٢٥) "
    assert cards._reversed_neutral("2025, ") == " ,2025"
    assert cards._reversed_neutral("3.5 ") == " 3.5"


def test_the_sample_cards_use_the_story_photo(built_sample):
    og = decoded((built_sample / "stories/night-shift/og.png").read_bytes())
    plain = decoded((built_sample / "stories/osaka-first-year/og.png").read_bytes())
    assert share(plain, (0x0b, 0x6e, 0x4f), (0, 0, 1200, 40)) > 0.9
    assert share(og, (0x0b, 0x6e, 0x4f), (0, 0, 1200, 630)) < 0.1


@pytest.fixture(scope="module")
def built_sample(sample_site):
    return sample_site                # built once for the run (tests/conftest.py)


def test_the_quote_takes_the_marks_of_its_script():
    assert cards.quoted("荷物は大丈夫か") == "「荷物は大丈夫か」"
    assert cards.quoted("Nothing hides there.") == "“Nothing hides there.”"
    japanese = card(quote="お客様が本当に知りたいのは、荷物は大丈夫かということでした。")
    assert cards.missing_glyphs(cards.quoted(japanese.quote)) == []
    assert decoded(draw_card(japanese, "instagram")).size == (1080, 1350)


ARABIC = card(title="من عمّان إلى غوتنبرغ: سنتي الأولى في الرصيف الليلي", name="عمر الخطيب",
              role="مهندس صيانة", quote="في الساعة الرابعة فجراً يصبح المستودع أهدأ مكان أعرفه.")


@pytest.mark.parametrize("kind, english_face", [
    ("og", (640, 190, 1200, 440)),              # the face right of the title
    ("instagram", (80, 440, 340, 680)),         # the face left of the name
])
def test_a_right_to_left_story_gets_the_mirrored_layout(kind, english_face):
    """An Arabic story's cards are the mirror image of an English one's: the face on the
    other side (compared by the pixel columns where the red face shows)."""
    red = (230, 40, 40)
    english, arabic = decoded(draw_card(card(), kind)), decoded(draw_card(ARABIC, kind))
    width = cards.LAYOUTS[kind].size[0]
    left, top, right, bottom = english_face
    mirrored = (width - right, top, width - left, bottom)
    assert share(english, red, english_face) > 0.2 and share(english, red, mirrored) < 0.01
    assert share(arabic, red, mirrored) > 0.2 and share(arabic, red, english_face) < 0.01


def test_every_line_of_a_right_to_left_paragraph_starts_at_the_right():
    """A last line with no letters (a year in brackets) still belongs to its Arabic
    paragraph: right-aligned, in right-to-left order, its brackets mirrored back."""
    for rtl, at_right in ((True, True), (None, False)):
        image = Image.new("L", (600, 80), 0)
        cards.draw_line(image, (0, 0), "(٢٠٢٥).", "bold", 40, 255, 600, rtl)
        left, _, right, _ = image.getbbox()
        assert (right > 560) == at_right and (left < 40) != at_right, (rtl, left, right)
    assert cards._reversed_neutral("(٢٠٢٥).") == ".(٢٠٢٥)"


def test_the_arabic_instagram_card_reads_from_the_right():
    image = decoded(draw_card(ARABIC, "instagram")).convert("L")
    quote = image.crop((0, 770, 1080, 1270)).point(lambda v: 255 if v > 200 else 0)
    left, _, right, _ = quote.getbbox()
    assert right > 980 and left > 120, (left, right)     # ragged on the left, not the right


def test_cards_are_the_same_bytes_however_they_are_made():
    """A card drawn from a person's cached layer equals the one drawn fresh, and the
    fast path (the layer's tiles written straight into PNG rows) equals encoding the
    whole picture; photo cards decode to exactly the picture drawn."""
    cover = photo((30, 60, 200))
    for variant in (card(), card(quote=""), ARABIC, card(cover=cover), card(logo=_logo())):
        for kind in ("og", "instagram"):
            first = draw_card(variant, kind)
            cards._og_person.cache_clear(), cards._ig_person.cache_clear()
            cards._cover_photo.cache_clear()
            assert draw_card(variant, kind) == first
            drawn = cards.COMPOSE[kind](variant)
            assert decoded(first).tobytes() == drawn.picture().tobytes()
            again = cards.COMPOSE[kind](variant).picture()
            assert cards.png(drawn.picture()) == cards.png(again)


def _logo() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (200, 60), (250, 200, 0)).save(out, format="PNG")
    return out.getvalue()


def test_photo_rows_are_filtered_and_the_file_is_smaller():
    """Rows of a story photo take PNG's Sub filter: lossless, and a smaller file than the
    same rows unfiltered."""
    size = (1600, 1000)                 # smooth light, as a sky or a wall in a photo
    channels = [Image.linear_gradient("L").resize(size),
                Image.linear_gradient("L").rotate(90).resize(size),
                Image.radial_gradient("L").resize(size)]
    out = io.BytesIO()
    Image.merge("RGB", channels).save(out, format="JPEG", quality=90)
    photo_card = card(cover=out.getvalue())
    drawn = cards.COMPOSE["og"](photo_card)
    filtered, plain = cards.encode(drawn), cards.png(drawn.image, 0)
    assert decoded(filtered).tobytes() == decoded(plain).tobytes()
    assert len(filtered) < 0.8 * len(plain), (len(filtered), len(plain))


def test_no_line_breaks_before_a_closing_mark_in_japanese():
    text = cards.quoted("お客様が本当に知りたいのは、荷物は大丈夫かということでした。")
    for size in range(84, 39, -4):
        lines = cards.wrap(text, "bold", size, 920)
        assert "".join(lines) == text
        assert not any(line[0] in cards.NO_LINE_START for line in lines[1:]), lines
        assert not any(line[-1] in cards.NO_LINE_END for line in lines), lines


@pytest.mark.parametrize("text", [
    QUOTE, "Chennai to Göteborg: Ærø, Łódź, São Paulo", "AVATAR WAVE Type: LT AV To",
    "بيع التبريد بثلاث لغات: الثقة قبل السعر", "大阪での一年目：電話の向こうにある冷蔵庫",
    "Supercalifragilisticexpialidocious" * 3,
])
def test_wrapped_lines_fit_their_width_as_drawn(text):
    """Lines are filled word by word; measured whole, as they are drawn, none is too wide,
    and no word is lost."""
    for size in (84, 60, 36):
        lines = cards.wrap(text, "bold", size, 600)
        assert all(cards.text_width(line, "bold", size) <= 600 for line in lines), lines
        assert "".join(lines).replace(" ", "") == text.replace(" ", "")


def test_a_text_too_long_for_its_box_ends_with_an_ellipsis():
    size, lines = cards.fit("word " * 200, "bold", (84, 40), 920, 500, 8)
    assert size == 40 and len(lines) <= 8
    assert lines[-1].endswith(cards.FRAMING["ellipsis"])
    assert cards.text_width(lines[-1], "bold", size) <= 920


def idat(data: bytes) -> bytes:
    """The zlib stream of a PNG file (its IDAT chunks joined)."""
    at, stream = 8, b""
    while at < len(data):
        length, kind = int.from_bytes(data[at:at + 4], "big"), data[at + 4:at + 8]
        if kind == b"IDAT":
            stream += data[at + 8:at + 8 + length]
        at += 12 + length
    return stream


def test_a_card_joined_from_shared_stripes_is_a_valid_zlib_stream():
    """Brand cards are joined from row stripes the person's layer keeps deflated and the
    stripes this story's text touches: one valid stream, its checksum (Adler-32) right,
    as strict decoders check it; the rows decode to the picture drawn."""
    for variant in (card(), card(title="A much longer title " * 4, quote=""), ARABIC):
        for kind in ("og", "instagram"):
            data = draw_card(variant, kind)
            width, height = cards.LAYOUTS[kind].size
            rows = zlib.decompress(idat(data))              # raises on a wrong checksum
            assert len(rows) == height * (1 + 3 * width)
            picture = cards.COMPOSE[kind](variant).picture()
            pixels = b"".join(rows[y * (1 + 3 * width) + 1:(y + 1) * (1 + 3 * width)]
                              for y in range(height))
            assert pixels == picture.tobytes()


def _many_stories() -> list[CardText]:
    """Stories by four people (Latin, Japanese and Arabic names, with a face and without),
    in English, Japanese and Arabic, short and long, with a quote and without, with a story
    photo and without, with a logo and without: what one build's workers draw in turn."""
    people = [dict(name="Ana Lindqvist", role="Warehouse Shift Lead", initials="AL",
                   photo=face()),
              dict(name="Bo Berg", role="Engineer", initials="BB", photo=None),
              dict(name="田中 花子", role="営業担当", initials="田",
                   photo=photo((40, 200, 40), (400, 300))),
              dict(name="ليلى حداد", role="مهندسة مبيعات", initials="ل", photo=None)]
    texts = [dict(title="Night shift, and why I asked for it", quote=QUOTE),
             dict(title="Short", quote=""),
             dict(title="A much longer title that goes on and on " * 3, quote="A quote " * 30),
             dict(title="大阪での一年目：電話の向こうにある冷蔵庫",
                  quote="お客様が本当に知りたいのは、荷物は大丈夫かということでした。"),
             dict(title="بيع التبريد بثلاث لغات: الثقة قبل السعر",
                  quote="في عام 2025 بدأت (العمل) هنا."),
             dict(title="Chennai to Göteborg: Ærø, Łódź", quote="")]
    covers = [None, photo((30, 60, 200)), photo((200, 160, 30), (1600, 900))]
    made = []
    for number, (person, text) in enumerate((p, t) for p in people for t in texts):
        made.append(card(**person, **text, cover=covers[number % 3],
                         logo=_logo() if number % 4 == 1 else None,
                         brand_color=("#0b6e4f", "#f4e04d")[number % 2]))
    return made


def _clear_card_caches() -> None:
    """Forget all the cards module remembers: what a new process starts from."""
    for value in vars(cards).values():
        if callable(getattr(value, "cache_clear", None)):
            value.cache_clear()


def _draw_in_order(seed: int) -> dict[tuple[int, str], bytes]:
    """Every story's cards, in an order of their own (in a process of its own)."""
    stories = _many_stories()
    wanted = [(number, kind) for number in range(len(stories)) for kind in cards.COMPOSE]
    random.Random(seed).shuffle(wanted)
    return {(number, kind): draw_card(stories[number], kind) for number, kind in wanted}


def test_a_card_is_the_same_bytes_whatever_was_drawn_before_and_wherever():
    """Each card drawn with nothing remembered equals the same card drawn in new processes
    (as a build's pool does) after other stories' cards in three different orders; and
    every card decodes to the picture composed without the stripes (the Base's tiles
    pasted with Pillow, the text regions pasted over them), so a stripe joined wrongly
    cannot hide behind equal bytes."""
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        others = pool.map(_draw_in_order, [1, 2, 3])
    stories = _many_stories()
    for number, story in enumerate(stories):
        for kind in cards.COMPOSE:
            _clear_card_caches()
            alone = draw_card(story, kind)
            for drawn in others:
                assert drawn[number, kind] == alone, (number, kind, story.title, story.name)
            picture = cards.COMPOSE[kind](story).picture()
            assert decoded(alone).tobytes() == picture.tobytes(), (number, kind)
