"""Messages between the applicant and the officers on one dossier."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.params import JSONBody

from api import dossier_schemas as s
from api.auth import requires_participant
from api.http import access_context, command_response, expected_version
from api.schemas import DossierCodePath, ServicesDep
from application.commands import CommandResult


class MessageController(Controller):
    path = "/dossiers/{code:str}/messages"
    tags = ["portal", "office"]

    @get("", operation_id="listMessages", sync_to_thread=True, guards=[requires_participant],
         summary="Trao đổi / Messages on a dossier, oldest first")
    def list_messages(self, request: Request[Any, Any, Any], code: DossierCodePath, services: ServicesDep) -> list[s.MessageView]:
        return [
            s.MessageView(at=m["at"], author_role=m["actor_role"], text=m["text"])
            for m in services.dossiers.messages(request.user, code, access_context(request))
        ]

    @post("", operation_id="postMessage", sync_to_thread=True, guards=[requires_participant], status_code=201,
          summary="Gửi trao đổi / Post a message")
    def post_message(self, request: Request[Any, Any, Any], code: DossierCodePath, data: JSONBody[s.MessageIn],
                     services: ServicesDep) -> Response[CommandResult]:
        return command_response(
            services.dossiers.post_message(request.user, code, expected_version(request), text=data.text), 201)
