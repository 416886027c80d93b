-- Statistics tables (DESIGN §3-4). Instants are DateTime64(3, 'UTC'); no personal data.
-- ReplacingMergeTree keyed so that a re-inserted row replaces its identical twin; every
-- query reads with FINAL or argMax by version, so figures never depend on merges.

CREATE TABLE IF NOT EXISTS {db}.dossier_events
(
    dossier_id        String,
    version           UInt32,
    position          UInt64,
    code              String,
    event_type        LowCardinality(String),
    at                DateTime64(3, 'UTC'),
    receiving_unit    LowCardinality(String),
    procedure_code    LowCardinality(String),
    procedure_version UInt32,
    field             LowCardinality(String),
    channel           LowCardinality(String),
    status            LowCardinality(String),
    national_status   UInt8,
    actor_role        LowCardinality(String),
    actor_unit        LowCardinality(String)
)
ENGINE = ReplacingMergeTree
ORDER BY (dossier_id, version);

CREATE TABLE IF NOT EXISTS {db}.dossier_states
(
    dossier_id            String,
    version               UInt32,
    position              UInt64,
    event_type            LowCardinality(String),
    event_at              DateTime64(3, 'UTC'),
    code                  String,
    receiving_unit        LowCardinality(String),
    procedure_code        LowCardinality(String),
    procedure_version     UInt32,
    field                 LowCardinality(String),
    channel               LowCardinality(String),
    applicant_key         String,
    status                LowCardinality(String),
    national_status       UInt8,
    waiting               Bool,
    submitted_at          DateTime64(3, 'UTC'),
    received_at           Nullable(DateTime64(3, 'UTC')),
    start_at              Nullable(DateTime64(3, 'UTC')),
    due_at                Nullable(DateTime64(3, 'UTC')),
    original_due_at       Nullable(DateTime64(3, 'UTC')),
    clock_stopped_since   Nullable(DateTime64(3, 'UTC')),
    refused_at            Nullable(DateTime64(3, 'UTC')),
    ended_at              Nullable(DateTime64(3, 'UTC')),
    end_kind              LowCardinality(String),
    outcome               LowCardinality(String),
    net_working_hours     Nullable(Float64),
    returned_at           Nullable(DateTime64(3, 'UTC')),
    waits                 UInt16,
    wait_working_seconds  UInt64,
    supplement_requests   UInt16,
    extensions            UInt16,
    fee_requested         Bool,
    fee_amount            UInt64,
    paid_online           Nullable(Bool),
    electronic_result     Nullable(Bool),
    documents             UInt16,
    digitised_documents   UInt16,
    reused_documents      UInt16,
    rating                Nullable(UInt8),
    rated_at              Nullable(DateTime64(3, 'UTC'))
)
ENGINE = ReplacingMergeTree
ORDER BY (dossier_id, version);

CREATE TABLE IF NOT EXISTS {db}.projection_tracking
(
    name       String,
    position   UInt64
)
ENGINE = ReplacingMergeTree(position)
ORDER BY name;
