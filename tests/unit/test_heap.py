"""The garbage collector's settings for long-running work (``ops/heap.py``)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from ops.heap import GC_THRESHOLDS, freeze_startup_heap, spaced_collections


@pytest.fixture(autouse=True)
def pythons_own_settings_after() -> Iterator[None]:
    before = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*before)


def collections() -> list[int]:
    return [generation["collections"] for generation in gc.get_stats()]


def held_like_one_history_read() -> list[dict[str, object]]:
    """~8,000 containers alive at once, as a read decoding 500 events keeps them."""
    return [{"version": i, "payload": [i]} for i in range(4000)]


def test_freezing_the_start_up_heap_takes_the_objects_alive_now_out_of_later_collections() -> None:
    def collected(thing: object) -> bool:  # the permanent generation is not among gc's objects
        return any(o is thing for o in gc.get_objects())

    built_at_start_up = {"catalogue": ["a long-lived cache"]}
    assert collected(built_at_start_up)
    freeze_startup_heap()
    made_later = {"request": ["short-lived"]}
    assert not collected(built_at_start_up)
    assert collected(made_later)


def test_a_request_holding_thousands_of_objects_brings_no_collection_once_the_heap_is_frozen() -> None:
    freeze_startup_heap()
    ran = collections()
    decoded = held_like_one_history_read()
    assert collections() == ran, "a collection ran mid-request"
    assert len(decoded) == 4000


def test_a_rebuild_spaces_collections_out_and_gives_pythons_thresholds_back() -> None:
    gc.set_threshold(700, 10, 10)
    gc.collect()
    with spaced_collections():
        assert gc.get_threshold() == GC_THRESHOLDS
        ran = collections()
        page = held_like_one_history_read()
        assert collections() == ran and page
    assert gc.get_threshold() == (700, 10, 10)
    with pytest.raises(RuntimeError), spaced_collections():
        raise RuntimeError("a failed batch")
    assert gc.get_threshold() == (700, 10, 10)
