"""Documents of a dossier: upload (checked, stored by hash, recorded), list, download.

An upload is checked before anything is kept: the dossier must be visible to the caller, the
component must be one of the pinned procedure version's components (422), the type is sniffed
from the content with ``puremagic`` (never the file name or the declared type) and must be one
the component accepts (415), and the size must fit the component's limit and the dossier's
overall limit (413; the stream stops at the limit and the partial file is removed).

Only then is the blob stored and ``DocumentAttached`` recorded (metadata only) through
``Dossiers.run``, the one command path. If that command fails (a stale version, a status that
takes no documents, a lost race) the blob may stay in the store: it is content-addressed, so it
is harmless and a retry reuses it; but no event is written and the dossier does not list it.
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, BinaryIO

import puremagic

from application.access_log import AccessContext
from application.commands import CommandResult
from application.document_store import CHUNK, DocumentStore, TooLarge, chunks
from application.errors import ApplicationError, StaleVersion
from application.policy import check_command_allowed
from domain.actor import Actor

SNIFF_BYTES = 8 * 1024
DEFAULT_MAX_SIZE = 10_000_000
DEFAULT_MEDIA_TYPES = ("application/pdf", "image/jpeg", "image/png")
MAX_DOSSIER_BYTES = 200_000_000
MAX_NAME_LENGTH = 120
UNKNOWN_TYPE = "application/octet-stream"


class UnknownComponent(ApplicationError):
    code = "unknown-component"
    message_vi = "Thành phần hồ sơ không có trong thủ tục"
    message_en = "The procedure has no such document component"
    http_status = 422


class MissingFile(ApplicationError):
    code = "missing-file"
    message_vi = "Chưa chọn tệp đính kèm"
    message_en = "A file is required"
    http_status = 422


class UnsupportedDocumentType(ApplicationError):
    code = "unsupported-document-type"
    message_vi = "Loại tệp không được chấp nhận cho thành phần hồ sơ này"
    message_en = "This kind of file is not accepted for this document component"
    http_status = 415


class DocumentNotFound(ApplicationError):
    code = "document-not-found"
    message_vi = "Không tìm thấy tài liệu của hồ sơ"
    message_en = "The dossier has no such document"
    http_status = 404


@dataclass(frozen=True)
class DocumentView:
    component: str
    name: str
    size: int
    media_type: str
    sha256: str
    digitised: bool
    reused: bool
    attached_at: Any
    actor_id: str


def sniff(head: bytes) -> str:
    """The media type the content's magic numbers say; unknown content is octet-stream."""
    if not head:
        return UNKNOWN_TYPE
    try:
        found = puremagic.from_string(head, mime=True)
    except puremagic.PureError:
        return UNKNOWN_TYPE
    return str(found or UNKNOWN_TYPE).lower()


def sanitise_name(name: str) -> str:
    """A display name safe to store and echo: no path, no control characters, bounded length.

    Vietnamese letters are kept (NFC); only the last path segment of either separator is kept.
    """
    text = unicodedata.normalize("NFC", str(name or ""))
    text = text.replace("\\", "/").rsplit("/", 1)[-1]
    text = "".join(ch for ch in text if not unicodedata.category(ch).startswith("C"))
    text = " ".join(text.split()).strip(" .")
    if len(text) > MAX_NAME_LENGTH:
        stem, dot, ext = text.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            text = stem[: MAX_NAME_LENGTH - len(ext) - 1].rstrip() + "." + ext
        else:
            text = text[:MAX_NAME_LENGTH].rstrip()
    return text or "tai-lieu"


def _read_head(stream: Iterable[bytes] | BinaryIO) -> tuple[bytes, Iterator[bytes]]:
    """The first bytes for sniffing, and an iterator over the whole content again."""
    source = iter(chunks(stream))
    head = b""
    taken: list[bytes] = []
    for chunk in source:
        taken.append(chunk)
        head += chunk
        if len(head) >= SNIFF_BYTES:
            break
    return head[:SNIFF_BYTES], itertools.chain(taken, source)


