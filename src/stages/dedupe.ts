/**
 * `dedupe`: removes exact duplicate pairs (same `pair_id`) across all batches, first copy wins.
 *
 * @module
 */
import { defer, filter, map, type Observable, tap } from "rxjs";
import type { Batch, StageContext, StageSpec } from "../contracts/types.ts";
import { takeRows } from "../data/schema.ts";
import { canonicalVerdict, DedupeState } from "../data/dedupe_state.ts";

/** The `dedupe` stage's spec. */
export const spec: StageSpec = {
  name: "dedupe",
  pure: true,
  summary: "Removes exact duplicate pairs (same pair_id) across batches; counts them.",
  description: "`pair_id` hashes the prompt and both responses regardless of their order, so a " +
    "pair read twice (from two files, or with its responses swapped) is kept once. Copies whose " +
    "label disagrees with the kept one are counted as conflicting. `read` already dedupes within " +
    "its own files; use this stage after merging several sources.",
  fields: {},
  examples: [{ title: "After merging two sources", yaml: "use: dedupe\ninputs: [hh, extra]" }],
  inputs: { min: 1, max: 16 },
};

/**
 * @param _cfg The (empty) config.
 * @param ctx The stage context.
 * @returns An operator that drops rows whose `pair_id` was seen before.
 */
export function operator(_cfg: Record<string, never>, ctx: StageContext) {
  return (source: Observable<Batch>) =>
    defer(() => {
      const state = new DedupeState();
      let seen = 0;
      return source.pipe(
        map((batch: Batch) => {
          seen += batch.numRows;
          const ids = batch.getChild("pair_id");
          const labels = batch.getChild("label");
          const as = batch.getChild("response_a"), bs = batch.getChild("response_b");
          if (!ids) {
            throw new TypeError(
              `Cannot dedupe batch as it has no 'pair_id' column: ` +
                `put dedupe after a stage that emits pair batches`,
            );
          }
          const keep: number[] = [];
          for (let i = 0; i < batch.numRows; i++) {
            if (
              state.add(
                ids.get(i),
                canonicalVerdict(as?.get(i) ?? "", bs?.get(i) ?? "", labels?.get(i) ?? null),
              )
            ) keep.push(i);
          }
          return keep.length === batch.numRows ? batch : takeRows(batch, keep);
        }),
        filter((b: Batch) => b.numRows > 0),
        tap({
          complete: () =>
            ctx.log.info(
              `dedupe: ${seen} rows in, kept ${seen - state.duplicates}, ` +
                `duplicates ${state.duplicates} (conflicting labels ${state.conflicting})`,
              {
                rows: seen,
                kept: seen - state.duplicates,
                duplicates: state.duplicates,
                conflicting: state.conflicting,
              },
            ),
        }),
      );
    });
}
