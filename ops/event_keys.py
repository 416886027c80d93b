"""Where the event keyring comes from, its first creation, and forward rotation.

``MOTCUA_EVENT_KEYS`` (inline) or ``MOTCUA_EVENT_KEYS_FILE`` (a path) name the keyring; with
neither, the embedded default keeps it in ``DATA_DIR/secrets/event-keys``, made on first start
the way ``ops.secrets`` makes the other keys (written aside, then linked into place, so a
process starting at the same moment never sees a half-written file). A file named explicitly
must exist: silently making a fresh key there (a missing mount, a typo) would write records
that the real keyring cannot open. ``motcua keys rotate`` appends a new current key under an
exclusive lock and replaces the file atomically; old keys are never removed.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
from pathlib import Path

from adapters.eventstore.cipher import CIPHER_TOPIC, KEYRING_ENV, KEYRING_FILE_ENV
from adapters.eventstore.keyring import Keyring, KeyringError, new_keyring, parse_keyring
from ops.settings import Settings, SettingsError


def keyring_path(settings: Settings) -> Path | None:
    """The keyring file in use, or None when the keyring is inline."""
    if settings.event_keys and settings.event_keys_file:
        raise SettingsError("set MOTCUA_EVENT_KEYS or MOTCUA_EVENT_KEYS_FILE, not both")
    if settings.event_keys:
        return None
    if settings.event_keys_file:
        return Path(settings.event_keys_file).resolve()
    return settings.data_path / "secrets" / "event-keys"


def load_keyring(settings: Settings) -> tuple[str, Path | None]:
    """(keyring text, file it came from), validated; makes the default file when it is missing."""
    path = keyring_path(settings)
    if path is None:
        text, source = settings.event_keys, "MOTCUA_EVENT_KEYS"
    else:
        if not path.exists():
            if settings.event_keys_file:
                raise SettingsError(
                    f"MOTCUA_EVENT_KEYS_FILE names {path}, which does not exist; restore it from the "
                    "backup, or run `motcua keys rotate` to start a new keyring there (docs/keys.md)"
                )
            _create(path, new_keyring().to_text())
        text, source = path.read_text(encoding="utf-8"), str(path)
    try:
        parse_keyring(text, source)
    except KeyringError as exc:
        raise SettingsError(str(exc)) from None
    return text, path


def cipher_env(settings: Settings) -> dict[str, str]:
    """The part of an application's env that switches event encryption on."""
    text, path = load_keyring(settings)
    env = {"CIPHER_TOPIC": CIPHER_TOPIC, KEYRING_ENV: text}
    if path is not None:
        env[KEYRING_FILE_ENV] = str(path)
    return env


def rotate(settings: Settings) -> tuple[Keyring, Keyring]:
    """Append a new current key to the keyring file; return (before, after)."""
    path = keyring_path(settings)
    if path is None:
        raise SettingsError(
            "the keyring is inline (MOTCUA_EVENT_KEYS): add a new entry at its end yourself, "
            "or move it into a file (MOTCUA_EVENT_KEYS_FILE) to rotate with this command (docs/keys.md)"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.parent / f".{path.name}.lock", "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # two rotations at once must not drop each other's key
        if path.exists():
            try:
                before = parse_keyring(path.read_text(encoding="utf-8"), str(path))
            except KeyringError as exc:
                raise SettingsError(str(exc)) from None
            after = before.with_new_key()
            _replace(path, after.to_text())
        else:
            before = Keyring({}, "")
            after = new_keyring()
            _create(path, after.to_text())
    return before, after


def _write_aside(path: Path, text: str) -> str:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")  # mode 0600
    try:
        os.write(fd, text.encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)
    return tmp


def _create(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _write_aside(path, text)
    try:
        os.link(tmp, path)  # fails if another process got there first: use theirs
    except FileExistsError:
        pass
    finally:
        os.unlink(tmp)


def _replace(path: Path, text: str) -> None:
    tmp = _write_aside(path, text)
    os.replace(tmp, path)
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
