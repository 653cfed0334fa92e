"""Where Benji Desktop keeps its data: platformdirs by default, overridable by flag or environment."""

from __future__ import annotations

import contextlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import platformdirs

DATA_DIR_ENV = "BENJI_DESKTOP_DATA_DIR"
APP_DIR_NAME = "benji-desktop"
PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


class DataDirError(OSError):
    """The data directory cannot be used (a file is in the way, no write permission); the message says which."""


def ensure_private_dir(path: Path) -> Path:
    """Create `path` (and missing parents) readable only by this user; an existing directory is left as it is."""
    if not path.is_dir():
        path.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
        # mkdir's mode is filtered by the umask; chmod states it exactly.
        path.chmod(PRIVATE_DIR_MODE)
    return path


def ensure_private_file(path: Path) -> Path:
    """Create an empty file readable only by this user if it is missing, so SQLite and loggers never make it 0644."""
    ensure_private_dir(path.parent)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, PRIVATE_FILE_MODE)
    os.close(descriptor)
    return path


def resolve_data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """`--data-dir` wins, then $BENJI_DESKTOP_DATA_DIR, then the platform's user data directory."""
    if explicit:
        path = Path(explicit)
    elif os.environ.get(DATA_DIR_ENV):
        path = Path(os.environ[DATA_DIR_ENV])
    else:
        path = Path(platformdirs.user_data_dir(APP_DIR_NAME, appauthor=False))
    path = path.expanduser().resolve()
    try:
        ensure_private_dir(path)
    except FileExistsError:
        raise DataDirError(f"cannot use {path} as the data directory: it is a file") from None
    except OSError as error:
        raise DataDirError(f"cannot create the data directory {path}: {error.strerror or error}") from None
    if not path.is_dir():
        raise DataDirError(f"cannot use {path} as the data directory: it is not a directory")
    if not os.access(path, os.W_OK | os.X_OK):
        raise DataDirError(f"cannot use {path} as the data directory: it is not writable")
    if not explicit and not os.environ.get(DATA_DIR_ENV):
        # Our own folder (perhaps made 0755 by an older version): tighten it. A folder the user names is theirs.
        path.chmod(PRIVATE_DIR_MODE)
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


def write_atomically(path: Path, data: bytes, mode: int = PRIVATE_FILE_MODE) -> None:
    """Temp file in the same directory, private from its first byte, fsync, then os.replace: a reader sees the
    old file or the new one, never half of either."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            os.fchmod(stream.fileno(), mode)
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp_name)
        raise
