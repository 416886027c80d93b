"""Settings overrides that keep the suite quick without changing what it checks.

argon2id at its production cost (64 MiB, 3 passes) takes most of an end-to-end test's set-up
(ten accounts and their logins per test); the rules tested do not depend on the cost, and the
production default is checked in tests/unit/test_settings.py.
"""

FAST_PASSWORD_HASHING = {"password_hash_time_cost": 1, "password_hash_memory_kib": 64}
