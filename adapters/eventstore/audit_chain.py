"""What the SQLite and PostgreSQL recorders share for the audit hash chain.

The formula and the verification are in ``application.audit_chain``; here are the table's
name, the key taken from the store's environment, and the links of a batch of new events.
Both recorders write the links in the transaction that inserts the events, after the insert
(the links need the notification ids) and while holding the write lock that serialises the
application's writers (PostgreSQL: the events table's EXCLUSIVE lock; SQLite: the database's
write lock), so the last link in the table is the chain head the new links continue from.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from eventsourcing.persistence import StoredEvent
from eventsourcing.utils import Environment

from adapters.eventstore.idempotency import DEFAULT_EVENTS_TABLE
from application.audit_chain import AUDIT_CHAIN_KEY_ENV, ChainKeyring, ChainLink, chain_hash, parse_chain_keyring

DEFAULT_CHAIN_TABLE = "audit_chain"

CHAIN_HEAD_KWARG = "_audit_chain_head"
"""Keyword argument by which a batch writer hands the recorder the chain head it already knows."""


@dataclass
class KnownHead:
    """The chain head as a batch transaction left it after its last write (None: not known yet,
    read it from the table). Saves one round trip per write under the table lock; the batch
    writer restores the previous value when a write's savepoint is rolled back."""

    hash: bytes | None = None


def chain_table_name(events_table_name: str) -> str:
    """``stored_events`` gets ``audit_chain``; ``dossiers_events`` gets ``dossiers_audit_chain``
    (named like the idempotency table, for the same reason: applications share a schema)."""
    if events_table_name == DEFAULT_EVENTS_TABLE:
        return DEFAULT_CHAIN_TABLE
    prefix = events_table_name.removesuffix("_events")
    return f"{prefix}_{DEFAULT_CHAIN_TABLE}"


def chain_key_from_env(env: Environment) -> ChainKeyring | None:
    """The keyring named by ``AUDIT_CHAIN_KEY`` (or its application-prefixed form); None if
    unset. New links use its current key and name its id."""
    return parse_chain_keyring(env.get(AUDIT_CHAIN_KEY_ENV))


def new_links(
    key: bytes,
    prev_hash: bytes,
    notification_ids: Sequence[int],
    stored_events: Sequence[StoredEvent],
    key_id: str | None = None,
) -> list[ChainLink]:
    """The links of events just inserted, continuing the chain from ``prev_hash``."""
    if len(notification_ids) != len(stored_events):
        msg = f"{len(notification_ids)} notification ids for {len(stored_events)} events"
        raise ValueError(msg)
    links = []
    for notification_id, s in sorted(zip(notification_ids, stored_events, strict=True), key=lambda p: p[0]):
        prev_hash = chain_hash(
            key, prev_hash, notification_id, s.originator_id, s.originator_version, s.topic, s.state
        )
        links.append(ChainLink(notification_id, prev_hash, key_id))
    return links
