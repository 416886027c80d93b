"""Seed the shared catalogues at start-up, idempotently (like ``importer.py`` for procedures).

Units come from the seed file's ``units`` ({code, name, parent}); the status catalogue from the
dossier's own status table (``domain.dossier.status``), with English labels from
``shared_seed.json``; fields from that file plus every field a seeded procedure names; document
types from that file. Only missing entries are added, so an administrator's edits survive every
restart, and a second process seeding at the same time loses its save and changes nothing.
"""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path
from typing import Any

import structlog

from adapters.catalogue.importer import SEED_ACTOR, read_seed
from application.catalogue_transfer import ImportRowInvalid, seed_missing
from application.errors import VersionConflict
from application.shared_catalogues import SharedCatalogues
from domain.dossier.status import LOCAL_LABELS_VI, NATIONAL_CODE

SHARED_SEED = Path(__file__).with_name("shared_seed.json")
log = structlog.get_logger("motcua.seed")


def field_code(name: str) -> str:
    """Initials of the unaccented words: "Hoạt động xây dựng" -> "HDXD"."""
    plain = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(ch for ch in plain if unicodedata.category(ch) != "Mn")
    return "".join(word[0] for word in re.findall(r"[A-Za-z0-9]+", plain)).upper()[:20] or "LV"


def seed_rows(procedures_file: Path | str | None = None) -> dict[str, list[dict[str, Any]]]:
    data = read_seed(procedures_file)
    extra = json.loads(SHARED_SEED.read_text(encoding="utf-8"))
    fields = list(extra["fields"])
    names, codes = {f["name"] for f in fields}, {f["code"] for f in fields}
    for name in sorted({p["field"] for p in data.get("procedures", []) if p.get("field")} - names):
        code, n = field_code(name), 2
        while code in codes:
            code, n = f"{field_code(name)}{n}", n + 1
        fields.append({"code": code, "name": name})
        codes.add(code)
    statuses = [{"status": s.value, "labelVi": LOCAL_LABELS_VI[s], "labelEn": extra["statusLabelsEn"][s.value],
                 "nationalCode": int(NATIONAL_CODE[s])} for s in NATIONAL_CODE]
    units = [{"code": u["code"], "name": u["name"], "parent": u.get("parent"),
              "divisionCode": u.get("divisionCode")} for u in data.get("units", [])]
    return {"units": units, "statuses": statuses, "fields": fields, "document-types": extra["documentTypes"]}


def seed_shared_catalogues(catalogues: SharedCatalogues, procedures_file: Path | str | None = None) -> dict[str, int]:
    """Events saved per catalogue by this call (all zero when everything was already there)."""
    rows = seed_rows(procedures_file)
    named = {e.name for e in catalogues.fields()}
    rows["fields"] = [f for f in rows["fields"] if f["name"] not in named]
    return {kind: _seed_kind(catalogues, kind, kind_rows) for kind, kind_rows in rows.items()}


def _seed_kind(catalogues: SharedCatalogues, kind: str, rows: list[dict[str, Any]]) -> int:
    """A seed row the catalogue refuses is logged and left out, so a bad line in a seed file
    never stops the service from starting; the rest is still seeded in one save."""
    rows = list(rows)
    while True:
        try:
            return seed_missing(catalogues, SEED_ACTOR, kind, rows)
        except VersionConflict:  # another process seeded it at the same moment
            return 0
        except ImportRowInvalid as exc:
            log.warning("seed_row_refused", catalogue=kind, row=rows[exc.line - 1], error=exc.message_en)
            del rows[exc.line - 1]
