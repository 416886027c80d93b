"""The lookup index's batch writer: a page of events folded into final rows, one upsert.

Used by `motcua rebuild index` (from zero) and by the live runner (`ops.projectors`, following
the store): the projection's own handlers produce the changes, `fold` (the meaning the SQL
updates are tested against) turns them into rows, and `write_rows` commits the rows with the
page's last notification id in one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import Tracking

from adapters.index.bulk import rows_by_id, write_rows
from projections.batching import BatchWriter, ChangeCollector
from projections.dossier_index import DossierIndexProjection, DossierIndexView, NewDossier, fold


class IndexBatchWriter(BatchWriter):
    """The index projection's changes for a batch, folded into final rows, one upsert per batch."""

    def __init__(self, view: DossierIndexView) -> None:
        self.view = view
        self.collector = ChangeCollector()
        self.projection = DossierIndexProjection(self.collector)  # type: ignore[arg-type]

    def position(self) -> int:
        return self.view.position()

    def write(self, batch: Sequence[tuple[int, Any]], tracking: Tracking) -> None:
        self.collector.changes = []
        for notification_id, event in batch:
            self.projection.process_event(event, Tracking(tracking.application_name, notification_id))
        changes = self.collector.changes
        created = {c.row.id for c in changes if isinstance(c, NewDossier)}
        rows = rows_by_id(self.view, {c.dossier_id for c in changes if not isinstance(c, NewDossier)} - created)
        touched: dict[str, Any] = {}
        for change in changes:
            key = change.row.id if isinstance(change, NewDossier) else change.dossier_id
            rows[key] = touched[key] = fold(rows.get(key), change)
        write_rows(self.view, list(touched.values()), tracking)


__all__ = ["IndexBatchWriter"]
