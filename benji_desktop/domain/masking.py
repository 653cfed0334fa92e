"""One way to mask a secret for display, used by every layer (UI, CLI, exports, logs)."""

from __future__ import annotations

MASK = "•"


def mask_secret(value: str | None, *, keep_prefix: int = 4, keep_suffix: int = 4) -> str:
    """`bk_live_abcdef123456` -> `bk_l…3456`. Short values are masked entirely."""
    if not value:
        return ""
    if len(value) <= keep_prefix + keep_suffix + 4:
        return MASK * 8
    return f"{value[:keep_prefix]}…{value[-keep_suffix:]}"


def redact(text: str, secrets: list[str] | tuple[str, ...]) -> str:
    """Replace every occurrence of any known secret in `text` by its masked form."""
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, mask_secret(secret))
    return text
