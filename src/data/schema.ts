/**
 * The pair batch: the Arrow columns that stages exchange (docs/design.md, "The pair batch").
 *
 * Required columns: `pair_id`, `group_id`, `prompt`, `response_a`, `response_b` (utf8),
 * `label` (int8: 1 = a preferred, -1 = b preferred, null = unlabelled), `split` (utf8:
 * seed | unlabelled | validation | test | "" before splitting), `gold` (int8, the hidden human
 * label of an unlabelled pair: evaluation only, never read by training), `source` (utf8,
 * "file:line" or a dataset name).
 * Featurized batches add `prompt_ids`, `a_ids`, `b_ids` (List<Uint32>: CSR offsets + ids).
 * Precomputed-embedding batches add `prompt_emb`, `a_emb`, `b_emb` (FixedSizeList<Float32>).
 * Scored batches add `reward_a`, `reward_b`, `p_a`, `p_b` (Float32).
 *
 * @module
 */
import {
  Field,
  Int8,
  makeData,
  RecordBatch,
  Schema,
  Struct,
  Utf8,
  vectorFromArray,
} from "apache-arrow";
import type { Batch } from "../contracts/types.ts";

/** The splits a pair can be in; "" before the `split` stage ran. */
export type Split = "seed" | "unlabelled" | "validation" | "test" | "";

/** One preference pair as plain values. */
export interface PairRow {
  pair_id: string;
  group_id: string;
  prompt: string;
  response_a: string;
  response_b: string;
  /** 1: a preferred, -1: b preferred, null: unlabelled. */
  label: 1 | -1 | null;
  split: Split;
  /** The hidden human label of an unlabelled pair (evaluation only). */
  gold: 1 | -1 | null;
  /** Where the row came from ("file:line" or a dataset name). */
  source: string;
}

/** The string columns of a pair batch, in order. */
export const STRING_COLUMNS = [
  "pair_id",
  "group_id",
  "prompt",
  "response_a",
  "response_b",
  "split",
  "source",
] as const;

/** The Arrow schema of a plain (not featurized) pair batch. */
export const PAIR_SCHEMA: Schema = new Schema([
  new Field("pair_id", new Utf8(), false),
  new Field("group_id", new Utf8(), false),
  new Field("prompt", new Utf8(), false),
  new Field("response_a", new Utf8(), false),
  new Field("response_b", new Utf8(), false),
  new Field("label", new Int8(), true),
  new Field("split", new Utf8(), false),
  new Field("gold", new Int8(), true),
  new Field("source", new Utf8(), false),
]);

/**
 * Builds a pair batch from plain rows.
 *
 * @param rows The pairs.
 * @returns A record batch with the `PAIR_SCHEMA` columns.
 * @example
 * ```ts
 * import { pairBatch, pairRows } from "./schema.ts";
 * const b = pairBatch([{ pair_id: "p1", group_id: "g", prompt: "hi", response_a: "a", response_b: "b",
 *   label: 1, split: "", gold: null, source: "inline" }]);
 * if (pairRows(b)[0].label !== 1) throw new Error();
 * ```
 */
export function pairBatch(rows: readonly PairRow[]): Batch {
  const cols: Record<string, unknown> = {};
  for (const name of STRING_COLUMNS) {
    cols[name] = vectorFromArray(rows.map((r) => r[name]), new Utf8());
  }
  cols.label = vectorFromArray(rows.map((r) => r.label), new Int8());
  cols.gold = vectorFromArray(rows.map((r) => r.gold), new Int8());
  return batchFromVectors(PAIR_SCHEMA.fields.map((f) => f.name), cols);
}

/** Builds a record batch from named Arrow vectors (or Data), keeping the given column order. */
export function batchFromVectors(
  order: readonly string[],
  // deno-lint-ignore no-explicit-any
  cols: Record<string, any>,
): Batch {
  const fields: Field[] = [];
  // deno-lint-ignore no-explicit-any
  const children: any[] = [];
  let length = -1;
  for (const name of order) {
    const v = cols[name];
    const data = "data" in v && Array.isArray(v.data) ? v.data[0] : v;
    if (length >= 0 && data.length !== length) {
      throw new RangeError(
        `Cannot build batch as column '${name}' has ${data.length} rows: expected ${length}`,
      );
    }
    length = data.length;
    fields.push(new Field(name, data.type, true));
    children.push(data);
  }
  const schema = new Schema(fields);
  const struct = makeData({ type: new Struct(fields), length: Math.max(0, length), children });
  return new RecordBatch(schema, struct);
}

/** Reads a pair batch back into plain rows (extra columns are ignored). */
export function pairRows(batch: Batch): PairRow[] {
  const n = batch.numRows;
  const get = (name: string) => batch.getChild(name);
  const cols = Object.fromEntries(
    [...STRING_COLUMNS, "label", "gold"].map((c) => [c, get(c)]),
  );
  const out: PairRow[] = new Array(n);
  for (let i = 0; i < n; i++) {
    out[i] = {
      pair_id: cols.pair_id?.get(i) ?? "",
      group_id: cols.group_id?.get(i) ?? "",
      prompt: cols.prompt?.get(i) ?? "",
      response_a: cols.response_a?.get(i) ?? "",
      response_b: cols.response_b?.get(i) ?? "",
      label: (cols.label?.get(i) ?? null) as 1 | -1 | null,
      split: (cols.split?.get(i) ?? "") as Split,
      gold: (cols.gold?.get(i) ?? null) as 1 | -1 | null,
      source: cols.source?.get(i) ?? "",
    };
  }
  return out;
}

/**
 * Returns a copy of `batch` with `cols` added or replaced (vectors or Data of the same length).
 */
// deno-lint-ignore no-explicit-any
export function withColumns(batch: Batch, cols: Record<string, any>): Batch {
  const order = batch.schema.fields.map((f) => f.name);
  // deno-lint-ignore no-explicit-any
  const all: Record<string, any> = {};
  for (const name of order) all[name] = batch.getChild(name)!;
  for (const [name, v] of Object.entries(cols)) {
    if (!(name in all)) order.push(name);
    all[name] = v;
  }
  return batchFromVectors(order, all);
}

/** Returns the rows of `batch` at `indices` (in that order), as a new batch. */
export function takeRows(batch: Batch, indices: ArrayLike<number>): Batch {
  // Arrow JS has no `take` kernel: rebuild through plain values, column by column.
  const order = batch.schema.fields.map((f) => f.name);
  // deno-lint-ignore no-explicit-any
  const cols: Record<string, any> = {};
  for (const f of batch.schema.fields) {
    const col = batch.getChild(f.name)!;
    const vals = new Array(indices.length);
    for (let i = 0; i < indices.length; i++) vals[i] = plain(col.get(indices[i]));
    cols[f.name] = vectorFromArray(vals, f.type);
  }
  return batchFromVectors(order, cols);
}

/** Nested values (list cells come back as Vectors) as plain arrays `vectorFromArray` accepts. */
function plain(v: unknown): unknown {
  if (v !== null && typeof v === "object" && "toArray" in v && typeof v.toArray === "function") {
    return Array.from(v.toArray() as ArrayLike<unknown>, plain);
  }
  return v;
}
