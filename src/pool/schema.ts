/**
 * The pool's tables, as the statements of schema versions 1 and 2 (documented in `docs/pool.md`).
 *
 * `labels` is append-only: a pair's current label is its latest row (by iteration, then
 * `label_id`, the order of writing); a row with a null `label` withdraws the pair's label.
 * `label_id` stays below 2^40 and `iteration` is >= 0, which the views' sort key relies on;
 * `meta.last_label_id` counts the label ids handed out (transactionally).
 *
 * @module
 */

/** The tables of schema version 1. */
export const TABLES_V1: readonly string[] = [
  `CREATE TABLE meta (
    key VARCHAR PRIMARY KEY,
    value VARCHAR NOT NULL
  )`,
  `CREATE TABLE pairs (
    pair_id VARCHAR PRIMARY KEY,
    group_id VARCHAR NOT NULL,
    prompt VARCHAR NOT NULL,
    response_a VARCHAR NOT NULL,
    response_b VARCHAR NOT NULL,
    split VARCHAR NOT NULL,
    gold TINYINT CHECK (gold IN (1, -1)),
    source VARCHAR NOT NULL,
    dataset VARCHAR,
    inserted_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
  )`,
  `CREATE TABLE labels (
    label_id BIGINT NOT NULL,
    pair_id VARCHAR NOT NULL,
    label TINYINT CHECK (label IN (1, -1)),
    origin VARCHAR NOT NULL CHECK (origin IN ('human', 'self')),
    iteration INTEGER NOT NULL,
    run_id VARCHAR NOT NULL,
    p_a FLOAT,
    p_b FLOAT,
    margin FLOAT,
    rule VARCHAR NOT NULL,
    swapped BOOLEAN NOT NULL,
    model_id VARCHAR,
    created_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
  )`,
  `CREATE TABLE iterations (
    run_id VARCHAR NOT NULL,
    iteration INTEGER NOT NULL,
    status VARCHAR NOT NULL,
    selected INTEGER NOT NULL,
    pool_size INTEGER NOT NULL,
    metrics JSON,
    duration_ms DOUBLE,
    committed_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (run_id, iteration)
  )`,
  `CREATE TABLE runs (
    run_id VARCHAR PRIMARY KEY,
    pipeline VARCHAR NOT NULL,
    config JSON,
    git_commit VARCHAR,
    started_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
    resumed_at TIMESTAMPTZ,
    finished_at TIMESTAMPTZ,
    status VARCHAR NOT NULL CHECK (status IN ('running', 'completed', 'interrupted', 'failed')),
    stop_reason VARCHAR
  )`,
  `CREATE TABLE models (
    model_id VARCHAR PRIMARY KEY,
    run_id VARCHAR NOT NULL,
    iteration INTEGER NOT NULL,
    checkpoint VARCHAR NOT NULL,
    metrics JSON,
    created_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
  )`,
  `INSERT INTO meta VALUES ('last_label_id', '0')`,
  `CREATE TABLE rejects (
    run_id VARCHAR NOT NULL,
    file VARCHAR NOT NULL,
    line BIGINT NOT NULL,
    reason VARCHAR NOT NULL,
    raw VARCHAR,
    created_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp
  )`,
];

/**
 * The table schema version 2 adds: pooled text embeddings of pretrained encoders (the `embed`
 * stage's cache), keyed by the encoder and its settings (`model_key`) and a hash of the text;
 * `vector` holds `dim` little-endian f32 values.
 */
export const TABLES_V2: readonly string[] = [
  `CREATE TABLE embeddings (
    model_key VARCHAR NOT NULL,
    text_hash VARCHAR NOT NULL,
    dim INTEGER NOT NULL,
    tokens INTEGER NOT NULL,
    vector BLOB NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT current_timestamp,
    PRIMARY KEY (model_key, text_hash)
  )`,
];

/**
 * The views and the `pool_at` table macro of schema version 1. `pool_at(it, run := NULL)` gives
 * one row per pair (pairs joined with the labels of run `run`, by default the current run: the
 * one that wrote the latest label), with the pair's latest label of an iteration `<= it` (null
 * when it has none or its label was withdrawn).
 */
export const VIEWS_V1: readonly string[] = [
  `CREATE VIEW current_run AS
    SELECT arg_max(run_id, label_id) AS run_id FROM labels`,
  // The latest row of each pair is the one with the largest key (iteration << 40) | label_id:
  // an aggregate and a semi-join, 2-3x faster than a window (QUALIFY row_number()) on 1M labels.
  `CREATE MACRO pool_at(it, run := NULL) AS TABLE
    WITH latest AS (
      SELECT max((iteration::BIGINT << 40) | label_id) AS k FROM labels
      WHERE run_id = coalesce(run, (SELECT run_id FROM current_run)) AND iteration <= it
      GROUP BY pair_id
    ), lab AS (
      SELECT l.* FROM labels l SEMI JOIN latest ON ((l.iteration::BIGINT << 40) | l.label_id) = latest.k
      WHERE l.label IS NOT NULL
    )
    SELECT pair_id, p.group_id, p.prompt, p.response_a, p.response_b, p.split, p.gold, p.source,
      p.dataset, lab.label, lab.origin, lab.iteration, lab.rule, lab.p_a, lab.p_b, lab.margin,
      lab.swapped, lab.model_id, lab.run_id, lab.label_id, lab.created_at AS labelled_at
    FROM pairs p FULL OUTER JOIN lab USING (pair_id)`,
  `CREATE VIEW pool AS SELECT * FROM pool_at(2147483647)`,
  `CREATE VIEW human_labels AS SELECT * FROM pool WHERE origin = 'human'`,
  `CREATE VIEW self_labels AS SELECT * FROM pool WHERE origin = 'self'`,
];
