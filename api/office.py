"""Officers' dossier resource: read one dossier and move it through its lifecycle.

Every handler is thin: the request Struct in, one application call, the command result out with
the new ``ETag``. Roles and unit scope are checked by the guards and the application's policy.
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import JSONBody

from api import dossier_schemas as s
from api.auth import requires_dossier_reader, requires_officer
from api.http import access_context, command_response, detail_response, expected_version
from api.schemas import DossierCodePath, ServicesDep
from application.commands import CommandResult

Req = Request[Any, Any, Any]
Result = Response[CommandResult]


class OfficeDossierController(Controller):
    path = "/office/dossiers/{code:str}"
    tags = ["office"]

    @get("", operation_id="getDossier", sync_to_thread=True, guards=[requires_dossier_reader],
         summary="Xem hồ sơ / Read one dossier (ETag = its version)")
    def get_dossier(self, request: Req, code: DossierCodePath, services: ServicesDep) -> Response[s.DossierDetail]:
        return detail_response(services.dossiers.view(request.user, code, access_context(request)))

    @post("/reception", operation_id="receiveDossier", sync_to_thread=True, guards=[requires_officer],
          summary="Tiếp nhận hồ sơ / Receive (issues the appointment)")
    def receive(self, request: Req, code: DossierCodePath, services: ServicesDep) -> Result:
        return command_response(services.dossiers.receive(request.user, code, expected_version(request)))

    @post("/refusal", operation_id="refuseDossier", sync_to_thread=True, guards=[requires_officer],
          summary="Từ chối tiếp nhận / Refuse at reception (form 03)")
    def refuse(self, request: Req, code: DossierCodePath, data: JSONBody[s.Reason], services: ServicesDep) -> Result:
        return command_response(services.dossiers.refuse(request.user, code, expected_version(request), reason=data.reason))

    @post("/hand-overs", operation_id="handOverDossier", sync_to_thread=True, guards=[requires_officer],
          summary="Chuyển xử lý / Hand over to a unit or officer")
    def hand_over(self, request: Req, code: DossierCodePath, data: JSONBody[s.HandOverRequest], services: ServicesDep) -> Result:
        return command_response(services.dossiers.hand_over(
            request.user, code, expected_version(request), to_unit=data.to_unit, to_officer=data.to_officer,
            step_index=data.step_index, note=data.note))

    @post("/supplement-requests", operation_id="requestSupplement", sync_to_thread=True,
          summary="Yêu cầu bổ sung / Request more documents (form 02; stops the clock)")
    def request_supplement(self, request: Req, code: DossierCodePath, data: JSONBody[s.SupplementRequest], services: ServicesDep) -> Result:
        return command_response(services.dossiers.request_supplement(
            request.user, code, expected_version(request), items=data.items, reason=data.reason))

    @post("/fee-requests", operation_id="requestFee", sync_to_thread=True, guards=[requires_officer],
          summary="Yêu cầu nghĩa vụ tài chính / Request fees")
    def request_fee(self, request: Req, code: DossierCodePath, data: JSONBody[s.FeeRequest], services: ServicesDep) -> Result:
        return command_response(services.dossiers.request_fee(
            request.user, code, expected_version(request), amount=data.amount, items=data.items, note=data.note))

    @post("/fee-payments", operation_id="recordFeePayment", sync_to_thread=True, guards=[requires_officer],
          summary="Ghi nhận nộp phí / Record a fee payment")
    def record_fee_payment(self, request: Req, code: DossierCodePath, data: JSONBody[s.FeePayment], services: ServicesDep) -> Result:
        return command_response(services.dossiers.record_fee_payment(
            request.user, code, expected_version(request), amount=data.amount, paid_online=data.paid_online,
            receipt_ref=data.receipt_ref))

    @post("/opinion-requests", operation_id="requestOpinion", sync_to_thread=True, guards=[requires_officer],
          summary="Xin ý kiến / Consult another unit")
    def request_opinion(self, request: Req, code: DossierCodePath, data: JSONBody[s.OpinionRequest], services: ServicesDep) -> Result:
        return command_response(services.dossiers.request_opinion(
            request.user, code, expected_version(request), to_unit=data.to_unit, text=data.text))

    @post("/opinions", operation_id="giveOpinion", sync_to_thread=True, guards=[requires_officer],
          summary="Cho ý kiến / Give the consulted unit's opinion")
    def give_opinion(self, request: Req, code: DossierCodePath, data: JSONBody[s.Opinion], services: ServicesDep) -> Result:
        return command_response(services.dossiers.give_opinion(request.user, code, expected_version(request), text=data.text))

    @post("/extensions", operation_id="extendDeadline", sync_to_thread=True, guards=[requires_officer],
          summary="Gia hạn / Extend with an apology letter (form 04)")
    def extend(self, request: Req, code: DossierCodePath, data: JSONBody[s.Extension], services: ServicesDep) -> Result:
        return command_response(services.dossiers.extend_deadline(
            request.user, code, expected_version(request), new_due=data.new_appointment, reason=data.reason))

    @post("/approval", operation_id="approveResult", sync_to_thread=True, guards=[requires_officer],
          summary="Phê duyệt, ký kết quả / Approve and sign")
    def approve(self, request: Req, code: DossierCodePath, data: JSONBody[s.Approval], services: ServicesDep) -> Result:
        return command_response(services.dossiers.approve_result(
            request.user, code, expected_version(request), summary=data.summary, electronic=data.electronic))

    @post("/stop", operation_id="stopProcessing", sync_to_thread=True, guards=[requires_officer],
          summary="Dừng xử lý / Stop processing (form 05)")
    def stop(self, request: Req, code: DossierCodePath, data: JSONBody[s.Reason], services: ServicesDep) -> Result:
        return command_response(services.dossiers.stop_processing(request.user, code, expected_version(request), reason=data.reason))

    @post("/withdrawal-acceptance", operation_id="acceptWithdrawal", sync_to_thread=True, guards=[requires_officer],
          summary="Chấp nhận rút hồ sơ / Accept a withdrawal")
    def accept_withdrawal(self, request: Req, code: DossierCodePath, data: JSONBody[s.AcceptWithdrawal], services: ServicesDep) -> Result:
        return command_response(services.dossiers.accept_withdrawal(request.user, code, expected_version(request), note=data.note))

    @post("/completion", operation_id="completeDossier", sync_to_thread=True, guards=[requires_officer],
          summary="Hoàn thành / Result ready at the one-stop desk")
    def complete(self, request: Req, code: DossierCodePath, data: JSONBody[s.Completion], services: ServicesDep) -> Result:
        return command_response(services.dossiers.complete(
            request.user, code, expected_version(request), electronic_result=data.electronic_result))

    @post("/result-return", operation_id="returnResult", sync_to_thread=True, guards=[requires_officer],
          summary="Trả kết quả / Deliver the result")
    def return_result(self, request: Req, code: DossierCodePath, data: JSONBody[s.ResultReturn], services: ServicesDep) -> Result:
        return command_response(services.dossiers.return_result(request.user, code, expected_version(request), method=data.method))
