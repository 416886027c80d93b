"""In-process revocation list for the embedded default (one process, so memory is enough)."""

from __future__ import annotations

import threading
from datetime import datetime

from application.clock import Clock
from application.tokens import RevocationList


class InMemoryRevocationList(RevocationList):
    def __init__(self, clock: Clock) -> None:
        self._clock = clock
        self._revoked: dict[str, datetime] = {}
        self._lock = threading.Lock()

    def revoke(self, jti: str, expires_at: datetime) -> None:
        with self._lock:
            self._revoked[jti] = expires_at
            now = self._clock.now()
            for key in [k for k, v in self._revoked.items() if v <= now]:
                del self._revoked[key]

    def is_revoked(self, jti: str) -> bool:
        with self._lock:
            return jti in self._revoked

    def revoke_once(self, jti: str, expires_at: datetime) -> bool:
        with self._lock:
            if jti in self._revoked:
                return False
            self._revoked[jti] = expires_at
            return True
