"""A dossier loads from its snapshot and later events in one read, and exactly as its replay.

On PostgreSQL the repository asks the recorder for both at once (`postgres_load`); on SQLite it
loads the library's way. The PostgreSQL recorder's own event reads (rows as tuples) answer as the
library's. Either way every version, below, at and after the snapshot, equals the
fold of the stream's events up to that version.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import uuid4

import eventsourcing.postgres as es_pg
import pytest
from eventsourcing.application import AggregateNotFoundError, project_aggregate

from adapters.catalogue.seed import SeedCatalogue
from adapters.eventstore.postgres import MotcuaPostgresApplicationRecorder
from application.clock import SimulatedClock
from application.dossiers import Dossiers, Submission
from domain.actor import Actor, Role
from ops.settings import Settings, load_settings
from ops.wiring import build_dossiers
from tests.pg import DATABASE_URL, fresh_schema

CITIZEN = Actor(id="citizen-1", role=Role.CITIZEN, name="Nguyễn Văn An")
RECEPTION = Actor(id="officer-1", role=Role.RECEPTION_OFFICER, unit="000.00.01.H22", name="Lê Văn Cường")


def _settings(store: str, tmp_path: Any) -> Iterator[Settings]:
    if store == "sqlite":
        yield load_settings({}, data_dir=str(tmp_path))
    else:
        with fresh_schema("l") as schema:
            yield load_settings({}, data_dir=str(tmp_path), database_url=DATABASE_URL, postgres_schema=schema,
                                postgres_pool_size=2)


def _app(settings: Settings) -> Iterator[Dossiers]:
    dossiers = build_dossiers(settings, SimulatedClock(datetime(2026, 3, 2, 2, 0, tzinfo=UTC)), SeedCatalogue())
    try:
        yield dossiers
    finally:
        dossiers.close()


@pytest.fixture(params=["sqlite", "postgres"])
def app(request: Any, tmp_path: Any) -> Iterator[Dossiers]:
    for settings in _settings(request.param, tmp_path):
        yield from _app(settings)


@pytest.fixture
def pg_app(tmp_path: Any) -> Iterator[Dossiers]:
    for settings in _settings("postgres", tmp_path):
        yield from _app(settings)


def _long_dossier(app: Dossiers, versions: int) -> str:
    clock = app.clock
    assert isinstance(clock, SimulatedClock)
    filed = app.submit(CITIZEN, Submission(procedure_code="2.001610", channel="online", form={},
                                           applicant={"name": "Nguyễn Văn An", "id_number": "001099000001"}))
    version = app.receive(RECEPTION, filed.code, 1).version
    while version < versions:
        clock.advance(timedelta(minutes=3))
        version = app.post_message(RECEPTION, filed.code, version, text=f"Tin nhắn {version}").version
    return filed.code


def test_every_version_loads_as_the_replay_of_its_events_before_at_and_after_the_snapshot(app: Dossiers) -> None:
    code = _long_dossier(app, 57)
    dossier_id = app.load(code).id
    assert [s.originator_version for s in app.snapshots.get(dossier_id)] == [50]
    events = list(app.events.get(dossier_id))
    for version in (1, 2, 49, 50, 51, 57, None):
        upto = events if version is None else events[:version]
        assert vars(app.repository.get(dossier_id, version=version)) == vars(project_aggregate(None, upto)), version


def test_on_postgresql_a_load_is_one_read_and_never_asks_the_snapshot_store_alone(
    pg_app: Dossiers, monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = pg_app
    assert isinstance(app.recorder, MotcuaPostgresApplicationRecorder)
    code = _long_dossier(app, 53)
    dossier_id = app.load(code).id
    expected = vars(project_aggregate(None, app.events.get(dossier_id)))
    assert app.snapshots is not None

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("a second read")

    monkeypatch.setattr(app.snapshots.recorder, "select_events", refuse)
    monkeypatch.setattr(app.recorder, "select_events", refuse)
    assert vars(app.repository.get(dossier_id)) == expected
    with pytest.raises(AggregateNotFoundError):
        app.repository.get(uuid4())


def test_on_postgresql_the_events_read_as_tuples_are_those_the_library_reads(pg_app: Dossiers) -> None:
    app = pg_app
    code = _long_dossier(app, 12)
    dossier_id = app.load(code).id
    library = es_pg.PostgresAggregateRecorder.select_events
    cases = [{}, {"gt": 3}, {"lte": 7}, {"gt": 3, "lte": 7}, {"gt": 4, "lte": 5}, {"gt": 12},
             {"desc": True}, {"desc": True, "limit": 1}, {"limit": 4}, {"gt": 2, "lte": 9, "desc": True, "limit": 3}]

    for case in cases:
        ours = app.recorder.select_events(dossier_id, **case)
        assert ours == library(app.recorder, dossier_id, **case), case
    assert [e.originator_version for e in app.recorder.select_events(dossier_id, gt=2, lte=9, desc=True, limit=3)] \
        == [9, 8, 7]
    assert app.recorder.select_events(uuid4()) == []


def test_on_postgresql_pages_of_notifications_are_those_the_library_reads(pg_app: Dossiers) -> None:
    app = pg_app
    _long_dossier(app, 12)
    library = es_pg.PostgresApplicationRecorder.select_notifications
    last = app.recorder.max_notification_id() or 0
    topics = sorted({n.topic for n in library(app.recorder, None, 100)})
    assert last > 10 and len(topics) > 1
    cases = [(None, 100, {}), (1, 5, {}), (3, 100, {"inclusive_of_start": False}), (2, 100, {"stop": last - 3}),
             (None, 4, {"stop": 6}), (1, 100, {"topics": topics[:1]}), (1, 100, {"topics": tuple(topics[1:])}),
             (4, 3, {"topics": topics, "stop": last - 1, "inclusive_of_start": False}),
             (last + 1, 10, {}), (1, 100, {"topics": ["no.such:Topic"]})]

    for start, limit, options in cases:
        ours = app.recorder.select_notifications(start, limit, **options)
        assert ours == library(app.recorder, start, limit, **options), (start, limit, options)
    assert [n.id for n in app.recorder.select_notifications(3, 2, inclusive_of_start=False)] == [4, 5]
