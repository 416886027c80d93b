"""Statistics in real chDB: migrations, hand-worked report figures, exactly-once, unavailability."""

from __future__ import annotations

import socket
import threading
import time
from datetime import date, timedelta
from typing import Any

import pytest

from adapters.clickhouse.engine import Connector, parse_dsn, resolve
from adapters.clickhouse.migrate import migrate
from adapters.clickhouse.reports import ClickHouseStatistics
from adapters.clickhouse.view import ClickHouseStatisticsView
from application.statistics import Scope, StatisticsUnavailable
from domain.dossier import Dossier
from ops.settings import load_settings
from ops.statistics import StatisticsRunner, open_stream, run_statistics
from tests.chdb import chdb_directory, fresh_dsn, drop, statistics_dsn  # noqa: F401
from tests.unit.dossier_fixtures import (
    CALENDAR, CITIZEN, HANDLER, LEADER, OTHER_UNIT, RECEPTION, SHA, SYSTEM, UNIT, Clock, local, submit,
)

RANGE = Scope(units=frozenset({UNIT}), date_from=date(2026, 3, 9), date_to=date(2026, 3, 13))


def _connector(dsn: str) -> Connector:
    return Connector(resolve(parse_dsn(dsn)))


def _received(number: int, at: str, **overrides: Any) -> tuple[Dossier, Clock]:
    clock = Clock(local("2026-03-02 07:00") if at < "2026-03-09" else local(at[:10] + " 07:00"))
    dossier = submit(clock, number=number, **overrides)
    dossier.receive(RECEPTION, clock.at(local(at)), CALENDAR)
    return dossier, clock


def _complete(d: Dossier, clock: Clock, at: str, *, electronic: bool = True) -> None:
    d.hand_over(RECEPTION, clock.at(local(at) - timedelta(hours=1)), to_unit=OTHER_UNIT)
    d.approve_result(LEADER, clock.at(local(at) - timedelta(minutes=30)), summary="ok",
                     electronic=electronic, signed_by="L")
    d.complete(RECEPTION, clock.at(local(at)), calendar=CALENDAR, electronic_result=electronic)


def _doc(d: Dossier, clock: Clock, at: str, *, digitised: bool, reused: bool) -> None:
    d.attach_document(CITIZEN, clock.at(local(at)), component="c", name="a.pdf", size=10,
                      media_type="application/pdf", sha256=SHA, digitised=digitised, reused=reused)


def hand_built_dossiers() -> list[Dossier]:
    """Ten dossiers around the week 2026-03-09..13 (see the expectations below)."""
    a, ca = _received(1, "2026-03-02 09:00")
    _complete(a, ca, "2026-03-06 10:00")  # finished before the range: not counted
    b, cb = _received(2, "2026-03-02 09:00")  # due Mon 03-09 09:00
    _complete(b, cb, "2026-03-09 08:00")  # on time, electronic
    b.return_result(RECEPTION, cb.at(local("2026-03-10 10:00")), method="counter")
    b.rate(CITIZEN, cb.at(local("2026-03-10 11:00")), score=3)
    c, cc = _received(3, "2026-03-02 09:00")
    _complete(c, cc, "2026-03-10 10:00", electronic=False)  # late
    d, _ = _received(4, "2026-03-02 09:00")  # open and overdue at the end
    e, ce = _received(5, "2026-03-10 09:00", channel="counter")  # new, waiting, within deadline
    _doc(e, ce, "2026-03-10 09:30", digitised=True, reused=False)
    e.request_supplement(HANDLER, ce.at(local("2026-03-11 09:00")), items=["x"], reason="thiếu")
    f, cf = _received(6, "2026-03-11 09:00")  # new online, fee paid online, early, rated 5
    f.request_financial_obligation(HANDLER, cf.at(local("2026-03-11 10:00")), amount=1000, items=["phí"])
    f.pay_fee(SYSTEM, cf.at(local("2026-03-11 11:00")), calendar=CALENDAR, amount=1000,
              paid_online=True, receipt_ref="r")
    _complete(f, cf, "2026-03-12 10:00")
    f.rate(CITIZEN, cf.at(local("2026-03-12 11:00")), score=5)
    gclock = Clock(local("2026-03-10 08:00"))
    g = submit(gclock, number=7)
    g.refuse_reception(RECEPTION, gclock.at(local("2026-03-10 09:00")), reason="sai")
    h, ch = _received(8, "2026-03-02 09:00")  # stopped after its due instant: late
    h.stop_processing(HANDLER, ch.at(local("2026-03-11 09:00")), calendar=CALENDAR, reason="giả")
    i, ci = _received(9, "2026-03-12 09:00", channel="postal")  # new, withdrawn early
    _doc(i, ci, "2026-03-12 09:30", digitised=False, reused=True)
    i.request_withdrawal(CITIZEN, ci.at(local("2026-03-12 10:00")), reason="thôi")
    i.accept_withdrawal(RECEPTION, ci.at(local("2026-03-13 10:00")), calendar=CALENDAR)
    j, _ = _received(10, "2026-03-16 09:00")  # after the range
    other, _ = _received(11, "2026-03-10 09:00", receiving_unit=OTHER_UNIT,
                         code=f"{OTHER_UNIT}-260310-0001")  # another unit
    return [a, b, c, d, e, f, g, h, i, j, other]


