/**
 * Embedding bags: the pooling of a bag of token ids into one vector (`types.ts`: sum over the
 * bag's rows times `1 / max(n, 1)` or `1 / sqrt(max(n, 1))`) and its backward.
 *
 * @module
 */

/** A float array: float32 for stored weights, float64 for gradients and checks. */
export type Vec = Float32Array | Float64Array;

/**
 * The pooling factor of a bag of `n` ids: `1 / max(n, 1)` (mean) or `1 / sqrt(max(n, 1))`.
 *
 * @param n The bag size.
 * @param pooling `mean` or `sqrtn`.
 * @returns The factor applied to the sum of rows.
 * @example
 * ```ts
 * import { bagScale } from "./bag.ts";
 * if (bagScale(4, "sqrtn") !== 0.5 || bagScale(0, "mean") !== 1) throw new Error();
 * ```
 */
export function bagScale(n: number, pooling: "mean" | "sqrtn"): number {
  const m = Math.max(n, 1);
  return pooling === "mean" ? 1 / m : 1 / Math.sqrt(m);
}

/**
 * Pools the embedding rows of `ids[start, end)` into `out` (zero for an empty bag).
 *
 * @param out Receives the pooled vector `[dim]`.
 * @param emb The embedding table `[buckets, dim]`.
 * @param dim The row width.
 * @param ids Token ids (CSR values).
 * @param start First id of the bag.
 * @param end One past the last id of the bag.
 * @param pooling `mean` or `sqrtn`.
 * @returns The bag size.
 * @example
 * ```ts
 * import { poolBag } from "./bag.ts";
 * const out = new Float64Array(2);
 * poolBag(out, new Float32Array([1, 2, 3, 4]), 2, new Uint32Array([0, 1]), 0, 2, "mean");
 * if (out[0] !== 2 || out[1] !== 3) throw new Error();
 * ```
 */
export function poolBag(
  out: Float64Array,
  emb: Vec,
  dim: number,
  ids: Uint32Array,
  start: number,
  end: number,
  pooling: "mean" | "sqrtn",
): number {
  out.fill(0);
  for (let t = start; t < end; t++) {
    const row = ids[t] * dim;
    for (let k = 0; k < dim; k++) out[k] += emb[row + k];
  }
  const s = bagScale(end - start, pooling);
  for (let k = 0; k < dim; k++) out[k] *= s;
  return end - start;
}

/**
 * Adds `dv * bagScale(end - start)` to the rows of `ids[start, end)` of a dense embedding
 * gradient (the backward of `poolBag`; a repeated id gets it once per occurrence).
 *
 * @param grad The gradient table `[buckets, dim]` (added to).
 * @param dim The row width.
 * @param ids Token ids (CSR values).
 * @param start First id of the bag.
 * @param end One past the last id of the bag.
 * @param pooling `mean` or `sqrtn`.
 * @param dv The gradient with respect to the pooled vector `[dim]`.
 * @example
 * ```ts
 * import { scatterBag } from "./bag.ts";
 * const g = new Float64Array(4);
 * scatterBag(g, 2, new Uint32Array([1, 1]), 0, 2, "mean", new Float64Array([1, 2]));
 * if (g[2] !== 1 || g[3] !== 2 || g[0] !== 0) throw new Error();
 * ```
 */
export function scatterBag(
  grad: Vec,
  dim: number,
  ids: Uint32Array,
  start: number,
  end: number,
  pooling: "mean" | "sqrtn",
  dv: Float64Array,
): void {
  const s = bagScale(end - start, pooling);
  for (let t = start; t < end; t++) {
    const row = ids[t] * dim;
    for (let k = 0; k < dim; k++) grad[row + k] += dv[k] * s;
  }
}
