/**
 * `filter`: keeps the rows for which a JavaScript expression over the row's columns is truthy.
 *
 * @module
 */
import { map } from "rxjs";
import type { Batch, StageContext, StageSpec } from "../contracts/types.ts";
import { takeRows } from "../data/schema.ts";

/** The `filter` stage's spec. */
export const spec: StageSpec = {
  name: "filter",
  pure: true,
  summary: "Keeps rows matching a JavaScript expression over the row's columns.",
  description: "Every column of the batch is a variable in `where` (e.g. `prompt`, `response_a`, " +
    "`label`, `split`). Rows for which the expression is truthy are kept.",
  fields: {
    where: {
      type: "string",
      required: true,
      description:
        "A JavaScript expression, e.g. `response_a.length > 20 && response_b.length > 20`.",
    },
  },
  examples: [{
    title: "Drop pairs with a very short response",
    yaml: 'use: filter\nwith: { where: "response_a.length >= 5 && response_b.length >= 5" }',
  }],
};

/** Config of `filter`. */
export interface FilterConfig {
  where: string;
}

/**
 * @param cfg The validated config.
 * @param ctx The stage context.
 * @returns An operator that keeps the matching rows of each batch (empty batches are dropped).
 */
export function operator(cfg: FilterConfig, ctx: StageContext) {
  try {
    new Function(`"use strict"; return (${cfg.where});`);
  } catch (e) {
    throw new SyntaxError(
      `Cannot compile 'where' expression ${JSON.stringify(cfg.where)}: ${(e as Error).message}`,
    );
  }
  const compiled = new Map<string, (...cols: unknown[]) => unknown>();
  let kept = 0, seen = 0;
  const predicate = (names: string[]) => {
    const key = names.join("\u0000");
    let fn = compiled.get(key);
    if (!fn) {
      try {
        fn = new Function(...names, `"use strict"; return (${cfg.where});`) as (
          ...cols: unknown[]
        ) => unknown;
      } catch (e) {
        throw new SyntaxError(
          `Cannot compile 'where' expression ${JSON.stringify(cfg.where)}: ${(e as Error).message}`,
        );
      }
      compiled.set(key, fn!);
    }
    return fn!;
  };
  return (source: import("rxjs").Observable<Batch>) =>
    source.pipe(
      map((b) => {
        const names = b.schema.fields.map((f) => f.name).filter((n) =>
          /^[A-Za-z_$][\w$]*$/.test(n)
        );
        const fn = predicate(names);
        const cols = names.map((n) => b.getChild(n)!);
        const keep: number[] = [];
        for (let i = 0; i < b.numRows; i++) {
          let ok: unknown;
          try {
            ok = fn(...cols.map((c) => c.get(i)));
          } catch (e) {
            throw new Error(`Cannot evaluate 'where' on row ${seen + i}: ${(e as Error).message}`);
          }
          if (ok) keep.push(i);
        }
        seen += b.numRows;
        kept += keep.length;
        ctx.log.debug("filtered", { kept, seen });
        return keep.length === b.numRows ? b : takeRows(b, keep);
      }),
    );
}
