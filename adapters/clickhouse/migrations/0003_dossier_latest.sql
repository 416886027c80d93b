-- Each dossier's newest state row (DESIGN §7 P4): the report for a range that ends after a
-- dossier's last event reads this one row instead of picking it out of all its versions.
-- Filled by a materialized view on every insert into dossier_states (the same rows, in the same
-- INSERT), and once from what dossier_states already holds. ReplacingMergeTree(version) keeps
-- the highest version after merges; queries read it with FINAL, so they are right before merges.

CREATE TABLE IF NOT EXISTS {db}.dossier_latest AS {db}.dossier_states
ENGINE = ReplacingMergeTree(version)
ORDER BY dossier_id;

CREATE MATERIALIZED VIEW IF NOT EXISTS {db}.dossier_latest_feed TO {db}.dossier_latest
AS SELECT * FROM {db}.dossier_states;

INSERT INTO {db}.dossier_latest SELECT * FROM {db}.dossier_states;
