"""The event keyring: named AES-256 keys, the last one current, older ones kept for reading.

Text form (a file, or ``MOTCUA_EVENT_KEYS`` inline): entries ``<key-id>:<base64 key>``
separated by new lines or commas; lines starting with ``#`` are comments. The LAST entry is
the current key, used for every new record; every entry decrypts. Rotation appends an entry,
so old records (which name their key id in their own header) keep reading and are never
rewritten. Key ids go into every stored record, so they are short and must never be reused.
"""

from __future__ import annotations

import base64
import binascii
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime

KEY_BYTES = 32  # AES-256
KEY_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


class KeyringError(ValueError):
    """A keyring that cannot be used; the message says which entry and why."""


@dataclass(frozen=True)
class Keyring:
    keys: dict[str, bytes]
    current_id: str

    @property
    def current(self) -> bytes:
        return self.keys[self.current_id]

    def ids(self) -> list[str]:
        return list(self.keys)

    def with_new_key(self, key_id: str | None = None) -> Keyring:
        """A keyring with one more key, made current; the old ones stay for reading."""
        key_id = key_id or new_key_id()
        if key_id in self.keys:
            raise KeyringError(f"key id {key_id!r} is already in the keyring; key ids are never reused")
        return Keyring({**self.keys, key_id: secrets.token_bytes(KEY_BYTES)}, key_id)

    def to_text(self) -> str:
        lines = [
            "# motcua event keyring: <key-id>:<base64 AES-256 key>, the last line is the current key.",
            "# Never delete a line: records encrypted with it could no longer be read. See docs/keys.md.",
        ]
        lines += [f"{kid}:{base64.b64encode(key).decode()}" for kid, key in self.keys.items()]
        return "\n".join(lines) + "\n"


def new_key_id() -> str:
    """``k<UTC date>-<4 hex>``: sortable by creation, unlikely to repeat even if a file is lost."""
    return f"k{datetime.now(UTC):%Y%m%d}-{secrets.token_hex(2)}"


def new_keyring() -> Keyring:
    return Keyring({}, "").with_new_key()


def parse_keyring(text: str, source: str = "the keyring") -> Keyring:
    """Parse the text form; every problem names the entry (never the key bytes)."""
    keys: dict[str, bytes] = {}
    last = ""
    entries = [
        part.strip()
        for line in text.splitlines()
        if not line.lstrip().startswith("#")
        for part in line.split(",")
    ]
    for number, entry in enumerate((e for e in entries if e), start=1):
        key_id, sep, encoded = entry.partition(":")
        key_id = key_id.strip()
        if not sep or not KEY_ID.match(key_id):
            raise KeyringError(
                f"{source}, entry {number}: expected <key-id>:<base64 key> with a key id of "
                "letters, digits, '.', '_' or '-' (at most 64)"
            )
        try:
            key = base64.b64decode(encoded.strip(), validate=True)
        except (binascii.Error, ValueError):
            raise KeyringError(f"{source}, key {key_id!r}: the key is not valid base64") from None
        if len(key) != KEY_BYTES:
            raise KeyringError(f"{source}, key {key_id!r}: a key must be {KEY_BYTES} bytes (AES-256), not {len(key)}")
        if key_id in keys:
            raise KeyringError(f"{source}: key id {key_id!r} appears twice")
        keys[key_id] = key
        last = key_id
    if not keys:
        raise KeyringError(f"{source} holds no key")
    return Keyring(keys, last)
