"""A statistics export: who asked for which rows, in which format, and what file came of it.

Event-sourced so that every export of statistics is auditable: the stream says who asked, when,
for which scope, how many rows went out and the SHA-256 of the file handed over. The file itself
lives outside the store (it is large and is removed after a retention period); its digest stays.
Status: requested -> running -> completed | failed (a running export may be started again by a
retried job; a finished one never changes).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

from eventsourcing.domain import Aggregate

FORMATS = ("csv", "xlsx")
CONTENTS = ("dossiers", "report")
"""``dossiers``: one row per dossier of the status report's population (and those refused in the
range); ``report``: the status report's figures and the Decision 766 indicators, one per row."""

REQUESTED, RUNNING, COMPLETED, FAILED = "requested", "running", "completed", "failed"


class ExportError(Exception):
    code = "invalid-export"
    message_vi = "Yêu cầu kết xuất số liệu không hợp lệ"
    message_en = "Invalid statistics export request"
    http_status = 422

    def __init__(self, detail: str = "", field: str = "") -> None:
        super().__init__(detail or self.message_en)
        self.field = field


class UnknownExportFormat(ExportError):
    code = "unknown-export-format"
    message_vi = "Định dạng kết xuất không được hỗ trợ (chỉ csv hoặc xlsx)"
    message_en = "Unsupported export format (csv or xlsx only)"


class UnknownExportContent(ExportError):
    code = "unknown-export-content"
    message_vi = "Nội dung kết xuất không được hỗ trợ (dossiers hoặc report)"
    message_en = "Unsupported export content (dossiers or report)"


class InvalidExportRange(ExportError):
    code = "invalid-range"
    message_vi = "Khoảng thời gian không hợp lệ: ngày bắt đầu sau ngày kết thúc"
    message_en = "Invalid range: 'from' is after 'to'"


class ExportRangeTooLong(ExportError):
    code = "export-range-too-long"
    message_vi = "Khoảng thời gian kết xuất dài quá giới hạn cho phép"
    message_en = "The export's date range is longer than allowed"


def check_format(value: str) -> None:
    if value not in FORMATS:
        raise UnknownExportFormat(f"{value!r}; known: {', '.join(FORMATS)}", field="format")


def check_content(value: str) -> None:
    if value not in CONTENTS:
        raise UnknownExportContent(f"{value!r}; known: {', '.join(CONTENTS)}", field="content")


def check_range(date_from: date, date_to: date, max_days: int) -> None:
    """Both dates count; ``max_days`` is the longest range one export may cover."""
    if date_from > date_to:
        raise InvalidExportRange(f"{date_from} > {date_to}", field="from")
    days = (date_to - date_from).days + 1
    if days > max_days:
        raise ExportRangeTooLong(f"{days} days; at most {max_days}", field="to")


class StatisticsExport(Aggregate):
    class Requested(Aggregate.Created):
        requested_by: str
        requester_role: str
        content: str
        format: str
        unit: str | None
        units: list[str]
        procedure_code: str | None
        field: str | None
        date_from: date
        date_to: date

    @classmethod
    def request(cls, *, id: UUID, requested_by: str, requester_role: str, content: str, format: str,
                unit: str | None, units: list[str], procedure_code: str | None, field: str | None,
                date_from: date, date_to: date, max_days: int, at: datetime) -> StatisticsExport:
        check_content(content)
        check_format(format)
        check_range(date_from, date_to, max_days)
        return cls._create(
            cls.Requested, id=id, timestamp=at, requested_by=requested_by, requester_role=requester_role,
            content=content, format=format, unit=unit, units=sorted(units), procedure_code=procedure_code,
            field=field, date_from=date_from, date_to=date_to,
        )

    def __init__(self, *, requested_by: str, requester_role: str, content: str, format: str, unit: str | None,
                 units: list[str], procedure_code: str | None, field: str | None, date_from: date,
                 date_to: date, **_: Any) -> None:
        self.requested_by = requested_by
        self.requester_role = requester_role
        self.content = content
        self.format = format
        self.unit = unit
        self.units = list(units)
        self.procedure_code = procedure_code
        self.field = field
        self.date_from = date_from
        self.date_to = date_to
        self.status = REQUESTED
        self.attempts = 0
        self.file_name: str | None = None
        self.rows: int | None = None
        self.sha256: str | None = None
        self.size: int | None = None
        self.reason: str | None = None
        self.finished_at: datetime | None = None

    @property
    def requested_at(self) -> datetime:
        return self.created_on

    @property
    def finished(self) -> bool:
        return self.status in (COMPLETED, FAILED)

    class Started(Aggregate.Event):
        attempt: int

        def apply(self, aggregate: StatisticsExport) -> None:  # type: ignore[override]
            aggregate.status = RUNNING
            aggregate.attempts = self.attempt

    def start(self, at: datetime) -> None:
        """Also on a retried job: each attempt is on the record."""
        if not self.finished:
            self.trigger_event(self.Started, timestamp=at, attempt=self.attempts + 1)

    class Completed(Aggregate.Event):
        file_name: str
        rows: int
        sha256: str
        size: int

        def apply(self, aggregate: StatisticsExport) -> None:  # type: ignore[override]
            aggregate.status = COMPLETED
            aggregate.file_name = self.file_name
            aggregate.rows = self.rows
            aggregate.sha256 = self.sha256
            aggregate.size = self.size
            aggregate.finished_at = self.timestamp

    def complete(self, *, file_name: str, rows: int, sha256: str, size: int, at: datetime) -> None:
        if not self.finished:
            self.trigger_event(self.Completed, timestamp=at, file_name=file_name, rows=rows, sha256=sha256,
                               size=size)

    class Failed(Aggregate.Event):
        reason: str

        def apply(self, aggregate: StatisticsExport) -> None:  # type: ignore[override]
            aggregate.status = FAILED
            aggregate.reason = self.reason
            aggregate.finished_at = self.timestamp

    def fail(self, reason: str, at: datetime) -> None:
        if not self.finished:
            self.trigger_event(self.Failed, timestamp=at, reason=reason[:500])


__all__ = ["COMPLETED", "CONTENTS", "FAILED", "FORMATS", "REQUESTED", "RUNNING", "ExportError",
           "ExportRangeTooLong", "InvalidExportRange", "StatisticsExport", "UnknownExportContent",
           "UnknownExportFormat", "check_content", "check_format", "check_range"]
