"""The terms of one procedure version and the rules they must satisfy.

Terms travel inside events as a plain dict (snake_case keys, JSON values) so stored events
never depend on a class layout; :func:`check_terms` fills defaults and enforces the rules
before any event is triggered. The e-form is a JSON Schema (Draft 2020-12): checking that it
is a valid schema needs a schema library, so the application does that before calling in.
"""

from __future__ import annotations

import re
from typing import Any

from domain.calendar import WORKING_DAY, TimeUnit
from domain.procedure.errors import InvalidNationalCode, InvalidTerms, StepsDoNotSum

NATIONAL_CODE = re.compile(r"^\d{1,2}\.\d{6}(\.\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2})?$")
SERVICE_LEVELS = ("full", "partial", "offline")
CHANNELS = ("online", "counter", "postal")
LIMIT_KEYS = ("online", "counter")

DEFAULTS: dict[str, Any] = {
    "description": "",
    "implementing_units": [],
    "fee_stops_clock": False,
    "steps": [],
    "fees": [],
    "components": [],
    "form_schema": None,
    "result_documents": [],
    "legal_basis": [],
    "guidance": "",
    "source": "",
}
REQUIRED = ("name", "field", "receiving_units", "handling_unit", "service_level", "channels", "processing_time")


def _bad(vi: str, en: str, field: str) -> InvalidTerms:
    return InvalidTerms(vi, en, field=field)


def check_national_code(code: str) -> None:
    if not NATIONAL_CODE.match(code or ""):
        raise InvalidNationalCode(code)


def check_service_level(level: str, channels: list[str]) -> None:
    if level not in SERVICE_LEVELS:
        raise _bad(f"Mức độ dịch vụ '{level}' không hợp lệ (full, partial, offline).",
                   f"Unknown service level '{level}' (full, partial, offline).", "serviceLevel")
    if not channels or any(c not in CHANNELS for c in channels) or len(set(channels)) != len(channels):
        raise _bad("Kênh thực hiện phải là online, counter hoặc postal, không trùng lặp.",
                   "Channels must be online, counter or postal, each at most once.", "channels")
    if (level == "offline") == ("online" in channels):
        raise _bad("Thủ tục trực tuyến (toàn trình, một phần) phải có kênh online; thủ tục không trực tuyến thì không.",
                   "An online service level needs the online channel, and an offline one must not offer it.", "channels")


def check_processing_time(limits: dict[str, Any]) -> None:
    if not limits or any(k not in LIMIT_KEYS for k in limits):
        raise _bad("Thời hạn giải quyết phải ghi cho online và/hoặc counter.",
                   "Processing time must be given for online and/or counter filings.", "processingTime")
    for key, limit in limits.items():
        value, unit = limit.get("value"), limit.get("unit")
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise _bad("Thời hạn giải quyết phải là số nguyên dương.", "A processing time must be a positive integer.",
                       f"processingTime.{key}.value")
        if unit not in {u.value for u in TimeUnit}:
            raise _bad(f"Đơn vị thời hạn '{unit}' không hợp lệ.", f"Unknown processing time unit '{unit}'.",
                       f"processingTime.{key}.unit")


