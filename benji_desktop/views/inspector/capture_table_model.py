"""The Inspector's list: a table model paging captures out of the store on demand, live ones inserted in batches."""

from __future__ import annotations

import asyncio
import time
from collections import OrderedDict
from dataclasses import replace
from datetime import datetime

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QColor

from benji_desktop.domain.entities import entity_label
from benji_desktop.storage.captures import (
    CaptureFilter,
    CaptureStore,
    CaptureSummary,
    ListingInterrupted,
    search_text,
)

COLUMN_TIME, COLUMN_METHOD, COLUMN_PATH, COLUMN_EVENT, COLUMN_ENTITY, COLUMN_VERDICT, COLUMN_STATUS, COLUMN_FLAGS = (
    range(8)
)
HEADERS = ("Time", "Method", "Path", "Event", "Entity", "Verdict", "Response", "Flags")

SUMMARY_ROLE = Qt.ItemDataRole.UserRole + 1
CAPTURE_ID_ROLE = Qt.ItemDataRole.UserRole + 2

# Plain ints: a view asks `data()` for ~6 roles of every visible cell on every repaint, so the role test is a
# set lookup and most roles are answered None before any row is looked up.
_DISPLAY_ROLE = int(Qt.ItemDataRole.DisplayRole)
_TOOLTIP_ROLE = int(Qt.ItemDataRole.ToolTipRole)
_FOREGROUND_ROLE = int(Qt.ItemDataRole.ForegroundRole)
_ALIGNMENT_ROLE = int(Qt.ItemDataRole.TextAlignmentRole)
_ANSWERED_ROLES = frozenset(
    {_DISPLAY_ROLE, int(SUMMARY_ROLE), int(CAPTURE_ID_ROLE), _TOOLTIP_ROLE, _FOREGROUND_ROLE, _ALIGNMENT_ROLE}
)
_CENTRED = int(Qt.AlignmentFlag.AlignCenter)
_ERROR_STATUS_COLOUR = QColor("#c62828")

VERDICT_COLOURS = {
    "VALID": "#2e7d32",
    "INVALID": "#c62828",
    "STALE": "#ef6c00",
    "UNSIGNED": "#616161",
    "MALFORMED": "#6a1b9a",
    "NO_SALT": "#1565c0",
}

ModelIndex = QModelIndex | QPersistentModelIndex

# Concurrent requests are committed in about the order they arrived, not exactly; rows that are this close
# still go on top in one insert (the tab re-checks its selection after each batch).
OUT_OF_ORDER_SLACK_SECONDS = 5.0

# Display strings are kept per capture id; past this many (a long scroll) the cache starts again.
MAX_CACHED_TEXTS = 4000


def verdict_colour(verdict: str | None) -> QColor:
    return QColor(VERDICT_COLOURS.get(verdict or "", "#9e9e9e"))


def flags_text(summary: CaptureSummary) -> str:
    flags = []
    if summary.duplicate_of is not None:
        flags.append(f"duplicate of #{summary.duplicate_of}")
    if summary.source == "imported":
        flags.append("imported")
    elif summary.source == "replay":
        flags.append("replay")
    if summary.classification != "ok":
        flags.append(summary.classification.replace("_", " "))
    return ", ".join(flags)


def entity_text(summary: CaptureSummary) -> str:
    if summary.entity_type is None and summary.entity_id is None:
        return ""
    label = entity_label(summary.entity_type) if summary.entity_type is not None else "?"
    return f"{label} {summary.entity_id}" if summary.entity_id is not None else label


