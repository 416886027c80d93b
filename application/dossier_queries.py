"""Lists and look-ups: served from the lookup index only, never by scanning the event store.

A client that has just written passes the ``position`` its command returned; the query waits
(boundedly) for the index to reach it, so the citizen sees the dossier they just filed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from application.clock import Clock
from application.dossier_index import DossierIndex, DossierSummary, InvalidCursor, Page
from application.dossier_views import PublicStatus
from application.errors import ApplicationError, DossierNotFound
from application.lookup_secrets import LookupSecrets
from application.policy import ScopeOf, officer_scope
from domain.actor import Actor, Role
from domain.dossier import LocalStatus, NationalStatus


class BadPageRequest(ApplicationError):
    code = "invalid-page-request"
    message_vi = "Tham số phân trang không hợp lệ"
    message_en = "Invalid pagination parameters"
    http_status = 400


@dataclass(frozen=True)
class Listing:
    page: Page
    caught_up: bool
    """False when the index had not reached ``min_position`` within the wait."""
    position: int


@dataclass(frozen=True)
class WorklistFilter:
    status: str | None = None
    national_status: int | None = None
    overdue: bool | None = None
    waiting: bool | None = None
    mine: bool = False


class DossierQueries:
    def __init__(self, index: DossierIndex, clock: Clock, scope_of: ScopeOf, lookup_secrets: LookupSecrets,
                 *, max_wait: float, default_limit: int, max_limit: int) -> None:
        self._index = index
        self._clock = clock
        self._scope_of = scope_of
        self._secrets = lookup_secrets
        self._max_wait = max_wait
        self._default_limit = default_limit
        self._max_limit = max_limit

    def my_dossiers(self, actor: Actor, *, cursor: str | None, limit: int | None, min_position: int | None) -> Listing:
        if actor.role != Role.CITIZEN:
            raise DossierNotFound("only applicants have their own dossier list")
        caught_up = self._wait(min_position)
        page = self._paged(lambda n: self._index.list_by_applicant(actor.id, after_cursor=cursor, limit=n), limit)
        return Listing(page, caught_up, self._index.position())

    def worklist(self, actor: Actor, filters: WorklistFilter, *, cursor: str | None, limit: int | None,
                 min_position: int | None) -> Listing:
        units = officer_scope(actor, self._scope_of)
        if filters.status is not None and filters.status not in LocalStatus.__members__.values():
            raise BadPageRequest(f"unknown status {filters.status!r}", field="status")
        if filters.national_status is not None and filters.national_status not in set(NationalStatus):
            raise BadPageRequest("nationalStatus must be 1-10", field="nationalStatus")
        caught_up = self._wait(min_position)
        page = self._paged(lambda n: self._index.worklist(
            units, officer=actor.id if filters.mine else None, status=filters.status,
            national_status=filters.national_status, overdue=filters.overdue, waiting=filters.waiting,
            now=self._clock.now(), after_cursor=cursor, limit=n,
        ), limit)
        return Listing(page, caught_up, self._index.position())

    def lookup(self, code: str, secret: str) -> PublicStatus:
        """The public status look-up: a wrong secret and an unknown code look the same."""
        return self._public(self._index.get_by_code(code.strip()), secret)

    async def lookup_on_loop(self, code: str, secret: str) -> PublicStatus:
        """``lookup`` for the event loop: the busiest public read never waits for a thread."""
        return self._public(await self._index.find_by_code(code.strip()), secret)

    def _public(self, row: DossierSummary | None, secret: str) -> PublicStatus:
        if row is None or not self._secrets.matches(secret, row.lookup_secret_hmac):
            raise DossierNotFound("no dossier with this code and secret")
        return public_status(row)

    def overdue(self, row: DossierSummary) -> bool:
        return row.is_overdue(self._clock.now())

    def _wait(self, min_position: int | None) -> bool:
        if not min_position:
            return True
        return self._index.wait_for(min_position, timeout=self._max_wait)

    def _paged(self, query: Callable[[int], Page], limit: int | None) -> Page:
        n = self._default_limit if limit is None else limit
        if not 1 <= n <= self._max_limit:
            raise BadPageRequest(f"limit must be between 1 and {self._max_limit}", field="limit")
        try:
            return query(n)
        except InvalidCursor:
            raise BadPageRequest("the cursor is not one this list gave out", field="cursor") from None


def public_status(row: DossierSummary) -> PublicStatus:
    status = LocalStatus(row.status)
    national = NationalStatus(row.national_status)
    return PublicStatus(
        code=row.code, procedure_name=row.procedure_name, status=status.value, status_label=status.label_vi,
        national_status=int(national), national_status_label=national.label_vi, appointment=row.appointment,
        waiting=row.waiting, ended_at=row.ended_at,
    )
