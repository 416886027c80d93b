"""The compact transcoder: MessagePack for new records, the JSON of earlier records still read.

The library's transcoder cases run against it too, except those that assert JSON bytes
(``test_str``, ``test_dict``, ``test_nested_custom_type``: their round trips are covered
below) and the six a JSON-compatible transcoder cannot pass (tuples and subclasses come back
as lists and base types, as they always did in our stores).
"""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import Transcoder, TranscodingNotRegisteredError
from eventsourcing.tests import persistence as library_cases

from adapters.eventstore.compact_transcoder import MARKER, CompactTranscoder
from adapters.eventstore.transcoder import MotcuaTranscoder
from tests.unit.test_transcoder import DURATIONS


class TestCompactTranscoderPassesTheLibraryCases(library_cases.TranscoderTestCase):
    test_str = None  # type: ignore[assignment]
    test_dict = None  # type: ignore[assignment]
    test_nested_custom_type = None  # type: ignore[assignment]
    test_tuple = None  # type: ignore[assignment]
    test_mixed = None  # type: ignore[assignment]
    test_dict_subclass = None  # type: ignore[assignment]
    test_list_subclass = None  # type: ignore[assignment]
    test_str_subclass = None  # type: ignore[assignment]
    test_int_subclass = None  # type: ignore[assignment]

    def construct_transcoder(self) -> Transcoder:
        transcoder = CompactTranscoder()
        transcoder.register(library_cases.CustomType1AsDict())
        transcoder.register(library_cases.CustomType2AsDict())
        return transcoder


class Channel(enum.StrEnum):
    ONLINE = "online"


EVENT_STATE = {
    "originator_id": UUID("b2723fe2c01a40d2875ea3aac6a09ff5"),
    "originator_version": 7,
    "timestamp": datetime(2026, 3, 2, 2, 0, 0, 123456, tzinfo=UTC),
    "due_at": datetime(2026, 3, 9, 17, 0, tzinfo=timezone(timedelta(hours=7))),
    "appointment": date(2026, 3, 9),
    "fee": Decimal("50000.50"),
    "wait": timedelta(days=2, hours=3),
    "actor": {"id": "officer-1", "role": "reception_officer", "unit": "000.00.01.H22", "name": "Lê Văn Cường"},
    "form": {"childName": "Nguyễn Văn Bé", "weightKg": 3.2, "twins": False, "note": None, "siblings": 0},
    "documents": [{"id": uuid4(), "received": [date(2026, 3, 2), datetime(2026, 3, 2, 9, 0)]}],
}


def test_a_new_record_carries_the_marker_and_is_smaller_than_its_json() -> None:
    compact = CompactTranscoder().encode(EVENT_STATE)
    assert compact[:1] == MARKER
    assert len(compact) < 0.8 * len(MotcuaTranscoder().encode(EVENT_STATE))


def test_every_type_comes_back_with_its_type_and_value() -> None:
    transcoder = CompactTranscoder()
    copy = transcoder.decode(transcoder.encode(EVENT_STATE))
    assert copy == EVENT_STATE
    assert copy["due_at"].utcoffset() == timedelta(hours=7)  # the offset is kept, not just the instant
    assert type(copy["appointment"]) is date and type(copy["timestamp"]) is datetime
    assert copy["documents"][0]["received"][1].tzinfo is None  # a naive instant stays naive


@pytest.mark.parametrize("duration", DURATIONS, ids=str)
def test_durations_round_trip_exactly(duration: timedelta) -> None:
    transcoder = CompactTranscoder()
    assert transcoder.decode(transcoder.encode({"wait": duration})) == {"wait": duration}


def test_records_written_by_the_json_transcoder_decode_to_the_same_values() -> None:
    stored = MotcuaTranscoder().encode(EVENT_STATE)
    assert stored[:1] == b"{"
    assert CompactTranscoder().decode(stored) == EVENT_STATE


def test_tuples_enums_and_non_string_keys_come_back_as_json_gave_them() -> None:
    value = {"pair": (1, 2), "channel": Channel.ONLINE, "by_count": {1: "a", None: "b", False: "c"}}
    json, compact = MotcuaTranscoder(), CompactTranscoder()
    assert compact.decode(compact.encode(value)) == json.decode(json.encode(value)) == {
        "pair": [1, 2], "channel": "online", "by_count": {"1": "a", "null": "b", "false": "c"}}


@pytest.mark.parametrize("value", [{1, 2}, b"bytes", object(), {"at": datetime.now(UTC).time()}],
                         ids=["set", "bytes", "object", "time"])
def test_a_type_the_json_transcoder_refused_is_refused_too(value: object) -> None:
    with pytest.raises(TranscodingNotRegisteredError):
        CompactTranscoder().encode(value)


def test_a_record_with_an_unknown_extension_code_is_refused() -> None:
    import msgspec

    record = MARKER + msgspec.msgpack.encode({"x": msgspec.msgpack.Ext(99, b"?")})
    with pytest.raises(TranscodingNotRegisteredError):
        CompactTranscoder().decode(record)
