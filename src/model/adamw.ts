/**
 * AdamW with decoupled weight decay (`types.ts`): a dense update for whole arrays and a lazy one
 * for the embedding rows a mini-batch touched. Moments and math in float64, weights stored back
 * in float32.
 *
 * @module
 */
import type { TrainOptions } from "./types.ts";

/**
 * Bias corrections `1 - beta1^t` and `1 - beta2^t` for global step `t` (counted from 1).
 *
 * @param step The global step `t`.
 * @param opts The betas.
 * @returns `[1 - beta1^t, 1 - beta2^t]`.
 * @example
 * ```ts
 * import { biasCorrections } from "./adamw.ts";
 * import { DEFAULT_TRAIN } from "./types.ts";
 * const [c1] = biasCorrections(1, DEFAULT_TRAIN);
 * if (Math.abs(c1 - 0.1) > 1e-12) throw new Error();
 * ```
 */
export function biasCorrections(step: number, opts: TrainOptions): [number, number] {
  return [1 - Math.pow(opts.beta1, step), 1 - Math.pow(opts.beta2, step)];
}

/**
 * One AdamW step on a whole array.
 *
 * @param theta The weights (updated in place).
 * @param g The gradient, same length.
 * @param m The first moment (updated in place).
 * @param v The second moment (updated in place).
 * @param step The global step `t` (>= 1).
 * @param opts Learning rate, betas, eps and weight decay.
 * @param decay Whether weight decay applies (not to biases).
 * @example
 * ```ts
 * import { adamwDense } from "./adamw.ts";
 * import { DEFAULT_TRAIN } from "./types.ts";
 * const w = new Float32Array([1]), m = new Float32Array(1), v = new Float32Array(1);
 * adamwDense(w, new Float64Array([3]), m, v, 1, { ...DEFAULT_TRAIN, lr: 0.5 }, false);
 * if (Math.abs(w[0] - 0.5) > 1e-6) throw new Error(); // the first step moves by lr * sign(g)
 * ```
 */
export function adamwDense(
  theta: Float32Array,
  g: Float64Array | Float32Array,
  m: Float32Array,
  v: Float32Array,
  step: number,
  opts: TrainOptions,
  decay: boolean,
): void {
  const [c1, c2] = biasCorrections(step, opts);
  const { lr, beta1, beta2, eps } = opts, wd = decay ? opts.weightDecay : 0;
  for (let i = 0; i < theta.length; i++) {
    const gi = g[i];
    const mi = beta1 * m[i] + (1 - beta1) * gi;
    const vi = beta2 * v[i] + (1 - beta2) * gi * gi;
    m[i] = mi;
    v[i] = vi;
    theta[i] -= lr * ((mi / c1) / (Math.sqrt(vi / c2) + eps) + wd * theta[i]);
  }
}

/**
 * One lazy AdamW step on the embedding rows `rows[0, count)`: row `rows[s]`'s gradient is
 * `grad[s * dim, (s + 1) * dim)`. Other rows and their moments are left as they are.
 *
 * @param emb The embedding table `[buckets, dim]` (updated in place).
 * @param m First moments, same shape (updated in place).
 * @param v Second moments, same shape (updated in place).
 * @param dim The row width.
 * @param rows The touched rows.
 * @param count How many entries of `rows` are used.
 * @param grad The rows' gradients, packed in the order of `rows`.
 * @param step The global step `t` (>= 1).
 * @param opts Learning rate, betas, eps and weight decay (applied to touched rows).
 * @example
 * ```ts
 * import { adamwRows } from "./adamw.ts";
 * import { DEFAULT_TRAIN } from "./types.ts";
 * const emb = new Float32Array([1, 1, 1, 1]), m = new Float32Array(4), v = new Float32Array(4);
 * adamwRows(emb, m, v, 2, new Int32Array([1]), 1, new Float64Array([2, -2]), 1, { ...DEFAULT_TRAIN, lr: 0.5 });
 * if (emb[0] !== 1 || Math.abs(emb[2] - 0.5) > 1e-6 || Math.abs(emb[3] - 1.5) > 1e-6) throw new Error();
 * ```
 */
export function adamwRows(
  emb: Float32Array,
  m: Float32Array,
  v: Float32Array,
  dim: number,
  rows: Int32Array,
  count: number,
  grad: Float64Array,
  step: number,
  opts: TrainOptions,
): void {
  const [c1, c2] = biasCorrections(step, opts);
  const { lr, beta1, beta2, eps, weightDecay: wd } = opts;
  for (let s = 0; s < count; s++) {
    const base = rows[s] * dim, gBase = s * dim;
    for (let k = 0; k < dim; k++) {
      const i = base + k, gi = grad[gBase + k];
      const mi = beta1 * m[i] + (1 - beta1) * gi;
      const vi = beta2 * v[i] + (1 - beta2) * gi * gi;
      m[i] = mi;
      v[i] = vi;
      emb[i] -= lr * ((mi / c1) / (Math.sqrt(vi / c2) + eps) + wd * emb[i]);
    }
  }
}
