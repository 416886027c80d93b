"""The authorisation matrix, written by hand from the rules (not derived from the policy code).

One row per operation id of the served OpenAPI document: what each kind of caller gets.
  A  allowed: authorisation passed (the answer may still be 2xx, 400, 404 for a procedure,
     409, 412, 422... whatever the request deserves)
  D  denied: 403
  H  hidden: 404, because the dossier is not theirs (another citizen's, or outside the unit)
Callers: the dossier's applicant, another citizen, a reception officer of the receiving unit,
a reception officer of an unrelated unit, a handling officer and a unit leader of units on the
dossier's path, an administrator, an auditor, an analyst. Every dossier route is called on a
fresh dossier that the applicant just filed (status "submitted").
"""

from __future__ import annotations

from tests.unit.procedure_fixtures import seed_form

CALLERS = ("citizen", "other", "reception", "outsider", "handler", "leader", "admin", "auditor", "analyst")


def row(spec: str) -> dict[str, str]:
    assert len(spec) == len(CALLERS), spec
    return dict(zip(CALLERS, spec, strict=True))


#                           citizen other reception outsider handler leader admin auditor analyst
MATRIX: dict[str, dict[str, str]] = {
    # public
    "getHealth":            row("AAAAAAAAA"),
    "getReadiness":         row("AAAAAAAAA"),
    # the monitoring scraper only (its own token, or loopback): no signed-in person
    "getMetrics":           row("DDDDDDDDD"),
    "login":                row("AAAAAAAAA"),
    "refreshToken":         row("AAAAAAAAA"),
    "loginWithOidc":        row("AAAAAAAAA"),
    "changePassword":       row("AAAAAAAAA"),
    "lookupDossier":        row("AAAAAAAAA"),
    "searchProcedures":     row("AAAAAAAAA"),
    "getProcedure":         row("AAAAAAAAA"),
    "getProcedureForm":     row("AAAAAAAAA"),
    "getPublicStatistics":  row("AAAAAAAAA"),
    # any signed-in caller
    "logout":               row("AAAAAAAAA"),
    # the applicant's side
    "submitDossier":        row("AAAADDDDD"),
    "listMyDossiers":       row("AADDDDDDD"),
    "getMyDossier":         row("AHDDDDDDD"),
    "rateDossier":          row("AHDDDDDDD"),
    "supplementDossier":    row("AHAHDDDDD"),
    "withdrawDossier":      row("AHAHDDDDD"),
    "getMyProfile":         row("AADDDDDDD"),
    "updateMyProfile":      row("AADDDDDDD"),
    "exportMyData":         row("AADDDDDDD"),
    # exchanges between applicant and officers
    "listMessages":         row("AHAHAADDD"),
    "postMessage":          row("AHAHAADDD"),
    # documents: the applicant and the officers of its units attach; auditors read too
    "uploadDocument":       row("AHAHAADDD"),
    "listDocuments":        row("AHAHAADAD"),
    "downloadDocument":     row("AHAHAADAD"),
    # the office
    "getDossier":           row("DDAHAADAD"),
    "listWorklist":         row("DDAAAADDD"),
    "receiveDossier":       row("DDAHDDDDD"),
    "refuseDossier":        row("DDAHDDDDD"),
    "recordFeePayment":     row("DDAHDDDDD"),
    "returnResult":         row("DDAHDDDDD"),
    "handOverDossier":      row("DDAHAADDD"),
    "requestSupplement":    row("DDAHAADDD"),
    "requestFee":           row("DDAHAADDD"),
    "acceptWithdrawal":     row("DDAHAADDD"),
    "completeDossier":      row("DDAHAADDD"),
    "requestOpinion":       row("DDDDAADDD"),
    "giveOpinion":          row("DDDDAADDD"),
    "extendDeadline":       row("DDDDAADDD"),
    "stopProcessing":       row("DDDDAADDD"),
    "approveResult":        row("DDDDDADDD"),
    # audit
    "getDossierHistory":    row("DDAHAADAD"),
    "getDossierStateAt":    row("DDAHAADAD"),
    "listAccessLog":        row("DDDDDDDAD"),
    "verifyAuditChain":     row("DDDDDDDAD"),
    "exportEventLog":       row("DDDDDDDAD"),
    # statistics
    "getStatusReport":      row("DDDDDAAAA"),
    "getServiceIndex":      row("DDDDDAAAA"),
    "requestStatisticsExport": row("DDDDDAAAA"),
    "getStatisticsExport":  row("DDDDDAAAA"),
    # administration
    "createUser":           row("DDDDDDADD"),
    "updateUser":           row("DDDDDDADD"),
    "assignRole":           row("DDDDDDADD"),
    "disableUser":          row("DDDDDDADD"),
    "createProcedure":      row("DDDDDDADD"),
    "reviseProcedure":      row("DDDDDDADD"),
    "publishProcedure":     row("DDDDDDADD"),
    "suspendProcedure":     row("DDDDDDADD"),
    "amendProcedure":       row("DDDDDDADD"),
    "resumeProcedure":      row("DDDDDDADD"),
    "withdrawProcedure":    row("DDDDDDADD"),
    # shared catalogues: public lists, administrators' upserts
    "listUnits":            row("AAAAAAAAA"),
    "listHolidays":         row("AAAAAAAAA"),
    "listStatuses":         row("AAAAAAAAA"),
    "listFields":           row("AAAAAAAAA"),
    "listDocumentTypes":    row("AAAAAAAAA"),
    "listDivisions":        row("AAAAAAAAA"),
    "upsertUnit":           row("DDDDDDADD"),
    "upsertHoliday":        row("DDDDDDADD"),
    "upsertStatus":         row("DDDDDDADD"),
    "upsertField":          row("DDDDDDADD"),
    "upsertDocumentType":   row("DDDDDDADD"),
}

