/**
 * Lays the jobs of one micro-batch out as model pairs and reads their rewards back per job.
 *
 * A reward-model pair is a prompt with two responses, and each response's reward depends only on
 * the prompt and itself. So single responses to the same prompt (several samples per prompt, as
 * RLHF trainers send them) share a pair, one on each side: half the model work, the same rewards.
 *
 * @module
 */
import type { Scores } from "../model/types.ts";
import type { TextPairs } from "./text_features.ts";

/** Responses to score one by one (`b` absent), or pairs to compare (`b` present). */
export interface ScoreJob {
  prompts: readonly string[];
  a: readonly string[];
  b?: readonly string[];
}

/** What a job gets back: one reward per response (`b` for pairs only). */
export interface JobRewards {
  a: Float32Array;
  b?: Float32Array;
}

/** The pairs of a micro-batch and, per job, where each of its rows landed. */
export interface BatchPlan {
  pairs: TextPairs;
  /** Per job and row: `pair * 2 + side` (side 0: a, 1: b) for single responses; the pair for pairs. */
  slots: Uint32Array[];
}

/**
 * @param jobs The jobs of the micro-batch, in order.
 * @returns The pairs to score and the slot of every row.
 * @example
 * ```ts
 * import { planBatch } from "./batch_plan.ts";
 * const plan = planBatch([{ prompts: ["q", "q", "r"], a: ["x", "y", "z"] }]);
 * if (plan.pairs.prompts.length !== 2) throw new Error("x and y share a pair");
 * ```
 */
export function planBatch(jobs: readonly ScoreJob[]): BatchPlan {
  const prompts: string[] = [], a: string[] = [], b: string[] = [];
  const open = new Map<string, number>(); // prompt -> pair whose side b is still free
  const slots = jobs.map((job) => {
    const out = new Uint32Array(job.prompts.length);
    for (let i = 0; i < job.prompts.length; i++) {
      const p = job.prompts[i];
      if (job.b) {
        out[i] = prompts.length;
        prompts.push(p), a.push(job.a[i]), b.push(job.b[i]);
        continue;
      }
      const free = open.get(p);
      if (free !== undefined) {
        b[free] = job.a[i];
        open.delete(p);
        out[i] = free * 2 + 1;
      } else {
        open.set(p, prompts.length);
        out[i] = prompts.length * 2;
        prompts.push(p), a.push(job.a[i]), b.push("");
      }
    }
    return out;
  });
  return { pairs: { prompts, a, b }, slots };
}

/**
 * @param plan The plan the scores were computed for.
 * @param scores The rewards of `plan.pairs`.
 * @param jobs The jobs (to know which are pairs).
 * @returns Each job's rewards, in row order.
 */
export function splitScores(
  plan: BatchPlan,
  scores: Scores,
  jobs: readonly ScoreJob[],
): JobRewards[] {
  return jobs.map((job, j) => {
    const slots = plan.slots[j], n = slots.length;
    const ra = new Float32Array(n);
    if (job.b) {
      const rb = new Float32Array(n);
      for (let i = 0; i < n; i++) {
        ra[i] = scores.rewardA[slots[i]], rb[i] = scores.rewardB[slots[i]];
      }
      return { a: ra, b: rb };
    }
    for (let i = 0; i < n; i++) {
      const s = slots[i];
      ra[i] = (s & 1 ? scores.rewardB : scores.rewardA)[s >>> 1];
    }
    return { a: ra };
  });
}
