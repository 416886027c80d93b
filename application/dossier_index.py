"""The dossier lookup index: the read port every list and search goes through (DESIGN §4).

Lists never scan the event store; they read this index, which a projection keeps as a pure
function of the dossier events. Its rows lag the store by a little, so a caller that has just
written waits for its write's notification id (`wait_for`) before reading its own change.

Paging is by keyset, never by offset: the opaque cursor names the last row returned, so a page
is one indexed range scan however deep it is, and rows inserted meanwhile neither repeat nor
shift later pages. Orders (both total, the code breaking ties):

- applicant lists: newest first, by `submitted_at` descending then `code` descending;
- worklists: most urgent first, by the queue instant ascending then `code` ascending, where the
  queue instant is the appointment of a received dossier and the submission instant of one not
  yet received (it has no appointment; reception is what it waits for).

Worklist scope: a dossier is in the worklist of a set of units when its `current_unit` (where it
is now) or its `receiving_unit` (the one-stop desk that answers to the applicant for it) is in
the set. Units consulted for an opinion are listed in `units` but do not see it in their queue.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import UTC, datetime

from domain.dossier.status import FINAL_STATUSES, LocalStatus


class InvalidCursor(ValueError):
    """The cursor was not issued by this index for this kind of list (or was tampered with)."""


@dataclass(frozen=True)
class DossierSummary:
    """One dossier as lists show it; every field is a fold of the dossier's events."""

    id: str
    code: str
    procedure_code: str
    procedure_name: str
    field: str
    receiving_unit: str
    current_unit: str | None
    current_officer: str | None
    applicant_account: str
    applicant_name: str
    channel: str
    status: str
    national_status: int
    submitted_at: datetime
    received_at: datetime | None
    appointment: datetime | None
    """The due instant shown to the applicant (moved by waits and extensions)."""
    original_due: datetime | None
    """The wait-adjusted original due instant that lateness is judged against."""
    waiting: bool
    clock_stopped_since: datetime | None
    ended_at: datetime | None
    supplement_requests: int
    version: int
    """Aggregate version after the last event: lists use it for ETags."""
    position: int
    """Notification id of the last event applied to this row."""
    lookup_secret_hmac: str
    units: tuple[str, ...]
    """Every unit involved: receiving, receiving officer's, handed-to and consulted units."""

    @property
    def queue_at(self) -> datetime:
        """Worklist sort instant: the appointment, or the submission if not yet received."""
        return self.appointment or self.submitted_at

    def is_overdue(self, now: datetime) -> bool:
        """Unfinished, received and past its wait-adjusted due instant (never stored).

        While the clock is stopped the due instant will move by the wait, so only a dossier
        that was already overdue when the wait began counts (as `Dossier.is_overdue`).
        """
        if self.original_due is None or self.ended_at is not None:
            return False
        if LocalStatus(self.status) in FINAL_STATUSES:
            return False
        if self.clock_stopped_since is not None:
            return self.original_due < self.clock_stopped_since
        return self.original_due < now


@dataclass(frozen=True)
class Page:
    items: list[DossierSummary]
    next_cursor: str | None
    """None on the last page."""


class DossierIndex(ABC):
    """Queries of the lookup index; adapters implement them as one indexed query each."""

    @abstractmethod
    def get_by_code(self, code: str) -> DossierSummary | None: ...

    async def find_by_code(self, code: str) -> DossierSummary | None:
        """``get_by_code`` for a caller on the event loop (the public look-up, P2).

        An adapter with an asynchronous driver answers on the loop itself once
        :meth:`open_on_loop` has run there: no hand-off to a worker thread, whose return
        waits for the GIL behind every busy thread. Anything else answers from a thread.
        """
        return await asyncio.to_thread(self.get_by_code, code)

    async def open_on_loop(self) -> None:
        """Open what :meth:`find_by_code` needs on the running loop (the server's start-up)."""

    async def close_on_loop(self) -> None:
        """Close what :meth:`open_on_loop` opened (the server's shutdown, on the same loop)."""

    @abstractmethod
    def list_by_applicant(
        self, account_id: str, *, after_cursor: str | None = None, limit: int = 20
    ) -> Page:
        """The applicant's dossiers, newest first."""

    @abstractmethod
    def worklist(
        self,
        units: frozenset[str],
        *,
        officer: str | None = None,
        status: str | None = None,
        national_status: int | None = None,
        overdue: bool | None = None,
        waiting: bool | None = None,
        now: datetime,
        after_cursor: str | None = None,
        limit: int = 20,
    ) -> Page:
        """Dossiers in scope of `units` (see the module docstring), most urgent first.

        `overdue` is judged against `now` at query time; None means "either" for each filter.
        """

    @abstractmethod
    def position(self) -> int:
        """The last notification id the index has applied (0 if none)."""

    @abstractmethod
    def wait_for(self, position: int, timeout: float) -> bool:
        """Block until the index has applied `position`; False if `timeout` passed first."""


# -- cursors --------------------------------------------------------------------------------

APPLICANT = "a"
WORKLIST = "w"


def encode_cursor(kind: str, instant: datetime, code: str) -> str:
    """Opaque to clients: url-safe base64 of the list kind and the last row's sort key."""
    raw = json.dumps([kind, utc(instant).isoformat(), code], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(kind: str, cursor: str) -> tuple[datetime, str]:
    """The sort key in `cursor`, or `InvalidCursor` if it is not a cursor of this kind."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        tag, instant, code = json.loads(raw)
        if tag != kind or not isinstance(code, str) or not isinstance(instant, str):
            raise ValueError(kind)
        at = datetime.fromisoformat(instant)
        if at.tzinfo is None:
            raise ValueError(instant)
    except (binascii.Error, UnicodeDecodeError, ValueError, TypeError) as e:
        msg = "Invalid page cursor"
        raise InvalidCursor(msg) from e
    return at.astimezone(UTC), code


def check_limit(limit: int) -> int:
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
        msg = f"limit must be a positive integer, got {limit!r}"
        raise ValueError(msg)
    return limit


def utc(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        msg = f"instants must be timezone-aware, got {instant!r}"
        raise ValueError(msg)
    return instant.astimezone(UTC)


__all__ = [
    "APPLICANT",
    "WORKLIST",
    "DossierIndex",
    "DossierSummary",
    "InvalidCursor",
    "Page",
    "check_limit",
    "decode_cursor",
    "encode_cursor",
    "utc",
]
