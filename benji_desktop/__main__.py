"""`python -m benji_desktop` behaves like the `benji-desktop` command."""

from benji_desktop.cli.main import main

raise SystemExit(main())
