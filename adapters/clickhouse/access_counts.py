"""The access-log counts projection's ClickHouse side: rows first, the position after them.

The position lives in ``projection_tracking`` under its own name (``AccessLogCounts``), beside
the statistics projection's; the receiving unit of a dossier is read from ``dossier_states``,
which the statistics projection fills in the same database.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from adapters.clickhouse.engine import Connector
from adapters.clickhouse.tracked import TrackedClickHouseView
from projections.access_counts import COLUMNS, PROJECTION_NAME, AccessCountRow, AccessCountsView, row_tuple


class ClickHouseAccessCountsView(TrackedClickHouseView, AccessCountsView):
    def __init__(self, connector: Connector, name: str = PROJECTION_NAME) -> None:
        super().__init__(connector, name)

    def receiving_units(self, codes: Iterable[str]) -> dict[str, str]:
        codes = sorted(set(codes))

        def read(client: Any) -> dict[str, str]:
            rows = client.query(
                f"SELECT code, any(receiving_unit) FROM {self.db}.dossier_states "
                "WHERE code IN {codes:Array(String)} GROUP BY code",
                parameters={"codes": codes},
            ).result_rows
            return {str(code): str(unit) for code, unit in rows}

        return self.connector.call(read) if codes else {}

    def write(self, rows: Sequence[AccessCountRow], position: int) -> None:
        def insert(client: Any) -> None:
            if rows:
                client.insert(f"{self.db}.access_log_counts", [row_tuple(r) for r in rows], column_names=COLUMNS)
            self.insert_position(client, position)

        self.connector.call(insert)


__all__ = ["ClickHouseAccessCountsView"]
