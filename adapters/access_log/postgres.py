"""The access log in PostgreSQL; a trigger makes it append-only even for the application's own role."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from psycopg import sql
from psycopg_pool import ConnectionPool

from application.access_log import AccessEntry, AccessLog, AccessPage

COLUMNS = "id, at, actor_id, actor_role, actor_unit, action, subject, ip, reason, request_id"


class PostgresAccessLog(AccessLog):
    def __init__(self, conninfo: str, schema: str, pool_size: int = 4) -> None:
        self._schema = schema
        self._pool = ConnectionPool(conninfo, min_size=1, max_size=pool_size, open=True,
                                    kwargs={"autocommit": True})
        table = sql.Identifier(schema, "access_log")
        with self._pool.connection() as conn:
            conn.execute(sql.SQL(
                "CREATE TABLE IF NOT EXISTS {} (id BIGSERIAL PRIMARY KEY, at TIMESTAMPTZ NOT NULL, "
                "actor_id TEXT NOT NULL, actor_role TEXT NOT NULL, actor_unit TEXT, action TEXT NOT NULL, "
                "subject TEXT NOT NULL, ip TEXT NOT NULL, reason TEXT NOT NULL, request_id TEXT NOT NULL)").format(table))
            conn.execute(sql.SQL("CREATE INDEX IF NOT EXISTS access_log_subject ON {} (subject, id)").format(table))
            conn.execute(sql.SQL("CREATE INDEX IF NOT EXISTS access_log_actor ON {} (actor_id, id)").format(table))
            conn.execute(sql.SQL(
                "CREATE OR REPLACE FUNCTION {}() RETURNS trigger LANGUAGE plpgsql AS "
                "$$ BEGIN RAISE EXCEPTION 'the access log is append-only'; END $$"
            ).format(sql.Identifier(schema, "access_log_append_only")))
            conn.execute(sql.SQL(
                "CREATE OR REPLACE TRIGGER access_log_append_only BEFORE UPDATE OR DELETE ON {} "
                "FOR EACH ROW EXECUTE FUNCTION {}()"
            ).format(table, sql.Identifier(schema, "access_log_append_only")))
        self._table = table

    def append(self, entry: AccessEntry) -> None:
        with self._pool.connection() as conn:
            conn.execute(sql.SQL(
                "INSERT INTO {} (at, actor_id, actor_role, actor_unit, action, subject, ip, reason, request_id) "
                "VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s)").format(self._table),
                (entry.at, entry.actor_id, entry.actor_role, entry.actor_unit, entry.action, entry.subject,
                 entry.ip, entry.reason, entry.request_id))

    def query(self, *, actor_id: str | None = None, subject: str | None = None, action: str | None = None,
              since: datetime | None = None, until: datetime | None = None, after_id: int | None = None,
              limit: int = 50) -> AccessPage:
        where: list[sql.Composable] = []
        params: list[Any] = []
        for column, op, value in (("actor_id", "=", actor_id), ("subject", "=", subject), ("action", "=", action),
                                  ("at", ">=", since), ("at", "<", until), ("id", "<", after_id)):
            if value is not None:
                where.append(sql.SQL("{} " + op + " %s").format(sql.Identifier(column)))
                params.append(value)
        query = sql.SQL("SELECT " + COLUMNS + " FROM {} {} ORDER BY id DESC LIMIT %s").format(
            self._table, sql.SQL("WHERE ") + sql.SQL(" AND ").join(where) if where else sql.SQL(""))
        with self._pool.connection() as conn:
            rows = conn.execute(query, [*params, limit + 1]).fetchall()
        entries = [AccessEntry(at=r[1], actor_id=r[2], actor_role=r[3], actor_unit=r[4], action=r[5], subject=r[6],
                               ip=r[7], reason=r[8], request_id=r[9], id=r[0]) for r in rows[:limit]]
        return AccessPage(entries, entries[-1].id if len(rows) > limit else None)

    def read_after(self, position: int, limit: int) -> list[AccessEntry]:
        query = sql.SQL("SELECT " + COLUMNS + " FROM {} WHERE id > %s ORDER BY id LIMIT %s").format(self._table)
        with self._pool.connection() as conn:
            rows = conn.execute(query, (position, limit)).fetchall()
        return [AccessEntry(at=r[1], actor_id=r[2], actor_role=r[3], actor_unit=r[4], action=r[5], subject=r[6],
                            ip=r[7], reason=r[8], request_id=r[9], id=r[0]) for r in rows]

    def close(self) -> None:
        self._pool.close()
