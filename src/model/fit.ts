/**
 * The training loop over a backend: seeded shuffling, one `trainEpoch` per epoch, optional
 * validation metrics after each epoch, cancellation between epochs. Shared by the `train` stage
 * and the SER loop.
 *
 * @module
 */
import type { Rng } from "../contracts/rng.ts";
import { evaluatePairs, type PairMetrics } from "./metrics.ts";
import type { EpochStats, RewardBackend, TrainOptions, TrainSet } from "./types.ts";

/** Training settings: the optimizer's and the number of epochs. */
export interface FitOptions extends TrainOptions {
  epochs: number;
}

/** Optional validation data and callbacks of `fitModel`. */
export interface FitHooks {
  /** Loaded pairs to evaluate after each epoch, with their labels (1 / -1). */
  validation?: { indices: Uint32Array; labels: ArrayLike<number> };
  /** Called after each epoch (e.g. to log or tick a progress bar). */
  onEpoch?: (record: EpochRecord) => void;
  /** Stops before the next epoch when aborted (the promise rejects with the signal's reason). */
  signal?: AbortSignal;
}

/** What one epoch did. */
export interface EpochRecord extends EpochStats {
  /** 1-based. */
  epoch: number;
  validation?: PairMetrics;
}

/**
 * Trains the backend's current weights on `set` (its features must already be loaded).
 *
 * @param backend The backend, with features loaded and weights set.
 * @param set The training examples.
 * @param opts Epochs and optimizer settings.
 * @param rng Shuffles the examples before each epoch (same seed, same order).
 * @param hooks Validation, per-epoch callback, cancellation.
 * @returns One record per epoch.
 * @example
 * ```ts
 * import { fitModel } from "./fit.ts";
 * import { CpuBackend } from "./cpu_backend.ts";
 * import { DEFAULT_MODEL, DEFAULT_TRAIN } from "./types.ts";
 * import { Rng } from "../contracts/rng.ts";
 * const b = CpuBackend.create({ ...DEFAULT_MODEL, buckets: 4, dim: 2, hidden: 4 });
 * const o = new Uint32Array([0, 1]);
 * await b.load({ n: 1, promptOffsets: o, promptIds: new Uint32Array([0]), aOffsets: o,
 *   aIds: new Uint32Array([1]), bOffsets: o, bIds: new Uint32Array([2]) });
 * const set = { indices: new Uint32Array([0]), labels: new Int8Array([1]), weights: new Float32Array([1]) };
 * const log = await fitModel(b, set, { ...DEFAULT_TRAIN, epochs: 30 }, new Rng(1));
 * if (log[29].loss >= log[0].loss) throw new Error("loss did not fall");
 * ```
 */
export async function fitModel(
  backend: RewardBackend,
  set: TrainSet,
  opts: FitOptions,
  rng: Rng,
  hooks: FitHooks = {},
): Promise<EpochRecord[]> {
  if (!Number.isInteger(opts.epochs) || opts.epochs < 0) {
    throw new RangeError(
      `Cannot train as 'epochs' must be a non-negative integer: current value is ${opts.epochs}`,
    );
  }
  const records: EpochRecord[] = [];
  const order = new Uint32Array(set.indices.length);
  for (let epoch = 1; epoch <= opts.epochs; epoch++) {
    hooks.signal?.throwIfAborted();
    for (let i = 0; i < order.length; i++) order[i] = i;
    rng.shuffle(order);
    const val = hooks.validation?.indices.length ? hooks.validation : undefined;
    // The validation rewards come back with the epoch's stats (one readback on WebGPU).
    const { scores, ...stats } = await backend.trainEpoch(set, order, opts, val?.indices);
    const record: EpochRecord = { epoch, ...stats };
    if (val && scores) {
      record.validation = evaluatePairs(scores.rewardA, scores.rewardB, val.labels);
    }
    records.push(record);
    hooks.onEpoch?.(record);
  }
  return records;
}
