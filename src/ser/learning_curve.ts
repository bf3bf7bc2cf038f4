/**
 * Learning curves: test accuracy as a function of the number of training labels, fitted to a few
 * points and extrapolated to more labels.
 *
 * - `log`: `acc = a + b ln(n)` (least squares).
 * - `logit`: `ln(acc / (1 - acc)) = a + b ln(n)` (least squares on the log-odds): the odds of
 *   ranking a pair right grow as a power of `n`, so the curve rises towards 1 without passing it
 *   and is steeper in `ln n` than `log` where accuracy is near chance.
 * - `power`: `acc = c - b n^-alpha`, the error falling as a power law towards `1 - c`; `alpha` is
 *   searched on a grid in [0.05, 2] and `c`, `b` are least squares for each `alpha`.
 *
 * @module
 */

/** A fitted curve. */
export interface CurveFit {
  form: "log" | "logit" | "power";
  /** `[a, b]` for `log` and `logit`, `[c, b, alpha]` for `power`. */
  params: number[];
}

/**
 * Fits a learning curve.
 *
 * @param n Label counts (at least two distinct values).
 * @param acc Accuracies at those counts.
 * @param form The curve's form.
 * @returns The fitted parameters.
 * @example
 * ```ts
 * import { fitCurve, predictCurve } from "./learning_curve.ts";
 * const n = [250, 500, 1000], acc = n.map((x) => 0.5 + 0.02 * Math.log(x));
 * const f = fitCurve(n, acc, "log");
 * if (Math.abs(predictCurve(f, 8000) - (0.5 + 0.02 * Math.log(8000))) > 1e-9) throw new Error();
 * ```
 */
export function fitCurve(
  n: readonly number[],
  acc: readonly number[],
  form: CurveFit["form"],
): CurveFit {
  if (n.length !== acc.length || new Set(n).size < 2) {
    throw new RangeError(
      `Cannot fit a learning curve as it needs at least two distinct label counts with one accuracy each: got ${n.length} counts, ${acc.length} accuracies`,
    );
  }
  if (form === "log") {
    const [a, b] = _line(n.map(Math.log), acc);
    return { form, params: [a, b] };
  }
  if (form === "logit") {
    const [a, b] = _line(n.map(Math.log), acc.map(_logit));
    return { form, params: [a, b] };
  }
  let best: { sse: number; params: number[] } | null = null;
  for (let alpha = 0.05; alpha <= 2.0001; alpha += 0.05) {
    const x = n.map((v) => -(v ** -alpha));
    const [c, b] = _line(x, acc);
    if (!(b >= 0)) continue; // accuracy must not fall with more labels
    const sse = acc.reduce((s, y, i) => s + (y - (c + b * x[i])) ** 2, 0);
    if (best === null || sse < best.sse) best = { sse, params: [c, b, alpha] };
  }
  if (best === null) {
    // Accuracy falls with labels everywhere: the flat curve through the mean.
    const mean = acc.reduce((s, y) => s + y, 0) / acc.length;
    return { form, params: [mean, 0, 1] };
  }
  return { form, params: best.params };
}

/**
 * @param f A fitted curve.
 * @param n A label count.
 * @returns The curve's accuracy at `n`, clipped to [0, 1].
 */
export function predictCurve(f: CurveFit, n: number): number {
  const [p0, p1, p2] = f.params;
  const y = f.form === "log"
    ? p0 + p1 * Math.log(n)
    : f.form === "logit"
    ? 1 / (1 + Math.exp(-(p0 + p1 * Math.log(n))))
    : p0 - p1 * n ** -p2;
  return Math.min(1, Math.max(0, y));
}

/** Log-odds, with accuracies of 0 or 1 pulled in to 1e-6 from the bounds. */
function _logit(p: number): number {
  const q = Math.min(1 - 1e-6, Math.max(1e-6, p));
  return Math.log(q / (1 - q));
}

/** Least squares `y = a + b x`. */
function _line(x: readonly number[], y: readonly number[]): [number, number] {
  const k = x.length;
  const mx = x.reduce((s, v) => s + v, 0) / k, my = y.reduce((s, v) => s + v, 0) / k;
  let sxy = 0, sxx = 0;
  for (let i = 0; i < k; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
  }
  const b = sxx === 0 ? 0 : sxy / sxx;
  return [my - b * mx, b];
}
