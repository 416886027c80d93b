"""Encrypted stored events on both stores: rotation, legacy plaintext, wrong keys, the chain.

Runs the audit-chain tests' ``Notes`` application on a real SQLite file and on PostgreSQL, with
the keyring cipher switched on by env, the way ``ops.stores.store_env`` does it. Stored bytes
are read with plain SQL.
"""

from __future__ import annotations

from uuid import UUID

import pytest
from eventsourcing.persistence import MapperDeserialisationError

from adapters.eventstore.cipher import CIPHER_TOPIC, MARKER, record_key_id
from adapters.eventstore.keyring import Keyring, new_keyring
from application.audit_chain import verify_chain
from tests.integration.test_audit_chain import KEY, Note, Notes, Store, opened, store  # noqa: F401


def cipher(ring: Keyring) -> dict[str, str]:
    return {"CIPHER_TOPIC": CIPHER_TOPIC, "EVENT_KEYRING": ring.to_text()}


def write_notes(app: Notes, texts: list[str]) -> list[UUID]:
    ids = []
    for text in texts:
        note = Note(text)
        for n in range(3):  # 4 events: a snapshot at version 3
            note.edit(f"{text} #{n}")
        app.save(note)
        ids.append(note.id)
    return ids


def rows(store: Store, table: str = "{events}") -> dict[tuple[str, int], bytes]:
    return {
        (str(r[0]), r[1]): bytes(r[2])
        for r in store.sql(f"SELECT originator_id, originator_version, state FROM {table}")
    }


def test_a_rotation_leaves_old_records_byte_for_byte_and_everything_reads_and_verifies(store: Store):
    first = new_keyring()
    with opened(store, **cipher(first)) as app:
        before_ids = write_notes(app, ["Nguyễn Văn An 001099000001"])
    before = rows(store)
    assert before and all(record_key_id(state) == first.current_id for state in before.values())
    assert not any(b"001099000001" in state for state in before.values())

    second = first.with_new_key()
    with opened(store, **cipher(second)) as app:
        after_ids = write_notes(app, ["Trần Thị Bình 079203004567"])
        note = app.repository.get(before_ids[0])
        note.edit("edited after the rotation")
        app.save(note)
        assert app.repository.get(before_ids[0]).text == "edited after the rotation"
        assert app.repository.get(after_ids[0]).text == "Trần Thị Bình 079203004567 #2"
        result = verify_chain(app, KEY)
        assert result.ok, result
        assert result.snapshots_checked == 2

    after = rows(store)
    assert {k: after[k] for k in before} == before  # never rewritten
    new = {k: v for k, v in after.items() if k not in before}
    assert len(new) == 5 and all(record_key_id(state) == second.current_id for state in new.values())
    snapshots = rows(store, "{snapshots}")
    assert {record_key_id(s) for s in snapshots.values()} == {first.current_id, second.current_id}


def test_records_written_before_encryption_still_read_and_verify(store: Store):
    with opened(store) as app:  # no cipher: the format of stores made before encryption existed
        legacy = write_notes(app, ["plain note"])
    assert all(state.startswith(b"{") for state in rows(store).values())
    ring = new_keyring()
    with opened(store, **cipher(ring)) as app:
        note = app.repository.get(legacy[0])
        assert note.text == "plain note #2"
        note.edit("encrypted edit")
        app.save(note)
        assert app.repository.get(legacy[0]).text == "encrypted edit"
        assert verify_chain(app, KEY).ok
    states = rows(store)
    assert sum(s.startswith(MARKER) for s in states.values()) == 1
    assert sum(s.startswith(b"{") for s in states.values()) == 4


def test_a_store_opened_with_the_wrong_keyring_fails_loudly_naming_the_key(store: Store):
    ring = new_keyring()
    with opened(store, **cipher(ring)) as app:
        note_id = write_notes(app, ["secret note"])[0]
    other = new_keyring()
    with opened(store, **cipher(other)) as app, pytest.raises(MapperDeserialisationError, match=ring.current_id):
        app.repository.get(note_id)
    same_id_other_key = Keyring({ring.current_id: other.current}, ring.current_id)
    with opened(store, **cipher(same_id_other_key)) as app:
        with pytest.raises(MapperDeserialisationError, match=f"{ring.current_id}.*does not decrypt"):
            app.repository.get(note_id)
        # The chain hashes stored bytes: intact, even to a reader without the right key; the
        # snapshot check cannot open the snapshot and says so instead of passing.
        result = verify_chain(app, KEY)
        assert result.first_break is None
        assert result.snapshot_break is not None and "unreadable" in result.snapshot_break.reason
