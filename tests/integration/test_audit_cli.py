"""``motcua audit verify`` and ``motcua audit digest`` on the stores the settings name.

The commands find the event stores themselves (SQLite files in the data dir; the schema's
chain tables on PostgreSQL) and open them without the container.
"""

from __future__ import annotations

import json
import sqlite3
from contextlib import closing
from pathlib import Path

import psycopg
import pytest
from psycopg.sql import SQL, Identifier

from application.accounts import Accounts
from application.clock import WallClock
from domain.actor import Role
from ops.audit import chain_key, digest_command, discover_stores, verify_command
from ops.cli import build_parser
from ops.settings import Settings, load_settings
from ops.stores import store_env
from tests.fast import FAST_PASSWORD_HASHING
from tests.integration.conftest import PG_CONNINFO


def _register(settings: Settings, count: int = 3) -> None:
    accounts = Accounts(store_env(settings, "Accounts"), WallClock())
    try:
        for n in range(count):
            accounts.register(
                username=f"officer{n}", password="a good password", role=Role.RECEPTION_OFFICER,
                unit="000.00.01.H22",
            )
    finally:
        accounts.close()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    settings = load_settings({}, data_dir=str(tmp_path), **FAST_PASSWORD_HASHING)
    _register(settings)
    return settings


def _out(capsys: pytest.CaptureFixture[str]) -> str:
    return " ".join(capsys.readouterr().out.split())


def test_the_cli_has_audit_verify_and_audit_digest() -> None:
    parser = build_parser()
    assert parser.parse_args(["audit", "verify"]).func.__name__ == "_audit_verify"
    args = parser.parse_args(["audit", "digest", "--no-take"])
    assert args.func.__name__ == "_audit_digest" and args.no_take


def test_an_untouched_store_verifies_and_a_changed_event_is_reported_with_exit_status_1(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert [s.name for s in discover_stores(settings)] == ["accounts"]
    assert verify_command(settings) == 0
    assert "OK accounts: 3 events" in _out(capsys)
    with closing(sqlite3.connect(settings.data_path / "accounts.sqlite")) as conn, conn:
        conn.execute("UPDATE stored_events SET state = CAST(state || x'00' AS BLOB) WHERE rowid = 2")
    assert verify_command(settings) == 1
    out = _out(capsys)
    assert "BREAK accounts at notification 2: hash-mismatch" in out
    assert "1 events" in out


def test_an_event_whose_bytes_became_text_is_a_break_not_a_crash(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    with closing(sqlite3.connect(settings.data_path / "accounts.sqlite")) as conn, conn:
        conn.execute("UPDATE stored_events SET state = 'x' WHERE rowid = 3")
    assert verify_command(settings) == 1
    assert "BREAK accounts at notification 3: hash-mismatch" in _out(capsys)


def test_the_key_is_generated_once_into_the_data_dir_and_kept(settings: Settings) -> None:
    key_file = settings.data_path / "secrets" / "audit-chain"
    assert key_file.exists() and chain_key(settings) == key_file.read_text().strip().encode()
    other = load_settings(
        {}, data_dir=str(settings.data_path), audit_chain_key="an explicitly configured key of 32+ chars"
    )
    assert chain_key(other) == b"an explicitly configured key of 32+ chars"


def test_digest_records_the_heads_of_today_and_prints_every_digest_as_json_lines(
    settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert digest_command(settings) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["store"], r["notificationId"], len(r["hash"])) for r in rows] == [("accounts", 3, 64)]
    assert (settings.data_path / "audit-digests.jsonl").exists()
    assert digest_command(settings) == 0  # the head did not move: nothing added
    assert [json.loads(line) for line in capsys.readouterr().out.splitlines()] == rows
    # Cutting the log short behind the digest is found.
    with closing(sqlite3.connect(settings.data_path / "accounts.sqlite")) as conn, conn:
        conn.execute("DELETE FROM stored_events WHERE rowid = 3")
        conn.execute("DELETE FROM audit_chain WHERE notification_id = 3")
    assert verify_command(settings) == 1
    assert "BREAK accounts at notification 3: missing-after-digest" in _out(capsys)
    assert digest_command(settings, take=False) == 0
    assert [json.loads(line) for line in capsys.readouterr().out.splitlines()] == rows


def test_on_postgresql_the_stores_are_found_in_the_schema(
    pg_schema: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = load_settings(
        {}, data_dir=str(tmp_path), database_url="postgresql://postgres@127.0.0.1:5432/test",
        postgres_schema=pg_schema, postgres_pool_size=2,
    )
    _register(settings, count=2)
    assert [s.name for s in discover_stores(settings)] == ["accounts"]
    assert verify_command(settings) == 0
    assert "OK accounts: 2 events" in _out(capsys)
    with psycopg.connect(PG_CONNINFO, autocommit=True) as conn:
        conn.execute(
            SQL("UPDATE {}.accounts_audit_chain SET hash = %s WHERE notification_id = 2").format(
                Identifier(pg_schema)
            ),
            (bytes(32),),
        )
    assert verify_command(settings) == 1
    assert "BREAK accounts at notification 2: hash-mismatch" in _out(capsys)
