"""Untrusted content: nothing a writer types becomes live markup in any output file."""

from __future__ import annotations

import io
import json
import re
from html.parser import HTMLParser

import pytest
from PIL import Image

HOSTILE_BODY = r'''
<script>alert("body")</script>
<img src=x onerror="alert('img')">
<svg onload=alert(1)><a xlink:href="javascript:alert(1)">svg</a></svg>
<iframe src="https://evil.example/"></iframe>
<a href="javascript:alert(1)">raw link</a>
<div style="background:url(javascript:alert(1))">styled</div>

[plain](javascript:alert(1))
[upper](JAVASCRIPT:alert(1))
[mixed](JaVaScRiPt:alert(1))
[entity](&#106;avascript:alert(1))
[hex](&#x6A;avascript:alert(1))
[spaced]( javascript:alert(1))
[tabbed](java	script:alert(1))
[newline](<java
script:alert(1)>)
[vb](vbscript:msgbox(1))
[data](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)
[ref link][evil]
![img](javascript:alert(1))
![data img](data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=)
<javascript:alert(1)>
[quote break](https://ok.example/" onmouseover="alert(1))
[title break](https://ok.example/ "x\" onmouseover=\"alert(1)")

Heading attr {: onclick="alert(1)" }
{: .class onmouseover="alert(1)" }

# Heading {#id onclick=alert(1)}

[evil]: javascript:alert(1)
'''

FRONT = '''---
title: "</title><script>alert('title')</script>"
author: ana
date: 2026-01-01
summary: "\\"><script>alert('summary')</script> </script><script>alert(2)</script>"
quote: "<img src=x onerror=alert('quote')>"
question: "</script><script>alert('question')</script>"
tags: ["<script>alert('tag')</script>", "x\\" onmouseover=\\"alert(1)"]
location: "<b onmouseover=alert(1)>here</b>"
---
'''


