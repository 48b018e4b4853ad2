"""Every internal link and asset in the output resolves to a file in site/, at any base_url."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from quality_pages import html_files, parse_page

SAMPLE_BASE = "https://careers.lumenfold.example/"
SUB_BASE = "https://example.com/sub/path/"
LINK_ATTRS = {"a": ["href"], "link": ["href"], "img": ["src", "srcset"], "script": ["src"],
              "source": ["src", "srcset"], "iframe": ["src"], "form": ["action"],
              "video": ["src", "poster"], "audio": ["src"], "use": ["href"]}
ASSET_TAGS = {"img", "script", "source", "iframe", "video", "audio", "use"}
URL_METAS = {"og:url", "og:image", "twitter:image"}
ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def resolve(site: Path, base: str, url: str, written_absolute: bool = True) -> Path | None:
    """The file a URL names inside the site, or None when it points elsewhere.

    An absolute URL outside base_url's path is another part of the company's site (the
    jobs page); a relative link that climbs out of it is broken wherever the site is hosted.
    """
    parts = urlsplit(url)
    root = urlsplit(base)
    if parts.scheme not in ("http", "https") or parts.netloc != root.netloc:
        return None
    path = unquote(parts.path)
    if not path.startswith(root.path):
        return None if written_absolute else site / "OUTSIDE-THE-SITE" / path.lstrip("/")
    relative = path[len(root.path):]
    return site / (relative + "index.html" if relative == "" or relative.endswith("/")
                   else relative)


def references(site: Path, base: str):
    """(page, attribute value, absolute URL, is_asset) for every reference in every page."""
    for file in html_files(site):
        page = parse_page(site, file)
        page_url = base + page.path
        for tag in page.tags:
            for attr in LINK_ATTRS.get(tag.name, []):
                value = tag.attrs.get(attr)
                if not value:
                    continue
                values = [c.strip().split()[0] for c in value.split(",") if c.strip()] \
                    if attr == "srcset" else [value]
                asset = tag.name in ASSET_TAGS or (
                    tag.name == "link" and tag.attrs.get("rel") in ("stylesheet", "icon",
                                                                   "preload", "modulepreload"))
                for one in values:
                    yield page, one, urljoin(page_url, one), asset
        for tag in page.all("meta"):
            if tag.attrs.get("property") in URL_METAS or tag.attrs.get("name") in URL_METAS:
                value = tag.attrs.get("content", "")
                yield page, value, value, tag.attrs.get("property", "").endswith("image")


@pytest.fixture(params=["sample", "sub-path"])
def built(request):
    if request.param == "sample":
        return request.getfixturevalue("sample_site"), SAMPLE_BASE
    return request.getfixturevalue("sample_site_subpath"), SUB_BASE


def test_every_internal_link_and_asset_resolves_to_a_file(built):
    site, base = built
    broken = []
    checked = 0
    for page, value, url, _ in references(site, base):
        if urlsplit(value).scheme in ("mailto", "tel"):
            continue
        target = resolve(site, base, url.split("#")[0], bool(urlsplit(value).scheme))
        if target is None:
            continue
        checked += 1
        if not target.is_file():
            broken.append(f"{page.path or 'index'}: {value} -> {target.relative_to(site)}")
    assert checked > 500, "the crawl found too few links: is the parser reading the pages?"
    assert not broken, "links that lead nowhere:\n" + "\n".join(sorted(set(broken))[:40])


def test_links_to_a_place_on_the_same_page_find_it(sample_site):
    missing = []
    for file in html_files(sample_site):
        page = parse_page(sample_site, file)
        ids = {tag.attrs["id"] for tag in page.tags if "id" in tag.attrs}
        for tag in page.all("a"):
            href = tag.attrs.get("href", "")
            if href.startswith("#") and href[1:] not in ids:
                missing.append(f"{page.path or 'index'}: {href}")
    assert not missing, missing


def test_no_page_loads_anything_over_plain_http(built):
    site, base = built
    mixed = [f"{page.path or 'index'}: {value}" for page, value, url, asset in references(site, base)
             if asset and urlsplit(url).scheme == "http"]
    assert not mixed, mixed
    assert not [p for p, v, u, a in references(site, base) if v.lower().startswith("javascript:")]


def test_feed_and_sitemap_name_pages_that_exist(built):
    site, base = built
    urls = [e.text for e in ET.parse(site / "sitemap.xml").getroot().iter(SITEMAP + "loc")]
    feed = ET.parse(site / "feed.xml").getroot()
    urls += [e.get("href") for e in feed.iter(ATOM + "link")]
    urls += [e.text for e in feed.iter(ATOM + "uri")]
    assert len(urls) > 20
    missing = [url for url in urls if not (resolve(site, base, url) or Path("/nowhere")).is_file()]
    assert not missing, missing


def test_the_crawl_notices_a_broken_link(make_site):
    """The crawler itself: a page that links to a missing file is reported.

    The build refuses broken links in stories (issue 4's check), so the broken page is
    planted in the output after a good build.
    """
    site = make_site()
    assert site.build().code == 0
    (site.out / "stories/planted").mkdir()
    (site.out / "stories/planted/index.html").write_text(
        '<!doctype html><a href="../no-such-story/">x</a><img src="missing.jpg" alt="">')
    base = "https://careers.testco.example/stories/"
    broken = [value for page, value, url, _ in references(site.out, base)
              if (target := resolve(site.out, base, url.split("#")[0])) and not target.is_file()]
    assert "../no-such-story/" in broken and "missing.jpg" in broken
