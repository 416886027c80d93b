"""Builders for dossier tests: actors, a hand-driven clock, and dossiers in any status.

Every dossier here is built by issuing real commands (no hand-made state), so a test "given
these events" really starts from the events the aggregate itself records.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from eventsourcing.application import Application

from domain.actor import Actor, Role
from domain.calendar import WorkingCalendar
from domain.dossier import Command, Dossier, LocalStatus

UNIT = "000.00.01.H22"
OTHER_UNIT = "000.00.02.H22"
CONSULTED_UNIT = "000.00.03.H22"
CALENDAR = WorkingCalendar()
HANOI = ZoneInfo("Asia/Ho_Chi_Minh")

CITIZEN = Actor("citizen-1", Role.CITIZEN, None, "Nguyễn Văn A")
RECEPTION = Actor("officer-1", Role.RECEPTION_OFFICER, UNIT, "Trần Thị B")
HANDLER = Actor("officer-2", Role.HANDLING_OFFICER, OTHER_UNIT, "Lê Văn C")
LEADER = Actor("leader-1", Role.UNIT_LEADER, OTHER_UNIT, "Phạm Văn D")
CONSULTED = Actor("officer-3", Role.HANDLING_OFFICER, CONSULTED_UNIT, "Hoàng Thị E")
SYSTEM = Actor("system", Role.SYSTEM)
AUDITOR = Actor("auditor-1", Role.AUDITOR)

FEE = 50_000
SHA = "ab" * 32


def local(text: str) -> datetime:
    """An instant written in Hà Nội wall-clock time ('2026-03-02 09:00')."""
    naive = datetime.fromisoformat(text)
    return naive.replace(tzinfo=HANOI).astimezone(UTC)


class Clock:
    """A clock the test moves by hand; every read is strictly after the previous one."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or local("2026-03-02 08:00")

    def tick(self, delta: timedelta = timedelta(minutes=10)) -> datetime:
        self.now += delta
        return self.now

    def at(self, instant: datetime) -> datetime:
        assert instant >= self.now, "the test clock never runs backwards"
        self.now = instant
        return instant


def submit(clock: Clock, *, number: int = 1, **overrides: Any) -> Dossier:
    """A citizen files a dossier online: 5 working days, fee stops the clock."""
    kwargs: dict[str, Any] = {
        "actor": CITIZEN,
        "at": clock.now,
        "code": f"{UNIT}-260302-{number:04d}",
        "procedure_code": "1.001234",
        "procedure_version": 3,
        "procedure_name": "Cấp giấy phép xây dựng",
        "field": "xay-dung",
        "receiving_unit": UNIT,
        "channel": "online",
        "applicant": {"id": CITIZEN.id, "name": CITIZEN.name, "kind": "citizen",
                      "id_number": "001099000001"},
        "applicant_key": "pseudo-7f3a",
        "representative": None,
        "form": {"dien_tich": 120, "dia_chi": "Hà Nội"},
        "lookup_secret_hmac": "hmac-sha256:0f0f",
        "processing_time_value": 5,
        "processing_time_unit": "working_days",
        "fee_stops_clock": True,
        "steps": [
            {"name": "Tiếp nhận", "unit": UNIT, "role": "reception_officer", "hours": 4},
            {"name": "Thẩm định", "unit": OTHER_UNIT, "role": "handling_officer", "hours": 28},
            {"name": "Phê duyệt", "unit": OTHER_UNIT, "role": "unit_leader", "hours": 8},
        ],
    }
    kwargs.update(overrides)
    return Dossier.submit(**kwargs)


def issue(dossier: Dossier, command: Command, clock: Clock) -> None:
    """Issue `command` with valid data and a suitable actor, one tick after the last event."""
    at = clock.tick()
    ISSUERS[command](dossier, at)


