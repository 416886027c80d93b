"""Tamper evidence: the keyed hash chain over the notification log, its verification, and the
check of snapshots against the events they summarise.

Every stored event gets a link, written by the event recorder in the transaction that inserts
the event (see ``adapters.eventstore.audit_chain``)::

    hash_n = HMAC-SHA-256(key, hash_prev ‖ notification_id ‖ originator_id ‖ originator_version
                               ‖ topic ‖ state)

where ``hash_prev`` is the hash of the event before it in notification-log order (32 zero bytes
for the first), integers are 8-byte big-endian signed, and the three variable-length fields are
each preceded by their length as an 8-byte big-endian integer (so no two different events give
the same input). ``originator_id`` is its canonical text (a UUID as ``str(uuid)``), ``state`` the
stored bytes exactly as the recorder wrote them (after compression or encryption). Links are by
order, not by consecutive numbers: notification ids may have gaps (a PostgreSQL sequence skips
the ids of a rolled-back insert), and the chain simply goes on from the last committed event.

Without the key nobody can recompute a link, so an edit of an event, a chain row, or both, is
caught at the first changed position. Deleting the *last* events together with their links
leaves a shorter chain that still verifies; the daily digests (the chain head per local day,
written to a separate store, see :class:`DigestStore`) catch that: a digested link must still be
there with the same hash.

This module is the port: :class:`AuditChainStore` is implemented by our application recorders;
:func:`verify_chain` needs nothing but that and the key.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Any
from uuid import UUID

from application.errors import AccessDenied
from domain.actor import Role

AUDIT_CHAIN_KEY_ENV = "AUDIT_CHAIN_KEY"
"""eventsourcing environment variable that carries the chain key; absent means no chain."""

GENESIS = bytes(32)
"""The "previous hash" of the first link."""

MIN_KEY_TEXT = 32


def parse_chain_key(raw: str | bytes | None) -> bytes | None:
    """The key from its configured form: ``base64:<standard base64>`` or text of at least 32
    characters (used as its UTF-8 bytes). Empty or None means no chain."""
    if raw is None:
        return None
    if isinstance(raw, bytes):
        key = raw
    else:
        text = raw.strip()
        if not text:
            return None
        if text.startswith("base64:"):
            try:
                key = base64.b64decode(text.removeprefix("base64:"), validate=True)
            except binascii.Error as exc:
                msg = f"{AUDIT_CHAIN_KEY_ENV} is not valid base64 after 'base64:'"
                raise ValueError(msg) from exc
        else:
            if len(text) < MIN_KEY_TEXT:
                msg = f"{AUDIT_CHAIN_KEY_ENV} must be at least {MIN_KEY_TEXT} characters"
                raise ValueError(msg)
            key = text.encode("utf-8")
    if len(key) < MIN_KEY_TEXT:
        msg = f"{AUDIT_CHAIN_KEY_ENV} must be at least {MIN_KEY_TEXT} bytes"
        raise ValueError(msg)
    return key


KEY_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


@dataclass(frozen=True)
class ChainKeyring:
    """The chain keys, oldest first, the last one current (the key rotates forward).

    Text form (``MOTCUA_AUDIT_CHAIN_KEY`` or ``DATA_DIR/secrets/audit-chain``): the first line
    is the original key in the form :func:`parse_chain_key` reads; its links name no key id
    (stores chained before rotation existed are read unchanged). Each later line is
    ``<key-id>:<base64 key>`` (as in the event keyring) and its links name that id. Lines
    starting with ``#`` are comments. A retired key stays for verifying the links it made.
    """

    keys: dict[str | None, bytes]
    current_id: str | None

    @property
    def current(self) -> bytes:
        return self.keys[self.current_id]

    def order(self) -> dict[str | None, int]:
        return {key_id: n for n, key_id in enumerate(self.keys)}


def parse_chain_keyring(raw: str | bytes | None) -> ChainKeyring | None:
    """The keyring from its text form; None when no key is configured."""
    if raw is None or isinstance(raw, bytes):
        key = parse_chain_key(raw)
        return None if key is None else ChainKeyring({None: key}, None)
    lines = [line.strip() for line in raw.splitlines() if line.strip() and not line.strip().startswith("#")]
    if not lines:
        return None
    first = parse_chain_key(lines[0])
    assert first is not None
    keys: dict[str | None, bytes] = {None: first}
    current: str | None = None
    for number, line in enumerate(lines[1:], start=2):
        key_id, sep, encoded = line.partition(":")
        if not sep or not KEY_ID.match(key_id) or key_id == "base64":
            msg = f"{AUDIT_CHAIN_KEY_ENV}, line {number}: expected <key-id>:<base64 key> (id of letters, digits, . _ -)"
            raise ValueError(msg)
        try:
            key = base64.b64decode(encoded.strip(), validate=True)
        except binascii.Error:
            msg = f"{AUDIT_CHAIN_KEY_ENV}, key {key_id!r}: not valid base64"
            raise ValueError(msg) from None
        if len(key) < MIN_KEY_TEXT:
            msg = f"{AUDIT_CHAIN_KEY_ENV}, key {key_id!r}: at least {MIN_KEY_TEXT} bytes"
            raise ValueError(msg)
        if key_id in keys:
            msg = f"{AUDIT_CHAIN_KEY_ENV}: key id {key_id!r} appears twice; key ids are never reused"
            raise ValueError(msg)
        keys[key_id] = key
        current = key_id
    return ChainKeyring(keys, current)


def as_keyring(key: bytes | ChainKeyring) -> ChainKeyring:
    return key if isinstance(key, ChainKeyring) else ChainKeyring({None: key}, None)


def canonical_originator_id(originator_id: UUID | str) -> str:
    if isinstance(originator_id, UUID):
        return str(originator_id)
    try:
        return str(UUID(originator_id))
    except ValueError:
        return originator_id


def _field(data: bytes) -> bytes:
    return len(data).to_bytes(8, "big") + data


def chain_hash(
    key: bytes,
    prev_hash: bytes,
    notification_id: int,
    originator_id: UUID | str,
    originator_version: int,
    topic: str,
    state: bytes,
) -> bytes:
    """The link of one event (see the module docstring for the exact input)."""
    message = b"".join(
        (
            prev_hash,
            notification_id.to_bytes(8, "big", signed=True),
            _field(canonical_originator_id(originator_id).encode("utf-8")),
            originator_version.to_bytes(8, "big", signed=True),
            _field(topic.encode("utf-8")),
            _field(bytes(state)),
        )
    )
    return hmac.new(key, message, hashlib.sha256).digest()


@dataclass(frozen=True)
class ChainLink:
    notification_id: int
    hash: bytes
    key_id: str | None = None
    """The chain key the link was made with (None: the first key)."""


class AuditChainStore(ABC):
    """Reads the chain rows of one application's events (writing happens only on insert)."""

    @abstractmethod
    def select_chain(self, start: int | None, limit: int, stop: int | None = None) -> Sequence[ChainLink]:
        """Links with ``start <= notification_id <= stop``, in order, at most ``limit``."""

    @abstractmethod
    def chain_link_before(self, notification_id: int) -> ChainLink | None:
        """The last link with an id lower than ``notification_id``, or None."""

    @abstractmethod
    def chain_head(self) -> ChainLink | None:
        """The last link, or None when the chain is empty."""


