"""Reusing a document from the applicant's earlier dossier (Decision 766 "reusing data"), on
SQLite and PostgreSQL: attached by reference as reused and digitised; refused, recording nothing,
when the caller may not see the earlier dossier or it has no such document."""

from __future__ import annotations

import hashlib
import io

import pytest

from application.dossier_documents import DocumentNotFound
from application.dossiers import Submission
from application.errors import DossierNotFound
from tests.integration.test_documents import (  # noqa: F401
    CITIZEN, COMPONENT, OTHER, PDF, container, events_of, filed, files_in,
)
from tests.unit.procedure_fixtures import seed_form


def test_a_document_of_the_applicants_earlier_dossier_is_attached_again_as_reused(container):
    earlier, version = filed(container)
    container.services.documents.upload(CITIZEN, earlier, version, COMPONENT, "don.pdf", io.BytesIO(PDF))
    digest = hashlib.sha256(PDF).hexdigest()
    code, version = filed(container)
    result = container.services.documents.reuse(CITIZEN, code, version, COMPONENT, earlier, digest)
    assert result.version == version + 1
    [listed] = container.services.documents.list(CITIZEN, code)
    assert (listed.sha256, listed.name, listed.size, listed.reused, listed.digitised) == (digest, "don.pdf", len(PDF), True, True)
    assert len(files_in(container)) == 1  # nothing stored twice


def test_reuse_is_refused_without_a_trace_when_the_source_is_not_the_callers(container):
    earlier, version = filed(container)
    container.services.documents.upload(CITIZEN, earlier, version, COMPONENT, "don.pdf", io.BytesIO(PDF))
    digest = hashlib.sha256(PDF).hexdigest()
    theirs = container.services.dossiers.submit(OTHER, Submission(
        procedure_code="2.001610", channel="online", applicant={"name": "Trần Thị Bình"}, form=seed_form("2.001610")))
    with pytest.raises(DossierNotFound):  # the source is another citizen's dossier: not there for them
        container.services.documents.reuse(OTHER, theirs.code, theirs.version, COMPONENT, earlier, digest)
    code, version = filed(container)
    with pytest.raises(DocumentNotFound):
        container.services.documents.reuse(CITIZEN, code, version, COMPONENT, earlier, "0" * 64)
    assert events_of(container, code) == version and events_of(container, theirs.code) == theirs.version
