/**
 * Reads the labels in force at an iteration back as columns: what a resumed SER loop needs.
 *
 * @module
 */
import type { DuckDBConnection, DuckDBValue } from "@duckdb/node-api";
import type { LabelColumns, LabelOrigin } from "./types.ts";

/** The largest iteration (`labelsAsOf(Infinity)` reads the current labels). */
export const MAX_ITERATION = 2147483647;

/**
 * Calls `row(get, i)` for each row of a query, reading its result chunk by chunk.
 *
 * @param conn The connection.
 * @param sql The query.
 * @param values Its parameters.
 * @param row Receives a getter for column `c` of the current row, and the row's index.
 * @returns The number of rows.
 */
export async function eachRow(
  conn: DuckDBConnection,
  sql: string,
  values: DuckDBValue[],
  row: (get: (c: number) => DuckDBValue, i: number) => void,
): Promise<number> {
  const result = await conn.run(sql, values);
  let n = 0;
  for (let k = 0; k < result.chunkCount; k++) {
    const chunk = result.getChunk(k);
    const cols = Array.from({ length: chunk.columnCount }, (_, c) => chunk.getColumnVector(c));
    let i = 0;
    const get = (c: number) => cols[c].getItem(i);
    for (; i < chunk.rowCount; i++) row(get, n++);
  }
  return n;
}

/** @returns The `iteration` argument as an integer for SQL (Infinity: every iteration). */
export function iterationArg(iteration: number): number {
  if (iteration === Infinity) return MAX_ITERATION;
  if (!Number.isInteger(iteration) || iteration < 0) {
    throw new RangeError(
      `Cannot read labels as 'iteration' must be an integer >= 0 or Infinity: current value is ${iteration}`,
    );
  }
  return Math.min(iteration, MAX_ITERATION);
}

/**
 * Reads the label of every pair labelled as of `iteration` (its latest row of an iteration
 * `<= iteration`; withdrawn labels excluded), in the order they were written.
 *
 * @param conn The connection.
 * @param iteration The iteration (Infinity: the current labels).
 * @param runId The run (null: the current run, the one that wrote the latest label).
 * @returns The labels as columns.
 */
export async function labelsAsOf(
  conn: DuckDBConnection,
  iteration: number,
  runId: string | null,
): Promise<LabelColumns> {
  const pairId: string[] = [],
    origin: LabelOrigin[] = [],
    rule: string[] = [],
    split: string[] = [];
  const label: number[] = [], its: number[] = [], swapped: number[] = [];
  const pA: number[] = [], pB: number[] = [], margin: number[] = [];
  // No NULLs come back (NaN and '' stand for them): the client reads NULL-free vectors fastest.
  const n = await eachRow(
    conn,
    `SELECT pair_id, label, origin = 'self', iteration, rule, coalesce(p_a, 'NaN'::FLOAT),
       coalesce(p_b, 'NaN'::FLOAT), coalesce(margin, 'NaN'::FLOAT), swapped, coalesce(split, '')
     FROM pool_at($1, run := $2) WHERE label IS NOT NULL ORDER BY label_id`,
    [iterationArg(iteration), runId],
    (get) => {
      pairId.push(get(0) as string);
      label.push(get(1) as number);
      origin.push(get(2) ? "self" : "human");
      its.push(get(3) as number);
      rule.push(get(4) as string);
      pA.push(get(5) as number);
      pB.push(get(6) as number);
      margin.push(get(7) as number);
      swapped.push(get(8) ? 1 : 0);
      split.push(get(9) as string);
    },
  );
  return {
    length: n,
    pairId,
    label: Int8Array.from(label),
    origin,
    iteration: Int32Array.from(its),
    rule,
    pA: Float32Array.from(pA),
    pB: Float32Array.from(pB),
    margin: Float32Array.from(margin),
    swapped: Uint8Array.from(swapped),
    split,
  };
}
