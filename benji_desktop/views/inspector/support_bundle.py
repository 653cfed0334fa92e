"""The Inspector's Export → Support bundle…: the selected captures (or every one shown) with their reports, the app
version and a masked settings snapshot in one zip, written on a worker thread."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benji_desktop import __version__
from benji_desktop.receiver.bundle import write_store_bundle
from benji_desktop.storage.captures import CaptureFilter, CaptureStore
from benji_desktop.storage.settings import Settings, settings_to_json
from benji_desktop.views import prompts

if TYPE_CHECKING:
    from benji_desktop.views.inspector.inspector_tab import InspectorTab

BUNDLE_FILE_FILTER = "Support bundle (*.zip)"
DEFAULT_BUNDLE_NAME = "benji-support-bundle.zip"
PAGE = 500


def shown_capture_ids(store: CaptureStore, flt: CaptureFilter) -> list[int]:
    """Every capture the filter shows, newest first, read in pages (never the whole table at once)."""
    ids: list[int] = []
    offset = 0
    while True:
        page = store.page(flt, offset, PAGE)
        ids.extend(summary.id for summary in page)
        if len(page) < PAGE:
            return ids
        offset += PAGE


def write_from_store(
    store: CaptureStore,
    path: Path,
    capture_ids: Sequence[int] | None,
    flt: CaptureFilter,
    settings_snapshot: dict[str, Any],
    secrets: Sequence[str],
) -> int:
    """Blocking: run it off the loop."""
    ids = list(capture_ids) if capture_ids is not None else shown_capture_ids(store, flt)
    return write_store_bundle(store, ids, settings_snapshot, __version__, path, secrets=secrets)


def _snapshot_and_secrets(tab: InspectorTab) -> tuple[dict[str, Any], list[str]]:
    settings = tab._settings_store.settings if tab._settings_store is not None else Settings()
    services = tab._services
    secrets = services.salt_source.all_secrets() if services is not None else []
    return settings_to_json(settings), secrets


async def export_support_bundle(tab: InspectorTab, path: Path, capture_ids: list[int] | None = None) -> Path | None:
    """Write the bundle off the event loop; the status line says how many captures went in and where."""
    loop = asyncio.get_running_loop()
    snapshot, secrets = _snapshot_and_secrets(tab)
    flt = tab.model.capture_filter
    outcome = await tab._runner.run(
        loop.run_in_executor(None, write_from_store, tab._store, path, capture_ids, flt, snapshot, secrets),
        what="write the support bundle",
        controls=[tab.ui.export_button],
        parent=tab,
    )
    if not outcome.ok:
        tab.ui.error_label.setText(outcome.message)
        return None
    count = int(outcome.value or 0)
    tab.ui.error_label.setText(
        f"Wrote a support bundle with {count:,} capture{'s' if count != 1 else ''} to {path} "
        "(keys, salts and credentials masked)."
    )
    return path


async def support_bundle_dialog(tab: InspectorTab) -> Path | None:
    """The selected captures, or every capture shown when none is selected."""
    ids = tab.selected_capture_ids() or None
    name = await prompts.choose_save_file(tab, "Save support bundle", BUNDLE_FILE_FILTER, DEFAULT_BUNDLE_NAME)
    if not name:
        return None
    path = Path(name)
    if path.suffix.lower() != ".zip":
        path = path.with_name(path.name + ".zip")
    return await export_support_bundle(tab, path, ids)
