"""Receipt lookup secrets: printed once on the receipt, stored only as an HMAC.

Anyone holding the paper receipt can follow the dossier on the public portal with the code and
this secret; a leaked index or event stream does not reveal the secrets, and the HMAC key lives
outside the database.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud at a counter


class LookupSecrets:
    def __init__(self, key: str) -> None:
        self._key = key.encode()

    def new(self) -> tuple[str, str]:
        """(secret to print, HMAC to store)."""
        secret = "".join(secrets.choice(ALPHABET) for _ in range(10))
        return secret, self.digest(secret)

    def digest(self, secret: str) -> str:
        normalised = secret.strip().upper().replace("-", "").replace(" ", "")
        return hmac.new(self._key, normalised.encode(), hashlib.sha256).hexdigest()

    def matches(self, secret: str, stored: str) -> bool:
        return hmac.compare_digest(self.digest(secret), stored)
