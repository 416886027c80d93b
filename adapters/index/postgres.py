"""The dossier lookup index in PostgreSQL, in the configured schema beside the event store.

Same database as the tracking table, so rows and position commit together. The table is
``dossier_index`` in the schema (the tracking table is ``dossierindex_tracking``, named by
eventsourcing's factory after the projection); a rebuild goes into another schema.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import InterfaceError, OperationalError, Tracking
from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from eventsourcing.utils import retry
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Composable, Identifier, Literal

from adapters.index import FINAL_STATUS_VALUES, TABLE, assignments, insert_values, summary_from
from adapters.index.postgres_async import LoopPool
from application.dossier_index import (
    APPLICANT,
    WORKLIST,
    DossierSummary,
    Page,
    check_limit,
    decode_cursor,
    encode_cursor,
    utc,
)
from projections.dossier_index import (
    DossierChanged,
    DossierIndexView,
    IndexRowMissing,
    NewDossier,
    RowChange,
)

_OVERDUE = SQL(
    "(ended_at IS NULL AND original_due IS NOT NULL AND status NOT IN ({finals}) AND "
    "CASE WHEN clock_stopped_since IS NULL THEN original_due < %(now)s "
    "ELSE original_due < clock_stopped_since END)"
).format(finals=SQL(", ").join(Literal(s) for s in FINAL_STATUS_VALUES))


def _param(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _instant(value: datetime | None) -> datetime | None:
    return None if value is None else value.astimezone(UTC)


def _units(value: list[str]) -> tuple[str, ...]:
    return tuple(value)


class PostgresDossierIndexView(PostgresTrackingRecorder, DossierIndexView):
    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        self.table = SQL("{}.{}").format(Identifier(datastore.schema), Identifier(TABLE))
        # Rendered once: psycopg renders a composed query anew on every execution.
        self._by_code = SQL("SELECT * FROM {t} WHERE code = %(code)s").format(t=self.table).as_string(None)
        self._loop_pool: LoopPool | None = None
        for suffix in ("code_key", "applicant_idx", "current_idx", "receiving_idx"):
            self.check_identifier_length(f"{TABLE}_{suffix}")
        fmt = {"t": self.table}
        self.sql_create_statements += [
            SQL(
                "CREATE TABLE IF NOT EXISTS {t} ("
                "id uuid PRIMARY KEY, code text NOT NULL, procedure_code text NOT NULL, "
                "procedure_name text NOT NULL, field text NOT NULL, receiving_unit text NOT NULL, "
                "current_unit text, current_officer text, applicant_account text NOT NULL, "
                "applicant_name text NOT NULL, channel text NOT NULL, status text NOT NULL, "
                "national_status smallint NOT NULL, submitted_at timestamptz NOT NULL, "
                "received_at timestamptz, appointment timestamptz, original_due timestamptz, "
                "waiting boolean NOT NULL, clock_stopped_since timestamptz, ended_at timestamptz, "
                "supplement_requests integer NOT NULL, version bigint NOT NULL, "
                "position bigint NOT NULL, lookup_secret_hmac text NOT NULL, "
                "units text[] NOT NULL, queue_at timestamptz NOT NULL)"
            ).format(**fmt),
            SQL("CREATE UNIQUE INDEX IF NOT EXISTS {i} ON {t} (code)").format(
                i=Identifier(f"{TABLE}_code_key"), **fmt),
            SQL("CREATE INDEX IF NOT EXISTS {i} ON {t} (applicant_account, submitted_at, code)")
            .format(i=Identifier(f"{TABLE}_applicant_idx"), **fmt),
            SQL("CREATE INDEX IF NOT EXISTS {i} ON {t} (current_unit, queue_at, code)").format(
                i=Identifier(f"{TABLE}_current_idx"), **fmt),
            SQL("CREATE INDEX IF NOT EXISTS {i} ON {t} (receiving_unit, queue_at, code)").format(
                i=Identifier(f"{TABLE}_receiving_idx"), **fmt),
        ]

    # -- writing ----------------------------------------------------------------------------

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def apply(self, changes: Sequence[RowChange], tracking: Tracking) -> None:
        """Retried on connection errors: the rolled-back transaction is safe to repeat."""
        with self.datastore.transaction(commit=True) as curs:
            self._insert_tracking(curs, tracking)  # first: a duplicate fails before any write
            for change in changes:
                if isinstance(change, NewDossier):
                    self._insert(curs, change)
                else:
                    self._update(curs, change)

    def _insert(self, curs: Cursor[DictRow], change: NewDossier) -> None:
        values = {k: _param(v) for k, v in insert_values(change.row).items()}
        values["id"] = UUID(change.row.id)
        curs.execute(
            SQL("INSERT INTO {t} ({names}) VALUES ({marks}) ON CONFLICT DO NOTHING").format(
                t=self.table,
                names=SQL(", ").join(map(Identifier, values)),
                marks=SQL(", ").join(SQL("%({})s").format(SQL(k)) for k in values),
            ),
            values,
            prepare=True,
        )

    def _update(self, curs: Cursor[DictRow], change: DossierChanged) -> None:
        pairs = assignments(change)
        params: dict[str, Any] = {name: _param(value) for name, value in pairs}
        sets: list[Composable] = [
            SQL("{} = %({})s").format(Identifier(name), SQL(name)) for name, _ in pairs
        ]
        if "appointment" in params:
            sets.append(SQL("queue_at = COALESCE(%(appointment)s, submitted_at)"))
        if change.supplement_requested:
            sets.append(SQL("supplement_requests = supplement_requests + 1"))
        params["_id"] = UUID(change.dossier_id)
        curs.execute(
            SQL("UPDATE {t} SET {sets} WHERE id = %(_id)s AND version < %(version)s").format(
                t=self.table, sets=SQL(", ").join(sets)
            ),
            params,
            prepare=True,
        )
        if curs.rowcount == 0:
            curs.execute(SQL("SELECT version FROM {t} WHERE id = %s").format(t=self.table),
                         (params["_id"],))
            if curs.fetchone() is None:
                raise IndexRowMissing(change.dossier_id)
            return  # already at or past this version: a replay
        for unit in change.add_units:
            curs.execute(
                SQL("UPDATE {t} SET units = array_append(units, %(unit)s) "
                    "WHERE id = %(id)s AND NOT (%(unit)s = ANY(units))").format(t=self.table),
                {"unit": unit, "id": params["_id"]},
                prepare=True,
            )

    # -- reading ----------------------------------------------------------------------------

    @retry((InterfaceError, OperationalError), max_attempts=3, wait=0.2)
    def _select(
        self, where: Composable, params: dict[str, Any], order: str, limit: int
    ) -> list[DictRow]:
        sql = SQL("SELECT * FROM {t} WHERE {where} ORDER BY {order} LIMIT {limit}").format(
            t=self.table, where=where, order=SQL(order), limit=Literal(int(limit))
        )
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(sql, params, prepare=True)
            return curs.fetchall()

    def get_by_code(self, code: str) -> DossierSummary | None:
        rows = self._select(SQL("code = %(code)s"), {"code": code}, "code", 1)
        return summary_from(rows[0], _instant, _units) if rows else None

    async def find_by_code(self, code: str) -> DossierSummary | None:
        pool = self._loop_pool
        if pool is None or not pool.serves_running_loop():
            return await super().find_by_code(code)
        row = await pool.fetch_one(self._by_code, {"code": code})
        return summary_from(row, _instant, _units) if row else None

    async def open_on_loop(self) -> None:
        if self._loop_pool is None:
            self._loop_pool = await LoopPool.open(self.datastore)

    async def close_on_loop(self) -> None:
        pool, self._loop_pool = self._loop_pool, None
        if pool is not None:
            await pool.close()

    def list_by_applicant(
        self, account_id: str, *, after_cursor: str | None = None, limit: int = 20
    ) -> Page:
        limit = check_limit(limit)
        where: list[Composable] = [SQL("applicant_account = %(account)s")]
        params: dict[str, Any] = {"account": account_id}
        if after_cursor is not None:
            at, code = decode_cursor(APPLICANT, after_cursor)
            where.append(SQL("(submitted_at, code) < (%(at)s, %(code)s)"))
            params.update(at=at, code=code)
        rows = self._select(SQL(" AND ").join(where), params, "submitted_at DESC, code DESC",
                            limit + 1)
        items = [summary_from(r, _instant, _units) for r in rows[:limit]]
        last = items[-1] if len(rows) > limit else None
        return Page(items, encode_cursor(APPLICANT, last.submitted_at, last.code) if last else None)

    def worklist(
        self,
        units: frozenset[str],
        *,
        officer: str | None = None,
        status: str | None = None,
        national_status: int | None = None,
        overdue: bool | None = None,
        waiting: bool | None = None,
        now: datetime,
        after_cursor: str | None = None,
        limit: int = 20,
    ) -> Page:
        limit = check_limit(limit)
        if not units:
            return Page([], None)
        where: list[Composable] = [
            SQL("(current_unit = ANY(%(units)s) OR receiving_unit = ANY(%(units)s))")
        ]
        params: dict[str, Any] = {"units": sorted(units)}
        for column, value in (("current_officer", officer), ("status", status),
                              ("national_status", national_status), ("waiting", waiting)):
            if value is not None:
                where.append(SQL("{} = %({})s").format(Identifier(column), SQL(column)))
                params[column] = value
        if overdue is not None:
            where.append(_OVERDUE if overdue else SQL("NOT ") + _OVERDUE)
            params["now"] = utc(now)
        if after_cursor is not None:
            at, code = decode_cursor(WORKLIST, after_cursor)
            where.append(SQL("(queue_at, code) > (%(at)s, %(code)s)"))
            params.update(at=at, code=code)
        rows = self._select(SQL(" AND ").join(where), params, "queue_at, code", limit + 1)
        items = [summary_from(r, _instant, _units) for r in rows[:limit]]
        last = items[-1] if len(rows) > limit else None
        return Page(items, encode_cursor(WORKLIST, last.queue_at, last.code) if last else None)
