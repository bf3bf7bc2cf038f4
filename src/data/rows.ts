/**
 * Record batches to plain row objects and back: what the stage kit's row helpers and
 * `testStage` are built on.
 *
 * @module
 */
import {
  Bool,
  type DataType,
  type Field,
  Float64,
  Int64,
  type Schema,
  Utf8,
  type Vector,
  vectorFromArray,
} from "apache-arrow";
import type { Batch } from "../contracts/types.ts";
import { batchFromVectors, PAIR_SCHEMA } from "./schema.ts";

/** One row of a batch as a plain object: column name to value. */
export type Row = Record<string, unknown>;

/**
 * Reads every row of `batch` into a plain object (strings, numbers, booleans, bigints, null;
 * list cells become arrays).
 *
 * @param batch The batch.
 * @returns Its rows, in order.
 * @example
 * ```ts
 * import { batchOf, rowsOf } from "./rows.ts";
 * const rows = rowsOf(batchOf([{ pair_id: "p1", score: 0.5 }]));
 * if (rows[0].pair_id !== "p1" || rows[0].score !== 0.5) throw new Error();
 * ```
 */
export function rowsOf(batch: Batch): Row[] {
  const cols = batch.schema.fields.map((f) => [f.name, batch.getChild(f.name)!] as const);
  const out: Row[] = new Array(batch.numRows);
  for (let i = 0; i < batch.numRows; i++) {
    const row: Row = {};
    for (const [name, col] of cols) row[name] = _plain(col.get(i));
    out[i] = row;
  }
  return out;
}

/**
 * Builds a batch from plain rows. Column types come from `like` (a schema to keep, e.g. the
 * input batch's), else from the pair schema for its columns (`label` and `gold` are Int8), else
 * from the values: strings Utf8, booleans Bool, numbers Float64, bigints Int64.
 *
 * @param rows The rows (columns in order of first appearance; a missing value is null).
 * @param like A schema whose columns keep their type and order.
 * @returns The batch.
 * @throws {TypeError} For a value no column type fits (an object), naming row and column.
 */
export function batchOf(rows: readonly Row[], like?: Schema): Batch {
  const names: string[] = [];
  const seen = new Set<string>();
  const add = (n: string) => !seen.has(n) && (seen.add(n), names.push(n));
  for (const f of like?.fields ?? []) {
    if (rows.length === 0 || rows.some((r) => f.name in r)) add(f.name);
  }
  for (const r of rows) for (const k of Object.keys(r)) add(k);
  if (names.length === 0) { for (const f of PAIR_SCHEMA.fields) add(f.name); }
  const cols: Record<string, unknown> = {};
  for (const name of names) {
    cols[name] = columnOf(name, rows.map((r) => r[name] ?? null), like);
  }
  return batchFromVectors(names, cols);
}

/**
 * One column from plain values, typed as `batchOf` types it (or as `type` when given).
 *
 * @param name The column's name (its type may come from `like` or the pair schema).
 * @param values Its values (null for missing).
 * @param like A schema whose column of that name keeps its type.
 * @param type The type to use instead.
 * @returns The Arrow vector.
 */
export function columnOf(
  name: string,
  values: unknown[],
  like?: Schema,
  type?: DataType,
): Vector {
  return vectorFromArray(values, type ?? _typeOf(name, values, like));
}

function _typeOf(name: string, values: unknown[], like?: Schema): DataType {
  const known = like?.fields.find((f: Field) => f.name === name) ??
    PAIR_SCHEMA.fields.find((f) => f.name === name);
  if (known) return known.type;
  const v = values.find((x) => x !== null && x !== undefined);
  switch (typeof v) {
    case "boolean":
      return new Bool();
    case "number":
      return new Float64();
    case "bigint":
      return new Int64();
    case "string":
    case "undefined":
      return new Utf8();
    default:
      throw new TypeError(
        `Cannot build a batch column '${name}' from ${JSON.stringify(v)} (row ${
          values.indexOf(v)
        }): a column holds strings, numbers, booleans or bigints`,
      );
  }
}

function _plain(v: unknown): unknown {
  if (v === undefined) return null;
  if (v !== null && typeof v === "object" && "toArray" in v) {
    return Array.from((v as { toArray(): ArrayLike<unknown> }).toArray());
  }
  return v;
}
