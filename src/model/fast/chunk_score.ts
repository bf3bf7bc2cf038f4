/**
 * Scoring of one chunk of pairs on the CPU fast path, forward only: pool the bags into the
 * scratch's scoring rows, one GEMM for the prompts' part of the pre-activations
 * (`b1 + W1[:, p] p`, shared by both responses), then `score_pairs` for the rest, the activation
 * and the rewards, with no activations written. Runs on any thread that holds the arena.
 *
 * @module
 */
import type { ChunkEnv } from "./chunk_forward.ts";
import { scoreStride } from "./layout.ts";
import { scoreSteps } from "./score_weights.ts";
import { SCORE_PAIRS } from "./shape.ts";

/**
 * Rewards of the `n` pairs whose indices are `u32[idxAt, idxAt + n)` (n <= SCORE_PAIRS), using
 * scratch `slot`, into `f32[outA + t]` and `f32[outB + t]`. Needs `packScoreWeights` after the
 * last change of the weights.
 *
 * @param env The arena, layout and model settings.
 * @param slot The scratch to use (one per thread).
 * @param idxAt Element offset of the pair indices.
 * @param n Pairs.
 * @param outA Element offset of the rewards of response a.
 * @param outB Element offset of the rewards of response b.
 */
export function scoreChunk(
  env: ChunkEnv,
  slot: number,
  idxAt: number,
  n: number,
  outA: number,
  outB: number,
): void {
  const { arena: a, layout: l, shape: s } = env, f = a.f32, u = a.u32, k = a.kernels;
  const { dp, hp } = s, sp = scoreStride(s), fe = l.feat, sc = l.scratch[slot];
  const xp = sc.sx, xa = xp + SCORE_PAIRS * sp, xb = xa + SCORE_PAIRS * sp, zp = sc.h;
  if (s.bag) {
    k.pool_pairs(
      l.emb * 4,
      dp,
      fe.pOff * 4,
      fe.pIds * 4,
      fe.aOff * 4,
      fe.aIds * 4,
      fe.bOff * 4,
      fe.bIds * 4,
      idxAt * 4,
      n,
      xp * 4,
      (xa - xp) * 4,
      (xb - xp) * 4,
      sp * 4,
      env.pooling === "mean" ? 1 : 0,
    );
  }
  for (let t = 0; t < n; t++) {
    const i = u[idxAt + t], p = xp + t * sp, qa = xa + t * sp, qb = xb + t * sp;
    if (!s.bag) {
      f.copyWithin(p, fe.pIds + i * dp, fe.pIds + (i + 1) * dp);
      f.copyWithin(qa, fe.aIds + i * dp, fe.aIds + (i + 1) * dp);
      f.copyWithin(qb, fe.bIds + i * dp, fe.bIds + (i + 1) * dp);
    }
    if (s.dense) {
      const bag = (off: number) => (s.bag ? Math.log1p(u[off + i + 1] - u[off + i]) : 0);
      f[p + dp] = bag(fe.pOff), f[qa + dp] = bag(fe.aOff), f[qb + dp] = bag(fe.bOff);
    }
    f.copyWithin(zp + t * hp, l.b1, l.b1 + hp);
  }
  const steps = scoreSteps(dp, s.dense);
  k.gemm(xp * 4, l.sw * 4, zp * 4, n, hp, steps, sp, hp, hp);
  k.score_pairs(
    zp * 4,
    xp * 4,
    (xa - xp) * 4,
    (xb - xp) * 4,
    sp * 4,
    n,
    (l.sw + (dp + 1) * hp) * 4,
    steps,
    hp,
    l.w2 * 4,
    f[l.b2],
    env.activation === "relu" ? 1 : 0,
    sc.g * 4,
    outA * 4,
    outB * 4,
  );
}
