import uuid
from datetime import UTC, datetime, timedelta

import redis

from adapters.revocation.redis import RedisRevocationList
from application.clock import SimulatedClock


def test_a_revoked_token_id_is_seen_by_every_process_until_it_would_have_expired():
    client = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    clock = SimulatedClock(datetime(2026, 3, 2, 2, 0, tzinfo=UTC))
    prefix = f"motcua-test:{uuid.uuid4().hex}:"
    one, other = RedisRevocationList(client, clock, prefix), RedisRevocationList(redis.Redis.from_url("redis://127.0.0.1:6379/0"), clock, prefix)
    one.revoke("jti-1", clock.now() + timedelta(minutes=15))
    assert other.is_revoked("jti-1")
    assert not other.is_revoked("jti-2")
    ttl = client.ttl(prefix + "jti-1")
    assert 0 < ttl <= 15 * 60
    client.delete(prefix + "jti-1")


def test_revoking_once_succeeds_only_for_the_first_of_two_processes():
    clock = SimulatedClock(datetime(2026, 3, 2, 2, 0, tzinfo=UTC))
    prefix = f"motcua-test:{uuid.uuid4().hex}:"
    one = RedisRevocationList(redis.Redis.from_url("redis://127.0.0.1:6379/0"), clock, prefix)
    two = RedisRevocationList(redis.Redis.from_url("redis://127.0.0.1:6379/0"), clock, prefix)
    until = clock.now() + timedelta(days=7)
    assert one.revoke_once("refresh-1", until) is True
    assert two.revoke_once("refresh-1", until) is False
    assert two.is_revoked("refresh-1")
