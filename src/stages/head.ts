/**
 * `head`: passes the first `rows` rows through and stops reading upstream.
 *
 * @module
 */
import { Observable } from "rxjs";
import type { Batch, StageContext, StageSpec } from "../contracts/types.ts";
import { takeRows } from "../data/schema.ts";

/** The `head` stage's spec. */
export const spec: StageSpec = {
  name: "head",
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
 * @returns An operator that keeps the first `cfg.rows` rows.
 */
export function operator(cfg: HeadConfig, _ctx: StageContext) {
  return (source: Observable<Batch>) =>
    new Observable<Batch>((sub) => {
      let left = cfg.rows;
      if (left === 0) {
        sub.complete();
        return;
      }
      const inner = source.subscribe({
        next: (b) => {
          if (b.numRows <= left) {
            left -= b.numRows;
            sub.next(b);
          } else {
            sub.next(takeRows(b, Array.from({ length: left }, (_, i) => i)));
            left = 0;
          }
          if (left === 0) {
            sub.complete();
            inner?.unsubscribe();
          }
        },
        error: (e) => sub.error(e),
        complete: () => sub.complete(),
      });
      return () => inner.unsubscribe();
    });
}
