"""One benchmark run: baselines, the server under test, P1–P6, in the order that keeps them apart.

Order: durability settings; raw commits (nothing else running); the bare app's requests/s; then
`motcua serve` on a fresh schema: preparation (untimed), P1 with P3 sampled during it, the
group-commit histogram from /metrics, P2, P6; the server stops; P5 rebuilds the index from the
run's store into another schema; P4 generates and queries statistics rows in a chDB of its own.
"""

from __future__ import annotations

import statistics as pystats
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx

from ops.bench import prepare, profile
from ops.bench.baselines import cpu_reference_ms, durability, raw_commits
from ops.bench.lag import LagSampler
from ops.bench.load import Plan, Request, run_load
from ops.bench.report import FIGURES, Figure, Report, parse_histogram
from ops.bench.servers import bare_server, bench_defaults, bench_schema, motcua_server, scratch_dir, server_env
from ops.bench.stats import Throughput, percentile, ratio, time_lags

P1_RATE, P1_P99, P1_RATIO, P2_RATIO, P2_P99 = 1500.0, 100.0, 0.35, 0.6, 20.0
P3_INDEX_MS, P3_STATS_MS, P4_MS, P5_RATE, P6_MS = 250.0, 2000.0, 500.0, 20_000.0, 20.0


@dataclass(frozen=True)
class Options:
    database_url: str
    conninfo: str
    seconds: float
    clients: int
    only: frozenset[str]
    pool_size: int
    dossiers: int
    p4_events: int
    max_requests: int = 10_000_000
    logs: Path | None = None
    profile: Path | None = None
    server_env: dict[str, str] = field(default_factory=dict)
    """More MOTCUA_* settings for the server under test (thread pool, workers, ...)."""
    """Collapsed stacks of the server during P1 (py-spy) go here; the hottest are reported."""
    """Where the servers' logs go (default: the run's temporary directory)."""


def _throughput(outcome: Any) -> Throughput:
    return Throughput.of(outcome.latencies, sum(outcome.errors.values()), outcome.seconds)


def _split(items: list[Any], parts: int) -> list[list[Any]]:
    return [items[i::parts] for i in range(parts)]


def run(options: Options) -> Report:
    report = Report(seconds=options.seconds, clients=options.clients, durability=durability(options.conninfo),
                    server_env={"MOTCUA_POSTGRES_POOL_SIZE": str(options.pool_size), **bench_defaults(),
                                **options.server_env})
    report.machine["cpu_reference_ms"] = cpu_reference_ms()
    wanted = options.only
    with scratch_dir() as tmp, bench_schema(options.conninfo) as schema:
        if options.logs:
            options.logs.mkdir(parents=True, exist_ok=True)
        raw = raw_commits(options.conninfo, schema, options.clients, options.seconds) if "P1" in wanted else None
        bare = None
        if "P2" in wanted:
            with bare_server(options.logs or tmp) as server:
                body = b'{"code":"000.00.01.H22-261127-0001","secret":"abcdefgh"}'
                work = [[Request("POST", "/bare", {"content-type": "application/json"}, body)]] * options.clients
                bare = _throughput(run_load(Plan("requests", server.base_url, options.seconds, options.max_requests,
                                                 work)))
        if wanted & {"P1", "P2", "P3", "P5", "P6"}:
            _with_server(options, report, schema, tmp, raw, bare)
        if "P5" in wanted:
            report.figures.append(_p5(options, schema, tmp))
        if "P4" in wanted:
            report.figures.append(_p4(options, tmp))
    # A shared virtual machine can change speed within a run: timed again, the two say whether it did.
    report.machine["cpu_reference_end_ms"] = cpu_reference_ms()
    order = {f: i for i, f in enumerate(FIGURES)}
    report.figures.sort(key=lambda f: (order.get(f.id[:2], 9), f.id))
    return report


