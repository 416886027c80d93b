"""Rate limits per client address, per signed-in account and per login username.

Counting is the ``limits`` library's sliding-window counter over an async storage chosen by
the composition root: Redis in deployment, where the counters are shared by every worker and
server and incremented atomically (Litestar's stock ``RateLimitMiddleware`` reads, changes and
writes a JSON history under a per-process lock, which undercounts across workers), or process
memory in the embedded default.

Over a limit the caller gets a 429 problem in Vietnamese and English with ``Retry-After``.
If the counter store is unreachable the request goes through and a warning is logged: a Redis
outage must not close the one-stop counters.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections.abc import Callable
from typing import Any

import structlog
from limits import RateLimitItem, RateLimitItemPerMinute
from limits.aio.storage import MemoryStorage, Storage
from limits.aio.strategies import SlidingWindowCounterRateLimiter
from litestar import Request
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.types import ASGIApp, Receive, Scope, Send

from api.problems import HTTPProblem, handle_exception

log = structlog.get_logger("motcua.ratelimit")

UNLIMITED_OPT = "rate_limited"
"""Route ``opt`` key: ``False`` exempts a route (health, readiness, metrics)."""


class RateLimited(HTTPProblem):
    """Too many requests: the problem names the limit and when to come back."""

    def __init__(self, scope_vi: str, scope_en: str, retry_after: int) -> None:
        super().__init__(
            429, "rate-limited", f"Quá nhiều yêu cầu {scope_vi}, vui lòng thử lại sau {retry_after} giây",
            f"Too many requests {scope_en}; retry after {retry_after} s",
        )
        self.headers = {"Retry-After": str(retry_after)}


class Limiter:
    """One limit (``per_minute`` hits per key per minute) on one storage; 0 means no limit."""

    def __init__(self, storage: Storage, name: str, per_minute: int) -> None:
        self.strategy = SlidingWindowCounterRateLimiter(storage)
        self.name = name
        self.item: RateLimitItem | None = RateLimitItemPerMinute(per_minute) if per_minute > 0 else None

    async def retry_after(self, key: str) -> int | None:
        """Count one hit for ``key``; ``None`` if allowed, else the seconds to wait."""
        if self.item is None:
            return None
        try:
            if await self.strategy.hit(self.item, self.name, key):
                return None
            stats = await self.strategy.get_window_stats(self.item, self.name, key)
        except Exception as exc:  # the counter store is down: serve, and say so
            log.warning("rate_limit_store_unavailable", limit=self.name, error=type(exc).__name__)
            return None
        return max(1, math.ceil(stats.reset_time - time.time()))


class RateLimits:
    """The three limits of one app instance over one storage."""

    def __init__(self, settings: Any, storage_factory: Callable[[], Storage] | None) -> None:
        storage = storage_factory() if storage_factory else MemoryStorage()
        self.per_client = Limiter(storage, "client", settings.rate_limit_per_client)
        self.per_account = Limiter(storage, "account", settings.rate_limit_per_account)
        self.per_username = Limiter(storage, "login", settings.rate_limit_login_per_username)


def _exempt(scope: Scope) -> bool:
    handler = scope.get("route_handler")
    return handler is not None and handler.opt.get(UNLIMITED_OPT) is False


async def _refuse(scope: Scope, receive: Receive, send: Send, problem: RateLimited) -> None:
    """Answer 429 from inside the middleware stack, so outer send wrappers (request id) see it."""
    request: Request[Any, Any, Any] = scope["litestar_app"].request_class(scope, receive)
    response = handle_exception(request, problem)
    await response.to_asgi_response(None, request)(scope, receive, send)


def client_rate_limit_middleware(app: ASGIApp) -> ASGIApp:
    """Per client address; placed before authentication so token guessing is limited too."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not _exempt(scope):
            limits: RateLimits = scope["litestar_app"].state["rate_limits"]
            client = scope.get("client")
            wait = await limits.per_client.retry_after(client[0] if client else "unknown")
            if wait is not None:
                await _refuse(scope, receive, send, RateLimited("từ địa chỉ này", "from this address", wait))
                return
        await app(scope, receive, send)

    return middleware


def account_rate_limit_middleware(app: ASGIApp) -> ASGIApp:
    """Per signed-in account (the token's subject); placed after authentication."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        user = scope.get("user") if scope["type"] == "http" else None
        if user is not None and not _exempt(scope):
            limits: RateLimits = scope["litestar_app"].state["rate_limits"]
            wait = await limits.per_account.retry_after(str(user.id))
            if wait is not None:
                await _refuse(scope, receive, send, RateLimited("của tài khoản này", "by this account", wait))
                return
        await app(scope, receive, send)

    return middleware


def _username_key(username: str) -> str:
    """Usernames may be ID numbers: the counter key is a hash, never the name itself."""
    return hashlib.sha256(username.strip().lower().encode("utf-8")).hexdigest()[:32]


async def login_rate_limit(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """Guard of ``login``: attempts naming one username, whoever sends them.

    Guards get the request itself, so the body read here is kept for the handler; a body that
    names no username is left for validation to answer.
    """
    if not isinstance(connection, Request):
        return
    try:
        body = await connection.json()
    except Exception:
        return
    username = body.get("username") if isinstance(body, dict) else None
    if not isinstance(username, str) or not username.strip():
        return
    limits: RateLimits = connection.app.state["rate_limits"]
    wait = await limits.per_username.retry_after(_username_key(username))
    if wait is not None:
        raise RateLimited("đăng nhập với tên này", "to log in with this username", wait)
