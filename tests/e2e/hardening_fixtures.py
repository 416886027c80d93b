"""Apps with chosen hardening settings (low limits, a CORS origin, a metrics token), on either store.

``configured(**settings)`` builds a container like the shared ``container`` fixture but with the
given settings; ``call(app, client_address, requests)`` sends requests from a chosen client
address (Litestar's TestClient is always ``testclient``), to tell one client from another.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from litestar import Litestar

from ops.settings import load_settings
from tests.fast import FAST_PASSWORD_HASHING
from ops.wiring import Container, build_container

PASSWORD = "correct horse battery"


@pytest.fixture
def configured(tmp_path, clock, store) -> Iterator[Callable[..., Container]]:
    made: list[Container] = []

    def make(*, start: bool = True, **overrides: Any) -> Container:
        settings = load_settings({}, data_dir=str(tmp_path / "var"), access_token_minutes=43200, **FAST_PASSWORD_HASHING,
                                 **{**store, **overrides})
        container = build_container(settings, clock=clock)
        if start:
            container.start()
        made.append(container)
        return container

    yield make
    for container in made:
        container.close()


def call(app: Litestar, address: str, requests: list[tuple[str, str, dict[str, Any]]]) -> list[httpx.Response]:
    """Each (method, path, httpx keyword arguments) in turn, from ``address``, in one event loop."""

    async def run() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app, client=(address, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://motcua.test") as client:
            return [await client.request(method, path, **kwargs) for method, path, kwargs in requests]

    return asyncio.run(run())
