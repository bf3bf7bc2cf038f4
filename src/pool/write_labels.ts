/**
 * `appendLabels`: label rows from columns into the append-only `labels` table, in bulk: the rows
 * go into a scratch Parquet file (see `write_pairs.ts`), which one `INSERT ... SELECT` reads
 * inside the caller's transaction.
 *
 * @module
 */
import { type DuckDBConnection, listValue } from "@duckdb/node-api";
import { join, resolve } from "node:path";
import { oneThread } from "./one_thread.ts";
import { type ParquetColumn, ParquetWriter } from "./parquet_file.ts";
import { utf8Of } from "./utf8_column.ts";
import type { AppendLabelOptions, LabelOrigin, LabelRows } from "./types.ts";

const ORIGINS: readonly LabelOrigin[] = ["human", "self"];

/** A string column as a dictionary (`values`) and one code per row. */
interface Coded {
  values: string[];
  code: (i: number) => number;
}

function _coded(name: string, v: string | ArrayLike<string>, n: number): Coded {
  if (typeof v === "string") return { values: [v], code: () => 0 };
  _checkLength(name, v, n);
  const values: string[] = [];
  const index = new Map<string, number>();
  const codes = new Uint16Array(n);
  for (let i = 0; i < n; i++) {
    const s = v[i];
    if (typeof s !== "string") {
      throw new TypeError(`Cannot append labels as '${name}' must hold strings: row ${i} has ${s}`);
    }
    let k = index.get(s);
    if (k === undefined) {
      if (values.length === 65535) {
        throw new RangeError(
          `Cannot append labels as '${name}' has more than 65,535 distinct values`,
        );
      }
      index.set(s, k = values.length);
      values.push(s);
    }
    codes[i] = k;
  }
  return { values, code: (i) => codes[i] };
}

function _checkLength(name: string, v: ArrayLike<unknown>, n: number): void {
  if (v.length !== n) {
    throw new RangeError(
      `Cannot append labels as '${name}' has ${v.length} rows: expected ${n} (the length of 'pairId')`,
    );
  }
}

/** A float column for the scratch file: NaN stands for null. */
function _floats(name: string, v: ArrayLike<number | null> | null | undefined, n: number) {
  if (v === null || v === undefined) return new Float32Array(n).fill(NaN);
  _checkLength(name, v, n);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = v[i] ?? NaN;
  return out;
}

/** The columns of the scratch file (its rows hold no NULLs: 0 and NaN stand for them). */
const COLUMNS: readonly ParquetColumn[] = [
  { name: "i", type: "int32" },
  { name: "pair_id", type: "utf8" },
  { name: "label", type: "int32" },
  { name: "origin_k", type: "int32" },
  { name: "rule_k", type: "int32" },
  { name: "p_a", type: "float32" },
  { name: "p_b", type: "float32" },
  { name: "margin", type: "float32" },
  { name: "swapped", type: "int32" },
];

/**
 * Reserves `n` label ids in the transaction (the counter `meta.last_label_id`; a rollback gives
 * them back): cheaper than `max(label_id)` over a table of millions of labels.
 *
 * @param conn The connection, inside a transaction.
 * @param n How many ids.
 * @returns The id before the first reserved one.
 */
export async function reserveLabelIds(conn: DuckDBConnection, n: number): Promise<bigint> {
  const r = await conn.runAndReadAll(
    `UPDATE meta SET value = (value::BIGINT + ${n})::VARCHAR WHERE key = 'last_label_id'
     RETURNING value::BIGINT - ${n}`,
  );
  if (r.currentRowCount > 0) return r.getRows()[0][0] as bigint;
  // A pool written before the counter existed: start it after its labels.
  const m = await conn.runAndReadAll(`SELECT coalesce(max(label_id), 0)::BIGINT FROM labels`);
  const base = m.getRows()[0][0] as bigint;
  await conn.run(`INSERT INTO meta VALUES ('last_label_id', '${base + BigInt(n)}')`);
  return base;
}

/** The SQL of a coded string column: a constant when it has one value. */
function _pick(param: number, code: string, c: Coded): string {
  return c.values.length === 1
    ? `($${param}::VARCHAR[])[1]`
    : `($${param}::VARCHAR[])[${code} + 1]`;
}

function _nan(col: string): string {
  return `CASE WHEN isnan(${col}) THEN NULL ELSE ${col} END`;
}

