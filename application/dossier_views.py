"""Read views of one dossier built from its aggregate: the API never holds an aggregate.

A single dossier may be read from the event store by id (so its ETag is always current); these
plain dataclasses are what leaves the application layer. "Overdue" is computed here, at read
time, from the wait-adjusted due instant: it is never stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.dossier import Dossier, LocalStatus, NationalStatus


@dataclass(frozen=True)
class HandOverState:
    at: datetime
    from_unit: str | None
    from_actor: str
    to_unit: str
    to_officer: str | None
    step_index: int | None
    note: str


@dataclass(frozen=True)
class DossierState:
    id: str
    code: str
    version: int
    procedure_code: str
    procedure_version: int
    procedure_name: str
    field: str
    receiving_unit: str
    channel: str
    applicant: dict[str, Any]
    representative: dict[str, Any] | None
    form: dict[str, Any]
    status: str
    status_label: str
    national_status: int
    national_status_label: str
    submitted_at: datetime
    received_at: datetime | None
    start: datetime | None
    appointment: datetime | None
    original_due: datetime | None
    waiting: bool
    clock_stopped: bool
    overdue: bool
    supplement_requests: int
    ended_at: datetime | None
    net_working_hours: float | None
    current_unit: str | None
    current_officer: str | None
    hand_overs: list[HandOverState]
    documents: list[dict[str, Any]]
    rating: int | None
    allowed_commands: list[str]


@dataclass(frozen=True)
class PublicStatus:
    """What the public lookup shows: status and appointment only, no personal data."""

    code: str
    procedure_name: str
    status: str
    status_label: str
    national_status: int
    national_status_label: str
    appointment: datetime | None
    waiting: bool
    ended_at: datetime | None


def state_of(dossier: Dossier, now: datetime) -> DossierState:
    status = LocalStatus(dossier.status)
    national = NationalStatus(int(dossier.national_status))
    return DossierState(
        id=str(dossier.id), code=dossier.code, version=dossier.version,
        procedure_code=dossier.procedure_code, procedure_version=dossier.procedure_version,
        procedure_name=dossier.procedure_name, field=dossier.field, receiving_unit=dossier.receiving_unit,
        channel=dossier.channel, applicant=dict(dossier.applicant),
        representative=dict(dossier.representative) if dossier.representative else None,
        form=dict(dossier.form), status=status.value, status_label=status.label_vi,
        national_status=int(national), national_status_label=national.label_vi,
        submitted_at=dossier.created_on, received_at=dossier.received_at, start=dossier.start,
        appointment=dossier.due, original_due=dossier.original_due, waiting=dossier.is_waiting,
        clock_stopped=dossier.clock_stopped, overdue=dossier.is_overdue(now),
        supplement_requests=dossier.supplement_requests, ended_at=dossier.ended_at,
        net_working_hours=dossier.net_working_hours, current_unit=dossier.current_unit,
        current_officer=dossier.current_officer,
        hand_overs=[
            HandOverState(h.at, h.from_unit, h.from_actor_id, h.to_unit, h.to_officer, h.step_index, h.note)
            for h in dossier.hand_overs
        ],
        documents=[dict(d) for d in dossier.documents], rating=dossier.rating,
        allowed_commands=sorted(str(c) for c in dossier.allowed_commands),
    )
