"""The applicant's side: file a dossier, follow it, answer requests, withdraw, rate.

``submitDossier`` also serves reception officers filing counter and postal dossiers on an
applicant's behalf; the application decides which channel each role may use.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import JSONBody

from api import dossier_schemas as s
from api.auth import requires_applicant_side, requires_citizen
from api.listing import to_page
from api.http import command_response, detail_response, expected_version, idempotency
from api.schemas import Cursor, DossierCodePath, Limit, MinPosition, ServicesDep
from application.commands import CommandResult
from application.dossiers import Submission

Req = Request[Any, Any, Any]
Result = Response[CommandResult]


class SubmissionController(Controller):
    path = "/dossiers"
    tags = ["portal"]

    @post("", operation_id="submitDossier", sync_to_thread=True, guards=[requires_applicant_side], status_code=201,
          summary="Nộp hồ sơ / File a dossier (Idempotency-Key makes retries safe)")
    def submit(self, request: Req, data: JSONBody[s.SubmitDossier], services: ServicesDep) -> Result:
        submission = Submission(
            procedure_code=data.procedure_code, procedure_version=data.procedure_version, channel=data.channel,
            receiving_unit=data.receiving_unit, applicant=_plain(data.applicant),
            representative=_plain(data.representative) if data.representative else None,
            form=data.form, applicant_account=data.applicant_account,
        )
        result = services.dossiers.submit(request.user, submission, idempotency(request, "submitDossier", data))
        return command_response(result, 201, location=f"/me/dossiers/{result.code}")


def _plain(struct: msgspec.Struct) -> dict[str, Any]:
    """Events keep snake_case keys (the Struct's field names), whatever the wire says."""
    return {k: v for k, v in msgspec.structs.asdict(struct).items() if v is not None}


class MyDossierController(Controller):
    path = "/me/dossiers"
    tags = ["portal"]

    @get("", operation_id="listMyDossiers", sync_to_thread=True, guards=[requires_citizen],
         summary="Danh sách hồ sơ của tôi / My dossiers, newest first (cursor pagination)")
    def list_mine(self, request: Req, services: ServicesDep, cursor: Cursor = None, limit: Limit = None,
                  min_position: MinPosition = None) -> s.DossierPage:
        listing = services.queries.my_dossiers(request.user, cursor=cursor, limit=limit, min_position=min_position)
        return to_page(listing, services.queries)

    @get("/{code:str}", operation_id="getMyDossier", sync_to_thread=True, guards=[requires_citizen],
         summary="Hồ sơ của tôi / One of my dossiers")
    def get_mine(self, request: Req, code: DossierCodePath, services: ServicesDep) -> Response[s.DossierDetail]:
        return detail_response(services.dossiers.view(request.user, code))

    @post("/{code:str}/supplements", operation_id="supplementDossier", sync_to_thread=True, guards=[requires_applicant_side],
          summary="Bổ sung hồ sơ / Supply the requested documents (resumes the clock)")
    def supplement(self, request: Req, code: DossierCodePath, data: JSONBody[s.Supplement], services: ServicesDep) -> Result:
        return command_response(services.dossiers.supplement(
            request.user, code, expected_version(request), documents=data.documents, note=data.note,
            idempotency=idempotency(request, "supplementDossier", data)))

    @post("/{code:str}/withdrawal", operation_id="withdrawDossier", sync_to_thread=True, guards=[requires_applicant_side],
          summary="Rút hồ sơ / Ask to withdraw the dossier")
    def withdraw(self, request: Req, code: DossierCodePath, data: JSONBody[s.Withdrawal], services: ServicesDep) -> Result:
        return command_response(services.dossiers.request_withdrawal(
            request.user, code, expected_version(request), reason=data.reason,
            idempotency=idempotency(request, "withdrawDossier", data)))

    @post("/{code:str}/rating", operation_id="rateDossier", sync_to_thread=True, guards=[requires_citizen],
          summary="Đánh giá mức độ hài lòng / Rate the service (1-5)")
    def rate(self, request: Req, code: DossierCodePath, data: JSONBody[s.Rating], services: ServicesDep) -> Result:
        return command_response(services.dossiers.rate(
            request.user, code, expected_version(request), score=data.score, comment=data.comment,
            idempotency=idempotency(request, "rateDossier", data)))
