"""Where the receiver gets the salts to verify with: the subscription for this URL first, then the rest."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from benji_desktop.signature import KnownSalt


class SaltSource(Protocol):
    def salts_for(self, host: str, path: str) -> list[KnownSalt]:
        """Ordered: salts of the subscription whose endpoint matches the request first, then every other."""
        ...


class StaticSaltSource:
    """A fixed list of salts (the CLI's `--salt`), the same for every request."""

    def __init__(self, salts: Sequence[KnownSalt] = ()) -> None:
        self.salts = list(salts)

    def salts_for(self, host: str, path: str) -> list[KnownSalt]:
        return list(self.salts)

    @classmethod
    def from_values(cls, values: Sequence[str]) -> StaticSaltSource:
        labels = [f"--salt #{n}" for n in range(1, len(values) + 1)]
        return cls([KnownSalt(salt=value, label=label) for value, label in zip(values, labels, strict=True)])
