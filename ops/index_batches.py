"""The lookup index's batch writer: a page of events folded into final rows, one upsert.

Used by `motcua rebuild index` (from zero) and by the live runner (`ops.projectors`, following
the store): the projection's own handlers produce the changes, `fold` (the meaning the SQL
updates are tested against) turns them into rows, and `write_rows` commits the rows with the
page's last notification id in one transaction.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from eventsourcing.persistence import Tracking

from adapters.index.bulk import rows_by_id, write_rows
from application.dossier_index import DossierSummary
from projections.batching import BatchWriter, ChangeCollector
from projections.dossier_index import DossierIndexProjection, DossierIndexView, NewDossier, fold

KNOWN_ROWS = 20_000
"""Rows the writer remembers from its own commits (the most recently written first to stay)."""


class IndexBatchWriter(BatchWriter):
    """The index projection's changes for a batch, folded into final rows, one upsert per batch.

    The writer runs under the projection's one-runner lock, so the rows it committed are the
    rows stored: it keeps the latest of them and reads from the view only dossiers it has not
    written (a rebuild read back nearly every continuing dossier once per page). A row enters
    the memory only after its transaction committed; a failed write leaves it as it was.
    """

    def __init__(self, view: DossierIndexView, *, known_rows: int = KNOWN_ROWS) -> None:
        self.view = view
        self.collector = ChangeCollector()
        self.projection = DossierIndexProjection(self.collector)  # type: ignore[arg-type]
        self._known: OrderedDict[str, DossierSummary] = OrderedDict()
        self._known_rows = known_rows

    def forget(self) -> None:
        """Drop remembered rows: the view was emptied (a rebuild from zero)."""
        self._known.clear()

    def position(self) -> int:
        return self.view.position()

    def write(self, batch: Sequence[tuple[int, Any]], tracking: Tracking) -> None:
        self.collector.changes = []
        for notification_id, event in batch:
            self.projection.process_event(event, Tracking(tracking.application_name, notification_id))
        changes = self.collector.changes
        created = {c.row.id for c in changes if isinstance(c, NewDossier)}
        wanted = {c.dossier_id for c in changes if not isinstance(c, NewDossier)} - created
        known = self._known
        rows = {key: known[key] for key in wanted if key in known}
        rows.update(rows_by_id(self.view, wanted - rows.keys()))
        touched: dict[str, DossierSummary] = {}
        for change in changes:
            key = change.row.id if isinstance(change, NewDossier) else change.dossier_id
            rows[key] = touched[key] = fold(rows.get(key), change)
        write_rows(self.view, list(touched.values()), tracking)
        for key, row in touched.items():  # committed: remember, newest last
            known[key] = row
            known.move_to_end(key)
        while len(known) > self._known_rows:
            known.popitem(last=False)


__all__ = ["IndexBatchWriter"]
