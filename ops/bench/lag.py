"""P3: how far behind the store the projections run while P1 writes (in time, not events).

A thread samples every `interval`: the store's highest notification id and the lookup index's
tracked position (straight from PostgreSQL), and, twice a second, the statistics lag in events
from the server's `/ready` (chDB lives inside the server process; `/ready` runs every readiness
check, so asking more often would slow the server being measured). The statistics position is estimated as the
head sampled just before asking minus that lag: a lower bound, so its time lag is an upper bound.
`stats.time_lags` turns the samples into lags.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import httpx
import psycopg
from psycopg.sql import SQL, Identifier


@dataclass
class LagSamples:
    heads: list[tuple[float, int]] = field(default_factory=list)
    index: list[tuple[float, int]] = field(default_factory=list)
    statistics: list[tuple[float, int]] = field(default_factory=list)


class LagSampler:
    def __init__(self, conninfo: str, schema: str, base_url: str, interval: float = 0.05) -> None:
        self.conninfo, self.base_url, self.interval = conninfo, base_url, interval
        self.head_sql = SQL("SELECT coalesce(max(notification_id), 0) FROM {}.{}").format(
            Identifier(schema), Identifier("dossiers_events"))
        self.index_sql = SQL("SELECT coalesce(max(notification_id), 0) FROM {}.{} WHERE application_name = 'Dossiers'"
                             ).format(Identifier(schema), Identifier("dossierindex_tracking"))
        self.samples = LagSamples()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bench-lag", daemon=True)

    def _run(self) -> None:
        with psycopg.connect(self.conninfo, autocommit=True) as conn, httpx.Client(timeout=5) as http:
            next_stats = 0.0
            while not self._stop.is_set():
                now = time.perf_counter()
                head = int(conn.execute(self.head_sql).fetchone()[0])  # type: ignore[index]
                self.samples.heads.append((now, head))
                self.samples.index.append((time.perf_counter(), int(conn.execute(self.index_sql).fetchone()[0])))  # type: ignore[index]
                if now >= next_stats:  # /ready runs every readiness check: twice a second
                    next_stats = now + 0.5
                    try:
                        ready = http.get(self.base_url + "/ready").json()
                        lag = next(c.get("lagEvents") for c in ready["components"] if c["name"] == "statistics")
                        if lag is not None:
                            self.samples.statistics.append((time.perf_counter(), head - int(lag)))
                    except (httpx.HTTPError, ValueError, KeyError, StopIteration):
                        pass
                self._stop.wait(self.interval)

    def start(self) -> None:
        self._thread.start()

    def stop(self, settle: float = 3.0) -> LagSamples:
        """Keep sampling `settle` seconds after the load so the last heads can be reached."""
        time.sleep(settle)
        self._stop.set()
        self._thread.join(10)
        return self.samples


__all__ = ["LagSampler", "LagSamples"]
