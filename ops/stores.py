"""eventsourcing environments built from our settings (never from ``os.environ``).

The embedded default gives each application its own SQLite file under the data dir (the stock
SQLite recorder names its table ``stored_events`` whatever the application, so two applications
cannot share a file). On PostgreSQL they share one database and schema; eventsourcing prefixes
table names with the application name.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import unquote, urlparse

import psycopg

from application.audit_chain import AUDIT_CHAIN_KEY_ENV, parse_chain_keyring
from ops.event_keys import cipher_env
from ops.secrets import secret
from ops.settings import Settings, SettingsError

# New records in MessagePack; records the JSON transcoder wrote before still read (docs/performance.md).
TRANSCODER_TOPIC = "adapters.eventstore.compact_transcoder:CompactTranscoder"


def postgres_params(settings: Settings) -> dict[str, str]:
    url = urlparse(settings.database_url)
    if url.scheme not in ("postgresql", "postgres", "postgresql+psycopg"):
        raise SettingsError(
            f"MOTCUA_DATABASE_URL must start with postgresql:// (got {url.scheme or 'nothing'}://)"
        )
    dbname = url.path.lstrip("/")
    if not dbname:
        raise SettingsError("MOTCUA_DATABASE_URL must name a database: postgresql://host:5432/dbname")
    return {
        "POSTGRES_DBNAME": dbname,
        "POSTGRES_HOST": url.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(url.port or 5432),
        "POSTGRES_USER": unquote(url.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(url.password or ""),
        "POSTGRES_SCHEMA": settings.postgres_schema,
    }


def postgres_conninfo(settings: Settings) -> str:
    p = postgres_params(settings)
    parts = {
        "dbname": p["POSTGRES_DBNAME"], "host": p["POSTGRES_HOST"], "port": p["POSTGRES_PORT"],
        "user": p["POSTGRES_USER"],
    }
    if p["POSTGRES_PASSWORD"]:
        parts["password"] = p["POSTGRES_PASSWORD"]
    return " ".join(f"{k}={v}" for k, v in parts.items())


def sqlite_path(settings: Settings, name: str) -> Path:
    return settings.data_path / f"{name.lower()}.sqlite"


def audit_chain_key(settings: Settings) -> str:
    """The audit chain's key as configured (``AUDIT_CHAIN_KEY`` form), made once if empty."""
    key = secret(settings.audit_chain_key, settings.data_path, "audit-chain")
    try:
        parse_chain_keyring(key)
    except ValueError as exc:
        raise SettingsError(f"MOTCUA_AUDIT_CHAIN_KEY: {exc}") from None
    return key


def store_env(settings: Settings, app_name: str) -> dict[str, str]:
    env = {"TRANSCODER_TOPIC": TRANSCODER_TOPIC, AUDIT_CHAIN_KEY_ENV: audit_chain_key(settings)}
    env.update(cipher_env(settings))  # event payloads and snapshots encrypted at rest (docs/keys.md)
    if settings.embedded:
        env.update(
            PERSISTENCE_MODULE="adapters.eventstore.sqlite",
            SQLITE_DBNAME=str(sqlite_path(settings, app_name)),
            SQLITE_LOCK_TIMEOUT="30",
            SQLITE_POLL_INTERVAL=str(settings.projection_poll_interval),
        )
    else:
        env.update(
            PERSISTENCE_MODULE="adapters.eventstore.postgres",
            # One connection kept open per store; the rest opened on demand up to 2 × the pool
            # size and closed again after ten idle minutes (psycopg_pool's max_idle). A fixed
            # pool of eight stores × N per process would hold most of max_connections while idle.
            POSTGRES_POOL_SIZE="1",
            POSTGRES_MAX_OVERFLOW=str(2 * settings.postgres_pool_size - 1),
            POSTGRES_CONNECT_TIMEOUT="10",
            POSTGRES_LOCK_TIMEOUT="5",
            POSTGRES_PRE_PING="y" if settings.postgres_pre_ping else "n",
            GROUP_COMMIT="y" if settings.group_commit else "n",
            GROUP_COMMIT_MAX_WAIT=str(settings.group_commit_max_wait_ms / 1000),
            GROUP_COMMIT_MAX_BATCH=str(settings.group_commit_max_batch),
            **postgres_params(settings),
        )
    return env


@contextmanager
def schema_lock(settings: Settings) -> Iterator[None]:
    """Serialise table creation across processes starting together on one PostgreSQL schema.

    eventsourcing creates its tables (and replaces a function) whenever an application is
    built; two processes doing that at the same instant fail with "tuple concurrently updated".
    Holding a session advisory lock while building makes start-up safe; on SQLite the
    database's own write lock already does this.
    """
    if settings.embedded:
        yield
        return
    key = f"motcua:create-tables:{settings.postgres_schema}"
    with psycopg.connect(postgres_conninfo(settings), autocommit=True, connect_timeout=10) as conn:
        conn.execute("SELECT pg_advisory_lock(hashtext(%s))", (key,))
        try:
            yield
        finally:
            conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (key,))
