"""The access-log counts projection: each access-log entry becomes one countable fact row.

Information-security level 3 wants the access log counted in the statistics (how many reads of
personal data, by whom, of which unit's dossiers, how many failed logins) while the statistics
store holds no personal data. So a row keeps only what can be counted: the local day, the kind
of access, its outcome, the actor's role and unit, and the receiving unit of the dossier read
(when the statistics already know that dossier). Never a name, an account, a citizen's id, an
IP address, a reason or the dossier's code.

The access log is not an event store, but it is an append-only sequence with increasing ids, so
the projection reads it like a notification log: entries after the recorded position, rows
first, position last. A row is keyed by the entry's id, so a batch written again after a crash
replaces its identical twin and counts read with ``FINAL`` never change.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import astuple, dataclass, fields
from datetime import date
from zoneinfo import ZoneInfo

from application.access_log import AccessEntry, AccessLog

PROJECTION_NAME = "AccessLogCounts"
DOSSIER_ACTIONS = frozenset({"read-dossier", "read-messages", "read-documents", "download-document",
                             "read-history", "read-state-at"})
"""Actions whose subject is a dossier code (the receiving unit is looked up for these only)."""
BATCH_SIZE = 5000


@dataclass(frozen=True)
class AccessCountRow:
    """One row of ``access_log_counts``; the entry id is the idempotency key, not a person."""

    entry_id: int
    day: date
    kind: str
    outcome: str
    actor_role: str
    actor_unit: str
    receiving_unit: str


COLUMNS = [f.name for f in fields(AccessCountRow)]


def count_row(entry: AccessEntry, zone: ZoneInfo, receiving_units: dict[str, str]) -> AccessCountRow:
    """The countable facts of one entry; a failed login counts as kind ``login``, outcome ``failed``."""
    failed = entry.action == "login-failed"
    return AccessCountRow(
        entry_id=entry.id,
        day=entry.at.astimezone(zone).date(),
        kind="login" if failed else entry.action,
        outcome="failed" if failed else "ok",
        actor_role=entry.actor_role,
        actor_unit=entry.actor_unit or "",
        receiving_unit=receiving_units.get(entry.subject, "") if entry.action in DOSSIER_ACTIONS else "",
    )


class AccessCountsView(ABC):
    """Where the rows go (ClickHouse in ``adapters.clickhouse.access_counts``)."""

    @abstractmethod
    def position(self) -> int: ...

    @abstractmethod
    def receiving_units(self, codes: Iterable[str]) -> dict[str, str]:
        """The receiving unit of each dossier code the statistics know."""

    @abstractmethod
    def write(self, rows: Sequence[AccessCountRow], position: int) -> None:
        """Insert the rows, then (only then) record ``position``."""


class AccessCountsRunner:
    """Reads the access log after the recorded position, writes count rows, then the position."""

    def __init__(self, log: AccessLog, view: AccessCountsView, *, zone: str = "Asia/Ho_Chi_Minh",
                 batch_size: int = BATCH_SIZE) -> None:
        self.log = log
        self.view = view
        self.zone = ZoneInfo(zone)
        self.batch_size = batch_size
        self._position: int | None = None

    def run_once(self) -> int:
        """One batch; returns the number of entries it covered (0: caught up)."""
        if self._position is None:
            self._position = self.view.position()
        entries = self.log.read_after(self._position, self.batch_size)
        if not entries:
            return 0
        codes = {e.subject for e in entries if e.action in DOSSIER_ACTIONS}
        units = self.view.receiving_units(codes) if codes else {}
        rows = [count_row(e, self.zone, units) for e in entries]
        self.view.write(rows, entries[-1].id)
        self._position = entries[-1].id
        return len(entries)

    def catch_up(self) -> int:
        total = 0
        while n := self.run_once():
            total += n
        return total


def row_tuple(row: AccessCountRow) -> tuple[object, ...]:
    return astuple(row)


__all__ = ["COLUMNS", "PROJECTION_NAME", "AccessCountRow", "AccessCountsRunner", "AccessCountsView", "count_row",
           "row_tuple"]