EXPECTED = dict(
    received=7, carried_over=4, new=3, new_online=1, new_counter=1, new_postal=1, finished=5,
    early=2, on_time=1, late=2, completed=3, stopped=1, withdrawn=1, in_progress=2,
    within_deadline=1, overdue=1, waiting=1, returned=1, refused=1,
)


@pytest.fixture
def store(tmp_path):
    settings = load_settings({}, data_dir=str(tmp_path / "var"))
    stream = open_stream(settings)
    dossiers = hand_built_dossiers()
    for dossier in dossiers:
        stream.save(dossier)
    yield settings, stream, dossiers
    stream.close()


def _project(stream: Any, dsn: str, batch_size: int = 2000) -> tuple[Connector, StatisticsRunner]:
    connector = _connector(dsn)
    view = ClickHouseStatisticsView(connector)
    view.migrate()
    return connector, StatisticsRunner(stream, view, batch_size=batch_size)


def _figures(dsn: str) -> dict[str, Any]:
    stats = ClickHouseStatistics(_connector(dsn))
    scopes = [RANGE, Scope(frozenset(), date(2026, 3, 1), date(2026, 3, 31)),
              Scope(frozenset({UNIT}), date(2026, 3, 2), date(2026, 3, 2), procedure_code="1.001234"),
              Scope(frozenset({UNIT}), date(2026, 3, 10), date(2026, 3, 10), field="xay-dung")]
    return {str(s): (stats.status_report(s), stats.service_index(s)) for s in scopes}


def test_migrations_apply_once_and_are_recorded(statistics_dsn: str) -> None:
    connector = _connector(statistics_dsn)
    assert connector.call(lambda c: migrate(c, connector.database)) == [1, 2, 3]
    assert connector.call(lambda c: migrate(c, connector.database)) == []
    tables = connector.call(lambda c: c.query(
        "SELECT name FROM system.tables WHERE database = {d:String} ORDER BY name",
        parameters={"d": connector.database}).result_rows)
    assert [t[0] for t in tables] == ["access_log_counts", "dossier_events", "dossier_latest", "dossier_latest_feed", "dossier_states",
                                      "projection_tracking", "schema_migrations"]


def test_report_figures_match_the_hand_worked_expectations(store, statistics_dsn: str) -> None:
    _, stream, dossiers = store
    _, runner = _project(stream, statistics_dsn)
    assert runner.catch_up() > 0
    stats = ClickHouseStatistics(_connector(statistics_dsn))
    report = stats.status_report(RANGE)
    assert {k: getattr(report, k) for k in EXPECTED} == EXPECTED
    assert report.received == report.carried_over + report.new == report.finished + report.in_progress
    assert report.finished == report.early + report.on_time + report.late
    assert report.finished == report.completed + report.stopped + report.withdrawn
    assert report.in_progress == report.within_deadline + report.overdue

    index = stats.service_index(RANGE)
    b, c, f = dossiers[1], dossiers[2], dossiers[5]
    assert (index.on_time_rate.numerator, index.on_time_rate.denominator) == (4, 7)
    net = b.net_working_hours + c.net_working_hours + f.net_working_hours
    assert index.average_processing_days.denominator == 3
    assert index.average_processing_days.numerator == pytest.approx(net / 8)
    assert b.net_working_hours == pytest.approx(39.0)  # Mon 09:00 -> next Mon 08:00
    assert (index.share_online.numerator, index.share_online.denominator) == (1, 3)
    assert (index.share_paid_online.numerator, index.share_paid_online.denominator) == (1, 1)
    assert (index.share_electronic_result.numerator, index.share_electronic_result.denominator) == (2, 3)
    assert (index.share_digitised.numerator, index.share_digitised.denominator) == (1, 3)
    assert (index.share_reusing_data.numerator, index.share_reusing_data.denominator) == (1, 3)
    assert (index.satisfaction.numerator, index.satisfaction.denominator) == (1, 2)
    assert index.satisfaction.value == 0.5


