/**
 * The labelled pool as preference data for other trainers: TRL's `prompt`/`chosen`/`rejected`,
 * OpenRLHF's `chosen`/`rejected`, as text or chat messages, in JSON lines, Parquet or a Hugging
 * Face dataset folder; serflow's provenance under one `serflow` column and a `margin` column
 * (the loss margin trainers read) only when asked.
 *
 * @module
 */
import type { Pool } from "./pool.ts";
import type { ExportLayout, ShapeOptions } from "./export_rows.ts";
import { writeExport } from "./export_write.ts";

/** Output formats of `exportPool`. */
export const EXPORT_FORMATS = ["trl-jsonl", "parquet", "openrlhf-jsonl", "hf-dataset"] as const;
/** One of `EXPORT_FORMATS`. */
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
/** The splits a pool can hold. */
export const EXPORT_SPLITS = ["seed", "unlabelled", "validation", "test"] as const;
/** Where the `margin` column comes from: nowhere (no column) or the self-label confidence. */
export const MARGIN_SOURCES = ["none", "from-confidence"] as const;
/** Rows per Parquet shard of an `hf-dataset` folder, by default. */
export const DEFAULT_SHARD_ROWS = 100_000;

/** What to export. */
export interface ExportOptions {
  format: ExportFormat;
  /** The output file; a folder for `hf-dataset`. */
  out: string;
  /** Only human labels, only self-labels, or both (default `all`). */
  origin?: "human" | "self" | "all";
  /** Keep self-labels whose margin is at least this (human labels have none and are kept). */
  minMargin?: number | null;
  /** Splits to export (default: the training pool, `seed` and `unlabelled`; never `test`). */
  splits?: readonly (typeof EXPORT_SPLITS)[number][];
  /** Chat messages (`[{role, content}]`) instead of text (default false). */
  conversational?: boolean;
  /** Write a `margin` column (the trainers' loss margin): `from-confidence` or `none` (default). */
  margin?: (typeof MARGIN_SOURCES)[number];
  /** The `margin` of human labels with `margin: "from-confidence"` (default 0). */
  humanMargin?: number;
  /** Rows per Parquet shard of `hf-dataset` (default `DEFAULT_SHARD_ROWS`). */
  shardRows?: number;
}

/** What `exportPool` wrote. */
export interface ExportSummary {
  rows: number;
  human: number;
  self: number;
  /** The files written (an `hf-dataset` folder: its shards, then its README.md). */
  files: string[];
}

/**
 * The SELECT behind an export: each labelled pair of the current pool once, the preferred
 * response as `chosen`, in labelling order.
 *
 * @param opts The filters.
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
  // A FLOAT's shortest digits (0.4, not 0.4000000059604645) through its text.
  return `SELECT pair_id, prompt,
    CASE WHEN label = 1 THEN response_a ELSE response_b END AS chosen,
    CASE WHEN label = 1 THEN response_b ELSE response_a END AS rejected,
    origin, iteration, rule, margin::VARCHAR::DOUBLE AS margin, dataset
  FROM pool WHERE ${where.join(" AND ")}
  ORDER BY label_id`;
}

/**
 * Checks options that the query does not: format, margin source, human margin, shard size.
 *
 * @param opts The options.
 * @returns How rows are shaped.
 * @throws {RangeError} On a bad option, naming it.
 */
export function shapeOptions(opts: ExportOptions): ShapeOptions {
  if (!EXPORT_FORMATS.includes(opts.format)) {
    throw new RangeError(
      `Cannot export as 'format' must be one of ${EXPORT_FORMATS.join(", ")}: got '${opts.format}'`,
    );
  }
  const margin = opts.margin ?? "none";
  if (!MARGIN_SOURCES.includes(margin)) {
    throw new RangeError(
      `Cannot export as 'margin' must be one of ${MARGIN_SOURCES.join(", ")}: got '${margin}'`,
    );
  }
  if (opts.humanMargin !== undefined) {
    if (margin !== "from-confidence") {
      throw new RangeError(
        `Cannot export as 'humanMargin' needs margin 'from-confidence': there is no margin column`,
      );
    }
    if (!Number.isFinite(opts.humanMargin)) {
      throw new RangeError(
        `Cannot export as 'humanMargin' must be a finite number: current value is ${opts.humanMargin}`,
      );
    }
  }
  if (opts.shardRows !== undefined) {
    if (opts.format !== "hf-dataset") {
      throw new RangeError(`Cannot export as 'shardRows' applies to format 'hf-dataset' only`);
    }
    if (!Number.isInteger(opts.shardRows) || opts.shardRows < 1) {
      throw new RangeError(
        `Cannot export as 'shardRows' must be a positive integer: current value is ${opts.shardRows}`,
      );
    }
  }
  const layout: ExportLayout = opts.format === "openrlhf-jsonl" ? "openrlhf" : "trl";
  return {
    layout,
    conversational: !!opts.conversational,
    margin: margin === "from-confidence" ? { human: opts.humanMargin ?? 0 } : null,
  };
}

/**
 * Writes the pool's labelled pairs for a trainer: JSON lines (`trl-jsonl`, `openrlhf-jsonl`),
 * one Parquet file (`parquet`, TRL's keys) or a Hugging Face dataset folder (`hf-dataset`:
 * `data/train-*.parquet` shards and a dataset card README.md, opened by `load_dataset(DIR)`).
 *
 * @param pool An open pool (read-only is enough).
 * @param opts What and where.
 * @returns How many rows were written, by origin, and the files.
 * @throws {RangeError} On a bad option.
 * @throws {Error} When the output cannot be written: a missing folder, a file where a folder is
 *   wanted, or a dataset folder whose README.md is not a serflow card.
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
export function exportPool(pool: Pool, opts: ExportOptions): Promise<ExportSummary> {
  const shape = shapeOptions(opts);
  const sql = exportQuery(opts);
  const shardRows = opts.format === "hf-dataset" ? opts.shardRows ?? DEFAULT_SHARD_ROWS : undefined;
  return writeExport(pool, sql, { ...opts, shardRows }, shape);
}
