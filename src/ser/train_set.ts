/**
 * The training set of one iteration: the human seed labels plus the self-labels chosen so far.
 * Gold labels of unlabelled pairs are read only in `all-labels` mode (the upper reference), never
 * in the SER loop.
 *
 * @module
 */
import type { TrainSet } from "../model/types.ts";
import type { SerData } from "./dataset.ts";
import type { SelectReason } from "./select.ts";
import type { SerMode } from "./config.ts";

/** A self-label the model gave an unlabelled pair. */
export interface SelfLabel {
  /** 1: a preferred, -1: b preferred (the model's choice, unless an `on_selected` stage flipped it). */
  label: 1 | -1;
  /** The iteration that chose it. */
  iteration: number;
  /** `|r_a - r_b|` when chosen (float32, so it survives a float column in the pool exactly). */
  margin: number;
  /** `sigmoid(r / T)` of each response when chosen (float32). */
  pA: number;
  pB: number;
  /** The selection rule that chose it, or the id of the `on_selected` stage that flipped it. */
  reason: SelectReason | string;
  /** True when the model preferred b. */
  swapped: boolean;
}

/** Self-labels by row position. */
export type SelfLabels = Map<number, SelfLabel>;

/** How self-labelled pairs are weighted in the loss. */
export interface WeightOptions {
  selfWeight: number;
  weighting: "constant" | "confidence";
}

/**
 * The loss weight of a self-label: `selfWeight`, times `|2 sigmoid(margin) - 1| = tanh(margin / 2)`
 * with `confidence` weighting.
 *
 * @param s The self-label.
 * @param opts The weighting options.
 * @returns The weight (float32).
 * @example
 * ```ts
 * import { selfLabelWeight } from "./train_set.ts";
 * const s = { label: 1 as const, iteration: 1, margin: 0, pA: 0.5, pB: 0.5, reason: "status2" as const, swapped: false };
 * if (selfLabelWeight(s, { selfWeight: 0.5, weighting: "confidence" }) !== 0) throw new Error();
 * ```
 */
export function selfLabelWeight(s: SelfLabel, opts: WeightOptions): number {
  const w = opts.weighting === "confidence"
    ? opts.selfWeight * Math.tanh(s.margin / 2)
    : opts.selfWeight;
  return Math.fround(w);
}

/**
 * Builds an iteration's training set: seed rows (weight 1, their human `label`) in row order, then
 * self-labelled rows in row order. In `all-labels` mode the unlabelled rows join with their gold
 * label (weight 1) instead of self-labels.
 *
 * @param data The pairs.
 * @param selfLabels The self-labels in force (ignored unless `mode` is `ser`).
 * @param mode The stage's mode.
 * @param opts Self-label weighting.
 * @returns Indices, labels and weights for `RewardBackend.trainEpoch`.
 */
export function buildTrainSet(
  data: SerData,
  selfLabels: SelfLabels,
  mode: SerMode,
  opts: WeightOptions,
): TrainSet {
  const idx: number[] = [], lab: number[] = [], w: number[] = [];
  for (const i of data.seed) {
    idx.push(i);
    lab.push(data.label[i]);
    w.push(1);
  }
  if (mode === "all-labels") {
    for (const i of data.unlabelled) {
      if (data.gold[i] === 0) continue;
      idx.push(i);
      lab.push(data.gold[i]);
      w.push(1);
    }
  } else if (mode === "ser") {
    for (const i of [...selfLabels.keys()].sort((a, b) => a - b)) {
      const s = selfLabels.get(i)!;
      idx.push(i);
      lab.push(s.label);
      w.push(selfLabelWeight(s, opts));
    }
  }
  return {
    indices: Uint32Array.from(idx),
    labels: Int8Array.from(lab),
    weights: Float32Array.from(w),
  };
}
