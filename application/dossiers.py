"""The ``Dossiers`` application: one command method per lifecycle step.

A command loads the dossier by id (``uuid5`` of its code, so no index is consulted), checks the
caller's role and scope, checks the client's expected version, lets the aggregate decide, and
saves. Infrastructure errors are translated here, once: a missing aggregate becomes
``DossierNotFound``, a lost save race ``VersionConflict``, a repeated ``Idempotency-Key`` the
first result again.
"""

from __future__ import annotations

import hashlib
import hmac
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import msgspec
from eventsourcing.application import AggregateNotFoundError
from eventsourcing.persistence import IntegrityError

from application.access_log import AccessContext, Accesses
from application.base import IsolatedApplication
from application.catalogue import ProcedureCatalogue
from application.clock import Clock
from application.commands import CommandResult, Idempotency, replay
from application.errors import ApplicationError, DossierNotFound, StaleVersion, VersionConflict
from application.dossier_lifecycle import LifecycleCommands
from application.dossier_views import DossierState, state_of
from application.forms import check_form
from application.lookup_secrets import LookupSecrets
from application.policy import check_can_see, check_command_allowed
from domain.actor import Actor, Role
from domain.calendar import WorkingCalendar
from domain.dossier import Dossier, DossierCodeCounter, counter_id, dossier_id, is_dossier_code

CalendarFor = Callable[[str], WorkingCalendar]
ScopeOf = Callable[[str], frozenset[str]]
MAX_CODE_RETRIES = 200


class InvalidSubmission(ApplicationError):
    code = "invalid-submission"
    message_vi = "Thông tin nộp hồ sơ không hợp lệ"
    message_en = "The submission is not valid"
    http_status = 422


@dataclass(frozen=True)
class Submission:
    procedure_code: str
    channel: str
    applicant: Mapping[str, Any]
    form: Mapping[str, Any]
    procedure_version: int | None = None
    receiving_unit: str | None = None
    representative: Mapping[str, Any] | None = None
    applicant_account: str = ""


@dataclass(frozen=True)
class DossierView:
    """What the policy needs to decide who may see a dossier."""

    applicant_account: str
    units: frozenset[str]


def dossier_scope(dossier: Dossier) -> DossierView:
    units = {dossier.receiving_unit}
    units.update(h.to_unit for h in dossier.hand_overs)
    units.update(step.get("unit", "") for step in dossier.steps)
    return DossierView(applicant_account=str(dossier.applicant.get("id") or ""), units=frozenset(u for u in units if u))


