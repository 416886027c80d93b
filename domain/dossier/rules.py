"""Small checks the dossier's commands run before recording anything.

Each raises a named `DossierError` (with the offending field) and returns the value in the
shape events store (stripped text, plain lists and dicts, UTC instants), so a command reads as
"check, then trigger" and an event never holds something a check would have refused.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from domain.actor import Actor, Role
from domain.calendar import CalendarError, ProcessingTime
from domain.dossier.errors import (
    AlreadyRated,
    ExtensionNotLater,
    InstantNotAware,
    InstantOutOfOrder,
    InvalidAmount,
    InvalidApplicant,
    InvalidChannel,
    InvalidDocument,
    InvalidProcessingTime,
    InvalidRating,
    InvalidReturnMethod,
    InvalidStepIndex,
    InvalidValue,
    InvalidSteps,
    OpinionNotRequested,
    PaymentAmountMismatch,
    ReasonRequired,
    RoleNotAllowed,
    ValueRequired,
)
from domain.dossier.status import Channel, ReturnMethod

APPLICANT_KINDS = ("citizen", "business")
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


def check_role(command: str, actor: Actor, allowed: Collection[Role]) -> None:
    if actor.role not in allowed:
        raise RoleNotAllowed(command, str(actor.role))


def check_instant(value: datetime, field: str = "at") -> datetime:
    """Aware instants only, stored in UTC so events compare and print alike."""
    if not isinstance(value, datetime):
        raise InstantNotAware(field, "không phải thời điểm", "not a datetime")
    if value.tzinfo is None or value.utcoffset() is None:
        raise InstantNotAware(field, "thiếu múi giờ", "a naive datetime has no time zone")
    return value.astimezone(UTC)


def check_in_order(at: datetime, last: datetime) -> None:
    """Events are appended in time order; state-at-instant replays depend on it."""
    if at < last:
        raise InstantOutOfOrder(
            "at",
            "sớm hơn sự kiện trước của hồ sơ",
            "earlier than the dossier's previous event",
            last=last.isoformat(),
        )


def check_text(value: str | None, field: str) -> str:
    """Required free text: present and not blank."""
    if not isinstance(value, str) or not value.strip():
        raise ValueRequired(field)
    return value.strip()


def check_reason(value: str | None, field: str = "reason") -> str:
    """Reasons the law asks for (forms 02-05, withdrawal) are never blank."""
    if not isinstance(value, str) or not value.strip():
        raise ReasonRequired(field)
    return value.strip()


def check_optional_text(value: str | None, field: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueRequired(field)
    return value.strip()


def check_flag(value: bool, field: str) -> bool:
    """Yes/no facts the statistics count (paid online, electronic, digitised, reused)."""
    if not isinstance(value, bool):
        raise InvalidValue(field, "phải là true hoặc false", "must be true or false")
    return value


def check_items(items: Sequence[str], field: str = "items") -> list[str]:
    """A non-empty list of non-blank lines (documents to supply, fee items)."""
    if isinstance(items, str) or not isinstance(items, Sequence) or not items:
        raise ValueRequired(field)
    return [check_text(item, f"{field}[{i}]") for i, item in enumerate(items)]


def check_strings(items: Sequence[str], field: str) -> list[str]:
    """An optional list of non-blank lines."""
    if isinstance(items, str) or not isinstance(items, Sequence):
        raise ValueRequired(field)
    return [check_text(item, f"{field}[{i}]") for i, item in enumerate(items)]


def check_channel(channel: str) -> str:
    try:
        return Channel(channel).value
    except ValueError:
        raise InvalidChannel(
            "channel", "phải là online, counter hoặc postal",
            "must be online, counter or postal", value=channel,
        ) from None


def check_applicant(applicant: Mapping[str, Any]) -> dict[str, Any]:
    """Who the dossier is for: id, name, kind, optional id_number (kept as given)."""
    if not isinstance(applicant, Mapping):
        raise InvalidApplicant("applicant", "phải là một đối tượng", "must be an object")
    for key in ("id", "name"):
        check_text(applicant.get(key), f"applicant.{key}")
    if applicant.get("kind") not in APPLICANT_KINDS:
        raise InvalidApplicant(
            "applicant.kind", "phải là citizen hoặc business", "must be citizen or business"
        )
    id_number = applicant.get("id_number")
    if id_number is not None and not isinstance(id_number, str):
        raise InvalidApplicant("applicant.id_number", "phải là chuỗi", "must be a string")
    return dict(applicant)


def check_representative(representative: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The person filing on the applicant's behalf (người nộp thay), if any."""
    if representative is None:
        return None
    if not isinstance(representative, Mapping):
        raise InvalidApplicant("representative", "phải là một đối tượng", "must be an object")
    check_text(representative.get("name"), "representative.name")
    return dict(representative)


