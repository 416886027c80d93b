"""``exportMyData``: the signed-in citizen's copy of everything held about them."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, get
from litestar.response import Stream

from api.auth import requires_citizen
from api.schemas import ServicesDep


class MyDataController(Controller):
    path = "/me/data"
    tags = ["portal"]
    guards = [requires_citizen]

    @get("", operation_id="exportMyData", sync_to_thread=True,
         summary="Tải dữ liệu của tôi / Everything held about me as one JSON document (streamed)")
    def export(self, request: Request[Any, Any, Any], services: ServicesDep) -> Stream:
        parts = services.my_data.export(request.user)  # checked before the first byte
        return Stream(parts, media_type="application/json",
                      headers={"Content-Disposition": 'attachment; filename="my-data.json"', "Cache-Control": "no-store"})
