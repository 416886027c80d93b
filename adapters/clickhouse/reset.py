"""Emptying the statistics tables for `motcua rebuild statistics`.

ClickHouse has no transactions: the position is deleted FIRST, then the rows, so a rebuild
killed in between restarts from zero over whatever rows remain (re-inserted identically: the
tables are ReplacingMergeTree by (dossier_id, version), every query reads FINAL or argMax).
"""

from __future__ import annotations

from typing import Any

from adapters.clickhouse.view import ClickHouseStatisticsView


def reset_statistics(view: ClickHouseStatisticsView) -> None:
    def reset(client: Any) -> None:
        client.command(f"ALTER TABLE {view.db}.projection_tracking DELETE WHERE name = {{p:String}}",
                       parameters={"p": view.name}, settings={"mutations_sync": 2})
        client.command(f"TRUNCATE TABLE {view.db}.dossier_events")
        client.command(f"TRUNCATE TABLE {view.db}.dossier_states")
        client.command(f"TRUNCATE TABLE {view.db}.dossier_latest")

    view.connector.call(reset)


__all__ = ["reset_statistics"]
