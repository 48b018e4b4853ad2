"""Build the Firsthand site: `python build.py [command] ...` (see `--help`)."""

import sys

from firsthand.commands.cli import main

if __name__ == "__main__":
    sys.exit(main())
