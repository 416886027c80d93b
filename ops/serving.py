"""How ``motcua serve`` runs the API: uvicorn, how many worker processes, how many threads.

Why these choices (DESIGN.md §7, a 2-core machine):

- **uvicorn** with uvloop and httptools (installed as dependencies, so uvicorn's ``auto`` picks
  them): the request path is Python (Litestar, msgspec), and these two take the event loop and
  the HTTP parsing out of it.
- **Worker processes**: one Python process uses one core at a time (the GIL), so a PostgreSQL
  deployment runs ``MOTCUA_WORKERS`` processes, one per core (2 here). Each builds its own
  container; projection runners take an advisory lock, so one process projects and the others
  stand by. The embedded default (SQLite files, chDB) and any chDB statistics store run one
  process: chDB opens its directory in one process only.
- **The garbage collector** (``ops/heap.py``): the start-up heap is frozen and young
  collections are spaced out, which took full collections (~20-45 ms, every thread stopped) out
  of the tail of a 500-event history read.
- **Threads**: handlers that touch the event store are synchronous and run in the executor
  ``api/app.py`` sizes with ``MOTCUA_THREAD_POOL_SIZE``. The public look-up is the exception:
  it awaits the PostgreSQL index on the event loop (``adapters/index/postgres_async.py``), a
  pool the app's start-up opens on the server's loop. A thread holds at most one store
  connection at a time, and saves waiting in a group-commit batch hold none (only the batch's
  leader does), so each application's pool (``MOTCUA_POSTGRES_POOL_SIZE`` connections plus as
  many overflow) must cover the threads, or threads queue for connections: :func:`plan` says so.
  More threads than that buy nothing on 2 cores; fewer would cap how many saves can share a
  group commit (``MOTCUA_THREAD_POOL_SIZE`` concurrent commands per process at most).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import structlog

from ops.heap import freeze_startup_heap
from ops.settings import Settings, SettingsError, load_settings

log = structlog.get_logger("motcua.serve")

NO_PROJECTIONS_ENV = "_MOTCUA_SERVE_NO_PROJECTIONS"
"""Tells worker processes ``--no-projections``: not a ``MOTCUA_*`` setting, a flag of one run."""


WORKER_HEALTHCHECK_TIMEOUT = 60
"""Seconds a worker may take to start or to answer the supervisor's ping before it is killed."""


@dataclass(frozen=True)
class ServerPlan:
    workers: int
    threads: int
    notes: list[str] = field(default_factory=list)
    """Why the plan differs from the settings, or what to change; logged at start."""


def plan(settings: Settings) -> ServerPlan:
    """Worker processes and threads for these settings, with the reasons for any adjustment."""
    if settings.workers < 1:
        raise SettingsError(f"MOTCUA_WORKERS must be at least 1 (got {settings.workers})")
    if settings.thread_pool_size < 1:
        raise SettingsError(f"MOTCUA_THREAD_POOL_SIZE must be at least 1 (got {settings.thread_pool_size})")
    workers, notes = settings.workers, []
    if workers > 1 and settings.embedded:
        workers = 1
        notes.append("the embedded store (SQLite files, chDB) is served by one process; "
                     "set MOTCUA_DATABASE_URL and MOTCUA_CLICKHOUSE_DSN for more workers")
    elif workers > 1 and not settings.clickhouse_dsn.startswith(("http://", "https://")):
        workers = 1
        notes.append("the chDB statistics store opens in one process only; "
                     "set MOTCUA_CLICKHOUSE_DSN to a ClickHouse server for more workers")
    connections = 2 * settings.postgres_pool_size  # pool plus overflow (ops/stores.py)
    if not settings.embedded and settings.thread_pool_size > connections:
        notes.append(f"MOTCUA_THREAD_POOL_SIZE={settings.thread_pool_size} exceeds the "
                     f"{connections} connections of a store's pool: threads will queue for "
                     "connections; raise MOTCUA_POSTGRES_POOL_SIZE or lower the threads")
    return ServerPlan(workers=workers, threads=settings.thread_pool_size, notes=notes)


def serve(settings: Settings, *, host: str | None, port: int | None, projections: bool) -> int:
    """Run uvicorn until stopped; one process, or ``plan().workers`` worker processes."""
    import uvicorn

    chosen = plan(settings)
    for note in chosen.notes:
        log.warning("serve_plan", note=note)
    log.info("serve_start", workers=chosen.workers, threads=chosen.threads)
    options = {"host": host or settings.host, "port": port or settings.port,
               "log_level": settings.log_level, "access_log": False}
    if chosen.workers > 1:
        # Workers are fresh processes that import the factory; they read the same MOTCUA_*
        # environment, so every one builds the same configuration.
        os.environ[NO_PROJECTIONS_ENV] = "" if projections else "1"
        # A worker builds its whole container before it answers the supervisor's health
        # pings; uvicorn's default 5 s would kill slow starters in a loop on a busy machine.
        uvicorn.run("ops.serving:worker_app", factory=True, workers=chosen.workers,
                    timeout_worker_healthcheck=WORKER_HEALTHCHECK_TIMEOUT, **options)
        return 0
    from api.app import create_app
    from ops.wiring import build_container

    container = build_container(settings, projections=projections)
    container.start()
    try:
        app = create_app(container.services)
        freeze_startup_heap()
        uvicorn.run(app, **options)
    finally:
        container.close()
    return 0


def worker_app() -> object:
    """The ASGI app of one worker process (uvicorn calls this in each worker).

    uvicorn calls the factory inside the worker's running event loop, where Litestar refuses
    to install the sized thread pool (``set_asyncio_executor``); so the app is built on a
    short-lived thread of its own, outside any loop. Start-up blocks the loop either way.
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="motcua-start") as starter:
        return starter.submit(_build_worker_app).result()


def _build_worker_app() -> object:
    from api.app import create_app
    from ops.logging import configure_logging
    from ops.wiring import build_container

    settings = load_settings()
    configure_logging(settings.log_level, json=settings.log_json)
    container = build_container(settings, projections=not os.environ.get(NO_PROJECTIONS_ENV))
    container.start()
    app = create_app(container.services)
    app.on_shutdown.append(container.close)
    freeze_startup_heap()
    return app
