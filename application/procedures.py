"""The ``Procedures`` application: the event-sourced procedure catalogue.

It implements the ``ProcedureCatalogue`` port the dossier service reads (the current published
version of a code, or the version a dossier pinned), and the administrator's commands: create
(version 1 as a draft), amend a draft, revise (a new draft version), publish, suspend, resume,
withdraw. Every procedure is loaded by id (``uuid5`` of its national code); the catalogue's list
of codes is the small ``ProcedureRegister`` stream, saved with each new procedure.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from application.base import IsolatedApplication
from application.catalogue import ProcedureCatalogue, ProcedureStep, ProcedureVersion, TimeLimit
from application.clock import Clock
from application.errors import AccessDenied, ApplicationError, ProcedureNotFound, VersionConflict
from application.forms import check_form_schema
from application.read_cache import LatestVersionCache
from domain.actor import Actor, Role
from domain.procedure import Procedure, ProcedureRegister, fee_total, procedure_id

ADMIN_ROLES = frozenset({Role.ADMINISTRATOR, Role.SYSTEM})


class ProcedureSuspended(ApplicationError):
    code = "procedure-suspended"
    message_vi = "Thủ tục hành chính đang tạm dừng tiếp nhận hồ sơ"
    message_en = "The procedure is suspended and takes no new dossiers"
    http_status = 409


class ProcedureExists(ApplicationError):
    code = "procedure-exists"
    message_vi = "Mã thủ tục hành chính đã có trong danh mục"
    message_en = "A procedure with this national code already exists"
    http_status = 409


# ----- wire (camelCase, as in the seed file and the API) <-> terms (snake_case) -----

_TOP = {"name", "field", "description", "implementingUnits", "receivingUnits", "handlingUnit", "serviceLevel",
        "channels", "processingTime", "feeStopsClock", "steps", "fees", "components", "formSchema",
        "resultDocuments", "legalBasis", "guidance", "source"}


def _snake(name: str) -> str:
    return re.sub(r"(?<!^)([A-Z])", r"_\1", name).lower()


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(p.title() for p in rest)


def terms_from_wire(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Top-level keys and the keys of steps, fees and components become snake_case; the form
    schema and processing times are kept as given (JSON Schema keywords are camelCase)."""
    terms: dict[str, Any] = {}
    for key, value in raw.items():
        if key not in _TOP:
            if key in ("code", "version", "_comment"):
                continue
            terms[key] = value  # check_terms names it as unknown
            continue
        if key in ("steps", "fees", "components") and isinstance(value, list):
            value = [{_snake(k): v for k, v in item.items()} if isinstance(item, dict) else item for item in value]
        terms[_snake(key)] = value
    if "fee" in raw and "fees" not in raw:  # the first seed format had one fixed fee
        terms.pop("fee", None)
        terms["fees"] = [{"name": "Lệ phí", "amount": int(raw["fee"]), "payable_online": True}] if raw["fee"] else []
    return terms


