/**
 * Evaluation steps of the SER loop: a model on a labelled split, and self-labels against the
 * hidden gold labels (read here, for reporting, and nowhere on the training path).
 *
 * @module
 */
import { evaluatePairs, type PairMetrics } from "../model/metrics.ts";
import type { RewardBackend } from "../model/types.ts";
import type { SerData } from "./dataset.ts";
import { fitTemperature } from "./calibrate.ts";

/** A model's validation and test metrics, raw and temperature-scaled on validation. */
export interface SplitMetrics {
  validation: PairMetrics | null;
  test: PairMetrics | null;
  /** Temperature fitted on the validation pairs (1 without validation). */
  temperature: number;
  /** Test metrics of `r / temperature` (null without a test split). */
  calibratedTest: PairMetrics | null;
}

/**
 * Scores the validation and test splits once, fits a temperature on validation and evaluates
 * the test split raw and calibrated (`r / T`: accuracy is unchanged, loss and ECE are not).
 *
 * @param backend The backend (features loaded, model set).
 * @param data The pairs.
 * @returns The metrics.
 */
export async function evaluateSplits(backend: RewardBackend, data: SerData): Promise<SplitMetrics> {
  const scored = async (rows: Uint32Array) => {
    if (rows.length === 0) return null;
    const s = await backend.score(rows);
    const labels = Int8Array.from(rows, (i) => data.label[i]);
    return { ...s, labels };
  };
  const v = await scored(data.validation), t = await scored(data.test);
  const temperature = v ? fitTemperature(v.rewardA, v.rewardB, v.labels) : 1;
  const scale = (r: Float32Array) => r.map((x) => x / temperature);
  return {
    validation: v && evaluatePairs(v.rewardA, v.rewardB, v.labels),
    test: t && evaluatePairs(t.rewardA, t.rewardB, t.labels),
    temperature,
    calibratedTest: t && evaluatePairs(scale(t.rewardA), scale(t.rewardB), t.labels),
  };
}

/**
 * Scores `rows` with the backend's current model and evaluates them against their human labels.
 *
 * @param backend The backend (features loaded).
 * @param data The pairs.
 * @param rows Rows with a human `label` (validation or test).
 * @returns The metrics, or null when `rows` is empty.
 */
export async function evaluateRows(
  backend: RewardBackend,
  data: SerData,
  rows: Uint32Array,
): Promise<PairMetrics | null> {
  if (rows.length === 0) return null;
  const s = await backend.score(rows);
  const labels = new Int8Array(rows.length);
  for (let i = 0; i < rows.length; i++) labels[i] = data.label[rows[i]];
  return evaluatePairs(s.rewardA, s.rewardB, labels);
}

/**
 * The share of self-labels that agree with the hidden gold label, over the pairs that have one.
 *
 * @param data The pairs.
 * @param rows Self-labelled rows.
 * @param labels Their self-labels (1 / -1), aligned with `rows`.
 * @returns The agreement in [0, 1], or null when none of the rows has a gold label.
 * @example
 * ```ts
 * import { selfLabelPrecision } from "./evaluate.ts";
 * const data = { gold: new Int8Array([1, -1, 0]) } as Parameters<typeof selfLabelPrecision>[0];
 * if (selfLabelPrecision(data, [0, 1, 2], [1, 1, 1]) !== 0.5) throw new Error();
 * ```
 */
export function selfLabelPrecision(
  data: Pick<SerData, "gold">,
  rows: ArrayLike<number>,
  labels: ArrayLike<number>,
): number | null {
  let n = 0, agree = 0;
  for (let i = 0; i < rows.length; i++) {
    const g = data.gold[rows[i]];
    if (g === 0) continue;
    n++;
    if (g === labels[i]) agree++;
  }
  return n === 0 ? null : agree / n;
}