class BreakReason(StrEnum):
    HASH_MISMATCH = "hash-mismatch"
    """The stored hash is not the one recomputed from the event and the link before it."""
    MISSING_EVENT = "missing-link"
    """A link whose event is gone (the event row was deleted)."""
    EVENT_WITHOUT_HASH = "event-without-hash"
    """An event with no link (inserted outside the recorder, or its link deleted)."""
    DIGEST_MISMATCH = "digest-mismatch"
    """A link recorded in a daily digest has another hash now."""
    MISSING_AFTER_DIGEST = "missing-after-digest"
    """A link recorded in a daily digest is gone (the log was cut short)."""
    UNKNOWN_KEY = "unknown-key"
    """A link names a chain key the keyring does not hold."""
    KEY_WENT_BACK = "key-went-back"
    """A link names a key older than the link before it: keys only rotate forward."""


@dataclass(frozen=True)
class ChainBreak:
    notification_id: int
    reason: BreakReason
    detail: str = ""


@dataclass(frozen=True)
class SnapshotBreak:
    originator_id: str
    version: int
    reason: str


@dataclass
class ChainVerification:
    events_checked: int = 0
    first_break: ChainBreak | None = None
    head_id: int | None = None
    head_hash: str | None = None
    """Hex of the last link verified (the chain head when the whole log verified)."""
    digests_checked: int = 0
    snapshots_checked: int = 0
    snapshot_break: SnapshotBreak | None = None
    originator_ids: set[str] = field(default_factory=set, repr=False)

    @property
    def ok(self) -> bool:
        return self.first_break is None and self.snapshot_break is None

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "eventsChecked": self.events_checked,
            "headId": self.head_id,
            "headHash": self.head_hash,
            "digestsChecked": self.digests_checked,
            "snapshotsChecked": self.snapshots_checked,
            "firstBreak": None
            if self.first_break is None
            else {
                "notificationId": self.first_break.notification_id,
                "reason": str(self.first_break.reason),
                "detail": self.first_break.detail,
            },
            "snapshotBreak": None
            if self.snapshot_break is None
            else {
                "originatorId": self.snapshot_break.originator_id,
                "version": self.snapshot_break.version,
                "reason": self.snapshot_break.reason,
            },
        }


