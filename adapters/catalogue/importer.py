"""Load a seed catalogue file (the format of ``seed.json``) into the event-sourced catalogue.

Idempotent: a procedure whose national code is already in the store is left alone (its later
revisions are the administrators' business), so every start may run it. Each new procedure is
drafted and published as version 1 by the system actor, in one save.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from adapters.catalogue.seed import DEFAULT_SEED
from application.procedures import Procedures, terms_from_wire
from domain.actor import Actor, Role

SEED_ACTOR = Actor(id="system:seed", role=Role.SYSTEM, name="Seed import")


def read_seed(path: Path | str | None = None) -> dict[str, Any]:
    return json.loads(Path(path or DEFAULT_SEED).read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def import_seed(procedures: Procedures, path: Path | str | None = None) -> list[str]:
    """The codes imported by this call (empty when everything was already there)."""
    data = read_seed(path)
    known = set(procedures.codes())
    items = [(raw["code"], terms_from_wire(raw)) for raw in data.get("procedures", []) if raw["code"] not in known]
    return procedures.import_published_many(SEED_ACTOR, items) if items else []
