/**
 * The training step of an SER iteration: epochs over the iteration's training set, with optional
 * early stopping on the human validation split (keep the epoch with the lowest validation loss).
 *
 * @module
 */
import { fitModel, type FitOptions } from "../model/fit.ts";
import type { RewardBackend, TrainSet } from "../model/types.ts";
import type { Rng } from "../contracts/rng.ts";

/** What one training step did. */
export interface TrainOutcome {
  /** Epochs run (including the ones after the kept epoch). */
  epochs: number;
  /** The kept epoch (1-based). */
  keptEpoch: number;
  /** Training loss of the kept epoch (null when no epoch ran). */
  loss: number | null;
  /** Validation loss of the kept epoch (null without early stopping). */
  validationLoss: number | null;
}

/** Early stopping: the validation pairs and how many epochs may pass without a gain (0: off). */
export interface EarlyStopping {
  indices: Uint32Array;
  labels: Int8Array;
  patience: number;
}

/**
 * Trains the backend's current weights on `set` for up to `opts.epochs` epochs. With early
 * stopping, scores the validation pairs after each epoch, stops once `patience` epochs passed
 * without a lower validation loss, and leaves the backend at the best epoch's weights and
 * optimizer state.
 *
 * @param backend The backend (features loaded, weights set).
 * @param set The training set.
 * @param opts Epochs and optimizer settings.
 * @param rng Shuffles each epoch.
 * @param early Early stopping (null or `patience` 0: train all epochs, keep the last).
 * @param signal Stops between epochs.
 * @returns What ran and which epoch was kept.
 */
export async function trainStep(
  backend: RewardBackend,
  set: TrainSet,
  opts: FitOptions,
  rng: Rng,
  early: EarlyStopping | null,
  signal?: AbortSignal,
): Promise<TrainOutcome> {
  const one = { ...opts, epochs: 1 };
  if (!early || early.patience === 0 || early.indices.length === 0) {
    const log = await fitModel(backend, set, opts, rng, { signal });
    return {
      epochs: log.length,
      keptEpoch: log.length,
      loss: log.at(-1)?.loss ?? null,
      validationLoss: null,
    };
  }
  // The best epoch is kept as a snapshot inside the backend (a device-side copy on WebGPU), and
  // each epoch's validation rewards come back with its stats: one readback per epoch.
  let best: { epoch: number; loss: number; val: number } | null = null;
  let epoch = 0;
  const validation = { indices: early.indices, labels: early.labels };
  while (epoch < opts.epochs) {
    const [stats] = await fitModel(backend, set, one, rng, { signal, validation });
    epoch++;
    const val = stats.validation!.loss;
    if (best === null || val < best.val) {
      await backend.snapshot();
      best = { epoch, loss: stats.loss, val };
    } else if (epoch - best.epoch >= early.patience) break;
  }
  if (best && best.epoch !== epoch) await backend.restore();
  return {
    epochs: epoch,
    keptEpoch: best?.epoch ?? 0,
    loss: best?.loss ?? null,
    validationLoss: best?.val ?? null,
  };
}
