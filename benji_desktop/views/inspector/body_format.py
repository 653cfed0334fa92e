"""How a body is shown: pretty JSON, raw text, a hex dump; and a small JSON syntax highlighter."""

from __future__ import annotations

import json
import re

from PySide6.QtGui import QColor, QFont, QSyntaxHighlighter, QTextCharFormat, QTextDocument

# A hex dump of a huge body would freeze the text widget; the Raw and export paths keep every byte.
MAX_SHOWN_BYTES = 256 * 1024


def pretty_text(body: bytes) -> str:
    """Indented JSON when the body is JSON, else the text as decoded (invalid bytes shown as �)."""
    text = body[:MAX_SHOWN_BYTES].decode("utf-8", errors="replace")
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except (ValueError, RecursionError):
        return text + truncation_note(body)


def raw_text(body: bytes) -> str:
    return body[:MAX_SHOWN_BYTES].decode("utf-8", errors="replace") + truncation_note(body)


def hex_dump(body: bytes, width: int = 16) -> str:
    """`offset  hex bytes  |ascii|`, like `hexdump -C`."""
    lines = []
    shown = body[:MAX_SHOWN_BYTES]
    for offset in range(0, len(shown), width):
        chunk = shown[offset : offset + width]
        hex_part = " ".join(f"{byte:02x}" for byte in chunk)
        ascii_part = "".join(chr(byte) if 32 <= byte < 127 else "." for byte in chunk)
        lines.append(f"{offset:08x}  {hex_part:<{width * 3 - 1}}  |{ascii_part}|")
    return "\n".join(lines) + truncation_note(body)


def truncation_note(body: bytes) -> str:
    if len(body) <= MAX_SHOWN_BYTES:
        return ""
    return f"\n… {len(body) - MAX_SHOWN_BYTES:,} more bytes not shown (export or copy as cURL keeps them all)"


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KiB"
    return f"{size / (1024 * 1024):.1f} MiB"


class JsonHighlighter(QSyntaxHighlighter):
    """Keys, strings, numbers and literals in different colours; enough to read a webhook at a glance."""

    _STRING = re.compile(r'"(?:[^"\\]|\\.)*"')
    _KEY = re.compile(r"\s*:")
    _NUMBER = re.compile(r"-?\b\d+(?:\.\d+)?(?:[eE][+-]?\d+)?\b")
    _LITERAL = re.compile(r"\b(?:true|false|null)\b")

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self._key = self._format("#1565c0", bold=True)
        self._string = self._format("#2e7d32")
        self._number = self._format("#ad1457")
        self._literal = self._format("#6a1b9a", bold=True)
        self.enabled = True

    @staticmethod
    def _format(colour: str, *, bold: bool = False) -> QTextCharFormat:
        text_format = QTextCharFormat()
        text_format.setForeground(QColor(colour))
        if bold:
            text_format.setFontWeight(QFont.Weight.Bold)
        return text_format

    def highlightBlock(self, text: str) -> None:
        if not self.enabled:
            return
        string_spans = []
        for match in self._STRING.finditer(text):
            is_key = bool(self._KEY.match(text, match.end()))
            self.setFormat(match.start(), match.end() - match.start(), self._key if is_key else self._string)
            string_spans.append(match.span())

        def inside_string(position: int) -> bool:
            return any(start <= position < end for start, end in string_spans)

        for pattern, text_format in ((self._NUMBER, self._number), (self._LITERAL, self._literal)):
            for match in pattern.finditer(text):
                if not inside_string(match.start()):
                    self.setFormat(match.start(), match.end() - match.start(), text_format)
