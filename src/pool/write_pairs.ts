/**
 * `insertPairs`: pair batches (Arrow) into the `pairs` table, in bulk.
 *
 * The batches of one call go into a scratch Parquet file (their strings as the bytes of the Arrow
 * buffers: no JS string made, no native call per value), which one `INSERT ... SELECT FROM
 * read_parquet` moves into `pairs` inside the caller's transaction; the file is removed after.
 * A kill before the commit leaves at most that file behind, never a pair in the pool.
 *
 * @module
 */
import type { DuckDBConnection } from "@duckdb/node-api";
import { join, resolve } from "node:path";
import type { Batch } from "../contracts/types.ts";
import { oneThread } from "./one_thread.ts";
import { type ParquetColumn, type ParquetValues, ParquetWriter } from "./parquet_file.ts";
import { utf8Bytes } from "./utf8_column.ts";

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

const EMPTY = new Uint8Array(0);

/**
 * Writes the pairs of one or more batches. A pair already in the pool keeps its text; it takes
 * the batch's `split` and `gold` when the batch has a split (a rerun that splits differently must
 * not leave a stale split behind, or a test pair could be exported for training). Batches given
 * together act as one batch: a `pair_id` repeated among them keeps its first row.
 *
 * @param conn The connection (inside the caller's transaction).
 * @param scratchDir A writable directory for the scratch file (the pool file's).
 * @param batches A pair batch (`src/data/schema.ts`), or several; extra columns are ignored.
 * @param opts `dataset`.
 * @returns The number of pairs inserted or changed (a pair already stored as is counts 0).
 * @throws {RangeError} When a required column is missing or holds a null.
 */
export async function insertPairs(
  conn: DuckDBConnection,
  scratchDir: string,
  batches: Batch | readonly Batch[],
  opts: InsertPairsOptions = {},
): Promise<number> {
  const list: readonly Batch[] = Array.isArray(batches) ? batches : [batches as Batch];
  for (const batch of list) {
    const missing = REQUIRED.filter((c) => !batch.getChild(c));
    if (missing.length) {
      throw new RangeError(
        `Cannot insert pairs as the batch has no column ${
          missing.map((c) => `'${c}'`).join(", ")
        }: ` +
          `it needs the pair batch columns of src/data/schema.ts`,
      );
    }
  }
  const file = join(scratchDir, `.serflow-pairs-${crypto.randomUUID()}.parquet`);
  try {
    const staged = _writeParquet(file, list, new TextEncoder().encode(opts.dataset ?? ""));
    if (staged === 0) return 0;
    // A pool without pairs (a run's first write) needs no conflict handling.
    const empty = await conn.runAndReadAll("SELECT count(*) = 0 FROM pairs");
    const conflicts = empty.getRows()[0][0] === true ? "" : `
       ON CONFLICT (pair_id) DO UPDATE SET split = excluded.split, gold = excluded.gold
         WHERE excluded.split <> ''
           AND (pairs.split <> excluded.split OR pairs.gold IS DISTINCT FROM excluded.gold)`;
    // The file holds no NULLs: gold 0 and dataset "" stand for them.
    const r = await oneThread(conn, () =>
      conn.run(
        `INSERT INTO pairs (pair_id, group_id, prompt, response_a, response_b, split, gold, source,
           dataset)
         SELECT pair_id, group_id, prompt, response_a, response_b, split, nullif(gold, 0)::TINYINT,
           source, coalesce(nullif(dataset, ''), regexp_replace(source, ':[0-9]+$', ''))
         FROM read_parquet('${resolve(file).replaceAll("'", "''")}')${conflicts}`,
      ));
    return r.rowsChanged;
  } finally {
    await Deno.remove(file).catch(() => {});
  }
}

/** The columns of the scratch file. */
const COLUMNS: readonly ParquetColumn[] = [
  ...["pair_id", "group_id", "prompt", "response_a", "response_b", "split"].map((name) => ({
    name,
    type: "utf8" as const,
  })),
  { name: "gold", type: "int32" },
  { name: "source", type: "utf8" },
  { name: "dataset", type: "utf8" },
];

/** Rows per Parquet row group (a large batch is split). */
const GROUP_ROWS = 65536;

/**
 * Writes the first row of each `pair_id` of `batches` to a Parquet file.
 *
 * @returns The number of rows written (0: no file needed).
 */
function _writeParquet(file: string, batches: readonly Batch[], dataset: Uint8Array): number {
  const seen = new Set<string>();
  let writer: ParquetWriter | null = null;
  let staged = 0;
  try {
    for (const batch of batches) {
      const rows = _firstRows(batch, seen);
      for (let s = 0; s < rows.length; s += GROUP_ROWS) {
        const part = rows.subarray(s, s + GROUP_ROWS);
        writer ??= new ParquetWriter(file, COLUMNS);
        writer.writeRowGroup(part.length, _values(batch, part, dataset));
        staged += part.length;
      }
    }
    writer?.close();
    return staged;
  } catch (e) {
    writer?.abort();
    throw e;
  }
}

/** The file's columns for `rows` of one batch (file row `j` is batch row `rows[j]`). */
function _values(batch: Batch, rows: Uint32Array, dataset: Uint8Array): ParquetValues[] {
  const text = (name: string) => {
    const bytes = utf8Bytes(batch.getChild(name)!);
    return (j: number) => {
      const b = bytes(rows[j]);
      if (b === null) {
        throw new RangeError(
          `Cannot insert pairs as '${name}' is null in row ${rows[j]}: it is required`,
        );
      }
      return b;
    };
  };
  const gold = batch.getChild("gold");
  const ds = batch.getChild("dataset");
  const dsBytes = ds ? utf8Bytes(ds) : null;
  return [
    text("pair_id"),
    text("group_id"),
    text("prompt"),
    text("response_a"),
    text("response_b"),
    text("split"),
    Int32Array.from(rows, (r) => gold?.get(r) ?? 0),
    text("source"),
    dsBytes ? (j) => dsBytes(rows[j]) ?? EMPTY : () => dataset,
  ];
}

/**
 * The rows of `batch` whose `pair_id` is not in `seen` nor earlier in the batch (adding them to
 * `seen`).
 *
 * @throws {RangeError} On a null `pair_id`.
 */
function _firstRows(batch: Batch, seen: Set<string>): Uint32Array {
  const ids = batch.getChild("pair_id")!;
  const rows = new Uint32Array(batch.numRows);
  let n = 0;
  for (let i = 0; i < batch.numRows; i++) {
    const id = ids.get(i);
    if (id === null || id === undefined) {
      throw new RangeError(`Cannot insert pairs as 'pair_id' is null in row ${i}: it is required`);
    }
    if (seen.has(id)) continue;
    seen.add(id);
    rows[n++] = i;
  }
  return rows.subarray(0, n);
}
