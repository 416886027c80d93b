"""The Dossier aggregate (hồ sơ): one application, one procedure version, one applicant.

Its event stream is the processing-control slip and the audit trail. The commands live in
mixins grouped by phase, each event beside its command; this module adds the creation event
and assembles the aggregate. Its id is `dossier_id(code)`, so anyone holding the code can load
it without an index.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, cast

from dataclasses import asdict

from eventsourcing.domain import Aggregate, AggregateCreated, Snapshot

from domain.actor import Actor
from domain.dossier.base import DossierBase, DossierEvent, HandOver, by
from domain.dossier.code import DossierCode
from domain.dossier.endings import Endings
from domain.dossier.errors import InvalidDossierCode, InvalidValue
from domain.dossier.exchanges import Exchanges
from domain.dossier.ids import dossier_id
from domain.dossier.processing import Processing
from domain.dossier.reception import Reception
from domain.dossier.rules import (
    check_applicant,
    check_channel,
    check_flag,
    check_instant,
    check_processing_time,
    check_representative,
    check_role,
    check_steps,
    check_text,
)
from domain.dossier.status import LocalStatus
from domain.dossier.transitions import SUBMIT_ROLES
from domain.dossier.waits import Waits


class Dossier(Reception, Waits, Processing, Endings, Exchanges, Aggregate):
    """Aggregate root; read properties in `DossierBase`, commands in the mixins.

    eventsourcing re-declares every event of the mixins on this class (`Dossier.Received`
    subclasses `Reception.Received` and `Dossier.Event`), so stored topics read
    `domain.dossier.aggregate:Dossier.<Event>` whichever mixin a command lives in. All
    events are also instances of `DossierEvent` (actor fields and `status`).
    """

    class Snapshot(Snapshot):
        """The library's snapshot stores ``vars(aggregate)`` through the JSON transcoder, which
        knows neither the hand-over rows nor that a ``StrEnum`` is more than a string; so the
        state goes out as plain data and comes back typed, or a dossier loaded from its 50th
        event would have a bare-string status."""

        @classmethod
        def take(cls, aggregate: Any) -> Dossier.Snapshot:
            snapshot = super().take(aggregate)
            snapshot.state["_hand_overs"] = [asdict(row) for row in aggregate._hand_overs]
            return snapshot

        def mutate(self, _: None) -> Dossier:
            dossier = cast(Dossier, super().mutate(_))
            dossier._status = LocalStatus(dossier._status)
            if dossier._resume_status is not None:
                dossier._resume_status = LocalStatus(dossier._resume_status)
            dossier._hand_overs = [HandOver(**row) if isinstance(row, dict) else row for row in dossier._hand_overs]
            return dossier

    class Submitted(DossierEvent, AggregateCreated):
        """Filed (online, at the counter or by post) under a pinned procedure version.

        Carries from the start what statistics and the read side need, because stored events
        are never rewritten: procedure code and version, field, receiving unit, channel, a
        pseudonymous applicant key, the processing time and the internal process steps.
        """

        code: str
        procedure_code: str
        procedure_version: int
        procedure_name: str
        field: str
        receiving_unit: str
        channel: str
        applicant: dict[str, Any]
        applicant_key: str
        representative: dict[str, Any] | None
        form: dict[str, Any]
        lookup_secret_hmac: str
        processing_time_value: int
        processing_time_unit: str
        fee_stops_clock: bool
        steps: list[dict[str, Any]]

        def apply(self, aggregate: Any) -> None:
            super().apply(aggregate)
            dossier = cast("DossierBase", aggregate)
            dossier.code = self.code
            dossier.procedure_code = self.procedure_code
            dossier.procedure_version = self.procedure_version
            dossier.procedure_name = self.procedure_name
            dossier.field = self.field
            dossier.receiving_unit = self.receiving_unit
            dossier.channel = self.channel
            dossier.applicant = dict(self.applicant)
            dossier.applicant_key = self.applicant_key
            dossier.representative = (
                dict(self.representative) if self.representative is not None else None
            )
            dossier.form = dict(self.form)
            dossier.lookup_secret_hmac = self.lookup_secret_hmac
            dossier.processing_time_value = self.processing_time_value
            dossier.processing_time_unit = self.processing_time_unit
            dossier.fee_stops_clock = self.fee_stops_clock
            dossier.steps = [dict(step) for step in self.steps]

    @classmethod
    def submit(
        cls,
        *,
        actor: Actor,
        at: datetime,
        code: str,
        procedure_code: str,
        procedure_version: int,
        procedure_name: str,
        field: str,
        receiving_unit: str,
        channel: str,
        applicant: Mapping[str, Any],
        applicant_key: str,
        representative: Mapping[str, Any] | None,
        form: Mapping[str, Any],
        lookup_secret_hmac: str,
        processing_time_value: int,
        processing_time_unit: str,
        fee_stops_clock: bool,
        steps: Sequence[Mapping[str, Any]],
    ) -> Dossier:
        """File a dossier under an already allocated code (see `DossierCodeCounter`)."""
        check_role("submit", actor, SUBMIT_ROLES)
        at = check_instant(at)
        if DossierCode.parse(code).unit != receiving_unit:
            raise InvalidDossierCode(
                "code", "không thuộc đơn vị tiếp nhận", "does not belong to the receiving unit"
            )
        if isinstance(procedure_version, bool) or not isinstance(procedure_version, int) \
                or procedure_version < 1:
            raise InvalidValue("procedure_version", "phải là số nguyên dương",
                               "must be a positive integer")
        if not isinstance(form, Mapping):
            raise InvalidValue("form", "phải là một đối tượng", "must be an object")
        processing_time = check_processing_time(processing_time_value, processing_time_unit)
        return cls._create(
            cls.Submitted,
            id=dossier_id(code),
            timestamp=at,
            **by(actor),
            status=LocalStatus.SUBMITTED.value,
            code=code,
            procedure_code=check_text(procedure_code, "procedure_code"),
            procedure_version=procedure_version,
            procedure_name=check_text(procedure_name, "procedure_name"),
            field=check_text(field, "field"),
            receiving_unit=receiving_unit,
            channel=check_channel(channel),
            applicant=check_applicant(applicant),
            applicant_key=check_text(applicant_key, "applicant_key"),
            representative=check_representative(representative),
            form=dict(form),
            lookup_secret_hmac=check_text(lookup_secret_hmac, "lookup_secret_hmac"),
            processing_time_value=processing_time.value,
            processing_time_unit=processing_time.unit.value,
            fee_stops_clock=check_flag(fee_stops_clock, "fee_stops_clock"),
            steps=check_steps(steps),
        )
