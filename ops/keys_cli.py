"""``motcua keys rotate|list``: the event keyring from the shell (procedure in docs/keys.md).

Neither command prints key material: ids only. ``rotate`` appends a new current key to the
keyring file (old keys stay, stored records are never rewritten); processes already running keep
writing with the key they started with until restarted, and read the new key's records at once
(an unknown key id makes them read the file again).
"""

from __future__ import annotations

import argparse

from adapters.eventstore.keyring import parse_keyring
from ops.event_keys import keyring_path, load_keyring, rotate
from ops.settings import Settings


def add_parsers(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    keys = sub.add_parser("keys", help="event encryption keyring: rotate to a new key, list key ids")
    actions = keys.add_subparsers(dest="keys_command", required=True)
    actions.add_parser("rotate", help="add a new current key to the keyring file (old keys stay for reading)").set_defaults(
        func=_rotate
    )
    actions.add_parser("list", help="list the keyring's key ids, the current one marked (no key material)").set_defaults(
        func=_list
    )


def _rotate(args: argparse.Namespace, settings: Settings) -> int:
    before, after = rotate(settings)
    path = keyring_path(settings)
    if before.keys:
        print(f"Khoá mới / new current key: {after.current_id} (trước đó / previously {before.current_id})")
    else:
        print(f"Bộ khoá mới / new keyring with key {after.current_id}")
    print(f"Keyring: {path} ({len(after.keys)} keys). Sao lưu tệp này ngay / back this file up now, apart from "
          "the database backups; restart every motcua process so that new events use the new key.")
    return 0


def _list(args: argparse.Namespace, settings: Settings) -> int:
    text, path = load_keyring(settings)
    ring = parse_keyring(text, str(path or "MOTCUA_EVENT_KEYS"))
    print(f"# {path or 'MOTCUA_EVENT_KEYS'}")
    for key_id in ring.ids():
        print(f"{key_id}\t{'current' if key_id == ring.current_id else 'read-only'}")
    return 0
