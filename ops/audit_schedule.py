"""The daily audit digest's side of the composition root: the job and the thread that ticks it.

The job (``take_audit_digests``) is registered on the container's Jobs (in-process dramatiq
embedded, Redis and ``motcua worker`` in deployment); the schedule ticks on a daemon thread of
every serving process, first at start-up. Several processes may enqueue the job on the same
day: it is idempotent (a head already digested is not recorded again).
"""

from __future__ import annotations

import threading
from typing import Any

import structlog

from application.audit_digests import TAKE_AUDIT_DIGESTS, AuditDigests, parse_digest_time
from ops.audit import digest_store

POLL_SECONDS = 60.0
"""How often the schedule looks at the clock (a digest is due at most once a day)."""
log = structlog.get_logger("motcua.audit")


class DigestTicker:
    """Calls ``AuditDigests.tick`` at start and every ``poll`` seconds until stopped."""

    def __init__(self, digests: AuditDigests, poll: float = POLL_SECONDS) -> None:
        self.digests, self.poll = digests, poll
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="audit-digest-schedule", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        while True:
            try:
                self.digests.tick()
            except Exception as exc:  # the broker may be briefly away; try at the next tick
                log.warning("audit_digest_schedule_failed", error=repr(exc))
            if self._stop.wait(self.poll):
                return

    def stop(self) -> None:
        self._stop.set()


def attach_audit_digests(container: Any) -> None:
    """Call after ``container.jobs`` and the statistics exports exist."""
    settings, services = container.settings, container.services
    chain = services.audit_chain
    digests = AuditDigests(chain.stores, chain.digests or digest_store(settings), container.clock,
                           zone=settings.timezone, at=parse_digest_time(settings.audit_digest_time),
                           jobs=container.jobs)
    services.audit_digests = digests
    def take() -> None:
        taken = digests.take()
        log.info("audit_digests_taken", stores=[d.store for d in taken])

    container.jobs.register(TAKE_AUDIT_DIGESTS, take, min_backoff=5000, max_backoff=300_000)

    def schedule() -> None:
        ticker = DigestTicker(digests)
        ticker.start()
        container.closers.insert(0, ticker.stop)

    container.starters.append(schedule)


__all__ = ["DigestTicker", "attach_audit_digests"]
