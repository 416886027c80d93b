"""The public catalogue in its own SQLite file (embedded mode), searched with FTS5.

``catalogue_entries`` holds one row per procedure; ``catalogue_fts`` (FTS5, rowid = the
entry's rowid) indexes its folded name and body, so a keyword search is an index lookup with
prefix words (``"giay"* "phep"*``); the rank is then computed on the matched rows.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import Tracking
from eventsourcing.sqlite import SQLiteCursor, SQLiteTrackingRecorder

from adapters.catalogue.search_common import COLUMNS, TABLE, rank_sql, word_params
from application.catalogue_search import CatalogueEntry, CataloguePage, CatalogueQuery, words
from projections.catalogue import CatalogueChange, CatalogueView, EntryPublished, entry_from

FTS = "catalogue_fts"


def _value(value: Any) -> Any:
    return json.dumps(list(value), ensure_ascii=False) if isinstance(value, tuple) else value


class SQLiteCatalogueView(SQLiteTrackingRecorder, CatalogueView):
    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            f"CREATE TABLE IF NOT EXISTS {TABLE} (id TEXT PRIMARY KEY, code TEXT NOT NULL UNIQUE, "
            "version INTEGER NOT NULL, name TEXT NOT NULL, field TEXT NOT NULL, service_level TEXT NOT NULL, "
            "channels TEXT NOT NULL, units TEXT NOT NULL, fee_free INTEGER NOT NULL, status TEXT NOT NULL, "
            "position INTEGER NOT NULL, document TEXT NOT NULL, name_folded TEXT NOT NULL, "
            "body_folded TEXT NOT NULL)",
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS} USING fts5(name_folded, body_folded)",
        ]

    # -- writing ----------------------------------------------------------------------------

    def apply(self, changes: Sequence[CatalogueChange], tracking: Tracking) -> None:
        with self.datastore.transaction(commit=True) as c:
            self._insert_tracking(c, tracking)  # first: a duplicate fails before any write
            for change in changes:
                if isinstance(change, EntryPublished):
                    self._upsert(c, change.row)
                else:
                    c.execute(f"UPDATE {TABLE} SET status = ? WHERE id = ?", (change.status, change.procedure_id))

    def _upsert(self, c: SQLiteCursor, row: dict[str, Any]) -> None:
        values = {k: _value(row[k]) for k in COLUMNS}
        sets = ", ".join(f"{k} = excluded.{k}" for k in COLUMNS if k != "id")
        c.execute(
            f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) VALUES ({', '.join(':' + k for k in COLUMNS)}) "
            f"ON CONFLICT (id) DO UPDATE SET {sets}", values,
        )
        c.execute(f"SELECT rowid FROM {TABLE} WHERE id = ?", (row["id"],))
        rowid = c.fetchone()[0]
        c.execute(f"DELETE FROM {FTS} WHERE rowid = ?", (rowid,))
        c.execute(f"INSERT INTO {FTS} (rowid, name_folded, body_folded) VALUES (?, ?, ?)",
                  (rowid, row["name_folded"], row["body_folded"]))

    # -- reading ----------------------------------------------------------------------------

    @staticmethod
    def _entry(record: Any) -> CatalogueEntry:
        return entry_from(record, tuple(json.loads(record["channels"])), tuple(json.loads(record["units"])))

    def search(self, query: CatalogueQuery) -> CataloguePage:
        found = words(query.text)
        where = ["status = 'published'"]
        params: dict[str, Any] = {}
        if found:
            where.append(f"rowid IN (SELECT rowid FROM {FTS} WHERE {FTS} MATCH :match)")
            params["match"] = " ".join(f'"{w}"*' for w in found)
            params.update(word_params(found))
        for column, value in (("field", query.field), ("service_level", query.service_level)):
            if value is not None:
                where.append(f"{column} = :{column}")
                params[column] = value
        if query.fee_free is not None:
            where.append("fee_free = :fee_free")
            params["fee_free"] = int(query.fee_free)
        for column, value in (("units", query.unit), ("channels", query.channel)):
            if value is not None:
                where.append(f"EXISTS (SELECT 1 FROM json_each({TABLE}.{column}) WHERE value = :{column})")
                params[column] = value
        clause = " AND ".join(where)
        rank = rank_sql(found, ":{}")
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT count(*) FROM {TABLE} WHERE {clause}", params)
            total = int(c.fetchone()[0])
            c.execute(
                f"SELECT * FROM {TABLE} WHERE {clause} ORDER BY {rank}name_folded, code "
                f"LIMIT {int(query.page_size)} OFFSET {int(query.offset)}", params,
            )
            rows = list(c.fetchall())
        return CataloguePage([self._entry(r) for r in rows], total, query.page, query.page_size)

    def get_entry(self, code: str) -> CatalogueEntry | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT * FROM {TABLE} WHERE code = ?", (code,))
            row = c.fetchone()
        return self._entry(row) if row else None
