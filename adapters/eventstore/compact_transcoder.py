"""The compact transcoder: MessagePack through msgspec for new records, JSON still read.

Stored events are never rewritten, so a store holds records of both formats once this
transcoder is selected (``TRANSCODER_TOPIC=adapters.eventstore.compact_transcoder:CompactTranscoder``):

- a record that starts with the byte ``0xC1`` (a code MessagePack never uses, so no MessagePack
  or JSON document can start with it) is ``0xC1`` + one MessagePack value;
- anything else is JSON as :class:`~adapters.eventstore.transcoder.MotcuaTranscoder` wrote it
  and is decoded by it, unchanged.

Typed values travel as MessagePack extension types, decoded in msgspec's C decoder with one hook
call per typed value (JSON needed a Python call for every object). The codes below are part of
the store's format and must never change:

    1 UUID (16 bytes)        2 Decimal (its str)       3 datetime (ISO 8601, offset kept)
    4 date (ISO 8601)        5 timedelta (days, seconds, microseconds as three int32, little-endian)
    0 any other registered transcoding: MessagePack of [name, its encoded data]

msgspec would encode UUIDs, dates and other types on its own as plain strings and give back
strings, so values are walked first and anything the JSON transcoder would have refused
(sets, bytes, unregistered classes) is refused here too; dict keys are made strings as JSON
made them, and tuples come back as lists, as they did.
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

import msgspec
from eventsourcing.persistence import TranscodingNotRegisteredError

from adapters.eventstore.transcoder import MotcuaTranscoder

MARKER = b"\xc1"
GENERIC, UUID_CODE, DECIMAL_CODE, DATETIME_CODE, DATE_CODE, TIMEDELTA_CODE = range(6)
_DURATION = struct.Struct("<iii")
Ext = msgspec.msgpack.Ext


def _duration(data: bytes) -> timedelta:
    days, seconds, microseconds = _DURATION.unpack(data)
    return timedelta(days=days, seconds=seconds, microseconds=microseconds)


_FAST_ENCODE: dict[type, Callable[[Any], msgspec.msgpack.Ext]] = {
    UUID: lambda o: Ext(UUID_CODE, o.bytes),
    Decimal: lambda o: Ext(DECIMAL_CODE, str(o).encode("ascii")),
    datetime: lambda o: Ext(DATETIME_CODE, o.isoformat().encode("ascii")),
    date: lambda o: Ext(DATE_CODE, o.isoformat().encode("ascii")),
    timedelta: lambda o: Ext(TIMEDELTA_CODE, _DURATION.pack(o.days, o.seconds, o.microseconds)),
}
_FAST_DECODE: dict[int, Callable[[bytes], Any]] = {
    UUID_CODE: lambda b: UUID(bytes=b),
    DECIMAL_CODE: lambda b: Decimal(b.decode("ascii")),
    DATETIME_CODE: lambda b: datetime.fromisoformat(b.decode("ascii")),
    DATE_CODE: lambda b: date.fromisoformat(b.decode("ascii")),
    TIMEDELTA_CODE: _duration,
}
_JSON_KEY = {True: "true", False: "false", None: "null"}


class CompactTranscoder(MotcuaTranscoder):
    """Writes MessagePack, reads MessagePack and the JSON of :class:`MotcuaTranscoder`."""

    def __init__(self) -> None:
        super().__init__()
        self._encoder = msgspec.msgpack.Encoder()
        self._decoder = msgspec.msgpack.Decoder(ext_hook=self._from_ext)

    def encode(self, obj: Any) -> bytes:
        return MARKER + self._encoder.encode(self._walk(obj))

    def decode(self, data: bytes) -> Any:
        if data[:1] == MARKER:
            return self._decoder.decode(memoryview(data)[1:])
        return super().decode(data)  # written by the JSON transcoder before

    def _walk(self, o: Any) -> Any:
        t = type(o)
        if t is str or t is int or t is float or t is bool or o is None:
            return o
        if t is dict:
            return {k if type(k) is str else _key(k): self._walk(v) for k, v in o.items()}
        if t is list or t is tuple:
            return [self._walk(v) for v in o]
        fast = _FAST_ENCODE.get(t)
        if fast is not None:
            return fast(o)
        transcoding = self.types.get(t)
        if transcoding is not None:
            inner = self._encoder.encode([transcoding.name, self._walk(transcoding.encode(o))])
            return Ext(GENERIC, inner)
        # Subclasses the stdlib JSON encoder wrote as their base type (StrEnum, IntEnum...).
        for base in (str, int, float):
            if isinstance(o, base):
                return base(o) if base is not str else str.__str__(o)
        if isinstance(o, dict):
            return self._walk(dict(o))
        if isinstance(o, list | tuple):
            return [self._walk(v) for v in o]
        raise TranscodingNotRegisteredError(
            f"Object of type {t} is not serializable. Please define and register "
            "a custom transcoding for this type."
        )

    def _from_ext(self, code: int, data: memoryview) -> Any:
        fast = _FAST_DECODE.get(code)
        if fast is not None:
            return fast(bytes(data))
        if code != GENERIC:
            raise TranscodingNotRegisteredError(f"Stored data has an unknown extension code {code}.")
        name, payload = msgspec.msgpack.decode(data, ext_hook=self._from_ext)
        try:
            transcoding = self.names[name]
        except KeyError:
            raise TranscodingNotRegisteredError(
                f"Data serialized with name '{name}' is not deserializable. Please register a "
                "custom transcoding for this type."
            ) from None
        return transcoding.decode(payload)


def _key(key: Any) -> str:
    """A non-string dict key as the stdlib JSON encoder wrote it (so both formats agree)."""
    if key is None or isinstance(key, bool):
        return _JSON_KEY[key]
    if isinstance(key, int | float):
        return float.__repr__(key) if isinstance(key, float) else int.__repr__(key)
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


__all__ = ["MARKER", "CompactTranscoder"]
