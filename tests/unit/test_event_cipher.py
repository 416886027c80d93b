"""The keyring cipher: every record names its key, rotation never rewrites, wrong keys fail loudly."""

from __future__ import annotations

import json

import pytest
from eventsourcing.persistence import MapperDeserialisationError
from eventsourcing.utils import Environment

from adapters.eventstore.cipher import MARKER, EventKeyError, KeyringCipher, record_key_id
from adapters.eventstore.keyring import Keyring, KeyringError, new_keyring, parse_keyring

PLAIN = json.dumps({"applicant": "Nguyễn Văn An", "idNumber": "001099000001"}).encode()


def cipher_for(text: str, file: str | None = None) -> KeyringCipher:
    env = {"EVENT_KEYRING": text, **({"EVENT_KEYRING_FILE": file} if file else {})}
    return KeyringCipher(Environment("Dossiers", env))


def test_a_record_names_its_key_id_and_hides_the_plaintext():
    ring = new_keyring()
    stored = cipher_for(ring.to_text()).encrypt(PLAIN)
    assert stored.startswith(MARKER)
    assert record_key_id(stored) == ring.current_id
    assert b"001099000001" not in stored and "Nguyễn".encode() not in stored
    assert cipher_for(ring.to_text()).decrypt(stored) == PLAIN


def test_a_record_sealed_by_the_earlier_pycryptodome_cipher_still_opens():
    """Records written before the cipher moved to `cryptography` have the same layout."""
    from Crypto.Cipher import AES

    ring = new_keyring()
    key_id = ring.current_id.encode("ascii")
    header = MARKER + bytes([len(key_id)]) + key_id
    nonce = bytes(range(12))
    sealer = AES.new(ring.current, AES.MODE_GCM, nonce=nonce)
    sealer.update(header)
    sealed, tag = sealer.encrypt_and_digest(PLAIN)
    assert cipher_for(ring.to_text()).decrypt(header + nonce + sealed + tag) == PLAIN
    stored = cipher_for(ring.to_text()).encrypt(PLAIN)  # and the other way round
    body = stored[len(header):]
    opener = AES.new(ring.current, AES.MODE_GCM, nonce=body[:12])
    opener.update(header)
    assert opener.decrypt_and_verify(body[12:-16], body[-16:]) == PLAIN


def test_two_encryptions_of_the_same_payload_differ():
    cipher = cipher_for(new_keyring().to_text())
    assert cipher.encrypt(PLAIN) != cipher.encrypt(PLAIN)


def test_after_rotation_new_records_use_the_new_key_and_old_records_still_open():
    old = new_keyring()
    old_record = cipher_for(old.to_text()).encrypt(PLAIN)
    rotated = old.with_new_key()
    cipher = cipher_for(rotated.to_text())
    new_record = cipher.encrypt(PLAIN)
    assert record_key_id(new_record) == rotated.current_id != old.current_id
    assert cipher.decrypt(old_record) == cipher.decrypt(new_record) == PLAIN


def test_a_wrong_key_under_the_same_id_fails_naming_the_key_id():
    ring = new_keyring()
    stored = cipher_for(ring.to_text()).encrypt(PLAIN)
    impostor = Keyring({ring.current_id: new_keyring().current}, ring.current_id).to_text()  # same id, other key
    with pytest.raises(EventKeyError, match=ring.current_id):
        cipher_for(impostor).decrypt(stored)


def test_an_unknown_key_id_fails_naming_it():
    stored = cipher_for(new_keyring().to_text()).encrypt(PLAIN)
    other = new_keyring()
    with pytest.raises(EventKeyError, match=f"{record_key_id(stored)}.*not in the event keyring"):
        cipher_for(other.to_text()).decrypt(stored)


def test_changing_the_key_id_in_a_header_fails_authentication():
    ring = new_keyring()
    rotated = ring.with_new_key()
    stored = cipher_for(rotated.to_text()).encrypt(PLAIN)
    # Same length ids: swap the header's id for the other key's id.
    old_id, new_id = ring.current_id.encode(), rotated.current_id.encode()
    assert len(old_id) == len(new_id)
    forged = stored.replace(new_id, old_id, 1)
    with pytest.raises(EventKeyError, match="does not decrypt"):
        cipher_for(rotated.to_text()).decrypt(forged)


def test_one_flipped_byte_of_ciphertext_fails_loudly():
    ring = new_keyring()
    stored = bytearray(cipher_for(ring.to_text()).encrypt(PLAIN))
    stored[-20] ^= 1
    with pytest.raises(EventKeyError, match=ring.current_id):
        cipher_for(ring.to_text()).decrypt(bytes(stored))


def test_legacy_plaintext_records_read_back_as_they_are():
    assert cipher_for(new_keyring().to_text()).decrypt(PLAIN) == PLAIN
    assert record_key_id(PLAIN) is None


def test_bytes_that_are_neither_encrypted_nor_json_are_refused():
    with pytest.raises(EventKeyError, match="neither encrypted"):
        cipher_for(new_keyring().to_text()).decrypt(b"\x13\x37garbage")


def test_a_key_rotated_in_by_another_process_is_found_by_reading_the_file_again(tmp_path):
    ring = new_keyring()
    path = tmp_path / "event-keys"
    path.write_text(ring.to_text())
    reader = cipher_for(ring.to_text(), str(path))
    rotated = ring.with_new_key()
    path.write_text(rotated.to_text())
    record = cipher_for(rotated.to_text()).encrypt(PLAIN)
    assert reader.decrypt(record) == PLAIN
    assert reader.current_key_id == ring.current_id  # writing switches key only on restart


def test_the_mapper_reports_a_wrong_keyring_with_the_key_id():
    from uuid import uuid4

    from eventsourcing.domain import Aggregate
    from eventsourcing.persistence import Mapper

    from adapters.eventstore.transcoder import MotcuaTranscoder

    ring = new_keyring()
    writer = Mapper(MotcuaTranscoder(), cipher=cipher_for(ring.to_text()))
    created = Aggregate.Created(originator_id=uuid4(), originator_version=1, timestamp=Aggregate.Event.create_timestamp(),
                                originator_topic="eventsourcing.domain:Aggregate")
    stored = writer.to_stored_event(created)
    reader = Mapper(MotcuaTranscoder(), cipher=cipher_for(new_keyring().to_text()))
    with pytest.raises(MapperDeserialisationError, match=ring.current_id):
        reader.to_domain_event(stored)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "holds no key"),
        ("k1", "expected <key-id>:<base64 key>"),
        ("k1:not base64!", "not valid base64"),
        ("k1:AAAA", "must be 32 bytes"),
        ("bad id:" + "A" * 44, "expected <key-id>"),
    ],
)
def test_a_malformed_keyring_is_refused_with_a_reason(text, message):
    with pytest.raises(KeyringError, match=message):
        parse_keyring(text)


def test_the_last_entry_is_current_and_ids_never_repeat():
    ring = new_keyring().with_new_key("second")
    parsed = parse_keyring(ring.to_text())
    assert parsed.current_id == "second" and parsed.keys == ring.keys
    inline = ",".join(line for line in ring.to_text().splitlines() if not line.startswith("#"))
    assert parse_keyring(inline) == parsed
    with pytest.raises(KeyringError, match="appears twice"):
        parse_keyring(inline + "," + inline.split(",")[0])
    with pytest.raises(KeyringError, match="never reused"):
        ring.with_new_key("second")
