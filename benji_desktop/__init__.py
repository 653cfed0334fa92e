"""Benji Desktop: developer settings, a local webhook receiver and an embedded Sandbox for the Benji Platform."""

__version__ = "0.1.0"
APP_NAME = "Benji Desktop"
ORG_NAME = "Benji Desktop"
ORG_DOMAIN = "benji-desktop.local"
APP_ID = "io.github.benji_desktop.BenjiDesktop"