def _with_server(options: Options, report: Report, schema: str, tmp: Path, raw: Throughput | None,
                 bare: Throughput | None) -> None:
    from ops.settings import load_settings
    from ops.wiring import build_container

    data = tmp / "data"
    env = server_env(options.database_url, schema, data, options.pool_size) | options.server_env
    wanted = options.only
    with motcua_server(env, options.logs or tmp) as server:
        settings = load_settings({}, database_url=options.database_url, postgres_schema=schema, data_dir=str(data),
                                 postgres_pool_size=4)
        container = build_container(settings, projections=False)
        try:
            preparer = prepare.Preparer(container.services)
            lives = preparer.dossiers(options.dossiers) if wanted & {"P1", "P3", "P5"} else []
            lookups = preparer.dossiers(min(2000, 50 * options.clients), label="tra cứu / lookups") \
                if "P2" in wanted else []
            long = preparer.long_dossier() if "P6" in wanted else None
        finally:
            container.close()
        tokens = prepare.tokens(server.base_url)
        _wait_projected(server.base_url, options.seconds * 10 + 60)
        if lives:
            sampler = LagSampler(options.conninfo, schema, server.base_url)
            sampler.start()
            spy = profile.start(server.process.pid, options.seconds, options.profile) if options.profile else None
            outcome = run_load(Plan("lifecycle", server.base_url, options.seconds, options.max_requests,
                                    _split([(f.code, f.version) for f in lives], options.clients),
                                    steps=prepare.LIFECYCLE, tokens=tokens))
            samples = sampler.stop()
            if options.profile:
                hot = profile.finish(spy, options.profile)
                report.profile = [vars(h) for h in hot] or None
            p1 = _throughput(outcome)
            note = f"{p1.ok} commands, errors {outcome.errors or 0}" + (
                "; the prepared dossiers ran out before the window ended (raise --dossiers)" if outcome.exhausted else "")
            if "P1" in wanted:
                r = ratio(p1.per_second, raw.per_second if raw else None)
                report.figures.append(Figure(
                    "P1", "write commands over HTTP (mixed lifecycle)", p1.per_second, "commands/s",
                    f"≥ {P1_RATE:,.0f}/s, p99 ≤ {P1_P99:g} ms, ≥ {P1_RATIO}× raw",
                    passed=p1.per_second >= P1_RATE and (p1.p99_ms or 1e9) <= P1_P99 and (r or 0) >= P1_RATIO,
                    baseline=raw.per_second if raw else None, baseline_what="raw commits/s", ratio=r,
                    p50_ms=p1.p50_ms, p99_ms=p1.p99_ms, note=note))
            if "P3" in wanted:
                report.figures += _p3(samples)
            report.histogram = _histogram(server.base_url, options.server_env.get("MOTCUA_METRICS_TOKEN"))
        if lookups:
            work = [[Request("POST", "/lookup", {"content-type": "application/json"},
                             f'{{"code":"{f.code}","secret":"{f.secret}"}}'.encode()) for f in part]
                    for part in _split(lookups, options.clients)]
            outcome = run_load(Plan("requests", server.base_url, options.seconds, options.max_requests, work))
            p2 = _throughput(outcome)
            r = ratio(p2.per_second, bare.per_second if bare else None)
            report.figures.append(Figure(
                "P2", "lookupDossier by code over HTTP", p2.per_second, "requests/s",
                f"≥ {P2_RATIO}× bare handler, p99 ≤ {P2_P99:g} ms",
                passed=(r or 0) >= P2_RATIO and (p2.p99_ms or 1e9) <= P2_P99, baseline=bare.per_second if bare else None,
                baseline_what="bare requests/s", ratio=r, p50_ms=p2.p50_ms, p99_ms=p2.p99_ms,
                note=f"errors {outcome.errors or 0}"))
        if long is not None:
            report.figures += _p6(server.base_url, tokens["auditor"], long.code, options.seconds)


