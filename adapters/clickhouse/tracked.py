"""What every ClickHouse projection view shares: its database, migrations and tracked position.

Each projection keeps its position in ``projection_tracking`` under its own name; the position
is written after the rows it covers (ClickHouse has no transactions), so rows may run ahead of
it, never behind, and a replayed batch only re-inserts identical twins.
"""

from __future__ import annotations

from typing import Any

from adapters.clickhouse.engine import Connector
from adapters.clickhouse.migrate import migrate


class TrackedClickHouseView:
    def __init__(self, connector: Connector, name: str) -> None:
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

    def insert_position(self, client: Any, position: int) -> None:
        """Record ``position``; call it last, after the rows it covers, in the same connector call."""
        client.insert(f"{self.db}.projection_tracking", [[self.name, position]], column_names=["name", "position"])


__all__ = ["TrackedClickHouseView"]
