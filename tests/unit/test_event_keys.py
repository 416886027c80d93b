"""Where the event keyring comes from, its first creation and `motcua keys rotate`."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

import pytest
import structlog

from adapters.eventstore.keyring import new_keyring, parse_keyring
from ops.cli import main
from ops.event_keys import cipher_env, keyring_path, load_keyring, rotate
from ops.settings import SettingsError, load_settings
from ops.stores import store_env


@pytest.fixture(autouse=True)
def restore_logging():
    """``main`` configures logging for the process; leave none of it behind for other tests."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    structlog.reset_defaults()
    for handler in [h for h in root.handlers if h not in handlers]:
        root.removeHandler(handler)
    root.setLevel(level)


def test_the_embedded_default_makes_one_keyring_file_for_every_caller(tmp_path):
    settings = load_settings({}, data_dir=str(tmp_path))
    with ThreadPoolExecutor(8) as pool:
        texts = set(pool.map(lambda _: load_keyring(settings)[0], range(16)))
    assert len(texts) == 1
    path = tmp_path / "secrets" / "event-keys"
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert len(parse_keyring(path.read_text()).keys) == 1


def test_every_store_env_switches_the_keyring_cipher_on(tmp_path):
    env = store_env(load_settings({}, data_dir=str(tmp_path)), "Dossiers")
    assert env["CIPHER_TOPIC"] == "adapters.eventstore.cipher:KeyringCipher"
    assert parse_keyring(env["EVENT_KEYRING"]).current_id
    assert env["EVENT_KEYRING_FILE"] == str(tmp_path.resolve() / "secrets" / "event-keys")


def test_an_inline_keyring_is_used_as_given_and_cannot_be_rotated_by_the_cli(tmp_path):
    inline = ",".join(line for line in new_keyring().to_text().splitlines() if not line.startswith("#"))
    settings = load_settings({"MOTCUA_EVENT_KEYS": inline}, data_dir=str(tmp_path))
    env = cipher_env(settings)
    assert env["EVENT_KEYRING"] == inline and "EVENT_KEYRING_FILE" not in env
    assert not (tmp_path / "secrets").exists()
    with pytest.raises(SettingsError, match="inline"):
        rotate(settings)


def test_a_named_keyring_file_must_exist_and_both_settings_at_once_are_refused(tmp_path):
    named = load_settings({"MOTCUA_EVENT_KEYS_FILE": str(tmp_path / "keys")}, data_dir=str(tmp_path))
    with pytest.raises(SettingsError, match="does not exist"):
        load_keyring(named)
    both = load_settings({"MOTCUA_EVENT_KEYS_FILE": "x", "MOTCUA_EVENT_KEYS": "y"}, data_dir=str(tmp_path))
    with pytest.raises(SettingsError, match="not both"):
        keyring_path(both)


def test_a_damaged_keyring_file_is_a_settings_error_naming_the_file(tmp_path):
    path = tmp_path / "keys"
    path.write_text("k1:AAAA\n")
    with pytest.raises(SettingsError, match=f"{path}.*32 bytes"):
        load_keyring(load_settings({"MOTCUA_EVENT_KEYS_FILE": str(path)}, data_dir=str(tmp_path)))


def test_concurrent_rotations_keep_every_key(tmp_path):
    settings = load_settings({}, data_dir=str(tmp_path))
    first = parse_keyring(load_keyring(settings)[0])
    with ThreadPoolExecutor(4) as pool:
        added = {after.current_id for _, after in pool.map(lambda _: rotate(settings), range(4))}
    final = parse_keyring(keyring_path(settings).read_text())
    assert set(final.ids()) == {first.current_id} | added and len(added) == 4
    assert final.keys[first.current_id] == first.current  # old keys never change


def test_motcua_keys_rotate_then_list(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MOTCUA_DATA_DIR", str(tmp_path))
    assert main(["keys", "rotate"]) == 0
    assert main(["keys", "rotate"]) == 0
    out = capsys.readouterr().out
    assert "new keyring" in out and "new current key" in out
    assert main(["keys", "list"]) == 0
    listed = [line.split("\t") for line in capsys.readouterr().out.splitlines() if not line.startswith("#")]
    assert [state for _, state in listed] == ["read-only", "current"]
    ring = parse_keyring((tmp_path / "secrets" / "event-keys").read_text())
    assert [kid for kid, _ in listed] == ring.ids()
    assert not any(__import__("base64").b64encode(k).decode() in out for k in ring.keys.values())


def test_motcua_keys_with_a_missing_named_file_says_what_to_do(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MOTCUA_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("MOTCUA_EVENT_KEYS_FILE", str(tmp_path / "gone"))
    assert main(["keys", "list"]) == 2
    assert "restore it from the backup" in capsys.readouterr().err


def test_a_stray_cipher_variable_in_the_process_environment_cannot_replace_the_keyring(tmp_path, monkeypatch):
    from adapters.eventstore.cipher import KeyringCipher
    from application.accounts import Accounts
    from application.clock import WallClock

    monkeypatch.setenv("CIPHER_TOPIC", "eventsourcing.cipher:AESCipher")
    monkeypatch.setenv("ACCOUNTS_EVENT_KEYRING", "evil:" + "A" * 44)
    settings = load_settings({}, data_dir=str(tmp_path))
    app = Accounts(store_env(settings, "Accounts"), WallClock())
    try:
        assert isinstance(app.mapper.cipher, KeyringCipher)
        assert app.mapper.cipher.current_key_id == parse_keyring(load_keyring(settings)[0]).current_id
    finally:
        app.close()