def _wait_projected(base_url: str, timeout: float) -> None:
    """Until /ready says the index and statistics have caught up with the preparation."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready = httpx.get(base_url + "/ready", timeout=10).json()
        if all((c.get("lagEvents") or 0) == 0 for c in ready["components"]):
            return
        time.sleep(0.5)


def _histogram(base_url: str, token: str | None) -> dict[str, float] | None:
    """From /metrics (loopback may read it; with MOTCUA_METRICS_TOKEN set, the scraper's token)."""
    headers = {"authorization": f"Bearer {token}"} if token else {}
    try:
        answer = httpx.get(base_url + "/metrics", headers=headers, timeout=10)
    except httpx.HTTPError:
        return None
    return parse_histogram(answer.text) if answer.status_code == 200 else None


def _p3(samples: Any) -> list[Figure]:
    end = samples.heads[-1][0] if samples.heads else 0.0
    load_heads = [h for h in samples.heads if h[0] <= end - 3.0] or samples.heads
    figures = []
    for key, what, target in (("index", "lookup index", P3_INDEX_MS), ("statistics", "ClickHouse statistics", P3_STATS_MS)):
        lags = time_lags(load_heads, getattr(samples, key))
        p99 = percentile(lags, 99)
        value = None if p99 is None else p99 * 1000
        p50 = percentile(lags, 50)
        figures.append(Figure(
            f"P3 {key}", f"projection lag under P1 load: {what}", value, "ms (p99)",
            f"p99 ≤ {target:,.0f} ms" if key == "index" else f"≤ {target:,.0f} ms",
            passed=None if value is None else value <= target, p50_ms=None if p50 is None else p50 * 1000,
            p99_ms=value, note=f"{len(lags)} of {len(load_heads)} sampled heads reached"))
    return figures


def _p6(base_url: str, token: str, code: str, seconds: float) -> list[Figure]:
    headers = {"authorization": f"Bearer {token}", "x-access-reason": "bench"}
    # State-at asks for the instant of the history's middle event: an instant after the last
    # event is answered from the current dossier without reading the stream.
    rows = httpx.get(f"{base_url}/audit/dossiers/{code}/history", headers=headers, timeout=60).json()
    middle = quote(rows[len(rows) // 2]["at"], safe="")
    figures = []
    for name, path in (("history", f"/audit/dossiers/{code}/history"),
                       ("state-at", f"/audit/dossiers/{code}/state?at={middle}")):
        outcome = run_load(Plan("requests", base_url, max(2.0, seconds / 4), 100_000,
                                [[Request("GET", path, headers)]]))
        t = _throughput(outcome)
        figures.append(Figure(
            f"P6 {name}", f"one dossier's {name} ({prepare.HISTORY_EVENTS} events, over HTTP)", t.p50_ms, "ms (p50)",
            f"≤ {P6_MS:g} ms (p99)", passed=None if t.p99_ms is None else t.p99_ms <= P6_MS,
            p50_ms=t.p50_ms, p99_ms=t.p99_ms, note=f"{t.ok} sequential requests, errors {outcome.errors or 0}"))
    return figures


def _p5(options: Options, schema: str, tmp: Path) -> Figure:
    from ops.projectors import build_index_view
    from ops.index_batches import IndexBatchWriter
    from ops.rebuild import rebuild
    from ops.settings import load_settings
    from ops.stores import store_env
    from projections.dossier_index import TOPICS
    from projections.sources import DossierStream

    source = load_settings({}, database_url=options.database_url, postgres_schema=schema,
                           data_dir=str(tmp / "data"), postgres_pool_size=2)
    with bench_schema(options.conninfo) as target:
        view = build_index_view(load_settings({}, database_url=options.database_url, postgres_schema=target,
                                              data_dir=str(tmp / "data"), postgres_pool_size=2))
        stream = DossierStream(env=store_env(source, DossierStream.name))
        try:
            result = rebuild(stream, IndexBatchWriter(view), topics=TOPICS, name="index", reset=None)
        finally:
            stream.close()
            view.datastore.close()  # type: ignore[attr-defined]
    return Figure("P5", f"full rebuild of the lookup index ({result.events:,} events)", result.rate, "events/s",
                  f"≥ {P5_RATE:,.0f} events/s", passed=result.rate >= P5_RATE,
                  note=f"{result.seconds:.2f} s; batches of the default size, server stopped")


def _p4(options: Options, tmp: Path) -> Figure:
    from ops.bench.p4 import status_report_timings

    timings, made = status_report_timings(str(tmp / "chdb-p4"), options.p4_events)
    median = pystats.median(timings) * 1000
    return Figure("P4", f"status report, province-year ({made:,} events of rows)", median, "ms (median)",
                  f"≤ {P4_MS:g} ms", passed=median <= P4_MS, p50_ms=median, p99_ms=max(timings) * 1000,
                  note=f"{len(timings)} runs; first (cold) {timings[0] * 1000:.0f} ms")


__all__ = ["FIGURES", "Options", "run"]
