"""The P2 baseline: a bare Litestar handler served exactly as `motcua serve` serves the API.

Same request shape as `lookupDossier` (a small JSON body decoded into a msgspec Struct, a
small JSON answer), no database, no middleware, no thread hop. Started as its own process:
`python -m ops.bench.bare HOST PORT`, with the uvicorn settings of `ops.cli._serve`.
"""

from __future__ import annotations

import sys

import msgspec
from litestar import Litestar, post
from litestar.status_codes import HTTP_200_OK


class BareRequest(msgspec.Struct, frozen=True):
    code: str
    secret: str


class BareAnswer(msgspec.Struct, frozen=True):
    code: str
    status: str


@post("/bare", status_code=HTTP_200_OK)
async def bare(data: BareRequest) -> BareAnswer:
    return BareAnswer(code=data.code, status="received")


def create_bare_app() -> Litestar:
    return Litestar(route_handlers=[bare], openapi_config=None)


def main(argv: list[str]) -> int:
    import uvicorn

    host, port = argv[0], int(argv[1])
    # The settings `motcua serve` passes to uvicorn (ops/cli.py `_serve`): keep them in step.
    uvicorn.run(create_bare_app(), host=host, port=port, log_level="warning", access_log=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
