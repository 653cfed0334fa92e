"""The bundle's entry point: the same `benji-desktop` command the wheel installs."""

import sys

from benji_desktop.cli.main import main

if __name__ == "__main__":
    sys.exit(main())
