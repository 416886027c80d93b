"""The access log in its own SQLite file; triggers make it append-only."""

from __future__ import annotations

import sqlite3
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from application.access_log import AccessEntry, AccessLog, AccessPage

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS access_log (id INTEGER PRIMARY KEY AUTOINCREMENT, at TEXT NOT NULL, "
    "actor_id TEXT NOT NULL, actor_role TEXT NOT NULL, actor_unit TEXT, action TEXT NOT NULL, "
    "subject TEXT NOT NULL, ip TEXT NOT NULL, reason TEXT NOT NULL, request_id TEXT NOT NULL)",
    "CREATE INDEX IF NOT EXISTS access_log_subject ON access_log (subject, id)",
    "CREATE INDEX IF NOT EXISTS access_log_actor ON access_log (actor_id, id)",
    "CREATE TRIGGER IF NOT EXISTS access_log_no_update BEFORE UPDATE ON access_log "
    "BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END",
    "CREATE TRIGGER IF NOT EXISTS access_log_no_delete BEFORE DELETE ON access_log "
    "BEGIN SELECT RAISE(ABORT, 'the access log is append-only'); END",
)
COLUMNS = "id, at, actor_id, actor_role, actor_unit, action, subject, ip, reason, request_id"


class SQLiteAccessLog(AccessLog):
    def __init__(self, path: Path) -> None:
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=30)
        self._lock = threading.Lock()
        with self._lock:
            self._conn.execute("PRAGMA journal_mode=WAL")
            for statement in SCHEMA:
                self._conn.execute(statement)

    def append(self, entry: AccessEntry) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT INTO access_log (at, actor_id, actor_role, actor_unit, action, subject, ip, reason, request_id) "
                "VALUES (?,?,?,?,?,?,?,?,?)",
                (entry.at.astimezone(UTC).isoformat(timespec="microseconds"), entry.actor_id, entry.actor_role,
                 entry.actor_unit, entry.action, entry.subject, entry.ip, entry.reason, entry.request_id),
            )

    def query(self, *, actor_id: str | None = None, subject: str | None = None, action: str | None = None,
              since: datetime | None = None, until: datetime | None = None, after_id: int | None = None,
              limit: int = 50) -> AccessPage:
        where, params = [], []  # type: ignore[var-annotated]
        for column, value in (("actor_id", actor_id), ("subject", subject), ("action", action)):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        if since is not None:
            where.append("at >= ?")
            params.append(since.astimezone(UTC).isoformat(timespec="microseconds"))
        if until is not None:
            where.append("at < ?")
            params.append(until.astimezone(UTC).isoformat(timespec="microseconds"))
        if after_id is not None:
            where.append("id < ?")
            params.append(after_id)
        sql = f"SELECT {COLUMNS} FROM access_log {'WHERE ' + ' AND '.join(where) if where else ''} ORDER BY id DESC LIMIT ?"
        with self._lock:
            rows = self._conn.execute(sql, [*params, limit + 1]).fetchall()
        entries = [_entry(row) for row in rows[:limit]]
        return AccessPage(entries, entries[-1].id if len(rows) > limit else None)

    def read_after(self, position: int, limit: int) -> list[AccessEntry]:
        with self._lock:
            rows = self._conn.execute(f"SELECT {COLUMNS} FROM access_log WHERE id > ? ORDER BY id LIMIT ?",
                                      (position, limit)).fetchall()
        return [_entry(row) for row in rows]

    def close(self) -> None:
        with self._lock:
            self._conn.close()


def _entry(row: tuple[Any, ...]) -> AccessEntry:
    id_, at, actor_id, role, unit, action, subject, ip, reason, request_id = row
    return AccessEntry(at=datetime.fromisoformat(at), actor_id=actor_id, actor_role=role, actor_unit=unit,
                       action=action, subject=subject, ip=ip, reason=reason, request_id=request_id, id=id_)
