"""`python build.py ARGS` for the tests, without paying Python's and Firsthand's start each time.

This program imports Firsthand once (about a second: twitter-text compiles its patterns,
numpy loads), then reads requests on stdin, one JSON object a line: {"args", "cwd", "env",
"out", "err"}. For each it forks a child that takes that folder, that environment, /dev/null
as stdin and the two files as stdout and stderr, and runs build.py as `__main__`, as
`python build.py ARGS` would; the child exits as that process would (sys.exit's status, or
1 and a traceback). The parent prints the child's pid, then its exit status, a line each.

sites.SiteFolder.run uses it (one per test process); FIRSTHAND_TEST_SUBPROCESS=1 makes it
start a new `python build.py` for every run instead.
"""

from __future__ import annotations

import json
import os
import runpy
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BUILD = str(ROOT / "build.py")
sys.path[0] = str(ROOT)                # as `python build.py` has it: the script's folder

import firsthand.commands.cli  # noqa: E402,F401  (the slow part, done once here)


def serve() -> None:
    for line in sys.stdin:
        request = json.loads(line)
        sys.stdout.flush()
        child = os.fork()
        if child == 0:
            run(request)                       # does not return: the child exits
        print(child, flush=True)
        _, status = os.waitpid(child, 0)
        print(os.waitstatus_to_exitcode(status), flush=True)


def run(request: dict) -> None:
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.close(null)
    sys.stdin = open(os.devnull, encoding="utf-8")
    for descriptor, path in ((1, request["out"]), (2, request["err"])):
        opened = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(opened, descriptor)
        os.close(opened)
    sys.argv = [BUILD, *request["args"]]
    runpy.run_path(BUILD, run_name="__main__")
    sys.exit(0)                          # build.py ran to its end without sys.exit


if __name__ == "__main__":
    serve()
