/**
 * Backward of one chunk of a mini-batch on the CPU fast path (after `forwardChunk` in the same
 * scratch): the loss and its gradient per pair, the chunk's own dense gradients (summed over
 * chunks later in a fixed order) and the gradients at the pooled vectors of every pair.
 *
 * @module
 */
import { pairLoss, pairLossGrad } from "../math.ts";
import type { ChunkEnv } from "./chunk_forward.ts";
import { chunkGradSize } from "./layout.ts";

/**
 * Backward of chunk `chunk` (batch positions `[start, start + n)`), whose rewards `r` came from
 * `forwardChunk` in scratch `slot`. Writes the chunk's dense gradients and its loss sum and
 * right count into the batch area, and the pooled-vector gradients of each pair (bag input).
 *
 * @param env The arena, layout and model settings.
 * @param slot The scratch of the forward pass.
 * @param chunk The chunk's number in the mini-batch.
 * @param start The chunk's first batch position.
 * @param n Pairs in the chunk.
 * @param r The rewards from `forwardChunk`.
 * @param scale `1 / (pairs in the mini-batch)`.
 * @param margin The Bradley-Terry margin.
 */
export function backwardChunk(
  env: ChunkEnv,
  slot: number,
  chunk: number,
  start: number,
  n: number,
  r: Float64Array,
  scale: number,
  margin: number,
): void {
  const { arena: a, layout: l, shape: s } = env, f = a.f32, sc = l.scratch[slot], b = l.batch;
  const hp = s.hp, fp = s.fp, dp = s.dp, rows = 2 * n, hid = s.hidden;
  const gw1 = b.grads + chunk * chunkGradSize(s), gb1 = gw1 + hp * fp, gw2 = gb1 + hp;
  let loss = 0, right = 0, gb2 = 0;
  const dr = new Float64Array(rows);
  for (let t = 0; t < n; t++) {
    const y = f[b.y + start + t], w = f[b.w + start + t], ra = r[t], rb = r[n + t];
    loss += pairLoss(ra, rb, y, w, margin);
    if (y * (ra - rb) > 0) right++;
    const d = pairLossGrad(ra, rb, y, w, margin) * scale;
    dr[t] = d, dr[n + t] = -d;
  }
  const sb1 = new Float64Array(hp), sw2 = new Float64Array(hp);
  for (let row = 0; row < rows; row++) {
    const d = dr[row], h = sc.h + row * hp, g = sc.g + row * hp, dz = sc.dz + row * hp;
    gb2 += d;
    for (let j = 0; j < hid; j++) {
      sw2[j] += d * f[h + j];
      const v = d * f[l.w2 + j] * f[g + j];
      f[dz + j] = v;
      f[sc.dzt + j * rows + row] = v;
      sb1[j] += v;
    }
  }
  if (hp > hid) f.fill(0, sc.dzt + hid * rows, sc.dzt + hp * rows); // pad rows: no gradient
  f.fill(0, gw1, gw1 + hp * fp);
  for (let j = 0; j < hp; j++) f[gb1 + j] = sb1[j], f[gw2 + j] = sw2[j];
  f[gw2 + hp] = gb2;
  const st = b.stats / 2 + chunk * 2;
  a.f64[st] = loss, a.f64[st + 1] = right;
  const k = a.kernels;
  k.gemm(sc.dzt * 4, sc.x * 4, gw1 * 4, hp, fp, rows, rows, fp, fp);
  if (!s.bag) return;
  f.fill(0, sc.dx, sc.dx + rows * fp);
  k.gemm(sc.dz * 4, l.w1 * 4, sc.dx * 4, rows, fp, hp, hp, fp, fp);
  for (let t = 0; t < n; t++) {
    const xa = sc.x + t * fp, xb = sc.x + (n + t) * fp;
    const ga = sc.dx + t * fp, gb = sc.dx + (n + t) * fp, dv = b.dv + (start + t) * 3 * dp;
    for (let c = 0; c < dp; c++) {
      const p = f[xa + c], ea = f[ga + 2 * dp + c], eb = f[gb + 2 * dp + c];
      f[dv + c] = f[ga + c] + ea * f[xa + dp + c] + f[gb + c] + eb * f[xb + dp + c];
      f[dv + dp + c] = f[ga + dp + c] + ea * p;
      f[dv + 2 * dp + c] = f[gb + dp + c] + eb * p;
    }
  }
}
