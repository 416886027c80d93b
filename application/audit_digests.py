"""The daily digest of the audit chain as a scheduled job (issue 5 §4).

A digest (each chained store's head for the local day, see ``application.audit_chain``) is
what catches the last events being cut off together with their links, so it must be taken
every day without anyone remembering to. ``AuditDigests.take`` is the job: it records each
store's current head, and nothing for a store whose head has not moved since its last digest,
so running it twice, or on two workers, adds nothing. ``tick`` is the schedule: it enqueues
the job through the ``Jobs`` port once the day's digest time has passed, and at start-up when
the last digest is more than a day old (the process was down at digest time). The clock is
the application's, so a simulated clock drives the schedule in tests and simulations.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from application.audit_chain import Digest, DigestStore, take_digest
from application.clock import Clock
from application.jobs import Jobs

TAKE_AUDIT_DIGESTS = "take_audit_digests"
DAY = timedelta(days=1)


def parse_digest_time(text: str) -> time:
    """``HH:MM`` local time of the daily digest."""
    hours, minutes = text.strip().split(":")
    return time(int(hours), int(minutes))


class AuditDigests:
    """Takes the daily digests of the chained stores, and decides when they are due.

    ``stores`` is the (name, Application) list of ``AuditChainService.stores``: kept by
    reference, so a store attached later (the statistics exports) is digested too.
    """

    def __init__(self, stores: Sequence[tuple[str, Any]], digests: DigestStore, clock: Clock, *,
                 zone: str = "Asia/Ho_Chi_Minh", at: time = time(23, 55), jobs: Jobs | None = None) -> None:
        self.stores = stores
        self.digests = digests
        self.clock = clock
        self.zone = ZoneInfo(zone)
        self.at = at
        self.jobs = jobs
        self._enqueued_at: datetime | None = None
        self._lock = threading.Lock()

    def take(self) -> list[Digest]:
        """The job: each store's head for today (local); a head already digested is skipped."""
        now = self.clock.now().astimezone(self.zone)
        taken = []
        for name, app in list(self.stores):
            digest = take_digest(name, app.recorder, self.digests, now)
            if digest is not None:
                taken.append(digest)
        return taken

    def last_taken(self) -> datetime | None:
        instants = [d.taken_at for d in self.digests.list()]
        return max(instants) if instants else None

    def due(self) -> bool:
        """The last digest (or job enqueued) is before today's digest time, now past, or a day old."""
        now = self.clock.now().astimezone(self.zone)
        seen = [t for t in (self.last_taken(), self._enqueued_at) if t is not None]
        if not seen:
            return True
        reference = max(seen)
        slot = datetime.combine(now.date(), self.at, self.zone)
        if slot > now:
            slot -= DAY
        return reference < slot or now - reference >= DAY

    def tick(self) -> bool:
        """Enqueue the job if it is due; True when it did. Safe to call often."""
        if self.jobs is None:
            raise RuntimeError("AuditDigests.tick needs the Jobs port")
        with self._lock:
            if not self.due():
                return False
            self.jobs.enqueue(TAKE_AUDIT_DIGESTS)
            self._enqueued_at = self.clock.now()
            return True


__all__ = ["TAKE_AUDIT_DIGESTS", "AuditDigests", "parse_digest_time"]
