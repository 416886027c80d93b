"""The audit chain keyring's text form: the first line is the original key, later lines name theirs."""

from __future__ import annotations

import base64

import pytest

from application.audit_chain import parse_chain_key, parse_chain_keyring

FIRST = "an original chain key of more than 32 chars"
SECOND = "c20261127-ab12:" + base64.b64encode(b"k" * 32).decode()


def test_a_single_line_is_the_original_key_whose_links_name_no_id() -> None:
    ring = parse_chain_keyring(FIRST)
    assert ring is not None and ring.current_id is None and ring.current == parse_chain_key(FIRST)


def test_the_last_line_is_current_and_every_key_stays() -> None:
    ring = parse_chain_keyring(f"{FIRST}\n# rotated\n{SECOND}\n")
    assert ring is not None
    assert ring.current_id == "c20261127-ab12" and ring.current == b"k" * 32
    assert list(ring.keys) == [None, "c20261127-ab12"]


@pytest.mark.parametrize(("text", "message"), [
    (f"{FIRST}\n{SECOND}\n{SECOND}", "appears twice"),
    (f"{FIRST}\nno separator here", "line 2"),
    (f"{FIRST}\nc1:" + base64.b64encode(b"short").decode(), "at least 32 bytes"),
    (f"{FIRST}\nc1:not base64!", "not valid base64"),
])
def test_a_bad_keyring_line_is_an_error_naming_it(text: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_chain_keyring(text)


def test_no_key_configured_is_no_keyring() -> None:
    assert parse_chain_keyring("") is None and parse_chain_keyring("# only a comment\n") is None
