"""Both SQL views of the lookup index, on a real SQLite file and a real PostgreSQL schema.

One store per backend per module: dossiers written through the real aggregate (seeded random
walks), projected by our runner, then queried through a separate read-only view, as API
processes do. Expected answers come from `fold`, the in-memory meaning of the same events.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError, Tracking
from psycopg.sql import SQL, Identifier

from adapters.index.postgres import PostgresDossierIndexView
from application.dossier_index import DossierSummary, InvalidCursor, Page
from domain.dossier import Command, LocalStatus
from ops.projectors import (
    build_index_runner,
    build_index_view,
    start_embedded_projectors,
)
from ops.settings import Settings, load_settings
from ops.stores import store_env
from projections.dossier_index import DossierChanged, DossierIndexView, IndexRowMissing
from projections.runner import ProjectionAlreadyRunning
from projections.sources import DossierStream
from tests.integration.conftest import PG_CONNINFO
from tests.integration.index_projector_process import (
    MemoryDossierIndexView,
    rebuild,
    write_dossiers,
)
from tests.unit.dossier_fixtures import (
    CONSULTED_UNIT,
    OTHER_UNIT,
    UNIT,
    Clock,
    issue,
    local,
    submit,
)

PG_URL = "postgresql://postgres@127.0.0.1:5432/test"
NOWS = (local("2026-03-04 10:00"), local("2026-03-12 10:00"), local("2026-04-20 10:00"))


def sqlite_settings(path: Path) -> Settings:
    return load_settings({}, data_dir=str(path), projection_poll_interval=0.02)


def pg_settings(schema: str) -> Settings:
    return load_settings({}, database_url=PG_URL, postgres_schema=schema, postgres_pool_size=2)


def schema_scope() -> Generator[str, None, None]:
    schema = f"t_{uuid4().hex[:16]}"
    with psycopg.connect(PG_CONNINFO, autocommit=True) as conn:
        conn.execute(SQL("CREATE SCHEMA {}").format(Identifier(schema)))
    try:
        yield schema
    finally:
        with psycopg.connect(PG_CONNINFO, autocommit=True) as conn:
            conn.execute("SET lock_timeout = '10s'")
            conn.execute(SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(Identifier(schema)))


@dataclass
class Indexed:
    settings: Settings
    view: DossierIndexView
    rows: dict[str, DossierSummary]


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def indexed(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
            ) -> Iterator[Indexed]:
    schemas = schema_scope() if request.param == "postgres" else None
    settings = (pg_settings(next(schemas)) if schemas
                else sqlite_settings(tmp_path_factory.mktemp("index")))
    app = DossierStream(store_env(settings, "Dossiers"))
    try:
        write_dossiers(app, 80, seed=11)
        last = app.recorder.max_notification_id() or 0
        started = time.monotonic()
        with build_index_runner(settings) as runner:
            assert runner.view.wait_for(last, timeout=60)
        elapsed = time.monotonic() - started
        print(f"\n{request.param}: {last} notifications projected in {elapsed:.2f}s "
              f"({last / elapsed:.0f}/s, runner start included)")
        expected = MemoryDossierIndexView()
        rebuild(store_env(settings, "Dossiers"), expected)
        view = build_index_view(settings)
        yield Indexed(settings, view, expected.rows)
        view.datastore.close()  # type: ignore[attr-defined]
    finally:
        app.close()
        if schemas:
            schemas.close()


def pages(fetch: Callable[[str | None], Page], limit: int) -> list[DossierSummary]:
    """Every page until the last, checking sizes and that no row repeats."""
    items: list[DossierSummary] = []
    cursor: str | None = None
    while True:
        page = fetch(cursor)
        assert len(page.items) <= limit
        items += page.items
        if page.next_cursor is None:
            break
        assert len(page.items) == limit
        cursor = page.next_cursor
    assert len({i.code for i in items}) == len(items)
    return items


def test_every_row_equals_the_fold_of_its_events(indexed: Indexed) -> None:
    assert len(indexed.rows) == 80
    for row in indexed.rows.values():
        assert indexed.view.get_by_code(row.code) == row
    assert indexed.view.get_by_code(f"{UNIT}-260302-9999") is None
    assert indexed.view.position() >= max(r.position for r in indexed.rows.values())


def test_the_event_loop_look_up_answers_like_the_thread_one_on_the_loop_it_opened_on(
    indexed: Indexed, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = list(indexed.rows.values())[:20]

    async def on_one_loop() -> list[DossierSummary | None]:
        await indexed.view.open_on_loop()
        try:
            return [await indexed.view.find_by_code(r.code) for r in rows] + [
                await indexed.view.find_by_code(f"{UNIT}-260302-9999")]
        finally:
            await indexed.view.close_on_loop()

    if isinstance(indexed.view, PostgresDossierIndexView):
        # PostgreSQL answers on the loop itself: the thread path must not be taken.
        monkeypatch.setattr(indexed.view, "get_by_code", lambda code: pytest.fail("took the thread path"))
    assert asyncio.run(on_one_loop()) == [*rows, None]
    monkeypatch.undo()

    async def on_a_loop_it_was_not_opened_on() -> DossierSummary | None:
        return await indexed.view.find_by_code(rows[0].code)

    assert asyncio.run(on_a_loop_it_was_not_opened_on()) == rows[0]


@pytest.mark.parametrize("indexed", ["postgres"], indirect=True)
def test_the_event_loop_look_up_survives_the_server_ending_its_connections(indexed: Indexed) -> None:
    row = next(iter(indexed.rows.values()))

    async def look_up_after_ending_connections() -> DossierSummary | None:
        await indexed.view.open_on_loop()
        try:
            assert await indexed.view.find_by_code(row.code) == row
            with psycopg.connect(PG_CONNINFO, autocommit=True) as admin:
                ended = admin.execute(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE pid <> pg_backend_pid() AND query LIKE %s",  # the loop's own statement
                    ('%dossier_index" WHERE code = $1',)).fetchall()
            assert ended
            return await indexed.view.find_by_code(row.code)
        finally:
            await indexed.view.close_on_loop()

    assert asyncio.run(look_up_after_ending_connections()) == row


def test_an_applicants_pages_list_each_of_their_dossiers_once_newest_first(
    indexed: Indexed,
) -> None:
    accounts = {r.applicant_account for r in indexed.rows.values()}
    assert len(accounts) > 1
    for account in [*accounts, "nobody"]:
        expected = sorted((r for r in indexed.rows.values() if r.applicant_account == account),
                          key=lambda r: (r.submitted_at, r.code), reverse=True)
        got = pages(lambda c, a=account: indexed.view.list_by_applicant(  # type: ignore[misc]
            a, after_cursor=c, limit=7), 7)
        assert got == expected


@pytest.mark.parametrize("units", [{UNIT}, {OTHER_UNIT}, {CONSULTED_UNIT}, {UNIT, OTHER_UNIT}])
@pytest.mark.parametrize("filters", [
    {}, {"waiting": True}, {"waiting": False}, {"overdue": True}, {"overdue": False},
    {"status": LocalStatus.PROCESSING.value}, {"national_status": 4},
    {"officer": "officer-2"}, {"overdue": True, "waiting": True},
])
def test_worklist_pages_give_the_dossiers_in_scope_most_urgent_first(
    indexed: Indexed, units: set[str], filters: dict[str, Any]
) -> None:
    for now in NOWS:
        expected = sorted(
            (r for r in indexed.rows.values() if in_worklist(r, units, now, **filters)),
            key=lambda r: (r.queue_at, r.code),
        )
        got = pages(lambda c, n=now: indexed.view.worklist(  # type: ignore[misc]
            frozenset(units), now=n, after_cursor=c, limit=5, **filters), 5)
        assert got == expected


def in_worklist(row: DossierSummary, units: set[str], now: datetime, *, officer: object = None,
                status: object = None, national_status: object = None,
                overdue: object = None, waiting: object = None) -> bool:
    return (
        (row.current_unit in units or row.receiving_unit in units)
        and officer in (None, row.current_officer) and status in (None, row.status)
        and national_status in (None, row.national_status)
        and waiting in (None, row.waiting) and overdue in (None, row.is_overdue(now))
    )


def test_overdue_is_computed_at_query_time(indexed: Indexed) -> None:
    def overdue(now: datetime) -> set[str]:
        page = indexed.view.worklist(frozenset({UNIT}), overdue=True, now=now, limit=200)
        return {r.code for r in page.items}

    early, late = overdue(NOWS[0]), overdue(NOWS[2])
    assert early < late
    assert late == {r.code for r in indexed.rows.values() if r.is_overdue(NOWS[2])}


def test_a_foreign_or_garbled_cursor_and_a_bad_limit_are_refused(indexed: Indexed) -> None:
    applicant_page = indexed.view.list_by_applicant("citizen-1", limit=1)
    assert applicant_page.next_cursor is not None
    for cursor in ("garbage", applicant_page.next_cursor):
        with pytest.raises(InvalidCursor):
            indexed.view.worklist(frozenset({UNIT}), now=NOWS[0], after_cursor=cursor)
    with pytest.raises(ValueError, match="limit"):
        indexed.view.list_by_applicant("citizen-1", limit=0)
    assert indexed.view.worklist(frozenset(), now=NOWS[0]) == Page([], None)


def test_rows_and_the_position_commit_together_or_not_at_all(indexed: Indexed) -> None:
    view, position = indexed.view, indexed.view.position()
    row = next(iter(indexed.rows.values()))
    change = DossierChanged(row.id, row.version + 1, position, "completed", 9, False)
    with pytest.raises(IntegrityError):  # already processed: the row must not change
        view.apply((change,), Tracking("Dossiers", position))
    with pytest.raises(IndexRowMissing):  # a failing change: the position must not move
        view.apply((replace(change, dossier_id=str(uuid4())),), Tracking("Dossiers", position + 1))
    assert view.get_by_code(row.code) == row and view.position() == position


@pytest.fixture(params=["sqlite", "postgres"])
def fresh_settings(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    if request.param == "sqlite":
        yield sqlite_settings(tmp_path)
    else:
        yield from (pg_settings(schema) for schema in schema_scope())


def test_a_writer_reads_its_own_write_after_waiting_for_its_position(
    fresh_settings: Settings,
) -> None:
    app = DossierStream(store_env(fresh_settings, "Dossiers"))  # creates the store's tables
    projectors = start_embedded_projectors(fresh_settings)
    try:
        codes = write_dossiers(app, 3, seed=5)
        dossier = submit(Clock(), number=500)
        issue(dossier, Command.RECEIVE, Clock())
        position = app.save(dossier)[-1].notification.id
        assert projectors.index.wait_for(position, timeout=10)
        assert projectors.index.position() == position
        row = projectors.index.get_by_code(dossier.code)
        assert row is not None and row.version == dossier.version == 2
        assert all(projectors.index.get_by_code(code) for code in codes)
        started = time.monotonic()
        assert not projectors.index.wait_for(position + 1, timeout=0.3)
        assert 0.3 <= time.monotonic() - started < 1.0
        with pytest.raises(ProjectionAlreadyRunning):
            build_index_runner(fresh_settings)
    finally:
        projectors.stop()
        app.close()
    with build_index_runner(fresh_settings) as runner:  # the lock went with the stop
        assert runner.view.position() == position
