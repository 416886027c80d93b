"""The ``Procedure`` aggregate: one administrative procedure (thủ tục hành chính), versioned.

Version 1 is drafted; a draft may be amended until it is published; a published version never
changes again. A revision opens a new draft version (the latest plus one) starting from the
given terms; publishing it makes it the current version, while every older published version
stays readable, so a dossier pinned to it keeps its deadline, steps and form. Suspension stops
new filings without touching any version; withdrawal (bãi bỏ) is final.
"""

from __future__ import annotations

import copy
import uuid
from datetime import datetime
from typing import Any

from eventsourcing.domain import Aggregate

from domain.procedure.errors import (
    AlreadySuspended,
    DraftAlreadyOpen,
    NoDraft,
    NotPublished,
    NotSuspended,
    ProcedureWithdrawn,
    PublishedVersionImmutable,
    ReasonRequired,
)
from domain.procedure.terms import check_national_code, check_terms

PROCEDURE_NAMESPACE = uuid.UUID("3b0e7f52-9c1d-4f7a-a6c4-2d8e5b1f0c93")


def procedure_id(code: str) -> uuid.UUID:
    """Deterministic, so a procedure is loaded by its national code without an index."""
    return uuid.uuid5(PROCEDURE_NAMESPACE, code)


def check_reason(reason: str) -> None:
    if not reason.strip():
        raise ReasonRequired


class Procedure(Aggregate):
    class Drafted(Aggregate.Created):
        code: str
        terms: dict[str, Any]
        actor_id: str

    @classmethod
    def draft(cls, *, code: str, terms: dict[str, Any], actor_id: str, at: datetime) -> Procedure:
        check_national_code(code)
        return cls._create(cls.Drafted, id=procedure_id(code), timestamp=at, code=code,
                           terms=check_terms(terms), actor_id=actor_id)

    def __init__(self, *, code: str, terms: dict[str, Any], **_: Any) -> None:
        self.code = code
        self.versions: dict[int, dict[str, Any]] = {1: terms}
        self.published: dict[int, datetime] = {}
        self.draft_version: int | None = 1
        self.current_version: int | None = None
        self.suspended = False
        self.withdrawn = False

    # ----- reading -----

    @property
    def latest_version(self) -> int:
        return max(self.versions)

    def terms_of(self, version: int) -> dict[str, Any]:
        """A copy: nobody outside may change a version's terms in place."""
        return copy.deepcopy(self.versions[version])

    def is_published(self, version: int) -> bool:
        return version in self.published

    # ----- rules -----

    def check_not_withdrawn(self) -> None:
        if self.withdrawn:
            raise ProcedureWithdrawn

    def check_is_draft(self, version: int) -> None:
        if version in self.published:
            raise PublishedVersionImmutable(version)
        if version != self.draft_version:
            raise NoDraft(version)

    # ----- changes to a draft -----

    class DraftAmended(Aggregate.Event):
        procedure_version: int
        terms: dict[str, Any]
        actor_id: str

        def apply(self, aggregate: Procedure) -> None:  # type: ignore[override]
            aggregate.versions[self.procedure_version] = self.terms

    def amend(self, version: int, terms: dict[str, Any], *, actor_id: str, at: datetime) -> None:
        self.check_not_withdrawn()
        self.check_is_draft(version)
        self.trigger_event(self.DraftAmended, timestamp=at, procedure_version=version,
                           terms=check_terms(terms), actor_id=actor_id)

    # ----- a new version -----

    class Revised(Aggregate.Event):
        procedure_version: int
        terms: dict[str, Any]
        actor_id: str
        reason: str

        def apply(self, aggregate: Procedure) -> None:  # type: ignore[override]
            aggregate.versions[self.procedure_version] = self.terms
            aggregate.draft_version = self.procedure_version

    def revise(self, terms: dict[str, Any], *, reason: str, actor_id: str, at: datetime) -> int:
        self.check_not_withdrawn()
        if self.draft_version is not None:
            raise DraftAlreadyOpen(self.draft_version)
        check_reason(reason)
        version = self.latest_version + 1
        self.trigger_event(self.Revised, timestamp=at, procedure_version=version, terms=check_terms(terms),
                           actor_id=actor_id, reason=reason)
        return version

    # ----- publishing -----

    class Published(Aggregate.Event):
        """Carries the code and the published terms, so the public catalogue projection is a
        pure function of this one event (drafts are not public and need no row)."""

        procedure_version: int
        actor_id: str
        code: str
        terms: dict[str, Any]

        def apply(self, aggregate: Procedure) -> None:  # type: ignore[override]
            aggregate.published[self.procedure_version] = self.timestamp
            aggregate.current_version = self.procedure_version
            aggregate.draft_version = None
            aggregate.suspended = False

    def publish(self, version: int, *, actor_id: str, at: datetime) -> None:
        self.check_not_withdrawn()
        self.check_is_draft(version)
        self.trigger_event(self.Published, timestamp=at, procedure_version=version, actor_id=actor_id,
                           code=self.code, terms=self.terms_of(version))

    # ----- suspension and withdrawal -----

    class Suspended(Aggregate.Event):
        reason: str
        actor_id: str

        def apply(self, aggregate: Procedure) -> None:  # type: ignore[override]
            aggregate.suspended = True

    def suspend(self, reason: str, *, actor_id: str, at: datetime) -> None:
        self.check_not_withdrawn()
        if self.current_version is None:
            raise NotPublished
        if self.suspended:
            raise AlreadySuspended
        check_reason(reason)
        self.trigger_event(self.Suspended, timestamp=at, reason=reason, actor_id=actor_id)

    class Resumed(Aggregate.Event):
        actor_id: str

        def apply(self, aggregate: Procedure) -> None:  # type: ignore[override]
            aggregate.suspended = False

    def resume(self, *, actor_id: str, at: datetime) -> None:
        self.check_not_withdrawn()
        if not self.suspended:
            raise NotSuspended
        self.trigger_event(self.Resumed, timestamp=at, actor_id=actor_id)

    class Withdrawn(Aggregate.Event):
        reason: str
        actor_id: str

        def apply(self, aggregate: Procedure) -> None:  # type: ignore[override]
            aggregate.withdrawn = True
            aggregate.draft_version = None

    def withdraw(self, reason: str, *, actor_id: str, at: datetime) -> None:
        self.check_not_withdrawn()
        check_reason(reason)
        self.trigger_event(self.Withdrawn, timestamp=at, reason=reason, actor_id=actor_id)


class ProcedureRegister(Aggregate):
    """The national codes in the catalogue, saved with each new procedure in one ``save()``.

    Listing the catalogue (``ProcedureCatalogue.list``, the seed import) must not scan the event
    store; this one small stream names every procedure, and its version check makes two
    administrators creating the same code at once a conflict rather than a duplicate.
    """

    ID = uuid.uuid5(PROCEDURE_NAMESPACE, "register")

    class Opened(Aggregate.Created):
        pass

    @classmethod
    def open(cls, at: datetime) -> ProcedureRegister:
        return cls._create(cls.Opened, id=cls.ID, timestamp=at)

    def __init__(self, **_: Any) -> None:
        self.codes: list[str] = []

    class Added(Aggregate.Event):
        code: str

        def apply(self, aggregate: ProcedureRegister) -> None:  # type: ignore[override]
            aggregate.codes.append(self.code)

    def add(self, code: str, at: datetime) -> None:
        if code not in self.codes:
            self.trigger_event(self.Added, timestamp=at, code=code)
