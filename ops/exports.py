"""The statistics exports' side of the composition root.

The export records live in their own event store (``StatisticsExports``: SQLite file or
PostgreSQL tables beside the others); the rows come from the statistics store through a client
of their own; the files go to ``<data_dir>/exports`` (shared by API processes and workers in a
deployment). The job runs on the process's dramatiq broker: in-process embedded, Redis-backed
(``motcua worker``) in deployment. Retries back off from 2 s; after the last attempt an
unreachable statistics store is recorded as the export's failure.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from adapters.clickhouse.exports import ClickHouseDossierRows
from adapters.exports.filesystem import FilesystemExportFiles
from application.statistics_exports import PURGE_STATISTICS_EXPORTS, RUN_STATISTICS_EXPORT, StatisticsExports
from ops.settings import Settings
from ops.statistics import statistics_target
from ops.stores import schema_lock, store_env

MAX_ATTEMPTS = 4
HOUSEKEEPING_SECONDS = 3600
JOB_TIME_LIMIT_MS = 2 * 3600 * 1000
"""A million-row XLSX takes minutes; dramatiq's default limit (10 min) would cut it off."""


def build_exports(settings: Settings, clock: Any, statistics: Any, units: Any) -> StatisticsExports:
    env = store_env(settings, StatisticsExports.name)
    if not settings.embedded:  # a few writes per export: keep the pool small
        env.update(POSTGRES_POOL_SIZE="1", POSTGRES_MAX_OVERFLOW="2")
    target = statistics.connector.target if statistics is not None else statistics_target(settings)
    with schema_lock(settings):
        return StatisticsExports(
            env, clock=clock, rows=ClickHouseDossierRows(target, settings.timezone),
            files=FilesystemExportFiles(settings.data_path / "exports"), statistics=statistics,
            scope_of=units.descendants, zone=settings.timezone, max_days=settings.export_max_days,
            max_attempts=MAX_ATTEMPTS,
        )


def attach_exports(container: Any) -> None:
    """Call after ``container.jobs`` exists: registers the export and housekeeping jobs."""
    settings, services = container.settings, container.services
    exports = build_exports(settings, container.clock, services.statistics, services.units)
    exports.jobs = container.jobs
    services.statistics_exports = exports
    if services.audit_chain is not None:  # its stream is audit trail too: who exported what
        services.audit_chain.stores.append((type(exports).name.lower(), exports))
    container.closers.insert(0, exports.close)  # closers run in reverse: after the job worker stops
    container.jobs.register(RUN_STATISTICS_EXPORT, exports.run, max_retries=MAX_ATTEMPTS - 1,
                            min_backoff=2000, max_backoff=60_000, time_limit=JOB_TIME_LIMIT_MS)
    keep = timedelta(hours=settings.export_retention_hours)
    container.jobs.register(PURGE_STATISTICS_EXPORTS, lambda: exports.purge(keep))
    if settings.embedded or not settings.redis_url:  # the in-process worker runs it
        def housekeeping() -> None:
            from adapters.jobs.dramatiq_jobs import Every

            every = Every(container.jobs, PURGE_STATISTICS_EXPORTS, seconds=HOUSEKEEPING_SECONDS)
            every.start()
            container.closers.insert(0, every.stop)

        container.starters.append(housekeeping)


__all__ = ["attach_exports", "build_exports"]
