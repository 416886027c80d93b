"""What ``motcua serve`` runs for given settings: worker processes, threads, and why."""

from __future__ import annotations

import pytest

from ops.serving import plan
from ops.settings import SettingsError, load_settings

PG = {"database_url": "postgresql://postgres@127.0.0.1:5432/test"}
CLICKHOUSE_SERVER = {"clickhouse_dsn": "http://clickhouse.example:8123"}


def test_postgresql_with_a_clickhouse_server_runs_the_workers_asked_for() -> None:
    chosen = plan(load_settings({}, workers=2, **PG, **CLICKHOUSE_SERVER))
    assert (chosen.workers, chosen.threads, chosen.notes) == (2, 16, [])


def test_the_embedded_store_is_served_by_one_process_and_says_why() -> None:
    chosen = plan(load_settings({}, workers=2))
    assert chosen.workers == 1
    assert "embedded" in chosen.notes[0]


def test_a_chdb_statistics_store_keeps_postgresql_to_one_process() -> None:
    chosen = plan(load_settings({}, workers=2, **PG))
    assert chosen.workers == 1
    assert "MOTCUA_CLICKHOUSE_DSN" in chosen.notes[0]


def test_more_threads_than_a_pool_has_connections_is_pointed_out() -> None:
    chosen = plan(load_settings({}, thread_pool_size=40, postgres_pool_size=10, **PG, **CLICKHOUSE_SERVER))
    assert chosen.threads == 40
    assert any("MOTCUA_THREAD_POOL_SIZE=40" in note and "20 connections" in note for note in chosen.notes)


@pytest.mark.parametrize("bad", [{"workers": 0}, {"thread_pool_size": 0}])
def test_zero_workers_or_threads_is_a_settings_error_naming_the_variable(bad: dict[str, int]) -> None:
    with pytest.raises(SettingsError, match="MOTCUA_"):
        plan(load_settings({}, **bad))


def test_freezing_the_start_up_heap_takes_the_objects_alive_now_out_of_later_collections() -> None:
    import gc

    from ops.serving import freeze_startup_heap

    def collected(thing: object) -> bool:  # the permanent generation is not among gc's objects
        return any(o is thing for o in gc.get_objects())

    built_at_start_up = {"catalogue": ["a long-lived cache"]}
    assert collected(built_at_start_up)
    try:
        freeze_startup_heap()
        made_later = {"request": ["short-lived"]}
        assert not collected(built_at_start_up)
        assert collected(made_later)
    finally:
        gc.unfreeze()


def test_a_request_holding_thousands_of_objects_brings_no_collection_once_the_heap_is_frozen() -> None:
    import gc

    from ops.serving import freeze_startup_heap

    before = gc.get_threshold()
    try:
        freeze_startup_heap()
        collections = [g["collections"] for g in gc.get_stats()]
        decoded = [{"version": i, "payload": [i]} for i in range(4000)]  # one history read's live objects
        assert [g["collections"] for g in gc.get_stats()] == collections, "a collection ran mid-request"
        assert len(decoded) == 4000
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
