/**
 * Forward of one chunk of pairs on the CPU fast path: pool the bags into MLP input rows (rows
 * `[0, n)` for response a, `[n, 2n)` for b), one GEMM for all `2n` rows, the activation, and the
 * rewards. Runs on any thread that holds the arena.
 *
 * @module
 */
import { bagScale } from "../bag.ts";
import type { Arena } from "./arena.ts";
import type { Layout } from "./layout.ts";
import type { FastShape } from "./shape.ts";

/** What a chunk computes on: the arena, its layout, the shape and the pooling. */
export interface ChunkEnv {
  arena: Arena;
  layout: Layout;
  shape: FastShape;
  pooling: "mean" | "sqrtn";
  activation: "gelu" | "relu";
}

function _inputs(env: ChunkEnv, slot: number, idxAt: number, n: number): void {
  const { arena: a, layout: l, shape: s } = env, f = a.f32, u = a.u32, k = a.kernels;
  const dp = s.dp, fp = s.fp, x = l.scratch[slot].x, fe = l.feat;
  for (let t = 0; t < n; t++) {
    const i = u[idxAt + t], xa = x + t * fp, xb = x + (n + t) * fp;
    let nP = 0, nA = 0, nB = 0;
    if (s.bag) {
      const p0 = u[fe.pOff + i], p1 = u[fe.pOff + i + 1];
      const a0 = u[fe.aOff + i], a1 = u[fe.aOff + i + 1];
      const b0 = u[fe.bOff + i], b1 = u[fe.bOff + i + 1];
      nP = p1 - p0, nA = a1 - a0, nB = b1 - b0;
      k.pool(l.emb * 4, dp, fe.pIds * 4, p0, p1, xa * 4, bagScale(nP, env.pooling));
      k.pool(l.emb * 4, dp, fe.aIds * 4, a0, a1, (xa + dp) * 4, bagScale(nA, env.pooling));
      k.pool(l.emb * 4, dp, fe.bIds * 4, b0, b1, (xb + dp) * 4, bagScale(nB, env.pooling));
    } else {
      f.copyWithin(xa, fe.pIds + i * dp, fe.pIds + (i + 1) * dp);
      f.copyWithin(xa + dp, fe.aIds + i * dp, fe.aIds + (i + 1) * dp);
      f.copyWithin(xb + dp, fe.bIds + i * dp, fe.bIds + (i + 1) * dp);
    }
    f.copyWithin(xb, xa, xa + dp);
    for (let c = 0; c < dp; c++) {
      const p = f[xa + c];
      f[xa + 2 * dp + c] = p * f[xa + dp + c];
      f[xb + 2 * dp + c] = p * f[xb + dp + c];
    }
    if (s.dense) {
      const lp = Math.log1p(nP);
      f[xa + 3 * dp] = lp, f[xa + 3 * dp + 1] = Math.log1p(nA);
      f[xb + 3 * dp] = lp, f[xb + 3 * dp + 1] = Math.log1p(nB);
    }
  }
}

/**
 * Forward of the `n` pairs whose indices are `u32[idxAt, idxAt + n)` (n <= CHUNK_PAIRS), in
 * scratch `slot`. Leaves the inputs, activations and (with `grad`) the activation derivatives in
 * the scratch, and the rewards in `r` (`r[t]`: pair t's a, `r[n + t]`: its b).
 *
 * @param env The arena, layout and model settings.
 * @param slot The scratch to use (one per thread).
 * @param idxAt Element offset of the pair indices.
 * @param n Pairs.
 * @param r Receives `2n` rewards (float64).
 * @param grad Whether to keep what the backward pass needs.
 */
export function forwardChunk(
  env: ChunkEnv,
  slot: number,
  idxAt: number,
  n: number,
  r: Float64Array,
  grad: boolean,
): void {
  const { arena: a, layout: l, shape: s } = env, f = a.f32, sc = l.scratch[slot];
  const hp = s.hp, fp = s.fp, rows = 2 * n, relu = env.activation === "relu";
  _inputs(env, slot, idxAt, n);
  // z = b1 + W1 x, where a's and b's rows share the prompt's part `W1[:, p] p`: that product is
  // made once per pair (a rows), copied to the b rows, and the rest added for all rows.
  const k = a.kernels, dp = s.dp;
  for (let row = 0; row < n; row++) f.copyWithin(sc.h + row * hp, l.b1, l.b1 + hp);
  k.gemm(sc.x * 4, l.w1t * 4, sc.h * 4, n, hp, dp, fp, hp, hp);
  f.copyWithin(sc.h + n * hp, sc.h, sc.h + n * hp);
  k.gemm((sc.x + dp) * 4, (l.w1t + dp * hp) * 4, sc.h * 4, rows, hp, fp - dp, fp, hp, hp);
  k.act_rows(
    sc.h * 4,
    grad ? sc.g * 4 : 0,
    l.w2 * 4,
    sc.r * 4,
    rows,
    hp,
    f[l.b2],
    relu ? 1 : 0,
  );
  for (let row = 0; row < rows; row++) r[row] = f[sc.r + row];
}
