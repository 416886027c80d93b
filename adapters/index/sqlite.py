"""The dossier lookup index in its own SQLite file (embedded mode).

A file of its own (``<data_dir>/index.sqlite``, WAL), not the event store's: the projection
writes it continuously and API threads read it, and neither should wait on the store's write
lock. Instants are stored as fixed-width UTC ISO text (``2026-03-02T02:00:00.000000+00:00``), so
text order is time order and keyset comparisons work on them directly.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from eventsourcing.persistence import Tracking
from eventsourcing.sqlite import SQLiteCursor, SQLiteTrackingRecorder

from adapters.index import FINAL_STATUS_VALUES, TABLE, assignments, insert_values, summary_from
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

_OVERDUE = (
    "(ended_at IS NULL AND original_due IS NOT NULL AND status NOT IN ({finals}) AND "
    "CASE WHEN clock_stopped_since IS NULL THEN original_due < :now "
    "ELSE original_due < clock_stopped_since END)"
).format(finals=", ".join(f"'{s}'" for s in FINAL_STATUS_VALUES))


def _text(value: Any) -> Any:
    """Python value -> SQLite value (instants as UTC text, unit tuples as JSON)."""
    if isinstance(value, datetime):
        return utc(value).isoformat(timespec="microseconds")
    if isinstance(value, tuple):
        return json.dumps(list(value), ensure_ascii=False)
    return value


def _instant(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def _units(value: str) -> tuple[str, ...]:
    return tuple(json.loads(value))


class SQLiteDossierIndexView(SQLiteTrackingRecorder, DossierIndexView):
    def construct_create_table_statements(self) -> list[str]:
        statements = super().construct_create_table_statements()
        statements += [
            f"CREATE TABLE IF NOT EXISTS {TABLE} ("
            "id TEXT PRIMARY KEY, code TEXT NOT NULL, procedure_code TEXT NOT NULL, "
            "procedure_name TEXT NOT NULL, field TEXT NOT NULL, receiving_unit TEXT NOT NULL, "
            "current_unit TEXT, current_officer TEXT, applicant_account TEXT NOT NULL, "
            "applicant_name TEXT NOT NULL, channel TEXT NOT NULL, status TEXT NOT NULL, "
            "national_status INTEGER NOT NULL, submitted_at TEXT NOT NULL, received_at TEXT, "
            "appointment TEXT, original_due TEXT, waiting INTEGER NOT NULL, "
            "clock_stopped_since TEXT, ended_at TEXT, supplement_requests INTEGER NOT NULL, "
            "version INTEGER NOT NULL, position INTEGER NOT NULL, "
            "lookup_secret_hmac TEXT NOT NULL, units TEXT NOT NULL, queue_at TEXT NOT NULL)",
            f"CREATE UNIQUE INDEX IF NOT EXISTS {TABLE}_code ON {TABLE} (code)",
            f"CREATE INDEX IF NOT EXISTS {TABLE}_applicant "
            f"ON {TABLE} (applicant_account, submitted_at, code)",
            f"CREATE INDEX IF NOT EXISTS {TABLE}_current ON {TABLE} (current_unit, queue_at, code)",
            f"CREATE INDEX IF NOT EXISTS {TABLE}_receiving "
            f"ON {TABLE} (receiving_unit, queue_at, code)",
        ]
        return statements

    # -- writing ----------------------------------------------------------------------------

    def apply(self, changes: Sequence[RowChange], tracking: Tracking) -> None:
        with self.datastore.transaction(commit=True) as c:
            self._insert_tracking(c, tracking)  # first: a duplicate fails before any write
            for change in changes:
                if isinstance(change, NewDossier):
                    self._insert(c, change)
                else:
                    self._update(c, change)

    def _insert(self, c: SQLiteCursor, change: NewDossier) -> None:
        values = {k: _text(v) for k, v in insert_values(change.row).items()}
        names = ", ".join(values)
        marks = ", ".join(f":{k}" for k in values)
        c.execute(f"INSERT INTO {TABLE} ({names}) VALUES ({marks}) ON CONFLICT DO NOTHING", values)

    def _update(self, c: SQLiteCursor, change: DossierChanged) -> None:
        pairs = assignments(change)
        params: dict[str, Any] = {name: _text(value) for name, value in pairs}
        sets = [f"{name} = :{name}" for name, _ in pairs]
        if "appointment" in params:
            sets.append("queue_at = COALESCE(:appointment, submitted_at)")
        if change.supplement_requested:
            sets.append("supplement_requests = supplement_requests + 1")
        params["_id"] = change.dossier_id
        c.execute(
            f"UPDATE {TABLE} SET {', '.join(sets)} WHERE id = :_id AND version < :version", params
        )
        if c.sqlite_cursor.rowcount == 0:
            c.execute(f"SELECT version FROM {TABLE} WHERE id = ?", (change.dossier_id,))
            if c.fetchone() is None:
                raise IndexRowMissing(change.dossier_id)
            return  # already at or past this version: a replay
        for unit in change.add_units:
            c.execute(
                f"UPDATE {TABLE} SET units = json_insert(units, '$[#]', :unit) WHERE id = :id "
                f"AND NOT EXISTS (SELECT 1 FROM json_each({TABLE}.units) WHERE value = :unit)",
                {"unit": unit, "id": change.dossier_id},
            )

    # -- reading ----------------------------------------------------------------------------

    def _select(self, where: str, params: dict[str, Any], order: str, limit: int) -> list[Any]:
        sql = f"SELECT * FROM {TABLE} WHERE {where} ORDER BY {order} LIMIT {int(limit)}"
        with self.datastore.transaction(commit=False) as c:
            c.execute(sql, params)
            return list(c.fetchall())

    def _summary(self, record: Any) -> DossierSummary:
        return summary_from(record, _instant, _units)

    def get_by_code(self, code: str) -> DossierSummary | None:
        rows = self._select("code = :code", {"code": code}, "code", 1)
        return self._summary(rows[0]) if rows else None

    def list_by_applicant(
        self, account_id: str, *, after_cursor: str | None = None, limit: int = 20
    ) -> Page:
        limit = check_limit(limit)
        where, params = "applicant_account = :account", {"account": account_id}
        if after_cursor is not None:
            at, code = decode_cursor(APPLICANT, after_cursor)
            where += " AND (submitted_at, code) < (:at, :code)"
            params.update(at=_text(at), code=code)
        rows = self._select(where, params, "submitted_at DESC, code DESC", limit + 1)
        items = [self._summary(r) for r in rows[:limit]]
        more = len(rows) > limit
        last = items[-1] if more else None
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
        params: dict[str, Any] = {f"u{i}": unit for i, unit in enumerate(sorted(units))}
        marks = ", ".join(f":{k}" for k in params)
        where = [f"(current_unit IN ({marks}) OR receiving_unit IN ({marks}))"]
        for column, value in (("current_officer", officer), ("status", status),
                              ("national_status", national_status), ("waiting", waiting)):
            if value is not None:
                where.append(f"{column} = :{column}")
                params[column] = value
        if overdue is not None:
            where.append(_OVERDUE if overdue else f"NOT {_OVERDUE}")
            params["now"] = _text(now)
        if after_cursor is not None:
            at, code = decode_cursor(WORKLIST, after_cursor)
            where.append("(queue_at, code) > (:at, :code)")
            params.update(at=_text(at), code=code)
        rows = self._select(" AND ".join(where), params, "queue_at, code", limit + 1)
        items = [self._summary(r) for r in rows[:limit]]
        last = items[-1] if len(rows) > limit else None
        return Page(items, encode_cursor(WORKLIST, last.queue_at, last.code) if last else None)
