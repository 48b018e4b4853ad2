"""Untrusted content: nothing a writer types becomes live markup in any output file."""

from __future__ import annotations

import re
from html.parser import HTMLParser

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
            # the only inline blocks are JSON-LD data and the theme's brand colour
            if kind == "style":
                assert re.fullmatch(r":root \{ --brand: #[0-9a-f]{6}; \}", body), (page, body)
                continue
            assert kind in ("application/ld+json", ""), (page, kind)
            assert "alert" not in body or kind == "application/ld+json", (page, body)
            assert "<" not in body, (page, body)
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
