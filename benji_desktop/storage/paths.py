"""Where Benji Desktop keeps its data: platformdirs by default, overridable by flag or environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

DATA_DIR_ENV = "BENJI_DESKTOP_DATA_DIR"
APP_DIR_NAME = "benji-desktop"


def resolve_data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """`--data-dir` wins, then $BENJI_DESKTOP_DATA_DIR, then the platform's user data directory."""
    if explicit:
        path = Path(explicit)
    elif os.environ.get(DATA_DIR_ENV):
        path = Path(os.environ[DATA_DIR_ENV])
    else:
        path = Path(platformdirs.user_data_dir(APP_DIR_NAME, appauthor=False))
    path = path.expanduser().resolve()
    path.mkdir(parents=True, exist_ok=True)
    return path


@dataclass(frozen=True)
class DataLayout:
    """Every file the app writes, named in one place (the About dialog and README list these)."""

    root: Path

    @property
    def captures_db(self) -> Path:
        return self.root / "captures.sqlite3"

    @property
    def sandbox_dir(self) -> Path:
        return self.root / "sandbox"

    @property
    def sandbox_db(self) -> Path:
        return self.sandbox_dir / "sandbox.sqlite3"

    @property
    def settings_file(self) -> Path:
        return self.root / "settings.json"

    @property
    def secrets_fallback_file(self) -> Path:
        return self.root / "secrets.fernet"

    @property
    def tls_dir(self) -> Path:
        return self.root / "tls"

    @property
    def log_dir(self) -> Path:
        return self.root / "logs"

    @classmethod
    def at(cls, explicit: str | os.PathLike[str] | None = None) -> DataLayout:
        return cls(resolve_data_dir(explicit))