def terms_to_wire(terms: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in terms.items():
        if key in ("steps", "fees", "components"):
            value = [{_camel(k): v for k, v in item.items()} for item in value]
        out[_camel(key)] = value
    return out


def version_of(procedure: Procedure, version: int) -> ProcedureVersion:
    t = procedure.terms_of(version)
    status = ("withdrawn" if procedure.withdrawn else "suspended" if procedure.suspended else "published") \
        if procedure.is_published(version) else "draft"
    return ProcedureVersion(
        code=procedure.code, version=version, name=t["name"], field=t["field"],
        receiving_units=tuple(t["receiving_units"]), handling_unit=t["handling_unit"],
        service_level=t["service_level"], channels=tuple(t["channels"]),
        processing_time={k: TimeLimit(int(v["value"]), v["unit"]) for k, v in t["processing_time"].items()},
        fee_stops_clock=bool(t["fee_stops_clock"]), fee=fee_total(t),
        steps=tuple(ProcedureStep(s["name"], s.get("unit", ""), s.get("role", ""), int(s["hours"])) for s in t["steps"]),
        description=t["description"], implementing_units=tuple(t["implementing_units"]), fees=tuple(t["fees"]),
        components=tuple(t["components"]), form_schema=t["form_schema"],
        result_documents=tuple(t["result_documents"]), legal_basis=tuple(t["legal_basis"]),
        guidance=t["guidance"], source=t["source"], status=status,
    )


def check_administrator(actor: Actor) -> None:
    if actor.role not in ADMIN_ROLES:
        raise AccessDenied("only an administrator maintains the procedure catalogue")


class Procedures(ProcedureCatalogue, IsolatedApplication):
    name = "Procedures"
    snapshotting_intervals = {ProcedureRegister: 50}

    def __init__(self, env: dict[str, str], *, clock: Clock) -> None:
        super().__init__(env)
        self.clock = clock
        self._cache = LatestVersionCache(self)

    # ----- loading -----

    def load(self, code: str) -> Procedure:
        try:
            return self.repository.get(procedure_id(code))  # type: ignore[no-any-return]
        except AggregateNotFoundError:
            raise ProcedureNotFound(f"procedure {code!r} is not in the catalogue", field="procedureCode") from None

    def exists(self, code: str) -> bool:
        return procedure_id(code) in self.repository

    def codes(self) -> list[str]:
        try:
            register: ProcedureRegister = self.repository.get(ProcedureRegister.ID)
        except AggregateNotFoundError:
            return []
        return list(register.codes)

    # ----- the ProcedureCatalogue port -----

    def _read(self, code: str) -> Procedure:
        """A shared read-only copy (application/read_cache.py): every submission and every
        document attached reads its procedure, which changes rarely."""
        procedure = self._cache.get(procedure_id(code))
        if procedure is None:
            raise ProcedureNotFound(f"procedure {code!r} is not in the catalogue", field="procedureCode")
        return procedure  # type: ignore[no-any-return]

    def get(self, code: str, version: int | None = None) -> ProcedureVersion:
        """The current published version (refused while suspended or withdrawn), or a pinned
        published version whatever happened since, so a dossier keeps its terms."""
        procedure = self._read(code)
        if version is None:
            if procedure.current_version is None or procedure.withdrawn:
                raise ProcedureNotFound(f"procedure {code!r} has no published version", field="procedureCode")
            if procedure.suspended:
                raise ProcedureSuspended(f"procedure {code!r} is suspended", field="procedureCode")
            version = procedure.current_version
        if version not in procedure.versions or not procedure.is_published(version):
            raise ProcedureNotFound(f"procedure {code!r} has no published version {version}", field="procedureVersion")
        return version_of(procedure, version)

    def list(self) -> list[ProcedureVersion]:
        out = []
        for code in self.codes():
            procedure = self._read(code)
            if procedure.current_version is not None and not procedure.suspended and not procedure.withdrawn:
                out.append(version_of(procedure, procedure.current_version))
        return sorted(out, key=lambda p: p.code)

    def view(self, actor: Actor, code: str, version: int | None = None) -> ProcedureVersion:
        """Any version, drafts included, for the administrator."""
        check_administrator(actor)
        procedure = self.load(code)
        version = version or procedure.latest_version
        if version not in procedure.versions:
            raise ProcedureNotFound(f"procedure {code!r} has no version {version}", field="version")
        return version_of(procedure, version)

    # ----- commands (administrator) -----

    def create(self, actor: Actor, code: str, terms: dict[str, Any]) -> ProcedureVersion:
        check_administrator(actor)
        check_form_schema(terms.get("form_schema"))
        if self.exists(code):
            raise ProcedureExists(code, field="code")
        at = self.clock.now()
        procedure = Procedure.draft(code=code, terms=terms, actor_id=actor.id, at=at)
        self._save_new(procedure, at)
        return version_of(procedure, 1)

    def amend(self, actor: Actor, code: str, version: int, terms: dict[str, Any]) -> ProcedureVersion:
        check_administrator(actor)
        check_form_schema(terms.get("form_schema"))
        procedure = self.load(code)
        procedure.amend(version, terms, actor_id=actor.id, at=self._at(procedure))
        self._save(procedure)
        return version_of(procedure, version)

    def revise(self, actor: Actor, code: str, terms: dict[str, Any], reason: str) -> ProcedureVersion:
        check_administrator(actor)
        check_form_schema(terms.get("form_schema"))
        procedure = self.load(code)
        version = procedure.revise(terms, reason=reason, actor_id=actor.id, at=self._at(procedure))
        self._save(procedure)
        return version_of(procedure, version)

    def publish(self, actor: Actor, code: str, version: int) -> ProcedureVersion:
        check_administrator(actor)
        procedure = self.load(code)
        procedure.publish(version, actor_id=actor.id, at=self._at(procedure))
        self._save(procedure)
        return version_of(procedure, version)

    def suspend(self, actor: Actor, code: str, reason: str) -> ProcedureVersion:
        check_administrator(actor)
        procedure = self.load(code)
        procedure.suspend(reason, actor_id=actor.id, at=self._at(procedure))
        self._save(procedure)
        return version_of(procedure, procedure.current_version or procedure.latest_version)

    def resume(self, actor: Actor, code: str) -> ProcedureVersion:
        check_administrator(actor)
        procedure = self.load(code)
        procedure.resume(actor_id=actor.id, at=self._at(procedure))
        self._save(procedure)
        return version_of(procedure, procedure.current_version or procedure.latest_version)

    def withdraw(self, actor: Actor, code: str, reason: str) -> None:
        check_administrator(actor)
        procedure = self.load(code)
        procedure.withdraw(reason, actor_id=actor.id, at=self._at(procedure))
        self._save(procedure)

    def import_published(self, actor: Actor, code: str, terms: dict[str, Any]) -> bool:
        """Draft and publish in one save, unless the code exists (seed import; idempotent, and
        two processes importing at once leave one procedure, the loser's save failing)."""
        check_administrator(actor)
        if self.exists(code):
            return False
        check_form_schema(terms.get("form_schema"))
        at = self.clock.now()
        procedure = Procedure.draft(code=code, terms=terms, actor_id=actor.id, at=at)
        procedure.publish(1, actor_id=actor.id, at=at)
        try:
            self._save_new(procedure, at)
        except ProcedureExists:
            return False
        return True

    def import_published_many(self, actor: Actor, items: list[tuple[str, dict[str, Any]]]) -> list[str]:
        """``import_published`` for a whole seed file in one save (one transaction instead of one
        per procedure); if another process imported some at the same moment, falls back to one
        save per procedure, which settles who made each."""
        check_administrator(actor)
        missing = [(code, terms) for code, terms in items if not self.exists(code)]
        if not missing:
            return []
        at = self.clock.now()
        procedures = []
        for code, terms in missing:
            check_form_schema(terms.get("form_schema"))
            procedure = Procedure.draft(code=code, terms=terms, actor_id=actor.id, at=at)
            procedure.publish(1, actor_id=actor.id, at=at)
            procedures.append(procedure)
        try:
            register: ProcedureRegister = self.repository.get(ProcedureRegister.ID)
        except AggregateNotFoundError:
            register = ProcedureRegister.open(at)
        for procedure in procedures:
            register.add(procedure.code, max(at, register.modified_on))
        try:
            self.save(register, *procedures)
        except IntegrityError:
            return [code for code, terms in missing if self.import_published(actor, code, terms)]
        return [code for code, _ in missing]

    # ----- helpers -----

    def _at(self, procedure: Procedure) -> Any:
        return max(self.clock.now(), procedure.modified_on)

    def _save(self, procedure: Procedure) -> None:
        try:
            self.save(procedure)
        except IntegrityError:
            raise VersionConflict(f"procedure {procedure.code} was changed by someone else") from None

    def _save_new(self, procedure: Procedure, at: Any) -> None:
        for _ in range(20):
            try:
                register: ProcedureRegister = self.repository.get(ProcedureRegister.ID)
            except AggregateNotFoundError:
                register = ProcedureRegister.open(at)
            register.add(procedure.code, max(at, register.modified_on))
            try:
                self.save(register, procedure)
                return
            except IntegrityError:
                if self.exists(procedure.code):
                    raise ProcedureExists(procedure.code, field="code") from None
        raise VersionConflict("the procedure register is busy; try again")
