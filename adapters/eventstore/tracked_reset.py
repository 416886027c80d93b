"""Emptying a tracked view for a rebuild: its tables and its tracking row, in one transaction.

A rebuild killed right after this starts again from an empty view at position 0, never from
rows that disagree with the position.
"""

from __future__ import annotations

from collections.abc import Sequence

from eventsourcing.postgres import PostgresTrackingRecorder
from eventsourcing.sqlite import SQLiteTrackingRecorder
from psycopg.sql import SQL, Identifier


def empty_tracked_view(view: object, tables: Sequence[str]) -> None:
    """Delete every row of ``tables`` (in order) and the view's tracking row."""
    if isinstance(view, PostgresTrackingRecorder):
        schema = Identifier(view.datastore.schema)
        with view.datastore.transaction(commit=True) as curs:
            for table in tables:
                curs.execute(SQL("DELETE FROM {}.{}").format(schema, Identifier(table)))
            curs.execute(SQL("DELETE FROM {}.{} WHERE application_name = %s").format(
                schema, Identifier(view.tracking_table_name)), (view.upstream,))
    elif isinstance(view, SQLiteTrackingRecorder):
        with view.datastore.transaction(commit=True) as c:
            for table in tables:
                c.execute(f"DELETE FROM {table}")
            c.execute("DELETE FROM tracking WHERE application_name = ?",  # the stock SQLite name
                      (view.upstream,))
    else:
        raise TypeError(f"cannot empty {type(view).__name__}: not a PostgreSQL or SQLite tracking view")


__all__ = ["empty_tracked_view"]
