/**
 * Precision-targeted selection: instead of fixed probability thresholds, pick per iteration the
 * smallest reward margin `|r_a - r_b|` at which the current model's preferences on the human
 * validation split are right at least `target` of the time, and self-label the unlabelled pairs
 * at or above that margin.
 *
 * @module
 */

/**
 * The smallest margin whose validation precision reaches `target`: validation pairs are ranked
 * by `|r_a - r_b|`, largest first; for each prefix of at least `minCount` pairs the precision is
 * the share the model orders like the human label; the answer is the margin of the longest prefix
 * whose precision is at least `target`.
 *
 * @param rewardA Validation rewards of response a.
 * @param rewardB Validation rewards of response b.
 * @param labels Human labels (1: a preferred, -1: b).
 * @param target The precision to reach, in (0, 1].
 * @param minCount Fewest validation pairs a precision estimate may rest on.
 * @returns The margin, or Infinity when no prefix of `minCount` pairs reaches the target.
 * @example
 * ```ts
 * import { precisionMargin } from "./precision.ts";
 * // Margins 4, 3, 2, 1: right, right, wrong, right -> prefixes 1, 1, 0.67, 0.75.
 * const m = precisionMargin([4, 3, 2, 1], [0, 0, 0, 0], [1, 1, -1, 1], 0.75, 2);
 * if (m !== 1) throw new Error(String(m));
 * ```
 */
export function precisionMargin(
  rewardA: ArrayLike<number>,
  rewardB: ArrayLike<number>,
  labels: ArrayLike<number>,
  target: number,
  minCount: number,
): number {
  if (!(target > 0 && target <= 1)) {
    throw new RangeError(
      `Cannot pick a precision margin as 'precision' must be in (0, 1]: current value is ${target}`,
    );
  }
  const rows: { m: number; ok: boolean }[] = [];
  for (let i = 0; i < labels.length; i++) {
    const d = rewardA[i] - rewardB[i];
    if (!Number.isFinite(d) || d === 0) continue;
    rows.push({ m: Math.abs(d), ok: labels[i] * d > 0 });
  }
  rows.sort((a, b) => b.m - a.m);
  let right = 0, margin = Infinity;
  for (let k = 0; k < rows.length; k++) {
    if (rows[k].ok) right++;
    const n = k + 1;
    // Only a cut between distinct margins is a threshold the unlabelled pairs can use.
    if (n < minCount || (k + 1 < rows.length && rows[k + 1].m === rows[k].m)) continue;
    if (right / n >= target) margin = rows[k].m;
  }
  return margin;
}
