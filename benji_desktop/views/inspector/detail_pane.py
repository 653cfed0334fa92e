"""The Inspector's detail pane: overview (the doctor's verdict in sentences), headers, body, response, forward."""

from __future__ import annotations

import html
from datetime import datetime
from typing import Any

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import QTableWidget, QTableWidgetItem, QWidget

from benji_desktop.domain.entities import entity_label
from benji_desktop.domain.masking import mask_secret
from benji_desktop.storage.captures import Capture
from benji_desktop.views.generated.ui_inspector_detail import Ui_InspectorDetail
from benji_desktop.views.inspector.body_format import JsonHighlighter, hex_dump, human_size, pretty_text, raw_text
from benji_desktop.views.inspector.capture_table_model import VERDICT_COLOURS

CAPTURE_LINK_SCHEME = "capture"

VERDICT_SENTENCES = {
    "VALID": "The signature matches a known salt and the timestamp is inside the window.",
    "INVALID": "No signature in x-benji-signature matches any known salt.",
    "UNSIGNED": "The request has no x-benji-signature header (or it is empty).",
    "MALFORMED": "x-benji-signature is present but is not a SHA-256 signature in any accepted encoding.",
    "NO_SALT": "There is no salt to check with: add the subscription's salt, then re-verify.",
    "STALE": "A signature matches, but x-webhook-datetime is missing or outside the allowed window.",
}


def verdict_badge_html(verdict: str | None) -> str:
    text = verdict or "NOT VERIFIED"
    colour = VERDICT_COLOURS.get(verdict or "", "#9e9e9e")
    return (
        f'<span style="background-color:{colour}; color:white; font-weight:bold;">'
        f"&nbsp;{html.escape(text)}&nbsp;</span>"
    )


def capture_link(capture_id: int) -> str:
    return f'<a href="{CAPTURE_LINK_SCHEME}:{capture_id}">#{capture_id}</a>'


def skew_sentence(report: dict[str, Any]) -> str | None:
    if report.get("timestamp_ignored"):
        return "The timestamp was not checked (ignore timestamp was on)."
    skew = report.get("skew_seconds")
    tolerance = report.get("tolerance_seconds")
    if skew is None:
        if report.get("datetime"):
            return f"x-webhook-datetime “{report['datetime']}” could not be read as a date."
        return "There is no x-webhook-datetime header."
    direction = "ahead of" if skew > 0 else "behind"
    inside = tolerance is None or abs(skew) <= tolerance
    window = f" (window ±{tolerance:g} s: {'inside' if inside else 'outside'})" if tolerance is not None else ""
    if abs(skew) < 0.5:
        return f"x-webhook-datetime matches this machine's clock{window}."
    return f"x-webhook-datetime is {abs(skew):,.0f} s {direction} this machine's clock{window}."


