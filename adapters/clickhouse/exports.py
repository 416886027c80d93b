"""The per-dossier rows behind the status report, streamed out of ClickHouse block by block.

The query is the report's own (``scoped_query``: each dossier's state row at the range's end,
``LIMIT 1 BY dossier_id`` on the highest version, so correct on unmerged parts) with the same
definitions, so the rows add up to the report's figures exactly. Blocks are capped at
``block_rows`` rows (``max_block_size``) and read with ``query_row_block_stream``: the process
holds one block at a time however long the export. Each stream opens a client of its own, so a
long export never holds the client the reports and the projection use.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from adapters.clickhouse.engine import UNAVAILABLE, Target, open_client
from adapters.clickhouse.migrate import migrate
from adapters.clickhouse.reports import scoped_query
from application.export_ports import DOSSIER_COLUMNS, Cell, DossierRows
from application.statistics import Scope, StatisticsUnavailable

BLOCK_ROWS = 4096

_SELECT = """
SELECT
    code, receiving_unit, procedure_code, procedure_version, field, channel,
    multiIf(NOT counted, 'refused', received_at < t0, 'carried_over', 'new') AS population,
    multiIf(NOT counted, 'refused', finished, 'finished', overdue, 'overdue', 'within_deadline') AS state_at_end,
    open AND waiting AS waiting_at_end,
    if(finished, end_kind, '') AS end_kind_at_end, if(finished, outcome, '') AS outcome_at_end,
    submitted_at, received_at, due_at, original_due_at, ended_at, returned_at, refused_at,
    supplement_requests, waits, extensions, fee_amount, paid_online, electronic_result,
    documents, digitised_documents, reused_documents, rating,
    if(net_working_hours IS NULL, NULL, round(net_working_hours / 8, 6)) AS net_working_days
FROM ({latest})
WHERE counted OR (refused_at IS NOT NULL AND refused_at >= t0)
ORDER BY code
"""
_INSTANTS = frozenset(i for i, c in enumerate(DOSSIER_COLUMNS) if c.endswith("_at"))
_BOOLEANS = frozenset(i for i, c in enumerate(DOSSIER_COLUMNS)
                      if c in ("waiting_at_end", "paid_online", "electronic_result"))


class ClickHouseDossierRows(DossierRows):
    def __init__(self, target: Target, zone: ZoneInfo | str = "Asia/Ho_Chi_Minh", *,
                 block_rows: int = BLOCK_ROWS) -> None:
        self.target = target
        self.zone = zone if isinstance(zone, ZoneInfo) else ZoneInfo(zone)
        self.block_rows = block_rows

    def _local(self, value: datetime | None) -> str | None:
        if value is None:
            return None
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return aware.astimezone(self.zone).isoformat(timespec="seconds")

    def _cells(self, row: Sequence[Any]) -> tuple[Cell, ...]:
        out: list[Cell] = []
        for i, value in enumerate(row):
            if i in _INSTANTS:
                out.append(self._local(value))
            elif i in _BOOLEANS:
                out.append(None if value is None else ("true" if value else "false"))
            else:
                out.append(value)
        return tuple(out)

    def _rows(self, blocks: Any) -> Iterator[tuple[Cell, ...]]:
        for block in blocks:
            for row in block:
                yield self._cells(row)

    @contextmanager
    def stream(self, scope: Scope) -> Iterator[Iterator[Sequence[Cell]]]:
        db = f"`{self.target.database}`"
        sql, params = scoped_query(_SELECT, scope, db, self.zone)
        try:
            client = open_client(self.target)
        except UNAVAILABLE as exc:
            raise StatisticsUnavailable(str(exc)) from exc
        try:
            migrate(client, self.target.database)
            with client.query_row_block_stream(sql, parameters=params,
                                               settings={"max_block_size": self.block_rows}) as blocks:
                yield self._rows(blocks)
        except UNAVAILABLE as exc:
            raise StatisticsUnavailable(str(exc)) from exc
        finally:
            client.close()


__all__ = ["BLOCK_ROWS", "ClickHouseDossierRows"]