def working_hours(limit: dict[str, Any]) -> int | None:
    """The limit in working hours, or None for calendar days (where steps are advisory)."""
    unit = TimeUnit(limit["unit"])
    if not unit.is_working_time:
        return None
    hours_per_day = int(WORKING_DAY.total_seconds() // 3600)
    return int(limit["value"]) * (hours_per_day if unit is TimeUnit.WORKING_DAYS else 1)


def check_steps(steps: list[dict[str, Any]], limits: dict[str, Any]) -> None:
    """Steps are ordered, each with a unit or role and positive hours; in working time they sum
    to the longest processing time (counter and online may differ; the longer one rules)."""
    for i, step in enumerate(steps):
        if not str(step.get("name") or "").strip() or not (step.get("unit") or step.get("role")):
            raise _bad("Mỗi bước cần tên và đơn vị hoặc vai trò thực hiện.", "Each step needs a name and a unit or role.",
                       f"steps[{i}]")
        hours = step.get("hours")
        if not isinstance(hours, int) or isinstance(hours, bool) or hours <= 0:
            raise _bad("Số giờ của bước phải là số nguyên dương.", "A step's hours must be a positive integer.",
                       f"steps[{i}].hours")
    budgets = [h for h in (working_hours(limit) for limit in limits.values()) if h is not None]
    if steps and budgets and len(budgets) == len(limits):
        total = sum(int(s["hours"]) for s in steps)
        if total != max(budgets):
            raise StepsDoNotSum(total, max(budgets))


def check_fees(fees: list[dict[str, Any]]) -> None:
    for i, fee in enumerate(fees):
        amount, formula = fee.get("amount"), str(fee.get("formula") or "").strip()
        if amount is None and not formula:
            raise _bad("Phí, lệ phí cần số tiền hoặc cách tính.", "A fee needs an amount or a formula.", f"fees[{i}]")
        if amount is not None and (not isinstance(amount, int) or isinstance(amount, bool) or amount < 0):
            raise _bad("Số tiền phải là số nguyên không âm (đồng).", "An amount must be a non-negative integer (VND).",
                       f"fees[{i}].amount")


def check_components(components: list[dict[str, Any]]) -> None:
    names: set[str] = set()
    for i, c in enumerate(components):
        name = str(c.get("name") or "").strip()
        if not name or name in names:
            raise _bad("Mỗi thành phần hồ sơ cần một tên riêng.", "Each document component needs a unique name.",
                       f"components[{i}].name")
        names.add(name)
        for key in ("originals", "copies"):
            n = c.get(key, 0)
            if not isinstance(n, int) or n < 0:
                raise _bad("Số bản phải là số nguyên không âm.", "Counts of originals and copies must be >= 0.",
                           f"components[{i}].{key}")
        size = c.get("max_size", 0)
        if not isinstance(size, int) or size <= 0:
            raise _bad("Dung lượng tối đa phải là số dương (byte).", "The maximum size must be positive (bytes).",
                       f"components[{i}].maxSize")
        if not c.get("media_types"):
            raise _bad("Cần liệt kê các loại tệp được chấp nhận.", "List the accepted file types.",
                       f"components[{i}].mediaTypes")


def fee_total(terms: dict[str, Any]) -> int:
    """Fixed amounts only: a formula fee is computed at processing."""
    return sum(int(f["amount"]) for f in terms.get("fees", []) if f.get("amount") is not None)


def check_terms(raw: dict[str, Any]) -> dict[str, Any]:
    """The terms with defaults filled in, or a named error on the first rule broken."""
    missing = [k for k in REQUIRED if raw.get(k) in (None, "", [], {})]
    if missing:
        raise _bad(f"Thiếu thông tin bắt buộc: {', '.join(missing)}.", f"Missing required terms: {', '.join(missing)}.",
                   missing[0])
    unknown = set(raw) - set(REQUIRED) - set(DEFAULTS)
    if unknown:
        raise _bad(f"Thông tin không xác định: {', '.join(sorted(unknown))}.",
                   f"Unknown terms: {', '.join(sorted(unknown))}.", sorted(unknown)[0])
    terms = {**DEFAULTS, **raw}
    check_service_level(terms["service_level"], list(terms["channels"]))
    check_processing_time(terms["processing_time"])
    check_steps(list(terms["steps"]), terms["processing_time"])
    check_fees(list(terms["fees"]))
    check_components(list(terms["components"]))
    if terms["form_schema"] is not None and not isinstance(terms["form_schema"], dict):
        raise _bad("Biểu mẫu điện tử phải là một JSON Schema (đối tượng).", "The e-form must be a JSON Schema object.",
                   "formSchema")
    return terms