def test_an_empty_scope_gives_no_ratio_rather_than_zero(store, statistics_dsn: str) -> None:
    _, stream, _ = store
    _project(stream, statistics_dsn)[1].catch_up()
    index = ClickHouseStatistics(_connector(statistics_dsn)).service_index(
        Scope(frozenset({"000.99.99.H22"}), date(2026, 3, 9), date(2026, 3, 13)))
    assert index.on_time_rate.denominator == 0 and index.on_time_rate.value is None
    assert index.satisfaction.value is None


def test_the_range_end_is_the_last_instant_of_the_last_local_date(store, statistics_dsn: str) -> None:
    """D is overdue from Mon 03-09 09:00 local: a range ending Sun 03-08 shows it within deadline."""
    _, stream, _ = store
    _project(stream, statistics_dsn)[1].catch_up()
    stats = ClickHouseStatistics(_connector(statistics_dsn))
    before = stats.status_report(Scope(frozenset({UNIT}), date(2026, 3, 2), date(2026, 3, 8)))
    assert (before.overdue, before.completed) == (0, 1)  # only A (03-06) finished by then
    assert before.received == before.finished + before.in_progress == 5


def _stop_merges(dsn: str) -> None:
    connector = _connector(dsn)
    for table in ("dossier_events", "dossier_states", "dossier_latest", "projection_tracking"):
        connector.call(lambda c, t=table: c.command(f"SYSTEM STOP MERGES `{connector.database}`.{t}"))


class Killed(Exception):
    pass


class DiesAfterRows(ClickHouseStatisticsView):
    """Inserts a batch's rows, then dies before recording the position (the worst moment)."""

    def write(self, events, states, position) -> None:  # type: ignore[override]
        self.connector.call(lambda c: c.insert(f"{self.db}.dossier_states",
                                               [tuple(vars(s).values()) for s in states]))
        raise Killed


def test_kill_restart_and_replay_from_zero_give_identical_figures_with_merges_stopped(store, chdb_directory: str) -> None:
    _, stream, _ = store
    live, replay = fresh_dsn(chdb_directory), fresh_dsn(chdb_directory)
    try:
        connector, runner = _project(stream, live, batch_size=7)
        _stop_merges(live)
        runner.run_once(), runner.run_once()  # about half of the events
        half = runner.view.position()
        dying = StatisticsRunner(stream, DiesAfterRows(connector), batch_size=7)
        with pytest.raises(Killed):
            dying.run_once()
        assert runner.view.position() == half  # the position never runs ahead of the rows
        _, restarted = _project(stream, live, batch_size=7)  # a new process, as after a kill
        restarted.catch_up()
        _, again = _project(stream, live, batch_size=7)
        assert again.catch_up() == 0
        # Replayed twins are really there, unmerged: figures must not depend on merging.
        rows = connector.call(lambda c: c.query(
            f"SELECT count(), uniqExact(dossier_id, version) FROM `{connector.database}`.dossier_states"
        ).result_rows[0])
        assert rows[0] > rows[1]
        newest = connector.call(lambda c: c.query(
            f"SELECT count(), uniqExact(dossier_id) FROM `{connector.database}`.dossier_latest").result_rows[0])
        assert newest[0] > newest[1]  # older versions and twins of the newest rows, unmerged

        _, fresh = _project(stream, replay, batch_size=1000)
        _stop_merges(replay)
        fresh.catch_up()
        assert _figures(live) == _figures(replay)
        assert _figures(live)[str(RANGE)][0].received == EXPECTED["received"]
    finally:
        drop(live), drop(replay)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_an_unreachable_server_is_reported_unavailable_and_the_position_does_not_move(store) -> None:
    settings, stream, _ = store
    dsn = f"http://127.0.0.1:{_closed_port()}/motcua"
    stats = ClickHouseStatistics(_connector(dsn))
    with pytest.raises(StatisticsUnavailable):
        stats.status_report(RANGE)
    with pytest.raises(StatisticsUnavailable):
        stats.position()
    stop = threading.Event()
    thread = threading.Thread(target=run_statistics, args=(settings, stop),
                              kwargs={"target": parse_dsn(dsn), "first_delay": 0.05, "max_delay": 0.2})
    thread.start()
    time.sleep(1.0)
    assert thread.is_alive()  # waits and retries, never dies
    stop.set()
    thread.join(5)
    assert not thread.is_alive()
