"""The naive baseline: read, yaml.safe_load, markdown.markdown, one Jinja template, write.

One process, no cache, no lists, no checks: the least a generator can do with the same
stories. `python benchmarks/naive.py SOURCE OUT`
"""

from __future__ import annotations

import sys
from pathlib import Path

import jinja2
import markdown
import yaml

PAGE = jinja2.Template("""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ meta.title }}</title>
<meta name="description" content="{{ meta.summary }}"></head>
<body><article><h1>{{ meta.title }}</h1>
<p>{{ meta.author }} · {{ meta.date }} · {{ meta.tags | join(", ") }}</p>
{{ html }}
</article></body></html>
""", autoescape=True)


def main(source: Path, out: Path) -> None:
    for file in sorted((source / "stories").glob("*.md")):
        text = file.read_text(encoding="utf-8")
        _, front, body = text.split("---\n", 2)
        meta = yaml.safe_load(front)
        html = markdown.markdown(body)
        target = out / "stories" / file.stem / "index.html"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(PAGE.render(meta=meta, html=jinja2.utils.markupsafe.Markup(html)),
                          encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