# Digests -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Digest:
    """The chain head of one store at the end of (or during) one local day."""

    store: str
    day: date
    notification_id: int
    hash: str
    taken_at: datetime

    def as_dict(self) -> dict[str, Any]:
        return {
            "store": self.store,
            "day": self.day.isoformat(),
            "notificationId": self.notification_id,
            "hash": self.hash,
            "takenAt": self.taken_at.isoformat(),
        }


class DigestStore(ABC):
    """Where digests are kept: outside the event database, append-only."""

    @abstractmethod
    def append(self, digest: Digest) -> None: ...

    @abstractmethod
    def list(self, store: str | None = None) -> list[Digest]: ...

    def append_if_moved(self, digest: Digest) -> bool:
        """Append unless the store's last digest already names this head; True when appended.
        Adapters shared by processes override it to check and append under one lock (two
        scheduled digest jobs may run at once)."""
        previous = self.list(digest.store)
        if previous and (previous[-1].notification_id, previous[-1].hash) == (digest.notification_id, digest.hash):
            return False
        self.append(digest)
        return True


def take_digest(
    store_name: str, chain: AuditChainStore, digests: DigestStore, now: datetime
) -> Digest | None:
    """Record the chain head for ``now``'s local day (``now`` must carry the local zone).

    Nothing is recorded when the chain is empty or its head is already the last digest's.
    """
    head = chain.chain_head()
    if head is None:
        return None
    digest = Digest(store_name, now.date(), head.notification_id, head.hash.hex(), now)
    return digest if digests.append_if_moved(digest) else None


# Verification --------------------------------------------------------------------------


def _recorder_of(target: Any) -> Any:
    return getattr(target, "recorder", target)


def _pages(fetch: Callable[[int | None], Sequence[Any]], start: int | None, id_of: Callable[[Any], int]) -> Iterator[Any]:
    """Every row from ``start`` on, fetched a page at a time (``fetch(gte)``)."""
    gte = start
    while True:
        page = fetch(gte)
        if not page:
            return
        yield from page
        gte = id_of(page[-1]) + 1


