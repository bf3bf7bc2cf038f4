/**
 * `insertPairs`: a pair batch (Arrow) into the `pairs` table, in bulk.
 *
 * @module
 */
import { type DuckDBConnection, INTEGER, TINYINT, VARCHAR } from "@duckdb/node-api";
import type { Batch } from "../contracts/types.ts";
import { appendRows } from "./append_rows.ts";

/** The pair batch columns `insertPairs` needs. */
const REQUIRED = [
  "pair_id",
  "group_id",
  "prompt",
  "response_a",
  "response_b",
  "split",
  "source",
] as const;

/** Options of `insertPairs`. */
export interface InsertPairsOptions {
  /**
   * The `dataset` of every pair when the batch has no `dataset` column; default: the pair's
   * `source` without its `:line` suffix.
   */
  dataset?: string;
}

/**
 * Writes the pairs of a batch, or of several batches (cheaper than one call per batch: up to
 * `STATEMENT_ROWS` rows go in one statement). A pair already in the pool keeps its text; it takes
 * the batch's `split` and `gold` when the batch has a split (a rerun that splits differently must
 * not leave a stale split behind, or a test pair could be exported for training). Duplicate
 * `pair_id`s within one statement keep their first row; a later statement treats them as pairs
 * already in the pool.
 *
 * @param conn The connection (inside the caller's transaction).
 * @param batches A pair batch (`src/data/schema.ts`), or several; extra columns are ignored.
 * @param opts `dataset`.
 * @returns The number of pairs inserted or changed (a pair already stored as is counts 0).
 * @throws {RangeError} When a required column is missing.
 */
export async function insertPairs(
  conn: DuckDBConnection,
  batches: Batch | readonly Batch[],
  opts: InsertPairsOptions = {},
): Promise<number> {
  await conn.run("DELETE FROM _stage_pairs"); // left over from a call that failed
  let staged = 0, changed = 0;
  for (const batch of Array.isArray(batches) ? batches : [batches as Batch]) {
    await _stage(conn, batch, staged, opts);
    staged += batch.numRows;
    if (staged >= STATEMENT_ROWS) changed += await _insertStaged(conn), staged = 0;
  }
  return staged > 0 ? changed + await _insertStaged(conn) : changed;
}

/** At most this many staged rows (and a batch more) go into one `INSERT`. */
export const STATEMENT_ROWS = 65_536;

/** Moves the staged rows into `pairs` and empties the staging table. */
async function _insertStaged(conn: DuckDBConnection): Promise<number> {
  const r = await conn.run(
    `INSERT INTO pairs (pair_id, group_id, prompt, response_a, response_b, split, gold, source, dataset)
     SELECT pair_id, group_id, prompt, response_a, response_b, split, nullif(gold, 0), source,
       coalesce(nullif(dataset, ''), regexp_replace(source, ':[0-9]+$', ''))
     FROM _stage_pairs WHERE i IN (SELECT min(i) FROM _stage_pairs GROUP BY pair_id)
     ON CONFLICT (pair_id) DO UPDATE SET split = excluded.split, gold = excluded.gold
       WHERE excluded.split <> ''
         AND (pairs.split <> excluded.split OR pairs.gold IS DISTINCT FROM excluded.gold)`,
  );
  await conn.run("DELETE FROM _stage_pairs");
  return r.rowsChanged;
}

/** Appends a batch's rows to `_stage_pairs`, numbered from `first`. */
async function _stage(
  conn: DuckDBConnection,
  batch: Batch,
  first: number,
  opts: InsertPairsOptions,
): Promise<void> {
  const missing = REQUIRED.filter((c) => !batch.getChild(c));
  if (missing.length) {
    throw new RangeError(
      `Cannot insert pairs as the batch has no column ${
        missing.map((c) => `'${c}'`).join(", ")
      }: ` +
        `it needs the pair batch columns of src/data/schema.ts`,
    );
  }
  // Staged columns hold no NULLs (see staging.ts): gold 0 and dataset "" stand for them.
  const col = <T>(name: string, none: T) => {
    const v = batch.getChild(name);
    return v ? (i: number) => v.get(i) ?? none : () => none;
  };
  const text = (name: string) => {
    const v = batch.getChild(name)!;
    return (i: number) => {
      const s = v.get(i);
      if (s === null || s === undefined) {
        throw new RangeError(
          `Cannot insert pairs as '${name}' is null in row ${i}: it is required`,
        );
      }
      return s;
    };
  };
  const dataset = batch.getChild("dataset") ? col("dataset", "") : () => opts.dataset ?? "";
  await appendRows(conn, "_stage_pairs", [
    { type: INTEGER, value: (i) => first + i },
    { type: VARCHAR, value: text("pair_id") },
    { type: VARCHAR, value: text("group_id") },
    { type: VARCHAR, value: text("prompt") },
    { type: VARCHAR, value: text("response_a") },
    { type: VARCHAR, value: text("response_b") },
    { type: VARCHAR, value: text("split") },
    { type: TINYINT, value: col("gold", 0) },
    { type: VARCHAR, value: text("source") },
    { type: VARCHAR, value: dataset },
  ], batch.numRows);
}
