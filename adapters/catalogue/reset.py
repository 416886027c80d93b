"""Emptying the catalogue view for `motcua rebuild catalogue` (rows, full-text rows, position)."""

from __future__ import annotations

from eventsourcing.postgres import PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteTrackingRecorder
from psycopg.sql import SQL, Identifier

from adapters.catalogue.search_common import TABLE
from projections.catalogue import CatalogueView


def reset_catalogue(view: CatalogueView) -> None:
    """One transaction: a rebuild killed right after it starts from an empty, position-0 view."""
    if isinstance(view, PostgresTrackingRecorder):
        schema = Identifier(view.datastore.schema)
        with view.datastore.transaction(commit=True) as curs:
            curs.execute(SQL("DELETE FROM {}.{}").format(schema, Identifier(TABLE)))
            curs.execute(SQL("DELETE FROM {}.{} WHERE application_name = %s").format(
                schema, Identifier(view.tracking_table_name)), (view.upstream,))
    elif isinstance(view, SQLiteTrackingRecorder):
        from adapters.catalogue.sqlite_search import FTS

        with view.datastore.transaction(commit=True) as c:
            c.execute(f"DELETE FROM {FTS}")
            c.execute(f"DELETE FROM {TABLE}")
            c.execute("DELETE FROM tracking WHERE application_name = ?", (view.upstream,))
    else:
        raise TypeError(f"cannot reset {type(view).__name__}")


__all__ = ["reset_catalogue"]
