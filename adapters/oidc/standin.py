"""A local OpenID Connect STAND-IN provider: not VNeID, never for production.

It exists so that tests (and front-end developers, through ``motcua standin oidc``) can talk to
something that behaves like the real provider over real HTTP: it serves a discovery document and
a JWKS on 127.0.0.1, signs real RS256 or ES256 ID tokens and rotates its keys (a new ``kid`` is
published and signs from then on, the previous one stays published until it is dropped). It
counts the requests it serves, so a test can see how often the verifier came for the keys.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, rsa

JWKS_PATH = "/jwks.json"
DISCOVERY_PATH = "/.well-known/openid-configuration"
TOKEN_PATH = "/standin/id-token"
"""Stand-in only: POST claims, get an ID token (the real provider has a login page instead)."""


@dataclass
class _Key:
    kid: str
    alg: str
    private: Any

    def public_jwk(self) -> dict[str, Any]:
        algorithm = jwt.get_algorithm_by_name(self.alg)
        jwk: dict[str, Any] = algorithm.to_jwk(self.private.public_key(), as_dict=True)  # type: ignore[call-overload]
        return {**jwk, "kid": self.kid, "alg": self.alg, "use": "sig"}


def _new_key(alg: str) -> _Key:
    if alg == "RS256":
        private: Any = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    elif alg == "ES256":
        private = ec.generate_private_key(ec.SECP256R1())
    else:
        raise ValueError("the stand-in signs with RS256 or ES256")
    return _Key(kid=uuid.uuid4().hex[:16], alg=alg, private=private)


class OidcStandInServer:
    """Start with ``with OidcStandInServer() as provider:`` or ``start()`` / ``stop()``."""

    def __init__(self, *, alg: str = "RS256", client_id: str = "motcua-standin", port: int = 0,
                 now: Callable[[], datetime] | None = None, delay_seconds: float = 0.0) -> None:
        self.alg = alg
        self.client_id = client_id
        self._now = now or (lambda: datetime.now(UTC))
        self.delay_seconds = delay_seconds
        """Seconds each response waits: a slow provider, for timeout tests."""
        self._keys: list[_Key] = [_new_key(alg)]
        self._retired: list[_Key] = []
        """Dropped keys: no longer published, kept so a test can show their tokens are refused."""
        self._lock = threading.Lock()
        self.requests: Counter[str] = Counter()
        self._server = ThreadingHTTPServer(("127.0.0.1", port), self._handler())
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------
    @property
    def issuer(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> OidcStandInServer:
        self._thread = threading.Thread(target=self._server.serve_forever, name="oidc-standin", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> OidcStandInServer:
        return self.start()

    def __exit__(self, *_: object) -> None:
        self.stop()

    # -- keys ----------------------------------------------------------------------------------
    @property
    def current_kid(self) -> str:
        with self._lock:
            return self._keys[-1].kid

    @property
    def published_kids(self) -> list[str]:
        with self._lock:
            return [k.kid for k in self._keys]

    def rotate(self) -> str:
        """A new signing key; the old ones stay published (tokens they signed still verify)."""
        key = _new_key(self.alg)
        with self._lock:
            self._keys.append(key)
        return key.kid

    def drop(self, kid: str) -> None:
        """Stop publishing a retired key: tokens it signed no longer verify once caches renew."""
        with self._lock:
            if len(self._keys) == 1 or self._keys[-1].kid == kid:
                raise ValueError("the current signing key cannot be dropped")
            self._retired.extend(k for k in self._keys if k.kid == kid)
            self._keys = [k for k in self._keys if k.kid != kid]

    def jwks(self) -> dict[str, Any]:
        with self._lock:
            return {"keys": [k.public_jwk() for k in self._keys]}

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.issuer, "jwks_uri": self.issuer + JWKS_PATH,
            "authorization_endpoint": self.issuer + "/standin/authorize", "token_endpoint": self.issuer + TOKEN_PATH,
            "response_types_supported": ["code", "id_token"], "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": [self.alg],
        }

    # -- tokens --------------------------------------------------------------------------------
    def issue(self, subject: str, *, id_number: str, name: str = "", audience: str | list[str] | None = None,
              nonce: str | None = None, lifetime: timedelta = timedelta(minutes=5), issued_at: datetime | None = None,
              kid: str | None = None, issuer: str | None = None, **claims: Any) -> str:
        """A real signed ID token; ``kid`` picks a published (or dropped, kept here) key."""
        at = issued_at or self._now()
        payload: dict[str, Any] = {
            "iss": issuer or self.issuer, "sub": subject, "aud": audience or self.client_id,
            "iat": int(at.timestamp()), "exp": int((at + lifetime).timestamp()), "auth_time": int(at.timestamp()),
            "id_number": id_number, **claims,
        }
        if name:
            payload["name"] = name
        if nonce is not None:
            payload["nonce"] = nonce
        key = self._key(kid)
        return jwt.encode(payload, key.private, algorithm=key.alg, headers={"kid": key.kid})

    def _key(self, kid: str | None) -> _Key:
        with self._lock:
            if kid is None:
                return self._keys[-1]
            for key in [*self._keys, *self._retired]:
                if key.kid == kid:
                    return key
        raise KeyError(kid)

    # -- HTTP ----------------------------------------------------------------------------------
    def _handler(self) -> type[BaseHTTPRequestHandler]:
        provider = self

        class Handler(BaseHTTPRequestHandler):
            server_version = "motcua-oidc-standin/1"

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                provider.requests[self.path] += 1
                if self.path == DISCOVERY_PATH:
                    self._json(200, provider.discovery())
                elif self.path == JWKS_PATH:
                    self._json(200, provider.jwks())
                else:
                    self._json(404, {"error": "not_found"})

            def do_POST(self) -> None:  # noqa: N802
                provider.requests[self.path] += 1
                if self.path != TOKEN_PATH:
                    self._json(404, {"error": "not_found"})
                    return
                try:
                    body = json.loads(self.rfile.read(min(int(self.headers.get("content-length", 0)), 65536)))
                    token = provider.issue(str(body.pop("sub")), id_number=str(body.pop("id_number")),
                                           **{k: v for k, v in body.items() if isinstance(k, str)})
                except (ValueError, KeyError, TypeError) as exc:
                    self._json(400, {"error": "invalid_request", "error_description": str(exc)})
                    return
                self._json(200, {"id_token": token, "token_type": "Bearer"})

            def _json(self, status: int, body: dict[str, Any]) -> None:
                if provider.delay_seconds:
                    time.sleep(provider.delay_seconds)
                data = json.dumps(body).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the client gave up (a timeout test)
                    pass

            def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read their own output
                pass

        return Handler
