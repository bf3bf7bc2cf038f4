/**
 * Small statistics for benchmark results: medians, spreads and pair-by-pair ratios of
 * interleaved runs.
 *
 * @module
 */

/**
 * The median of finite values (NaN for none).
 *
 * @param xs The values.
 * @returns Their median.
 * @example
 * ```ts
 * import { median } from "./stats.ts";
 * if (median([3, 1, 2]) !== 2 || median([1, 2, 3, 4]) !== 2.5) throw new Error();
 * ```
 */
export function median(xs: readonly number[]): number {
  const v = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const mid = v.length >> 1;
  return v.length % 2 ? v[mid] : (v[mid - 1] + v[mid]) / 2;
}

/**
 * The smallest and largest finite value.
 *
 * @param xs The values.
 * @returns `[min, max]` (NaNs for none).
 * @example
 * ```ts
 * import { range } from "./stats.ts";
 * if (range([3, 1, 2])[1] !== 3) throw new Error();
 * ```
 */
export function range(xs: readonly number[]): [number, number] {
  const v = xs.filter((x) => Number.isFinite(x));
  return v.length ? [Math.min(...v), Math.max(...v)] : [NaN, NaN];
}

/**
 * The median of the ratios `a[i] / b[i]` of runs made side by side (A B A B ...): each ratio
 * compares two runs that saw the same machine load, so the median is robust to load drifting
 * between rounds.
 *
 * @param a Timings of A, one per round.
 * @param b Timings of B, one per round (same length).
 * @returns The median ratio and its range over rounds.
 * @example
 * ```ts
 * import { pairedRatio } from "./stats.ts";
 * if (pairedRatio([2, 4, 6], [1, 2, 3]).median !== 2) throw new Error();
 * ```
 */
export function pairedRatio(
  a: readonly number[],
  b: readonly number[],
): { median: number; min: number; max: number; rounds: number } {
  if (a.length !== b.length) {
    throw new RangeError(
      `Cannot pair ratios as A has ${a.length} rounds and B has ${b.length}: run them interleaved`,
    );
  }
  const r = a.map((x, i) => x / b[i]).filter((x) => Number.isFinite(x));
  const [min, max] = range(r);
  return { median: median(r), min, max, rounds: r.length };
}

/**
 * A least-squares fit of `log y = k log x + c`: `k` is the growth exponent (1 = linear).
 *
 * @param xs Sizes (positive).
 * @param ys Costs (positive).
 * @returns The exponent `k` (NaN with fewer than two usable points).
 * @example
 * ```ts
 * import { growthExponent } from "./stats.ts";
 * const k = growthExponent([1, 10, 100], [2, 200, 20000]);
 * if (Math.abs(k - 2) > 1e-9) throw new Error();
 * ```
 */
export function growthExponent(xs: readonly number[], ys: readonly number[]): number {
  const pts = xs.map((x, i) => [Math.log(x), Math.log(ys[i])]).filter(([u, v]) =>
    Number.isFinite(u) && Number.isFinite(v)
  );
  if (pts.length < 2) return NaN;
  const mu = pts.reduce((s, p) => s + p[0], 0) / pts.length;
  const mv = pts.reduce((s, p) => s + p[1], 0) / pts.length;
  let num = 0, den = 0;
  for (const [u, v] of pts) {
    num += (u - mu) * (v - mv);
    den += (u - mu) ** 2;
  }
  return den > 0 ? num / den : NaN;
}
