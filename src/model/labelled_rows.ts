/**
 * The labelled rows of pair batches that training or evaluation uses, read from the `label`,
 * `split` (and, for evaluation only, `gold`) columns, plus a hash identifying a training set.
 *
 * @module
 */
import type { Batch } from "../contracts/types.ts";
import { fmix32, mixStep } from "./hash.ts";

/** Rows (global positions over the concatenated batches) with their labels. */
export interface LabelledRows {
  rows: Uint32Array;
  labels: Int8Array;
  /** `pair_id` of each selected row ("#<row>" where the column is missing). */
  pairIds: string[];
}

/** Which label column to read: training always uses `label`; evaluation may read `gold`. */
export type LabelSource = "label" | "gold" | "either";

/**
 * Selects the rows of `splits` that have a label (1 or -1).
 *
 * @param batches Pair batches, in order.
 * @param splits The splits to keep (`""` matches rows before any split stage ran).
 * @param source `label` (training: never reads `gold`), `gold`, or `either` (label, else gold).
 * @returns The selected rows, labels and pair ids.
 * @example
 * ```ts
 * import { labelledRows } from "./labelled_rows.ts";
 * import { pairBatch } from "../data/schema.ts";
 * const row = { pair_id: "p", group_id: "g", prompt: "", response_a: "", response_b: "", source: "" };
 * const b = pairBatch([{ ...row, label: 1, split: "seed", gold: null },
 *   { ...row, label: null, split: "unlabelled", gold: -1 }]);
 * if (labelledRows([b], ["seed", "unlabelled"]).rows.length !== 1) throw new Error();
 * ```
 */
export function labelledRows(
  batches: readonly Batch[],
  splits: readonly string[],
  source: LabelSource = "label",
): LabelledRows {
  const rows: number[] = [], labels: number[] = [], pairIds: string[] = [];
  const want = new Set(splits);
  let base = 0;
  for (const batch of batches) {
    const label = batch.getChild("label"), gold = batch.getChild("gold");
    const split = batch.getChild("split"), ids = batch.getChild("pair_id");
    for (let i = 0; i < batch.numRows; i++) {
      if (!want.has(split?.get(i) ?? "")) continue;
      let y = source === "gold" ? null : label?.get(i) ?? null;
      if (y === null && source !== "label") y = gold?.get(i) ?? null;
      if (y !== 1 && y !== -1) continue;
      rows.push(base + i);
      labels.push(y);
      pairIds.push(ids?.get(i) ?? `#${base + i}`);
    }
    base += batch.numRows;
  }
  return { rows: Uint32Array.from(rows), labels: Int8Array.from(labels), pairIds };
}

/**
 * A 64-bit hex digest of a training set's pair ids and labels (order-sensitive).
 *
 * @param rows The selected rows.
 * @returns 16 hex digits.
 * @example
 * ```ts
 * import { trainingDataHash } from "./labelled_rows.ts";
 * const a = trainingDataHash({ rows: new Uint32Array(1), labels: new Int8Array([1]), pairIds: ["p"] });
 * const b = trainingDataHash({ rows: new Uint32Array(1), labels: new Int8Array([-1]), pairIds: ["p"] });
 * if (a === b || a.length !== 16) throw new Error();
 * ```
 */
export function trainingDataHash(rows: LabelledRows): string {
  let h1 = 0x1234567, h2 = 0x89abcdef;
  for (let r = 0; r < rows.pairIds.length; r++) {
    const id = rows.pairIds[r];
    for (let i = 0; i < id.length; i++) {
      h1 = mixStep(h1, id.charCodeAt(i));
      h2 = mixStep(h2, id.charCodeAt(i) ^ 0x5bd1e995);
    }
    h1 = mixStep(h1, rows.labels[r] & 0xff);
    h2 = mixStep(h2, (rows.labels[r] & 0xff) ^ 0x27d4eb2f);
  }
  const hex = (h: number) => fmix32(h ^ rows.pairIds.length).toString(16).padStart(8, "0");
  return hex(h1) + hex(h2);
}
