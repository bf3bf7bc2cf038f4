/**
 * Row helpers for writing stages without Arrow calls: each is a plain RxJS operator over
 * record batches that hands your function one row at a time as a plain object.
 *
 * They read every column of every row, which is fine for the pair columns; for wide batches
 * (embedding columns) on the hot path, work on the Arrow columns directly.
 *
 * @module
 */
import { map, type OperatorFunction } from "rxjs";
import type { DataType } from "apache-arrow";
import type { Batch } from "../contracts/types.ts";
import { batchOf, columnOf, type Row, rowsOf } from "../data/rows.ts";
import { type PairRow, takeRows, withColumns } from "../data/schema.ts";

/**
 * A row as the helpers hand it over: the pair columns typed, other columns (`p_a`, `margin`,
 * `rule`, ... where a stage added them) of any type.
 */
// deno-lint-ignore no-explicit-any
export type BatchRow = PairRow & Record<string, any>;

/**
 * Keeps the rows for which `keep` is true (a batch that keeps every row passes through as is).
 *
 * @param keep The predicate, given each row and its index in the batch.
 * @returns The operator.
 * @example
 * ```ts
 * import { of, lastValueFrom } from "rxjs";
 * import { batchOf, filterRows, rowsOf } from "../../mod.ts";
 * const b = batchOf([{ pair_id: "a", margin: 0.2 }, { pair_id: "b", margin: 0.9 }]);
 * const out = await lastValueFrom(of(b).pipe(filterRows((r) => r.margin > 0.5)));
 * if (rowsOf(out).map((r) => r.pair_id).join() !== "b") throw new Error();
 * ```
 */
export function filterRows<R extends Row = BatchRow>(
  keep: (row: R, index: number) => boolean,
): OperatorFunction<Batch, Batch> {
  return map((b: Batch) => {
    const rows = rowsOf(b) as R[];
    const kept: number[] = [];
    for (let i = 0; i < rows.length; i++) if (keep(rows[i], i)) kept.push(i);
    return kept.length === b.numRows ? b : takeRows(b, kept);
  });
}

/**
 * Replaces each row with what `fn` returns. Columns keep their types; new keys become new
 * columns (typed from their values); a key left out of every returned row is dropped.
 *
 * @param fn Maps a row (and its index) to the new row.
 * @returns The operator.
 * @example
 * ```ts
 * import { of, lastValueFrom } from "rxjs";
 * import { batchOf, mapRows, rowsOf } from "../../mod.ts";
 * const b = batchOf([{ pair_id: "a", label: 1 }]);
 * const out = await lastValueFrom(of(b).pipe(mapRows((r) => ({ ...r, label: -r.label! }))));
 * if (rowsOf(out)[0].label !== -1) throw new Error();
 * ```
 */
export function mapRows<R extends Row = BatchRow>(
  fn: (row: R, index: number) => Row,
): OperatorFunction<Batch, Batch> {
  return map((b: Batch) => batchOf((rowsOf(b) as R[]).map(fn), b.schema));
}

/**
 * Adds (or replaces) one column computed from each row.
 *
 * @param name The column.
 * @param fn Its value for a row (null for none).
 * @param type Its Arrow type (default: the existing column's, else from the values).
 * @returns The operator.
 * @example
 * ```ts
 * import { of, lastValueFrom } from "rxjs";
 * import { batchOf, rowsOf, withColumn } from "../../mod.ts";
 * const b = batchOf([{ pair_id: "a", response_a: "one two", response_b: "three" }]);
 * const out = await lastValueFrom(
 *   of(b).pipe(withColumn("longer", (r) => r.response_a.length > r.response_b.length)),
 * );
 * if (rowsOf(out)[0].longer !== true) throw new Error();
 * ```
 */
export function withColumn<R extends Row = BatchRow>(
  name: string,
  fn: (row: R, index: number) => unknown,
  type?: DataType,
): OperatorFunction<Batch, Batch> {
  return map((b: Batch) => {
    const values = (rowsOf(b) as R[]).map((r, i) => fn(r, i) ?? null);
    return withColumns(b, { [name]: columnOf(name, values, b.schema, type) });
  });
}
