"""Fixtures for integration tests against the real PostgreSQL server.

Every test gets a schema of its own (``t_<random>``), dropped afterwards: other engineers'
test runs use the same ``test`` database at the same time, so nothing here may touch a table
it did not create. eventsourcing puts its tables, composite types and indexes in the schema
named by ``POSTGRES_SCHEMA``, which makes the schema a complete sandbox.
"""

from __future__ import annotations

from collections.abc import Iterator
from uuid import uuid4

import psycopg
import pytest
from eventsourcing.postgres import PostgresDatastore
from psycopg.sql import SQL, Identifier

PG_DBNAME = "test"
PG_HOST = "127.0.0.1"
PG_PORT = "5432"
PG_USER = "postgres"
PG_PASSWORD = ""
PG_CONNINFO = f"dbname={PG_DBNAME} host={PG_HOST} port={PG_PORT} user={PG_USER}"


def _admin_connection() -> psycopg.Connection[tuple[object, ...]]:
    try:
        return psycopg.connect(PG_CONNINFO, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as exc:  # say what to do instead of a bare traceback
        pytest.fail(
            f"PostgreSQL is not reachable at {PG_HOST}:{PG_PORT} ({exc}). Start it with: "
            "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
        )


@pytest.fixture
def pg_schema() -> Iterator[str]:
    """A fresh schema, dropped with everything in it when the test ends."""
    schema = f"t_{uuid4().hex[:16]}"
    with _admin_connection() as conn:
        conn.execute(SQL("CREATE SCHEMA {}").format(Identifier(schema)))
    try:
        yield schema
    finally:
        with _admin_connection() as conn:
            # Never hang the suite on a connection a failed test left behind.
            conn.execute("SET lock_timeout = '10s'")
            conn.execute(SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(Identifier(schema)))


@pytest.fixture
def pg_env(pg_schema: str) -> dict[str, str]:
    """eventsourcing environment for our PostgreSQL factory in the test's schema."""
    return {
        "PERSISTENCE_MODULE": "adapters.eventstore.postgres",
        "POSTGRES_DBNAME": PG_DBNAME,
        "POSTGRES_HOST": PG_HOST,
        "POSTGRES_PORT": PG_PORT,
        "POSTGRES_USER": PG_USER,
        "POSTGRES_PASSWORD": PG_PASSWORD,
        "POSTGRES_SCHEMA": pg_schema,
        "POSTGRES_POOL_SIZE": "2",
        "POSTGRES_MAX_OVERFLOW": "4",
    }


def make_pg_datastore(
    schema: str, *, pool_size: int = 2, max_overflow: int = 10
) -> PostgresDatastore:
    """A datastore in ``schema`` with a small pool (the server's connections are shared)."""
    return PostgresDatastore(
        dbname=PG_DBNAME,
        host=PG_HOST,
        port=PG_PORT,
        user=PG_USER,
        password=PG_PASSWORD,
        schema=schema,
        pool_size=pool_size,
        max_overflow=max_overflow,
    )


@pytest.fixture
def pg_datastore(pg_schema: str) -> Iterator[PostgresDatastore]:
    datastore = make_pg_datastore(pg_schema)
    try:
        yield datastore
    finally:
        datastore.close()


@pytest.fixture
def pg_conninfo() -> str:
    """libpq connection string of the test database (for connections of our own)."""
    return PG_CONNINFO
