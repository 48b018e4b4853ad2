"""A story page is light: small HTML and CSS, no script needed, photos sized as shown."""

from __future__ import annotations

import io
from urllib.parse import urljoin, urlsplit

from PIL import Image

from quality_pages import html_files, jpeg, parse_page

BUDGET = 50 * 1024            # bytes of HTML + CSS for one story page, before images
BASE = "https://careers.testco.example/stories/"


def local_file(site, page, href):
    """The output file a relative href of a page names."""
    path = urlsplit(urljoin("https://x.example/" + page.path, href)).path.lstrip("/")
    return site / (path + "index.html" if path.endswith("/") or not path else path)


def test_every_story_page_with_its_css_is_under_50_kb(sample_site):
    stories = sorted(sample_site.glob("stories/*/index.html"))
    assert len(stories) > 10
    heavy = {}
    for file in stories:
        page = parse_page(sample_site, file)
        size = file.stat().st_size + sum(
            local_file(sample_site, page, link.attrs["href"]).stat().st_size
            for link in page.all("link") if link.attrs.get("rel") == "stylesheet")
        if size >= BUDGET:
            heavy[page.path] = size
    assert not heavy, heavy


def test_a_story_page_needs_no_script_to_read(sample_site):
    for file in sorted(sample_site.glob("stories/*/index.html")):
        page = parse_page(sample_site, file)
        for attrs, _ in page.scripts:
            assert attrs.get("type") == "application/ld+json" or "defer" in attrs \
                or "async" in attrs or attrs.get("type") == "module", (page.path, attrs)


def test_every_image_has_a_width_and_a_height(sample_site):
    unsized = [f"{parse_page(sample_site, f).path}: {tag.attrs.get('src')}"
               for f in html_files(sample_site) for tag in parse_page(sample_site, f).all("img")
               if not (tag.attrs.get("width") and tag.attrs.get("height"))]
    assert not unsized, unsized


def _pixels(path):
    with Image.open(path) as image:
        return image.size


def _srcset(tag):
    return [candidate.strip().split() for candidate in tag.attrs["srcset"].split(",")]


def test_photos_come_in_the_sizes_the_theme_shows_them(make_site):
    site = make_site(stories={"2026-02-10-dock/index.md": """\
        ---
        title: "The dock"
        author: ana
        date: 2026-02-10
        image: dock.jpg
        image_alt: "The dock at dawn"
        ---
        The van at five:

        ![The van, loaded](van.jpg)
        """})
    site.write_bytes("stories/2026-02-10-dock/dock.jpg", jpeg(3000, 2000))
    site.write_bytes("stories/2026-02-10-dock/van.jpg", jpeg(1000, 750))
    site.write_bytes("people/ana.jpg", jpeg(900, 1200))        # a portrait, not a square
    site.write("people/ana.yaml", "name: Ana Lindqvist\nrole: Shift Lead\nteam: Operations\n"
               "photo: ana.jpg\nphoto_alt: Ana on the dock\n")
    assert site.build().code == 0
    story = parse_page(site.out, site.out / "stories/dock/index.html")
    folder = site.out / "stories/dock"

    # The story's photo: copies at the column's widths, the srcset says their true widths.
    hero = next(t for t in story.all("img") if t.attrs["alt"] == "The dock at dawn")
    candidates = _srcset(hero)
    assert [int(w[:-1]) for _, w in candidates] == [400, 800, 1200, 1600]
    for url, width in candidates:
        assert _pixels(local_file(site.out, story, url))[0] == int(width[:-1])
    assert (hero.attrs["width"], hero.attrs["height"]) == ("1600", "1067")
    assert "664px" in hero.attrs["sizes"] and hero.attrs.get("loading") != "lazy"

    # A picture in the text gets a size, copies and lazy loading too.
    van = next(t for t in story.all("img") if t.attrs["alt"] == "The van, loaded")
    assert (van.attrs["width"], van.attrs["height"], van.attrs["loading"]) == \
        ("1000", "750", "lazy")
    assert [c[0] for c in _srcset(van)] == ["van-400w.jpg", "van-800w.jpg", "van.jpg"]
    assert _pixels(folder / "van-400w.jpg") == (400, 300)

    # Faces: square copies at 1x and 2x of the size shown, never the full photo.
    avatar = next(t for t in story.all("img") if "avatar" in t.attrs.get("class", ""))
    size = int(avatar.attrs["width"])
    [(one, x1), (two, x2)] = _srcset(avatar)
    assert (x1, x2) == ("1x", "2x") and avatar.attrs["src"] == one
    assert _pixels(local_file(site.out, story, one)) == (size, size)
    assert _pixels(local_file(site.out, story, two)) == (2 * size, 2 * size)
    person = parse_page(site.out, site.out / "people/ana/index.html")
    photo = next(t for t in person.all("img") if "profile-photo" in t.attrs.get("class", ""))
    assert _pixels(local_file(site.out, person, photo.attrs["src"])) == (192, 192)


def test_copies_carry_no_location(make_site):
    image = Image.new("RGB", (800, 800), (200, 120, 40))
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (57.0, 42.0, 0.0), 3: "E", 4: (11.0, 58.0, 0.0)}
    photo = io.BytesIO()
    image.save(photo, format="JPEG", exif=exif.tobytes())
    site = make_site()
    site.write_bytes("people/ana.jpg", photo.getvalue())
    site.write("people/ana.yaml", "name: Ana\nrole: Lead\nphoto: ana.jpg\nphoto_alt: Ana\n")
    assert site.build().code == 0
    files = sorted((site.out / "people/ana").glob("*.jpg"))
    assert len(files) == 9             # the photo and its copies at 56 ... 384 px
    for file in files:
        with Image.open(io.BytesIO(file.read_bytes())) as image:
            assert not image.getexif(), file.name
