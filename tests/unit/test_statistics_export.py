"""The StatisticsExport aggregate: given events -> command -> new events, on the in-memory store."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest
from eventsourcing.application import Application

from domain.statistics_export import (
    COMPLETED,
    FAILED,
    RUNNING,
    ExportRangeTooLong,
    InvalidExportRange,
    StatisticsExport,
    UnknownExportContent,
    UnknownExportFormat,
)

AT = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)


def requested(**overrides: object) -> StatisticsExport:
    kwargs: dict[str, object] = dict(
        id=uuid.uuid4(), requested_by="analyst-1", requester_role="analyst", content="dossiers", format="csv",
        unit=None, units=[], procedure_code=None, field=None, date_from=date(2026, 1, 1),
        date_to=date(2026, 3, 31), max_days=366, at=AT,
    )
    kwargs.update(overrides)
    return StatisticsExport.request(**kwargs)  # type: ignore[arg-type]


def new_events(export: StatisticsExport) -> list[str]:
    return [type(e).__name__ for e in export.collect_events()]


def test_a_request_records_who_asked_for_what():
    export = requested(unit="000.00.13.H22", units=["000.13.01.H22", "000.00.13.H22"])
    assert new_events(export) == ["Requested"]
    assert export.status == "requested" and export.units == ["000.00.13.H22", "000.13.01.H22"]
    assert export.requested_at == AT


@pytest.mark.parametrize("overrides, error, field", [
    ({"format": "pdf"}, UnknownExportFormat, "format"),
    ({"content": "all"}, UnknownExportContent, "content"),
    ({"date_from": date(2026, 4, 1)}, InvalidExportRange, "from"),
    ({"date_from": date(2025, 1, 1)}, ExportRangeTooLong, "to"),
])
def test_a_bad_request_records_nothing(overrides, error, field):
    with pytest.raises(error) as raised:
        requested(**overrides)
    assert raised.value.field == field and raised.value.http_status == 422


def test_the_range_limit_counts_both_ends():
    requested(date_from=date(2026, 3, 1), date_to=date(2026, 3, 31), max_days=31)
    with pytest.raises(ExportRangeTooLong):
        requested(date_from=date(2026, 3, 1), date_to=date(2026, 4, 1), max_days=31)


def test_each_attempt_is_recorded_and_completion_keeps_the_files_digest():
    export = requested()
    export.collect_events()
    export.start(AT + timedelta(seconds=1))
    export.start(AT + timedelta(seconds=5))  # a retried job
    export.complete(file_name="x-2.csv", rows=10, sha256="ab" * 32, size=1234, at=AT + timedelta(seconds=9))
    assert new_events(export) == ["Started", "Started", "Completed"]
    assert (export.status, export.attempts, export.rows, export.file_name) == (COMPLETED, 2, 10, "x-2.csv")


def test_a_finished_export_never_changes():
    export = requested()
    export.start(AT)
    export.fail("statistics-unavailable", AT)
    export.collect_events()
    export.start(AT)
    export.complete(file_name="late.csv", rows=1, sha256="00" * 32, size=1, at=AT)
    export.fail("again", AT)
    assert new_events(export) == [] and export.status == FAILED and export.reason == "statistics-unavailable"


def test_an_export_round_trips_through_the_store():
    app = Application(env={"TRANSCODER_TOPIC": "adapters.eventstore.transcoder:MotcuaTranscoder"})
    export = requested()
    export.start(AT)
    app.save(export)
    again = app.repository.get(export.id)
    assert (again.status, again.date_from, again.units) == (RUNNING, date(2026, 1, 1), [])
