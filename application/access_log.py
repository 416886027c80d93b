"""The access log (nhật ký truy cập): who read which dossier or personal data, when, from where, why.

Information-security level 3 asks for it. It is kept apart from the event streams (reads are not
facts about a dossier) in an append-only store, and queried by auditors. The public status
look-up is not personal data and is not logged.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime

from typing import Any

from application.clock import Clock
from application.errors import AccessDenied, ApplicationError
from domain.actor import Actor, Role


class ReasonRequired(ApplicationError):
    code = "access-reason-required"
    message_vi = "Thanh tra cần nêu lý do khi xem dữ liệu cá nhân (tiêu đề X-Access-Reason)"
    message_en = "Auditors must give a reason to read personal data (X-Access-Reason header)"
    http_status = 400


@dataclass(frozen=True)
class AccessContext:
    """Where a request came from and why (the reason is required of auditors)."""

    ip: str = ""
    reason: str = ""
    request_id: str = ""


@dataclass(frozen=True)
class AccessEntry:
    at: datetime
    actor_id: str
    actor_role: str
    actor_unit: str | None
    action: str
    subject: str
    ip: str
    reason: str
    request_id: str = ""
    id: int = 0


@dataclass(frozen=True)
class AccessPage:
    entries: list[AccessEntry]
    next_cursor: int | None


class AccessLog(ABC):
    """Port: append-only; the adapters refuse UPDATE and DELETE at the database level."""

    @abstractmethod
    def append(self, entry: AccessEntry) -> None: ...

    @abstractmethod
    def query(self, *, actor_id: str | None = None, subject: str | None = None, action: str | None = None,
              since: datetime | None = None, until: datetime | None = None, after_id: int | None = None,
              limit: int = 50) -> AccessPage:
        """Newest first; ``after_id`` continues from the last entry of the previous page."""

    @abstractmethod
    def read_after(self, position: int, limit: int) -> list[AccessEntry]:
        """Oldest first: the entries whose id is greater than ``position`` (projections read
        the log in its append order, as they read an event store's notification log)."""

    def max_id(self) -> int:
        """The id of the newest entry (0 when empty): how far a projection has to go."""
        page = self.query(limit=1)
        return page.entries[0].id if page.entries else 0

    def close(self) -> None:  # noqa: B027 - optional for adapters without resources
        """Release connections."""


def check_reason(actor: Actor, context: AccessContext | None) -> None:
    if actor.role == Role.AUDITOR and not (context and context.reason.strip()):
        raise ReasonRequired(field="X-Access-Reason")


def entry(actor: Actor, action: str, subject: str, at: datetime, context: AccessContext | None) -> AccessEntry:
    context = context or AccessContext()
    return AccessEntry(
        at=at, actor_id=actor.id, actor_role=actor.role.value, actor_unit=actor.unit, action=action,
        subject=subject, ip=context.ip[:64], reason=context.reason[:500], request_id=context.request_id[:64],
    )


OFFICIAL_READERS = frozenset({Role.RECEPTION_OFFICER, Role.HANDLING_OFFICER, Role.UNIT_LEADER, Role.AUDITOR,
                              Role.ADMINISTRATOR, Role.ANALYST})


class Accesses:
    """Records reads and logins; the application services call it, the API never writes it."""

    def __init__(self, log: AccessLog, clock: Clock) -> None:
        self._log = log
        self._clock = clock

    def before_read(self, actor: Actor, context: AccessContext | None) -> None:
        """Checked before the data is fetched, so a refused auditor reads nothing."""
        check_reason(actor, context)

    def read(self, actor: Actor, action: str, subject: str, context: AccessContext | None) -> None:
        if actor.role in OFFICIAL_READERS:
            self._log.append(entry(actor, action, subject, self._clock.now(), context))

    def login(self, username: str, actor: Actor | None, context: AccessContext | None) -> None:
        who = actor or Actor(id="", role=Role.SYSTEM)
        self._log.append(entry(who, "login" if actor else "login-failed", username, self._clock.now(), context))

    def query(self, actor: Actor, **filters: Any) -> AccessPage:
        if actor.role != Role.AUDITOR:
            raise AccessDenied("only auditors read the access log")
        return self._log.query(**filters)
