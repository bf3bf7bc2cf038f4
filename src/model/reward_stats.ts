/**
 * Reward statistics over a model's training pool, stored in its checkpoint's metadata as
 * `rewardStats`: what a served model normalises its rewards with, as OpenRLHF's
 * `--normalize_reward` does (`(r - mean) / std`). Checkpoints written before this field existed
 * simply lack it.
 *
 * @module
 */
import type { RewardBackend } from "./types.ts";

/** Mean and standard deviation of the rewards of both responses of every training pair. */
export interface RewardStats {
  mean: number;
  std: number;
  /** The number of rewards (twice the pairs). */
  count: number;
}

/**
 * @param ra Rewards of responses a.
 * @param rb Rewards of responses b.
 * @returns Mean and population standard deviation of all of them (float64 sums).
 * @example
 * ```ts
 * import { rewardStats } from "./reward_stats.ts";
 * const s = rewardStats(new Float32Array([1, 3]), new Float32Array([1, 3]));
 * if (s.mean !== 2 || s.std !== 1 || s.count !== 4) throw new Error();
 * ```
 */
export function rewardStats(ra: Float32Array, rb: Float32Array): RewardStats {
  const count = ra.length + rb.length;
  let sum = 0;
  for (let i = 0; i < ra.length; i++) sum += ra[i];
  for (let i = 0; i < rb.length; i++) sum += rb[i];
  const mean = count ? sum / count : 0;
  let sq = 0;
  for (let i = 0; i < ra.length; i++) sq += (ra[i] - mean) ** 2;
  for (let i = 0; i < rb.length; i++) sq += (rb[i] - mean) ** 2;
  return { mean, std: count ? Math.sqrt(sq / count) : 0, count };
}

/**
 * Scores the training pairs with the backend's current weights and summarises their rewards.
 *
 * @param backend A backend with the pairs' features loaded.
 * @param indices The training pairs.
 * @returns The statistics.
 */
export async function trainingRewardStats(
  backend: RewardBackend,
  indices: Uint32Array,
): Promise<RewardStats> {
  const s = await backend.score(indices);
  return rewardStats(s.rewardA, s.rewardB);
}

/**
 * Normalises rewards in place: `(r - mean) / std` (a std below 1e-8 counts as 1e-8).
 *
 * @param rewards The rewards.
 * @param stats The training pool's statistics.
 * @returns The same array.
 * @example
 * ```ts
 * import { normalizeRewards } from "./reward_stats.ts";
 * const r = normalizeRewards(new Float32Array([3]), { mean: 1, std: 2, count: 2 });
 * if (r[0] !== 1) throw new Error();
 * ```
 */
export function normalizeRewards(rewards: Float32Array, stats: RewardStats): Float32Array {
  const std = Math.max(stats.std, 1e-8);
  for (let i = 0; i < rewards.length; i++) rewards[i] = (rewards[i] - stats.mean) / std;
  return rewards;
}
