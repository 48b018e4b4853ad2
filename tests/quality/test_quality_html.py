"""Every built page passes the Nu Html Checker (the W3C validator), run once over the site."""

from __future__ import annotations

import json
import subprocess

import pytest

from quality_pages import html_files, jpeg

TRICKY_STORY = """\
---
title: "Tables, notes & <angle> brackets"
author: ana
date: 2026-02-10
image: photo.jpg
image_alt: "The dock at night"
quote: "A quote with \\"quotes\\"."
question: "And you?"
tags: [night work, "über & more"]
---
# A heading the writer made h1

| Shift | Hours |
|-------|-------|
| Night | 22–06 |

A claim.[^1] Some `code` and a [link](https://example.com/?a=1&b=2).

![The van](van.jpg)

> A quote.

[^1]: The note.
"""

RTL_STORY = """\
---
title: "من المطبخ إلى الميدان"
author: omar
date: 2026-01-05
lang: ar
---
نص القصة.
"""


def validate(command: str, files) -> list[dict]:
    """Errors the Nu Html Checker reports for these files, in one JVM start."""
    done = subprocess.run([command, "--format", "json", "--no-langdetect",
                           *[str(f) for f in files]],
                          capture_output=True, text=True, timeout=600)
    text = done.stdout.strip() or done.stderr.strip()
    start = text.find("{")
    messages = json.loads(text[start:])["messages"] if start >= 0 else []
    errors = [m for m in messages if m.get("type") == "error"]
    assert errors or done.returncode == 0, done.stdout + done.stderr
    return errors


@pytest.mark.slow
def test_every_page_of_the_sample_and_of_a_tricky_site_is_valid_html(nu_checker, sample_site,
                                                                     make_site):
    tricky = make_site(stories={"2026-02-10-tricky/index.md": TRICKY_STORY,
                                "2026-01-05-rtl.md": RTL_STORY})
    tricky.person("omar", name="Omar Al-Khatib")
    tricky.write_bytes("stories/2026-02-10-tricky/photo.jpg", jpeg(1600, 900))
    tricky.write_bytes("stories/2026-02-10-tricky/van.jpg", jpeg(300, 200))
    tricky.write_bytes("people/ana.jpg", jpeg(400, 400))
    tricky.write("people/ana.yaml", "name: Ana Lindqvist\nrole: Shift Lead\nteam: Operations\n"
                 "photo: ana.jpg\nphoto_alt: Ana smiling\n")
    run = tricky.build("--drafts")
    assert run.code == 0, run.err
    files = html_files(sample_site) + html_files(tricky.out)
    assert len(files) > 40
    errors = validate(nu_checker, files)
    assert not errors, "\n".join(f"{e.get('url')}:{e.get('lastLine')}: {e['message']}"
                                 for e in errors[:30])


@pytest.mark.slow
def test_the_validator_reports_an_invalid_page(nu_checker, tmp_path):
    bad = tmp_path / "bad.html"
    bad.write_text("<!doctype html><html lang=en><head><title>x</title></head>"
                   "<body><p><div>block in p</div></p><img src=a.png></body></html>")
    messages = " ".join(e["message"] for e in validate(nu_checker, [bad]))
    assert "alt" in messages
