"""The statistics projection's ClickHouse side: batch inserts, then the position.

ClickHouse has no transactions, so the order is the guarantee: a batch's event rows and state
rows are inserted first, the tracking row after them. A crash in between leaves rows beyond the
recorded position; they are re-inserted identically on restart (same (dossier, version) key,
same values) and every query reads them with FINAL or argMax, so no figure changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from adapters.clickhouse.engine import Connector
from adapters.clickhouse.tracked import TrackedClickHouseView
from projections.statistics import (
    EVENT_COLUMNS,
    PROJECTION_NAME,
    STATE_COLUMNS,
    StateRow,
    StatisticsView,
    state_tuple,
)

_INSTANTS = {name for name in STATE_COLUMNS if name.endswith("_at") or name.endswith("_since")}


def _aware(row: dict[str, Any]) -> dict[str, Any]:
    """chDB hands DateTime64 values back naive: they are UTC."""
    for name in _INSTANTS:
        value = row.get(name)
        if isinstance(value, datetime) and value.tzinfo is None:
            row[name] = value.replace(tzinfo=UTC)
    return row


class ClickHouseStatisticsView(TrackedClickHouseView, StatisticsView):
    def __init__(self, connector: Connector, name: str = PROJECTION_NAME) -> None:
        super().__init__(connector, name)

    def states_at(self, keys: Iterable[tuple[str, int]]) -> dict[str, StateRow]:
        keys = list(keys)
        if not keys:
            return {}

        def read(client: Any) -> dict[str, StateRow]:
            result = client.query(
                f"SELECT {', '.join(STATE_COLUMNS)} FROM {self.db}.dossier_states FINAL "
                "WHERE (dossier_id, version) IN {keys:Array(Tuple(String, UInt32))}",
                parameters={"keys": keys},
            )
            found = {}
            for values in result.result_rows:
                row = _aware(dict(zip(STATE_COLUMNS, values, strict=True)))
                row["waiting"] = bool(row["waiting"])
                row["fee_requested"] = bool(row["fee_requested"])
                found[row["dossier_id"]] = StateRow(**row)
            return found

        return self.connector.call(read)

    def write(self, events: Sequence[tuple[Any, ...]], states: Sequence[StateRow], position: int) -> None:
        def insert(client: Any) -> None:
            if states:
                client.insert(f"{self.db}.dossier_events", list(events), column_names=EVENT_COLUMNS)
                client.insert(f"{self.db}.dossier_states", [state_tuple(s) for s in states],
                              column_names=STATE_COLUMNS)
            self.insert_position(client, position)

        self.connector.call(insert)


__all__ = ["ClickHouseStatisticsView"]