class _Markup(HTMLParser):
    """Records every live element and attribute the browser would see."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.scripts: list[str] = []
        self.events: list[str] = []
        self.urls: list[str] = []
        self.tags: set[str] = set()
        self.forms: list[dict] = []
        self._in_script = None

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append(attrs)
        if tag in ("script", "style"):
            self._in_script = attrs.get("type", tag)
        for name, value in attrs.items():
            if name.startswith("on"):
                self.events.append(f"{tag} {name}={value}")
            if name in ("href", "src", "xlink:href", "action", "formaction") and value:
                self.urls.append(value)

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._in_script = None

    def handle_data(self, data):
        if self._in_script is not None:
            self.scripts.append((self._in_script, data))


def test_no_hostile_input_survives_as_live_markup(make_site):
    site = make_site(stories={"2026-01-01-evil.md": FRONT + HOSTILE_BODY})
    run = site.build()
    assert run.code == 0, run.err
    pages = [p for p in site.out.rglob("*") if p.suffix in (".html", ".xml")]
    assert len(pages) > 5
    for page in pages:
        text = page.read_text(encoding="utf-8")
        markup = _Markup()
        markup.feed(text)
        assert markup.events == [], page
        assert not {"iframe", "svg", "object", "embed"} & markup.tags, page
        # the theme's search boxes go to the site's own search page
        forms = [form for form in markup.forms
                 if not (form.get("class") in ("nav-search-form", "search-form")
                         and form.get("action", "search/").endswith("search/"))]
        # the other form is the share kit's own "your Mastodon server" box, which sends nothing
        assert all(set(form) == {"class", "data-mastodon-form", "hidden"}
                   for form in forms), (page, forms)
        assert len(forms) == (page.parent.name == "share"), page
        for url in markup.urls:
            squeezed = re.sub(r"[\x00-\x20]", "", url).lower()
            assert not squeezed.startswith(("javascript:", "vbscript:", "data:")), (page, url)
        for kind, body in markup.scripts:
            # the only inline blocks are data (JSON-LD; the share kit's words for its
            # script, which the browser never runs) and the theme's brand colour
            if kind == "style":
                assert re.fullmatch(r":root \{ --brand: #[0-9a-f]{6}; \}", body), (page, body)
                continue
            data = ("application/ld+json", "application/json")
            assert kind in (*data, ""), (page, kind)
            assert "alert" not in body or kind in data, (page, body)
            assert "<" not in body, (page, body)
            if kind in data:
                json.loads(body)
    story = site.page("stories/evil/")
    assert "&lt;script&gt;alert(“body”)&lt;/script&gt;" in story   # shown as text
    assert "plain</a>" in story                  # the link text stays, the URL goes


def test_json_ld_cannot_be_broken_out_of(make_site):
    import json
    site = make_site(stories={"2026-01-01-evil.md": FRONT + "Body.\n"})
    assert site.build().code == 0
    html = site.page("stories/evil/")
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(blocks) == 1
    data = json.loads(blocks[0])
    article = data["@graph"][0]
    assert article["headline"] == "</title><script>alert('title')</script>"


def test_attribute_list_syntax_stays_text(make_site):
    site = make_site(stories={"2026-01-01-attr.md": FRONT.replace("author: ana", "author: ana")
                              + "Para\n{: onclick=\"alert(1)\" }\n"})
    assert site.build().code == 0
    html = site.page("stories/attr/")
    assert "{: onclick=" in html and " onclick=" not in html.replace("{: onclick=", "")


# -- bounds: each limit is an error at its file and line, not a crash or a hang ---------

BOUNDED_STORIES = {
    "nested-list": (
        '---\ntitle: "T"\nauthor: ana\ndate: 2026-01-01\ntags: ' + "[" * 300 + "]" * 300
        + "\n---\n",
        "stories/s.md:5: error: the YAML is nested more than 16 levels deep here; "
        "write it flatter"),
    "nested-blocks": (
        '---\ntitle: "T"\nauthor: ana\ndate: 2026-01-01\nshare:\n'
        + "".join(" " * (2 * i + 2) + f"k{i}:\n" for i in range(40)) + "---\n",
        "stories/s.md:21: error: the YAML is nested more than 16 levels deep here; "
        "write it flatter"),
    "long-yaml-line": (
        '---\ntitle: "T"\nauthor: ana\ndate: 2026-01-01\nsummary: "' + "x" * 5000 + '"\n---\n',
        "stories/s.md:5: error: this line is 5,011 characters long; the limit is 4,000: "
        "shorten the value"),
    "long-body-line": (
        '---\ntitle: "T"\nauthor: ana\ndate: 2026-01-01\n---\nFine.\n\n' + "word " * 5000 + "\n",
        "stories/s.md:8: error: this line is 25,000 characters long; the limit is 20,000: "
        "break it into paragraphs"),
    "marks-in-one-paragraph": (
        '---\ntitle: "T"\nauthor: ana\ndate: 2026-01-01\n---\nFine.\n\n'
        + "**a** " * 100 + "\n" + "**a** " * 100 + "\n",
        "stories/s.md:8: error: this paragraph has more than 500 marks of emphasis, links, "
        "code or quotes; split it into shorter paragraphs"),
    "many-aliases": (
        '---\ntitle: "T"\nauthor: ana\ndate: 2026-01-01\nx: &a [1, 2]\n'
        + "".join(f"y{i}: [*a, *a, *a]\n" for i in range(2000)) + "---\n",
        None),
}


@pytest.mark.parametrize("name", sorted(BOUNDED_STORIES))
def test_each_bound_is_an_error_at_its_line(make_site, name):
    text, expected = BOUNDED_STORIES[name]
    site = make_site(stories={"s.md": text})
    run = site.build()
    assert run.code == 1
    assert "Traceback" not in run.err
    errors = [line for line in run.lines if ": error: " in line]
    if expected is None:            # aliases: the first few lines are reported, not 2,000
        assert errors[:2] == [
            "stories/s.md:5: error: YAML anchors (&a) are not allowed; write the value out",
            "stories/s.md:6: error: YAML aliases (*a) are not allowed; write the value out"]
        assert len(errors) <= 20
    else:
        assert errors == [expected]


def test_deep_nesting_in_site_and_person_yaml(make_site):
    site = make_site(site="title: T\ncompany: C\nbase_url: https://c.example/\nextra:\n  deep: "
                          + "[" * 500 + "]" * 500 + "\n",
                     people={"ana": "name: Ana\nrole: Lead\nbio: " + "{a: " * 200 + "1"
                             + "}" * 200 + "\n"})
    run = site.build()
    assert run.code == 1
    assert [line for line in run.lines if ": error: " in line] == [
        "people/ana.yaml:3: error: the YAML is nested more than 16 levels deep here; "
        "write it flatter",
        "site.yaml:5: error: the YAML is nested more than 16 levels deep here; "
        "write it flatter"]


def test_picture_too_large_in_pixels_or_bytes(make_site):
    site = make_site(stories={})
    big = io.BytesIO()
    Image.new("L", (8000, 6000)).save(big, format="PNG")
    site.write_bytes("stories/wide/wide.png", big.getvalue())
    site.write("stories/wide/index.md", '---\ntitle: "Wide"\nauthor: ana\ndate: 2026-01-01\n'
                                        'image: wide.png\nimage_alt: "A wide picture"\n---\nHi.\n')
    heavy = site.root / "stories/heavy/heavy.jpg"
    heavy.parent.mkdir(parents=True)
    with open(heavy, "wb") as handle:
        handle.truncate(41 * 2**20)            # sparse: 41 MB without writing them
    site.write("stories/heavy/index.md", '---\ntitle: "Heavy"\nauthor: ana\ndate: 2026-01-01\n'
                                         'image: heavy.jpg\nimage_alt: "x"\n---\nHi.\n')
    run = site.build()
    assert run.code == 1
    assert "Traceback" not in run.err
    errors = [line for line in run.lines if ": error: " in line]
    assert errors == [
        "stories/heavy/heavy.jpg:1: error: the picture is 41 MB; the limit is 40 MB: "
        "save a smaller copy",
        "stories/wide/wide.png:1: error: the picture is 8000x6000 pixels; the limit is 40 "
        "megapixels: save a smaller copy"]


def test_too_many_files(make_site):
    site = make_site()
    bundle = site.root / "stories" / "crowded"
    bundle.mkdir()
    (bundle / "index.md").write_text('---\ntitle: "C"\nauthor: ana\ndate: 2026-01-01\n---\nHi.\n')
    for number in range(200):
        (bundle / f"note-{number}.txt").write_text("x")
    run = site.build()
    assert run.code == 1
    assert [line for line in run.lines if ": error: " in line] == [
        "stories/crowded/index.md:1: error: the story's folder holds more than 200 files; "
        "keep only the story and its pictures in it"]
    people = site.root / "people"
    for number in range(50_001):
        (people / f"p{number}.yml").touch()
    run = site.build()
    assert run.code == 1
    assert "Traceback" not in run.err
    assert run.lines[0] == ("people:1: error: people/ holds more than 50,000 files; that many "
                            "cannot be read in one build")
