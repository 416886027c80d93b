"""Access-log counts in ClickHouse: exactly once across a crash, and no personal data stored.

The access log is the real one (SQLite file and PostgreSQL schema); the counts go to a fresh
chDB database. A crash is a write that inserted its rows and died before recording the position.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from adapters.access_log.postgres import PostgresAccessLog
from adapters.access_log.sqlite import SQLiteAccessLog
from adapters.clickhouse.access_counts import ClickHouseAccessCountsView
from adapters.clickhouse.engine import Connector, parse_dsn, resolve
from application.access_log import AccessEntry, AccessLog
from projections.access_counts import AccessCountRow, AccessCountsRunner
from tests.chdb import chdb_directory, statistics_dsn  # noqa: F401
from tests.fast import FAST_PASSWORD_HASHING
from tests.integration.conftest import PG_CONNINFO

START = datetime(2026, 3, 2, 16, 30, tzinfo=UTC)  # 23:30 in Hà Nội: the next local day comes soon
ACTIONS = ["read-dossier", "read-documents", "login", "login-failed", "read-history", "export-event-log"]
ROLES = [("reception_officer", "000.00.01.H22"), ("handling_officer", "000.00.02.H22"), ("auditor", None),
         ("system", None)]
CODES = {"000.00.01.H22-260302-0001": "000.00.01.H22", "000.00.02.H22-260302-0002": "000.00.02.H22"}
UNKNOWN_CODE = "000.00.03.H22-260302-0003"


@pytest.fixture(params=["sqlite", "postgres"])
def access_log(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[AccessLog]:
    if request.param == "sqlite":
        log: AccessLog = SQLiteAccessLog(tmp_path / "access_log.sqlite")
    else:
        schema = request.getfixturevalue("pg_schema")
        log = PostgresAccessLog(PG_CONNINFO, schema, pool_size=1)
    yield log
    log.close()


@pytest.fixture
def connector(statistics_dsn: str) -> Iterator[Connector]:  # noqa: F811
    connector = Connector(resolve(parse_dsn(statistics_dsn)))
    view = ClickHouseAccessCountsView(connector)
    view.migrate()
    db = connector.database
    rows = [[f"d{i}", 1, code, unit, START, START] for i, (code, unit) in enumerate(CODES.items())]
    connector.call(lambda c: c.insert(f"`{db}`.dossier_states", rows, column_names=[
        "dossier_id", "version", "code", "receiving_unit", "event_at", "submitted_at"]))
    yield connector
    connector.close()


def append_entries(log: AccessLog, n: int) -> list[AccessEntry]:
    written = []
    subjects = [*CODES, UNKNOWN_CODE]
    for i in range(n):
        action = ACTIONS[i % len(ACTIONS)]
        role, unit = ROLES[i % len(ROLES)]
        entry = AccessEntry(at=START + timedelta(minutes=7 * i), actor_id=f"officer-{i % 5}", actor_role=role,
                            actor_unit=unit, action=action,
                            subject=subjects[i % 3] if action.startswith("read") else f"user{i}",
                            ip="203.0.113.7", reason="kiểm tra hồ sơ của ông Nguyễn Văn A", request_id=f"r{i}")
        log.append(entry)
        written.append(entry)
    return written


def hand_count(entries: list[AccessEntry]) -> Counter[tuple[Any, ...]]:
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("Asia/Ho_Chi_Minh")
    counts: Counter[tuple[Any, ...]] = Counter()
    for e in entries:
        failed = e.action == "login-failed"
        unit = CODES.get(e.subject, "") if e.action.startswith("read") else ""
        counts[(e.at.astimezone(zone).date(), "login" if failed else e.action, "failed" if failed else "ok",
                e.actor_role, e.actor_unit or "", unit)] += 1
    return counts


def counted(connector: Connector) -> Counter[tuple[Any, ...]]:
    rows = connector.call(lambda c: c.query(
        f"SELECT day, kind, outcome, actor_role, actor_unit, receiving_unit, count() AS n "
        f"FROM `{connector.database}`.access_log_counts FINAL "
        "GROUP BY day, kind, outcome, actor_role, actor_unit, receiving_unit").result_rows)
    return Counter({tuple(r[:6]): int(r[6]) for r in rows})


class CrashAfterRows(ClickHouseAccessCountsView):
    """Dies on its `crash_on`-th write after inserting the rows and before the position."""

    def __init__(self, connector: Connector, crash_on: int) -> None:
        super().__init__(connector)
        self.writes, self.crash_on = 0, crash_on

    def write(self, rows: Any, position: int) -> None:
        self.writes += 1
        if self.writes == self.crash_on:
            db = self.db
            self.connector.call(lambda c: c.insert(f"{db}.access_log_counts", [list(vars(r).values()) for r in rows],
                                                   column_names=list(AccessCountRow.__dataclass_fields__)))
            raise RuntimeError("killed between the rows and the position")
        super().write(rows, position)


def test_counts_equal_a_hand_count_after_a_crash_between_rows_and_position(
        access_log: AccessLog, connector: Connector) -> None:
    entries = append_entries(access_log, 60)
    crashing = AccessCountsRunner(access_log, CrashAfterRows(connector, crash_on=3), batch_size=10)
    with pytest.raises(RuntimeError):
        crashing.catch_up()
    view = ClickHouseAccessCountsView(connector)
    assert view.position() == 20, "the crashed batch's position was never recorded"

    entries += append_entries(access_log, 15)  # the log goes on while the projector is down
    restarted = AccessCountsRunner(access_log, view, batch_size=10)
    assert restarted.catch_up() == 55
    assert view.position() == access_log.max_id()

    expected = hand_count(entries)
    assert counted(connector) == expected
    assert sum(expected.values()) == 75
    assert any(key[5] == "000.00.02.H22" for key in expected), "a dossier's receiving unit is counted"
    assert AccessCountsRunner(access_log, view).run_once() == 0, "nothing is projected twice"


def test_a_replayed_batch_changes_no_count(access_log: AccessLog, connector: Connector) -> None:
    entries = append_entries(access_log, 12)
    view = ClickHouseAccessCountsView(connector)
    AccessCountsRunner(access_log, view, batch_size=5).catch_up()
    db = connector.database
    connector.call(lambda c: c.command(f"INSERT INTO `{db}`.access_log_counts SELECT * FROM `{db}`.access_log_counts"))
    connector.call(lambda c: c.insert(f"`{db}`.projection_tracking", [["AccessLogCounts", 0]],
                                      column_names=["name", "position"]))
    assert counted(connector) == hand_count(entries)


def test_the_counts_table_holds_no_personal_data(connector: Connector) -> None:
    rows = connector.call(lambda c: c.query(
        "SELECT name FROM system.columns WHERE database = {d:String} AND table = 'access_log_counts' "
        "ORDER BY position", parameters={"d": connector.database}).result_rows)
    assert [r[0] for r in rows] == ["entry_id", "day", "kind", "outcome", "actor_role", "actor_unit",
                                    "receiving_unit"]


def test_the_statistics_loop_projects_the_access_log(tmp_path: Path, statistics_dsn: str) -> None:  # noqa: F811
    from ops.access_counts import open_access_log
    from ops.settings import load_settings
    from ops.statistics import run_statistics

    settings = load_settings({}, data_dir=str(tmp_path / "var"), **FAST_PASSWORD_HASHING)
    settings.data_path.mkdir(parents=True, exist_ok=True)
    log = open_access_log(settings)
    entries = append_entries(log, 9)
    target = resolve(parse_dsn(statistics_dsn))
    stop = threading.Event()
    thread = threading.Thread(target=run_statistics, args=(settings, stop), kwargs={"target": target}, daemon=True)
    thread.start()
    connector = Connector(target)
    try:
        for _ in range(300):
            try:
                if ClickHouseAccessCountsView(connector).position() == log.max_id():
                    break
            except Exception:  # the tables may not exist yet
                pass
            stop.wait(0.1)
        assert sum(counted(connector).values()) == len(entries)
    finally:
        stop.set()
        thread.join(10)
        connector.close()
        log.close()