def check_processing_time(value: int, unit: str) -> ProcessingTime:
    try:
        return ProcessingTime(value, unit)  # type: ignore[arg-type]
    except CalendarError as error:
        raise InvalidProcessingTime(
            "processing_time", "giá trị hoặc đơn vị không hợp lệ", str(error)
        ) from None


def check_steps(steps: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The pinned internal process: each step named, with non-negative allotted hours."""
    if isinstance(steps, str) or not isinstance(steps, Sequence):
        raise InvalidSteps("steps", "phải là danh sách", "must be a list")
    checked: list[dict[str, Any]] = []
    for i, step in enumerate(steps):
        if not isinstance(step, Mapping):
            raise InvalidSteps(f"steps[{i}]", "phải là một đối tượng", "must be an object")
        check_text(step.get("name"), f"steps[{i}].name")
        hours = step.get("hours")
        if isinstance(hours, bool) or not isinstance(hours, int | float) or hours < 0:
            raise InvalidSteps(
                f"steps[{i}].hours", "phải là số không âm", "must be a non-negative number"
            )
        checked.append(dict(step))
    return checked


def check_step_index(index: int | None, steps: Sequence[Any]) -> int | None:
    if index is None:
        return None
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < len(steps):
        raise InvalidStepIndex(
            "step_index", "không có bước này trong quy trình", "no such step in the process"
        )
    return index


def check_amount(amount: int, field: str = "amount") -> int:
    """Money is whole VND, positive."""
    if isinstance(amount, bool) or not isinstance(amount, int) or amount <= 0:
        raise InvalidAmount(
            field, "phải là số nguyên dương (VND)", "must be a positive integer (VND)"
        )
    return amount


def check_payment(amount: int, requested: int | None) -> int:
    """The clock resumes only when what was asked has been paid."""
    amount = check_amount(amount)
    if amount != requested:
        raise PaymentAmountMismatch(
            "amount", "không khớp với số tiền yêu cầu", "does not match the amount requested",
            requested=requested,
        )
    return amount


def check_return_method(method: str) -> str:
    try:
        return ReturnMethod(method).value
    except ValueError:
        raise InvalidReturnMethod(
            "method", "phải là counter, post hoặc online", "must be counter, post or online"
        ) from None


def check_document(size: int, sha256: str) -> None:
    if isinstance(size, bool) or not isinstance(size, int) or size < 0:
        raise InvalidDocument(
            "size", "phải là số byte không âm", "must be a non-negative byte count"
        )
    if not isinstance(sha256, str) or not _SHA256.match(sha256):
        raise InvalidDocument(
            "sha256", "phải là 64 ký tự hex thường", "must be 64 lowercase hex digits"
        )


def check_rating(score: int, already_rated: bool) -> int:
    if already_rated:
        raise AlreadyRated()
    if isinstance(score, bool) or not isinstance(score, int) or not 1 <= score <= 5:
        raise InvalidRating(
            "score", "phải là số nguyên từ 1 đến 5", "must be an integer from 1 to 5"
        )
    return score


def check_extension(new_due: datetime, current_due: datetime | None) -> datetime:
    """An apology letter only ever moves the appointment later."""
    new_due = check_instant(new_due, "new_due")
    if current_due is None or new_due <= current_due:
        raise ExtensionNotLater(
            "new_due",
            "phải muộn hơn ngày hẹn hiện tại",
            "must be later than the current due instant",
            current_due=current_due.isoformat() if current_due else None,
        )
    return new_due


def check_opinion_pending(from_unit: str, pending: Sequence[str]) -> str:
    from_unit = check_text(from_unit, "from_unit")
    if from_unit not in pending:
        raise OpinionNotRequested(
            "from_unit",
            "đơn vị này không được hỏi ý kiến",
            "no opinion was requested from this unit",
        )
    return from_unit
