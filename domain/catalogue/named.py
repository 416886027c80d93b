"""Two code-and-name catalogues: fields (lĩnh vực) and document types (loại giấy tờ).

Same shape, but separate aggregates with their own specific events, so an auditor reading a
stream sees ``FieldRenamed`` rather than a generic update, and each list loads on its own.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from eventsourcing.domain import Aggregate

from domain.catalogue.rules import check_code, check_name
from domain.catalogue.units import CATALOGUE_NAMESPACE


def _entry(code: str, name: str, actor_id: str, at: datetime) -> dict[str, str]:
    return {"code": code, "name": name, "changed_by": actor_id, "changed_at": at.isoformat()}


class FieldCatalogue(Aggregate):
    ID = uuid.uuid5(CATALOGUE_NAMESPACE, "fields")

    class Opened(Aggregate.Created):
        pass

    @classmethod
    def open(cls, at: datetime) -> FieldCatalogue:
        return cls._create(cls.Opened, id=cls.ID, timestamp=at)

    def __init__(self, **_: Any) -> None:
        self.entries: dict[str, dict[str, str]] = {}

    class FieldRegistered(Aggregate.Event):
        code: str
        name: str
        actor_id: str

        def apply(self, aggregate: FieldCatalogue) -> None:  # type: ignore[override]
            aggregate.entries[self.code] = _entry(self.code, self.name, self.actor_id, self.timestamp)

    class FieldRenamed(Aggregate.Event):
        code: str
        name: str
        actor_id: str

        def apply(self, aggregate: FieldCatalogue) -> None:  # type: ignore[override]
            aggregate.entries[self.code] = _entry(self.code, self.name, self.actor_id, self.timestamp)

    def upsert(self, *, code: str, name: str, actor_id: str, at: datetime) -> bool:
        check_code(code)
        name = check_name(name)
        current = self.entries.get(code)
        if current is None:
            self.trigger_event(self.FieldRegistered, timestamp=at, code=code, name=name, actor_id=actor_id)
        elif current["name"] != name:
            self.trigger_event(self.FieldRenamed, timestamp=at, code=code, name=name, actor_id=actor_id)
        else:
            return False
        return True


class DocumentTypeCatalogue(Aggregate):
    ID = uuid.uuid5(CATALOGUE_NAMESPACE, "document-types")

    class Opened(Aggregate.Created):
        pass

    @classmethod
    def open(cls, at: datetime) -> DocumentTypeCatalogue:
        return cls._create(cls.Opened, id=cls.ID, timestamp=at)

    def __init__(self, **_: Any) -> None:
        self.entries: dict[str, dict[str, str]] = {}

    class DocumentTypeRegistered(Aggregate.Event):
        code: str
        name: str
        actor_id: str

        def apply(self, aggregate: DocumentTypeCatalogue) -> None:  # type: ignore[override]
            aggregate.entries[self.code] = _entry(self.code, self.name, self.actor_id, self.timestamp)

    class DocumentTypeRenamed(Aggregate.Event):
        code: str
        name: str
        actor_id: str

        def apply(self, aggregate: DocumentTypeCatalogue) -> None:  # type: ignore[override]
            aggregate.entries[self.code] = _entry(self.code, self.name, self.actor_id, self.timestamp)

    def upsert(self, *, code: str, name: str, actor_id: str, at: datetime) -> bool:
        check_code(code)
        name = check_name(name)
        current = self.entries.get(code)
        if current is None:
            self.trigger_event(self.DocumentTypeRegistered, timestamp=at, code=code, name=name, actor_id=actor_id)
        elif current["name"] != name:
            self.trigger_event(self.DocumentTypeRenamed, timestamp=at, code=code, name=name, actor_id=actor_id)
        else:
            return False
        return True
