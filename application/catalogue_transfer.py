"""Import and export of the shared catalogues as rows (the CLI reads and writes CSV or JSON).

An import is all or nothing: every row is applied to one loaded catalogue aggregate and the
lot is saved once, so a bad row (reported with its line number) leaves the store untouched;
rows equal to what is stored emit no event, so importing the same file twice changes nothing.
A holiday file gives whole years: each (unit, year) it mentions becomes exactly its rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date
from typing import Any

from application.errors import ApplicationError
from application.shared_catalogues import SharedCatalogues, aggregate_class
from domain.actor import Actor
from domain.catalogue import DAY_OFF, WORKING_DAY, CatalogueError, DateBothOffAndWorking, check_calendar_unit

Row = dict[str, Any]
Rows = Sequence[tuple[int, Row]]
Progress = Callable[[int], None] | None

COLUMNS: dict[str, tuple[str, ...]] = {
    "units": ("code", "name", "parent", "divisionCode", "active"),
    "holidays": ("unit", "date", "kind", "name"),
    "fields": ("code", "name"),
    "document-types": ("code", "name"),
    "statuses": ("status", "labelVi", "labelEn", "nationalCode"),
}


class ImportRowInvalid(ApplicationError):
    code = "import-row-invalid"
    http_status = 422

    def __init__(self, line: int, vi: str, en: str, field: str = "") -> None:
        super().__init__(f"line {line}: {en}", field=field, line=line)
        self.line = line
        self.message_vi = f"Dòng {line}: {vi}"
        self.message_en = f"Line {line}: {en}"


def _text(row: Row, key: str, required: bool = True) -> str | None:
    value = row.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ImportRowInvalid(0, f"thiếu cột '{key}'", f"'{key}' is missing", key)
        return None
    return str(value).strip()


def _bool(value: Any) -> bool:
    if isinstance(value, bool) or value is None:
        return value is not False
    text = str(value).strip().lower()
    if text in ("", "true", "1", "yes", "có"):
        return True
    if text in ("false", "0", "no", "không"):
        return False
    raise ImportRowInvalid(0, f"'active' phải là true hoặc false, không phải '{value}'",
                           f"'active' must be true or false, not '{value}'", "active")


def _int(value: Any, key: str) -> int:
    try:
        return value if isinstance(value, int) and not isinstance(value, bool) else int(str(value).strip())
    except ValueError:
        raise ImportRowInvalid(0, f"'{key}' phải là số nguyên", f"'{key}' must be a whole number", key) from None


def _at_line(line: int, exc: Exception) -> ImportRowInvalid:
    if isinstance(exc, ImportRowInvalid):
        return ImportRowInvalid(line, exc.message_vi.split(": ", 1)[1], exc.message_en.split(": ", 1)[1],
                                str(exc.extra.get("field", "")))
    vi, en = getattr(exc, "message_vi", str(exc)), getattr(exc, "message_en", str(exc))
    return ImportRowInvalid(line, vi, en, str(getattr(exc, "field", "") or ""))


def _each(rows: Rows, progress: Progress, apply: Callable[[Row], Any]) -> None:
    for line, row in rows:
        try:
            apply(row)
        except (CatalogueError, ImportRowInvalid, ApplicationError) as exc:
            raise _at_line(line, exc) from None
        if progress:
            progress(1)


def apply_rows(catalogues: SharedCatalogues, actor: Actor, kind: str, rows: Rows, *,
               only_missing: bool = False, progress: Progress = None) -> int:
    """The number of events saved (0: the file matched the catalogue)."""
    cls = aggregate_class(kind)
    if kind == "units":
        return catalogues.change(actor, cls, lambda c, at: _units(c, rows, actor, at, only_missing, progress))
    if kind == "holidays":
        known = {u.code for u in catalogues.all()}
        return catalogues.change(actor, cls, lambda c, at: _holidays(c, rows, known, actor, at, progress))

    def named(c: Any, at: Any) -> None:
        def one(row: Row) -> None:
            key = _text(row, "status" if kind == "statuses" else "code")
            if only_missing and key in (c.statuses if kind == "statuses" else c.entries):
                return
            if kind == "statuses":
                c.upsert(status=key, label_vi=_text(row, "labelVi"), label_en=_text(row, "labelEn"),
                         national_code=_int(row.get("nationalCode"), "nationalCode"), actor_id=actor.id, at=at)
            else:
                c.upsert(code=key, name=_text(row, "name"), actor_id=actor.id, at=at)
        _each(rows, progress, one)

    return catalogues.change(actor, cls, named)


def _units(c: Any, rows: Rows, actor: Actor, at: Any, only_missing: bool, progress: Progress) -> None:
    """Parents first, whatever the file's order; retirements last, the deepest units first."""
    seen: dict[str, int] = {}
    pending: list[tuple[int, Row]] = []
    for line, row in rows:
        try:
            code = _text(row, "code")
            entry = {"code": code, "name": _text(row, "name"), "parent": _text(row, "parent", False),
                     "division_code": _text(row, "divisionCode", False), "active": _bool(row.get("active"))}
        except ImportRowInvalid as exc:
            raise _at_line(line, exc) from None
        if code in seen:
            raise ImportRowInvalid(line, f"mã '{code}' đã có ở dòng {seen[code]}",
                                   f"code '{code}' already appears on line {seen[code]}", "code")
        seen[code] = line
        if not (only_missing and code in c.units):
            pending.append((line, entry))
    while pending:
        ready = [(n, e) for n, e in pending if e["parent"] is None or e["parent"] in c.units]
        if not ready:
            ready = pending[:1]  # its parent is nowhere: let the rule say so, at its line
        for line, e in ready:
            keep = c.units[e["code"]]["active"] if e["code"] in c.units and not e["active"] else True
            try:
                c.upsert(code=e["code"], name=e["name"], parent=e["parent"], division_code=e["division_code"],
                         active=keep, actor_id=actor.id, at=at)
            except CatalogueError as exc:
                raise _at_line(line, exc) from None
            if progress:
                progress(1)
        pending = [p for p in pending if p not in ready]

    def depth(code: str) -> int:
        return 0 if c.units[code]["parent"] is None else 1 + depth(c.units[code]["parent"])

    retiring = sorted(((line, e) for line, e in _entries(rows) if not e["active"] and c.units[e["code"]]["active"]),
                      key=lambda p: -depth(p[1]["code"]))
    for line, e in retiring:
        try:
            c.upsert(code=e["code"], name=e["name"], parent=e["parent"], division_code=e["division_code"],
                     active=False, actor_id=actor.id, at=at)
        except CatalogueError as exc:
            raise _at_line(line, exc) from None


