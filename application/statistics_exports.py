"""``StatisticsExports``: request an export, let a job produce its file, hand it to its requester.

A request is checked (who may read which units, as for the reports; the format, the content and
the range) and recorded as ``StatisticsExport.Requested`` before the job is queued; nothing is
recorded when the request is refused. The job (``run``) is idempotent: a finished export is left
alone, a running one is started again under a new attempt number and file name (so two attempts
never overwrite each other's file), and only the attempt that records ``Completed`` keeps its file.
Only the caller who asked may read the export; to anyone else it does not exist (404).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import BinaryIO
from uuid import UUID, uuid4
from zoneinfo import ZoneInfo

import structlog
from eventsourcing.application import AggregateNotFoundError

from application.base import IntegrityError, IsolatedApplication
from application.clock import Clock
from application.errors import AccessDenied, ApplicationError
from application.export_ports import DOSSIER_COLUMNS, REPORT_COLUMNS, Cell, DossierRows, ExportFile, ExportFiles
from application.jobs import Jobs
from application.policy import STATISTICS_READERS, statistics_units
from application.statistics import Ratio, Scope, Statistics, StatisticsUnavailable
from domain.actor import Actor
from domain.statistics_export import COMPLETED, REQUESTED, StatisticsExport

RUN_STATISTICS_EXPORT = "run_statistics_export"
PURGE_STATISTICS_EXPORTS = "purge_statistics_exports"
MEDIA_TYPES = {"csv": "text/csv; charset=utf-8",
               "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
REQUEUE_AFTER = timedelta(minutes=2)
log = structlog.get_logger("motcua.exports")


class ExportNotFound(ApplicationError):
    code = "export-not-found"
    message_vi = "Không tìm thấy yêu cầu kết xuất"
    message_en = "Statistics export not found"
    http_status = 404


class ExportExpired(ApplicationError):
    code = "export-expired"
    message_vi = "Tệp kết xuất đã hết thời hạn lưu giữ và đã bị xóa; hãy yêu cầu kết xuất lại"
    message_en = "The export file has passed its retention period and was removed; request it again"
    http_status = 410


@dataclass(frozen=True)
class ExportView:
    id: str
    status: str
    content: str
    format: str
    unit: str | None
    units: list[str]
    procedure_code: str | None
    field: str | None
    date_from: date
    date_to: date
    requested_at: datetime
    finished_at: datetime | None
    attempts: int
    rows: int | None
    sha256: str | None
    size: int | None
    reason: str | None

    @property
    def media_type(self) -> str:
        return MEDIA_TYPES[self.format]

    @property
    def download_name(self) -> str:
        return f"thong-ke-{self.content}-{self.date_from}-{self.date_to}.{self.format}"


def _view(e: StatisticsExport) -> ExportView:
    return ExportView(
        id=str(e.id), status=e.status, content=e.content, format=e.format, unit=e.unit, units=list(e.units),
        procedure_code=e.procedure_code, field=e.field, date_from=e.date_from, date_to=e.date_to,
        requested_at=e.requested_at, finished_at=e.finished_at, attempts=e.attempts, rows=e.rows,
        sha256=e.sha256, size=e.size, reason=e.reason,
    )


class StatisticsExports(IsolatedApplication):
    name = "StatisticsExports"

    def __init__(self, env: dict[str, str], *, clock: Clock, rows: DossierRows, files: ExportFiles,
                 statistics: Statistics | None, scope_of: Callable[[str], frozenset[str]],
                 zone: str = "Asia/Ho_Chi_Minh", max_days: int = 366, max_attempts: int = 3) -> None:
        super().__init__(env)
        self.clock, self.rows, self.files, self.statistics = clock, rows, files, statistics
        self.scope_of, self.zone = scope_of, ZoneInfo(zone)
        self.max_days, self.max_attempts = max_days, max_attempts
        self.jobs: Jobs | None = None

    def request(self, actor: Actor, *, content: str = "dossiers", format: str = "csv", unit: str | None = None,
                procedure_code: str | None = None, field: str | None = None, date_from: date | None = None,
                date_to: date | None = None) -> UUID:
        """Returns the export's id; the file is produced by a job. Defaults: this year to date."""
        if actor.role not in STATISTICS_READERS:
            raise AccessDenied("only statistics readers export statistics")
        now = self.clock.now()
        date_to = date_to or now.astimezone(self.zone).date()
        date_from = date_from or date_to.replace(month=1, day=1)
        units = statistics_units(actor, unit, self.scope_of)
        export = StatisticsExport.request(
            id=uuid4(), requested_by=actor.id, requester_role=actor.role.value, content=content, format=format,
            unit=unit, units=sorted(units), procedure_code=procedure_code, field=field, date_from=date_from,
            date_to=date_to, max_days=self.max_days, at=now,
        )
        self.save(export)
        self._enqueue(str(export.id))
        log.info("statistics_export_requested", export_id=str(export.id), by=actor.id, content=content, format=format)
        return export.id  # type: ignore[no-any-return]

    def _enqueue(self, export_id: str) -> None:
        """A broker that is briefly away loses nothing: the request is recorded, and polling
        it re-queues the job (``get``)."""
        if self.jobs is None:
            return
        try:
            self.jobs.enqueue(RUN_STATISTICS_EXPORT, export_id=export_id)
        except Exception as exc:
            log.warning("statistics_export_not_queued", export_id=export_id, error=repr(exc)[:200])

    def _load(self, export_id: str | UUID) -> StatisticsExport:
        try:
            return self.repository.get(export_id if isinstance(export_id, UUID) else UUID(export_id))  # type: ignore[no-any-return]
        except (AggregateNotFoundError, ValueError):
            raise ExportNotFound(str(export_id)) from None

    def _own(self, actor: Actor, export_id: str) -> StatisticsExport:
        export = self._load(export_id)
        if export.requested_by != actor.id:
            raise ExportNotFound(export_id)
        return export

    def get(self, actor: Actor, export_id: str) -> ExportView:
        """Also the recovery path: an export still only requested after ``REQUEUE_AFTER`` (its job
        was never queued, or lost) is queued again; running it twice does no harm."""
        export = self._own(actor, export_id)
        if export.status == REQUESTED and self.clock.now() - export.requested_at > REQUEUE_AFTER:
            self._enqueue(str(export.id))
        return _view(export)

    def download(self, actor: Actor, export_id: str) -> tuple[ExportView, BinaryIO]:
        """The finished file; call only once ``get`` says completed."""
        export = self._own(actor, export_id)
        if export.status != COMPLETED or export.file_name is None:
            raise ExportNotFound(export_id)
        try:
            return _view(export), self.files.open(export.file_name)
        except FileNotFoundError:
            raise ExportExpired(export_id) from None

    def run(self, export_id: str) -> None:
        """The job. Raises ``StatisticsUnavailable`` (to be retried) until the last attempt."""
        try:
            export = self._load(export_id)
        except ExportNotFound:  # a message for another store (a misconfigured worker): nothing to retry
            log.error("statistics_export_unknown", export_id=export_id)
            return
        if export.finished:
            return
        export.start(self.clock.now())
        try:
            self.save(export)
        except IntegrityError:  # another attempt got there first and is at work
            return
        written: ExportFile | None = None
        try:
            written = self._write(export)
        except StatisticsUnavailable as exc:
            if export.attempts < self.max_attempts:
                raise
            export.fail(f"statistics-unavailable: {exc}", self.clock.now())
        except Exception as exc:
            log.exception("statistics_export_failed", export_id=export_id)
            export.fail(f"{type(exc).__name__}: {exc}", self.clock.now())
        else:
            export.complete(file_name=written.name, rows=written.rows, sha256=written.sha256, size=written.size,
                            at=self.clock.now())
        try:
            self.save(export)
        except IntegrityError:  # a concurrent attempt recorded the outcome: its file is the one
            if written is not None:
                self.files.remove(written.name)
            return
        log.info("statistics_export_finished", export_id=export_id, status=export.status, rows=export.rows)

    def _write(self, export: StatisticsExport) -> ExportFile:
        scope = Scope(units=frozenset(export.units), date_from=export.date_from, date_to=export.date_to,
                      procedure_code=export.procedure_code, field=export.field)
        stem = f"{export.id}-{export.attempts}"
        if export.content == "report":
            return self.files.write(stem, export.format, "report", REPORT_COLUMNS, self._report_rows(scope))
        with self.rows.stream(scope) as rows:
            return self.files.write(stem, export.format, "dossiers", DOSSIER_COLUMNS, rows)

    def _report_rows(self, scope: Scope) -> Iterator[tuple[Cell, ...]]:
        if self.statistics is None:
            raise StatisticsUnavailable("statistics are not configured in this process")
        report, index = self.statistics.status_report(scope), self.statistics.service_index(scope)
        for name, value in vars(report).items():
            yield name, value, None, None
        for name, ratio in vars(index).items():
            assert isinstance(ratio, Ratio)
            value = None if ratio.value is None else round(ratio.value, 6)
            yield name, value, ratio.numerator, ratio.denominator

    def purge(self, keep: timedelta) -> int:
        """Housekeeping: files older than ``keep`` go; their records (and digests) stay.

        Judged by the files' own modification times, so by the wall clock, not the application's."""
        removed = self.files.purge(datetime.now().astimezone() - keep)
        log.info("statistics_exports_purged", count=removed)
        return removed


__all__ = ["ExportExpired", "ExportNotFound", "ExportView", "MEDIA_TYPES", "PURGE_STATISTICS_EXPORTS",
           "RUN_STATISTICS_EXPORT", "StatisticsExports"]
