"""The report page (`python build.py report`) passes the Nu Html Checker and axe, light
and dark, on a phone and a desktop; its charts are there without JavaScript."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from test_quality_browser import DESKTOP, PHONE, axe_violations
from test_quality_html import validate

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from sites import site_folder  # noqa: E402
from test_report import Expected, make_report_site, run_report, write_inputs  # noqa: E402


@pytest.fixture(scope="module")
def report_page(tmp_path_factory) -> Path:
    """The report of test_report's inputs, made once for the checks below (they only read it)."""
    root = tmp_path_factory.mktemp("report") / "src"
    site = make_report_site(lambda **given: site_folder(root, **given), people_opt_in=True)
    write_inputs(site, Expected())
    run = run_report(site)
    assert run.code == 0, run.err
    return site.root / "report" / "index.html"


@pytest.mark.slow
def test_the_report_page_is_valid_html(nu_checker, report_page):
    errors = validate(nu_checker, [report_page])
    assert not errors, "\n".join(f"{e.get('lastLine')}: {e['message']}" for e in errors)


@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_the_report_page_has_no_axe_violations(browser, axe_source, report_page, scheme,
                                               viewport):
    context = browser.new_context(viewport=viewport, color_scheme=scheme,
                                  java_script_enabled=True)
    page = context.new_page()
    try:
        page.goto(report_page.as_uri())
        found = axe_violations(page, axe_source)
    finally:
        context.close()
    assert not found, "\n".join(found)


@pytest.mark.browser
def test_the_charts_are_drawn_without_javascript(browser, report_page):
    context = browser.new_context(java_script_enabled=False, viewport=DESKTOP)
    page = context.new_page()
    try:
        page.goto(report_page.as_uri())
        bars = page.locator("svg.chart rect.bar")
        assert bars.count() > 5
        widths = [bars.nth(n).bounding_box()["width"] for n in range(bars.count())]
        assert max(widths) > 100                 # drawn at a size one can read
        assert page.locator("svg.chart title").count() >= 4
        assert page.locator("table td.number").count() > 10
    finally:
        context.close()
