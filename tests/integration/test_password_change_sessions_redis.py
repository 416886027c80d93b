"""A password change made through one API process ends the old sessions in every process (Redis)."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import redis

from adapters.revocation.redis import RedisRevocationList
from application.clock import SimulatedClock
from application.errors import InvalidToken
from application.tokens import TokenService
from domain.actor import Actor, Role

OFFICER = Actor(id=str(uuid.uuid4()), role=Role.HANDLING_OFFICER, unit="000.13.01.H22", name="Lê Văn Cường")


def test_ending_a_password_generation_in_one_process_is_seen_by_another():
    clock = SimulatedClock(datetime(2026, 3, 2, 2, 0, tzinfo=UTC))
    prefix = f"motcua-test:{uuid.uuid4().hex}:"

    def process() -> TokenService:
        revocations = RedisRevocationList(redis.Redis.from_url("redis://127.0.0.1:6379/0"), clock, prefix)
        return TokenService("s" * 32, clock, revocations, timedelta(minutes=15), timedelta(days=7))

    one, two = process(), process()
    before = one.issue(OFFICER, generation=0)
    assert two.authenticate(before.access_token).id == OFFICER.id
    one.end_generation(OFFICER.id, 0)
    after = one.issue(OFFICER, generation=1)
    with pytest.raises(InvalidToken, match="password was changed"):
        two.authenticate(before.access_token)
    with pytest.raises(InvalidToken):
        two.refresh(before.refresh_token)
    assert two.authenticate(after.access_token).id == OFFICER.id
    client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    assert 0 < client.ttl(f"{prefix}generation:{OFFICER.id}:0") <= 7 * 24 * 3600
    for key in client.scan_iter(prefix + "*"):
        client.delete(key)
