"""The one transcoder for motcua's stored events.

Events carry UUIDs, money (Decimal), instants, local dates (appointment dates, holidays) and
durations (waits, extensions); the library's ``JSONTranscoder`` knows only the first three.
Stored events are never rewritten, so the names written here (``date_iso``,
``timedelta_seconds``) are part of the store's format and must never change.

Select with ``TRANSCODER_TOPIC=adapters.eventstore.transcoder:MotcuaTranscoder``. Because
``Application.construct_transcoder`` calls ``register_transcodings`` on any ``JSONTranscoder``,
the library's three transcodings get registered a second time; :meth:`MotcuaTranscoder.register`
makes re-registering the same transcoding class a no-op, and refuses a *different* class for a
name or type already taken, since that would silently change how stored events decode.
"""

from __future__ import annotations

from datetime import date, timedelta

from eventsourcing.persistence import (
    DatetimeAsISO,
    DecimalAsStr,
    JSONTranscoder,
    Transcoding,
    UUIDAsHex,
)


class DateAsISO(Transcoding):
    """``date`` as ``YYYY-MM-DD``. (``datetime`` keeps its own transcoding: lookup is by exact
    type, so a datetime is never written as a date.)"""

    type = date
    name = "date_iso"

    def encode(self, obj: date) -> str:
        return obj.isoformat()

    def decode(self, data: str) -> date:
        return date.fromisoformat(data)


class TimedeltaAsSeconds(Transcoding):
    """``timedelta`` as a JSON number of seconds: an integer when whole, else a float.

    Below 2**33 seconds (about 272 years) doubles are spaced less than a microsecond apart,
    so ``timedelta(seconds=...)`` rounds back to exactly the duration that was encoded.
    (The stdlib ``json`` writes tuples as lists before any transcoding is consulted, so, as
    with eventsourcing's ``JSONTranscoder``, a tuple in an event comes back as a list.)
    """

    type = timedelta
    name = "timedelta_seconds"

    def encode(self, obj: timedelta) -> int | float:
        if obj.microseconds == 0:
            return obj.days * 86400 + obj.seconds
        return obj.total_seconds()

    def decode(self, data: int | float) -> timedelta:
        return timedelta(seconds=data)


class TranscodingConflictError(ValueError):
    """A different transcoding was registered for a name or type already in use."""


class MotcuaTranscoder(JSONTranscoder):
    """``JSONTranscoder`` with all of motcua's transcodings registered at construction."""

    def __init__(self) -> None:
        super().__init__()
        for transcoding in (
            UUIDAsHex(),
            DecimalAsStr(),
            DatetimeAsISO(),
            DateAsISO(),
            TimedeltaAsSeconds(),
        ):
            self.register(transcoding)

    def register(self, transcoding: Transcoding) -> None:
        """Register ``transcoding``; idempotent for the same class, strict otherwise."""
        by_name = self.names.get(transcoding.name)
        by_type = self.types.get(transcoding.type)
        for existing in (by_name, by_type):
            if existing is None:
                continue
            if type(existing) is not type(transcoding):
                msg = (
                    f"Cannot register {type(transcoding).__qualname__} "
                    f"(name {transcoding.name!r}, type {transcoding.type.__qualname__}): "
                    f"{type(existing).__qualname__} is already registered for "
                    f"name {existing.name!r} / type {existing.type.__qualname__}"
                )
                raise TranscodingConflictError(msg)
        if by_name is None and by_type is None:
            super().register(transcoding)
