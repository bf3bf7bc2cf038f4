/**
 * `W1`'s columns in the order the scoring kernels read them: the prompt's columns (and the
 * prompt's dense feature) as GEMM rows, and the `q` and `p * q` columns interleaved in blocks of
 * 16 hidden units for `score_pairs`, which forms `Wq + Wpq p` once per pair and applies it to
 * both responses.
 *
 * @module
 */
import type { ChunkEnv } from "./chunk_forward.ts";

/** Entries of a scoring input row the kernels read: the pooled vector and the dense feature. */
export function scoreSteps(dp: number, dense: boolean): number {
  return dp + (dense ? 1 : 0);
}

/**
 * Writes the scoring weights from the transposed `W1` (`layout.w1t`) into `layout.sw`:
 * `[(dp + 1) x hp]` prompt rows (`W1[:, p]`, then the prompt's dense column or zeros), then, for
 * each block of 16 hidden units (the last one 8 wide when `hp % 16 == 8`) and each step `c` of
 * `scoreSteps`, the block's `Wq[:, c]` then its `Wpq[:, c]` (for the dense step: the response's
 * dense column and zeros).
 *
 * @param env The arena, layout and shape.
 * @example
 * ```ts
 * import { Arena } from "./arena.ts";
 * import { allocLayout } from "./layout.ts";
 * import { fastShape } from "./shape.ts";
 * import { packScoreWeights } from "./score_weights.ts";
 * import { DEFAULT_MODEL } from "../types.ts";
 * const shape = fastShape({ ...DEFAULT_MODEL, dim: 4, hidden: 8 }), arena = new Arena();
 * const layout = allocLayout(arena, shape, 4, 1), { dp, hp } = shape;
 * arena.f32[layout.w1t + dp * hp] = 2; // W1[0, q_0]
 * packScoreWeights({ arena, layout, shape, pooling: "sqrtn", activation: "gelu" });
 * if (arena.f32[layout.sw + (dp + 1) * hp] !== 2) throw new Error();
 * ```
 */
export function packScoreWeights(env: ChunkEnv): void {
  const f = env.arena.f32, { dp, hp, dense } = env.shape, wt = env.layout.w1t;
  const wp = env.layout.sw, steps = scoreSteps(dp, dense);
  f.copyWithin(wp, wt, wt + dp * hp);
  if (dense) f.copyWithin(wp + dp * hp, wt + 3 * dp * hp, wt + (3 * dp + 1) * hp);
  else f.fill(0, wp + dp * hp, wp + (dp + 1) * hp);
  let o = wp + (dp + 1) * hp;
  for (let j = 0; j < hp; j += 16) {
    const w = Math.min(16, hp - j);
    for (let c = 0; c < steps; c++) {
      const q = wt + (c < dp ? dp + c : 3 * dp + 1) * hp + j, pq = wt + (2 * dp + c) * hp + j;
      f.copyWithin(o, q, q + w);
      if (c < dp) f.copyWithin(o + w, pq, pq + w);
      else f.fill(0, o + w, o + 2 * w);
      o += 2 * w;
    }
  }
}
