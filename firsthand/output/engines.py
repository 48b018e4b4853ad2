"""What decides each kind of stored result besides its input: part of every store key, so
that a new version of the engine or of a library never finds an old result.

Importing this module imports every library the outputs depend on, to ask its version;
the check that a whole build changed nothing (fingerprint.py) does without.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import jinja2
import markdown
import nh3
import PIL
import regex
import yaml

from firsthand import __version__
from firsthand.social import cards, platforms, sharekit, snippets
from firsthand.content import enrich, frontmatter, images, load, markup, model, remembered
from firsthand.output import digest
from firsthand.pages import render, responsive


def _code(*modules) -> str:
    """The engine's version and the source of the modules that shape an output."""
    digest = hashlib.sha256(__version__.encode())
    for module in modules:
        digest.update(Path(module.__file__).read_bytes())
    return digest.hexdigest()


MARKDOWN_ENGINE = "|".join([_code(markup, enrich), markdown.__version__,
                            getattr(nh3, "__version__", "")])
IMAGE_ENGINE = "|".join([_code(images), PIL.__version__])
CARD_ENGINE = "|".join([_code(cards), PIL.__version__, cards.fonts_in_use()])
SNIPPET_ENGINE = "|".join([_code(snippets, platforms), regex.__version__])
PAGE_ENGINE = "|".join([_code(render, responsive, markup, sharekit, platforms, digest),
                        jinja2.__version__])
# a kept story's digest (remembered.py) is part of the pages' keys: digest.py decides it
LOAD_ENGINE = "|".join([_code(load, frontmatter, model, remembered, digest), yaml.__version__])
ENGINES = [LOAD_ENGINE, MARKDOWN_ENGINE, IMAGE_ENGINE, CARD_ENGINE, SNIPPET_ENGINE, PAGE_ENGINE,
           yaml.__version__]


