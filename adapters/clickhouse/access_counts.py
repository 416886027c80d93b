"""The access-log counts projection's ClickHouse side: rows first, the position after them.

The position lives in ``projection_tracking`` under its own name (``AccessLogCounts``), beside
the statistics projection's; the receiving unit of a dossier is read from ``dossier_states``,
which the statistics projection fills in the same database.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from adapters.clickhouse.engine import Connector
from adapters.clickhouse.migrate import migrate
from projections.access_counts import COLUMNS, PROJECTION_NAME, AccessCountRow, AccessCountsView, row_tuple


class ClickHouseAccessCountsView(AccessCountsView):
    def __init__(self, connector: Connector, name: str = PROJECTION_NAME) -> None:
        self.connector = connector
        self.db = f"`{connector.database}`"
        self.name = name

    def migrate(self) -> list[int]:
        return self.connector.call(lambda c: migrate(c, self.connector.database))

    def position(self) -> int:
        def read(client: Any) -> int:
            rows = client.query(
                f"SELECT max(position) FROM {self.db}.projection_tracking WHERE name = {{p:String}}",
                parameters={"p": self.name},
            ).result_rows
            return int(rows[0][0] or 0) if rows else 0

        return self.connector.call(read)

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
            client.insert(f"{self.db}.projection_tracking", [[self.name, position]],
                          column_names=["name", "position"])

        self.connector.call(insert)


__all__ = ["ClickHouseAccessCountsView"]
