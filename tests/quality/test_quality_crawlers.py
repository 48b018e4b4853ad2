"""What search engines and link-preview crawlers read: robots, structured data, h1, lang."""

from __future__ import annotations

import json

from quality_pages import html_files, parse_page

BASE = "https://careers.lumenfold.example/"


def test_robots_txt_points_to_the_sitemap(sample_site):
    lines = (sample_site / "robots.txt").read_text(encoding="utf-8").splitlines()
    assert f"Sitemap: {BASE}sitemap.xml" in lines
    assert (sample_site / "sitemap.xml").is_file()
    assert "Disallow: /" not in lines


def test_every_page_has_one_h1_a_language_a_title_and_a_description(sample_site):
    wrong = []
    for file in html_files(sample_site):
        page = parse_page(sample_site, file)
        name = page.path or "index"
        if page.h1_count != 1:
            wrong.append(f"{name}: {page.h1_count} <h1> elements")
        if not page.all("html")[0].attrs.get("lang"):
            wrong.append(f"{name}: no lang on <html>")
        if not [d for d in page.meta("name", "description") if d.strip()]:
            wrong.append(f"{name}: no meta description")
        if not page.all("title"):
            wrong.append(f"{name}: no <title>")
    assert not wrong, "\n".join(wrong)


def _nodes(data):
    """Every JSON-LD object, @graph members and nested objects included."""
    if isinstance(data, dict):
        yield data
        for value in data.values():
            yield from _nodes(value)
    elif isinstance(data, list):
        for value in data:
            yield from _nodes(value)


def _structured(page):
    blocks = [text for attrs, text in page.scripts if attrs.get("type") == "application/ld+json"]
    return [json.loads(text) for text in blocks]


def test_structured_data_parses_and_names_the_pages_own_url(sample_site):
    kinds = set()
    for file in html_files(sample_site):
        page = parse_page(sample_site, file)
        own = BASE + page.path
        assert [link.attrs["href"] for link in page.all("link")
                if link.attrs.get("rel") == "canonical"] == [own], page.path
        blocks = _structured(page)
        assert len(blocks) == 1, f"{page.path}: {len(blocks)} JSON-LD blocks"
        nodes = list(_nodes(blocks[0]))
        types = {node.get("@type") for node in nodes}
        kinds |= types
        assert blocks[0].get("@context") == "https://schema.org", page.path
        named = {node.get(key) for node in nodes for key in ("url", "mainEntityOfPage", "item")}
        assert own in named, f"{page.path}: structured data does not name {own}"
        if page.path.startswith("stories/") and page.path.count("/") == 2:
            article = next(n for n in nodes if n.get("@type") == "Article")
            assert article["url"] == own and article["headline"] and article["author"]["name"]
            crumbs = next(n for n in nodes if n.get("@type") == "BreadcrumbList")
            items = crumbs["itemListElement"]
            assert [i["position"] for i in items] == list(range(1, len(items) + 1))
            assert items[-1]["item"] == own and items[0]["item"] == BASE
        if page.path.startswith("people/") and page.path != "people/":
            person = next(n for n in nodes if n.get("@type") == "Person")
            assert person["url"] == own and person["name"]
    assert {"Article", "Person", "BreadcrumbList"} <= kinds


def test_structured_data_survives_quotes_and_script_tags_in_a_title(make_site):
    site = make_site(stories={"2026-02-10-x.md": """\
        ---
        title: "Why I said \\"no\\" </script><script>alert(1)</script>"
        author: ana
        date: 2026-02-10
        ---
        Text.
        """})
    assert site.build().code == 0
    page = parse_page(site.out, site.out / "stories/x/index.html")
    [data] = _structured(page)
    article = next(n for n in _nodes(data) if n.get("@type") == "Article")
    assert article["headline"] == 'Why I said "no" </script><script>alert(1)</script>'
    assert len([s for s in page.scripts if 'src' not in s[0]]) == 1   # the theme's own files aside
