"""Make docs/report.png (light) and docs/report-dark.png: the report of the sample site
over an invented six weeks of access log, photographed in headless Chromium.

    python scripts/report_screenshot.py

The log is made up (seeded, so the pictures are the same each time): stories are read
more in the days after they are shared, mostly through LinkedIn, some through the others.
"""

from __future__ import annotations

import datetime as dt
import os
import random
import subprocess
import sys
import tempfile
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
TODAY = "2026-11-23"
CHROMIUM = os.environ.get("FIRSTHAND_CHROMIUM", "/usr/bin/chromium")
SLUGS = ["night-shift", "apprentice-year-two", "coming-back-after-parental-leave",
         "midsummer-on-the-dock", "one-team-seven-time-zones", "osaka-first-year"]
PEOPLE = ["ana-lindqvist", "sven-akesson", "wanjiru-kamau", "aiko-tanaka", "zoe-tremblay"]
PLATFORMS = ["linkedin"] * 8 + ["x", "x", "facebook", "bluesky", "mastodon", "threads",
                                "whatsapp", "email"]


def invented_log(days: int = 42) -> str:
    rng = random.Random(18)
    start = dt.date.fromisoformat(TODAY) - dt.timedelta(days=days)
    lines = []
    for n in range(days):
        day = start + dt.timedelta(days=n)
        for index, slug in enumerate(SLUGS):
            wave = max(0, 14 - abs(n - index * 6)) + rng.randint(0, 3)
            for _ in range(wave):
                shared = rng.random() < 0.7
                query = (f"?utm_source={rng.choice(PLATFORMS)}&utm_medium=social"
                         f"&utm_campaign=employee-stories&utm_content={rng.choice(PEOPLE)}"
                         if shared else "")
                stamp = f"{day:%d/%b/%Y}:{rng.randint(6, 22):02d}:{rng.randint(0, 59):02d}:00"
                lines.append(f'203.0.113.{rng.randint(1, 254)} - - [{stamp} +0100] '
                             f'"GET /stories/stories/{slug}/{query} HTTP/1.1" 200 5120 "-" '
                             f'"Mozilla/5.0"')
                if rng.random() < 0.08:
                    lines.append(f'203.0.113.9 - - [{stamp} +0100] "GET /jobs/ HTTP/1.1" 200 '
                                 f'900 "https://careers.lumenfold.example/stories/stories/'
                                 f'{slug}/" "Mozilla/5.0"')
    lines.append('not a log line <script>alert("and it shows as text")</script>')
    return "\n".join(lines) + "\n"


def main() -> int:
    docs = ROOT / "docs"
    docs.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        log = Path(work) / "access.log"
        log.write_text(invented_log(), encoding="utf-8")
        out = Path(work) / "report"
        env = dict(os.environ, FIRSTHAND_TODAY=TODAY, PYTHONPATH=str(ROOT))
        done = subprocess.run([sys.executable, str(ROOT / "build.py"), "report", str(log),
                               "--out", str(out), "--source", str(ROOT)], env=env,
                              capture_output=True, text=True)
        if done.returncode != 0:
            print(done.stderr, file=sys.stderr)
            return 1
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM,
                                                 args=["--headless", "--no-sandbox"])
            for scheme, name in (("light", "report.png"), ("dark", "report-dark.png")):
                page = browser.new_page(viewport={"width": 1000, "height": 1400},
                                        color_scheme=scheme, java_script_enabled=False)
                page.goto((out / "index.html").as_uri())
                page.screenshot(path=str(docs / name))
                page.close()
            browser.close()
    print(f"Wrote {docs / 'report.png'} and {docs / 'report-dark.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
