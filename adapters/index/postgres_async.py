"""Index reads on the event loop: psycopg's asynchronous connections, pooled per loop.

Why: a synchronous read runs on a worker thread, and the answer then waits for the event loop
to get the GIL back behind every other busy thread; the public look-up (P2) spent most of its
time in such hand-offs, not in PostgreSQL. An ``asyncio`` pool belongs to the loop it was
opened on, so the pool remembers that loop and the index falls back to the thread path on any
other (a test client's own loop, a CLI call).
"""

from __future__ import annotations

import asyncio
from typing import Any

from eventsourcing.postgres import PostgresDatastore
from psycopg import AsyncConnection, InterfaceError, OperationalError
from psycopg.rows import DictRow, dict_row
from psycopg_pool import AsyncConnectionPool

ATTEMPTS = 3
"""Tries of one read when a pooled connection turns out to be gone (a restarted server)."""

RETRY_WAIT = 0.2


class LoopPool:
    """A small asynchronous pool to the datastore's database, usable on one event loop."""

    def __init__(self, pool: AsyncConnectionPool[AsyncConnection[DictRow]], loop: asyncio.AbstractEventLoop) -> None:
        self._pool = pool
        self._loop = loop

    @classmethod
    async def open(cls, datastore: PostgresDatastore) -> LoopPool:
        """Connect like the datastore does (same database and role); autocommit, as reads need."""
        sync = datastore.pool
        kwargs: dict[str, Any] = {k: v for k, v in dict(sync.kwargs).items() if v is not None}
        kwargs.update(autocommit=True, row_factory=dict_row)
        pool: AsyncConnectionPool[AsyncConnection[DictRow]] = AsyncConnectionPool(
            sync.conninfo, kwargs=kwargs, min_size=1, max_size=max(1, sync.max_size), open=False,
            max_idle=sync.max_idle, timeout=sync.timeout, name="motcua-index-async",
        )
        await pool.open(wait=True)
        return cls(pool, asyncio.get_running_loop())

    def serves_running_loop(self) -> bool:
        try:
            return asyncio.get_running_loop() is self._loop
        except RuntimeError:
            return False

    async def fetch_one(self, sql: str, params: dict[str, Any]) -> DictRow | None:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                async with self._pool.connection() as conn:
                    cursor = await conn.execute(sql, params, prepare=True)
                    return await cursor.fetchone()
            except (InterfaceError, OperationalError):
                if attempt == ATTEMPTS:
                    raise
                await asyncio.sleep(RETRY_WAIT)
        raise AssertionError("unreachable")

    async def close(self) -> None:
        await self._pool.close()

