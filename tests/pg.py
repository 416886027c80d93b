"""A throw-away PostgreSQL schema for tests that run a whole container on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from uuid import uuid4

import psycopg
from psycopg.sql import SQL, Identifier

DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/test"
CONNINFO = "dbname=test host=127.0.0.1 port=5432 user=postgres"


@contextmanager
def fresh_schema(prefix: str = "e") -> Iterator[str]:
    schema = f"{prefix}_{uuid4().hex[:16]}"
    with psycopg.connect(CONNINFO, autocommit=True, connect_timeout=5) as conn:
        conn.execute(SQL("CREATE SCHEMA {}").format(Identifier(schema)))
    try:
        yield schema
    finally:
        with psycopg.connect(CONNINFO, autocommit=True, connect_timeout=5) as conn:
            conn.execute("SET lock_timeout = '10s'")
            conn.execute(SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(Identifier(schema)))
