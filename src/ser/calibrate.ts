/**
 * Temperature scaling of reward differences: the paper's thresholds (0.55 / 0.45 / 0.3) assume
 * calibrated probabilities, so the `calibrated` selection policy first fits one temperature `T`
 * on the human validation pairs and then thresholds `sigmoid(r / T)`.
 *
 * @module
 */

/** The range `fitTemperature` searches (a separable or anti-correlated set hits a bound). */
export const TEMPERATURE_RANGE = { min: 0.01, max: 100 } as const;

/**
 * Fits the temperature `T` that minimises the mean Bradley-Terry negative log-likelihood
 * `softplus(-y (r_a - r_b) / T)` over labelled pairs.
 *
 * The loss is convex in `s = 1 / T`, so the minimiser is the root of its monotone derivative,
 * found by bisection in log space (deterministic, 200 halvings). When the labels are perfectly
 * separated the optimum lies at `T -> 0` and the result is `TEMPERATURE_RANGE.min`; when the
 * model is no better than chance it is `TEMPERATURE_RANGE.max`.
 *
 * @param rewardA Rewards of response a.
 * @param rewardB Rewards of response b.
 * @param labels 1 where a is preferred, -1 where b is; pairs with another value are skipped.
 * @returns The fitted temperature in `[TEMPERATURE_RANGE.min, TEMPERATURE_RANGE.max]`, or 1 when
 *   no pair has a label and a non-zero reward difference.
 * @example
 * ```ts
 * import { fitTemperature } from "./calibrate.ts";
 * // Rewards twice as far apart as the labels justify: T comes out near 2.
 * const a = new Float32Array([2, 2, 2, 2, 2, 2, 2, 2, 2, 2]);
 * const b = new Float32Array(10);
 * const y = new Int8Array([1, 1, 1, 1, 1, 1, 1, 1, -1, -1]);
 * const t = fitTemperature(a, b, y);
 * if (!(t > 1.4 && t < 1.5)) throw new Error(`T = ${t}`); // sigmoid(2 / T) = 0.8
 * ```
 */
export function fitTemperature(
  rewardA: ArrayLike<number>,
  rewardB: ArrayLike<number>,
  labels: ArrayLike<number>,
): number {
  if (rewardA.length !== rewardB.length || rewardA.length !== labels.length) {
    throw new RangeError(
      `Cannot fit temperature as the inputs differ in length: ${rewardA.length} rewards a, ${rewardB.length} rewards b, ${labels.length} labels`,
    );
  }
  const z: number[] = [];
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    const d = rewardA[i] - rewardB[i];
    if ((y === 1 || y === -1) && Number.isFinite(d) && d !== 0) z.push(y * d);
  }
  if (z.length === 0) return 1;
  // d/ds mean softplus(-s z) = mean(-z sigmoid(-s z)): increasing in s.
  const slope = (s: number) => {
    let g = 0;
    for (const zi of z) g -= zi / (1 + Math.exp(s * zi));
    return g / z.length;
  };
  let lo = Math.log(1 / TEMPERATURE_RANGE.max), hi = Math.log(1 / TEMPERATURE_RANGE.min);
  if (slope(Math.exp(lo)) >= 0) return TEMPERATURE_RANGE.max;
  if (slope(Math.exp(hi)) <= 0) return TEMPERATURE_RANGE.min;
  for (let it = 0; it < 200 && hi - lo > 1e-12; it++) {
    const mid = (lo + hi) / 2;
    if (slope(Math.exp(mid)) < 0) lo = mid;
    else hi = mid;
  }
  return 1 / Math.exp((lo + hi) / 2);
}