def overview_html(capture: Capture, replay_ids: list[int], *, presenting: bool = False) -> str:
    """The Overview tab as HTML: verdict, cause, findings, match, skew, classification, links."""
    report = capture.report or {}
    parts = [f"<p>{verdict_badge_html(capture.verdict)}</p>"]
    cause = report.get("cause")
    if cause:
        parts.append(f"<p><b>Likely cause:</b> {html.escape(cause)}</p>")
    elif capture.verdict in VERDICT_SENTENCES:
        parts.append(f"<p>{html.escape(VERDICT_SENTENCES[capture.verdict])}</p>")
    reasons = report.get("reasons") or []
    if reasons and presenting:
        # The findings quote expected and received signatures; on a shared screen only their count shows.
        parts.append(f"<p>{len(reasons)} finding(s) hidden in presentation mode.</p>")
    elif reasons:
        items = "".join(f"<li>{html.escape(reason)}</li>" for reason in reasons)
        parts.append(f"<p><b>What the doctor found:</b></p><ul>{items}</ul>")
    facts: list[tuple[str, str]] = []
    label = report.get("matched_salt_label") or capture.matched_salt_label
    if label:
        form = report.get("matched_form")
        masked = report.get("matched_salt")
        facts.append(
            (
                "Matched salt",
                html.escape(label)
                + (f" ({html.escape(masked)})" if masked and not presenting else "")
                + (f", signature as {html.escape(form)}" if form else ""),
            )
        )
    skew = skew_sentence(report) if report else None
    if skew:
        facts.append(("Clock", html.escape(skew)))
    if capture.classification == "ok":
        facts.append(("Request", "a well-formed webhook"))
    else:
        facts.append(("Request", f"<b>{html.escape(capture.classification.replace('_', ' '))}</b>"))
    if capture.event or capture.entity_type is not None:
        entity = entity_label(capture.entity_type) if capture.entity_type is not None else "?"
        facts.append(("Event", html.escape(f"{capture.event or '?'} on {entity} {capture.entity_id or ''}".strip())))
    if capture.duplicate_of is not None:
        facts.append(("Duplicate", f"repeats {capture_link(capture.duplicate_of)}"))
    if capture.parent_id is not None:
        what = "Replay of" if capture.source == "replay" else "From"
        facts.append((what, capture_link(capture.parent_id)))
    if replay_ids:
        facts.append(("Replays", ", ".join(capture_link(i) for i in replay_ids)))
    source = {"received": "received by the receiver", "imported": "imported", "replay": "a replay"}
    facts.append(("Source", html.escape(source.get(capture.source, capture.source))))
    rows = "".join(
        f'<tr><td style="padding-right:12px;"><b>{name}</b></td><td>{value}</td></tr>' for name, value in facts
    )
    parts.append(f"<table>{rows}</table>")
    if capture.notes:
        items = "".join(f"<li>{html.escape(note)}</li>" for note in capture.notes)
        parts.append(f"<p><b>Notes:</b></p><ul>{items}</ul>")
    return "".join(parts)


def forward_html(capture: Capture, replay_ids: list[int]) -> str:
    parts = []
    forward = capture.forward
    if forward:
        url = html.escape(str(forward.get("url", "")))
        if forward.get("error"):
            parts.append(f"<p>Forwarded to {url}: <b>failed</b> — {html.escape(str(forward['error']))}</p>")
        else:
            latency = forward.get("latency_ms")
            timing = f" in {latency:.0f} ms" if isinstance(latency, int | float) else ""
            parts.append(f"<p>Forwarded to {url}: <b>{html.escape(str(forward.get('status')))}</b>{timing}</p>")
        headers = forward.get("headers") or []
        if headers:
            rows = "".join(
                f"<tr><td><b>{html.escape(str(n))}</b></td><td>{html.escape(str(v))}</td></tr>" for n, v in headers
            )
            parts.append(f"<table>{rows}</table>")
        if forward.get("body"):
            parts.append(f"<pre>{html.escape(str(forward['body']))}</pre>")
    else:
        parts.append("<p>Not forwarded. Set “Forward to” above to pass requests on to your own server.</p>")
    if capture.source == "replay" and capture.parent_id is not None:
        parts.append(f"<p>This capture is a replay of {capture_link(capture.parent_id)}.</p>")
    if replay_ids:
        parts.append("<p>Replayed as " + ", ".join(capture_link(i) for i in replay_ids) + ".</p>")
    return "".join(parts)


# Credentials someone may send to a webhook URL by mistake: never shown in full, even outside presentation mode.
SECRET_HEADERS = frozenset({"authorization", "proxy-authorization", "x-api-key", "cookie", "set-cookie"})
# In presentation mode the signatures go too: with the body, a signature lets a viewer test guessed salts.
PRESENTATION_HEADERS = SECRET_HEADERS | {"x-benji-signature"}


def shown_value(name: str, value: str, presenting: bool) -> str:
    hidden = PRESENTATION_HEADERS if presenting else SECRET_HEADERS
    return mask_secret(value) if name.lower() in hidden else value


def fill_header_table(table: QTableWidget, headers: list[tuple[str, str]], presenting: bool = False) -> None:
    table.setRowCount(len(headers))
    for row, (name, value) in enumerate(headers):
        table.setItem(row, 0, QTableWidgetItem(name))
        table.setItem(row, 1, QTableWidgetItem(shown_value(name, value, presenting)))
    table.resizeColumnToContents(0)


