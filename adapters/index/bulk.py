"""Batch writes of the dossier lookup index, for `motcua rebuild index` (both dialects).

The live runner applies each event's changes in a transaction of its own. A rebuild folds a
whole batch of changes into final rows in Python (`projections.dossier_index.fold`, the meaning
the SQL updates are tested against), then writes those rows with one multi-row upsert and the
batch's tracking position in ONE transaction: a kill between batches leaves rows and position
consistent, and the next batch starts exactly after the position.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Tracking
from eventsourcing.postgres import PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteTrackingRecorder
from psycopg.sql import SQL, Identifier

from adapters.eventstore.tracked_reset import empty_tracked_view
from adapters.index import COLUMNS, TABLE, insert_values, summary_from
from application.dossier_index import DossierSummary
from projections.dossier_index import DossierIndexView

SQLITE_IN_LIMIT = 500
"""Ids per `IN (...)` on SQLite (its default limit of host parameters is 999 on old builds)."""
_WRITE = (*COLUMNS, "queue_at")
_INCOMING = "dossier_index_incoming"
"""The transaction-local table a PostgreSQL page is COPYed into before its one upsert."""


def reset_index(view: DossierIndexView) -> None:
    """Forget every row and the tracked position: the next batch starts from the store's start."""
    empty_tracked_view(view, [TABLE])


def rows_by_id(view: DossierIndexView, ids: Iterable[str]) -> dict[str, DossierSummary]:
    """The stored rows of these dossiers (missing ones are simply absent)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    if isinstance(view, PostgresTrackingRecorder):
        from adapters.index.postgres import _instant, _units

        with view.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(SQL("SELECT * FROM {}.{} WHERE id = ANY(%s)").format(
                Identifier(view.datastore.schema), Identifier(TABLE)), ([UUID(i) for i in wanted],))
            records = curs.fetchall()
        return {str(r["id"]): summary_from(r, _instant, _units) for r in records}
    from adapters.index.sqlite import _instant as sqlite_instant
    from adapters.index.sqlite import _units as sqlite_units

    found: dict[str, DossierSummary] = {}
    with view.datastore.transaction(commit=False) as c:  # type: ignore[attr-defined]
        for i in range(0, len(wanted), SQLITE_IN_LIMIT):
            chunk = wanted[i:i + SQLITE_IN_LIMIT]
            c.execute(f"SELECT * FROM {TABLE} WHERE id IN ({', '.join('?' * len(chunk))})", chunk)
            for r in c.fetchall():
                found[str(r["id"])] = summary_from(r, sqlite_instant, sqlite_units)
    return found


def write_rows(view: DossierIndexView, rows: Sequence[DossierSummary], tracking: Tracking) -> None:
    """Upsert the rows and record `tracking`, in one transaction (the position first, as `apply`)."""
    if isinstance(view, PostgresTrackingRecorder):
        with view.datastore.transaction(commit=True) as curs:
            view._insert_tracking(curs, tracking)
            if rows:
                _upsert_copied(curs, view.datastore.schema, rows)
        return
    if not isinstance(view, SQLiteTrackingRecorder):
        raise TypeError(f"no batch writer for {type(view).__name__}")
    from adapters.index.sqlite import _text

    marks = ", ".join(f":{k}" for k in _WRITE)
    sets = ", ".join(f"{k} = excluded.{k}" for k in _WRITE if k != "id")
    statement = f"INSERT INTO {TABLE} ({', '.join(_WRITE)}) VALUES ({marks}) ON CONFLICT (id) DO UPDATE SET {sets}"
    with view.datastore.transaction(commit=True) as c:
        view._insert_tracking(c, tracking)
        if rows:
            c.executemany(statement, [{k: _text(v) for k, v in insert_values(r).items()} for r in rows])


def _upsert_copied(curs: Any, schema: str, rows: Sequence[DossierSummary]) -> None:
    """COPY the rows into a transaction-local table, then one upsert from it.

    One statement per row (``executemany``) was a third of a rebuild's time; COPY streams the
    rows in psycopg's C code and the server upserts them in one pass.
    """
    from adapters.index.postgres import _param

    names = SQL(", ").join(map(Identifier, _WRITE))
    table = SQL("{}.{}").format(Identifier(schema), Identifier(TABLE))
    curs.execute(SQL("CREATE TEMP TABLE IF NOT EXISTS {i} (LIKE {t}) ON COMMIT DELETE ROWS").format(
        i=Identifier(_INCOMING), t=table))
    with curs.copy(SQL("COPY {i} ({names}) FROM STDIN").format(i=Identifier(_INCOMING), names=names)) as copy:
        for row in rows:
            values = insert_values(row)
            copy.write_row([UUID(row.id) if k == "id" else _param(values[k]) for k in _WRITE])
    curs.execute(SQL("INSERT INTO {t} ({names}) SELECT {names} FROM {i} ON CONFLICT (id) DO UPDATE SET {sets}").format(
        t=table, names=names, i=Identifier(_INCOMING),
        sets=SQL(", ").join(SQL("{c} = EXCLUDED.{c}").format(c=Identifier(k)) for k in _WRITE if k != "id"),
    ))


__all__ = ["reset_index", "rows_by_id", "write_rows"]
