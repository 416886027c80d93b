"""HTTP concerns shared by the dossier controllers: ETag / If-Match, Idempotency-Key, positions.

A state-changing call on a dossier must say which version it saw (``If-Match``): missing is 428,
stale is 412 (raised by the application with the current version), and a race lost at save time
is 409. ``Idempotency-Key`` makes a retried submission safe.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

import msgspec
import structlog
from litestar import Request, Response

from api.dossier_schemas import DossierDetail
from application.dossier_views import DossierState

from api.problems import HTTPProblem
from application.access_log import AccessContext
from application.commands import CommandResult, Idempotency

_ETAG = re.compile(r'^\s*(?:W/)?"(\d{1,9})"\s*$')
MAX_KEY_LENGTH = 200


def etag(version: int) -> str:
    return f'"{version}"'


def expected_version(request: Request[Any, Any, Any]) -> int:
    header = request.headers.get("if-match")
    if header is None:
        raise HTTPProblem(
            428, "if-match-required", "Thiếu tiêu đề If-Match (phiên bản hồ sơ)",
            "If-Match with the dossier version (its ETag) is required", field="If-Match",
        )
    match = _ETAG.match(header)
    if not match:
        raise HTTPProblem(
            400, "invalid-if-match", "Tiêu đề If-Match không hợp lệ", 'If-Match must be an ETag such as "3"',
            detail=header[:100], field="If-Match",
        )
    return int(match.group(1))


def idempotency(request: Request[Any, Any, Any], operation: str, body: object) -> Idempotency | None:
    key = request.headers.get("idempotency-key")
    if key is None:
        return None
    key = key.strip()
    if not key or len(key) > MAX_KEY_LENGTH:
        raise HTTPProblem(
            400, "invalid-idempotency-key", "Idempotency-Key không hợp lệ",
            f"Idempotency-Key must be 1-{MAX_KEY_LENGTH} characters", field="Idempotency-Key",
        )
    return Idempotency.of(str(request.user.id), operation, key, body)


def command_response(result: CommandResult, status_code: int = 200, location: str | None = None) -> Response[CommandResult]:
    headers = {"ETag": etag(result.version)}
    if location:
        headers["Location"] = location
    if result.replayed:
        headers["Idempotent-Replayed"] = "true"
    return Response(result, status_code=status_code, headers=headers)


def detail_response(state: DossierState) -> Response[DossierDetail]:
    """One dossier with its current version as the ETag (the next If-Match)."""
    return Response(msgspec.convert(state, DossierDetail, from_attributes=True), headers={"ETag": etag(state.version)})


def access_context(request: Request[Any, Any, Any]) -> AccessContext:
    """Where the request came from and, for auditors, why.

    The reason comes from the ``X-Access-Reason`` header, percent-encoded UTF-8 (headers are
    ASCII, reasons are Vietnamese), or from a ``reason`` query parameter.
    """
    bound = structlog.contextvars.get_contextvars()
    return AccessContext(
        ip=request.client.host if request.client else "",
        reason=unquote(request.headers.get("x-access-reason", "")) or request.query_params.get("reason", ""),
        request_id=str(bound.get("request_id", "")),
    )