class CaptureDetailPane(QWidget):
    """Shows one full capture. Emits `capture_link_activated(id)` when a parent/replay/duplicate link is clicked."""

    capture_link_activated = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ui = Ui_InspectorDetail()
        self.ui.setupUi(self)  # type: ignore[no-untyped-call]
        mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.ui.body_edit.setFont(mono)
        self.ui.response_body_edit.setFont(mono)
        self._highlighter = JsonHighlighter(self.ui.body_edit.document())
        self._capture: Capture | None = None
        self._replay_ids: list[int] = []
        self._presenting = False
        for radio in (self.ui.pretty_radio, self.ui.raw_radio, self.ui.hex_radio):
            radio.toggled.connect(self._show_body)
        self.ui.overview_browser.anchorClicked.connect(self._on_link)
        self.ui.forward_browser.anchorClicked.connect(self._on_link)
        self.show_capture(None)

    @property
    def capture(self) -> Capture | None:
        return self._capture

    def set_presentation_mode(self, enabled: bool) -> None:
        self._presenting = enabled
        self.show_capture(self._capture, self._replay_ids)

    def show_capture(self, capture: Capture | None, replay_ids: list[int] | None = None) -> None:
        self._capture = capture
        self._replay_ids = list(replay_ids or [])
        self.ui.detail_tabs.setEnabled(capture is not None)
        if capture is None:
            self.ui.title_label.setText("Select a capture to see its details")
            self.ui.overview_browser.setHtml(
                "<p>Nothing selected.</p><p>Send a webhook to the receiver, or import a partner's request "
                "(Import…) to verify it.</p>"
            )
            fill_header_table(self.ui.headers_table, [])
            self.ui.body_edit.setPlainText("")
            self.ui.body_size_label.setText("")
            self.ui.response_status_label.setText("")
            fill_header_table(self.ui.response_headers_table, [])
            self.ui.response_body_edit.setPlainText("")
            self.ui.forward_browser.setHtml("")
            return
        when = datetime.fromtimestamp(capture.received_at).strftime("%Y-%m-%d %H:%M:%S")
        target = capture.path + (f"?{capture.query}" if capture.query else "")
        self.ui.title_label.setText(
            f"<b>#{capture.id}</b> &nbsp;{verdict_badge_html(capture.verdict)}&nbsp; "
            f"<b>{html.escape(capture.method)}</b> {html.escape(target)}"
            f"<br><span style='color:gray'>{when} from {html.escape(capture.remote or '?')}</span>"
        )
        self.ui.overview_browser.setHtml(overview_html(capture, self._replay_ids, presenting=self._presenting))
        fill_header_table(self.ui.headers_table, capture.headers, self._presenting)
        self._show_body()
        if capture.response_status is None:
            self.ui.response_status_label.setText("No response recorded (imported, or the client went away).")
        else:
            self.ui.response_status_label.setText(f"Answered <b>{capture.response_status}</b>")
        fill_header_table(self.ui.response_headers_table, capture.response_headers, self._presenting)
        self.ui.response_body_edit.setPlainText(raw_text(capture.response_body))
        self.ui.forward_browser.setHtml(forward_html(capture, self._replay_ids))

    def _show_body(self) -> None:
        capture = self._capture
        if capture is None:
            return
        body = capture.body
        if self.ui.hex_radio.isChecked():
            text = hex_dump(body)
        elif self.ui.raw_radio.isChecked():
            text = raw_text(body)
        else:
            text = pretty_text(body)
        self._highlighter.enabled = self.ui.pretty_radio.isChecked()
        self.ui.body_edit.setPlainText(text)
        size = human_size(capture.body_size or len(body))
        if capture.declared_size is not None and capture.declared_size != capture.body_size:
            size += f" (Content-Length said {capture.declared_size})"
        if len(body) < capture.body_size:
            size += f"; first {human_size(len(body))} kept"
        self.ui.body_size_label.setText(size)

    def _on_link(self, url: QUrl) -> None:
        if url.scheme() == CAPTURE_LINK_SCHEME:
            try:
                self.capture_link_activated.emit(int(url.path()))
            except ValueError:
                return
