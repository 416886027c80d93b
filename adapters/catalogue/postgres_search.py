"""The public catalogue in PostgreSQL, beside the event store in the configured schema.

Keyword search is full-text over the folded text (``to_tsvector('simple', body_folded)``, a GIN
expression index; prefix words ``giay:* & phep:*``); folding happens in Python before storing
and before querying, so no extension (unaccent, pg_trgm) is needed and the ranking is the same
SQL as on SQLite.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import InterfaceError, OperationalError, Tracking
from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from eventsourcing.utils import retry
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Composable, Identifier, Literal

from adapters.catalogue.search_common import COLUMNS, TABLE, rank_sql, word_params
from application.catalogue_search import CatalogueEntry, CataloguePage, CatalogueQuery, words
from projections.catalogue import CatalogueChange, CatalogueView, EntryPublished, entry_from


def _value(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


class PostgresCatalogueView(PostgresTrackingRecorder, CatalogueView):
    def __init__(self, datastore: PostgresDatastore, **kwargs: Any) -> None:
        super().__init__(datastore, **kwargs)
        self.table = SQL("{}.{}").format(Identifier(datastore.schema), Identifier(TABLE))
        fmt = {"t": self.table}
        self.sql_create_statements += [
            SQL(
                "CREATE TABLE IF NOT EXISTS {t} (id uuid PRIMARY KEY, code text NOT NULL UNIQUE, "
                "version integer NOT NULL, name text NOT NULL, field text NOT NULL, service_level text NOT NULL, "
                "channels text[] NOT NULL, units text[] NOT NULL, fee_free boolean NOT NULL, status text NOT NULL, "
                "position bigint NOT NULL, document text NOT NULL, name_folded text NOT NULL, "
                "body_folded text NOT NULL)"
            ).format(**fmt),
            SQL("CREATE INDEX IF NOT EXISTS {i} ON {t} USING gin (to_tsvector('simple', body_folded))").format(
                i=Identifier(f"{TABLE}_fts_idx"), **fmt),
        ]

    # -- writing ----------------------------------------------------------------------------

    @retry((InterfaceError, OperationalError), max_attempts=10, wait=0.2)
    def apply(self, changes: Sequence[CatalogueChange], tracking: Tracking) -> None:
        with self.datastore.transaction(commit=True) as curs:
            self._insert_tracking(curs, tracking)  # first: a duplicate fails before any write
            for change in changes:
                if isinstance(change, EntryPublished):
                    self._upsert(curs, change.row)
                else:
                    curs.execute(SQL("UPDATE {t} SET status = %s WHERE id = %s").format(t=self.table),
                                 (change.status, UUID(change.procedure_id)))

    def _upsert(self, curs: Cursor[DictRow], row: dict[str, Any]) -> None:
        values = {k: _value(row[k]) for k in COLUMNS}
        values["id"] = UUID(row["id"])
        curs.execute(
            SQL("INSERT INTO {t} ({names}) VALUES ({marks}) ON CONFLICT (id) DO UPDATE SET {sets}").format(
                t=self.table,
                names=SQL(", ").join(map(Identifier, COLUMNS)),
                marks=SQL(", ").join(SQL("%({})s").format(SQL(k)) for k in COLUMNS),
                sets=SQL(", ").join(SQL("{c} = EXCLUDED.{c}").format(c=Identifier(k)) for k in COLUMNS if k != "id"),
            ),
            values,
        )

    # -- reading ----------------------------------------------------------------------------

    @staticmethod
    def _entry(record: Any) -> CatalogueEntry:
        return entry_from(record, tuple(record["channels"]), tuple(record["units"]))

    @retry((InterfaceError, OperationalError), max_attempts=3, wait=0.2)
    def search(self, query: CatalogueQuery) -> CataloguePage:
        found = words(query.text)
        where: list[Composable] = [SQL("status = 'published'")]
        params: dict[str, Any] = {}
        if found:
            where.append(SQL("to_tsvector('simple', body_folded) @@ to_tsquery('simple', %(tsquery)s)"))
            params["tsquery"] = " & ".join(f"'{w}':*" for w in found)
            params.update(word_params(found))
        for column, value in (("field", query.field), ("service_level", query.service_level),
                              ("fee_free", query.fee_free)):
            if value is not None:
                where.append(SQL("{} = %({})s").format(Identifier(column), SQL(column)))
                params[column] = value
        for column, value in (("units", query.unit), ("channels", query.channel)):
            if value is not None:
                where.append(SQL("%({})s = ANY({})").format(SQL(column), Identifier(column)))
                params[column] = value
        clause = SQL(" AND ").join(where)
        rank = SQL(rank_sql(found, "%({})s", "%%"))  # type: ignore[arg-type]
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(SQL("SELECT count(*) AS n FROM {t} WHERE {w}").format(t=self.table, w=clause), params)
            total = int(curs.fetchone()["n"])  # type: ignore[index]
            curs.execute(
                SQL("SELECT * FROM {t} WHERE {w} ORDER BY {rank}name_folded COLLATE \"C\", code COLLATE \"C\" "
                    "LIMIT {limit} OFFSET {offset}").format(
                    t=self.table, w=clause, rank=rank, limit=Literal(int(query.page_size)),
                    offset=Literal(int(query.offset))),
                params,
            )
            rows = curs.fetchall()
        return CataloguePage([self._entry(r) for r in rows], total, query.page, query.page_size)

    @retry((InterfaceError, OperationalError), max_attempts=3, wait=0.2)
    def get_entry(self, code: str) -> CatalogueEntry | None:
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            curs.execute(SQL("SELECT * FROM {t} WHERE code = %s").format(t=self.table), (code,))
            row = curs.fetchone()
        return self._entry(row) if row else None
