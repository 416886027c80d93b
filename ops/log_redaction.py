"""Keep secrets and ID numbers out of the logs, whatever a caller passes to a logger.

Logs travel further than the database (collectors, tickets, screenshots), so they must never
carry a password, an access or refresh token, a receipt secret, an Authorization header or a
12-digit citizen identity number (CCCD). Two nets, applied to structlog events and to standard
``logging`` records (libraries such as uvicorn and httpx log through it):

* by name: any field whose name contains password, token, refresh, authorization, secret or
  cookie has its value replaced, however deeply nested;
* by shape: in every string, 12-digit runs, ``Bearer ...`` credentials, JWTs and
  ``password=...``-style pairs are replaced, which catches secrets inside exception text.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, MutableMapping
from typing import Any

REDACTED = "[redacted]"
SENSITIVE_NAMES = ("password", "passwd", "token", "refresh", "authorization", "secret", "cookie")
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # key=value / "key": "value" pairs inside free text (exception messages, query strings)
    (re.compile(r"(?i)((?:password|passwd|token|refresh|authorization|secret|cookie)\w*[\"']?\s*[:=]\s*[\"']?)"
                r"(?:bearer\s+)?[^\s\"'&,;}]+"), r"\1" + REDACTED),
    (re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/=-]+"), "Bearer " + REDACTED),
    (re.compile(r"\beyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*"), "[redacted-jwt]"),
    # CCCD: 12 digits standing alone (not a run inside a hex request id or a longer number)
    (re.compile(r"(?<![0-9A-Za-z])\d{12}(?![0-9A-Za-z])"), "[redacted-id]"),
]

_SUSPECT_WORDS = (*SENSITIVE_NAMES, "bearer")
_TWELVE_DIGITS = re.compile(r"\d{12}")


def _suspect(text: str) -> bool:
    """True wherever a pattern might match (a superset, cheap): most log strings are clean,
    and the four patterns' lookarounds cost several microseconds per string."""
    lowered = text.lower()
    return (any(word in lowered for word in _SUSPECT_WORDS) or "eyJ" in text
            or _TWELVE_DIGITS.search(text) is not None)


_NAME_VERDICTS: dict[str, bool] = {}
_MAX_REMEMBERED_NAMES = 4096


def is_sensitive_name(name: object) -> bool:
    key = str(name)
    verdict = _NAME_VERDICTS.get(key)
    if verdict is None:
        lowered = key.lower()
        verdict = any(word in lowered for word in SENSITIVE_NAMES)
        if len(_NAME_VERDICTS) < _MAX_REMEMBERED_NAMES:  # field names are few; keys of data may not be
            _NAME_VERDICTS[key] = verdict
    return verdict


def redact_text(text: str) -> str:
    if not _suspect(text):
        return text
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def redact_value(value: Any) -> Any:
    kind = type(value)
    if kind is str:
        return redact_text(value)
    if value is None or kind is float or kind is bool:
        return value
    if kind is int:
        return value if not 10**11 <= abs(value) < 10**12 else "[redacted-id]"
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, bytes | bytearray):
        return redact_text(bytes(value).decode("utf-8", "replace"))
    if isinstance(value, Mapping):
        return {k: REDACTED if is_sensitive_name(k) else redact_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [redact_value(v) for v in value]
    if value is None or isinstance(value, bool | int | float):
        return value if not (isinstance(value, int) and 10**11 <= abs(value) < 10**12) else "[redacted-id]"
    text = str(value)  # an object's text may hold anything: keep the object only if it is clean
    cleaned = redact_text(text)
    return value if cleaned == text else cleaned


def redact_event(_logger: Any, _method: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    """structlog processor: place after ``format_exc_info`` so tracebacks are covered."""
    for key in list(event_dict):
        event_dict[key] = REDACTED if is_sensitive_name(key) else redact_value(event_dict[key])
    return event_dict


class RedactingFilter(logging.Filter):
    """The same rules for standard ``logging`` records, applied on the handlers."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: let logging report it as usual
            return True
        record.msg, record.args = redact_text(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact_text(record.exc_text)
        return True
