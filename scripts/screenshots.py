#!/usr/bin/env python3
"""Remake the README's screenshots from the sample site, in headless Chromium.

    python scripts/screenshots.py [--out docs/screenshots] [--width 1280 --width 390]
                                  [--page PATH ...] [--site DIR]

Builds the sample into a temporary folder (with the date pinned, so that the same stories
are published every time), serves it on 127.0.0.1 and photographs the home page, a story
and its share kit at each width; copies that story's two picture cards beside them.
--page adds or replaces pages ("people/", "teams/", ...), for looking at the theme.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("FIRSTHAND_CHROMIUM", "/usr/bin/chromium")
TODAY = "2026-11-23"
STORY = "stories/night-shift/"
PAGES = {"home": "", "story": STORY, "share-kit": STORY + "share/"}
CARDS = {"og": STORY + "og.png", "instagram": STORY + "instagram.png"}


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def build(out: Path) -> None:
    """The sample site, as `python build.py` makes it."""
    env = dict(os.environ, FIRSTHAND_TODAY=TODAY, PYTHONPATH=str(ROOT))
    subprocess.run([sys.executable, str(ROOT / "build.py"), "build", "--source", str(ROOT),
                    "--out", str(out), "--quiet"], check=True, env=env)


def serve(folder: Path) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = functools.partial(Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def photograph(base: str, pages: dict[str, str], widths: list[int], out: Path,
               full_page: bool) -> list[Path]:
    """One PNG per page and width: NAME-WIDTH.png."""
    made = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                             args=["--headless", "--no-sandbox"])
        for width in widths:
            context = browser.new_context(viewport={"width": width, "height": 900},
                                          device_scale_factor=1)
            page = context.new_page()
            for name, path in pages.items():
                page.goto(base + path)
                page.wait_for_load_state("networkidle")
                file = out / f"{name}-{width}.png"
                page.screenshot(path=str(file), full_page=full_page)
                made.append(file)
            context.close()
        browser.close()
    return made


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--width", type=int, action="append", dest="widths")
    parser.add_argument("--page", action="append", default=[],
                        help="a URL path to photograph too, e.g. people/")
    parser.add_argument("--only", action="store_true", help="photograph only the --page ones")
    parser.add_argument("--full", action="store_true", help="whole pages, not the first screen")
    parser.add_argument("--site", type=Path, help="an already built sample site")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    pages = {} if args.only else dict(PAGES)
    pages.update({(p.strip("/").replace("/", "-") or "home"): p for p in args.page})
    with tempfile.TemporaryDirectory() as temp:
        site = args.site or Path(temp) / "site"
        if not args.site:
            build(site)
        server, base = serve(site)
        try:
            made = photograph(base, pages, args.widths or [1280, 390], args.out, args.full)
        finally:
            server.shutdown()
        if not args.only:
            for name, path in CARDS.items():
                shutil.copyfile(site / path, args.out / f"card-{name}.png")
                made.append(args.out / f"card-{name}.png")
    for file in made:
        print(file.relative_to(ROOT) if file.is_relative_to(ROOT) else file)


if __name__ == "__main__":
    main()
