"""The architecture rule: only `benji_desktop.views` may import Qt; lower layers never import upper ones."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "benji_desktop"
QT_MODULES = ("PySide6", "qasync", "shiboken6")

# A layer may import only itself and the layers listed for it.
SERVICES = {"domain", "signature", "storage", "secretstore", "interchange", "client", "receiver", "sandbox"}
ALLOWED: dict[str, set[str]] = {
    "domain": set(),
    "signature": {"domain"},
    "storage": {"domain", "signature"},
    "secretstore": {"domain", "storage"},
    "interchange": {"domain", "signature", "storage"},
    "client": {"domain", "signature"},
    "receiver": {"domain", "signature", "storage", "interchange"},
    "sandbox": {"domain", "signature", "storage", "secretstore"},
    "app": SERVICES,
    "views": SERVICES | {"app"},
    # The CLI is the top: with no sub-command it opens the window (imported lazily, so Qt loads only then).
    "cli": SERVICES | {"app", "views"},
}


def imported_modules(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


def layer_files() -> list[tuple[str, Path]]:
    return [
        (path.relative_to(PACKAGE).parts[0], path)
        for path in sorted(PACKAGE.rglob("*.py"))
        if len(path.relative_to(PACKAGE).parts) > 1
    ]


@pytest.mark.parametrize(("layer", "path"), layer_files(), ids=lambda v: str(v))
def test_layer_imports_only_what_it_may(layer: str, path: Path) -> None:
    assert layer in ALLOWED, f"{layer} is not a known layer; add it to the layering rule"
    for module in imported_modules(path):
        top = module.split(".")[0]
        if layer != "views":
            assert top not in QT_MODULES, f"{path.relative_to(PACKAGE)} imports {module}: Qt belongs in views/"
        if top == "benji_desktop" and "." in module:
            target = module.split(".")[1]
            if target in {"__init__", "__version__"} or target == layer:
                continue
            assert target in ALLOWED[layer] or target in {"APP_NAME"}, (
                f"{path.relative_to(PACKAGE)} ({layer}) imports {module} ({target})"
            )


def test_the_rule_catches_a_qt_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("from PySide6.QtCore import QObject\nimport qasync\n", encoding="utf-8")
    assert imported_modules(bad) == ["PySide6.QtCore", "qasync"]
