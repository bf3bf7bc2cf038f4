/**
 * The embedding table's part of a training step on the CPU fast path: the pooled-vector
 * gradients of the mini-batch scattered into the rows they came from, then lazy AdamW on the
 * touched rows. Split among threads by `row % parts`, so every row is summed in the same order
 * (pair by pair: prompt, a, b) however many threads there are.
 *
 * @module
 */
import { bagScale } from "../bag.ts";
import type { TrainOptions } from "../types.ts";
import type { ChunkEnv } from "./chunk_forward.ts";

/**
 * Scatters the gradients of batch positions `[0, n)` and steps the touched rows with
 * `row % parts == part`.
 *
 * @param env The arena, layout and model settings.
 * @param n Pairs in the mini-batch.
 * @param touched How many rows the touch list holds.
 * @param step The global AdamW step `t` (>= 1).
 * @param opts The optimizer settings.
 * @param part This thread's share.
 * @param parts The number of shares.
 */
export function embeddingStep(
  env: ChunkEnv,
  n: number,
  touched: number,
  step: number,
  opts: TrainOptions,
  part: number,
  parts: number,
): void {
  const { arena: a, layout: l, shape: s } = env, u = a.u32, k = a.kernels, fe = l.feat;
  const dp = s.dp, g = l.embG * 4, pl = env.pooling;
  for (let pos = 0; pos < n; pos++) {
    const i = u[l.batch.idx + pos], dv = (l.batch.dv + pos * 3 * dp) * 4;
    const p0 = u[fe.pOff + i], p1 = u[fe.pOff + i + 1];
    const a0 = u[fe.aOff + i], a1 = u[fe.aOff + i + 1];
    const b0 = u[fe.bOff + i], b1 = u[fe.bOff + i + 1];
    k.scatter(g, dp, fe.pIds * 4, p0, p1, dv, bagScale(p1 - p0, pl), part, parts);
    k.scatter(g, dp, fe.aIds * 4, a0, a1, dv + dp * 4, bagScale(a1 - a0, pl), part, parts);
    k.scatter(g, dp, fe.bIds * 4, b0, b1, dv + 8 * dp, bagScale(b1 - b0, pl), part, parts);
  }
  const c1 = 1 - Math.pow(opts.beta1, step), c2 = 1 - Math.pow(opts.beta2, step);
  k.adam_rows(
    l.emb * 4,
    l.embM * 4,
    l.embV * 4,
    g,
    l.touched * 4,
    touched,
    dp,
    opts.lr,
    opts.beta1,
    opts.beta2,
    c1,
    c2,
    opts.eps,
    opts.weightDecay,
    part,
    parts,
  );
}

/**
 * Lists the rows the mini-batch touches, in first-touch order, into the layout's touch list.
 *
 * @param env The arena, layout and model settings.
 * @param n Pairs in the mini-batch.
 * @param mark Scratch of one entry per bucket, all different from `stamp` on entry.
 * @param stamp A value marking rows seen in this mini-batch.
 * @returns How many rows were touched.
 */
export function touchRows(env: ChunkEnv, n: number, mark: Uint32Array, stamp: number): number {
  const { arena: a, layout: l } = env, u = a.u32, fe = l.feat, list = l.touched;
  let count = 0;
  for (let pos = 0; pos < n; pos++) {
    const i = u[l.batch.idx + pos];
    for (const [off, ids] of [[fe.pOff, fe.pIds], [fe.aOff, fe.aIds], [fe.bOff, fe.bIds]]) {
      for (let t = u[off + i], end = u[off + i + 1]; t < end; t++) {
        const row = u[ids + t];
        if (mark[row] === stamp) continue;
        mark[row] = stamp;
        u[list + count++] = row;
      }
    }
  }
  return count;
}
