"""Wire messages for dossiers: requests in, views out (camelCase, instants with their offset)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

import msgspec
from msgspec import Meta

Text = Annotated[str, Meta(min_length=1, max_length=2000)]
ShortText = Annotated[str, Meta(min_length=1, max_length=200)]
Note = Annotated[str, Meta(max_length=2000)]
UnitCode = Annotated[str, Meta(min_length=3, max_length=40, pattern=r"^[0-9A-Z.]+$")]
Items = Annotated[list[ShortText], Meta(min_length=1, max_length=50)]


class _In(msgspec.Struct, frozen=True, forbid_unknown_fields=True, rename="camel"):
    pass


class Person(_In):
    name: ShortText
    id_number: Annotated[str, Meta(max_length=20, pattern=r"^[0-9A-Z]*$")] | None = None
    kind: Literal["citizen", "business"] = "citizen"
    phone: Annotated[str, Meta(max_length=20)] | None = None
    email: Annotated[str, Meta(max_length=200)] | None = None
    address: Annotated[str, Meta(max_length=500)] | None = None


class Representative(_In):
    name: ShortText
    id_number: Annotated[str, Meta(max_length=20)] | None = None
    relation: Annotated[str, Meta(max_length=200)] = "người nộp thay"
    phone: Annotated[str, Meta(max_length=20)] | None = None


class SubmitDossier(_In):
    procedure_code: Annotated[str, Meta(min_length=1, max_length=40)]
    applicant: Person
    channel: Literal["online", "counter", "postal"] = "online"
    procedure_version: Annotated[int, Meta(ge=1)] | None = None
    receiving_unit: UnitCode | None = None
    representative: Representative | None = None
    form: dict[str, Any] = {}
    applicant_account: Annotated[str, Meta(max_length=64)] = ""


class Reason(_In):
    reason: Text


class SupplementRequest(_In):
    items: Items
    reason: Text


class Supplement(_In):
    documents: Annotated[list[ShortText], Meta(max_length=50)] = []
    note: Note = ""


class HandOverRequest(_In):
    to_unit: UnitCode
    to_officer: Annotated[str, Meta(max_length=64)] | None = None
    step_index: Annotated[int, Meta(ge=0, le=100)] | None = None
    note: Note = ""


class FeeRequest(_In):
    amount: Annotated[int, Meta(gt=0, le=10_000_000_000)]
    items: Items
    note: Note = ""


class FeePayment(_In):
    amount: Annotated[int, Meta(gt=0, le=10_000_000_000)]
    paid_online: bool
    receipt_ref: ShortText


class OpinionRequest(_In):
    to_unit: UnitCode
    text: Text


class Opinion(_In):
    text: Text


class Extension(_In):
    new_appointment: datetime
    reason: Text


class Approval(_In):
    summary: Text
    electronic: bool = True


class Completion(_In):
    electronic_result: bool = True


class ResultReturn(_In):
    method: Literal["counter", "post", "online"]


class Rating(_In):
    score: Annotated[int, Meta(ge=1, le=5)]
    comment: Note = ""


class MessageIn(_In):
    text: Text


class Withdrawal(_In):
    reason: Text


class AcceptWithdrawal(_In):
    note: Note = ""


class LookupRequest(_In):
    code: Annotated[str, Meta(min_length=10, max_length=60)]
    secret: Annotated[str, Meta(min_length=4, max_length=40)]


# ----- views -----


class _Out(msgspec.Struct, frozen=True, rename="camel", omit_defaults=False):
    pass


class HandOverView(_Out):
    at: datetime
    from_unit: str | None
    from_actor: str
    to_unit: str
    to_officer: str | None
    step_index: int | None
    note: str


class DossierDetail(_Out):
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
    hand_overs: list[HandOverView]
    documents: list[dict[str, Any]]
    rating: int | None
    allowed_commands: list[str]


class LookupView(_Out):
    code: str
    procedure_name: str
    status: str
    status_label: str
    national_status: int
    national_status_label: str
    appointment: datetime | None
    waiting: bool
    ended_at: datetime | None


class MessageView(_Out):
    at: datetime
    author_role: str
    text: str


class DossierListItem(_Out):
    code: str
    procedure_code: str
    procedure_name: str
    channel: str
    applicant_name: str
    receiving_unit: str
    current_unit: str | None
    current_officer: str | None
    status: str
    national_status: int
    submitted_at: datetime
    received_at: datetime | None
    appointment: datetime | None
    original_due: datetime | None
    waiting: bool
    overdue: bool
    ended_at: datetime | None
    version: int


class DossierPage(_Out):
    items: list[DossierListItem]
    next_cursor: str | None
    caught_up: bool
    position: int
