"""Render the one icon source (resources/icons/benji-desktop.svg) into every file packaging needs.

Writes a freedesktop `hicolor` tree named after the application id (PNG 16…512 and the scalable SVG), a
Windows `.ico` and a macOS `.icns`. Run by `make icons`; `--check` exits 1 when a file is missing or stale
(tests/integration/test_packaging_icons.py runs it). Rendering is Qt's own SVG renderer, offscreen.
"""

from __future__ import annotations

import argparse
import os
import struct
import sys
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benji_desktop import APP_ID  # noqa: E402

SOURCE = ROOT / "resources" / "icons" / "benji-desktop.svg"
ICONS_DIR = ROOT / "resources" / "icons"
HICOLOR_DIR = ICONS_DIR / "hicolor"
PNG_SIZES = (16, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 32, 48, 64, 128, 256)
ICO_FILE = ICONS_DIR / "benji-desktop.ico"
ICNS_FILE = ICONS_DIR / "benji-desktop.icns"
# ICNS element types that hold a PNG of the given pixel size (Apple's iconset names in comments).
ICNS_TYPES = (
    (b"icp4", 16),  # icon_16x16
    (b"icp5", 32),  # icon_32x32 / icon_16x16@2x
    (b"icp6", 64),  # icon_32x32@2x
    (b"ic07", 128),  # icon_128x128
    (b"ic08", 256),  # icon_256x256 / icon_128x128@2x
    (b"ic09", 512),  # icon_512x512 / icon_256x256@2x
)


def png_path(size: int) -> Path:
    return HICOLOR_DIR / f"{size}x{size}" / "apps" / f"{APP_ID}.png"


def scalable_path() -> Path:
    return HICOLOR_DIR / "scalable" / "apps" / f"{APP_ID}.svg"


def render_png(size: int) -> bytes:
    """The SVG drawn at `size` pixels square on a transparent background, as PNG bytes."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([])
    renderer = QSvgRenderer(str(SOURCE))
    if not renderer.isValid():
        sys.exit(f"cannot render {SOURCE}")
    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(0)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    renderer.render(painter)
    painter.end()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")  # type: ignore[call-overload]  # the stubs say bytes; PySide wants str
    buffer.close()
    return bytes(data.data())


def build_ico(pngs: dict[int, bytes]) -> bytes:
    """A multi-size ICO with PNG-compressed entries (the format Windows Vista and later read)."""
    header = struct.pack("<HHH", 0, 1, len(ICO_SIZES))
    offset = len(header) + 16 * len(ICO_SIZES)
    entries, blobs = b"", b""
    for size in ICO_SIZES:
        blob = pngs[size]
        dimension = 0 if size >= 256 else size  # 0 means 256 in an ICO directory entry
        entries += struct.pack("<BBBBHHII", dimension, dimension, 0, 0, 1, 32, len(blob), offset)
        offset += len(blob)
        blobs += blob
    return header + entries + blobs


def build_icns(pngs: dict[int, bytes]) -> bytes:
    """An ICNS made of PNG elements, the form `iconutil` writes and macOS 10.7+ reads."""
    body = b"".join(kind + struct.pack(">I", len(pngs[size]) + 8) + pngs[size] for kind, size in ICNS_TYPES)
    return b"icns" + struct.pack(">I", len(body) + 8) + body


def same_pixels(first: bytes, second: bytes) -> bool:
    """PNG encoders differ between Qt versions; what must stay the same is the picture."""
    from PySide6.QtGui import QImage

    return QImage.fromData(first) == QImage.fromData(second)


def expected_outputs() -> dict[Path, bytes]:
    pngs = {}
    for size in PNG_SIZES:
        rendered, existing = render_png(size), png_path(size)
        # Keep a committed PNG whose pixels still match, so the .ico/.icns built from it stay byte-stable.
        on_disk = existing.read_bytes() if existing.exists() else b""
        pngs[size] = on_disk if on_disk and same_pixels(on_disk, rendered) else rendered
    outputs: dict[Path, bytes] = {png_path(size): pngs[size] for size in PNG_SIZES}
    outputs[scalable_path()] = SOURCE.read_bytes()
    outputs[ICO_FILE] = build_ico(pngs)
    outputs[ICNS_FILE] = build_icns(pngs)
    return outputs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="report stale icons instead of writing them")
    args = parser.parse_args()
    outputs = expected_outputs()
    stale = [path for path, data in outputs.items() if not path.exists() or path.read_bytes() != data]
    if args.check:
        for path in stale:
            print(f"out of date: {path.relative_to(ROOT)} (run `make icons`)")
        return 1 if stale else 0
    for path in stale:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(outputs[path])
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
