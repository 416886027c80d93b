"""Clients rely on the operation ids: the served document has exactly these."""

from litestar.testing import TestClient

from api.app import create_app

EXPECTED = {
    # portal
    "submitDossier", "listMyDossiers", "getMyDossier", "supplementDossier", "withdrawDossier", "rateDossier",
    "listMessages", "postMessage", "lookupDossier",
    "uploadDocument", "listDocuments", "downloadDocument",
    "exportMyData",
    # office
    "getDossier", "listWorklist", "receiveDossier", "refuseDossier", "handOverDossier", "requestSupplement",
    "requestFee", "recordFeePayment", "requestOpinion", "giveOpinion", "extendDeadline", "approveResult",
    "stopProcessing", "acceptWithdrawal", "completeDossier", "returnResult",
    # audit
    "getDossierHistory", "getDossierStateAt", "listAccessLog", "verifyAuditChain", "exportEventLog",
    # auth
    "login", "refreshToken", "logout", "loginWithOidc", "changePassword",
    # accounts
    "createUser", "updateUser", "assignRole", "disableUser", "getMyProfile", "updateMyProfile",
    # catalogue
    "searchProcedures", "getProcedure", "getProcedureForm", "createProcedure", "reviseProcedure", "publishProcedure", "suspendProcedure",
    "amendProcedure", "resumeProcedure", "withdrawProcedure",
    # shared catalogues
    "listUnits", "upsertUnit", "listHolidays", "upsertHoliday", "listStatuses", "upsertStatus",
    "listFields", "upsertField", "listDocumentTypes", "upsertDocumentType", "listDivisions",
    # statistics
    "getStatusReport", "getServiceIndex", "getPublicStatistics", "requestStatisticsExport", "getStatisticsExport",
    # operations
    "getHealth", "getReadiness", "getMetrics",
}


def test_the_openapi_document_names_every_operation_once(container):
    with TestClient(create_app(container.services)) as client:
        document = client.get("/schema/openapi.json").json()
    ids = [op["operationId"] for path in document["paths"].values() for op in path.values()]
    assert len(ids) == len(set(ids))
    assert set(ids) == EXPECTED
