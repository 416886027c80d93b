"""Guards for the administrator's routes (catalogues, procedures)."""

from __future__ import annotations

from typing import Any

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from application.errors import AccessDenied
from domain.actor import Actor, Role


def requires_administrator(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    actor: Actor = connection.user
    if actor.role is not Role.ADMINISTRATOR:
        raise AccessDenied("this needs the administrator role")
