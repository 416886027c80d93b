"""Secrets and ID numbers are removed from log lines by name and by shape, through the real set-up."""

from __future__ import annotations

import io
import json
import logging

import pytest
import structlog

from ops.log_redaction import REDACTED, RedactingFilter, redact_text
from ops.logging import configure_logging

ID_NUMBER = "079203004567"
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJhbiJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ"


@pytest.fixture
def log_lines():
    """structlog configured as in production, writing JSON lines into a buffer."""
    root = logging.getLogger()
    handlers = list(root.handlers)
    stream = io.StringIO()
    configure_logging("info", json=True, stream=stream, cache_loggers=False)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    structlog.reset_defaults()
    for handler in root.handlers:
        if handler not in handlers:
            root.removeHandler(handler)
        for f in [f for f in handler.filters if isinstance(f, RedactingFilter)]:
            handler.removeFilter(f)


def test_fields_named_like_secrets_are_redacted_however_nested(log_lines):
    structlog.get_logger("t").info(
        "login", username="an", password="correct horse", access_token=JWT, refreshToken="r-123",
        headers={"Authorization": "Bearer abc.def", "accept": "json"}, body=[{"lookup_secret": "K7QX"}],
    )
    [line] = log_lines()
    assert line["username"] == "an" and line["headers"]["accept"] == "json"
    for value in (line["password"], line["access_token"], line["refreshToken"], line["headers"]["Authorization"],
                  line["body"][0]["lookup_secret"]):
        assert value == REDACTED


def test_id_numbers_tokens_and_pairs_inside_free_text_are_redacted(log_lines):
    log = structlog.get_logger("t")
    log.warning(f"applicant {ID_NUMBER} filed", detail=f"Authorization: Bearer {JWT}", note=f"got password=hunter2&x=1")
    try:
        raise ValueError(f"bad token {JWT} for CCCD {ID_NUMBER}")
    except ValueError:
        log.exception("failed")
    text = json.dumps(log_lines())
    for secret in (ID_NUMBER, JWT, "hunter2"):
        assert secret not in text
    assert "[redacted-id]" in text and "ValueError" in text and "x=1" in text


def test_numbers_that_only_look_long_are_kept():
    assert redact_text("request 9f0123456789012ab3 at 2026-03-02T02:00:00.123456Z took 1234567890123 ns") == (
        "request 9f0123456789012ab3 at 2026-03-02T02:00:00.123456Z took 1234567890123 ns"
    )
    assert redact_text(f"id {ID_NUMBER}.") == "id [redacted-id]."


def test_standard_logging_records_are_redacted_too(log_lines):
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.addFilter(RedactingFilter())
    logger = logging.getLogger("test.redaction")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("POST /auth/refresh refresh_token=%s id %s", "r-secret", ID_NUMBER)
    finally:
        logger.removeHandler(handler)
    assert stream.getvalue().strip() == f"POST /auth/refresh refresh_token={REDACTED} id [redacted-id]"


@pytest.mark.parametrize("text", [
    "PASSWORD=hunter2", "Secret: hunter2", "BEARER hunter2", "x-Api-Token=hunter2", "cookie='hunter2'",
])
def test_secret_pairs_are_redacted_whatever_the_case_of_their_name(text):
    assert "hunter2" not in redact_text(text)


def test_a_twelve_digit_number_field_is_redacted_and_other_numbers_are_kept(log_lines):
    structlog.get_logger("t").info("x", cccd=int(ID_NUMBER[1:]) + 100_000_000_000, status=200, ms=1.5, big=1234567890123)
    [line] = log_lines()
    assert line["cccd"] == "[redacted-id]"
    assert (line["status"], line["ms"], line["big"]) == (200, 1.5, 1234567890123)
