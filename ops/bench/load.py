"""The load generator: a SEPARATE OS process speaking HTTP over loopback (asyncio + aiohttp).

Runs on its own process so the server under test and the client never share an interpreter
(and its GIL); on a 2-core machine they still share the cores, which is part of what the
figures mean. Each of `clients` coroutines holds one keep-alive connection and sends its next
request when the previous answer arrives (closed loop), until the window ends, the request
budget is spent or its work runs out. Latency is measured per request, from send to the end of
the response body.

Scenarios (`Plan.kind`):
- `requests`: each client cycles through its list of ready-made requests (lookups, reads);
- `lifecycle`: each client drives its own dossiers through `steps` (distinct dossiers, so no
  two clients ever race on one), a few dossiers at once picked at random so command types mix;
  the `ETag` of each answer is the next `If-Match`.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import random
import time
from dataclasses import dataclass, field
from typing import Any

ACTIVE_DOSSIERS = 4
"""Dossiers a lifecycle client has under way at once (random pick among them mixes the commands)."""


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | None = None


@dataclass(frozen=True)
class Step:
    """One lifecycle command: POST `/office/dossiers/{code}` + `suffix` as `role` with `body`."""

    suffix: str
    role: str
    body: bytes = b"{}"


@dataclass
class Plan:
    kind: str
    base_url: str
    seconds: float
    max_requests: int
    per_client: list[list[Any]]
    """`requests`: lists of `Request`; `lifecycle`: lists of (dossier code, version)."""
    steps: list[Step] = field(default_factory=list)
    tokens: dict[str, str] = field(default_factory=dict)
    seed: int = 2026


@dataclass
class Outcome:
    latencies: list[float] = field(default_factory=list)
    """Seconds, successful (2xx) requests only."""
    errors: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    exhausted: bool = False
    """The work ran out before the window ended (prepare more dossiers for a longer run)."""


class _Budget:
    def __init__(self, plan: Plan) -> None:
        self.deadline = time.perf_counter() + plan.seconds
        self.left = plan.max_requests

    def take(self) -> bool:
        if self.left <= 0 or time.perf_counter() >= self.deadline:
            return False
        self.left -= 1
        return True


async def _send(session: Any, plan: Plan, req: Request, out: Outcome) -> Any:
    started = time.perf_counter()
    try:
        async with session.request(req.method, plan.base_url + req.path, headers=req.headers,
                                   data=req.body) as response:
            await response.read()
            elapsed = time.perf_counter() - started
            if 200 <= response.status < 300:
                out.latencies.append(elapsed)
                return response
            key = str(response.status)
    except Exception as exc:  # a refused or reset connection is an error of the run, not a crash
        key = type(exc).__name__
    out.errors[key] = out.errors.get(key, 0) + 1
    return None


async def _requests_client(session: Any, plan: Plan, work: list[Request], budget: _Budget, out: Outcome) -> None:
    i = 0
    while work and budget.take():
        await _send(session, plan, work[i % len(work)], out)
        i += 1


async def _lifecycle_client(session: Any, plan: Plan, work: list[tuple[str, int]], budget: _Budget,
                            out: Outcome, rng: random.Random) -> bool:
    pending = list(reversed(work))
    active: list[list[Any]] = []  # [code, version, next step]
    while True:
        while pending and len(active) < ACTIVE_DOSSIERS:
            code, version = pending.pop()
            active.append([code, version, 0])
        if not active:
            return True  # exhausted
        if not budget.take():
            return False
        entry = rng.choice(active)
        step = plan.steps[entry[2]]
        headers = {"authorization": f"Bearer {plan.tokens[step.role]}", "content-type": "application/json",
                   "if-match": f'"{entry[1]}"'}
        response = await _send(session, plan,
                               Request("POST", f"/office/dossiers/{entry[0]}{step.suffix}", headers, step.body), out)
        if response is None:
            active.remove(entry)  # do not hammer a dossier that failed; it is counted as an error
            continue
        entry[1] = int(response.headers.get("etag", '"0"').strip('W/"'))
        entry[2] += 1
        if entry[2] >= len(plan.steps):
            active.remove(entry)


async def _run(plan: Plan) -> Outcome:
    import aiohttp

    out = Outcome()
    budget = _Budget(plan)
    connector = aiohttp.TCPConnector(limit=len(plan.per_client), force_close=False)
    timeout = aiohttp.ClientTimeout(total=30)
    started = time.perf_counter()
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        if plan.kind == "lifecycle":
            rng = random.Random(plan.seed)
            results = await asyncio.gather(*(
                _lifecycle_client(session, plan, work, budget, out, random.Random(rng.random()))
                for work in plan.per_client))
            out.exhausted = all(results)
        elif plan.kind == "requests":
            await asyncio.gather(*(_requests_client(session, plan, work, budget, out) for work in plan.per_client))
        else:
            raise ValueError(f"unknown plan kind {plan.kind!r}")
    out.seconds = time.perf_counter() - started
    return out


def _child(plan: Plan, conn: Any) -> None:
    conn.send(asyncio.run(_run(plan)))
    conn.close()


def run_load(plan: Plan) -> Outcome:
    """Run `plan` in a fresh process (spawned, not forked: no state of the parent leaks in)."""
    ctx = multiprocessing.get_context("spawn")
    parent, child = ctx.Pipe(duplex=False)
    process = ctx.Process(target=_child, args=(plan, child), name="motcua-bench-load")
    process.start()
    child.close()
    try:
        outcome: Outcome = parent.recv()
    except EOFError:
        process.join()
        raise RuntimeError(f"the load generator died (exit code {process.exitcode})") from None
    process.join()
    return outcome


__all__ = ["ACTIVE_DOSSIERS", "Outcome", "Plan", "Request", "Step", "run_load"]
