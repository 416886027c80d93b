"""Versioned schema migrations: `migrations/NNNN_name.sql`, recorded in `schema_migrations`.

Applied in order, each once: `migrate(client, database)` creates the database and the
`schema_migrations` table, skips the versions recorded there and records each one after its
statements ran. Every statement is `IF NOT EXISTS`-safe, so a migration interrupted midway is
simply run again. `{db}` in a file stands for the database.
"""

from __future__ import annotations

import re
import threading
from datetime import UTC, datetime
from importlib import resources
from typing import Any

_FILE = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
_LOCK = threading.Lock()
"""Threads of one process (the projector and the queries) never run the DDL at once."""


def migrations() -> list[tuple[int, str, str]]:
    """(version, name, sql) of every migration file, in version order."""
    found = []
    for entry in resources.files("adapters.clickhouse.migrations").iterdir():
        match = _FILE.match(entry.name)
        if match:
            found.append((int(match[1]), match[2], entry.read_text(encoding="utf-8")))
    return sorted(found)


def statements(sql: str, database: str) -> list[str]:
    text = "\n".join(line for line in sql.splitlines() if not line.strip().startswith("--"))
    return [s.strip().replace("{db}", f"`{database}`") for s in text.split(";") if s.strip()]


def applied(client: Any, database: str) -> set[int]:
    rows = client.query(f"SELECT DISTINCT version FROM `{database}`.schema_migrations").result_rows
    return {int(r[0]) for r in rows}


def migrate(client: Any, database: str) -> list[int]:
    """Apply the missing migrations; returns the versions applied now (idempotent)."""
    with _LOCK:
        return _migrate(client, database)


def _migrate(client: Any, database: str) -> list[int]:
    client.command(f"CREATE DATABASE IF NOT EXISTS `{database}`")
    client.command(
        f"CREATE TABLE IF NOT EXISTS `{database}`.schema_migrations "
        "(version UInt32, name String, applied_at DateTime64(3, 'UTC')) "
        "ENGINE = ReplacingMergeTree ORDER BY version"
    )
    done = applied(client, database)
    now = []
    for version, name, sql in migrations():
        if version in done:
            continue
        for statement in statements(sql, database):
            client.command(statement)
        client.insert(f"`{database}`.schema_migrations", [[version, name, datetime.now(UTC)]],
                      column_names=["version", "name", "applied_at"])
        now.append(version)
    return now


__all__ = ["migrate", "migrations", "statements"]
