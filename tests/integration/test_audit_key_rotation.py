"""The audit chain's key rotates forward, on SQLite and on PostgreSQL.

Links name the key they were made with (none: the first key); ``audit verify`` uses the key each
link names, so an untouched store verifies across rotations, while a link re-hashed without the
key, or with a retired key, is still found.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import psycopg
import pytest
from psycopg.sql import SQL, Identifier

from application.accounts import Accounts
from application.audit_chain import chain_hash
from application.clock import WallClock
from domain.actor import Role
from ops.audit import chain_keyring, verify_command
from ops.audit_keys import rotate_chain_key, rotate_key_command
from ops.settings import Settings, SettingsError, load_settings
from ops.stores import store_env
from tests.fast import FAST_PASSWORD_HASHING
from tests.integration.conftest import PG_CONNINFO

WRONG_KEY = b"an attacker's guess at the key, 32+ bytes"


@pytest.fixture(params=["sqlite", "postgres"])
def settings(request: pytest.FixtureRequest, tmp_path: Path) -> Settings:
    if request.param == "sqlite":
        return load_settings({}, data_dir=str(tmp_path), **FAST_PASSWORD_HASHING)
    schema = request.getfixturevalue("pg_schema")
    return load_settings({}, data_dir=str(tmp_path), **FAST_PASSWORD_HASHING, database_url="postgresql://postgres@127.0.0.1:5432/test",
                         postgres_schema=schema, postgres_pool_size=2)


class Store:
    """The accounts store as a fresh process opens it (reading the keyring then)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.count = 0

    def register(self, n: int) -> None:
        with self.opened() as accounts:
            for _ in range(n):
                self.count += 1
                accounts.register(username=f"officer{self.count}", password="a good password",
                                  role=Role.RECEPTION_OFFICER, unit="000.00.01.H22")

    def opened(self) -> Any:
        from contextlib import contextmanager

        @contextmanager
        def scope() -> Iterator[Accounts]:
            accounts = Accounts(store_env(self.settings, "Accounts"), WallClock())
            try:
                yield accounts
            finally:
                accounts.close()

        return scope()

    def key_ids(self) -> list[str | None]:
        with self.opened() as accounts:
            return [link.key_id for link in accounts.recorder.select_chain(None, 100)]

    def execute(self, statement: str, params: tuple[Any, ...]) -> None:
        """``{chain}`` in ``statement`` is the accounts chain table; ``%s`` the parameters."""
        if self.settings.embedded:
            with closing(sqlite3.connect(self.settings.data_path / "accounts.sqlite")) as conn, conn:
                conn.execute(statement.replace("{chain}", "audit_chain").replace("%s", "?"), params)
            return
        with psycopg.connect(PG_CONNINFO, autocommit=True) as conn:
            chain = SQL("{}.{}").format(Identifier(self.settings.postgres_schema), Identifier("accounts_audit_chain"))
            conn.execute(SQL(statement).format(chain=chain), params)

    def rehash(self, notification_id: int, key: bytes, key_id: str | None) -> None:
        """Recompute one link with ``key`` and have it name ``key_id``, as a tamperer would."""
        with self.opened() as accounts:
            recorder = accounts.recorder
            event = recorder.select_notifications(notification_id, 1)[0]
            before = recorder.chain_link_before(notification_id)
            assert before is not None
            forged = chain_hash(key, before.hash, event.id, event.originator_id, event.originator_version,
                                event.topic, event.state)
        self.execute("UPDATE {chain} SET hash = %s, key_id = %s WHERE notification_id = %s",
                     (forged, key_id, notification_id))


def _out(capsys: pytest.CaptureFixture[str]) -> str:
    return " ".join(capsys.readouterr().out.split())


def test_an_untouched_store_verifies_across_two_rotations(settings: Settings,
                                                          capsys: pytest.CaptureFixture[str]) -> None:
    store = Store(settings)
    store.register(2)
    assert rotate_key_command(settings) == 0
    second = chain_keyring(settings).current_id
    store.register(2)
    _, after = rotate_chain_key(settings)
    store.register(1)

    assert store.key_ids() == [None, None, second, second, after.current_id]
    assert list(after.keys) == [None, second, after.current_id], "old keys stay to verify their links"
    capsys.readouterr()
    assert verify_command(settings) == 0
    assert "OK accounts: 5 events" in _out(capsys)


def test_a_link_rehashed_without_the_key_is_found_after_a_rotation(settings: Settings,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    store = Store(settings)
    store.register(2)
    _, after = rotate_chain_key(settings)
    store.register(2)
    store.rehash(3, WRONG_KEY, after.current_id)
    capsys.readouterr()
    assert verify_command(settings) == 1
    assert "BREAK accounts at notification 3: hash-mismatch" in _out(capsys)


def test_a_link_made_with_a_retired_key_after_a_newer_one_is_found(settings: Settings,
                                                                   capsys: pytest.CaptureFixture[str]) -> None:
    store = Store(settings)
    store.register(2)
    before, _ = rotate_chain_key(settings)
    store.register(2)
    store.rehash(4, before.current, None)  # someone holding only the first (retired) key
    capsys.readouterr()
    assert verify_command(settings) == 1
    assert "BREAK accounts at notification 4: key-went-back" in _out(capsys)


def test_a_link_naming_an_unknown_key_is_found(settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    store = Store(settings)
    store.register(3)
    store.rehash(2, WRONG_KEY, "c20991231-dead")
    capsys.readouterr()
    assert verify_command(settings) == 1
    assert "BREAK accounts at notification 2: unknown-key" in _out(capsys)


def test_a_chain_made_before_key_ids_existed_verifies_and_continues_after_a_rotation(
        settings: Settings, capsys: pytest.CaptureFixture[str]) -> None:
    store = Store(settings)
    store.register(2)
    store.execute("ALTER TABLE {chain} DROP COLUMN key_id", ())  # the store as an older release left it
    _, after = rotate_chain_key(settings)
    store.register(1)  # opening the store adds the column; the old links name no key
    assert store.key_ids() == [None, None, after.current_id]
    capsys.readouterr()
    assert verify_command(settings) == 0
    assert "OK accounts: 3 events" in _out(capsys)


def test_an_inline_key_is_not_rotated_behind_the_operators_back(tmp_path: Path) -> None:
    settings = load_settings({}, data_dir=str(tmp_path), **FAST_PASSWORD_HASHING, audit_chain_key="an explicitly configured key of 32+ chars")
    with pytest.raises(SettingsError, match="MOTCUA_AUDIT_CHAIN_KEY"):
        rotate_chain_key(settings)
    assert rotate_key_command(settings) == 2


def test_the_cli_has_audit_rotate_key() -> None:
    from ops.cli import build_parser

    assert build_parser().parse_args(["audit", "rotate-key"]).func.__name__ == "_audit_rotate_key"
