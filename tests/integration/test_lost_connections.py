"""A pooled PostgreSQL connection the server has closed costs a retry, not a failed command.

Connections are not pinged before use (`MOTCUA_POSTGRES_PRE_PING` is off by default): a statement
on a connection PostgreSQL has ended fails, the pool drops that connection, and eventsourcing's
retry runs the read or the write again on a fresh one (group commit included).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import psycopg
import pytest

from adapters.catalogue.seed import SeedCatalogue
from application.clock import SimulatedClock
from application.dossiers import Dossiers, Submission
from domain.actor import Actor, Role
from ops.settings import load_settings
from ops.wiring import build_dossiers
from tests.pg import CONNINFO, DATABASE_URL, fresh_schema

CITIZEN = Actor(id="citizen-1", role=Role.CITIZEN, name="Nguyễn Văn An")
RECEPTION = Actor(id="officer-1", role=Role.RECEPTION_OFFICER, unit="000.00.01.H22", name="Lê Văn Cường")


@pytest.fixture
def dossiers(tmp_path) -> Iterator[Dossiers]:
    with fresh_schema("l") as schema:
        settings = load_settings({}, data_dir=str(tmp_path), database_url=DATABASE_URL, postgres_schema=schema,
                                 postgres_pool_size=1)
        assert settings.postgres_pre_ping is False
        app = build_dossiers(settings, SimulatedClock(datetime(2026, 3, 2, 2, 0, tzinfo=UTC)), SeedCatalogue())
        yield app
        app.close()


def _end_pooled_connections(app: Dossiers) -> int:
    """Terminate, from another session, every connection the store's pool holds now."""
    pool = app.recorder.datastore.pool
    held = [pool.getconn() for _ in range(pool.get_stats()["pool_size"])]
    pids = [conn.info.backend_pid for conn in held]
    for conn in held:
        pool.putconn(conn)
    with psycopg.connect(CONNINFO, autocommit=True) as admin:
        for pid in pids:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
    return len(pids)


def test_a_read_and_a_write_after_the_server_ended_the_pooled_connections_succeed(dossiers) -> None:
    code = dossiers.submit(CITIZEN, Submission(procedure_code="2.001610", channel="online", form={},
                                               applicant={"name": "Nguyễn Văn An"})).code
    assert _end_pooled_connections(dossiers) >= 1
    assert dossiers.load(code).version == 1  # a read on a dead connection, retried
    assert _end_pooled_connections(dossiers) >= 1
    assert dossiers.receive(RECEPTION, code, 1).version == 2  # a group-committed write, retried
    assert dossiers.load(code).version == 2
