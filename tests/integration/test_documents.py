"""Dossier documents on SQLite and PostgreSQL with the filesystem store: what is refused keeps
nothing (no file on disk, no event), what is accepted is stored under its SHA-256 and listed."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from application.clock import SimulatedClock
from application.document_store import TooLarge
from application.dossier_documents import (
    DocumentNotFound, UnknownComponent, UnsupportedDocumentType, sanitise_name,
)
from application.dossiers import Submission
from application.errors import DossierNotFound, StaleVersion
from domain.actor import Actor, Role
from ops.settings import load_settings
from ops.wiring import Container, build_container
from tests.pg import DATABASE_URL, fresh_schema
from tests.unit.procedure_fixtures import seed_form

CITIZEN = Actor(id="citizen-1", role=Role.CITIZEN, name="Nguyễn Văn An")
OTHER = Actor(id="citizen-2", role=Role.CITIZEN, name="Trần Thị Bình")
RECEPTION = Actor(id="officer-1", role=Role.RECEPTION_OFFICER, unit="000.00.01.H22", name="Lê Văn Cường")
OUTSIDER = Actor(id="officer-9", role=Role.RECEPTION_OFFICER, unit="000.00.17.H22", name="Phạm Văn Dũng")
PROCEDURE = "2.001610"
COMPONENT = "Giấy đề nghị đăng ký doanh nghiệp tư nhân"
PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(32)
ELF = b"\x7fELF\x02\x01\x01" + bytes(57)
MZ = b"MZ\x90\x00\x03" + bytes(59) + b"This program cannot be run in DOS mode."


@pytest.fixture(params=["sqlite", "postgres"])
def container(request, tmp_path) -> Iterator[Container]:
    clock = SimulatedClock(datetime(2026, 3, 2, 2, 0, tzinfo=UTC))
    if request.param == "sqlite":
        c = build_container(load_settings({}, data_dir=str(tmp_path / "var")), clock=clock, projections=False)
        yield c
        c.close()
        return
    with fresh_schema("d") as schema:
        settings = load_settings({}, data_dir=str(tmp_path / "var"), database_url=DATABASE_URL,
                                 postgres_schema=schema, postgres_pool_size=2)
        c = build_container(settings, clock=clock, projections=False)
        yield c
        c.close()


def filed(container: Container) -> tuple[str, int]:
    result = container.services.dossiers.submit(CITIZEN, Submission(
        procedure_code=PROCEDURE, channel="online", applicant={"name": "Nguyễn Văn An"}, form=seed_form(PROCEDURE)))
    return result.code, result.version


def files_in(container: Container) -> list[Path]:
    root = container.settings.data_path / "documents"
    return sorted(p for p in root.rglob("*") if p.is_file())


def events_of(container: Container, code: str) -> int:
    return container.services.dossiers.load(code).version


def test_an_executable_named_like_a_pdf_is_refused_and_leaves_nothing(container):
    code, version = filed(container)
    for content in (ELF, MZ):
        with pytest.raises(UnsupportedDocumentType) as refused:
            container.services.documents.upload(CITIZEN, code, version, COMPONENT, "don-de-nghi.pdf",
                                                io.BytesIO(content), "application/pdf")
        assert refused.value.extra["field"] == "file"
    assert files_in(container) == []
    assert events_of(container, code) == version
    assert container.services.documents.list(CITIZEN, code) == []


def test_a_file_larger_than_the_component_allows_is_refused_and_leaves_nothing(container):
    code, version = filed(container)
    oversized = PDF + b"0" * 10_000_000  # the component takes 10 MB at most
    with pytest.raises(TooLarge):
        container.services.documents.upload(CITIZEN, code, version, COMPONENT, "don.pdf", io.BytesIO(oversized))
    assert files_in(container) == []
    assert events_of(container, code) == version
    assert not container.services.documents.store.exists(hashlib.sha256(oversized).hexdigest())


def test_a_file_for_a_component_the_procedure_does_not_have_is_refused_and_leaves_nothing(container):
    code, version = filed(container)
    with pytest.raises(UnknownComponent) as refused:
        container.services.documents.upload(CITIZEN, code, version, "Giấy phép lái xe", "don.pdf", io.BytesIO(PDF))
    assert refused.value.extra["field"] == "component"
    assert files_in(container) == []
    assert events_of(container, code) == version


def test_a_valid_pdf_is_stored_under_its_sha256_and_listed(container):
    code, version = filed(container)
    digest = hashlib.sha256(PDF).hexdigest()
    result = container.services.documents.upload(
        CITIZEN, code, version, COMPONENT, "C:\\Users\\an\\Đơn đề nghị\x00.pdf", [PDF[:10], PDF[10:]], "image/png")
    assert result.version == version + 1
    path = container.settings.data_path / "documents" / digest[:2] / digest[2:4] / digest
    assert files_in(container) == [path]
    assert path.read_bytes() == PDF
    [listed] = container.services.documents.list(CITIZEN, code)
    assert (listed.component, listed.name, listed.size, listed.media_type, listed.sha256, listed.digitised, listed.reused) == (
        COMPONENT, "Đơn đề nghị.pdf", len(PDF), "application/pdf", digest, True, False)
    view, stream = container.services.documents.download(RECEPTION, code, digest)
    with stream:
        assert stream.read() == PDF
    assert view.name == "Đơn đề nghị.pdf"


def test_a_stale_version_records_no_event_though_the_blob_may_stay(container):
    code, version = filed(container)
    container.services.documents.upload(CITIZEN, code, version, COMPONENT, "anh.png", io.BytesIO(PNG))
    with pytest.raises(StaleVersion):
        container.services.documents.upload(CITIZEN, code, version, COMPONENT, "don.pdf", io.BytesIO(PDF))
    assert [d.media_type for d in container.services.documents.list(CITIZEN, code)] == ["image/png"]


def test_only_those_who_may_see_the_dossier_read_its_documents(container):
    code, version = filed(container)
    container.services.documents.upload(CITIZEN, code, version, COMPONENT, "anh.png", io.BytesIO(PNG))
    digest = hashlib.sha256(PNG).hexdigest()
    for stranger in (OTHER, OUTSIDER):
        with pytest.raises(DossierNotFound):
            container.services.documents.download(stranger, code, digest)
        with pytest.raises(DossierNotFound):
            container.services.documents.upload(stranger, code, version + 1, COMPONENT, "x.png", io.BytesIO(PNG))
    with pytest.raises(DocumentNotFound):
        container.services.documents.download(CITIZEN, code, hashlib.sha256(PDF).hexdigest())


def test_file_names_lose_paths_and_control_characters_and_keep_vietnamese_letters():
    assert sanitise_name("../../etc/passwd") == "passwd"
    assert sanitise_name("C:\\tmp\\Giấy chứng nhận\r\n.pdf") == "Giấy chứng nhận.pdf"
    assert sanitise_name("\x00\x1f") == "tai-lieu"
    long = sanitise_name("Bản vẽ " * 40 + ".pdf")
    assert len(long) <= 120 and long.endswith(".pdf")
