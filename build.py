"""Build the Firsthand site: `python build.py [command] ...` (see `--help`)."""

import os
import sys

from firsthand.commands.quick import unchanged_build

if __name__ == "__main__":
    # A build that finds nothing changed answers without importing the engine
    code, inputs = unchanged_build(sys.argv[1:])
    if code is None:
        from firsthand.commands.cli import main
        code = main(inputs=inputs)      # the build takes the inputs' fingerprint just taken
    # Nothing is left to do but to free the build's objects one by one, which took 0.6 s
    # at ten thousand stories: every file is closed, and every helper process has ended.
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
