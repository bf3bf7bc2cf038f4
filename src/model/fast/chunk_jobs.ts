/**
 * The units of work of the CPU fast path, as run by one thread: a share of the chunks of a
 * mini-batch (forward and backward), a share of the chunks to score (`SCORE_PAIRS` pairs each,
 * forward only), and a share of the embedding rows. Thread `part` of `parts` takes chunks `part, part + parts, ...`; what a chunk
 * computes does not depend on who computes it.
 *
 * @module
 */
import { backwardChunk } from "./chunk_backward.ts";
import { type ChunkEnv, forwardChunk } from "./chunk_forward.ts";
import { scoreChunk } from "./chunk_score.ts";
import { embeddingStep } from "./embedding_step.ts";
import { CHUNK_PAIRS, SCORE_PAIRS } from "./shape.ts";
import type { TrainOptions } from "../types.ts";

/** One job for a thread (posted to workers as is). */
export type Job =
  | { kind: "train"; len: number; scale: number; margin: number }
  | { kind: "score"; len: number }
  | { kind: "embed"; len: number; touched: number; step: number; opts: TrainOptions };

/**
 * Runs this thread's share of `job`.
 *
 * @param env The arena, layout and model settings.
 * @param job The job.
 * @param part This thread's number (its scratch slot too).
 * @param parts The number of threads.
 * @param r Scratch for `2 * CHUNK_PAIRS` rewards.
 */
export function runJob(
  env: ChunkEnv,
  job: Job,
  part: number,
  parts: number,
  r: Float64Array,
): void {
  if (job.kind === "embed") {
    embeddingStep(env, job.len, job.touched, job.step, job.opts, part, parts);
    return;
  }
  const l = env.layout;
  if (job.kind === "score") {
    const chunks = Math.ceil(job.len / SCORE_PAIRS), sc = l.score;
    for (let c = part; c < chunks; c += parts) {
      const start = c * SCORE_PAIRS, n = Math.min(SCORE_PAIRS, job.len - start);
      scoreChunk(env, part, sc.idx + start, n, sc.out + start, sc.out + sc.cap + start);
    }
    return;
  }
  const chunks = Math.ceil(job.len / CHUNK_PAIRS);
  for (let c = part; c < chunks; c += parts) {
    const start = c * CHUNK_PAIRS, n = Math.min(CHUNK_PAIRS, job.len - start);
    forwardChunk(env, part, l.batch.idx + start, n, r, true);
    backwardChunk(env, part, c, start, n, r, job.scale, job.margin);
  }
}
