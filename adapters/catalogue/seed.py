"""Seed-file catalogue: stands behind the catalogue ports until the Procedure aggregate exists."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from application.catalogue import (
    ProcedureCatalogue,
    ProcedureStep,
    ProcedureVersion,
    TimeLimit,
    Unit,
    UnitDirectory,
)
from application.errors import ProcedureNotFound

DEFAULT_SEED = Path(__file__).with_name("seed.json")


def _fee(raw: dict[str, Any]) -> int:
    """The fixed amounts due (a formula fee is computed at processing), as the event-sourced catalogue sums them."""
    if "fee" in raw:  # the first seed format had one fixed fee
        return int(raw["fee"])
    return sum(int(f["amount"]) for f in raw.get("fees", []) if f.get("amount") is not None)


def _procedure(raw: dict[str, Any]) -> ProcedureVersion:
    return ProcedureVersion(
        code=raw["code"],
        version=int(raw["version"]),
        name=raw["name"],
        field=raw["field"],
        receiving_units=tuple(raw["receivingUnits"]),
        handling_unit=raw["handlingUnit"],
        service_level=raw["serviceLevel"],
        channels=tuple(raw["channels"]),
        processing_time={k: TimeLimit(int(v["value"]), v["unit"]) for k, v in raw["processingTime"].items()},
        fee_stops_clock=bool(raw["feeStopsClock"]),
        fee=_fee(raw),
        steps=tuple(ProcedureStep(s["name"], s["unit"], s["role"], int(s["hours"])) for s in raw["steps"]),
    )


class SeedCatalogue(ProcedureCatalogue, UnitDirectory):
    def __init__(self, path: Path | str | None = None) -> None:
        data = json.loads(Path(path or DEFAULT_SEED).read_text(encoding="utf-8"))
        self._procedures: dict[tuple[str, int], ProcedureVersion] = {}
        for raw in data["procedures"]:
            p = _procedure(raw)
            self._procedures[(p.code, p.version)] = p
        self._units = {u["code"]: Unit(u["code"], u["name"], u.get("parent")) for u in data["units"]}

    def get(self, code: str, version: int | None = None) -> ProcedureVersion:
        if version is None:
            versions = [p for (c, _), p in self._procedures.items() if c == code]
            if versions:
                return max(versions, key=lambda p: p.version)
        elif (code, version) in self._procedures:
            return self._procedures[(code, version)]
        raise ProcedureNotFound(f"procedure {code!r} is not in the catalogue", field="procedureCode")

    def list(self) -> list[ProcedureVersion]:
        latest: dict[str, ProcedureVersion] = {}
        for p in self._procedures.values():
            if p.code not in latest or p.version > latest[p.code].version:
                latest[p.code] = p
        return sorted(latest.values(), key=lambda p: p.code)

    def get_unit(self, code: str) -> Unit | None:
        return self._units.get(code)

    def all(self) -> list[Unit]:
        return list(self._units.values())
