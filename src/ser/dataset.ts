/**
 * The pairs the `ser` stage works on: every incoming row, by position, with its split, its human
 * label and (kept apart, for evaluation only) its hidden gold label.
 *
 * @module
 */
import type { Batch } from "../contracts/types.ts";

/** Split codes of `SerData.split`. */
export const SPLIT_CODES = { seed: 0, unlabelled: 1, validation: 2, test: 3, other: 4 } as const;

/** All pairs of a run, by row position (the order the batches arrived in). */
export interface SerData {
  n: number;
  pairIds: string[];
  /** `SPLIT_CODES` per row. */
  split: Uint8Array;
  /** The `label` column: 1, -1, or 0 for null. Unlabelled rows have 0 here. */
  label: Int8Array;
  /** The `gold` column: 1, -1, or 0 for null. Evaluation only: never read by training. */
  gold: Int8Array;
  /** Seed rows with a human label (the human training set). */
  seed: Uint32Array;
  /** Rows of the unlabelled split (self-labelling candidates). */
  unlabelled: Uint32Array;
  /** Validation rows with a human label. */
  validation: Uint32Array;
  /** Test rows with a human label. */
  test: Uint32Array;
}

function _int8Column(batch: Batch, name: string): (i: number) => number {
  const col = batch.getChild(name);
  return (i) => {
    const v = col?.get(i);
    return v === 1 || v === -1 ? v : 0;
  };
}

/**
 * Reads the pair rows of `batches` into `SerData`.
 *
 * @param batches Pair batches after the `split` stage (columns `pair_id`, `split`, `label`, `gold`).
 * @returns The rows by position and the index lists of each split.
 * @throws {TypeError} When a batch lacks `pair_id` or `split`, or a pair id repeats.
 * @example
 * ```ts
 * import { collectPairs } from "./dataset.ts";
 * import { pairBatch } from "../data/schema.ts";
 * const row = { group_id: "g", prompt: "p", response_a: "a", response_b: "b", source: "x" };
 * const d = collectPairs([pairBatch([
 *   { ...row, pair_id: "1", label: 1, split: "seed", gold: null },
 *   { ...row, pair_id: "2", label: null, split: "unlabelled", gold: -1 },
 * ])]);
 * if (d.seed.join() !== "0" || d.unlabelled.join() !== "1" || d.gold[1] !== -1) throw new Error();
 * ```
 */
export function collectPairs(batches: readonly Batch[]): SerData {
  const n = batches.reduce((s, b) => s + b.numRows, 0);
  const pairIds = new Array<string>(n);
  const split = new Uint8Array(n), label = new Int8Array(n), gold = new Int8Array(n);
  const seen = new Set<string>();
  let row = 0;
  for (const b of batches) {
    const ids = b.getChild("pair_id"), splits = b.getChild("split");
    if (!ids || !splits) {
      throw new TypeError(
        `Cannot run the SER loop as an input batch has no '${ids ? "split" : "pair_id"}' column: ` +
          `put a 'split' stage before it`,
      );
    }
    const lab = _int8Column(b, "label"), gld = _int8Column(b, "gold");
    for (let i = 0; i < b.numRows; i++, row++) {
      const id = String(ids.get(i));
      if (seen.has(id)) {
        throw new TypeError(
          `Cannot run the SER loop as pair_id '${id}' occurs twice: deduplicate the input (stage 'dedupe')`,
        );
      }
      seen.add(id);
      pairIds[row] = id;
      const s = splits.get(i) as string;
      split[row] = s in SPLIT_CODES
        ? SPLIT_CODES[s as keyof typeof SPLIT_CODES]
        : SPLIT_CODES.other;
      label[row] = lab(i);
      gold[row] = gld(i);
    }
  }
  const pick = (code: number, needLabel: boolean) => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) {
      if (split[i] === code && (!needLabel || label[i] !== 0)) out.push(i);
    }
    return Uint32Array.from(out);
  };
  return {
    n,
    pairIds,
    split,
    label,
    gold,
    seed: pick(SPLIT_CODES.seed, true),
    unlabelled: pick(SPLIT_CODES.unlabelled, false),
    validation: pick(SPLIT_CODES.validation, true),
    test: pick(SPLIT_CODES.test, true),
  };
}