/**
 * Validates label rows and appends them to `labels` (through a scratch Parquet file), numbering
 * them after the latest `label_id`.
 *
 * @param conn The connection (inside the caller's transaction).
 * @param scratchDir A writable directory for the scratch file (the pool file's).
 * @param rows The rows, as columns.
 * @param runId The run they belong to when `rows.runId` is absent.
 * @param opts `skipDuplicates`.
 * @returns The number of rows appended.
 * @throws {RangeError} On a bad label, origin, iteration or a column of the wrong length.
 */
export async function appendLabels(
  conn: DuckDBConnection,
  scratchDir: string,
  rows: LabelRows,
  runId: string | null,
  opts: AppendLabelOptions = {},
): Promise<number> {
  const run = rows.runId ?? runId;
  if (!run) {
    throw new RangeError(
      `Cannot append labels as no run is given: set 'runId' or call startRun on the pool first`,
    );
  }
  const n = rows.pairId.length;
  if (!Number.isInteger(rows.iteration) || rows.iteration < 0) {
    throw new RangeError(
      `Cannot append labels as 'iteration' must be an integer >= 0: current value is ${rows.iteration}`,
    );
  }
  _checkLength("label", rows.label, n);
  for (let i = 0; i < n; i++) {
    const l = rows.label[i];
    if (l !== 1 && l !== -1 && l !== 0 && l !== null) {
      throw new RangeError(
        `Cannot append labels as 'label' must be 1, -1, or 0 / null (withdrawn): row ${i} has ${l}`,
      );
    }
    if (typeof rows.pairId[i] !== "string" || rows.pairId[i] === "") {
      throw new RangeError(
        `Cannot append labels as 'pairId' must be non-empty strings: row ${i} is not`,
      );
    }
  }
  const origin = _coded("origin", rows.origin, n);
  for (const o of origin.values) {
    if (!ORIGINS.includes(o as LabelOrigin)) {
      throw new RangeError(
        `Cannot append labels as 'origin' must be 'human' or 'self': got '${o}'`,
      );
    }
  }
  const rule = _coded("rule", rows.rule, n);
  const swapped = rows.swapped;
  if (swapped) _checkLength("swapped", swapped, n);
  if (n === 0) return 0;
  const file = join(scratchDir, `.serflow-labels-${crypto.randomUUID()}.parquet`);
  const writer = new ParquetWriter(file, COLUMNS);
  try {
    const ints = (f: (i: number) => number) => {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = f(i);
      return out;
    };
    writer.writeRowGroup(n, [
      ints((i) => i),
      utf8Of(rows.pairId),
      ints((i) => rows.label[i] || 0),
      ints(origin.code),
      ints(rule.code),
      _floats("pA", rows.pA, n),
      _floats("pB", rows.pB, n),
      _floats("margin", rows.margin, n),
      ints(swapped ? (i) => (swapped[i] ? 1 : 0) : () => 0),
    ]);
    writer.close();
  } catch (e) {
    writer.abort();
    await Deno.remove(file).catch(() => {});
    throw e;
  }
  try {
    return await _insert(conn, resolve(file), rows, run, origin, rule, opts);
  } finally {
    await Deno.remove(file).catch(() => {});
  }
}

async function _insert(
  conn: DuckDBConnection,
  file: string,
  rows: LabelRows,
  run: string,
  origin: Coded,
  rule: Coded,
  opts: AppendLabelOptions,
): Promise<number> {
  const n = rows.pairId.length;
  const skip = opts.skipDuplicates
    ? `WHERE NOT EXISTS (SELECT 1 FROM labels l WHERE l.run_id = $4 AND l.pair_id = s.pair_id
         AND l.iteration = $3 AND l.origin = ${_pick(1, "s.origin_k", origin)}
         AND l.label IS NOT DISTINCT FROM nullif(s.label, 0))`
    : "";
  const base = await reserveLabelIds(conn, n);
  const r = await oneThread(conn, () =>
    conn.run(
      `INSERT INTO labels (label_id, pair_id, label, origin, iteration, run_id, p_a, p_b, margin,
         rule, swapped, model_id)
       SELECT ${base} + s.i + 1, s.pair_id, nullif(s.label, 0),
         ${_pick(1, "s.origin_k", origin)}, $3, $4, ${_nan("s.p_a")}, ${_nan("s.p_b")},
         ${_nan("s.margin")}, ${_pick(2, "s.rule_k", rule)}, s.swapped <> 0, $5
       FROM read_parquet('${file.replaceAll("'", "''")}') s ${skip}`,
      [listValue(origin.values), listValue(rule.values), rows.iteration, run, rows.modelId ?? null],
    ));
  return r.rowsChanged;
}
