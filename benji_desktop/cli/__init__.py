"""The headless command line: the same engine as the window (verify, send, listen, sandbox, export, import)."""
