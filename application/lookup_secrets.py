"""Receipt lookup secrets: printed once on the receipt, stored only as an HMAC.

Anyone holding the paper receipt can follow the dossier on the public portal with the code and
this secret; a leaked index or event stream does not reveal the secrets, and the HMAC key lives
outside the database.

The one place a secret must be recoverable is the first response kept for an
``Idempotency-Key`` (a client that lost the response retries and must get its receipt again).
There it is sealed with AES-GCM under a key derived from the same out-of-database key, so a
leaked database still reveals nothing.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from eventsourcing.cipher import AESCipher
from eventsourcing.utils import Environment

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud at a counter
SEALED = "sealed:"


class LookupSecrets:
    def __init__(self, key: str) -> None:
        if len(key) < 32:
            raise ValueError("the lookup secret key must be at least 32 characters")
        self._key = key.encode()
        sealing_key = hashlib.sha256(b"motcua-seal:" + self._key).digest()
        self._cipher = AESCipher(Environment(env={AESCipher.CIPHER_KEY: base64.b64encode(sealing_key).decode()}))

    def new(self) -> tuple[str, str]:
        """(secret to print, HMAC to store)."""
        secret = "".join(secrets.choice(ALPHABET) for _ in range(10))
        return secret, self.digest(secret)

    def digest(self, secret: str) -> str:
        normalised = secret.strip().upper().replace("-", "").replace(" ", "")
        return hmac.new(self._key, normalised.encode(), hashlib.sha256).hexdigest()

    def matches(self, secret: str, stored: str) -> bool:
        return hmac.compare_digest(self.digest(secret), stored)

    def seal(self, secret: str) -> str:
        return SEALED + base64.urlsafe_b64encode(self._cipher.encrypt(secret.encode())).decode()

    def unseal(self, sealed: str) -> str:
        if not sealed.startswith(SEALED):
            return sealed
        return self._cipher.decrypt(base64.urlsafe_b64decode(sealed[len(SEALED):])).decode()
