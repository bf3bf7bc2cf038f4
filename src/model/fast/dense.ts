/**
 * The MLP's weights on the CPU fast path: packing the model's parameters into the padded layout
 * and back, and the dense part of a training step (the chunks' gradients summed in chunk order,
 * then AdamW, then the transposed copy of `W1` the forward GEMM reads).
 *
 * @module
 */
import { adamwDense } from "../adamw.ts";
import type { ModelParams, TrainOptions } from "../types.ts";
import type { ChunkEnv } from "./chunk_forward.ts";
import { chunkGradSize } from "./layout.ts";
import type { FastShape } from "./shape.ts";

/** Padded float32 arrays of the MLP (`w1 [hp x fp]`, `b1`, `w2` `[hp]`, `b2` `[1]`). */
export interface DenseArrays {
  w1: Float32Array;
  b1: Float32Array;
  w2: Float32Array;
  b2: Float32Array;
}

/**
 * Zeroed padded arrays (e.g. for AdamW moments).
 *
 * @param s The padded shape.
 * @returns The arrays.
 */
export function zeroDense(s: FastShape): DenseArrays {
  return {
    w1: new Float32Array(s.hp * s.fp),
    b1: new Float32Array(s.hp),
    w2: new Float32Array(s.hp),
    b2: new Float32Array(1),
  };
}

/**
 * The arena's weight arrays as views (valid until the memory grows).
 *
 * @param env The arena and layout.
 * @returns Views of the padded weights.
 */
export function denseViews(env: ChunkEnv): DenseArrays {
  const f = env.arena.f32, l = env.layout, s = env.shape;
  return {
    w1: f.subarray(l.w1, l.w1 + s.hp * s.fp),
    b1: f.subarray(l.b1, l.b1 + s.hp),
    w2: f.subarray(l.w2, l.w2 + s.hp),
    b2: f.subarray(l.b2, l.b2 + 1),
  };
}

/**
 * Copies the model's `w1`, `b1`, `w2`, `b2` (or moments shaped like them) into padded arrays.
 *
 * @param s The padded shape.
 * @param p The model's arrays.
 * @param out The padded arrays (pads are left as they are).
 */
export function packDense(s: FastShape, p: ModelParams, out: DenseArrays): void {
  const f = s.features;
  for (let j = 0; j < s.hidden; j++) {
    for (let k = 0; k < f; k++) out.w1[j * s.fp + s.colOf[k]] = p.w1[j * f + k];
  }
  out.b1.set(p.b1), out.w2.set(p.w2), out.b2.set(p.b2);
}

/**
 * Copies padded arrays back into the model's layout.
 *
 * @param s The padded shape.
 * @param d The padded arrays.
 * @param out The model's arrays (its `w1`, `b1`, `w2`, `b2` are written).
 */
export function unpackDense(s: FastShape, d: DenseArrays, out: ModelParams): void {
  const f = s.features;
  for (let j = 0; j < s.hidden; j++) {
    for (let k = 0; k < f; k++) out.w1[j * f + k] = d.w1[j * s.fp + s.colOf[k]];
  }
  out.b1.set(d.b1.subarray(0, s.hidden)), out.w2.set(d.w2.subarray(0, s.hidden));
  out.b2.set(d.b2);
}

/**
 * Writes `W1` transposed (`[fp x hp]`) for the forward GEMM.
 *
 * @param env The arena and layout.
 */
export function transposeW1(env: ChunkEnv): void {
  const f = env.arena.f32, l = env.layout, { hp, fp } = env.shape;
  for (let j = 0; j < hp; j++) {
    const row = l.w1 + j * fp;
    for (let k = 0; k < fp; k++) f[l.w1t + k * hp + j] = f[row + k];
  }
}

/**
 * The dense part of one training step: sums the gradients of chunks `[0, chunks)` in order,
 * steps AdamW on the padded weights and refreshes the transposed copy.
 *
 * @param env The arena and layout.
 * @param chunks Chunks in the mini-batch.
 * @param m First moments (padded).
 * @param v Second moments (padded).
 * @param g Scratch of `chunkGradSize` float64s.
 * @param step The global step (>= 1).
 * @param opts The optimizer settings.
 */
export function denseStep(
  env: ChunkEnv,
  chunks: number,
  m: DenseArrays,
  v: DenseArrays,
  g: Float64Array,
  step: number,
  opts: TrainOptions,
): void {
  const s = env.shape, f = env.arena.f32, size = chunkGradSize(s), base = env.layout.batch.grads;
  g.fill(0);
  for (let c = 0; c < chunks; c++) {
    const at = base + c * size;
    for (let e = 0; e < size; e++) g[e] += f[at + e];
  }
  const n1 = s.hp * s.fp, w = denseViews(env);
  adamwDense(w.w1, g.subarray(0, n1), m.w1, v.w1, step, opts, true);
  adamwDense(w.b1, g.subarray(n1, n1 + s.hp), m.b1, v.b1, step, opts, false);
  adamwDense(w.w2, g.subarray(n1 + s.hp, n1 + 2 * s.hp), m.w2, v.w2, step, opts, true);
  adamwDense(w.b2, g.subarray(n1 + 2 * s.hp, n1 + 2 * s.hp + 1), m.b2, v.b2, step, opts, false);
  transposeW1(env);
}
