#!/usr/bin/env python3
"""Photograph the share kit of the sample site for the README, on a phone and on a desk.

    python scripts/make_kit_screenshot.py [--story night-shift] [--out docs/share-kit.png]

Builds the sample site into a temporary folder, serves it on 127.0.0.1, opens the kit in
Debian's headless Chromium (Playwright) as a colleague would (a sharer chosen, the
LinkedIn panel), and writes one PNG: the phone view (390 x 844) beside the desk view.
"""
from __future__ import annotations

import argparse
import functools
import http.server
import io
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("FIRSTHAND_CHROMIUM", "/usr/bin/chromium")


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass


def build(out: Path) -> None:
    """The sample site, as the README's quick start builds it."""
    env = dict(os.environ, FIRSTHAND_TODAY=os.environ.get("FIRSTHAND_TODAY", "2026-12-01"))
    subprocess.run([sys.executable, str(ROOT / "build.py"), "build", "--source", str(ROOT),
                    "--out", str(out), "--quiet"], check=True, env=env)


def shoot(origin: str, story: str, sharer: str) -> tuple[bytes, bytes]:
    """The phone and the desk screenshots of one story's kit."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                             args=["--headless", "--no-sandbox"])
        shots = []
        for size, scale in (({"width": 390, "height": 844}, 2), ({"width": 1100, "height": 844}, 1)):
            page = browser.new_page(viewport=size, device_scale_factor=scale)
            page.add_init_script(f"localStorage.setItem('firsthand.sharer', '{sharer}')")
            page.goto(f"{origin}/stories/{story}/share/#share-linkedin")
            page.wait_for_function(
                "document.querySelector('#kit-sharer').value === " + repr(sharer))
            page.evaluate("document.querySelector('.share-kit h1').scrollIntoView()")
            shots.append(page.screenshot())
            page.close()
        browser.close()
    return shots[0], shots[1]


def combine(phone: bytes, desk: bytes) -> Image.Image:
    """Side by side, the phone scaled to the desk's height."""
    left, right = Image.open(io.BytesIO(phone)), Image.open(io.BytesIO(desk))
    left = left.resize((round(left.width * right.height / left.height), right.height))
    sheet = Image.new("RGB", (left.width + right.width + 24, right.height), (236, 236, 236))
    sheet.paste(left, (0, 0))
    sheet.paste(right, (left.width + 24, 0))
    return sheet


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--story", default="night-shift")
    parser.add_argument("--as", dest="sharer", default="zoe-tremblay")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "share-kit.png")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        site = Path(folder) / "site"
        build(site)
        handler = functools.partial(Quiet, directory=str(site))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            phone, desk = shoot(f"http://127.0.0.1:{server.server_address[1]}", args.story,
                                args.sharer)
        finally:
            server.shutdown()
            server.server_close()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    combine(phone, desk).save(args.out, optimize=True)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