def verify_chain(
    target: Any,
    key: bytes | ChainKeyring,
    start: int | None = None,
    stop: int | None = None,
    batch: int = 1000,
    *,
    digests: Sequence[Digest] = (),
    progress: Callable[[int, int], None] | None = None,
    snapshots: bool = True,
) -> ChainVerification:
    """Recompute every link from ``start`` to ``stop`` (inclusive; None: the whole log) and
    report the first break. ``target`` is an application recorder with the chain or an
    Application (then its snapshots are checked too, see :func:`verify_snapshots`).

    ``digests`` are the same store's digests: each digested link in the range must still hold
    its hash. ``progress(events_checked, last_id)`` is called after each page.
    """
    keyring = as_keyring(key)
    order = keyring.order()
    last_key = 0
    recorder = _recorder_of(target)
    if not isinstance(recorder, AuditChainStore):
        msg = f"{type(recorder).__name__} keeps no audit chain"
        raise TypeError(msg)
    result = ChainVerification()
    prev = GENESIS
    if start is not None:
        before = recorder.chain_link_before(start)
        if before is not None:
            prev = before.hash
            last_key = order.get(before.key_id, 0)
    digested = {d.notification_id: d for d in digests}
    requested_stop = stop
    if stop is None:
        # Fix the end now: events and links are read in separate queries, and a writer
        # committing between them must not look like a link without its event.
        stop = recorder.max_notification_id() or 0

    events = _pages(
        lambda gte: recorder.select_notifications(gte, batch, stop=stop), start, lambda n: n.id
    )
    links = _pages(
        lambda gte: recorder.select_chain(gte, batch, stop=stop), start, lambda c: c.notification_id
    )
    event = next(events, None)
    link = next(links, None)
    last_id: int | None = None
    while event is not None or link is not None:
        if link is None or (event is not None and event.id < link.notification_id):
            assert event is not None
            result.first_break = ChainBreak(event.id, BreakReason.EVENT_WITHOUT_HASH)
            break
        if event is None or link.notification_id < event.id:
            result.first_break = ChainBreak(
                link.notification_id, BreakReason.MISSING_EVENT, "the event of this link is missing"
            )
            break
        if not isinstance(event.state, bytes | bytearray | memoryview):
            result.first_break = ChainBreak(
                event.id, BreakReason.HASH_MISMATCH, f"stored state is {type(event.state).__name__}, not bytes"
            )
            break
        link_key = keyring.keys.get(link.key_id)
        if link_key is None:
            result.first_break = ChainBreak(event.id, BreakReason.UNKNOWN_KEY, f"key id {link.key_id!r}")
            break
        if order[link.key_id] < last_key:
            result.first_break = ChainBreak(event.id, BreakReason.KEY_WENT_BACK, f"key id {link.key_id!r}")
            break
        last_key = order[link.key_id]
        expected = chain_hash(
            link_key, prev, event.id, event.originator_id, event.originator_version, event.topic, event.state
        )
        if not hmac.compare_digest(expected, link.hash):
            result.first_break = ChainBreak(event.id, BreakReason.HASH_MISMATCH)
            break
        digest = digested.get(event.id)
        if digest is not None:
            result.digests_checked += 1
            if digest.hash != link.hash.hex():
                result.first_break = ChainBreak(
                    event.id, BreakReason.DIGEST_MISMATCH, f"digest of {digest.day.isoformat()}"
                )
                break
        result.events_checked += 1
        result.originator_ids.add(canonical_originator_id(event.originator_id))
        prev = link.hash
        last_id = event.id
        result.head_id, result.head_hash = last_id, prev.hex()
        if progress is not None and result.events_checked % batch == 0:
            progress(result.events_checked, last_id)
        event = next(events, None)
        link = next(links, None)
    if progress is not None:
        progress(result.events_checked, last_id or 0)
    if result.first_break is None:
        for digest in sorted(digested.values(), key=lambda d: d.notification_id):
            in_range = (start is None or digest.notification_id >= start) and (
                requested_stop is None or digest.notification_id <= requested_stop
            )
            if in_range and (last_id is None or digest.notification_id > last_id):
                result.first_break = ChainBreak(
                    digest.notification_id,
                    BreakReason.MISSING_AFTER_DIGEST,
                    f"the digest of {digest.day.isoformat()} names this link; the log ends before it",
                )
                break
    if snapshots and target is not recorder and getattr(target, "snapshots", None) is not None:
        verify_snapshots(target, sorted(result.originator_ids), result)
    return result


