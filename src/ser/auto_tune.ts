/**
 * `train.auto`: a small deterministic search over the learning rate, the model's width and the
 * weight decay, each candidate trained on the human seed with early stopping on the validation
 * split (which also picks its number of epochs) and scored by its best validation loss. Runs once,
 * before iteration 0; every iteration of the run (and the `seed-only` / `all-labels` references)
 * then trains with the chosen settings.
 *
 * @module
 */
import { initParams } from "../model/params.ts";
import type { TuneCandidate, TuneResult } from "../report/metrics.ts";
import type { ModelConfig, RewardBackend } from "../model/types.ts";
import type { LoopOptions } from "./config.ts";
import type { SerData } from "./dataset.ts";
import { buildTrainSet } from "./train_set.ts";
import { trainStep } from "./train.ts";
import { initRng, iterationRng } from "./iteration.ts";

export type { TuneCandidate, TuneResult };

/** Multipliers of the pipeline's own settings that the search tries. */
export const TUNE_GRID = {
  lr: [1 / 3, 1, 3],
  width: [1, 4],
  weightDecay: [0, 1, 10],
} as const;

/**
 * The candidates the search tries, in order (the first wins ties).
 *
 * @param opts The loop options as configured.
 * @returns Settings to try.
 * @example
 * ```ts
 * import { tuneGrid } from "./auto_tune.ts";
 * import { loopOptions, SER_FIELDS } from "./config.ts";
 * import { defaultOf } from "../pipeline/fields.ts";
 * // deno-lint-ignore no-explicit-any
 * const o = loopOptions(defaultOf({ type: "object", description: "", fields: SER_FIELDS }) as any);
 * if (tuneGrid(o).length !== 18) throw new Error();
 * ```
 */
export function tuneGrid(opts: LoopOptions): Omit<
  TuneCandidate,
  "epochs" | "validationLoss" | "validationAccuracy"
>[] {
  const field = opts.model.input === "bag" ? "dim" : "hidden";
  // Precomputed embeddings fix `dim`: widen the MLP instead.
  const cap = field === "dim" ? 1024 : 4096;
  const out = [];
  for (const w of TUNE_GRID.width) {
    for (const l of TUNE_GRID.lr) {
      for (const d of TUNE_GRID.weightDecay) {
        out.push({
          lr: opts.train.lr * l,
          width: Math.min(opts.model[field] * w, cap),
          weightDecay: d,
        });
      }
    }
  }
  return out;
}

/**
 * Runs the search.
 *
 * @param data The pairs (seed and validation are used).
 * @param opts The loop options as configured.
 * @param seed The loop's seed (initial weights and shuffles, as iteration 0 uses them).
 * @param open Opens a backend for a model shape with the run's features loaded.
 * @param signal Stops between candidates.
 * @param onCandidate Called after each candidate (progress).
 * @returns What was tried and the chosen candidate.
 * @throws {RangeError} Without validation pairs.
 */
export async function autoTune(
  data: SerData,
  opts: LoopOptions,
  seed: number,
  open: (model: ModelConfig) => Promise<RewardBackend>,
  signal?: AbortSignal,
  onCandidate?: () => void,
): Promise<TuneResult> {
  if (data.validation.length === 0) {
    throw new RangeError(
      "Cannot tune the training settings ('train.auto') as the validation split is empty: " +
        "raise the split stage's 'validation_fraction' or set 'train.auto: false'",
    );
  }
  const widthField = opts.model.input === "bag" ? "dim" : "hidden";
  const set = buildTrainSet(data, new Map(), "seed-only", opts.train);
  const labels = Int8Array.from(data.validation, (i) => data.label[i]);
  const candidates: TuneCandidate[] = [];
  const backends = new Map<number, RewardBackend>();
  try {
    for (const c of tuneGrid(opts)) {
      signal?.throwIfAborted();
      let backend = backends.get(c.width);
      const model = { ...opts.model, [widthField]: c.width };
      if (!backend) backends.set(c.width, backend = await open(model));
      await backend.setParams(initParams(model, initRng(seed)));
      const train = { ...opts.train, lr: c.lr, weightDecay: c.weightDecay };
      const early = {
        indices: data.validation,
        labels,
        patience: Math.max(opts.train.epochPatience, 1),
      };
      const out = await trainStep(backend, set, train, iterationRng(seed, 0), early, signal);
      const s = await backend.score(data.validation);
      let right = 0;
      for (let i = 0; i < labels.length; i++) {
        if (labels[i] * (s.rewardA[i] - s.rewardB[i]) > 0) right++;
      }
      candidates.push({
        ...c,
        epochs: out.keptEpoch,
        validationLoss: out.validationLoss ?? Infinity,
        validationAccuracy: right / labels.length,
      });
      onCandidate?.();
    }
  } finally {
    for (const b of backends.values()) b.destroy();
  }
  let chosen = 0;
  for (let i = 1; i < candidates.length; i++) {
    if (candidates[i].validationLoss < candidates[chosen].validationLoss) chosen = i;
  }
  return { widthField, candidates, chosen };
}

/**
 * The loop options with a search's choice applied.
 *
 * @param opts The loop options as configured.
 * @param r The search's result.
 * @returns The options every iteration trains with.
 */
export function applyTuning(opts: LoopOptions, r: TuneResult): LoopOptions {
  const c = r.candidates[r.chosen];
  return {
    ...opts,
    model: { ...opts.model, [r.widthField]: c.width },
    train: { ...opts.train, lr: c.lr, weightDecay: c.weightDecay },
  };
}
