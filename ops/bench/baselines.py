"""P1's baseline: raw single-row PostgreSQL commits per second at the same concurrency.

`clients` connections (psycopg, asyncio), each in a loop: INSERT one row, COMMIT. No event
store, no HTTP: what the database and its fsync give on this machine. The durability settings
in force are read from the server, since they decide both this figure and P1.
"""

from __future__ import annotations

import asyncio
import time

import psycopg
from psycopg.sql import SQL, Identifier

from ops.bench.stats import Throughput


def cpu_reference_ms(rounds: int = 5) -> float:
    """The best of `rounds` timings of a fixed pure-Python loop, in ms.

    Not a baseline of any figure: it says how fast this machine's cores were during the run
    (a shared virtual machine's speed changes from day to day), so that absolute figures of
    runs on different days can be compared.
    """
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        total = 0
        for i in range(1_000_000):
            total += i
        best = min(best, time.perf_counter() - started)
    return round(best * 1000, 1)


def durability(conninfo: str) -> dict[str, str]:
    with psycopg.connect(conninfo, autocommit=True) as conn:
        return {name: str(conn.execute(f"SHOW {name}").fetchone()[0])  # type: ignore[index]
                for name in ("fsync", "synchronous_commit", "wal_sync_method", "full_page_writes")}


async def _commits(conninfo: str, schema: str, clients: int, seconds: float) -> Throughput:
    table = SQL("{}.{}").format(Identifier(schema), Identifier("bench_raw_commits"))
    async with await psycopg.AsyncConnection.connect(conninfo, autocommit=True) as conn:
        await conn.execute(SQL("CREATE TABLE IF NOT EXISTS {} (id bigserial PRIMARY KEY, client int NOT NULL, "
                               "payload text NOT NULL)").format(table))
    latencies: list[float] = []
    errors = 0
    connections = [await psycopg.AsyncConnection.connect(conninfo) for _ in range(clients)]
    started = time.perf_counter()
    deadline = started + seconds
    insert = SQL("INSERT INTO {} (client, payload) VALUES (%s, %s)").format(table)

    async def client(n: int, conn: psycopg.AsyncConnection[tuple[object, ...]]) -> None:
        nonlocal errors
        while time.perf_counter() < deadline:
            at = time.perf_counter()
            try:
                await conn.execute(insert, (n, "x" * 200))
                await conn.commit()
                latencies.append(time.perf_counter() - at)
            except psycopg.Error:
                errors += 1
                await conn.rollback()

    try:
        await asyncio.gather(*(client(n, c) for n, c in enumerate(connections)))
    finally:
        for c in connections:
            await c.close()
    return Throughput.of(latencies, errors, time.perf_counter() - started)


def raw_commits(conninfo: str, schema: str, clients: int, seconds: float) -> Throughput:
    return asyncio.run(_commits(conninfo, schema, clients, seconds))


__all__ = ["durability", "raw_commits"]