def _entries(rows: Rows) -> list[tuple[int, Row]]:
    return [(line, {"code": _text(r, "code"), "name": _text(r, "name"), "parent": _text(r, "parent", False),
                    "division_code": _text(r, "divisionCode", False), "active": _bool(r.get("active"))})
            for line, r in rows]


def _holidays(c: Any, rows: Rows, known: set[str], actor: Actor, at: Any, progress: Progress) -> None:
    years: dict[tuple[str, int], dict[str, dict[str, str]]] = {}
    lines: dict[tuple[str, str], tuple[int, str]] = {}
    for line, row in rows:
        try:
            unit, day, kind, name = (_text(row, k) for k in ("unit", "date", "kind", "name"))
            check_calendar_unit(unit)  # type: ignore[arg-type]
            if unit != "*" and unit not in known:
                raise ImportRowInvalid(0, f"đơn vị '{unit}' không có trong danh mục",
                                       f"unit '{unit}' is not in the catalogue", "unit")
            if kind not in (DAY_OFF, WORKING_DAY):
                raise ImportRowInvalid(0, f"loại ngày phải là {DAY_OFF} hoặc {WORKING_DAY}",
                                       f"kind must be {DAY_OFF} or {WORKING_DAY}", "kind")
            try:
                year = date.fromisoformat(str(day)).year
            except ValueError:
                raise ImportRowInvalid(0, f"ngày '{day}' không đúng định dạng YYYY-MM-DD",
                                       f"date '{day}' is not YYYY-MM-DD", "date") from None
            if (unit, day) in lines:
                first, first_kind = lines[(unit, day)]
                if first_kind != kind:
                    raise DateBothOffAndWorking([str(day)])
                raise ImportRowInvalid(0, f"ngày {day} của '{unit}' đã có ở dòng {first}",
                                       f"{day} of '{unit}' already appears on line {first}", "date")
        except (CatalogueError, ImportRowInvalid) as exc:
            raise _at_line(line, exc) from None
        lines[(unit, day)] = (line, kind)  # type: ignore[index]
        year_days = years.setdefault((unit, year), {DAY_OFF: {}, WORKING_DAY: {}})  # type: ignore[arg-type]
        year_days[kind][day] = name  # type: ignore[index]
    for (unit, year), days in sorted(years.items()):
        first_line = min(n for (u, d), (n, _) in lines.items() if u == unit and d.startswith(f"{year:04d}-"))
        try:
            c.set_year(unit=unit, year=year, days_off=days[DAY_OFF], working_days=days[WORKING_DAY],
                       actor_id=actor.id, at=at)
        except CatalogueError as exc:
            raise _at_line(first_line, exc) from None
        if progress:
            progress(sum(len(v) for v in days.values()))


def export_rows(catalogues: SharedCatalogues, kind: str) -> list[Row]:
    """Rows in a stable order, with the columns of ``COLUMNS[kind]``."""
    aggregate_class(kind)
    if kind == "units":
        return [{"code": u.code, "name": u.name, "parent": u.parent, "divisionCode": u.division_code,
                 "active": u.active} for u in catalogues.units()]
    if kind == "holidays":
        return [{"unit": h.unit, "date": h.date, "kind": h.kind, "name": h.name} for h in catalogues.holidays()]
    if kind == "statuses":
        return [{"status": s.status, "labelVi": s.label_vi, "labelEn": s.label_en, "nationalCode": s.national_code}
                for s in catalogues.statuses()]
    entries = catalogues.fields() if kind == "fields" else catalogues.document_types()
    return [{"code": e.code, "name": e.name} for e in entries]


def seed_missing(catalogues: SharedCatalogues, actor: Actor, kind: str, rows: Iterable[Row]) -> int:
    """Add the entries a seed names that are not there yet; an administrator's edits stay."""
    return apply_rows(catalogues, actor, kind, list(enumerate(rows, start=1)), only_missing=True)
