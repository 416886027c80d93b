"""Wire messages shared by several controllers (camelCase on the wire, frozen)."""

from __future__ import annotations

from typing import Annotated, TypeAlias

import msgspec
from litestar.di import NamedDependency
from litestar.params import FromPath, QueryParameter

from application.services import Services


class Credentials(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    username: str
    password: str


class RefreshRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True, rename="camel"):
    refresh_token: str


class LogoutRequest(msgspec.Struct, frozen=True, forbid_unknown_fields=True, rename="camel"):
    refresh_token: str | None = None


class TokenResponse(msgspec.Struct, frozen=True, rename="camel"):
    access_token: str
    refresh_token: str
    expires_in: int
    token_type: str = "Bearer"


ServicesDep: TypeAlias = NamedDependency[Services]
"""The services bundle, injected by name into every handler (Litestar 3 wants it explicit)."""

DossierCodePath: TypeAlias = FromPath[str]
"""The dossier code in a path (``{code:str}``)."""

Cursor: TypeAlias = Annotated[str | None, QueryParameter(name="cursor", max_length=512)]
Limit: TypeAlias = Annotated[int | None, QueryParameter(name="limit", ge=1)]
MinPosition: TypeAlias = Annotated[int | None, QueryParameter(name="minPosition", ge=0)]
"""A command's ``position``: the list waits (boundedly) until the index has caught up with it."""
