"""structlog set-up: JSON lines with a request id bound per request.

Logs go to stderr as one JSON object per line so that a deployment's collector can index them;
``MOTCUA_LOG_JSON=false`` gives a readable console format for development.
"""

from __future__ import annotations

import logging
import sys
from typing import TextIO

import structlog

from ops.log_redaction import RedactingFilter, redact_event


def configure_logging(level: str = "info", *, json: bool = True, stream: TextIO | None = None,
                      cache_loggers: bool = True) -> None:
    """``stream`` defaults to stderr; tests pass their own stream and ``cache_loggers=False``."""
    stream = stream or sys.stderr
    numeric = logging.getLevelName(level.upper())
    if not isinstance(numeric, int):
        numeric = logging.INFO
    shared: list[structlog.typing.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.StackInfoRenderer(),
        structlog.processors.format_exc_info,
        redact_event,  # last before rendering: covers context, fields and formatted tracebacks
    ]
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer()
        if json
        else structlog.dev.ConsoleRenderer(colors=stream.isatty())
    )
    structlog.configure(
        processors=[*shared, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(numeric),
        logger_factory=structlog.PrintLoggerFactory(file=stream),
        cache_logger_on_first_use=cache_loggers,
    )
    logging.basicConfig(level=numeric, stream=stream, format="%(message)s")
    for handler in logging.getLogger().handlers:  # uvicorn, httpx and other libraries log here
        if not any(isinstance(f, RedactingFilter) for f in handler.filters):
            handler.addFilter(RedactingFilter())
