"""Issue 4's "ClickHouse unavailable" show case at the projection: the runner pointed at an address
where nothing listens keeps retrying, events keep being stored, the position recorded in the
statistics store does not move; pointed back at the reachable store it catches up, and every
figure equals a from-scratch projection of the same events.
(Over HTTP the 503 + Retry-After and the commands still accepted are in
tests/e2e/test_statistics_api.py.)
"""

from __future__ import annotations

import socket
import threading
import time

from adapters.clickhouse.engine import parse_dsn, resolve
from adapters.clickhouse.view import ClickHouseStatisticsView
from ops.statistics import run_statistics
from tests.chdb import chdb_directory, drop, fresh_dsn  # noqa: F401
from tests.integration.test_clickhouse_statistics import _connector, _figures, _project, store  # noqa: F401
from tests.unit.dossier_fixtures import CALENDAR, RECEPTION, Clock, local, submit


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run_for(settings, target, until) -> None:
    """``run_statistics`` on a thread until ``until()`` holds (at most 30 s)."""
    stop = threading.Event()
    thread = threading.Thread(target=run_statistics, args=(settings, stop),
                              kwargs={"target": target, "first_delay": 0.05, "max_delay": 0.2})
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not until():
            assert thread.is_alive(), "the runner must never die"
            assert time.monotonic() < deadline, "condition not reached"
            time.sleep(0.05)
        assert thread.is_alive()
    finally:
        stop.set()
        thread.join(10)
    assert not thread.is_alive()


def test_an_outage_leaves_the_position_alone_and_the_catch_up_equals_a_from_scratch_run(store, chdb_directory):
    settings, stream, _ = store
    live, scratch = fresh_dsn(chdb_directory), fresh_dsn(chdb_directory)
    try:
        _, runner = _project(stream, live, batch_size=7)
        runner.run_once()
        watch = ClickHouseStatisticsView(_connector(live))
        before = watch.position()
        assert 0 < before < stream.recorder.max_notification_id()

        nowhere = parse_dsn(f"http://127.0.0.1:{_closed_port()}/motcua")
        started = time.monotonic()
        clock = Clock(local("2026-03-10 08:00"))
        late_comer = submit(clock, number=42)
        late_comer.receive(RECEPTION, clock.at(local("2026-03-10 09:00")), CALENDAR)
        stream.save(late_comer)  # commands are accepted during the outage
        _run_for(settings, nowhere, lambda: time.monotonic() - started > 1.0)
        assert watch.position() == before

        head = stream.recorder.max_notification_id()
        _run_for(settings, resolve(parse_dsn(live)),
                 lambda: watch.position() >= head)

        _, fresh = _project(stream, scratch)
        fresh.catch_up()
        assert _figures(live) == _figures(scratch)
        assert _figures(live) != {}
    finally:
        drop(live), drop(scratch)
