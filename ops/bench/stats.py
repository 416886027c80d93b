"""The arithmetic of the benchmark: latency percentiles, throughput, projection lag in time.

Kept apart from the harness so it is unit-tested (the harness itself is timing, never a test).
"""

from __future__ import annotations

import bisect
import statistics
from collections.abc import Sequence
from dataclasses import dataclass


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th percentile (0 < q < 100), interpolated between order statistics ("inclusive").

    None for no values; the value itself for one.
    """
    if not 0 < q < 100:
        raise ValueError(f"percentile must be in (0, 100), got {q}")
    if not values:
        return None
    if len(values) == 1:
        return float(values[0])
    cuts = statistics.quantiles(values, n=1000, method="inclusive")  # 999 cut points, 0.1 % apart
    return cuts[round(q * 10) - 1]


@dataclass(frozen=True)
class Throughput:
    """What one timed window of requests (or commits) gives."""

    ok: int
    errors: int
    seconds: float
    p50_ms: float | None
    p99_ms: float | None

    @property
    def per_second(self) -> float:
        return self.ok / self.seconds if self.seconds > 0 else 0.0

    @classmethod
    def of(cls, latencies_s: Sequence[float], errors: int, seconds: float) -> Throughput:
        """From the successful requests' latencies (seconds) and the window's length."""
        p50, p99 = percentile(latencies_s, 50), percentile(latencies_s, 99)
        return cls(ok=len(latencies_s), errors=errors, seconds=seconds,
                   p50_ms=None if p50 is None else p50 * 1000, p99_ms=None if p99 is None else p99 * 1000)


def time_lags(heads: Sequence[tuple[float, int]], positions: Sequence[tuple[float, int]]) -> list[float]:
    """How long after each sampled store head the projection's position reached it (seconds).

    `heads` are (instant, highest notification id in the store), `positions` (instant, the
    projection's recorded position), both in time order. A head the projection never reached
    within the samples is left out (the caller reports how many were reached); a head already
    reached when sampled counts as lag 0.
    """
    times = [t for t, _ in positions]
    reached: list[float] = []
    best = 0.0
    # positions only grow, but samples may be noisy: use the running maximum
    running: list[int] = []
    for _, p in positions:
        best = max(best, p)
        running.append(int(best))
    for at, head in heads:
        start = bisect.bisect_left(times, at)
        index = bisect.bisect_left(running, head, lo=start)
        if index < len(running):
            reached.append(max(0.0, times[index] - at))
    return reached


def ratio(value: float | None, baseline: float | None) -> float | None:
    """value / baseline, or None when either is missing or the baseline is zero."""
    if value is None or not baseline:
        return None
    return value / baseline


__all__ = ["Throughput", "percentile", "ratio", "time_lags"]
