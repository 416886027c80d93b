"""Two code-and-name catalogues: fields (lĩnh vực) and document types (loại giấy tờ).

Same shape, but separate aggregates with their own specific events, so an auditor reading a
stream sees ``FieldRenamed`` rather than a generic update, and each list loads on its own.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, ClassVar

from eventsourcing.domain import Aggregate

from domain.catalogue.rules import check_code, check_name
from domain.catalogue.units import CATALOGUE_NAMESPACE


def _entry(code: str, name: str, actor_id: str, at: datetime) -> dict[str, str]:
    return {"code": code, "name": name, "changed_by": actor_id, "changed_at": at.isoformat()}


class _NamedCatalogue(Aggregate):
    """What both catalogues share. Each subclass declares its own ``Opened``, registered and
    renamed events (their topics name the subclass and are stored) and names them in
    ``_registered`` / ``_renamed``; each sets ``entries`` in its own ``__init__`` (the library
    builds the created event from the ``__init__`` of the class it is declared on)."""

    _registered: ClassVar[type[Aggregate.Event]]
    _renamed: ClassVar[type[Aggregate.Event]]

    def _apply_entry(self, event: Any) -> None:
        self.entries[event.code] = _entry(event.code, event.name, event.actor_id, event.timestamp)

    def upsert(self, *, code: str, name: str, actor_id: str, at: datetime) -> bool:
        check_code(code)
        name = check_name(name)
        current = self.entries.get(code)
        if current is None:
            self.trigger_event(self._registered, timestamp=at, code=code, name=name, actor_id=actor_id)
        elif current["name"] != name:
            self.trigger_event(self._renamed, timestamp=at, code=code, name=name, actor_id=actor_id)
        else:
            return False
        return True


class FieldCatalogue(_NamedCatalogue):
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
            aggregate._apply_entry(self)

    class FieldRenamed(Aggregate.Event):
        code: str
        name: str
        actor_id: str

        def apply(self, aggregate: FieldCatalogue) -> None:  # type: ignore[override]
            aggregate._apply_entry(self)

    _registered, _renamed = FieldRegistered, FieldRenamed


class DocumentTypeCatalogue(_NamedCatalogue):
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
            aggregate._apply_entry(self)

    class DocumentTypeRenamed(Aggregate.Event):
        code: str
        name: str
        actor_id: str

        def apply(self, aggregate: DocumentTypeCatalogue) -> None:  # type: ignore[override]
            aggregate._apply_entry(self)

    _registered, _renamed = DocumentTypeRegistered, DocumentTypeRenamed

