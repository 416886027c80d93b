-- Access-log counts (issue 5 §3): one row per access-log entry, only countable facts.
-- No personal data: no account, name, citizen id, IP address, reason or dossier code.
-- Keyed by the access log's entry id, so a batch re-inserted after a crash replaces its
-- identical twin; queries read with FINAL (or uniqExact(entry_id)).

CREATE TABLE IF NOT EXISTS {db}.access_log_counts
(
    entry_id        UInt64,
    day             Date,
    kind            LowCardinality(String),
    outcome         LowCardinality(String),
    actor_role      LowCardinality(String),
    actor_unit      LowCardinality(String),
    receiving_unit  LowCardinality(String)
)
ENGINE = ReplacingMergeTree
ORDER BY entry_id;
