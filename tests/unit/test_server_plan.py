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