ISSUERS: dict[Command, Callable[[Dossier, datetime], None]] = {
    Command.RECEIVE: lambda d, at: d.receive(RECEPTION, at, CALENDAR),
    Command.REFUSE_RECEPTION: lambda d, at: d.refuse_reception(
        RECEPTION, at, reason="Sai thủ tục"),
    Command.HAND_OVER: lambda d, at: d.hand_over(
        RECEPTION, at, to_unit=OTHER_UNIT, to_officer=HANDLER.id, step_index=1),
    Command.REQUEST_SUPPLEMENT: lambda d, at: d.request_supplement(
        HANDLER, at, items=["Bản vẽ thiết kế"], reason="Thiếu bản vẽ"),
    Command.SUPPLEMENT: lambda d, at: d.supplement(
        CITIZEN, at, calendar=CALENDAR, documents=["Bản vẽ thiết kế"]),
    Command.REQUEST_FINANCIAL_OBLIGATION: lambda d, at: d.request_financial_obligation(
        HANDLER, at, amount=FEE, items=["Lệ phí cấp phép"]),
    Command.PAY_FEE: lambda d, at: d.pay_fee(
        SYSTEM, at, calendar=CALENDAR, amount=FEE, paid_online=True, receipt_ref="BL-0001"),
    Command.REQUEST_OPINION: lambda d, at: d.request_opinion(
        HANDLER, at, to_unit=CONSULTED_UNIT, text="Xin ý kiến về quy hoạch"),
    Command.GIVE_OPINION: lambda d, at: d.give_opinion(
        CONSULTED, at, from_unit=CONSULTED_UNIT, text="Đồng ý"),
    Command.EXTEND_DEADLINE: lambda d, at: d.extend_deadline(
        HANDLER, at, new_due=(d.due or at) + timedelta(days=3), reason="Cần xác minh thực địa"),
    Command.APPROVE_RESULT: lambda d, at: d.approve_result(
        LEADER, at, summary="Cấp phép", electronic=True, signed_by=LEADER.name),
    Command.STOP_PROCESSING: lambda d, at: d.stop_processing(
        HANDLER, at, calendar=CALENDAR, reason="Hồ sơ giả mạo"),
    Command.REQUEST_WITHDRAWAL: lambda d, at: d.request_withdrawal(
        CITIZEN, at, reason="Không còn nhu cầu"),
    Command.ACCEPT_WITHDRAWAL: lambda d, at: d.accept_withdrawal(
        RECEPTION, at, calendar=CALENDAR),
    Command.COMPLETE: lambda d, at: d.complete(
        RECEPTION, at, calendar=CALENDAR, electronic_result=True),
    Command.RETURN_RESULT: lambda d, at: d.return_result(RECEPTION, at, method="counter"),
    Command.POST_MESSAGE: lambda d, at: d.post_message(CITIZEN, at, text="Xin hỏi tiến độ"),
    Command.ATTACH_DOCUMENT: lambda d, at: d.attach_document(
        CITIZEN, at, component="ban-ve", name="ban-ve.pdf", size=1024,
        media_type="application/pdf", sha256=SHA, digitised=True, reused=False),
    Command.RATE: lambda d, at: d.rate(CITIZEN, at, score=5),
}

C = Command
_PROCESSING = [C.RECEIVE, C.HAND_OVER]
_APPROVED = [*_PROCESSING, C.APPROVE_RESULT]
_COMPLETED = [*_APPROVED, C.COMPLETE]

#: Commands that bring a freshly submitted dossier into each status.
ROUTES: dict[LocalStatus, list[Command]] = {
    LocalStatus.SUBMITTED: [],
    LocalStatus.AWAITING_SUPPLEMENT_AT_RECEPTION: [C.REQUEST_SUPPLEMENT],
    LocalStatus.AWAITING_PAYMENT_AT_RECEPTION: [C.REQUEST_FINANCIAL_OBLIGATION],
    LocalStatus.REFUSED: [C.REFUSE_RECEPTION],
    LocalStatus.RECEIVED: [C.RECEIVE],
    LocalStatus.PROCESSING: _PROCESSING,
    LocalStatus.CONSULTING: [*_PROCESSING, C.REQUEST_OPINION],
    LocalStatus.APPROVED: _APPROVED,
    LocalStatus.AWAITING_SUPPLEMENT: [*_PROCESSING, C.REQUEST_SUPPLEMENT],
    LocalStatus.AWAITING_PAYMENT: [*_PROCESSING, C.REQUEST_FINANCIAL_OBLIGATION],
    LocalStatus.WITHDRAWAL_REQUESTED: [*_PROCESSING, C.REQUEST_WITHDRAWAL],
    LocalStatus.WITHDRAWN: [*_PROCESSING, C.REQUEST_WITHDRAWAL, C.ACCEPT_WITHDRAWAL],
    LocalStatus.STOPPED: [*_PROCESSING, C.STOP_PROCESSING],
    LocalStatus.COMPLETED: _COMPLETED,
    LocalStatus.RETURNED: [*_COMPLETED, C.RETURN_RESULT],
}


def dossier_in(
    status: LocalStatus, clock: Clock | None = None, *, keep_events: bool = False
) -> Dossier:
    """A dossier brought into `status` by real commands; its events collected unless kept."""
    clock = clock or Clock()
    dossier = submit(clock)
    for command in ROUTES[status]:
        issue(dossier, command, clock)
    assert dossier.status is status
    if not keep_events:
        dossier.collect_events()
    return dossier


def names(recorded: Sequence[Any]) -> list[str]:
    return [type(event).__name__ for event in recorded]


def memory_app() -> Application[UUID]:
    """eventsourcing's in-memory store with its default JSON transcoder."""
    return Application(env={"PERSISTENCE_MODULE": "eventsourcing.popo"})


HOUR = 3600


def received(clock: Clock, at: str = "2026-03-02 09:00", **overrides: Any) -> Dossier:
    """Submitted Mon 2026-03-02 08:00, received at `at` (09:00: 5 working days, due Mon 9th)."""
    clock.at(local("2026-03-02 08:00"))
    dossier = submit(clock, **overrides)
    dossier.receive(RECEPTION, clock.at(local(at)), CALENDAR)
    return dossier


def processing(clock: Clock, **overrides: Any) -> Dossier:
    """Received at 09:00, handed to the handling unit at 10:00."""
    dossier = received(clock, **overrides)
    dossier.hand_over(RECEPTION, clock.at(local("2026-03-02 10:00")), to_unit=OTHER_UNIT)
    return dossier


def events(dossier: Dossier) -> list[Any]:
    """The new events (typed loosely: tests read the fields of specific event classes)."""
    return list(dossier.collect_events())


def last(dossier: Dossier) -> Any:
    return events(dossier)[-1]
