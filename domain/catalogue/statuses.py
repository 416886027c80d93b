"""The dossier status catalogue: each local status with its labels and its national code.

The set of local statuses is fixed by the dossier's transition table (``domain.dossier.status``);
what an administrator maintains is how each is shown (Vietnamese and English labels) and which
of the ten national codes it is reported as. An unknown local status or national code is
refused, so the mapping stays total and single-valued.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from eventsourcing.domain import Aggregate

from domain.catalogue.errors import UnknownLocalStatus, UnknownNationalStatus
from domain.catalogue.rules import check_name
from domain.catalogue.units import CATALOGUE_NAMESPACE
from domain.dossier.status import LocalStatus, NationalStatus


def check_local_status(value: str) -> str:
    if value not in {s.value for s in LocalStatus}:
        raise UnknownLocalStatus(str(value))
    return value


def check_national_code(value: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value not in {int(s) for s in NationalStatus}:
        raise UnknownNationalStatus(value)
    return value


class StatusCatalogue(Aggregate):
    ID = uuid.uuid5(CATALOGUE_NAMESPACE, "statuses")

    class Opened(Aggregate.Created):
        pass

    @classmethod
    def open(cls, at: datetime) -> StatusCatalogue:
        return cls._create(cls.Opened, id=cls.ID, timestamp=at)

    def __init__(self, **_: Any) -> None:
        self.statuses: dict[str, dict[str, Any]] = {}

    class StatusEntered(Aggregate.Event):
        status: str
        label_vi: str
        label_en: str
        national_code: int
        actor_id: str

        def apply(self, aggregate: StatusCatalogue) -> None:  # type: ignore[override]
            aggregate.statuses[self.status] = {
                "status": self.status, "label_vi": self.label_vi, "label_en": self.label_en,
                "national_code": self.national_code, "changed_by": self.actor_id,
                "changed_at": self.timestamp.isoformat(),
            }

    class StatusRelabelled(Aggregate.Event):
        status: str
        label_vi: str
        label_en: str
        actor_id: str

        def apply(self, aggregate: StatusCatalogue) -> None:  # type: ignore[override]
            aggregate.statuses[self.status].update(label_vi=self.label_vi, label_en=self.label_en,
                                                   changed_by=self.actor_id, changed_at=self.timestamp.isoformat())

    class StatusRemapped(Aggregate.Event):
        status: str
        national_code: int
        actor_id: str

        def apply(self, aggregate: StatusCatalogue) -> None:  # type: ignore[override]
            aggregate.statuses[self.status].update(national_code=self.national_code, changed_by=self.actor_id,
                                                   changed_at=self.timestamp.isoformat())

    def upsert(self, *, status: str, label_vi: str, label_en: str, national_code: int,
               actor_id: str, at: datetime) -> bool:
        check_local_status(status)
        label_vi, label_en = check_name(label_vi, "labelVi"), check_name(label_en, "labelEn")
        check_national_code(national_code)
        current = self.statuses.get(status)
        if current is None:
            self.trigger_event(self.StatusEntered, timestamp=at, status=status, label_vi=label_vi,
                               label_en=label_en, national_code=national_code, actor_id=actor_id)
            return True
        changed = False
        if (current["label_vi"], current["label_en"]) != (label_vi, label_en):
            self.trigger_event(self.StatusRelabelled, timestamp=at, status=status, label_vi=label_vi,
                               label_en=label_en, actor_id=actor_id)
            changed = True
        if current["national_code"] != national_code:
            self.trigger_event(self.StatusRemapped, timestamp=at, status=status, national_code=national_code,
                               actor_id=actor_id)
            changed = True
        return changed