class Dossiers(LifecycleCommands, IsolatedApplication):
    name = "Dossiers"
    # A busy unit's day counter and a long dossier are rebuilt from a recent snapshot, not
    # from their whole stream (eventsourcing takes them after a save at these versions).
    snapshotting_intervals = {DossierCodeCounter: 50, Dossier: 50}

    def __init__(self, env: dict[str, str], *, clock: Clock, catalogue: ProcedureCatalogue,
                 calendar_for: CalendarFor, scope_of: ScopeOf, lookup_secrets: LookupSecrets,
                 applicant_key_secret: str, accesses: Accesses) -> None:
        super().__init__(env)
        self.clock = clock
        self.catalogue = catalogue
        self.calendar_for = calendar_for
        self.scope_of = scope_of
        self.lookup_secrets = lookup_secrets
        self._applicant_key_secret = applicant_key_secret.encode()
        self.accesses: Accesses = accesses

    # ----- reading one dossier (by id: always current, so its ETag is too) -----

    def load(self, code: str) -> Dossier:
        if not is_dossier_code(code):
            raise DossierNotFound(code)
        try:
            return self.repository.get(dossier_id(code))  # type: ignore[no-any-return]
        except AggregateNotFoundError:
            raise DossierNotFound(code) from None

    def get(self, actor: Actor, code: str) -> Dossier:
        dossier = self.load(code)
        check_can_see(actor, dossier_scope(dossier), self.scope_of, code)
        return dossier

    def view(self, actor: Actor, code: str, access: AccessContext | None = None) -> DossierState:
        self.accesses.before_read(actor, access)
        state = state_of(self.get(actor, code), self.clock.now())
        self.accesses.read(actor, "read-dossier", code, access)
        return state

    def messages(self, actor: Actor, code: str, access: AccessContext | None = None) -> list[dict[str, Any]]:
        self.accesses.before_read(actor, access)
        messages = [dict(m) for m in self.get(actor, code).messages]
        self.accesses.read(actor, "read-messages", code, access)
        return messages

    def calendar_of(self, dossier: Dossier) -> WorkingCalendar:
        return self.calendar_for(dossier.receiving_unit)

    # ----- submission -----

    def submit(self, actor: Actor, submission: Submission, idempotency: Idempotency | None = None) -> CommandResult:
        check_command_allowed(actor, "submit")
        first = replay(self.recorder, idempotency)  # type: ignore[arg-type]
        if first is not None:
            return self._with_position(first)
        # New filings go under the current published version only; older versions stay readable
        # for the dossiers pinned to them.
        procedure = self.catalogue.get(submission.procedure_code)
        if submission.procedure_version is not None and submission.procedure_version != procedure.version:
            raise InvalidSubmission(
                f"procedure {procedure.code} is filed under its current version {procedure.version}",
                field="procedureVersion",
            )
        unit = submission.receiving_unit or procedure.receiving_units[0]
        if unit not in procedure.receiving_units:
            raise InvalidSubmission(f"unit {unit} does not receive procedure {procedure.code}", field="receivingUnit")
        if submission.channel not in procedure.channels:
            raise InvalidSubmission(f"procedure {procedure.code} is not offered through {submission.channel}", field="channel")
        applicant = dict(submission.applicant)
        applicant.setdefault("kind", "citizen")
        if actor.role == Role.CITIZEN:
            if submission.channel != "online":
                raise InvalidSubmission("citizens file online; counter and postal filings are made by officers", field="channel")
            applicant["id"] = actor.id
            applicant.setdefault("name", actor.name)
        else:
            if submission.channel == "online":
                raise InvalidSubmission("officers file counter or postal dossiers on an applicant's behalf", field="channel")
            # A walk-in applicant without an account gets an id no account can ever have.
            applicant["id"] = submission.applicant_account or "walk-in:" + self._applicant_key(applicant)[:16]
        if not str(applicant.get("name") or "").strip():
            raise InvalidSubmission("the applicant's name is required", field="applicant.name")
        # The pinned version's e-form schema (none: any form); every bad field listed, nothing kept.
        check_form(getattr(procedure, "form_schema", None), submission.form)
        limit = procedure.time_limit_for(submission.channel)
        secret, secret_hmac = self.lookup_secrets.new()
        calendar = self.calendar_for(unit)
        for attempt in range(MAX_CODE_RETRIES):
            at = self.clock.now()
            local_date = calendar.local_date(at)
            try:
                counter: DossierCodeCounter = self.repository.get(counter_id(unit, local_date))
            except AggregateNotFoundError:
                counter = DossierCodeCounter.open(unit, local_date, at)
            code = counter.allocate(at)
            dossier = Dossier.submit(
                actor=actor, at=at, code=code, procedure_code=procedure.code,
                procedure_version=procedure.version, procedure_name=procedure.name, field=procedure.field,
                receiving_unit=unit, channel=submission.channel, applicant=applicant,
                applicant_key=self._applicant_key(applicant), representative=submission.representative,
                form=submission.form, lookup_secret_hmac=secret_hmac,
                processing_time_value=limit.value, processing_time_unit=limit.unit,
                fee_stops_clock=procedure.fee_stops_clock,
                steps=[{"name": s.name, "unit": s.unit, "role": s.role, "hours": s.hours} for s in procedure.steps],
            )
            kept = self._result(dossier, 0, lookup_secret=self.lookup_secrets.seal(secret))
            try:
                recordings = self.save(counter, dossier, **self._idem_kwargs(idempotency, kept, at))
            except IntegrityError:
                first = replay(self.recorder, idempotency)  # type: ignore[arg-type]
                if first is not None:
                    return self._with_position(first)
                # Another submission took this number: back off a little (jitter spreads the
                # contenders) and allocate the next one.
                time.sleep(random.uniform(0, min(0.002 * (attempt + 1), 0.05)))
                continue
            return self._result(dossier, recordings[-1].notification.id, lookup_secret=secret)
        raise VersionConflict("could not allocate a dossier code; try again")

    def _applicant_key(self, applicant: Mapping[str, Any]) -> str:
        """Pseudonymous and stable per person, so statistics can count repeat applicants."""
        basis = str(applicant.get("id_number") or applicant.get("id") or applicant.get("name") or "")
        return hmac.new(self._applicant_key_secret, basis.encode(), hashlib.sha256).hexdigest()[:32]

    # ----- every other command -----

    def run(self, actor: Actor, code: str, command: str, expected_version: int | None,
            decide: Callable[[Dossier, Any], None], idempotency: Idempotency | None = None) -> CommandResult:
        """Load, check, let the aggregate decide, save; the one path of every lifecycle command."""
        check_command_allowed(actor, command)
        first = replay(self.recorder, idempotency)  # type: ignore[arg-type]
        if first is not None:
            return self._with_position(first)
        dossier = self.get(actor, code)
        if expected_version is not None and dossier.version != expected_version:
            raise StaleVersion(dossier.version)
        # Another API process's clock may be a few milliseconds ahead: never record an instant
        # before the dossier's last event (state-at-instant replays rely on their order).
        at = max(self.clock.now(), dossier.modified_on)
        decide(dossier, at)
        result = self._result(dossier, 0)
        try:
            recordings = self.save(dossier, **self._idem_kwargs(idempotency, result, at, status=200))
        except IntegrityError:
            first = replay(self.recorder, idempotency)  # type: ignore[arg-type]
            if first is not None:
                return self._with_position(first)
            raise VersionConflict(f"dossier {code} was changed by someone else") from None
        return self._result(dossier, recordings[-1].notification.id)

    # ----- helpers -----

    @staticmethod
    def _idem_kwargs(idem: Idempotency | None, result: CommandResult, at: Any, status: int = 201) -> dict[str, Any]:
        return {"idempotency": idem.record(result, at, status)} if idem else {}

    def _with_position(self, result: CommandResult) -> CommandResult:
        """A replayed result: any position at or after the original write will do for waiting."""
        secret = self.lookup_secrets.unseal(result.lookup_secret) if result.lookup_secret else None
        return msgspec.structs.replace(result, position=self.recorder.max_notification_id(), lookup_secret=secret)

    @staticmethod
    def _result(dossier: Dossier, position: int, lookup_secret: str | None = None) -> CommandResult:
        return CommandResult(
            id=str(dossier.id), code=dossier.code, version=dossier.version, position=position,
            status=dossier.status.value, national_status=int(dossier.national_status), lookup_secret=lookup_secret,
        )
