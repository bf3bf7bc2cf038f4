/**
 * The human labels a pair batch carries, as label rows for the pool.
 *
 * @module
 */
import type { Batch } from "../contracts/types.ts";
import type { LabelRows } from "./types.ts";

/**
 * Picks the rows of `batch` that carry a human label (`label` 1 or -1) in one of `splits`, as
 * label rows of origin `human`, rule `seed`, iteration 0. Hidden labels (`gold`) are never read.
 *
 * @param batch A pair batch.
 * @param splits The splits whose labels count (`""`: rows not split yet).
 * @returns The label rows (possibly empty).
 * @example
 * ```ts
 * import { pairBatch } from "../data/schema.ts";
 * import { humanLabelRows } from "./batch_labels.ts";
 * const b = pairBatch([
 *   { pair_id: "p1", group_id: "g", prompt: "q", response_a: "a", response_b: "b", label: -1,
 *     split: "seed", gold: null, source: "x" },
 *   { pair_id: "p2", group_id: "g", prompt: "q", response_a: "c", response_b: "d", label: null,
 *     split: "unlabelled", gold: 1, source: "x" },
 * ]);
 * const rows = humanLabelRows(b, ["seed"]);
 * if (rows.pairId.length !== 1 || rows.label[0] !== -1) throw new Error();
 * ```
 */
export function humanLabelRows(batch: Batch, splits: readonly string[]): LabelRows {
  const ids = batch.getChild("pair_id");
  const labels = batch.getChild("label");
  const split = batch.getChild("split");
  const pairId: string[] = [];
  const label: number[] = [];
  if (ids && labels) {
    for (let i = 0; i < batch.numRows; i++) {
      const l = labels.get(i);
      if (l !== 1 && l !== -1) continue;
      if (!splits.includes(split?.get(i) ?? "")) continue;
      pairId.push(ids.get(i));
      label.push(l);
    }
  }
  return { pairId, label, origin: "human", iteration: 0, rule: "seed" };
}
