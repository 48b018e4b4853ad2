"""Time the two share cards of a story (og.png and instagram.png), as a build draws them.

    python benchmarks/bench_cards.py                   # 100 stories by 20 people
    python benchmarks/bench_cards.py --stories 500 --photo 4000x3000
    python benchmarks/bench_cards.py --raw-photo        # the camera's JPEG as the cover
    python benchmarks/bench_cards.py --profile          # where the time goes, by function
    python benchmarks/bench_cards.py --deflate zlib     # with another encoder (isal, zlib)
    python benchmarks/bench_cards.py --processes 400    # is each encoder's output the same
                                                        # in every process?

Both layouts are measured over the same N stories (titles and quotes made as
benchmarks/synth.py makes them, spread over the people round-robin): the brand layout
(no story photo) and the photo layout, where every story has its own photo: a
camera-like JPEG (smooth shapes and sensor grain, so that it deflates like a photo, not
like flat colour) of --photo pixels, cleaned as a build cleans it (at most 1600 pixels
wide, progressive, with its copies 400, 800 and 1200 wide) and handed to the cards as
make_cards hands it (sharekit.card_cover: the copy 1200 wide); with --raw-photo, the
camera's JPEG itself (what this benchmark measured before cards were drawn from a
copy). Each card is drawn and encoded in this process, one story after the other, the og
card then the Instagram card, as the store's workers do;
the fonts are loaded before the clock starts, and each person's layers (face, name,
role), drawn once per person whatever their number of stories, are drawn and timed
first, apart. The figure is CPU time of this process (ms of one core per story pair),
split into drawing and PNG encoding, with the mean size of each card.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import random
import statistics
import subprocess
import sys
import zlib
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

import synth  # noqa: E402
from firsthand.content.images import clean_image  # noqa: E402
from firsthand.content.model import PHOTO_WIDTHS  # noqa: E402
from firsthand.social import cards  # noqa: E402
from firsthand.social.cards import CardText  # noqa: E402
from firsthand.social.sharekit import card_cover  # noqa: E402

BRAND = "#0b6e4f"


def camera_photo(seed: int, size: tuple[int, int]) -> bytes:
    """A JPEG that compresses as a photo does: large soft shapes, finer detail, grain."""
    rng = np.random.default_rng(seed)
    image = Image.fromarray(rng.integers(0, 256, (9, 14, 3), dtype=np.uint8)).resize(
        size, Image.BICUBIC)
    detail = Image.fromarray(rng.integers(0, 256, (60, 90, 3), dtype=np.uint8)).resize(
        size, Image.BICUBIC)
    image = Image.blend(image, detail, 0.3)
    grain = rng.normal(0, 6, (size[1], size[0], 3))
    pixels = np.clip(np.asarray(image, dtype=np.float32) + grain, 0, 255).astype(np.uint8)
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, format="JPEG", quality=85)
    return out.getvalue()


def face(seed: int) -> bytes:
    """A cleaned profile photo: a head and shoulders in flat colours, 400 px square."""
    rng = random.Random(seed)
    image = Image.new("RGB", (400, 400), tuple(rng.randrange(120, 256) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    draw.ellipse((130, 70, 270, 230), fill=tuple(rng.randrange(256) for _ in range(3)))
    draw.ellipse((60, 240, 340, 520), fill=tuple(rng.randrange(256) for _ in range(3)))
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=85)
    return out.getvalue()


def cover(seed: int, size: tuple[int, int], raw: bool = False) -> bytes:
    """A story photo as a build hands it to the cards (or, raw, as the camera made it)."""
    taken = camera_photo(seed, size)
    return taken if raw else card_cover(clean_image(taken, 1600, PHOTO_WIDTHS))


def stories(count: int, people: int, photo: tuple[int, int] | None,
            seed: int = 12, raw: bool = False) -> list[CardText]:
    """Stories with their own titles and quotes for each seed (the two layouts get different
    ones, so that neither finds the other's lines already measured)."""
    words = synth.vocabulary(random.Random(12))
    named = random.Random(5)                  # the same people whatever the seed
    persons = [(f"{named.choice(words).capitalize()} {named.choice(words).capitalize()}",
                f"{named.choice(words).capitalize()} lead", face(number))
               for number in range(people)]
    rng = random.Random(seed)
    made = []
    for number in range(count):
        name, role, picture = persons[number % people]
        quote = (rng.choice(synth.RECURRING) if rng.random() < 0.3
                 else synth.sentence(rng, words).replace("*", ""))
        made.append(CardText(
            title=synth.title(rng, words), name=name, role=role, company="Benchco",
            brand_color=BRAND, initials="".join(part[0] for part in name.split()),
            photo=picture, quote=quote if rng.random() < 0.8 else "",
            cover=cover(number, photo, raw) if photo else None))
    return made


def measure(made: list[CardText]) -> dict:
    """CPU ms per story pair (drawing, encoding) and mean KB per card."""
    draw = encode = 0.0
    sizes: dict[str, list[int]] = {kind: [] for kind in cards.COMPOSE}
    pairs = []
    for card in made:
        pair = 0.0
        for kind, compose in cards.COMPOSE.items():
            start = time.process_time()
            drawn_card = compose(card)
            drawn = time.process_time()
            data = cards.encode(drawn_card)
            done = time.process_time()
            draw += drawn - start
            encode += done - drawn
            pair += done - start
            sizes[kind].append(len(data))
        pairs.append(pair)
    count = len(made)
    return {"pair": 1000 * sum(pairs) / count, "median": 1000 * statistics.median(pairs),
            "draw": 1000 * draw / count, "encode": 1000 * encode / count,
            **{kind: statistics.mean(found) / 1000 for kind, found in sizes.items()}}


def draw_people(made: list[CardText]) -> tuple[int, float]:
    """Draw the layers of every person once, as their first story does: (people, CPU ms
    per person)."""
    people = {cards._person_of(card): card for card in made}
    start = time.process_time()
    for person, card in people.items():
        rtl = cards.card_rtl(card)
        cards._og_person(person, rtl)
        cards._og_person_strip(person, rtl)
        cards._ig_layer(person, rtl)
        cards._ig_person(person, rtl)
    return len(people), 1000 * (time.process_time() - start) / len(people)


def warm_up(raw: bool) -> None:
    """Load the fonts and the glyphs every card needs (what a worker has after its first
    card), on a story nobody else tells."""
    for card in stories(2, 1, (1600, 1067), seed=11, raw=raw):
        for text in (card, CardText(**{**card.__dict__, "cover": None})):
            for kind in cards.COMPOSE:
                cards.draw_card(text, kind)
    for cache in (cards._og_person, cards._og_person_strip, cards._ig_layer, cards._ig_person):
        cache.cache_clear()


ENCODERS = {"zlib-ng": ("zlib_ng.zlib_ng", 2), "isal": ("isal.isal_zlib", 1), "zlib": ("zlib", 1)}

# One process's deflate of a brand card's rows, in stripes as cards.encode deflates them:
# the digest of what it made.
DEFLATE_ONCE = """
import hashlib, importlib, sys
module = importlib.import_module(sys.argv[1])
rows, width, stripe = open(sys.argv[3], "rb").read(), int(sys.argv[4]), int(sys.argv[5])
out = []
for top in range(0, len(rows), stripe * width):
    squeezer = module.compressobj(int(sys.argv[2]), module.DEFLATED, -15)
    out.append(squeezer.compress(rows[top:top + stripe * width])
               + squeezer.flush(module.Z_FULL_FLUSH))
print(hashlib.sha256(b"".join(out)).hexdigest())
"""


def encoder(name: str):
    module, level = ENCODERS[name]
    return __import__(module, fromlist=["_"]), level, name


def same_in_every_process(processes: int) -> None:
    """Deflate the rows of one brand card in `processes` new processes with each encoder
    and count the different outputs: a card must be the same bytes wherever it is drawn."""
    card = stories(1, 1, None)[0]
    drawn = cards.compose_instagram(card).picture()
    width, height = drawn.size
    rows = b"".join(b"\0" + drawn.tobytes()[y * 3 * width:(y + 1) * 3 * width]
                    for y in range(height))
    path = Path("/tmp") / f"bench-cards-rows-{card_digest(rows)}.bin"
    path.write_bytes(rows)
    for name, (module, level) in ENCODERS.items():
        outputs: dict[str, int] = {}
        for _ in range(processes):
            found = subprocess.run([sys.executable, "-c", DEFLATE_ONCE, module, str(level),
                                    str(path), str(1 + 3 * width), str(cards.STRIPE)],
                                   capture_output=True, text=True)
            if found.returncode:
                print(f"{name}: not installed")
                break
            outputs[found.stdout.strip()] = outputs.get(found.stdout.strip(), 0) + 1
        else:
            print(f"{name} (level {level}): {len(outputs)} different output(s) in {processes} "
                  f"processes: {sorted(outputs.values(), reverse=True)}")
    path.unlink()


def card_digest(data: bytes) -> str:
    return f"{zlib.crc32(data):08x}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--stories", type=int, default=100)
    parser.add_argument("--people", type=int, default=20)
    parser.add_argument("--photo", default="1600x1067", help="story photo size, WxH")
    parser.add_argument("--raw-photo", action="store_true",
                        help="hand the camera's JPEG to the cards, not the build's copy")
    parser.add_argument("--profile", action="store_true",
                        help="also print the functions that take the time (cProfile)")
    parser.add_argument("--deflate", choices=sorted(ENCODERS),
                        help="draw with this encoder instead of the one cards.py picks")
    parser.add_argument("--processes", type=int,
                        help="only check that each encoder gives the same bytes in this "
                             "many new processes")
    args = parser.parse_args()
    if args.processes:
        same_in_every_process(args.processes)
        return
    if args.deflate:
        cards.DEFLATE = encoder(args.deflate)
    photo = tuple(int(v) for v in args.photo.split("x"))
    layouts = {"brand": stories(args.stories, args.people, None),
               "photo": stories(args.stories, args.people, photo, seed=13, raw=args.raw_photo)}
    warm_up(args.raw_photo)
    handed = "the camera's JPEG" if args.raw_photo else "cleaned, the 1200 copy"
    print(f"{args.stories} story pairs by {args.people} people; story photos {args.photo} "
          f"JPEG ({handed}), one per story; {cards.DEFLATE[2]}, raqm: {cards.raqm()}")
    count, per_person = draw_people(layouts["brand"])
    print(f"each person's layers (face, name, role; both layouts), drawn once: "
          f"{per_person:.1f} ms per person")
    print(f"{'layout':8} {'ms/pair':>8} {'median':>8} {'draw':>7} {'encode':>7} "
          f"{'og KB':>7} {'ig KB':>7}")
    for name, made in layouts.items():
        result = measure(made)
        print(f"{name:8} {result['pair']:8.1f} {result['median']:8.1f} {result['draw']:7.1f} "
              f"{result['encode']:7.1f} {result['og']:7.0f} {result['instagram']:7.0f}")
    if args.profile:
        for name, made in layouts.items():
            for cache in (cards._og_person, cards._og_person_strip, cards._ig_layer,
                          cards._ig_person, cards._cover_photo, cards._decoded):
                cache.cache_clear()
            profiler = cProfile.Profile()
            profiler.runcall(lambda: [cards.draw_card(card, kind) for card in made
                                      for kind in cards.COMPOSE])
            print(f"\n{name}: cumulative time, {len(made)} story pairs (profiled, so slower)")
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(28)


if __name__ == "__main__":
    main()
