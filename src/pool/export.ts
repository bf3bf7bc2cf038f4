/**
 * The labelled pool as preference data for other trainers: `prompt`, `chosen`, `rejected` (the
 * shape TRL's reward and DPO trainers read), plus `origin`, `margin`, `iteration`, `pair_id`.
 *
 * @module
 */
import type { Pool } from "./pool.ts";

/** Output formats of `exportPool`. */
export const EXPORT_FORMATS = ["trl-jsonl", "parquet"] as const;
/** One of `EXPORT_FORMATS`. */
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
/** The splits a pool can hold. */
export const EXPORT_SPLITS = ["seed", "unlabelled", "validation", "test"] as const;

/** What to export. */
export interface ExportOptions {
  format: ExportFormat;
  /** The output file. */
  out: string;
  /** Only human labels, only self-labels, or both (default `all`). */
  origin?: "human" | "self" | "all";
  /** Keep self-labels whose margin is at least this (human labels have none and are kept). */
  minMargin?: number | null;
  /** Splits to export (default: the training pool, `seed` and `unlabelled`; never `test`). */
  splits?: readonly (typeof EXPORT_SPLITS)[number][];
}

/** What `exportPool` wrote. */
export interface ExportSummary {
  rows: number;
  human: number;
  self: number;
}

/**
 * The SELECT behind an export: each labelled pair of the current pool once, the preferred
 * response as `chosen`, in labelling order.
 *
 * @param opts The filters (`format` decides how `margin` is typed: JSON gets its shortest digits).
 * @returns The SQL.
 * @throws {RangeError} On an unknown origin or split, or a margin that is not a finite number.
 * @example
 * ```ts
 * import { exportQuery } from "./export.ts";
 * const sql = exportQuery({ format: "parquet", out: "x.parquet", origin: "self", minMargin: 0.5 });
 * if (!sql.includes("margin >= 0.5")) throw new Error();
 * ```
 */
export function exportQuery(opts: ExportOptions): string {
  const origin = opts.origin ?? "all";
  if (!["human", "self", "all"].includes(origin)) {
    throw new RangeError(`Cannot export as 'origin' must be human, self or all: got '${origin}'`);
  }
  const splits = opts.splits ?? ["seed", "unlabelled"];
  if (splits.length === 0) throw new RangeError(`Cannot export as 'splits' is empty`);
  for (const s of splits) {
    if (!EXPORT_SPLITS.includes(s)) {
      throw new RangeError(
        `Cannot export as split '${s}' is not one of ${EXPORT_SPLITS.join(", ")}`,
      );
    }
  }
  const where = [
    "label IS NOT NULL",
    "prompt IS NOT NULL",
    `split IN (${splits.map((s) => `'${s}'`).join(", ")})`,
  ];
  if (origin !== "all") where.push(`origin = '${origin}'`);
  if (opts.minMargin !== undefined && opts.minMargin !== null) {
    if (!Number.isFinite(opts.minMargin)) {
      throw new RangeError(
        `Cannot export as 'minMargin' must be a finite number: current value is ${opts.minMargin}`,
      );
    }
    where.push(`(origin = 'human' OR margin >= ${opts.minMargin})`);
  }
  // JSON would print a FLOAT's double expansion (0.4000000059604645): go through its text.
  const margin = opts.format === "trl-jsonl" ? "margin::VARCHAR::DOUBLE" : "margin";
  return `SELECT prompt,
    CASE WHEN label = 1 THEN response_a ELSE response_b END AS chosen,
    CASE WHEN label = 1 THEN response_b ELSE response_a END AS rejected,
    origin, ${margin} AS margin, iteration, pair_id
  FROM pool WHERE ${where.join(" AND ")}
  ORDER BY label_id`;
}

/**
 * Writes the pool's labelled pairs to a JSON-lines (`trl-jsonl`) or Parquet file.
 *
 * @param pool An open pool (read-only is enough).
 * @param opts What and where.
 * @returns How many rows were written, by origin.
 * @example
 * ```ts
 * import { Pool } from "./pool.ts";
 * import { exportPool } from "./export.ts";
 * const pool = await Pool.open(":memory:");
 * const out = await Deno.makeTempFile({ suffix: ".jsonl" });
 * const s = await exportPool(pool, { format: "trl-jsonl", out });
 * if (s.rows !== 0) throw new Error();
 * await pool.close();
 * await Deno.remove(out);
 * ```
 */
export async function exportPool(pool: Pool, opts: ExportOptions): Promise<ExportSummary> {
  if (!EXPORT_FORMATS.includes(opts.format)) {
    throw new RangeError(
      `Cannot export as 'format' must be one of ${EXPORT_FORMATS.join(", ")}: got '${opts.format}'`,
    );
  }
  const sql = exportQuery(opts);
  const format = opts.format === "parquet" ? "PARQUET" : "JSON";
  await pool.query(`COPY (${sql}) TO '${opts.out.replace(/'/g, "''")}' (FORMAT ${format})`);
  const counts = await pool.query(`SELECT origin, count(*) FROM (${sql}) GROUP BY origin`);
  const by = Object.fromEntries(counts.rows.map((r) => [r[0], Number(r[1])]));
  return { rows: (by.human ?? 0) + (by.self ?? 0), human: by.human ?? 0, self: by.self ?? 0 };
}
