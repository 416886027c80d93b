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


class CountingRedis(redis.Redis):
    """A real client that counts the commands it sends."""

    commands = 0

    def execute_command(self, *args, **options):  # type: ignore[no-untyped-def]
        CountingRedis.commands += 1
        return super().execute_command(*args, **options)


def test_the_ids_a_request_checks_are_answered_in_one_round_trip_naming_the_first_revoked():
    clock = SimulatedClock(datetime(2026, 3, 2, 2, 0, tzinfo=UTC))
    prefix = f"motcua-test:{uuid.uuid4().hex}:"
    revocations = RedisRevocationList(CountingRedis.from_url("redis://127.0.0.1:6379/0"), clock, prefix)
    revocations.revoke("subject:7", clock.now() + timedelta(minutes=15))
    revocations.revoke("family:9", clock.now() + timedelta(minutes=15))
    CountingRedis.commands = 0
    assert revocations.first_revoked(["jti-1", "family:9", "subject:7", "gen:7:1"]) == "family:9"
    assert revocations.first_revoked(["jti-1", "family:8", "subject:6", "gen:7:1"]) is None
    assert CountingRedis.commands == 2
    assert revocations.first_revoked([]) is None
