"""Browser-facing hardening: strict CORS and the security headers of every response.

The API answers JSON (and document downloads) to portal front ends on other origins, so a
browser may call it only from the origins the province lists (``MOTCUA_CORS_ORIGINS``), with
exactly the methods and headers the API uses. Every response, problems included, carries
headers that stop framing, sniffing, referrer leaks and, for anything personal, caching.
"""

from __future__ import annotations

from litestar.config.cors import CORSConfig
from litestar.types import Message, Scope

ALLOWED_METHODS = ["GET", "POST", "PATCH"]
ALLOWED_HEADERS = ["Authorization", "Content-Type", "If-Match", "Idempotency-Key", "X-Access-Reason", "X-Request-Id"]
EXPOSED_HEADERS = ["ETag", "Location", "Retry-After", "X-Request-Id"]
PREFLIGHT_MAX_AGE = 600

API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
"""JSON and files need nothing from a browser: no scripts, no styles, no framing."""
DOCS_CSP = (
    "default-src 'none'; script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://unpkg.com "
    "https://cdn.redoc.ly; style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://unpkg.com "
    "https://fonts.googleapis.com; font-src https://fonts.gstatic.com data:; img-src 'self' data: "
    "https://cdn.jsdelivr.net https://cdn.redoc.ly; connect-src 'self'; worker-src blob:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
"""The schema viewer pages load their renderer (Redoc, Swagger UI...) from a CDN."""

SECURITY_HEADERS = {
    "strict-transport-security": "max-age=31536000; includeSubDomains",
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-site",
}


def cors_config(origins: str) -> CORSConfig | None:
    """``None`` (no CORS headers at all) unless origins are listed; never a wildcard."""
    allowed = [o.strip().rstrip("/") for o in origins.split(",") if o.strip()]
    if not allowed:
        return None
    if any("*" in origin for origin in allowed):
        raise ValueError("MOTCUA_CORS_ORIGINS must list exact origins; wildcards are not allowed")
    return CORSConfig(
        allow_origins=allowed, allow_methods=ALLOWED_METHODS,  # type: ignore[arg-type]
        allow_headers=ALLOWED_HEADERS, expose_headers=EXPOSED_HEADERS,
        allow_credentials=False, max_age=PREFLIGHT_MAX_AGE,
    )


def _is_docs_page(path: str) -> bool:
    return (path == "/schema" or path.startswith("/schema/")) and not path.endswith((".json", ".yaml", ".yml"))


def _is_authenticated(scope: Scope) -> bool:
    if scope.get("user") is not None:
        return True
    return any(name == b"authorization" for name, _ in scope.get("headers") or [])


_FIXED = [(name.encode(), value.encode()) for name, value in SECURITY_HEADERS.items()]
_API_CSP = (b"content-security-policy", API_CSP.encode())
_DOCS_CSP = (b"content-security-policy", DOCS_CSP.encode())
_NO_STORE = (b"cache-control", b"no-store")
_OURS = frozenset(name for name, _ in _FIXED) | {b"content-security-policy"}


async def add_security_headers(message: Message, scope: Scope) -> None:
    """``before_send`` hook: runs for every response, also those of the outermost error handler.

    ``Cache-Control: no-store`` is forced on anything answered to a signed-in caller (it may be
    personal) and is the default for the rest; a public response may choose its own caching.
    The raw header list is rebuilt in one pass: it runs on every response, and setting ten
    headers one by one through ``MutableScopeHeaders`` (a scan of the list each) was a
    measurable part of a look-up's cost.
    """
    if message["type"] != "http.response.start":
        return
    kept = [(name, value) for name, value in message.get("headers") or ()
            if name.lower() not in _OURS]
    kept += _FIXED
    kept.append(_DOCS_CSP if _is_docs_page(scope.get("path", "")) else _API_CSP)
    if _is_authenticated(scope) or not any(name.lower() == b"cache-control" for name, _ in kept):
        kept = [(name, value) for name, value in kept if name.lower() != b"cache-control"]
        kept.append(_NO_STORE)
    message["headers"] = kept
