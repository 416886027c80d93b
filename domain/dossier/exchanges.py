"""Exchanges with the applicant that do not move the status: messages, files, the rating."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from domain.actor import Actor
from domain.dossier.base import DossierBase, DossierEvent, by
from domain.dossier.rules import (
    check_document,
    check_flag,
    check_optional_text,
    check_rating,
    check_text,
)
from domain.dossier.transitions import Command


class Exchanges(DossierBase):
    class MessagePosted(DossierEvent):
        """A message between the applicant and the officers, kept on the record."""

        text: str

        def apply(self, aggregate: Any) -> None:
            super().apply(aggregate)
            cast("DossierBase", aggregate).messages.append(
                {
                    "at": self.timestamp,
                    "actor_id": self.actor_id,
                    "actor_role": self.actor_role,
                    "text": self.text,
                }
            )

    def post_message(self, actor: Actor, at: datetime, *, text: str) -> None:
        at, status = self._decide(Command.POST_MESSAGE, actor, at)
        self.trigger_event(
            self.MessagePosted,
            timestamp=at,
            **by(actor),
            status=status.value,
            text=check_text(text, "text"),
        )

    class DocumentAttached(DossierEvent):
        """A stored file, named by its SHA-256; `digitised`/`reused` feed Decision 766.

        `component` is the document component (thành phần hồ sơ) it belongs to, or the
        result document's kind for files attached with the result.
        """

        component: str
        name: str
        size: int
        media_type: str
        sha256: str
        digitised: bool
        reused: bool

        def apply(self, aggregate: Any) -> None:
            super().apply(aggregate)
            cast("DossierBase", aggregate).documents.append(
                {
                    "component": self.component,
                    "name": self.name,
                    "size": self.size,
                    "media_type": self.media_type,
                    "sha256": self.sha256,
                    "digitised": self.digitised,
                    "reused": self.reused,
                    "attached_at": self.timestamp,
                    "actor_id": self.actor_id,
                }
            )

    def attach_document(
        self,
        actor: Actor,
        at: datetime,
        *,
        component: str,
        name: str,
        size: int,
        media_type: str,
        sha256: str,
        digitised: bool,
        reused: bool,
    ) -> None:
        at, status = self._decide(Command.ATTACH_DOCUMENT, actor, at)
        check_document(size, sha256)
        self.trigger_event(
            self.DocumentAttached,
            timestamp=at,
            **by(actor),
            status=status.value,
            component=check_text(component, "component"),
            name=check_text(name, "name"),
            size=size,
            media_type=check_text(media_type, "media_type"),
            sha256=sha256,
            digitised=check_flag(digitised, "digitised"),
            reused=check_flag(reused, "reused"),
        )

    class Rated(DossierEvent):
        """Satisfaction 1-5 (4 and 5 count as satisfied), once, after completion."""

        score: int
        comment: str

        def apply(self, aggregate: Any) -> None:
            super().apply(aggregate)
            cast("DossierBase", aggregate).rating = self.score

    def rate(self, actor: Actor, at: datetime, *, score: int, comment: str = "") -> None:
        at, status = self._decide(Command.RATE, actor, at)
        self.trigger_event(
            self.Rated,
            timestamp=at,
            **by(actor),
            status=status.value,
            score=check_rating(score, self.rating is not None),
            comment=check_optional_text(comment, "comment"),
        )
