"""Emptying the catalogue view for `motcua rebuild catalogue` (rows, full-text rows, position)."""

from __future__ import annotations

from eventsourcing.sqlite import SQLiteTrackingRecorder

from adapters.catalogue.search_common import TABLE
from adapters.eventstore.tracked_reset import empty_tracked_view
from projections.catalogue import CatalogueView


def reset_catalogue(view: CatalogueView) -> None:
    """Rows, full-text rows and position, in one transaction (full-text rows only on SQLite)."""
    if isinstance(view, SQLiteTrackingRecorder):
        from adapters.catalogue.sqlite_search import FTS

        empty_tracked_view(view, [FTS, TABLE])
    else:
        empty_tracked_view(view, [TABLE])


__all__ = ["reset_catalogue"]
