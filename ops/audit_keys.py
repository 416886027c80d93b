"""``motcua audit rotate-key``: the audit chain's HMAC key rotates forward.

The chain keyring (see ``application.audit_chain.ChainKeyring``) is the key file
``DATA_DIR/secrets/audit-chain`` or ``MOTCUA_AUDIT_CHAIN_KEY``: its first line is the original
key, every later line ``<key-id>:<base64 key>``; the last is current. Rotating appends a line:
new links are made with the new key and name its id, old links keep naming theirs, nothing
stored is rewritten, and ``audit verify`` uses the key each link names. The file is replaced
in one step (written aside, fsynced, renamed), so a process starting meanwhile reads the old
or the new keyring, never half of one. Running processes keep the key they started with
until restarted (their links still verify: they name that key).
"""

from __future__ import annotations

import base64
import os
import secrets
import tempfile
from datetime import UTC, datetime

from application.audit_chain import ChainKeyring, parse_chain_keyring
from ops.settings import Settings, SettingsError
from ops.stores import audit_chain_key

KEY_BYTES = 32
KEY_FILE = "audit-chain"


def new_chain_key_id(now: datetime | None = None) -> str:
    """``c<UTC date>-<4 hex>``: sortable by creation, never reused."""
    return f"c{(now or datetime.now(UTC)):%Y%m%d}-{secrets.token_hex(2)}"


def rotate_chain_key(settings: Settings) -> tuple[ChainKeyring, ChainKeyring]:
    """Append a new current key to the key file; returns (before, after). Refuses an inline key."""
    if settings.audit_chain_key:
        raise SettingsError(
            "MOTCUA_AUDIT_CHAIN_KEY is set inline: add a line <key-id>:<base64 32-byte key> to it yourself "
            "(the first line stays), or use the key file DATA_DIR/secrets/audit-chain"
        )
    text = audit_chain_key(settings)  # makes the file on first use
    before = parse_chain_keyring(text)
    assert before is not None
    key_id = new_chain_key_id()
    while key_id in before.keys:
        key_id = new_chain_key_id()
    line = f"{key_id}:{base64.b64encode(secrets.token_bytes(KEY_BYTES)).decode()}"
    new_text = text.rstrip("\n") + "\n" + line + "\n"
    after = parse_chain_keyring(new_text)
    assert after is not None and after.current_id == key_id
    path = settings.data_path / "secrets" / KEY_FILE
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{KEY_FILE}.")
    try:
        os.write(fd, new_text.encode("utf-8"))
        os.fsync(fd)
        os.close(fd)
        os.chmod(tmp, 0o600)
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
    return before, after


def rotate_key_command(settings: Settings) -> int:
    import sys

    try:
        before, after = rotate_chain_key(settings)
    except SettingsError as exc:
        print(f"Không xoay được khoá / cannot rotate: {exc}", file=sys.stderr)
        return 2
    print(f"Khoá chuỗi kiểm toán mới / new audit-chain key: {after.current_id} "
          f"(trước đó / previously {before.current_id or 'the first key'}; {len(after.keys)} keys)")
    print("Sao lưu tệp khoá ngay / back the key file up now, apart from the database; restart every motcua "
          "process so that new links use the new key. Never delete a line: its links could no longer be verified.")
    return 0


__all__ = ["new_chain_key_id", "rotate_chain_key", "rotate_key_command"]