def verify_snapshots(app: Any, originator_ids: Sequence[str], result: ChainVerification) -> None:
    """Each stored snapshot must equal the replay of its stream's events up to its version.

    Both sides go through the application's mapper (to stored form and back), so they are
    compared after the same transcoding; the snapshot store is never used for the replay.
    Stops at the first mismatch, recorded in ``result.snapshot_break``.
    """
    snapshot_recorder = app.snapshots.recorder
    mapper = app.mapper
    for text_id in originator_ids:
        originator_id: UUID | str
        try:
            originator_id = UUID(text_id)
        except ValueError:
            originator_id = text_id
        for stored in snapshot_recorder.select_events(originator_id):
            version = stored.originator_version
            result.snapshots_checked += 1
            try:
                snapshot = mapper.to_domain_event(stored)
            except Exception as exc:  # undecodable bytes are a finding, not a crash
                result.snapshot_break = SnapshotBreak(text_id, version, f"unreadable snapshot: {exc}")
                return
            aggregate = None
            for domain_event in app.events.get(originator_id, lte=version):
                aggregate = domain_event.mutate(aggregate)
            if aggregate is None or aggregate.version != version:
                result.snapshot_break = SnapshotBreak(
                    text_id, version, "no events up to the snapshot's version"
                )
                return
            snapshot_class = getattr(type(aggregate), "Snapshot", type(app).snapshot_class)
            replayed = mapper.to_domain_event(mapper.to_stored_event(snapshot_class.take(aggregate)))
            if (snapshot.topic, snapshot.state) != (replayed.topic, replayed.state):
                differing = sorted(
                    k
                    for k in set(snapshot.state) | set(replayed.state)
                    if snapshot.state.get(k, ...) != replayed.state.get(k, ...)
                )
                reason = "differs from the replay of its events"
                if differing:
                    reason += f" in {', '.join(differing)}"
                result.snapshot_break = SnapshotBreak(text_id, version, reason)
                return


# The auditors' service ---------------------------------------------------------------------


class AuditChainService:
    """``verifyAuditChain``: recompute the chain (and digests, snapshots) of each event store.

    ``stores`` are (name, Application) pairs; names are the lower-case application names the
    CLI and the digests use. Only auditors may run it: a full verification reads every event.
    """

    def __init__(self, key: bytes | ChainKeyring, stores: Sequence[tuple[str, Any]],
                 digests: DigestStore | None = None) -> None:
        self.keyring = as_keyring(key)
        """Every chain key: verification uses the one each link names."""
        self.key = self.keyring.current
        """The current key (new links are made with it)."""
        self.stores = list(stores)
        self.digests = digests

    def names(self) -> list[str]:
        return [name for name, _ in self.stores]

    def verify(
        self, actor: Any, store: str | None = None, start: int | None = None, stop: int | None = None
    ) -> list[tuple[str, ChainVerification]]:
        if getattr(actor, "role", None) != Role.AUDITOR:
            raise AccessDenied
        results = []
        for name, app in self.stores:
            if store is not None and name != store:
                continue
            digests = self.digests.list(name) if self.digests is not None else []
            results.append((name, verify_chain(app, self.keyring, start, stop, digests=digests)))
        return results
