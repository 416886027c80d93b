"""The administrator's procedure catalogue commands: create, amend a draft, revise, publish,
suspend, resume, withdraw."""

from __future__ import annotations

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, post
from litestar.params import JSONBody
from msgspec import Meta

from api.auth import requires_administrator
from api.procedures import ProcedureCode, ProcedureTerms, ProcedureView, procedure_view
from api.schemas import ServicesDep
from application.procedures import terms_from_wire

Req = Request[Any, Any, Any]
Reason = Annotated[str, Meta(min_length=1, max_length=2000)]


class CreateProcedure(ProcedureTerms, frozen=True, forbid_unknown_fields=True, rename="camel", kw_only=True):
    code: Annotated[str, Meta(min_length=1, max_length=40)]


class ReviseProcedure(msgspec.Struct, frozen=True, forbid_unknown_fields=True, rename="camel"):
    terms: ProcedureTerms
    reason: Reason


class PublishProcedure(msgspec.Struct, frozen=True, forbid_unknown_fields=True, rename="camel"):
    version: Annotated[int, Meta(ge=1)]


class SuspendProcedure(msgspec.Struct, frozen=True, forbid_unknown_fields=True, rename="camel"):
    reason: Reason


class AmendProcedure(msgspec.Struct, frozen=True, forbid_unknown_fields=True, rename="camel"):
    version: Annotated[int, Meta(ge=1)]
    terms: ProcedureTerms


class WithdrawProcedure(msgspec.Struct, frozen=True, forbid_unknown_fields=True, rename="camel"):
    reason: Reason


def _terms(data: ProcedureTerms) -> dict[str, Any]:
    raw = msgspec.to_builtins(data)
    raw.pop("code", None)
    return terms_from_wire(raw)


class AdminProcedureController(Controller):
    path = "/admin/procedures"
    tags = ["administration"]
    guards = [requires_administrator]

    @post("", operation_id="createProcedure", sync_to_thread=True, status_code=201,
          summary="Tạo thủ tục (bản dự thảo phiên bản 1) / Create a procedure as draft version 1")
    def create(self, request: Req, data: JSONBody[CreateProcedure], services: ServicesDep) -> ProcedureView:
        return procedure_view(services.procedures.create(request.user, data.code, _terms(data)))

    @post("/{code:str}/revisions", operation_id="reviseProcedure", sync_to_thread=True, status_code=201,
          summary="Sửa đổi thủ tục (phiên bản dự thảo mới) / Revise: a new draft version")
    def revise(self, request: Req, code: ProcedureCode, data: JSONBody[ReviseProcedure],
               services: ServicesDep) -> ProcedureView:
        return procedure_view(services.procedures.revise(request.user, code, _terms(data.terms), data.reason))

    @post("/{code:str}/publication", operation_id="publishProcedure", sync_to_thread=True, status_code=200,
          summary="Công bố phiên bản / Publish the draft version (it becomes current)")
    def publish(self, request: Req, code: ProcedureCode, data: JSONBody[PublishProcedure],
                services: ServicesDep) -> ProcedureView:
        return procedure_view(services.procedures.publish(request.user, code, data.version))

    @post("/{code:str}/suspension", operation_id="suspendProcedure", sync_to_thread=True, status_code=200,
          summary="Tạm dừng tiếp nhận / Suspend: no new dossiers until a new version is published")
    def suspend(self, request: Req, code: ProcedureCode, data: JSONBody[SuspendProcedure],
                services: ServicesDep) -> ProcedureView:
        return procedure_view(services.procedures.suspend(request.user, code, data.reason))

    @post("/{code:str}/amendment", operation_id="amendProcedure", sync_to_thread=True, status_code=200,
          summary="Sửa bản dự thảo / Amend the open draft version (a published version never changes)")
    def amend(self, request: Req, code: ProcedureCode, data: JSONBody[AmendProcedure],
              services: ServicesDep) -> ProcedureView:
        return procedure_view(services.procedures.amend(request.user, code, data.version, _terms(data.terms)))

    @post("/{code:str}/resumption", operation_id="resumeProcedure", sync_to_thread=True, status_code=200,
          summary="Tiếp nhận trở lại / Resume a suspended procedure")
    def resume(self, request: Req, code: ProcedureCode, services: ServicesDep) -> ProcedureView:
        return procedure_view(services.procedures.resume(request.user, code))

    @post("/{code:str}/withdrawal", operation_id="withdrawProcedure", sync_to_thread=True, status_code=200,
          summary="Bãi bỏ thủ tục / Withdraw the procedure for good (its dossiers keep their pinned version)")
    def withdraw(self, request: Req, code: ProcedureCode, data: JSONBody[WithdrawProcedure],
                 services: ServicesDep) -> ProcedureView:
        services.procedures.withdraw(request.user, code, data.reason)
        return procedure_view(services.procedures.view(request.user, code))
