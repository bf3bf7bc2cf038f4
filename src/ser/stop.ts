/**
 * When the SER loop stops, and which iteration's model it keeps.
 *
 * @module
 */

/**
 * Why the loop stopped:
 * - `max-iterations`: `stop.max_iterations` self-labelling iterations ran;
 * - `no-new-pairs`: the selection policy found fewer than `stop.min_new_pairs` new pairs;
 * - `patience`: validation accuracy did not improve for `stop.patience` iterations;
 * - `no-unlabelled`: there is nothing left to label (the unlabelled split is empty or used up);
 * - `seed-only` / `all-labels`: the baseline modes, which train once (iteration 0 only).
 */
export type StopReason =
  | "max-iterations"
  | "no-new-pairs"
  | "patience"
  | "no-unlabelled"
  | "seed-only"
  | "all-labels";

/** The stopping rules of `stop` in the `ser` stage's config. */
export interface StopOptions {
  maxIterations: number;
  minNewPairs: number;
  patience: number;
}

/** The part of an iteration's record that stopping and model choice look at. */
export interface ValidationPoint {
  iteration: number;
  validationAccuracy: number | null;
}

/**
 * The iteration whose model the loop keeps: the highest validation accuracy, the earliest on
 * ties (a later iteration must strictly improve). Iterations without a validation accuracy only
 * win when none has one (then the last one).
 *
 * @param history The iterations so far, in order (not empty).
 * @returns The chosen iteration number.
 * @example
 * ```ts
 * import { bestIteration } from "./stop.ts";
 * const h = [0.6, 0.7, 0.7, 0.65].map((v, i) => ({ iteration: i, validationAccuracy: v }));
 * if (bestIteration(h) !== 1) throw new Error();
 * ```
 */
export function bestIteration(history: readonly ValidationPoint[]): number {
  if (history.length === 0) {
    throw new RangeError("Cannot choose the best iteration as no iteration has run yet");
  }
  let best: ValidationPoint | null = null;
  for (const h of history) {
    if (h.validationAccuracy === null) continue;
    if (best === null || h.validationAccuracy > best.validationAccuracy!) best = h;
  }
  return (best ?? history[history.length - 1]).iteration;
}

/**
 * Decides, after an iteration has been recorded, whether the loop stops there.
 *
 * @param history The iterations so far, in order, iteration 0 (the seed model) first.
 * @param opts The stopping rules.
 * @returns The stop reason, or null to run another iteration.
 * @example
 * ```ts
 * import { stopAfter } from "./stop.ts";
 * const h = [0.6, 0.7, 0.69, 0.68].map((v, i) => ({ iteration: i, validationAccuracy: v }));
 * const why = stopAfter(h, { maxIterations: 8, minNewPairs: 20, patience: 2 });
 * if (why !== "patience") throw new Error(String(why));
 * ```
 */
export function stopAfter(
  history: readonly ValidationPoint[],
  opts: StopOptions,
): StopReason | null {
  const last = history[history.length - 1].iteration;
  if (last >= opts.maxIterations) return "max-iterations";
  const hasValidation = history.some((h) => h.validationAccuracy !== null);
  if (hasValidation && last - bestIteration(history) >= opts.patience) return "patience";
  return null;
}
