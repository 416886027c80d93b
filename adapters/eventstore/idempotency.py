"""Helpers shared by the SQLite and PostgreSQL idempotency rows.

Both recorders keep the rows in a table beside their events table, written in the same
transaction as the events (see ``application.idempotency``). What they share is here: how the
table is named, how the record is found among ``save()``'s keyword arguments, and how instants
are normalised so that purging by age compares like with like.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from application.idempotency import IDEMPOTENCY_KWARG, IdempotencyRecord

DEFAULT_EVENTS_TABLE = "stored_events"
DEFAULT_IDEMPOTENCY_TABLE = "idempotency_keys"


def idempotency_table_name(events_table_name: str) -> str:
    """Name the idempotency table after the events table it belongs to.

    eventsourcing's default events table (``stored_events``, always the one on SQLite) gets
    ``idempotency_keys``. On PostgreSQL the factory names events tables after the application
    (``dossiers_events``), and several applications share a schema; their keys must not share
    a table, or a key used with one application would answer for another. So
    ``dossiers_events`` gets ``dossiers_idempotency_keys``.
    """
    if events_table_name == DEFAULT_EVENTS_TABLE:
        return DEFAULT_IDEMPOTENCY_TABLE
    prefix = events_table_name.removesuffix("_events")
    return f"{prefix}_{DEFAULT_IDEMPOTENCY_TABLE}"


def idempotency_from_kwargs(kwargs: Mapping[str, Any]) -> IdempotencyRecord | None:
    """Return the record passed to ``save(..., idempotency=...)``, checking its type.

    A wrong type is a programming error that would otherwise surface as an obscure SQL
    parameter error inside the insert transaction.
    """
    record = kwargs.get(IDEMPOTENCY_KWARG)
    if record is None:
        return None
    if not isinstance(record, IdempotencyRecord):
        msg = f"'{IDEMPOTENCY_KWARG}' must be an IdempotencyRecord, not {type(record).__name__}"
        raise TypeError(msg)
    return record


def as_utc(instant: datetime) -> datetime:
    """Convert a timezone-aware instant to UTC; reject naive ones.

    A naive datetime has no defined instant, and mixing local and UTC times would make purging
    by age delete the wrong rows.
    """
    if instant.tzinfo is None or instant.utcoffset() is None:
        msg = f"Expected a timezone-aware datetime, got naive {instant!r}"
        raise ValueError(msg)
    return instant.astimezone(UTC)


def utc_text(instant: datetime) -> str:
    """Fixed-width UTC ISO text, so that SQLite's text comparison orders instants correctly."""
    return as_utc(instant).isoformat(timespec="microseconds")


def parse_utc_text(text: str) -> datetime:
    """Inverse of :func:`utc_text`."""
    return as_utc(datetime.fromisoformat(text))


def record_from_row(row: Mapping[str, Any], created_at: datetime) -> IdempotencyRecord:
    """One idempotency row as the port's record; each store converts its own instant type."""
    return IdempotencyRecord(
        scope=row["scope"],
        key=row["key"],
        body_hash=row["body_hash"],
        status_code=row["status_code"],
        response=bytes(row["response"]),
        created_at=created_at,
    )
