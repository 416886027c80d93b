"""One personal identification number, one external subject.

The national identity provider names a person by ``(issuer, subject)`` and also states their
personal identification number (CCCD). Two subjects claiming the same number is either a
provider error or an impersonation attempt; either way the second must not reach the first
person's dossiers. This aggregate, keyed by a keyed hash of the number, is created in the same
transaction as the account it points to, so the store's unique key is the guard (no index, no race).
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Any

from eventsourcing.domain import Aggregate

from domain.account import AccountError

LINK_NAMESPACE = uuid.UUID("0b7e3c2a-5d41-4e8f-9a6b-3c2d1e0f9a8b")
ID_NUMBER = re.compile(r"^[0-9]{12}$")


class InvalidIdNumber(AccountError):
    code = "invalid-id-number"
    message_vi = "Số định danh cá nhân phải gồm 12 chữ số"
    message_en = "The personal identification number must have 12 digits"


class IdNumberAlreadyLinked(AccountError):
    code = "id-number-already-linked"
    message_vi = "Số định danh cá nhân này đã được liên kết với một danh tính khác"
    message_en = "This personal identification number is already linked to another identity"
    http_status = 409


def check_id_number(id_number: str) -> None:
    """Never put the number itself in the error: it would reach the problem response."""
    if not ID_NUMBER.match(id_number):
        raise InvalidIdNumber()


def link_id(number_key: str) -> uuid.UUID:
    """``number_key`` is a keyed hash of the number (computed by the application), never the number."""
    return uuid.uuid5(LINK_NAMESPACE, number_key)


class PersonalIdLink(Aggregate):
    class Claimed(Aggregate.Created):
        account_id: str
        issuer: str

    @classmethod
    def claim(cls, *, number_key: str, account_id: uuid.UUID, issuer: str, at: datetime) -> PersonalIdLink:
        return cls._create(cls.Claimed, id=link_id(number_key), timestamp=at, account_id=str(account_id),
                           issuer=issuer)

    def __init__(self, *, account_id: str, issuer: str, **_: Any) -> None:
        self.account_id = account_id
        self.issuer = issuer

    def check_belongs_to(self, account_id: uuid.UUID) -> None:
        if self.account_id != str(account_id):
            raise IdNumberAlreadyLinked()
