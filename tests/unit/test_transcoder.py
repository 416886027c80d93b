"""Our transcoder passes the library's transcoder cases and keeps a fixed stored format.

Six of the library's cases expect a transcoder that keeps tuples and subclasses of dict, list,
str and int (``test_tuple``, ``test_mixed``, ``test_*_subclass``); a ``JSONTranscoder`` cannot,
because the stdlib encoder writes them as plain JSON before any transcoding is consulted.
eventsourcing skips the same six for its own JSON transcoder; we leave them out (``None``).
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from uuid import UUID

import pytest
from eventsourcing.application import Application
from eventsourcing.persistence import DatetimeAsISO, Transcoder, Transcoding
from eventsourcing.tests import persistence as library_cases
from eventsourcing.utils import get_topic

from adapters.eventstore.transcoder import (
    DateAsISO,
    MotcuaTranscoder,
    TimedeltaAsSeconds,
    TranscodingConflictError,
)


class TestMotcuaTranscoderPassesTheLibraryCases(library_cases.TranscoderTestCase):
    test_tuple = None  # type: ignore[assignment]
    test_mixed = None  # type: ignore[assignment]
    test_dict_subclass = None  # type: ignore[assignment]
    test_list_subclass = None  # type: ignore[assignment]
    test_str_subclass = None  # type: ignore[assignment]
    test_int_subclass = None  # type: ignore[assignment]

    def construct_transcoder(self) -> Transcoder:
        transcoder = MotcuaTranscoder()
        transcoder.register(library_cases.CustomType1AsDict())
        transcoder.register(library_cases.CustomType2AsDict())
        return transcoder


POPO_WITH_OUR_TRANSCODER = {
    "PERSISTENCE_MODULE": "eventsourcing.popo",
    "TRANSCODER_TOPIC": "adapters.eventstore.transcoder:MotcuaTranscoder",
}

DURATIONS = [
    timedelta(0),
    timedelta(hours=8),
    timedelta(days=3, hours=2, minutes=30),
    timedelta(microseconds=1),
    timedelta(seconds=-1),
    timedelta(days=-2, microseconds=999_999),
    timedelta(days=36_500, microseconds=123_457),
    timedelta(days=73_000, seconds=86_399, microseconds=999_999),  # 200 years
    -timedelta(days=73_000, seconds=86_399, microseconds=999_999),
]


@pytest.mark.parametrize("duration", DURATIONS, ids=str)
def test_durations_round_trip_exactly(duration: timedelta) -> None:
    transcoder = MotcuaTranscoder()
    assert transcoder.decode(transcoder.encode(duration)) == duration


def test_dates_instants_money_and_ids_round_trip_with_their_types() -> None:
    transcoder = MotcuaTranscoder()
    obj = {
        "due": date(2026, 3, 9),
        "at": datetime(2026, 3, 2, 9, 0, tzinfo=UTC),
        "fee": Decimal("10000.50"),
        "id": UUID("b2723fe2c01a40d2875ea3aac6a09ff5"),
        "wait": timedelta(hours=3),
    }
    copy = transcoder.decode(transcoder.encode(obj))
    assert copy == obj
    assert type(copy["due"]) is date and type(copy["at"]) is datetime


def test_the_stored_format_of_dates_and_durations_never_changes() -> None:
    transcoder = MotcuaTranscoder()
    data = transcoder.encode([date(2026, 3, 9), timedelta(hours=1), timedelta(milliseconds=1500)])
    assert data == (
        b'[{"_type_":"date_iso","_data_":"2026-03-09"},'
        b'{"_type_":"timedelta_seconds","_data_":3600},'
        b'{"_type_":"timedelta_seconds","_data_":1.5}]'
    )


def test_a_tuple_comes_back_as_a_list_as_with_the_library_transcoder() -> None:
    transcoder = MotcuaTranscoder()
    assert transcoder.decode(transcoder.encode({"codes": ("a", "b")})) == {"codes": ["a", "b"]}


def test_the_application_registering_the_library_transcodings_again_changes_nothing() -> None:
    # Application.construct_transcoder() registers UUIDAsHex, DecimalAsStr and DatetimeAsISO
    # on any JSONTranscoder, ours included.
    app = Application[UUID](env=POPO_WITH_OUR_TRANSCODER)
    try:
        transcoder = app.mapper.transcoder
        assert isinstance(transcoder, MotcuaTranscoder)
        transcoder.register(DateAsISO())
        transcoder.register(TimedeltaAsSeconds())
        fresh = MotcuaTranscoder()
        assert {n: type(t) for n, t in transcoder.names.items()} == {
            n: type(t) for n, t in fresh.names.items()
        }
        assert transcoder.types.keys() == fresh.types.keys()
    finally:
        app.close()


def test_a_different_transcoding_for_a_name_or_type_in_use_is_refused() -> None:
    class DatetimeAsTimestamp(Transcoding):
        type = datetime
        name = "datetime_ts"

        def encode(self, obj: datetime) -> float:
            return obj.timestamp()

        def decode(self, data: float) -> datetime:
            return datetime.fromtimestamp(data, UTC)

    class DateUnderAnotherClass(DatetimeAsISO):
        name = "date_iso"

    transcoder = MotcuaTranscoder()
    with pytest.raises(TranscodingConflictError, match="DatetimeAsISO"):
        transcoder.register(DatetimeAsTimestamp())
    with pytest.raises(TranscodingConflictError, match="DateAsISO"):
        transcoder.register(DateUnderAnotherClass())


def test_the_transcoder_topic_names_our_transcoder() -> None:
    assert get_topic(MotcuaTranscoder) == "adapters.eventstore.transcoder:MotcuaTranscoder"
    app = Application[UUID](env=POPO_WITH_OUR_TRANSCODER)
    try:
        transcoder = app.mapper.transcoder
        assert transcoder.decode(transcoder.encode(date(2026, 1, 1))) == date(2026, 1, 1)
    finally:
        app.close()
