"""P4: the processing-status report over a province-year of statistics rows.

The rows are bulk-generated with the projection's own row builder (`next_state`, `event_row`)
from synthetic dossier lives (ten events each: submitted, received, handed over, a document, a
supplement request and its answer, handed over again, approved, completed early / on time /
late, result returned), spread over a year and twenty units, and inserted into a chDB database
of the bench process's own; then `ClickHouseStatistics.status_report` runs for the whole
province and year several times. Generating 10 M events takes minutes (a progress bar shows
it); development runs pass a smaller `--p4-events`.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from rich.progress import Progress

from adapters.clickhouse.engine import Connector, parse_dsn, resolve
from adapters.clickhouse.reports import ClickHouseStatistics
from adapters.clickhouse.view import ClickHouseStatisticsView
from application.statistics import Scope
from projections.statistics import StateRow, event_row, next_state

YEAR = 2025
UNITS = tuple(f"000.{i // 10:02d}.{i % 10 + 1:02d}.H22" for i in range(20))
PROCEDURES = (("2.000815", "Hộ tịch"), ("2.000488", "Đất đai"), ("1.009994", "Xây dựng"), ("2.001610", "Giáo dục"))
CHUNK = 100_000
LIFE = ("Submitted", "Received", "HandedOver", "DocumentAttached", "SupplementRequested", "Supplemented",
        "HandedOver", "ResultApproved", "Completed", "ResultReturned")
STATUS = {"Submitted": "submitted", "Received": "received", "HandedOver": "processing",
          "DocumentAttached": "processing", "SupplementRequested": "awaiting_supplement",
          "Supplemented": "processing", "ResultApproved": "approved", "Completed": "completed",
          "ResultReturned": "returned"}
_CLASSES = {name: type(name, (SimpleNamespace,), {}) for name in STATUS}


def _life(n: int, rng: random.Random) -> Iterator[Any]:
    """One synthetic dossier's events, as the aggregate would record them."""
    did = uuid.UUID(int=rng.getrandbits(128))
    unit = UNITS[n % len(UNITS)]
    procedure, field = PROCEDURES[n % len(PROCEDURES)]
    at = datetime(YEAR, 1, 1, 1, tzinfo=UTC) + timedelta(minutes=rng.randrange(365 * 24 * 60 - 60 * 24 * 30))
    due = at + timedelta(days=10)
    ended = at + timedelta(days=rng.choice((5, 9, 10, 12)), hours=2)
    common = {"actor_role": "reception_officer", "actor_unit": unit}
    for version, name in enumerate(LIFE, start=1):
        extra: dict[str, Any] = {}
        if name == "Submitted":
            extra = {"code": f"{unit}-{at:%y%m%d}-{n % 10000:04d}", "receiving_unit": unit, "procedure_code": procedure,
                     "procedure_version": 1, "field": field, "channel": ("online", "counter")[n % 2],
                     "applicant_key": f"k{n % 50000}"}
        elif name == "Received":
            extra = {"start": at, "due": due, "original_due": due}
        elif name == "DocumentAttached":
            extra = {"digitised": n % 3 == 0, "reused": n % 5 == 0}
        elif name == "SupplementRequested":
            extra = {"stops_clock": False}
        elif name == "Supplemented":
            extra = {"due": due, "original_due": due, "wait_working_seconds": None}
        elif name == "Completed":
            at = ended
            extra = {"ended_at": ended, "net_working_hours": 40.0, "electronic_result": n % 2 == 0}
        yield _CLASSES[name](originator_id=did, originator_version=version, timestamp=at, status=STATUS[name],
                             **common, **extra)
        at += timedelta(minutes=17)


def generate(view: ClickHouseStatisticsView, events: int, seed: int = 2026) -> int:
    """Insert the rows of about `events` events (whole lives); returns the events generated."""
    rng, zone = random.Random(seed), ZoneInfo("Asia/Ho_Chi_Minh")
    position, rows_e, rows_s, n = 0, [], [], 0
    with Progress(transient=True) as progress:
        task = progress.add_task("P4: dòng thống kê / statistics rows", total=events)
        while position < events:
            state: StateRow | None = None
            for event in _life(n, rng):
                position += 1
                state = next_state(state, event, position, zone)
                rows_s.append(state)
                rows_e.append(event_row(event, state))
            n += 1
            if len(rows_s) >= CHUNK or position >= events:
                view.write(rows_e, rows_s, position)
                progress.advance(task, len(rows_s))
                rows_e, rows_s = [], []
    return position


def status_report_timings(directory: str, events: int, repeats: int = 7) -> tuple[list[float], int]:
    """Seconds of each `status_report` run over the generated rows; and the events generated."""
    connector = Connector(resolve(parse_dsn(f"chdb://{directory}?database=bench_p4")))
    try:
        view = ClickHouseStatisticsView(connector)
        view.migrate()
        made = generate(view, events)
        statistics = ClickHouseStatistics(connector, "Asia/Ho_Chi_Minh")
        scope = Scope(units=frozenset(), date_from=date(YEAR, 1, 1), date_to=date(YEAR, 12, 31))
        timings = []
        for _ in range(repeats):
            started = time.perf_counter()
            report = statistics.status_report(scope)
            timings.append(time.perf_counter() - started)
        if report.received == 0:
            raise RuntimeError("the status report counted nothing: the generated rows are not what it reads")
        return timings, made
    finally:
        connector.close()


__all__ = ["generate", "status_report_timings"]
