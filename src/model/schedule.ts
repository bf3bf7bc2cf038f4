/**
 * Per-epoch training settings that hold at any data size: a learning-rate schedule (linear
 * warm-up, then cosine decay to zero over the remaining epochs) and weight decay whose strength
 * per epoch does not grow with the number of optimizer steps.
 *
 * AdamW applies `lr * weightDecay * theta` at every step, so with a fixed per-step decay a set 40
 * times larger is decayed 40 times harder per epoch. With `decayPer: "epoch"` the per-step decay
 * is `weightDecay / stepsPerEpoch`: one epoch shrinks the weights by about `lr * weightDecay`
 * whatever the set's size.
 *
 * @module
 */
import type { TrainOptions } from "./types.ts";

/** How the learning rate moves over epochs. */
export type LrSchedule = "constant" | "cosine";

/** Schedule settings of a training run. */
export interface ScheduleOptions {
  /** `constant`: `lr` every epoch; `cosine`: warm-up, then cosine decay to 0 at the last epoch. */
  schedule: LrSchedule;
  /** Epochs of linear warm-up (epoch e <= w trains at `lr * e / (w + 1)`). */
  warmupEpochs: number;
  /** `epoch`: `weightDecay` is the decay per epoch (split over its steps); `step`: per step. */
  decayPer: "epoch" | "step";
}

/** The defaults of `ScheduleOptions`. */
export const DEFAULT_SCHEDULE: ScheduleOptions = {
  schedule: "constant",
  warmupEpochs: 0,
  decayPer: "epoch",
};

/**
 * The learning-rate factor of one epoch.
 *
 * @param epoch The epoch, 1-based.
 * @param epochs The planned number of epochs.
 * @param s The schedule.
 * @returns A factor in (0, 1].
 * @example
 * ```ts
 * import { lrFactor } from "./schedule.ts";
 * const s = { schedule: "cosine" as const, warmupEpochs: 1, decayPer: "epoch" as const };
 * if (lrFactor(1, 5, s) !== 0.5 || lrFactor(2, 5, s) !== 1) throw new Error();
 * if (!(lrFactor(5, 5, s) < lrFactor(3, 5, s))) throw new Error();
 * ```
 */
export function lrFactor(epoch: number, epochs: number, s: ScheduleOptions): number {
  if (s.schedule === "constant") return epoch <= s.warmupEpochs ? epoch / (s.warmupEpochs + 1) : 1;
  const w = Math.min(s.warmupEpochs, Math.max(epochs - 1, 0));
  if (epoch <= w) return epoch / (w + 1);
  const span = epochs - w;
  if (span <= 1) return 1;
  // Epoch w + 1 runs at the full rate; the last epoch at the midpoint of the last half-step.
  const t = (epoch - w - 1) / span;
  return 0.5 * (1 + Math.cos(Math.PI * t));
}

/**
 * The optimizer settings of one epoch: the learning rate scaled by the schedule and the weight
 * decay per step.
 *
 * @param opts The run's optimizer settings.
 * @param s The schedule.
 * @param epoch The epoch, 1-based.
 * @param epochs The planned number of epochs.
 * @param examples Examples in the training set (sets the steps per epoch).
 * @returns The settings to pass to `RewardBackend.trainEpoch`.
 * @example
 * ```ts
 * import { epochTrainOptions } from "./schedule.ts";
 * import { DEFAULT_TRAIN } from "./types.ts";
 * const s = { schedule: "constant" as const, warmupEpochs: 0, decayPer: "epoch" as const };
 * const o = epochTrainOptions({ ...DEFAULT_TRAIN, batchSize: 10, weightDecay: 1 }, s, 1, 3, 100);
 * if (o.weightDecay !== 0.1) throw new Error(); // 10 steps per epoch
 * ```
 */
export function epochTrainOptions(
  opts: TrainOptions,
  s: ScheduleOptions,
  epoch: number,
  epochs: number,
  examples: number,
): TrainOptions {
  const steps = Math.max(1, Math.ceil(examples / opts.batchSize));
  return {
    ...opts,
    lr: opts.lr * lrFactor(epoch, epochs, s),
    weightDecay: s.decayPer === "epoch" ? opts.weightDecay / steps : opts.weightDecay,
  };
}
