"""The access-log counts projection's side of the composition root.

It runs inside the statistics projection's loop (``ops.statistics.run_statistics``): the same
ClickHouse database, the same advisory lock in deployment, the same back-off when ClickHouse is
away. So it runs wherever the statistics run: embedded in ``motcua serve``, and in
``motcua project`` in deployment.
"""

from __future__ import annotations

from adapters.clickhouse.access_counts import ClickHouseAccessCountsView
from adapters.clickhouse.engine import Connector
from application.access_log import AccessLog
from ops.settings import Settings
from ops.stores import postgres_conninfo, schema_lock
from projections.access_counts import AccessCountsRunner


def open_access_log(settings: Settings) -> AccessLog:
    """The access log for reading; one connection is enough for a runner."""
    if settings.embedded:
        from adapters.access_log.sqlite import SQLiteAccessLog

        return SQLiteAccessLog(settings.data_path / "access_log.sqlite")
    from adapters.access_log.postgres import PostgresAccessLog

    with schema_lock(settings):
        return PostgresAccessLog(postgres_conninfo(settings), settings.postgres_schema, pool_size=1)


def access_counts_runner(settings: Settings, log: AccessLog, connector: Connector) -> AccessCountsRunner:
    return AccessCountsRunner(log, ClickHouseAccessCountsView(connector), zone=settings.timezone)


__all__ = ["access_counts_runner", "open_access_log"]
