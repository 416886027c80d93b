"""AES-GCM encryption of stored events and snapshots, each record naming its key id.

eventsourcing's ``AESCipher`` knows one key, so a store could never change key without
rewriting every record. ``KeyringCipher`` (selected with
``CIPHER_TOPIC=adapters.eventstore.cipher:KeyringCipher``) writes a short header before the
AES-GCM output, so every record says which key opens it::

    MARKER (4 bytes "\\x00MK1") | key-id length (1 byte) | key id (ASCII) | nonce (12) | ciphertext | tag (16)

The header is the GCM associated data: changing the key id in a stored record fails
authentication instead of trying another key. New records use the keyring's current key; any
key in the keyring decrypts. A record naming a key the keyring lacks, or whose tag does not
verify, raises :class:`EventKeyError` naming the key id; nothing is ever returned unverified.

Records written before encryption existed are JSON objects (they start with ``{``, which no
encrypted record does: the marker starts with a zero byte) and are returned as they are, so
old stores keep reading. Anything else is refused.

The keyring comes from the application's env (``EVENT_KEYRING``, built by ``ops.stores``).
When ``EVENT_KEYRING_FILE`` names the file it came from, an unknown key id makes the cipher
read that file again once: another process may have rotated the keyring since this one started.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from eventsourcing.persistence import Cipher
from eventsourcing.utils import Environment

from adapters.eventstore.keyring import Keyring, KeyringError, parse_keyring

MARKER = b"\x00MK1"
NONCE_BYTES = 12
TAG_BYTES = 16
KEYRING_ENV = "EVENT_KEYRING"
KEYRING_FILE_ENV = "EVENT_KEYRING_FILE"
CIPHER_TOPIC = "adapters.eventstore.cipher:KeyringCipher"


class EventKeyError(ValueError):
    """A stored record that the keyring cannot open: unknown key id, wrong key or damage."""


def record_key_id(stored: bytes) -> str | None:
    """The key id a stored record names, or None for a legacy plaintext record."""
    data = bytes(stored)
    if not data.startswith(MARKER):
        return None
    return _split(data)[1]


def _split(data: bytes) -> tuple[bytes, str, bytes]:
    """(header, key id, nonce + ciphertext + tag)."""
    if len(data) < len(MARKER) + 1:
        raise EventKeyError("damaged encrypted record: the header is cut short")
    id_len = data[len(MARKER)]
    header_len = len(MARKER) + 1 + id_len
    if id_len == 0 or len(data) < header_len + NONCE_BYTES + TAG_BYTES:
        raise EventKeyError("damaged encrypted record: the header or body is cut short")
    try:
        key_id = data[len(MARKER) + 1 : header_len].decode("ascii")
    except UnicodeDecodeError:
        raise EventKeyError("damaged encrypted record: the key id is not ASCII") from None
    return data[:header_len], key_id, data[header_len:]


class KeyringCipher(Cipher):
    def __init__(self, environment: Environment) -> None:
        text = environment.get(KEYRING_ENV)
        if not text:
            raise OSError(f"'{KEYRING_ENV}' not in env: the event keyring must be configured (see docs/keys.md)")
        self._file = environment.get(KEYRING_FILE_ENV) or None
        self._lock = threading.Lock()
        self._keyring: Keyring = parse_keyring(text, "the event keyring")
        # One AESGCM per key: building a cipher object per record cost more than the AES itself.
        self._aead: dict[bytes, AESGCM] = {}

    @property
    def current_key_id(self) -> str:
        return self._keyring.current_id

    def encrypt(self, plaintext: bytes) -> bytes:
        keyring = self._keyring
        key_id = keyring.current_id.encode("ascii")
        header = MARKER + bytes([len(key_id)]) + key_id
        nonce = os.urandom(NONCE_BYTES)
        return header + nonce + self._cipher(keyring.current).encrypt(nonce, plaintext, header)

    def decrypt(self, ciphertext: bytes) -> bytes:
        data = bytes(ciphertext)
        if not data.startswith(MARKER):
            if data.lstrip()[:1] == b"{":
                return data  # written before encryption existed (docs/keys.md)
            raise EventKeyError("stored record is neither encrypted (no key header) nor a plaintext JSON object")
        header, key_id, body = _split(data)
        key = self._key(key_id)
        try:  # AESGCM takes ciphertext + tag, the layout stored after the nonce
            return self._cipher(key).decrypt(body[:NONCE_BYTES], body[NONCE_BYTES:], header)
        except InvalidTag:
            raise EventKeyError(
                f"stored record encrypted with key id {key_id!r} does not decrypt with the keyring's key "
                f"of that id: wrong key for {key_id!r}, or the record was altered "
                f"(bản ghi mã hoá bằng khoá {key_id!r} không giải mã được: sai khoá hoặc dữ liệu bị sửa)"
            ) from None

    def _cipher(self, key: bytes) -> AESGCM:
        aead = self._aead.get(key)
        if aead is None:
            aead = self._aead[key] = AESGCM(key)
        return aead

    def _key(self, key_id: str) -> bytes:
        key = self._keyring.keys.get(key_id)
        if key is None and self._file:
            self._reload()
            key = self._keyring.keys.get(key_id)
        if key is None:
            raise EventKeyError(
                f"stored record names key id {key_id!r}, which is not in the event keyring "
                f"(known: {', '.join(self._keyring.ids())}); restore that key from the backup "
                f"(khoá {key_id!r} không có trong bộ khoá; khôi phục khoá từ bản sao lưu), see docs/keys.md"
            )
        return key

    def _reload(self) -> None:
        """Read the keyring file again (a rotation elsewhere); keep the current key for writing."""
        assert self._file is not None
        with self._lock:
            try:
                fresh = parse_keyring(Path(self._file).read_text(encoding="utf-8"), self._file)
            except (OSError, KeyringError):
                return  # keep what we have; the caller reports the unknown key id
            merged = {**fresh.keys, **self._keyring.keys}
            self._keyring = Keyring(merged, self._keyring.current_id)