class CaptureTableModel(QAbstractTableModel):
    """Rows are `store.page` blocks kept in a small LRU cache; `rowCount` is `store.count(filter)`.

    The store does the filtering in SQL, so no proxy ever sees every row. Live captures arrive through
    `enqueue`: the first after a quiet spell is listed at once, later ones at most every `flush_interval_ms`
    with one `beginInsertRows` per batch, so a burst costs about four repaints a second, and persistent
    indexes (the selection) move down with the inserted rows. Each row's display strings are formatted
    once, not on every repaint.
    """

    rows_inserted_in_batch = Signal(int)  # how many rows one flush added (0 when none matched)

    def __init__(
        self,
        store: CaptureStore,
        *,
        block_size: int = 200,
        max_blocks: int = 6,
        flush_interval_ms: int = 250,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._block_size = block_size
        self._max_blocks = max_blocks
        self._filter = CaptureFilter()
        # The newest id the listing holds: pages and counts stop there, newer captures are live inserts.
        self._snapshot_id = store.max_id()
        self._count = store.count(self._listing_filter())
        self._blocks: OrderedDict[int, list[CaptureSummary]] = OrderedDict()
        self._pending: list[CaptureSummary] = []
        self._generation = 0  # bumped by every filter change, so an older background listing is dropped
        self._flush_interval = flush_interval_ms / 1000
        self._last_flush_at = 0.0  # time.monotonic() of the last flush
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.timeout.connect(self.flush_pending)
        self._texts: dict[int, tuple[str, ...]] = {}  # capture id -> its display string per column
        self._texts_day = datetime.now().date()  # times of today's captures are shown without the date
        self._last_row = -1  # the row `data()` looked up last (a repaint asks for each cell's roles in turn)
        self._last_summary: CaptureSummary | None = None
        self._last_texts: tuple[str, ...] = ()
        self.page_queries = 0  # how many times the store was asked for a page (tests and diagnostics)

    # -- what the view asks -------------------------------------------------------------------------

    def rowCount(self, parent: ModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else self._count

    def columnCount(self, parent: ModelIndex = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if role not in _ANSWERED_ROLES or not index.isValid():
            return None
        row = index.row()
        if row == self._last_row:
            summary, texts = self._last_summary, self._last_texts
        else:
            summary = self.summary_at(row)
            if summary is None:
                return None
            texts = self._texts_of(summary)
            self._last_row, self._last_summary, self._last_texts = row, summary, texts
        if summary is None:
            return None
        column = index.column()
        if role == _DISPLAY_ROLE:
            return texts[column]
        if role == SUMMARY_ROLE:
            return summary
        if role == CAPTURE_ID_ROLE:
            return summary.id
        if role == _TOOLTIP_ROLE:
            if column == COLUMN_TIME:
                return datetime.fromtimestamp(summary.received_at).isoformat(sep=" ", timespec="milliseconds")
            if column in (COLUMN_FLAGS, COLUMN_PATH):
                return texts[column] or None
        if role == _FOREGROUND_ROLE and column == COLUMN_STATUS and summary.response_status:
            return _ERROR_STATUS_COLOUR if summary.response_status >= 400 else None
        if role == _ALIGNMENT_ROLE and column in (COLUMN_STATUS, COLUMN_METHOD):
            return _CENTRED
        return None

    def _texts_of(self, summary: CaptureSummary) -> tuple[str, ...]:
        texts = self._texts.get(summary.id)
        if texts is None:
            if len(self._texts) >= MAX_CACHED_TEXTS:
                self._texts.clear()
            texts = tuple(self._display(summary, column) for column in range(len(HEADERS)))
            self._texts[summary.id] = texts
        return texts

    def _forget_looked_up_rows(self) -> None:
        """Rows moved or changed: the next `data()` looks its row up again (and a new day re-formats times)."""
        self._last_row, self._last_summary, self._last_texts = -1, None, ()
        today = datetime.now().date()
        if today != self._texts_day:
            self._texts.clear()
            self._texts_day = today

    @staticmethod
    def _display(summary: CaptureSummary, column: int) -> str:
        if column == COLUMN_TIME:
            moment = datetime.fromtimestamp(summary.received_at)
            today = moment.date() == datetime.now().date()
            return moment.strftime("%H:%M:%S.%f")[:-3] if today else moment.strftime("%Y-%m-%d %H:%M:%S")
        if column == COLUMN_METHOD:
            return summary.method
        if column == COLUMN_PATH:
            return summary.path
        if column == COLUMN_EVENT:
            return summary.event or ""
        if column == COLUMN_ENTITY:
            return entity_text(summary)
        if column == COLUMN_VERDICT:
            return summary.verdict or "—"
        if column == COLUMN_STATUS:
            return str(summary.response_status) if summary.response_status is not None else ""
        if column == COLUMN_FLAGS:
            return flags_text(summary)
        return ""

    # -- paging -------------------------------------------------------------------------------------

    def summary_at(self, row: int) -> CaptureSummary | None:
        if row < 0 or row >= self._count:
            return None
        block_number, offset = divmod(row, self._block_size)
        block = self._blocks.get(block_number)
        if block is None:
            block = self._store.page(self._listing_filter(), block_number * self._block_size, self._block_size)
            self.page_queries += 1
            self._blocks[block_number] = block
            while len(self._blocks) > self._max_blocks:
                self._blocks.popitem(last=False)
        else:
            self._blocks.move_to_end(block_number)
        return block[offset] if offset < len(block) else None

    def cached_row_count(self) -> int:
        """How many summaries are held in memory right now (never more than max_blocks × block_size)."""
        return sum(len(block) for block in self._blocks.values())

    def capture_id_at(self, row: int) -> int | None:
        summary = self.summary_at(row)
        return summary.id if summary else None

    def row_of(self, capture_id: int) -> int | None:
        """The row of a capture under the current filter, or None; looks in the cache, then asks SQL."""
        for block_number, block in self._blocks.items():
            for offset, cached in enumerate(block):
                if cached.id == capture_id:
                    return block_number * self._block_size + offset
        target = self._store.summary(capture_id)
        if target is None or target.id > self._snapshot_id:
            return None
        if self._filter.since is not None and target.received_at < self._filter.since:
            return None
        listing = self._listing_filter()
        # Rows as new as this one or newer come before it (newest first); ties are rare, so search a small
        # window around that position instead of the whole list.
        estimate = self._store.count(replace(listing, since=target.received_at))
        start = max(0, estimate - self._block_size)
        window = self._store.page(listing, start, 2 * self._block_size)
        self.page_queries += 1
        for offset, candidate in enumerate(window):
            if candidate.id == capture_id:
                return start + offset
        return None

    # -- filter and refresh -------------------------------------------------------------------------

    @property
    def capture_filter(self) -> CaptureFilter:
        """The filter the user asked for (without the listing's snapshot bound)."""
        return self._filter

    @property
    def snapshot_id(self) -> int:
        """The newest capture id the list holds; captures above it arrive through `enqueue`."""
        return self._snapshot_id

    def _listing_filter(self) -> CaptureFilter:
        return replace(self._filter, max_id=self._snapshot_id)

    def set_filter(self, flt: CaptureFilter) -> None:
        self._generation += 1  # a background listing still running for an older filter is now stale
        if flt == self._filter:
            return
        self._filter = flt
        self.refresh()

    def refresh(self) -> None:
        """Forget every cached row and count again (after a filter change, a retention run, an import…)."""
        snapshot_id = self._store.max_id()
        count = self._store.count(replace(self._filter, max_id=snapshot_id))
        self._reset_to(snapshot_id, count, None)

    def _reset_to(self, snapshot_id: int, count: int, first_page: list[CaptureSummary] | None) -> None:
        # A listing read on a worker thread can be older than live inserts the list took meanwhile: those
        # ids are above its snapshot, so they are inserted again (once) right after the reset.
        already_listed = self._snapshot_id
        self.beginResetModel()
        self._blocks.clear()
        self._texts.clear()  # ids can be stored again after a clear-all; strings are cheap to make once more
        self._forget_looked_up_rows()
        if first_page is not None:
            self._blocks[0] = first_page
        self._snapshot_id = snapshot_id
        self._count = count
        # Notifications for captures the new listing already counted are done; newer ones still arrive.
        self._pending = [summary for summary in self._pending if summary.id > snapshot_id]
        self.endResetModel()
        if already_listed > snapshot_id:
            self.flush_pending(through=already_listed)

    async def set_filter_async(self, flt: CaptureFilter) -> bool:
        """Count and read the first page for `flt` on a worker thread, then show them; the list stays usable
        meanwhile. False when a newer filter (or refresh) came first: a stale listing never replaces it."""
        self._generation += 1
        generation = self._generation
        self._store.interrupt_listing()  # an older filter's scan is no longer wanted
        if flt == self._filter:
            return True
        loop = asyncio.get_running_loop()
        try:
            listing = await loop.run_in_executor(None, self._store.listing, flt, self._block_size)
        except ListingInterrupted:
            return False
        if generation != self._generation:
            return False
        self._filter = flt
        self._reset_to(listing.max_id, listing.count, listing.first_page)
        self.page_queries += 1
        return True

    def capture_changed(self, capture_id: int) -> None:
        """A stored capture was updated (re-verified, forward result): repaint its row if it is shown."""
        for block_number, block in self._blocks.items():
            for offset, summary in enumerate(block):
                if summary.id == capture_id:
                    fresh = self._store.summary(capture_id)
                    if fresh is not None:
                        block[offset] = fresh
                    self._texts.pop(capture_id, None)
                    self._forget_looked_up_rows()
                    row = block_number * self._block_size + offset
                    self.dataChanged.emit(self.index(row, 0), self.index(row, len(HEADERS) - 1))
                    return

    # -- live updates -------------------------------------------------------------------------------

    def enqueue(self, summary: CaptureSummary) -> None:
        """Called from the receiver's listener (on the loop): queue it; the timer flushes the queue."""
        self._pending.append(summary)
        if not self._flush_timer.isActive():
            # After a quiet spell the capture is listed at once; while a burst lasts, at most once per interval.
            wait = self._last_flush_at + self._flush_interval - time.monotonic()
            self._flush_timer.start(max(0, round(wait * 1000)))

    def flush_pending(self, through: int | None = None) -> None:
        """Insert every capture above the snapshot up to the newest one notified, or up to `through` (a
        stored id the caller wants listed now). Each exactly once: the listing counted the ids up to the
        snapshot, this adds the ones after it, then moves the snapshot."""
        if not self._pending and through is None:
            return
        self._last_flush_at = time.monotonic()
        pending, self._pending = self._pending, []
        newest = max([summary.id for summary in pending] + ([through] if through is not None else []))
        if newest <= self._snapshot_id:
            self.rows_inserted_in_batch.emit(0)
            return
        new_rows = self._new_rows_up_to(newest, {summary.id: summary for summary in pending})
        self._snapshot_id = newest
        if not new_rows:
            self.rows_inserted_in_batch.emit(0)
            return
        top = self._blocks.get(0)
        if top and new_rows[-1].received_at < top[0].received_at - OUT_OF_ORDER_SLACK_SECONDS:
            # An old timestamp sorts deep into the list: recount instead of pretending the rows are on top.
            self.refresh()
            self.rows_inserted_in_batch.emit(len(new_rows))
            return
        self.beginInsertRows(QModelIndex(), 0, len(new_rows) - 1)
        self._shift_cache(new_rows)
        self._count += len(new_rows)
        self._forget_looked_up_rows()
        self.endInsertRows()
        self.rows_inserted_in_batch.emit(len(new_rows))

    def _new_rows_up_to(self, newest: int, notified: dict[int, CaptureSummary]) -> list[CaptureSummary]:
        """The captures after the snapshot, up to `newest`, that the filter shows, newest first. The store
        filters in SQL, but its free-text clause scans the whole search table, so the text part is checked
        here on the new captures alone (same rule: the lowercased search text contains the query)."""
        structured = replace(self._filter, text="", max_id=newest)
        candidates = self._store.ids_after(self._snapshot_id, structured)
        text = self._filter.text.strip().lower()
        if text and candidates:
            candidates = [c.id for c in self._store.get_many(candidates) if c.id is not None and text in search_text(c)]
        found = (notified.get(capture_id) or self._store.summary(capture_id) for capture_id in candidates)
        rows = [summary for summary in found if summary is not None]
        return sorted(rows, key=lambda s: (s.received_at, s.id), reverse=True)

    def _shift_cache(self, new_rows: list[CaptureSummary]) -> None:
        """Keep the cached rows across an insert at the top (moved down), so a burst costs no page query."""
        shift = len(new_rows)
        rows: dict[int, CaptureSummary] = dict(enumerate(new_rows))
        recency = {block_number: rank for rank, block_number in enumerate(self._blocks)}
        for block_number, block in self._blocks.items():
            base = block_number * self._block_size + shift
            for offset, summary in enumerate(block):
                rows[base + offset] = summary
        total = self._count + shift
        rebuilt: list[tuple[int, int, list[CaptureSummary]]] = []
        for block_number in sorted({row // self._block_size for row in rows}):
            start = block_number * self._block_size
            end = min(start + self._block_size, total)
            if all(row in rows for row in range(start, end)):
                # A rebuilt block is as recently used as the newest old block it took rows from.
                sources = {(row - shift) // self._block_size for row in (start, end - 1) if row >= shift}
                rank = max((recency.get(source, -1) for source in sources), default=len(recency))
                rebuilt.append((rank, block_number, [rows[row] for row in range(start, end)]))
        rebuilt.sort(key=lambda item: item[0])
        blocks: OrderedDict[int, list[CaptureSummary]] = OrderedDict(
            (block_number, block) for _rank, block_number, block in rebuilt[-self._max_blocks :]
        )
        self._blocks = blocks

    def pending_count(self) -> int:
        return len(self._pending)


def time_range_since(choice_seconds: float | None) -> float | None:
    return None if choice_seconds is None else time.time() - choice_seconds
