"""Documents of a dossier: upload (multipart), list, download.

The applicant and the officers of the dossier's units upload and read; auditors read. What a
file is comes from its content (sniffed in the application), never from its name or the
declared type; the response to a download names the type recorded then.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, BinaryIO
from urllib.parse import quote

import anyio.to_thread
import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler
from litestar.datastructures import UploadFile
from litestar.enums import RequestEncodingType
from litestar.params import Body, FromPath
from litestar.response import Stream

from api.auth import requires_participant, requires_participant_or_auditor
from api.http import access_context, command_response, expected_version
from api.schemas import DossierCodePath, ServicesDep
from application.commands import CommandResult
from application.document_store import CHUNK

Req = Request[Any, Any, Any]
# The upload's body limit is ``MOTCUA_MAX_UPLOAD_BYTES``, set on the router that serves this
# controller (``api.app``), larger than every other route's. A body beyond it is refused with 413
# as soon as it passes the limit (at once when its Content-Length says so); the application then
# enforces each component's own limit and the dossier's total.


@dataclass
class DocumentUpload:
    """``component``: the component's name as the procedure lists it; ``file``: the file.

    Both optional here so that a body without them is answered by the application (422 with
    the field), after the visibility guard, never by a generic 400 that would reveal the dossier.
    """

    component: str = ""
    file: UploadFile | None = None


class DocumentOut(msgspec.Struct, rename="camel"):
    component: str
    name: str
    size: int
    media_type: str
    sha256: str
    digitised: bool
    reused: bool
    attached_at: datetime | None = None


def _out(view: Any) -> DocumentOut:
    return DocumentOut(component=view.component, name=view.name, size=view.size, media_type=view.media_type,
                       sha256=view.sha256, digitised=bool(view.digitised), reused=bool(view.reused),
                       attached_at=view.attached_at)


def content_disposition(name: str) -> str:
    """``attachment`` with an ASCII fallback and the UTF-8 name (RFC 6266 / 5987)."""
    fallback = "".join(ch if ch.isascii() and (ch.isalnum() or ch in "._- ") else "_" for ch in name) or "document"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def _chunks(stream: BinaryIO) -> Iterator[bytes]:
    with stream:
        while chunk := stream.read(CHUNK):
            yield chunk


async def requires_visible_dossier(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """404 for a dossier the caller may not see, before the (possibly large) body is read."""
    services = connection.app.state["services"]
    await anyio.to_thread.run_sync(services.dossiers.get, connection.user, connection.path_params["code"])


class DocumentController(Controller):
    path = "/dossiers/{code:str}/documents"
    tags = ["portal", "office"]

    @post("", operation_id="uploadDocument", sync_to_thread=True, guards=[requires_participant, requires_visible_dossier], status_code=201,
          summary="Đính kèm tài liệu / Attach a document to a component of the dossier (multipart; If-Match)")
    def upload(self, request: Req, code: DossierCodePath, services: ServicesDep,
               data: Annotated[DocumentUpload, Body(media_type=RequestEncodingType.MULTI_PART)]) -> Response[CommandResult]:
        upload = data.file if isinstance(data.file, UploadFile) else None
        result = services.documents.upload(
            request.user, code, expected_version(request), data.component,
            upload.filename if upload else "", upload.file if upload else None,
            upload.content_type if upload else "",
        )
        return command_response(result, 201)

    @get("", operation_id="listDocuments", sync_to_thread=True, guards=[requires_participant_or_auditor],
         summary="Tài liệu của hồ sơ / The dossier's documents with their SHA-256, oldest first")
    def list_documents(self, request: Req, code: DossierCodePath, services: ServicesDep) -> list[DocumentOut]:
        return [_out(d) for d in services.documents.list(request.user, code, access_context(request))]

    @get("/{sha256:str}", operation_id="downloadDocument", sync_to_thread=True,
         guards=[requires_participant_or_auditor],
         summary="Tải tài liệu / Download one of the dossier's documents by its SHA-256")
    def download(self, request: Req, code: DossierCodePath, sha256: FromPath[str], services: ServicesDep) -> Stream:
        view, stream = services.documents.download(request.user, code, sha256, access_context(request))
        return Stream(_chunks(stream), media_type=view.media_type, headers={
            "Content-Disposition": content_disposition(view.name),
            "Content-Length": str(view.size),
            "X-Content-Type-Options": "nosniff",
        })
