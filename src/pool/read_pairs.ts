/**
 * Reads pairs back from the pool as an Arrow pair batch, with their labels as of an iteration.
 *
 * @module
 */
import { Int8, Utf8, vectorFromArray } from "apache-arrow";
import { type DuckDBConnection, listValue } from "@duckdb/node-api";
import type { Batch } from "../contracts/types.ts";
import { batchFromVectors, PAIR_SCHEMA, type Split, STRING_COLUMNS } from "../data/schema.ts";
import { eachRow, iterationArg } from "./read_labels.ts";

/** Options of `readPairs`. */
export interface ReadPairsOptions {
  /** Only pairs in these splits (default: all). */
  splits?: readonly Split[];
  /** Labels as of this iteration (default: the current labels). */
  iteration?: number;
  /** Labels of this run (default: the current run). */
  runId?: string | null;
}

/**
 * Reads the pairs of the pool (ordered by `pair_id`) as one batch with the `PAIR_SCHEMA` columns;
 * `label` is the pair's label as of the iteration (human or self; null when unlabelled).
 *
 * @param conn The connection.
 * @param opts Which pairs and which labels.
 * @returns A pair batch.
 */
export async function readPairs(
  conn: DuckDBConnection,
  opts: ReadPairsOptions = {},
): Promise<Batch> {
  const splits = opts.splits ?? null;
  const cols: Record<string, unknown[]> = Object.fromEntries(
    PAIR_SCHEMA.fields.map((f) => [f.name, []]),
  );
  const names = PAIR_SCHEMA.fields.map((f) => f.name);
  await eachRow(
    conn,
    `SELECT ${names.join(", ")} FROM pool_at($1, run := $2)
     WHERE prompt IS NOT NULL AND ($3::VARCHAR[] IS NULL OR list_contains($3::VARCHAR[], split))
     ORDER BY pair_id`,
    [
      iterationArg(opts.iteration ?? Infinity),
      opts.runId ?? null,
      splits ? listValue([...splits]) : null,
    ],
    (get) => {
      for (let c = 0; c < names.length; c++) cols[names[c]].push(get(c));
    },
  );
  const vectors: Record<string, unknown> = {};
  for (const name of STRING_COLUMNS) vectors[name] = vectorFromArray(cols[name], new Utf8());
  vectors.label = vectorFromArray(cols.label, new Int8());
  vectors.gold = vectorFromArray(cols.gold, new Int8());
  return batchFromVectors(names, vectors);
}
