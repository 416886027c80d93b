"""The public status look-up: dossier code plus the secret printed on the receipt.

Shows status and appointment only (no personal data), is not logged as a personal-data read,
and answers an unknown code and a wrong secret alike, so codes cannot be probed.
"""

from __future__ import annotations

import msgspec
from litestar import Controller, post
from litestar.params import JSONBody
from litestar.status_codes import HTTP_200_OK

from api.dossier_schemas import LookupRequest, LookupView
from api.schemas import ServicesDep


class LookupController(Controller):
    path = "/lookup"
    tags = ["portal"]

    @post("", operation_id="lookupDossier", status_code=HTTP_200_OK, exclude_from_auth=True,
          security=[], summary="Tra cứu hồ sơ / Public status look-up by code and receipt secret")
    async def lookup(self, data: JSONBody[LookupRequest], services: ServicesDep) -> LookupView:
        status = await services.queries.lookup_on_loop(data.code, data.secret)
        return msgspec.convert(status, LookupView, from_attributes=True)
