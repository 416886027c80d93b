"""Housekeeping jobs: forget idempotency keys once their retention has passed.

Keys are kept at least ``MOTCUA_IDEMPOTENCY_HOURS`` (24 h by default, DESIGN §5); after that a
repeated key is treated as new. The first responses they hold include receipt secrets, so they
should not be kept much longer either.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

import structlog

from application.clock import Clock
from application.idempotency import IdempotencyStore

log = structlog.get_logger("motcua.housekeeping")


def purge_expired_idempotency_keys(stores: Sequence[IdempotencyStore], clock: Clock, keep: timedelta) -> int:
    cutoff = clock.now() - keep
    purged = sum(store.purge_idempotency(cutoff) for store in stores)
    log.info("idempotency_keys_purged", count=purged, older_than=cutoff.isoformat())
    return purged