# Bodies that pass validation, so the application's own role rules are reached. A few are
# deliberately invalid where a valid one would change shared state (users, procedures, logout).
BODIES: dict[str, object] = {
    "login": {}, "refreshToken": {}, "logout": {"refreshToken": 5}, "loginWithOidc": {}, "changePassword": {},
    "lookupDossier": {"code": "000.00.01.H22-260302-0001", "secret": "WRONGSECRET"},
    "submitDossier": {"procedureCode": "2.001610", "applicant": {"name": "Nguyễn Văn An"}, "form": seed_form("2.001610")},
    "rateDossier": {"score": 5}, "supplementDossier": {}, "withdrawDossier": {"reason": "Không còn nhu cầu"},
    "updateMyProfile": {"fullName": "Tên Mới"}, "postMessage": {"text": "Xin chào"},
    "refuseDossier": {"reason": "Sai thẩm quyền"},
    "recordFeePayment": {"amount": 50000, "paidOnline": False, "receiptRef": "BL-1"},
    "returnResult": {"method": "counter"}, "handOverDossier": {"toUnit": "000.13.01.H22"},
    "requestSupplement": {"items": ["Bản sao CCCD"], "reason": "Thiếu giấy tờ"},
    "requestFee": {"amount": 50000, "items": ["Lệ phí"]}, "acceptWithdrawal": {}, "completeDossier": {},
    "requestOpinion": {"toUnit": "000.00.12.H22", "text": "Xin ý kiến"}, "giveOpinion": {"text": "Đồng ý"},
    "extendDeadline": {"newAppointment": "2026-12-31T10:00:00+07:00", "reason": "Cần xác minh"},
    "stopProcessing": {"reason": "Giấy tờ giả"}, "approveResult": {"summary": "Đồng ý cấp"},
    "createUser": {}, "updateUser": {}, "assignRole": {}, "disableUser": {},
    "createProcedure": {}, "reviseProcedure": {}, "publishProcedure": {}, "suspendProcedure": {},
    "amendProcedure": {}, "resumeProcedure": {}, "withdrawProcedure": {},
    "upsertUnit": {}, "upsertHoliday": {}, "upsertStatus": {}, "upsertField": {}, "upsertDocumentType": {},
    "requestStatisticsExport": {"format": "csv", "content": "report", "from": "2026-03-01", "to": "2026-03-02"},
}
