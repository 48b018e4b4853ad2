"""Photos lose their metadata; writing the site is all or nothing."""

from __future__ import annotations

import io
import os
import shutil

import pytest
from PIL import Image

from sites import jpeg_with_gps
from firsthand.output import write
from firsthand.output.write import write_site


def _person_with_photo(site, data: bytes):
    site.write_bytes("people/ana.jpg", data)
    site.person("ana", extra='photo: ana.jpg\nphoto_alt: "Ana smiling"\n')


def test_output_photo_has_no_exif_and_no_gps(make_site):
    site = make_site()
    source = jpeg_with_gps()
    assert Image.open(io.BytesIO(source)).getexif().get_ifd(0x8825)     # the input has GPS
    _person_with_photo(site, source)
    run = site.build()
    assert run.code == 0, run.err
    data = (site.out / "people/ana/ana.jpg").read_bytes()
    with Image.open(io.BytesIO(data)) as built:
        assert dict(built.getexif()) == {}
        assert "exif" not in built.info
    assert b"PhoneMaker" not in data


def test_orientation_is_applied_before_exif_is_dropped(make_site):
    site = make_site()
    _person_with_photo(site, jpeg_with_gps(64, 48, orientation=6))   # 6: rotate 90° clockwise
    assert site.build().code == 0
    with Image.open(site.out / "people/ana/ana.jpg") as built:
        assert built.size == (48, 64)
        red, green, blue = built.convert("RGB").getpixel((44, 3))    # top-left went top-right
        assert red > 200 and green < 80
        assert built.convert("RGB").getpixel((3, 3))[1] > 80       # not top-left any more


def test_large_photos_are_resized_and_sized_in_the_page(make_site):
    site = make_site()
    _person_with_photo(site, jpeg_with_gps(1800, 1200))
    assert site.build().code == 0
    with Image.open(site.out / "people/ana/ana.jpg") as built:
        assert built.width == 600
    profile = site.page("people/ana/")
    assert 'src="../../people/ana/ana-192w.jpg"' in profile      # a square copy at the shown size
    assert 'width="192" height="192"' in profile
    with Image.open(site.out / "people/ana/ana-192w.jpg") as copy:
        assert copy.size == (192, 192) and dict(copy.getexif()) == {}


def test_the_build_keeps_no_picture_bytes_past_the_cards(make_site, monkeypatch):
    """Pages need a picture's sizes only: a photo no card draws is kept without its
    bytes, one a card draws keeps them until the cards are drawn."""
    from firsthand import build
    from firsthand.social import sharekit
    site = make_site()
    _person_with_photo(site, jpeg_with_gps(900, 600))
    site.story("2026-03-01-the-dock/index.md", title="The dock",
               body="The dock.\n\n![The dock at six](dock.jpg)\n")
    site.write_bytes("stories/2026-03-01-the-dock/dock.jpg", jpeg_with_gps(1400, 900))
    held = {}
    real = sharekit.make_cards

    def cards(library, pictures, *args, **kwargs):
        held.update({path: bool(picture.data) for path, picture in pictures.items()})
        return real(library, pictures, *args, **kwargs)
    monkeypatch.setattr(build.sharekit, "make_cards", cards)
    result = build.generate(site.root, cache="off")
    assert result.ok, result.problems
    assert held == {"people/ana/ana.jpg": True, "stories/the-dock/dock.jpg": False}
    assert result.pictures and not any(p.data for p in result.pictures.values())
    assert not any(c.data for p in result.pictures.values() for c in p.copies)
    assert result.pictures["stories/the-dock/dock.jpg"].copies           # the sizes stay


def test_a_file_that_is_not_an_image_is_an_error(make_site):
    site = make_site()
    _person_with_photo(site, b"<html>not a picture</html>")
    run = site.build()
    assert run.code == 1
    assert run.lines[0].startswith("people/ana.jpg:1: error: the file is not a readable image")


def test_static_photos_are_cleaned_too(make_site):
    site = make_site()
    site.write_bytes("static/team.jpg", jpeg_with_gps())
    assert site.build().code == 0
    with Image.open(site.out / "static/team.jpg") as built:
        assert dict(built.getexif()) == {}


def test_a_crash_while_writing_leaves_the_old_site(tmp_path, monkeypatch):
    out = tmp_path / "site"
    write_site({"index.html": b"old", "a/index.html": b"a"}, out)
    calls = {"n": 0}
    real_replace = os.replace

    def crash_on_second(src, dst):
        calls["n"] += 1
        if calls["n"] == 2:
            raise KeyboardInterrupt("killed")
        real_replace(src, dst)

    monkeypatch.setattr(write.os, "replace", crash_on_second)
    with pytest.raises(KeyboardInterrupt):
        write_site({"index.html": b"new", "a/index.html": b"changed", "b.html": b"b"}, out)
    assert (out / "index.html").read_bytes() == b"old"
    assert (out / "a/index.html").read_bytes() == b"a"
    assert not (out / "b.html").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["site"]


def test_unchanged_files_keep_their_mtime_and_stale_files_go(tmp_path):
    out = tmp_path / "site"
    write_site({"index.html": b"same", "old.html": b"stale"}, out)
    mtime = (out / "index.html").stat().st_mtime_ns
    report = write_site({"index.html": b"same", "new.html": b"new"}, out)
    assert (report.written, report.unchanged, report.removed) == (1, 1, 1)
    assert (out / "index.html").stat().st_mtime_ns == mtime
    assert sorted(p.name for p in out.iterdir()) == ["index.html", "new.html"]


def test_leftovers_of_a_killed_build_are_cleaned_or_restored(tmp_path):
    out = tmp_path / "site"
    write_site({"index.html": b"v1"}, out)
    # killed after moving the live site aside, before moving the new one in:
    os.rename(out, tmp_path / ".site.old-123")
    (tmp_path / ".site.staging-456").mkdir()
    write_site({"index.html": b"v1", "x.html": b"x"}, out)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
    assert (out / "x.html").read_bytes() == b"x"


def test_a_killed_build_process_leaves_the_site_alone(make_site):
    import signal
    import subprocess
    import sys
    import time
    from sites import ROOT, build_env
    site = make_site()
    for n in range(300):
        site.story(f"2025-01-{n % 28 + 1:02d}-s{n}.md", title=f"Story {n}", body="Words. " * 400)
    assert site.build("--quiet").code == 0
    before = site.snapshot()
    (site.root / "site.yaml").write_text((site.root / "site.yaml").read_text()
                                         .replace("Life at Testco", "Changed title"))
    process = subprocess.Popen([sys.executable, str(ROOT / "build.py"), "--source",
                                str(site.root), "--quiet"], env=build_env("2026-11-23"))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        # staging has begun: beside the site, or in the spare the build keeps in its cache
        if any(p.name.startswith(".site.staging") for p in site.root.iterdir()) \
                or any((site.root / ".firsthand-cache" / "spare").glob("*")):
            break
        time.sleep(0.005)
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert site.snapshot() == before
    shutil.rmtree(site.out)
