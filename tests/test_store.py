"""The store's entries kept as files (put_file), and the writer's links to them."""

from __future__ import annotations

import errno
import os

import pytest

from firsthand.output import write
from firsthand.output.store import MemoryStore, Store
from firsthand.output.write import Copy, write_site

NAME = "ab" + "0" * 62
DATA = bytes(range(256)) * 400


def test_an_entry_kept_as_a_file_is_its_bytes_alone(tmp_path):
    store = Store(tmp_path)
    made = store.put_file("cards", NAME, DATA)
    assert made is not None and made.path.read_bytes() == DATA and made.size == len(DATA)
    assert store.file("cards", NAME) == made
    assert store.get("cards", NAME) == DATA
    assert store.has("cards", NAME)
    assert Store(tmp_path, read_only=True).put_file("cards", "cd" + NAME[2:], DATA) is None
    assert Store(None).put_file("cards", NAME, DATA) is None


@pytest.mark.parametrize("damage", ["in place", "replaced", "cut", "ref"])
def test_a_file_changed_after_it_was_kept_is_not_given(tmp_path, damage):
    store = Store(tmp_path)
    made = store.put_file("cards", NAME, DATA)
    if damage == "in place":         # the same inode and size, other bytes (a link edited)
        with open(made.path, "r+b") as handle:
            handle.write(b"\xff" * 10)
        os.utime(made.path, ns=(1, 1))
    elif damage == "replaced":
        other = made.path.with_name("other")
        other.write_bytes(DATA)
        os.replace(other, made.path)
    elif damage == "cut":
        os.truncate(made.path, 100)
    else:
        ref = made.path.with_name(made.path.name[:-len(".file")] + ".ref")
        ref.write_bytes(ref.read_bytes()[:-3])
    assert store.file("cards", NAME) is None
    # what get reads is checked against the sha256 kept beside it
    assert store.get("cards", NAME) == (DATA if damage == "replaced" else None)


def test_a_memory_store_gives_bytes_and_keeps_the_file_behind_it(tmp_path):
    backing = Store(tmp_path)
    memory = MemoryStore(backing)
    assert memory.put_file("cards", NAME, DATA) is None
    assert memory.file("cards", NAME) is None and memory.get("cards", NAME) == DATA
    assert backing.file("cards", NAME) is not None
    assert MemoryStore(backing).get("cards", NAME) == DATA      # read from the file
    found = list(MemoryStore(backing).memoize("cards", [NAME], bytes, [b"x"], as_files=True))
    assert found == [(0, DATA)]


def test_memoize_as_files_gives_the_files_of_what_it_finds_and_makes(tmp_path):
    store = Store(tmp_path)
    names = [f"{n:02d}" + "1" * 62 for n in range(3)]
    store.put_file("cards", names[0], b"first")
    made = dict(store.memoize("cards", names, lambda item: item * 3, [b"a", b"b", b"c"],
                              as_files=True))
    assert made[0].path.read_bytes() == b"first"
    assert made[1].path.read_bytes() == b"bbb" and made[2].size == 3
    assert store.file("cards", names[2]) == made[2]


def test_the_writer_links_a_whole_file_and_keeps_a_link_or_the_same_bytes(tmp_path):
    made = Store(tmp_path / "cache").put_file("cards", NAME, DATA)
    out = tmp_path / "site"
    report = write_site({"a/og.png": Copy(made.path, 0, made.size), "index.html": b"hi"}, out)
    assert report.written == 2
    assert os.stat(out / "a/og.png").st_ino == os.stat(made.path).st_ino
    again = write_site({"a/og.png": Copy(made.path, 0, made.size), "index.html": b"hi"}, out)
    assert again.written == 0 and again.unchanged == 2
    # the same bytes in another file (a cache deleted and drawn again): kept, not linked
    again = Store(tmp_path / "cache2").put_file("cards", NAME, DATA)
    before = os.stat(out / "a/og.png")
    assert write_site({"a/og.png": Copy(again.path, 0, again.size),
                        "index.html": b"hi"}, out).written == 0
    assert os.stat(out / "a/og.png").st_ino == before.st_ino
    # other bytes: linked to them
    other = Store(tmp_path / "cache3").put_file("cards", NAME, DATA[::-1])
    assert write_site({"a/og.png": Copy(other.path, 0, other.size)}, out).written == 1
    assert (out / "a/og.png").read_bytes() == DATA[::-1]
    assert not (out / "index.html").exists()


def test_a_whole_file_that_cannot_be_linked_is_copied(tmp_path, monkeypatch):
    made = Store(tmp_path / "cache").put_file("cards", NAME, DATA)

    def refuse(*args, **kwargs):
        raise OSError(errno.EXDEV, "cross-device")
    monkeypatch.setattr(os, "link", refuse)
    out = tmp_path / "site"
    assert write_site({"og.png": Copy(made.path, 0, made.size)}, out).written == 1
    assert (out / "og.png").read_bytes() == DATA
    assert os.stat(out / "og.png").st_ino != os.stat(made.path).st_ino


def test_a_copy_that_is_not_the_whole_file_is_copied_not_linked(tmp_path):
    source = tmp_path / "source"
    source.write_bytes(DATA)
    out = tmp_path / "site"
    write_site({"part": Copy(source, 0, 100), "tail": Copy(source, 100, len(DATA) - 100)}, out)
    assert (out / "part").read_bytes() == DATA[:100]
    assert (out / "tail").read_bytes() == DATA[100:]
    assert os.stat(out / "part").st_ino != os.stat(source).st_ino
    assert write.Copy(source, 0, len(DATA)).read() == DATA


def test_an_entry_kept_whole_is_kept_as_a_file_once_memoize_finds_it(tmp_path):
    """A store from before cards were files: each is moved to a file when first found."""
    store = Store(tmp_path)
    store.put("cards", NAME, DATA)
    whole = store._path("cards", NAME)
    [(index, found)] = store.memoize("cards", [NAME], bytes, [b"x"], as_files=True)
    assert found.path.read_bytes() == DATA and not whole.exists()
    assert store.file("cards", NAME) == found
    # serve's store in memory writes through what it made, not what it found
    memory = MemoryStore(store)
    writes = []
    store.put_file = lambda *args: writes.append(args)
    assert list(memory.memoize("cards", [NAME], bytes, [b"x"], as_files=True)) == [(0, DATA)]
    assert writes == []
