"""Short-lived access tokens, rotating refresh tokens, and revocation through a port.

Access tokens are HS256 JWTs (PyJWT, as Litestar uses it) that carry the actor, so most
requests need no store read; revocation is checked on every request through the
``RevocationList`` port (in-process in the embedded default, Redis in deployment), which is what
makes logout immediate rather than waiting for expiry.
"""

from __future__ import annotations

import uuid
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt

from application.clock import Clock
from application.errors import InvalidToken
from domain.actor import Actor, Role

ALGORITHM = "HS256"
FAMILY = "family:"
SUBJECT = "subject:"
"""Revocation-list prefix for a whole session: every token issued from one login."""
GENERATION = "generation:"
"""Revocation-list prefix for every token issued under one password (``gen`` claim): a password
change revokes the old generation, so it ends every older session without a store read per request."""
ISSUER = "motcua"
VERIFIED_TOKENS_KEPT = 10_000
"""Signature-verified tokens remembered per process (see ``TokenService._verified``)."""


class RevocationList(ABC):
    """Port: token ids revoked before their expiry."""

    @abstractmethod
    def revoke(self, jti: str, expires_at: datetime) -> None:
        """Remember ``jti`` as revoked at least until ``expires_at``."""

    @abstractmethod
    def is_revoked(self, jti: str) -> bool: ...

    def first_revoked(self, jtis: Sequence[str]) -> str | None:
        """The first of ``jtis`` that is revoked, or None. Every request checks four ids; a
        store across the network answers them in one round trip (overridden there)."""
        return next((jti for jti in jtis if self.is_revoked(jti)), None)

    @abstractmethod
    def revoke_once(self, jti: str, expires_at: datetime) -> bool:
        """Revoke atomically; False if it was already revoked (a refresh token used twice)."""


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
        self._verified_claims: dict[str, dict[str, object]] = {}

    def issue(self, actor: Actor, family: str | None = None, generation: int = 0) -> TokenPair:
        """A new session (a new family) at login; the same family when a refresh rotates it.

        ``generation`` is the account's password generation (how many times it was changed)."""
        now = self._clock.now()
        claims = {
            "sub": actor.id, "role": actor.role.value, "unit": actor.unit, "name": actor.name, "iss": ISSUER,
            "fam": family or uuid.uuid4().hex, "gen": generation,
        }
        access = jwt.encode(
            {**claims, "typ": "access", "jti": uuid.uuid4().hex, "iat": now, "exp": now + self._access_ttl},
            self._secret, algorithm=ALGORITHM,
        )
        refresh = jwt.encode(
            {**claims, "typ": "refresh", "jti": uuid.uuid4().hex, "iat": now, "exp": now + self._refresh_ttl},
            self._secret, algorithm=ALGORITHM,
        )
        return TokenPair(access, refresh, int(self._access_ttl.total_seconds()))

    def _verified(self, token: str) -> dict[str, object]:
        """The token's claims once its signature and issuer verified; expiry and revocation are
        the caller's, on every use.

        A client sends the same access token with every request for its lifetime, and checking
        its signature (PyJWT: base64, JSON, HMAC) was a twentieth of a command's CPU. The claims
        a signature covers never change, so a verified token is remembered (bounded; forgotten
        all at once when full); what can change (the clock, the revocation list) is not.
        """
        claims = self._verified_claims.get(token)
        if claims is None:
            try:
                claims = jwt.decode(
                    token, self._secret, algorithms=[ALGORITHM], issuer=ISSUER,
                    options={"require": ["exp", "sub", "jti", "typ"], "verify_exp": False},
                )
            except jwt.PyJWTError:
                raise InvalidToken("the token cannot be verified") from None
            if len(self._verified_claims) >= VERIFIED_TOKENS_KEPT:
                self._verified_claims.clear()
            self._verified_claims[token] = claims
        return claims

    def _decode(self, token: str, typ: str) -> dict[str, object]:
        claims = self._verified(token)
        exp = datetime.fromtimestamp(int(claims["exp"]), tz=self._clock.now().tzinfo)
        if exp <= self._clock.now():
            raise InvalidToken("the token has expired")
        if claims.get("typ") != typ:
            raise InvalidToken(f"a {typ} token is required")
        jti, family, subject = str(claims["jti"]), FAMILY + str(claims.get("fam", "")), SUBJECT + str(claims["sub"])
        generation = f"{GENERATION}{claims['sub']}:{_generation(claims)}"
        revoked = self._revocations.first_revoked((jti, family, subject, generation))
        if revoked is not None:
            raise InvalidToken({
                jti: "the token was revoked", family: "the session was revoked",
                subject: "the account was disabled", generation: "the password was changed; sign in again",
            }[revoked])
        return claims

    def revoke_subject(self, subject: str) -> None:
        """Every token of an account, at once (the account was disabled)."""
        self._revocations.revoke(SUBJECT + subject, self._clock.now() + self._refresh_ttl)

    def end_generation(self, subject: str, generation: int) -> None:
        """Every session opened under password ``generation`` of the account ends (it was changed)."""
        self._revocations.revoke(f"{GENERATION}{subject}:{generation}", self._clock.now() + self._refresh_ttl)

    def authenticate(self, access_token: str) -> Actor:
        claims = self._decode(access_token, "access")
        return _actor(claims)

    def refresh(self, refresh_token: str) -> TokenPair:
        """Rotate: a refresh token works exactly once.

        A second use means the token was copied: the legitimate client and the thief both hold
        it, and we cannot tell them apart, so the whole session (every token of its family,
        access tokens included) is revoked and the user has to log in again.
        """
        try:
            claims = self._decode(refresh_token, "refresh")
        except InvalidToken:
            self._revoke_family_of_reused(refresh_token)
            raise
        if not self._revocations.revoke_once(str(claims["jti"]), self._expiry(claims)):
            self._revocations.revoke(FAMILY + str(claims["fam"]), self._clock.now() + self._refresh_ttl)
            raise InvalidToken("this refresh token was already used; the session has been revoked")
        return self.issue(_actor(claims), family=str(claims["fam"]), generation=_generation(claims))

    def _revoke_family_of_reused(self, token: str) -> None:
        """A genuine refresh token that was already rotated away revokes its session."""
        try:
            claims = jwt.decode(token, self._secret, algorithms=[ALGORITHM], issuer=ISSUER,
                                options={"verify_exp": False})
        except jwt.PyJWTError:
            return
        if claims.get("typ") == "refresh" and claims.get("fam") and self._revocations.is_revoked(str(claims["jti"])):
            self._revocations.revoke(FAMILY + str(claims["fam"]), self._clock.now() + self._refresh_ttl)

    def logout(self, access_token: str, refresh_token: str | None) -> None:
        self._revoke(self._decode(access_token, "access"))
        if refresh_token:
            try:
                self._revoke(self._decode(refresh_token, "refresh"))
            except InvalidToken:
                pass

    def _revoke(self, claims: dict[str, object]) -> None:
        self._revocations.revoke(str(claims["jti"]), self._expiry(claims))

    def _expiry(self, claims: dict[str, object]) -> datetime:
        return datetime.fromtimestamp(int(claims["exp"]), tz=self._clock.now().tzinfo)  # type: ignore[call-overload]


def _generation(claims: dict[str, object]) -> int:
    value = claims.get("gen", 0)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _actor(claims: dict[str, object]) -> Actor:
    try:
        role = Role(str(claims["role"]))
    except ValueError:
        raise InvalidToken("unknown role") from None
    unit = claims.get("unit")
    return Actor(id=str(claims["sub"]), role=role, unit=str(unit) if unit else None, name=str(claims.get("name") or ""))
