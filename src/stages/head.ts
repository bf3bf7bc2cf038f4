/**
 * `head`: passes the first `rows` rows through and stops reading upstream (the running count
 * lives in `scan`; `takeWhile` ends the stream and unsubscribes from upstream).
 *
 * @module
 */
import { EMPTY, map, type OperatorFunction, scan, takeWhile } from "rxjs";
import type { Batch, StageContext, StageSpec } from "../contracts/types.ts";
import { takeRows } from "../data/schema.ts";

/** The `head` stage's spec. */
export const spec: StageSpec = {
  name: "head",
  pure: true,
  summary: "Keeps the first N rows and stops reading upstream.",
  fields: {
    rows: { type: "integer", min: 0, default: 1000, description: "How many rows to keep." },
  },
  examples: [{ title: "A quick trial on 500 pairs", yaml: "use: head\nwith: { rows: 500 }" }],
};

/** Config of `head`. */
export interface HeadConfig {
  rows: number;
}

/**
 * @param cfg The validated config.
 * @param _ctx The stage context.
 * @returns An operator that keeps the first `cfg.rows` rows, then unsubscribes from upstream
 *   (also when upstream emits synchronously).
 */
export function operator(
  cfg: HeadConfig,
  _ctx: StageContext,
): OperatorFunction<Batch, Batch> {
  if (cfg.rows === 0) return () => EMPTY;
  return (source) =>
    source.pipe(
      scan((s: { left: number; out: Batch | null }, b: Batch) => {
        const n = Math.min(s.left, b.numRows);
        const out = n === b.numRows ? b : takeRows(b, Array.from({ length: n }, (_, i) => i));
        return { left: s.left - n, out };
      }, { left: cfg.rows, out: null }),
      takeWhile((s) => s.left > 0, true),
      map((s) => s.out!),
    );
}