class DossierDocuments:
    def __init__(self, dossiers: Any, store: DocumentStore, *, max_dossier_bytes: int = MAX_DOSSIER_BYTES) -> None:
        self.dossiers = dossiers
        self.store = store
        self.max_dossier_bytes = max_dossier_bytes

    def component_of(self, dossier: Any, component: str) -> dict[str, Any]:
        procedure = self.dossiers.catalogue.get(dossier.procedure_code, dossier.procedure_version)
        for candidate in procedure.components:
            if candidate.get("name") == component:
                return dict(candidate)
        raise UnknownComponent(f"procedure {procedure.code} version {procedure.version} has no component {component!r}",
                               field="component")

    def upload(self, actor: Actor, code: str, version: int | None, component: str, filename: str,
               stream: Iterable[bytes] | BinaryIO | None, declared_type: str = "") -> CommandResult:
        """Check, store, record. ``declared_type`` is what the client claimed; it is never trusted."""
        check_command_allowed(actor, "attach_document")
        dossier = self.dossiers.get(actor, code)
        if version is not None and dossier.version != version:
            raise StaleVersion(dossier.version)
        spec = self.component_of(dossier, (component or "").strip())
        if stream is None:
            raise MissingFile("no file was sent", field="file")
        head, content = _read_head(stream)
        media_type = sniff(head)
        accepted = tuple(t.lower() for t in spec.get("media_types") or DEFAULT_MEDIA_TYPES)
        if media_type not in accepted:
            raise UnsupportedDocumentType(
                f"the content is {media_type}; {spec['name']} accepts {', '.join(accepted)}", field="file",
                media_type=media_type, declared_type=declared_type[:100],
            )
        used = sum(int(d.get("size", 0)) for d in dossier.documents)
        remaining = self.max_dossier_bytes - used
        component_max = int(spec.get("max_size") or DEFAULT_MAX_SIZE)
        if remaining <= 0:
            raise TooLarge(f"the dossier's documents already take {used} bytes of {self.max_dossier_bytes}", field="file")
        blob = self.store.put(content, min(component_max, remaining))
        name = sanitise_name(filename)
        return self.dossiers.run(actor, code, "attach_document", version, lambda d, at: d.attach_document(
            actor, at, component=spec["name"], name=name, size=blob.size, media_type=media_type,
            sha256=blob.sha256, digitised=True, reused=False))

    def reuse(self, actor: Actor, code: str, version: int | None, component: str, from_code: str,
              sha256: str) -> CommandResult:
        """Attach a document already in the data store, from another dossier the caller may see
        (the applicant's earlier dossier): nothing is uploaded again, and the document counts as
        reused (and digitised) for Decision 766. Checked like an upload before anything is recorded."""
        check_command_allowed(actor, "attach_document")
        dossier = self.dossiers.get(actor, code)
        if version is not None and dossier.version != version:
            raise StaleVersion(dossier.version)
        spec = self.component_of(dossier, (component or "").strip())
        source = self.dossiers.get(actor, from_code)
        found = next((d for d in source.documents if d.get("sha256") == sha256), None)
        if found is None or not self.store.exists(sha256):
            raise DocumentNotFound(f"dossier {from_code} has no document {sha256[:64]}", field="sha256")
        accepted = tuple(t.lower() for t in spec.get("media_types") or DEFAULT_MEDIA_TYPES)
        if str(found["media_type"]).lower() not in accepted:
            raise UnsupportedDocumentType(f"{spec['name']} accepts {', '.join(accepted)}", field="sha256")
        return self.dossiers.run(actor, code, "attach_document", version, lambda d, at: d.attach_document(
            actor, at, component=spec["name"], name=str(found["name"]), size=int(found["size"]),
            media_type=str(found["media_type"]), sha256=sha256, digitised=True, reused=True))

    def list(self, actor: Actor, code: str, access: AccessContext | None = None) -> list[DocumentView]:
        self.dossiers.accesses.before_read(actor, access)
        documents = [DocumentView(**{k: d.get(k) for k in DocumentView.__dataclass_fields__})
                     for d in self.dossiers.get(actor, code).documents]
        self.dossiers.accesses.read(actor, "read-documents", code, access)
        return documents

    def download(self, actor: Actor, code: str, sha256: str,
                 access: AccessContext | None = None) -> tuple[DocumentView, BinaryIO]:
        """The document's metadata and its bytes, only if that hash is attached to that dossier."""
        self.dossiers.accesses.before_read(actor, access)
        dossier = self.dossiers.get(actor, code)
        found = next((d for d in reversed(dossier.documents) if d.get("sha256") == sha256), None)
        if found is None:
            raise DocumentNotFound(f"dossier {code} has no document {sha256[:64]}")
        stream = self.store.open(sha256)
        self.dossiers.accesses.read(actor, "download-document", code, access)
        return DocumentView(**{k: found.get(k) for k in DocumentView.__dataclass_fields__}), stream


__all__ = ["CHUNK", "DocumentView", "DossierDocuments", "sanitise_name", "sniff"]
