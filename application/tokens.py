"""Short-lived access tokens, rotating refresh tokens, and revocation through a port.

Access tokens are HS256 JWTs (PyJWT, as Litestar uses it) that carry the actor, so most
requests need no store read; revocation is checked on every request through the
``RevocationList`` port (in-process in the embedded default, Redis in deployment), which is what
makes logout immediate rather than waiting for expiry.
"""

from __future__ import annotations

import uuid
from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt

from application.clock import Clock
from application.errors import InvalidToken
from domain.actor import Actor, Role

ALGORITHM = "HS256"
ISSUER = "motcua"


class RevocationList(ABC):
    """Port: token ids revoked before their expiry."""

    @abstractmethod
    def revoke(self, jti: str, expires_at: datetime) -> None:
        """Remember ``jti`` as revoked at least until ``expires_at``."""

    @abstractmethod
    def is_revoked(self, jti: str) -> bool: ...


@dataclass(frozen=True)
class TokenPair:
    access_token: str
    refresh_token: str
    expires_in: int
    token_type: str = "Bearer"


class TokenService:
    def __init__(self, secret: str, clock: Clock, revocations: RevocationList,
                 access_ttl: timedelta, refresh_ttl: timedelta) -> None:
        if len(secret) < 32:
            raise ValueError("the JWT secret must be at least 32 characters")
        self._secret = secret
        self._clock = clock
        self._revocations = revocations
        self._access_ttl = access_ttl
        self._refresh_ttl = refresh_ttl

    def issue(self, actor: Actor) -> TokenPair:
        now = self._clock.now()
        claims = {"sub": actor.id, "role": actor.role.value, "unit": actor.unit, "name": actor.name, "iss": ISSUER}
        access = jwt.encode(
            {**claims, "typ": "access", "jti": uuid.uuid4().hex, "iat": now, "exp": now + self._access_ttl},
            self._secret, algorithm=ALGORITHM,
        )
        refresh = jwt.encode(
            {**claims, "typ": "refresh", "jti": uuid.uuid4().hex, "iat": now, "exp": now + self._refresh_ttl},
            self._secret, algorithm=ALGORITHM,
        )
        return TokenPair(access, refresh, int(self._access_ttl.total_seconds()))

    def _decode(self, token: str, typ: str) -> dict[str, object]:
        try:
            claims = jwt.decode(
                token, self._secret, algorithms=[ALGORITHM], issuer=ISSUER,
                options={"require": ["exp", "sub", "jti", "typ"], "verify_exp": False},
            )
        except jwt.PyJWTError:
            raise InvalidToken("the token cannot be verified") from None
        exp = datetime.fromtimestamp(int(claims["exp"]), tz=self._clock.now().tzinfo)
        if exp <= self._clock.now():
            raise InvalidToken("the token has expired")
        if claims.get("typ") != typ:
            raise InvalidToken(f"a {typ} token is required")
        if self._revocations.is_revoked(str(claims["jti"])):
            raise InvalidToken("the token was revoked")
        return claims

    def authenticate(self, access_token: str) -> Actor:
        claims = self._decode(access_token, "access")
        return _actor(claims)

    def refresh(self, refresh_token: str) -> TokenPair:
        """Rotate: the used refresh token is revoked, so it works exactly once."""
        claims = self._decode(refresh_token, "refresh")
        self._revoke(claims)
        return self.issue(_actor(claims))

    def logout(self, access_token: str, refresh_token: str | None) -> None:
        self._revoke(self._decode(access_token, "access"))
        if refresh_token:
            try:
                self._revoke(self._decode(refresh_token, "refresh"))
            except InvalidToken:
                pass

    def _revoke(self, claims: dict[str, object]) -> None:
        exp = datetime.fromtimestamp(int(claims["exp"]), tz=self._clock.now().tzinfo)  # type: ignore[call-overload]
        self._revocations.revoke(str(claims["jti"]), exp)


def _actor(claims: dict[str, object]) -> Actor:
    try:
        role = Role(str(claims["role"]))
    except ValueError:
        raise InvalidToken("unknown role") from None
    unit = claims.get("unit")
    return Actor(id=str(claims["sub"]), role=role, unit=str(unit) if unit else None, name=str(claims.get("name") or ""))
