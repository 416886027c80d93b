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


def is_sensitive_name(name: object) -> bool:
    lowered = str(name).lower()
    return any(word in lowered for word in SENSITIVE_NAMES)


def redact_text(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def redact_value(value: Any) -> Any:
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, bytes | bytearray):
        return redact_text(bytes(value).decode("utf-8", "replace"))
    if isinstance(value, Mapping):
        return {k: REDACTED if is_sensitive_name(k) else redact_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [redact_value(v) for v in value]
    if value is None or isinstance(value, bool | int | float):
        return value if not (isinstance(value, int) and len(str(abs(value))) == 12) else "[redacted-id]"
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
