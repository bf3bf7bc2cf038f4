/**
 * The training set of one iteration: the human seed labels plus the self-labels chosen so far.
 * Gold labels of unlabelled pairs are read only in `all-labels` mode (the upper reference), never
 * in the SER loop.
 *
 * @module
 */
import type { TrainSet } from "../model/types.ts";
import type { Rng } from "../contracts/rng.ts";
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
  /** `soft`: train on the calibrated probability of the self-label (default `hard`). */
  targets?: "hard" | "soft";
  /**
   * The validation temperature of the model that made iteration k's self-labels (soft targets
   * use `q = sigmoid(margin / T)`); 1 when absent.
   */
  labelTemperature?: (iteration: number) => number;
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
 * label (weight 1) instead of self-labels. With soft targets a self-labelled row appears twice:
 * with its label and weight `w q`, then with the opposite label and weight `w (1 - q)`, whose
 * summed loss `w (q softplus(-d) + (1 - q) softplus(d))` is the cross-entropy against target `q`
 * (a mini-batch mean counts both entries, so such a pair also counts twice in the divisor).
 *
 * @param data The pairs.
 * @param selfLabels The self-labels in force (ignored unless `mode` is `ser`).
 * @param mode The stage's mode.
 * @param opts Self-label weighting.
 * @param human The human-labelled rows to train on (default: the whole seed; incremental
 *   retraining passes its replay sample).
 * @returns Indices, labels and weights for `RewardBackend.trainEpoch`.
 */
export function buildTrainSet(
  data: SerData,
  selfLabels: SelfLabels,
  mode: SerMode,
  opts: WeightOptions,
  human: Uint32Array = data.seed,
): TrainSet {
  const idx: number[] = [], lab: number[] = [], w: number[] = [];
  for (const i of human) {
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
      const wt = selfLabelWeight(s, opts);
      if (opts.targets === "soft") {
        const t = opts.labelTemperature?.(s.iteration) ?? 1;
        const q = 1 / (1 + Math.exp(-s.margin / t));
        idx.push(i, i);
        lab.push(s.label, -s.label);
        w.push(Math.fround(wt * q), Math.fround(wt * (1 - q)));
        continue;
      }
      idx.push(i);
      lab.push(s.label);
      w.push(wt);
    }
  }
  return {
    indices: Uint32Array.from(idx),
    labels: Int8Array.from(lab),
    weights: Float32Array.from(w),
  };
}

/**
 * The human seed pairs an incremental iteration replays: `round(fraction * seed.length)` of them,
 * drawn without replacement by `rng`, in row order.
 *
 * @param seed The seed rows.
 * @param fraction The share to replay (0..1).
 * @param rng The draw (derived from the run's seed and the iteration).
 * @returns The replayed rows, sorted.
 * @example
 * ```ts
 * import { replaySample } from "./train_set.ts";
 * import { Rng } from "../contracts/rng.ts";
 * const seed = new Uint32Array([3, 5, 8, 13, 21, 34]);
 * const r = replaySample(seed, 0.5, new Rng(1));
 * if (r.length !== 3 || !r.every((x) => seed.includes(x))) throw new Error();
 * if (replaySample(seed, 0.5, new Rng(1)).join() !== r.join()) throw new Error();
 * ```
 */
export function replaySample(seed: Uint32Array, fraction: number, rng: Rng): Uint32Array {
  const n = Math.round(fraction * seed.length);
  if (n >= seed.length) return seed.slice();
  return rng.shuffle(seed.slice()).slice(0, n).sort();
}

/**
 * The self-labels of `next` that are new against `prev`: pairs that had no self-label, or the
 * opposite one (the same test as an iteration's `newPairs`).
 *
 * @param prev The self-labels before the iteration.
 * @param next The self-labels after it.
 * @returns The new ones.
 */
export function newSelfLabels(prev: SelfLabels, next: SelfLabels): SelfLabels {
  const out: SelfLabels = new Map();
  for (const [row, s] of next) if (prev.get(row)?.label !== s.label) out.set(row, s);
  return out;
}
