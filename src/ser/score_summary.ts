/**
 * Summaries of one scoring pass over the candidate pairs: the reference reward level that
 * `select.center` measures from, and the statistics each iteration stores in the pool.
 *
 * @module
 */
import { type RuleOptions, selectPairs } from "./select.ts";
import type { ScoreSummary } from "./store.ts";

/**
 * The mean reward of all scored responses (both sides of every pair), as float32.
 *
 * @param ra Rewards of response a.
 * @param rb Rewards of response b.
 * @returns The mean (0 for no pairs).
 * @example
 * ```ts
 * import { meanReward } from "./score_summary.ts";
 * if (meanReward(new Float32Array([1, 3]), new Float32Array([0, 0])) !== 1) throw new Error();
 * ```
 */
export function meanReward(ra: Float32Array, rb: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < ra.length; i++) sum += ra[i] + rb[i];
  return ra.length ? Math.fround(sum / (2 * ra.length)) : 0;
}

/**
 * Summarizes a scoring pass: mean |r_a - r_b|, mean probabilities, and the share of pairs that
 * pass the status-1 and status-2 rules at the thresholds used.
 *
 * @param ra Rewards of response a.
 * @param rb Rewards of response b.
 * @param rule The thresholds, temperature and offset of the selection.
 * @returns The summary.
 */
export function summarizeScores(
  ra: Float32Array,
  rb: Float32Array,
  rule: Partial<RuleOptions>,
): ScoreSummary {
  const n = ra.length;
  let d = 0, pa = 0, pb = 0;
  const t = rule.temperature ?? 1, off = rule.offset ?? 0;
  for (let i = 0; i < n; i++) {
    d += Math.abs(ra[i] - rb[i]);
    pa += 1 / (1 + Math.exp(-(ra[i] - off) / t));
    pb += 1 / (1 + Math.exp(-(rb[i] - off) / t));
  }
  return {
    pairs: n,
    meanAbsDiff: n ? d / n : 0,
    meanPA: n ? pa / n : 0,
    meanPB: n ? pb / n : 0,
    status1Share: n ? selectPairs("pointwise", ra, rb, rule).positions.length / n : 0,
    status2Share: n ? selectPairs("pairwise", ra, rb, rule).positions.length / n : 0,
  };
}
