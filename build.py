"""Build the Firsthand site: `python build.py [command] ...` (see `--help`)."""

import sys

from firsthand.commands.quick import unchanged_build

if __name__ == "__main__":
    # A build that finds nothing changed answers without importing the engine
    code, inputs = unchanged_build(sys.argv[1:])
    if code is None:
        from firsthand.commands.cli import main
        code = main(inputs=inputs)      # the build takes the inputs' fingerprint just taken
    sys.exit(code)
